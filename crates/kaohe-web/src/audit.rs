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

/// Commits an admin's change with its audit row.
pub async fn record(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: action.code().into(),
        target,
        reason: None,
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(())
}

/// Commits an admin's change, made for a stated reason, with its audit row.
pub async fn record_why(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    reason: &str,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: action.code().into(),
        target,
        reason: Some(reason.to_string()),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(())
}

/// Each changed field, old → new.
pub fn diff(before: &RawFacts, after: &RawFacts) -> serde_json::Value {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes: Vec<serde_json::Value> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| serde_json::json!({"field": k, "old": before.get(k), "new": after.get(k)}))
        .collect();
    serde_json::Value::Array(changes)
}
