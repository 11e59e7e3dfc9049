//! A unit of work: the changes of one action and its audit row, committed together or
//! not at all. Every changing query lives on [`Work`], so a change cannot be written
//! without a transaction that ends in [`Work::commit`], which appends the action's audit
//! row last (holding the chain's head as briefly as possible) and commits.

use sqlx::{Any, Row, Transaction};

use crate::*;

/// An open transaction for one action. Dropped without `commit`, it rolls back.
pub struct Work {
    pub(crate) tx: Transaction<'static, Any>,
    backend: Backend,
    fail_before_append: bool,
    /// SQLite's turn to write, given back after the transaction ends (fields drop in
    /// order: the transaction first).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// How long a unit of work waits for its turn to write on SQLite before it is refused as
/// the database being busy (the pool's wait for a connection is as long).
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Store {
    /// Opens a unit of work. On SQLite the transaction begins IMMEDIATE, taking the write
    /// lock at once: a transaction that reads and then writes would otherwise keep a stale
    /// snapshot that a busy timeout cannot cure.
    /// On SQLite, units of work of this server take turns before they take a connection.
    pub async fn begin(&self) -> Result<Work> {
        let (tx, turn) = match self.backend {
            Backend::Sqlite => {
                let turn = tokio::time::timeout(TURN_WAIT, self.writer.clone().lock_owned())
                    .await
                    .map_err(|_| StorageError::Database(sqlx::Error::PoolTimedOut))?;
                (self.pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Backend::Postgres => (self.pool.begin().await?, None),
        };
        Ok(Work {
            tx,
            backend: self.backend,
            fail_before_append: false,
            _turn: turn,
        })
    }
}

impl Work {
    /// Appends the action's audit row and commits the change with it. Returns the row's
    /// place in the chain.
    pub async fn commit(mut self, entry: &AuditEntry) -> Result<AuditHead> {
        if self.fail_before_append {
            return Err(StorageError::Injected);
        }
        let head = audit::append(&mut self.tx, entry).await?;
        self.tx.commit().await?;
        Ok(head)
    }

    /// Refuses (`Locked`) when the campaign is locked (定稿): its settings, facts,
    /// evidence, reviews, appeals and results are frozen. Every changing query of frozen
    /// data calls this first, in its transaction. On PostgreSQL the campaign's row is held
    /// (`FOR SHARE`) until the change commits, so a lock cannot slip in between the check
    /// and the write; on SQLite the unit of work already holds the write lock.
    pub(crate) async fn unfrozen(&mut self, campaign_id: Id) -> Result<()> {
        self.unfrozen_holding(campaign_id, "FOR SHARE").await
    }

    /// [`Work::unfrozen`] for a change of the campaign's own row: the row is held for
    /// that update from the start (two such changes at once would otherwise each hold
    /// it shared and wait for the other).
    pub(crate) async fn unfrozen_to_update(&mut self, campaign_id: Id) -> Result<()> {
        self.unfrozen_holding(campaign_id, "FOR NO KEY UPDATE")
            .await
    }

    async fn unfrozen_holding(&mut self, campaign_id: Id, hold: &str) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT locked FROM campaigns WHERE id = $1".to_string(),
            Backend::Postgres => format!("SELECT locked FROM campaigns WHERE id = $1 {hold}"),
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(campaign_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?;
        if row.try_get::<i64, _>("locked")? != 0 {
            return Err(StorageError::Locked);
        }
        Ok(())
    }

    /// Refuses (`Submitted`) when the unit's report has been submitted: its facts wait
    /// for the assessors. A report that has no row yet gets its draft row, so that there
    /// is a row to hold: read in the change's transaction, and on PostgreSQL held
    /// (`FOR SHARE`) until it commits, so a submission waits for a save in progress and a
    /// save cannot land after a submission it did not see.
    pub(crate) async fn report_open(&mut self, campaign_id: Id, unit_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO reports (campaign_id, unit_id, state) VALUES ($1, $2, 'draft')
             ON CONFLICT (campaign_id, unit_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .execute(&mut *self.tx)
        .await?;
        let sql = match self.backend {
            Backend::Sqlite => "SELECT state FROM reports WHERE campaign_id = $1 AND unit_id = $2",
            Backend::Postgres => {
                "SELECT state FROM reports WHERE campaign_id = $1 AND unit_id = $2 FOR SHARE"
            }
        };
        let state: String = sqlx::query(sql)
            .bind(campaign_id)
            .bind(unit_id)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("state")?;
        if state == ReportState::Submitted.as_str() {
            return Err(StorageError::Submitted);
        }
        Ok(())
    }

    /// Makes `commit` fail after the changes and before the audit row, as a crash there
    /// would: for the tests that prove the two land together or not at all.
    #[doc(hidden)]
    pub fn fail_before_append(&mut self) {
        self.fail_before_append = true;
    }

    /// Commits work that is not a person's action (a migration step).
    pub(crate) async fn finish(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}
