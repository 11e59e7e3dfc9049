//! Fresh databases for tests: always a SQLite file in a temporary folder, and a
//! PostgreSQL schema of its own when `KAOHE_TEST_DATABASE_URL` names a server, so that
//! tests never see each other's rows.

use std::path::PathBuf;

use crate::{Result, Store};

/// The environment variable naming a PostgreSQL server for tests.
pub const PG_ENV: &str = "KAOHE_TEST_DATABASE_URL";

/// A database made for one test. It is removed when the `TestDb` is dropped, also when
/// the test panics; [`TestDb::finish`] closes the connections first.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Schema { admin_url: String, schema: String },
    Done,
}

impl TestDb {
    /// Opens another handle on the same database: a second app server.
    pub async fn open_again(&self) -> Result<Store> {
        Store::open(&self.url).await
    }

    /// Closes the store's connections, then removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        // Dropping removes it.
    }

    /// Where the database lives: the SQLite file's folder, or the PostgreSQL schema.
    pub fn place(&self) -> String {
        match &self.cleanup {
            Cleanup::Dir(dir) => dir.display().to_string(),
            Cleanup::Schema { schema, .. } => schema.clone(),
            Cleanup::Done => String::new(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.cleanup, Cleanup::Done) {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema { admin_url, schema } => {
                // Drop cannot await, and may run inside the test's runtime: the schema is
                // dropped from a thread with a runtime of its own.
                let _ = std::thread::spawn(move || drop_schema(&admin_url, &schema)).join();
            }
            Cleanup::Done => {}
        }
    }
}

fn drop_schema(admin_url: &str, schema: &str) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        if let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(admin_url)
            .await
        {
            // A panicked test may leave a connection holding a lock; do not wait for ever.
            let _ = sqlx::query("SET lock_timeout = '10s'").execute(&pool).await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    });
}

/// Whether a PostgreSQL schema of this name exists on the test server.
pub async fn schema_exists(schema: &str) -> bool {
    let Some(admin_url) = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty()) else {
        return false;
    };
    let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
    else {
        return false;
    };
    let found = sqlx::query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1")
        .bind(schema)
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten()
        .is_some();
    pool.close().await;
    found
}

fn unique_name() -> String {
    use rand::RngExt;
    let n: u64 = rand::rng().random();
    format!("{:016x}", n)
}

/// A fresh SQLite database in a temporary folder.
pub async fn sqlite() -> TestDb {
    sqlite_at(None).await
}

async fn sqlite_at(version: Option<i64>) -> TestDb {
    let dir = std::env::temp_dir().join(format!("kaohe-test-{}", unique_name()));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    let url = format!("sqlite://{}", dir.join("kaohe.db").display());
    let store = open_at(&url, version)
        .await
        .expect("open a SQLite test database");
    TestDb {
        store,
        url,
        label: "sqlite",
        cleanup: Cleanup::Dir(dir),
    }
}

async fn open_at(url: &str, version: Option<i64>) -> Result<Store> {
    match version {
        None => Store::open(url).await,
        Some(v) => Store::open_migrated_to(url, v).await,
    }
}

/// A fresh PostgreSQL schema, if `KAOHE_TEST_DATABASE_URL` is set.
pub async fn postgres() -> Option<TestDb> {
    postgres_at(None).await
}

async fn postgres_at(version: Option<i64>) -> Option<TestDb> {
    let admin_url = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
    let schema = format!("kaohe_t_{}", unique_name());
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV}={admin_url}: cannot connect: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .expect("create a test schema");
    pool.close().await;
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
    let store = open_at(&url, version)
        .await
        .expect("open the PostgreSQL test schema");
    Some(TestDb {
        store,
        url,
        label: "postgres",
        cleanup: Cleanup::Schema { admin_url, schema },
    })
}

/// SQLite always, and PostgreSQL when configured. When it is not, says so once on
/// stderr; in CI (`CI` set) a missing PostgreSQL is an error, not a skip.
pub async fn all() -> Vec<TestDb> {
    all_at(None).await
}

/// [`all`], with the schema migrated only up to migration `version`: a test writes rows
/// of the old shape, then [`TestDb::open_again`] migrates them.
pub async fn all_migrated_to(version: i64) -> Vec<TestDb> {
    all_at(Some(version)).await
}

async fn all_at(version: Option<i64>) -> Vec<TestDb> {
    let mut dbs = vec![sqlite_at(version).await];
    match postgres_at(version).await {
        Some(pg) => dbs.push(pg),
        None => {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                panic!("CI is set but {PG_ENV} is not: the PostgreSQL tests must run in CI");
            }
            // Once per test binary, and past the test harness's capture (which keeps
            // `eprintln!` of passing tests out of sight), so a plain `cargo test` shows it.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL storage tests skipped; set {PG_ENV}=postgres://postgres@127.0.0.1:5432/test to run them"
                );
            });
        }
    }
    dbs
}

/// One change in a unit of work of its own, committed with a test's audit row when it
/// succeeds: `change!(store, create_unit(org, None, "新碶街道", None, false))`. For
/// tests that set up data; the application commits each change with its action's row.
#[macro_export]
macro_rules! change {
    ($store:expr, $($call:tt)+) => {{
        let mut work = $store.begin().await.expect("begin a unit of work");
        let result = work.$($call)+.await;
        if result.is_ok() {
            work.commit(&$crate::testing::entry())
                .await
                .expect("commit a unit of work");
        }
        result
    }};
}

/// The audit row of a change made by a test.
pub fn entry() -> crate::AuditEntry {
    crate::AuditEntry {
        organiser_id: None,
        user_id: None,
        username: None,
        action: "test.change".into(),
        target: "test".into(),
        reason: None,
        changes: serde_json::Value::Array(Vec::new()),
    }
}
