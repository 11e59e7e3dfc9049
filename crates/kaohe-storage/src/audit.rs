//! The audit log: append-only, each row chained to the one before it by a SHA-256 hash,
//! the newest (sequence, hash) kept in `audit_head`. Appends take the head row's lock
//! first, so several app servers writing at once still build one unbroken chain.
//! `verify` recomputes the chain and finds an edited row, a deleted row, and (against
//! the head, or an anchor kept elsewhere) a deleted newest row.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::*;

/// The newest row of the chain: what a lock records, and `--expect` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub rows: i64,
    pub head: AuditHead,
    /// Each break in the chain, in words; empty when the chain is whole.
    pub problems: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
fn row_hash(
    seq: i64,
    at: i64,
    organiser_id: Option<Id>,
    user_id: Option<Id>,
    username: Option<&str>,
    action: &str,
    target: &str,
    reason: Option<&str>,
    changes: &str,
    prev: &str,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        organiser_id,
        user_id,
        username,
        action,
        target,
        reason,
        changes,
        prev
    ])
    .to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn audit_row(r: &AnyRow) -> Result<AuditRow> {
    let changes: String = r.try_get("changes")?;
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        entry: AuditEntry {
            organiser_id: r.try_get("organiser_id")?,
            user_id: r.try_get("user_id")?,
            username: r.try_get("username")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            reason: r.try_get("reason")?,
            changes: serde_json::from_str(&changes).unwrap_or_default(),
        },
    })
}

impl Store {
    /// Appends one row to the audit log, chained to the newest.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        let changes = entry.changes.to_string();
        let at = now_ms();
        let mut tx = self.pool.begin().await?;
        // Taking the head row first serialises appends on every backend: PostgreSQL
        // locks the row, SQLite the database.
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *tx)
                .await?;
        let seq: i64 = head.try_get("seq")?;
        let prev: String = head.try_get("hash")?;
        let hash = row_hash(
            seq,
            at,
            entry.organiser_id,
            entry.user_id,
            entry.username.as_deref(),
            &entry.action,
            &entry.target,
            entry.reason.as_deref(),
            &changes,
            &prev,
        );
        sqlx::query(
            "INSERT INTO audit_log (organiser_id, at, user_id, username, action, target, reason, changes, seq, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(entry.organiser_id)
        .bind(at)
        .bind(entry.user_id)
        .bind(entry.username.as_deref())
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(entry.reason.as_deref())
        .bind(&changes)
        .bind(seq)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Rows written before the chain existed get their place in it, oldest first.
    pub(crate) async fn chain_unchained_audit_rows(&self) -> Result<()> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, at, user_id, username, action, target, reason, changes
             FROM audit_log WHERE seq IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: Id = r.try_get("id")?;
            let row = audit_row(r)?;
            let changes: String = r.try_get("changes")?;
            let mut tx = self.pool.begin().await?;
            let head =
                sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                    .fetch_one(&mut *tx)
                    .await?;
            let seq: i64 = head.try_get("seq")?;
            let prev: String = head.try_get("hash")?;
            let e = &row.entry;
            let hash = row_hash(
                seq,
                row.at,
                e.organiser_id,
                e.user_id,
                e.username.as_deref(),
                &e.action,
                &e.target,
                e.reason.as_deref(),
                &changes,
                &prev,
            );
            sqlx::query("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                .bind(seq)
                .bind(&prev)
                .bind(&hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The newest (sequence, hash) of the chain.
    pub async fn audit_head(&self) -> Result<AuditHead> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(AuditHead {
            seq: r.try_get("seq")?,
            hash: r.try_get("hash")?,
        })
    }

    /// Recomputes the whole chain.
    pub async fn audit_verify(&self) -> Result<AuditCheck> {
        let mut problems = Vec::new();
        let mut prev_seq = 0i64;
        let mut prev_hash = String::new();
        let mut rows = 0i64;
        let mut after = -1i64;
        // In pages, so that a long log does not have to fit in memory at once.
        loop {
            let page = sqlx::query(
                "SELECT id, organiser_id, at, user_id, username, action, target, reason, changes, seq, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                rows += 1;
                let seq: i64 = r.try_get("seq")?;
                let stored_prev: Option<String> = r.try_get("prev_hash")?;
                let stored: Option<String> = r.try_get("hash")?;
                let changes: String = r.try_get("changes")?;
                let row = audit_row(r)?;
                let e = &row.entry;
                if seq != prev_seq + 1 {
                    problems.push(format!(
                        "第 {} 至 {} 条记录缺失（被删除）",
                        prev_seq + 1,
                        seq - 1
                    ));
                }
                if stored_prev.as_deref() != Some(prev_hash.as_str()) {
                    problems.push(format!("第 {seq} 条记录与前一条的链接不符"));
                }
                let hash = row_hash(
                    seq,
                    row.at,
                    e.organiser_id,
                    e.user_id,
                    e.username.as_deref(),
                    &e.action,
                    &e.target,
                    e.reason.as_deref(),
                    &changes,
                    stored_prev.as_deref().unwrap_or(""),
                );
                if stored.as_deref() != Some(hash.as_str()) {
                    problems.push(format!("第 {seq} 条记录的内容被改动过（哈希不符）"));
                }
                prev_seq = seq;
                prev_hash = stored.unwrap_or_default();
                after = seq;
            }
        }
        let head = self.audit_head().await?;
        if head.seq != prev_seq || head.hash != prev_hash {
            problems.push(format!(
                "日志最后一条是第 {prev_seq} 条，而链头记录为第 {} 条：最新的记录被删除，或链头被改动",
                head.seq
            ));
        }
        Ok(AuditCheck {
            rows,
            head: AuditHead {
                seq: prev_seq,
                hash: prev_hash,
            },
            problems,
        })
    }

    /// The stored hash of row `seq`, if the row exists.
    pub async fn audit_verify_at(&self, seq: i64) -> Result<Option<String>> {
        let r = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(r.map(|r| r.try_get("hash")).transpose()?.flatten())
    }

    pub async fn audit_rows(&self, organiser_id: Id, limit: i64) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, at, user_id, username, action, target, reason, changes FROM audit_log
             WHERE organiser_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(organiser_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_row).collect()
    }
}
