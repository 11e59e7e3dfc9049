//! A unit of work: the changes of one action and its audit row, committed together or
//! not at all. Every changing query lives on [`Work`], so a change cannot be written
//! without a transaction that ends in [`Work::commit`], which appends the action's audit
//! row last (holding the chain's head as briefly as possible) and commits.

use sqlx::{Any, Transaction};

use crate::*;

/// An open transaction for one action. Dropped without `commit`, it rolls back.
pub struct Work {
    pub(crate) tx: Transaction<'static, Any>,
    fail_before_append: bool,
}

impl Store {
    /// Opens a unit of work. On SQLite the transaction begins IMMEDIATE, taking the write
    /// lock at once: a transaction that reads and then writes would otherwise keep a stale
    /// snapshot that a busy timeout cannot cure.
    pub async fn begin(&self) -> Result<Work> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Work {
            tx,
            fail_before_append: false,
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
