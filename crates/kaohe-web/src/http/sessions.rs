//! Sessions kept in the database through `kaohe-storage`, so that every app server
//! sharing the database knows every session.

use async_trait::async_trait;
use kaohe_storage::Store;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> DbSessionStore {
        DbSessionStore { store }
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
                return Ok(());
            }
            // The random id was taken (astronomically unlikely): draw another.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, expiry) = encode(record)?;
        self.store
            .session_save(&record.id.to_string(), &data, expiry)
            .await
            .map_err(backend)
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
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
