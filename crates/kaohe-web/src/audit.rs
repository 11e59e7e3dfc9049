//! What an action writes to the audit log: its changed fields, and the commit of a
//! change with its row (every row's action comes from the [`Action`] list).

use kaohe_storage::{AuditEntry, RawFacts, Work};

use crate::auth::CurrentUser;
use crate::http::error::AppResult;
use crate::year::Action;

/// One changed field for an audit row: `{"field", "old", "new"}`.
pub fn change(
    field: &str,
    old: impl Into<serde_json::Value>,
    new: impl Into<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({"field": field, "old": old.into(), "new": new.into()})
}

/// Commits a change with its audit row: who did it (the current user), the action, its
/// target, the reason given if any, and the changed fields.
pub async fn commit(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    reason: Option<&str>,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: action.code().into(),
        target,
        reason: reason.map(String::from),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(())
}

/// [`commit`] of a change made without a stated reason.
pub async fn record(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    commit(work, me, action, target, None, changes).await
}

/// [`commit`] of a change made for a stated reason.
pub async fn record_why(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    reason: &str,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    commit(work, me, action, target, Some(reason), changes).await
}

/// Each changed field, old → new.
pub fn diff(before: &RawFacts, after: &RawFacts) -> Vec<serde_json::Value> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| change(k, before.get(k).cloned(), after.get(k).cloned()))
        .collect()
}
