//! Sessions kept in the database through `kaohe-storage`, so that every app server
//! sharing the database knows every session.
//!
//! A session expires after a time of inactivity, so every request moves its expiry on;
//! written each time, that is a database write for every page anyone reads. A session
//! whose data did not change is written only when its stored expiry is more than
//! [`SLACK_MS`] behind: at most once a minute per session, and the idle timeout is kept
//! to within that minute on every server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use kaohe_storage::Store;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
    /// Each session as this server last read or wrote it: its data and stored expiry.
    seen: Arc<Mutex<HashMap<Id, Stored>>>,
}

type Stored = (HashMap<String, serde_json::Value>, i64);

/// How far a session's stored expiry may lag behind before an unchanged session is
/// written again.
const SLACK_MS: i64 = 60_000;

/// Past this many sessions remembered, the expired ones are forgotten.
const SEEN_PRUNE: usize = 10_000;

impl DbSessionStore {
    pub fn new(store: Store) -> DbSessionStore {
        DbSessionStore {
            store,
            seen: Arc::default(),
        }
    }

    /// Whether `record` is what the database holds, give or take the slack of its expiry.
    fn unchanged(&self, record: &Record, expiry: i64) -> bool {
        let seen = self.seen.lock().expect("sessions seen");
        seen.get(&record.id)
            .is_some_and(|(data, at)| *data == record.data && expiry - *at < SLACK_MS)
    }

    fn remember(&self, record: &Record, expiry: i64) {
        let mut seen = self.seen.lock().expect("sessions seen");
        if seen.len() >= SEEN_PRUNE {
            let now = kaohe_storage::now_ms();
            seen.retain(|_, (_, at)| *at > now);
        }
        seen.insert(record.id, (record.data.clone(), expiry));
    }
}

/// Said at the start of a session error when the database could not be reached, so the
/// request is answered as unavailable (503), not as a fault.
pub const UNREACHABLE: &str = "database unreachable: ";

fn backend(e: kaohe_storage::StorageError) -> session_store::Error {
    if Store::unreachable(&e) {
        session_store::Error::Backend(format!("{UNREACHABLE}{e}"))
    } else {
        session_store::Error::Backend(e.to_string())
    }
}

fn encode(record: &Record) -> session_store::Result<(String, i64)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expiry = record.expiry_date.unix_timestamp() * 1000;
    Ok((data, expiry))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (data, expiry) = encode(record)?;
            if self
                .store
                .session_create(&record.id.to_string(), &data, expiry)
                .await
                .map_err(backend)?
            {
                self.remember(record, expiry);
                return Ok(());
            }
            // The random id was taken (astronomically unlikely): draw another.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, expiry) = encode(record)?;
        if self.unchanged(record, expiry) {
            return Ok(());
        }
        self.store
            .session_save(&record.id.to_string(), &data, expiry)
            .await
            .map_err(backend)?;
        self.remember(record, expiry);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = kaohe_storage::now_ms();
        let Some((data, expiry)) = self
            .store
            .session_load(&id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expiry / 1000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        self.remember(&record, expiry);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)?;
        self.seen.lock().expect("sessions seen").remove(id);
        Ok(())
    }
}
