//! What every query file shares: reading a uniqueness violation, booleans and facts as
//! stored.

use crate::*;

pub(crate) fn unique(e: sqlx::Error, what: &str) -> StorageError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StorageError::Duplicate(what.to_string())
        }
        _ => StorageError::Database(e),
    }
}

pub(crate) fn b(v: bool) -> i64 {
    i64::from(v)
}

pub(crate) fn json_map(text: &str) -> Result<RawFacts> {
    decode_json("facts", text)
}

pub(crate) fn json_text(map: &RawFacts) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string())
}

/// Ids as the list of an SQL `IN (…)`: numbers only, so nothing a user typed reaches the
/// statement. An empty list is `(NULL)`, which matches nothing.
pub(crate) fn id_list(ids: &[Id]) -> String {
    if ids.is_empty() {
        return "(NULL)".into();
    }
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    format!("({})", list.join(", "))
}
