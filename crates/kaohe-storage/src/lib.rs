//! kaohe's storage: one API, two backends. SQLite (an embedded file, the default for a
//! district) and PostgreSQL (one database behind several app servers, for a city or a
//! province), picked at start-up from the URL. Migrations are embedded in the binary,
//! one set per backend where the SQL differs (ids, blobs); an applied migration is never
//! edited. All queries are written once, with `$1…$N` placeholders, through sqlx's `Any`
//! driver.
//!
//! Only this crate knows SQL. Nothing an app server needs lives only in its memory:
//! sessions, login-throttle counters and evidence files are rows here.

mod audit;
mod campaigns;
mod departments;
mod imports;
mod mappings;
mod model;
mod organisers;
mod records;
mod rectification;
mod reports;
mod review;
mod security;
mod sql;
pub mod testing;
mod users;
mod work;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

pub use audit::{AuditCheck, AuditFilter, AuditHead, AuditHit, HashAlg};
pub use departments::DepartmentUse;
pub use model::*;
pub use rectification::{NO_LONGER_LOST, Stepped};
pub use security::{SecurityEvent, SecurityKind};
pub use work::Work;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// Someone else saved first: the caller's version is stale.
    #[error("changed by someone else since it was opened")]
    Conflict,
    /// A uniqueness rule was broken (a name already taken).
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("the database URL is not understood: {0}; use sqlite://PATH or postgres://…")]
    Url(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A stored value kaohe cannot read (an unknown state or role, malformed JSON):
    /// never replaced by a guess.
    #[error("stored data is not understood: {0}; the database was changed outside kaohe")]
    Corrupt(String),
    /// The campaign is locked (定稿): its data cannot change until it is unlocked.
    #[error("the campaign is locked; unlock it (with a reason) before changing it")]
    Locked,
    /// The unit's report was submitted: its facts cannot change until it is returned.
    #[error("the report was submitted; it can change only after it is returned")]
    Submitted,
    /// A department still assessed by users or assigned items cannot be deleted.
    #[error("still in use: {0}")]
    InUse(String),
    /// Something this backend does another way (a PostgreSQL backup is `pg_dump`'s).
    #[error("not supported on this database: {0}")]
    Unsupported(String),
    /// A fault injected by a test (`Work::fail_before_append`).
    #[error("injected fault")]
    Injected,
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, StorageError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A handle on the database; cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: units of work take turns here (first come, first served)
    /// before they take a connection, instead of holding one while SQLite's busy handler
    /// sleeps and retries — which left the readers without connections and put the
    /// writers' slowest waits at a hundred milliseconds and more.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Opens a database from its URL (`sqlite://PATH` or `postgres://…`), creating a
    /// SQLite file if needed, and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_at(url, None).await
    }

    /// [`Store::open`] with the schema migrated only up to `version` (and no Rust
    /// steps), for tests of a migration: rows of the old shape are written, then
    /// [`Store::open`] migrates them.
    #[doc(hidden)]
    pub async fn open_migrated_to(url: &str, version: i64) -> Result<Store> {
        Store::open_at(url, Some(version)).await
    }

    async fn open_at(url: &str, target: Option<i64>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StorageError::Url(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        // Migrations run through the backend's own driver, then everything else through
        // `Any`.
        match backend {
            Backend::Sqlite => {
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await?;
                // Write-ahead logging: readers never wait for a writer's commit, and a
                // writer holds its lock only for its own unit of work. It is a property of
                // the file, kept from here on.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&pool)
                    .await?;
                match target {
                    None => SQLITE_MIGRATIONS.run(&pool).await?,
                    Some(v) => SQLITE_MIGRATIONS.run_to(v, &pool).await?,
                }
                pool.close().await;
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await?;
                match target {
                    None => POSTGRES_MIGRATIONS.run(&pool).await?,
                    Some(v) => POSTGRES_MIGRATIONS.run_to(v, &pool).await?,
                }
                pool.close().await;
            }
        }
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        // sqlx's SQLite connections wait up to 5 s for a lock by default, so several
        // connections can write to one file.
        // A request waits at most this long for a connection: while PostgreSQL restarts,
        // requests are answered (503) instead of hanging; sqlx checks an idle connection
        // before handing it out, so none broken by the restart is used afterwards.
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await?;
        let store = Store {
            pool,
            backend,
            writer: Default::default(),
        };
        if target.is_none() {
            store.chain_legacy_audit_rows().await?;
        }
        Ok(store)
    }

    /// Whether an error says the database could not be reached (down, restarting, no
    /// connection free within the wait), rather than that a request was wrong.
    pub fn unreachable(e: &StorageError) -> bool {
        matches!(
            e,
            StorageError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
            )
        ) || matches!(e, StorageError::Database(sqlx::Error::Database(d))
            // PostgreSQL shutting down or starting (admin_shutdown, cannot_connect_now).
            if matches!(d.code().as_deref(), Some("57P01" | "57P02" | "57P03")))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database's own check of its file: SQLite's `PRAGMA integrity_check` (every
    /// page, index and constraint); empty when whole. PostgreSQL checks its own pages as
    /// it reads them, so there it is empty once a query answers.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        use sqlx::Row;
        match self.backend {
            Backend::Sqlite => {
                let rows = sqlx::query("PRAGMA integrity_check")
                    .fetch_all(&self.pool)
                    .await?;
                let lines = rows
                    .iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Ok(lines.into_iter().filter(|l| l != "ok").collect())
            }
            Backend::Postgres => {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(Vec::new())
            }
        }
    }

    /// Whether the database answers (a health check).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Writes a consistent copy of the whole database to `path` while it is in use
    /// (SQLite's `VACUUM INTO`: one file, compacted). PostgreSQL is backed up with its
    /// own tools (`pg_dump`): `Unsupported`.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path.display().to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StorageError::Unsupported(
                "PostgreSQL is backed up with pg_dump".into(),
            )),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A stored word read with `parse`; an unknown one is `Corrupt`, naming where it was.
pub(crate) fn decode<T>(what: &str, text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| StorageError::Corrupt(format!("{what} {text:?}")))
}

/// Stored JSON read into its type; malformed JSON is `Corrupt`, naming where it was.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt(format!("{what}: {e}")))
}

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
