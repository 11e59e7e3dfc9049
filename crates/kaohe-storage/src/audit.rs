//! The audit log: append-only, each row chained to the one before it by a hash (SHA-256,
//! or SM3 where a deployment chose it for 密评: [`HashAlg`]),
//! the newest (sequence, hash) kept in `audit_head`. Appends take the head row's lock
//! first, so several app servers writing at once still build one unbroken chain.
//! `verify` recomputes the chain and finds an edited row, a deleted row, and (against
//! the head, or an anchor kept elsewhere) a deleted newest row.

use sha2::{Digest, Sha256};
use sm3::Sm3;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::*;

/// The hash that chains the audit log's rows. SHA-256 by default; SM3 (GM/T 0004-2012)
/// for deployments assessed under 密评. Chosen per deployment (`kaohe audit hash sm3`),
/// for the rows written from then on; an SM3 row's hash is written `sm3:…`, so a chain
/// that switched verifies whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sm3,
}

impl HashAlg {
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sm3 => "sm3",
        }
    }

    pub fn parse(s: &str) -> Option<HashAlg> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Some(HashAlg::Sha256),
            "sm3" => Some(HashAlg::Sm3),
            _ => None,
        }
    }

    /// The algorithm that made a stored hash.
    fn of(hash: &str) -> HashAlg {
        if hash.starts_with("sm3:") {
            HashAlg::Sm3
        } else {
            HashAlg::Sha256
        }
    }
}

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

/// What to look for in an organiser's audit log. Every part is optional; the parts given
/// must all match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The user name, exactly (letter case aside).
    pub username: Option<String>,
    /// The action exactly (`campaign.lock`), or a group of actions by its first part
    /// (`campaign` finds `campaign.lock`, `campaign.update`, …).
    pub action: Option<String>,
    /// Text the target contains, letter case aside.
    pub target: Option<String>,
    /// Rows about this unit (`…unit:ID` in the target, not `unit:ID0`).
    pub unit: Option<Id>,
    /// Rows about this item (`…item:ID` in the target).
    pub item: Option<String>,
    /// From this moment on (ms since the epoch, included).
    pub from: Option<i64>,
    /// Before this moment (ms since the epoch, excluded).
    pub until: Option<i64>,
}

/// A row of the audit log with its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditHit {
    /// The row's sequence number in the chain (what `verify` names in its problems).
    pub seq: Option<i64>,
    pub row: AuditRow,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// `text` as a LIKE pattern that matches it literally (escape character `\`).
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The WHERE clause of a search and the values it binds, in placeholder order. The SQL
/// text is built only from fixed pieces; everything a person typed is a bound value.
fn search_where(organiser_id: Id, f: &AuditFilter) -> (String, Vec<Bind>) {
    let mut sql = String::from("organiser_id = $1");
    let mut binds = vec![Bind::Int(organiser_id)];
    let next = |sql: &mut String, binds: &mut Vec<Bind>, piece: &str, values: Vec<Bind>| {
        // `piece` names its values `?1`, `?2`, … in order; they become `$n`.
        let mut piece = piece.to_string();
        for (i, v) in values.into_iter().enumerate() {
            binds.push(v);
            piece = piece.replace(&format!("?{}", i + 1), &format!("${}", binds.len()));
        }
        sql.push_str(" AND ");
        sql.push_str(&piece);
    };
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    if let Some(u) = given(&f.username) {
        next(
            &mut sql,
            &mut binds,
            "LOWER(username) = ?1",
            vec![Bind::Text(u.to_lowercase())],
        );
    }
    if let Some(a) = given(&f.action) {
        next(
            &mut sql,
            &mut binds,
            "(action = ?1 OR action LIKE ?2 ESCAPE '\\')",
            vec![
                Bind::Text(a.to_string()),
                Bind::Text(format!("{}.%", like_literal(a))),
            ],
        );
    }
    if let Some(t) = given(&f.target) {
        next(
            &mut sql,
            &mut binds,
            "LOWER(target) LIKE ?1 ESCAPE '\\'",
            vec![Bind::Text(format!("%{}%", like_literal(&t.to_lowercase())))],
        );
    }
    // A whole part of the target (`campaign:1/unit:3/item:basic.1`): `unit:3`, never
    // `unit:31`.
    let part = |sql: &mut String, binds: &mut Vec<Bind>, key: String| {
        next(
            sql,
            binds,
            "('/' || target || '/') LIKE ?1 ESCAPE '\\'",
            vec![Bind::Text(format!("%/{}/%", like_literal(&key)))],
        );
    };
    if let Some(u) = f.unit {
        part(&mut sql, &mut binds, format!("unit:{u}"));
    }
    if let Some(i) = given(&f.item) {
        part(&mut sql, &mut binds, format!("item:{i}"));
    }
    if let Some(from) = f.from {
        next(&mut sql, &mut binds, "at >= ?1", vec![Bind::Int(from)]);
    }
    if let Some(until) = f.until {
        next(&mut sql, &mut binds, "at < ?1", vec![Bind::Int(until)]);
    }
    (sql, binds)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(v),
            Bind::Text(v) => q.bind(v),
        };
    }
    q
}

#[allow(clippy::too_many_arguments)]
fn row_hash(
    alg: HashAlg,
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
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match alg {
        HashAlg::Sha256 => hex(&Sha256::digest(canonical.as_bytes())),
        HashAlg::Sm3 => format!("sm3:{}", hex(&Sm3::digest(canonical.as_bytes()))),
    }
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
            changes: decode_json("audit changes", &changes)?,
        },
    })
}

/// Takes the chain's head for the next row: its sequence number and the hash to chain
/// to. The head row stays locked until the transaction ends, which serialises appends
/// across app servers (PostgreSQL locks the row, SQLite the database).
async fn take_head(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<(i64, String, HashAlg)> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, alg")
            .fetch_one(&mut **tx)
            .await?;
    let alg: String = head.try_get("alg")?;
    Ok((
        head.try_get("seq")?,
        head.try_get("hash")?,
        HashAlg::parse(&alg).unwrap_or(HashAlg::Sha256),
    ))
}

async fn set_head(tx: &mut sqlx::Transaction<'static, sqlx::Any>, hash: &str) -> Result<()> {
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends one row, chained to the newest, inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &AuditEntry,
) -> Result<AuditHead> {
    let changes = entry.changes.to_string();
    let at = now_ms();
    let (seq, prev, alg) = take_head(tx).await?;
    let hash = row_hash(
        alg,
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
    .execute(&mut **tx)
    .await?;
    set_head(tx, &hash).await?;
    Ok(AuditHead { seq, hash })
}

/// The chain's head as this transaction sees it.
pub(crate) async fn head_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<AuditHead> {
    let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(ex)
        .await?;
    Ok(AuditHead {
        seq: r.try_get("seq")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// Appends one row to the audit log on its own: for what is not a change (a file
    /// downloaded, a failed login). A change appends its row through [`Work::commit`].
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        self.begin().await?.commit(entry).await?;
        Ok(())
    }

    /// Rows written before the chain existed get their place in it, oldest first. Run
    /// once, as a recorded step after the migrations (`0005`); a row without a place in
    /// the chain found later is a problem for [`Store::audit_verify`], never chained.
    pub(crate) async fn chain_legacy_audit_rows(&self) -> Result<()> {
        const STEP: &str = "chain_legacy_audit_rows";
        let mut w = self.begin().await?;
        let done = sqlx::query("SELECT 1 FROM rust_migrations WHERE name = $1")
            .bind(STEP)
            .fetch_optional(&mut *w.tx)
            .await?;
        if done.is_some() {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT id, organiser_id, at, user_id, username, action, target, reason, changes
             FROM audit_log WHERE seq IS NULL ORDER BY id",
        )
        .fetch_all(&mut *w.tx)
        .await?;
        for r in &rows {
            let id: Id = r.try_get("id")?;
            let row = audit_row(r)?;
            let changes: String = r.try_get("changes")?;
            let (seq, prev, alg) = take_head(&mut w.tx).await?;
            let e = &row.entry;
            let hash = row_hash(
                alg,
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
                .execute(&mut *w.tx)
                .await?;
            set_head(&mut w.tx, &hash).await?;
        }
        sqlx::query("INSERT INTO rust_migrations (name, applied_at, detail) VALUES ($1, $2, $3)")
            .bind(STEP)
            .bind(now_ms())
            .bind(format!("{} rows chained", rows.len()))
            .execute(&mut *w.tx)
            .await?;
        w.finish().await
    }

    /// The last whole verification of the chain: when (ms), and what it found.
    pub async fn audit_verified(&self) -> Result<Option<(i64, AuditCheck)>> {
        let Some(r) =
            sqlx::query("SELECT at, seq, hash, rows, problems FROM audit_verified WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let problems: String = r.try_get("problems")?;
        Ok(Some((
            r.try_get("at")?,
            AuditCheck {
                rows: r.try_get("rows")?,
                head: AuditHead {
                    seq: r.try_get("seq")?,
                    hash: r.try_get("hash")?,
                },
                problems: serde_json::from_str(&problems)
                    .map_err(|e| StorageError::Corrupt(format!("audit_verified: {e}")))?,
            },
        )))
    }

    /// Keeps a whole verification's result (replacing the one before).
    pub async fn set_audit_verified(&self, at: i64, check: &AuditCheck) -> Result<()> {
        let problems = serde_json::to_string(&check.problems)
            .map_err(|e| StorageError::Corrupt(format!("audit_verified: {e}")))?;
        sqlx::query(
            "INSERT INTO audit_verified (id, at, seq, hash, rows, problems) VALUES (1, $1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET at = $1, seq = $2, hash = $3, rows = $4, problems = $5",
        )
        .bind(at)
        .bind(check.head.seq)
        .bind(&check.head.hash)
        .bind(check.rows)
        .bind(&problems)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The hash new audit rows are chained with.
    pub async fn audit_hash(&self) -> Result<HashAlg> {
        let r = sqlx::query("SELECT alg FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let alg: String = r.try_get("alg")?;
        Ok(HashAlg::parse(&alg).unwrap_or(HashAlg::Sha256))
    }

    /// Chains the rows written from now on with `alg`; the change is itself the first row
    /// so chained (who changed it, from what).
    pub async fn set_audit_hash(&self, alg: HashAlg, entry: &AuditEntry) -> Result<()> {
        let mut w = self.begin().await?;
        sqlx::query("UPDATE audit_head SET alg = $1 WHERE id = 1")
            .bind(alg.name())
            .execute(&mut *w.tx)
            .await?;
        w.commit(entry).await?;
        Ok(())
    }

    /// The newest (sequence, hash) of the chain.
    pub async fn audit_head(&self) -> Result<AuditHead> {
        head_in(&self.pool).await
    }

    /// Recomputes the whole chain.
    pub async fn audit_verify(&self) -> Result<AuditCheck> {
        self.audit_verify_after(None).await
    }

    /// Recomputes the rows after `from` (a head a whole verification found sound), and
    /// checks that the row `from` names still has its hash: what was added since, cheaply.
    /// Rows before `from` are not read again; a whole verification finds changes to them.
    pub async fn audit_verify_since(&self, from: &AuditHead) -> Result<AuditCheck> {
        self.audit_verify_after(Some(from)).await
    }

    async fn audit_verify_after(&self, from: Option<&AuditHead>) -> Result<AuditCheck> {
        let mut problems = Vec::new();
        // From a checkpoint: its own row is recomputed too (an edit to it is found), chained
        // from the stored hash of the row before it.
        let start = from.filter(|h| h.seq > 0);
        let mut prev_seq = start.map_or(0, |h| h.seq - 1);
        let mut prev_hash = match start {
            Some(h) if h.seq > 1 => self.audit_verify_at(h.seq - 1).await?.unwrap_or_default(),
            _ => String::new(),
        };
        let mut rows = 0i64;
        let mut after = start.map_or(-1, |h| h.seq - 1);
        if let Some(h) = start
            && self.audit_verify_at(h.seq).await?.as_deref() != Some(h.hash.as_str())
        {
            problems.push(format!(
                "第 {} 条记录（上次完整校验时的最后一条）已被改动或删除",
                h.seq
            ));
        }
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
                let alg = HashAlg::of(stored.as_deref().unwrap_or(""));
                let hash = row_hash(
                    alg,
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
        let unchained: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        if unchained > 0 {
            problems.push(format!(
                "有 {unchained} 条记录不在链中（没有序号）：它们是在链外写入的，不能当作真实记录"
            ));
        }
        let head = self.audit_head().await?;
        if head.seq != prev_seq || head.hash != prev_hash {
            problems.push(format!(
                "日志最后一条是第 {prev_seq} 条，而链头记录为第 {} 条：最新的记录被删除，或链头被改动",
                head.seq
            ));
        }
        Ok(AuditCheck {
            // The checkpoint's own row was counted by the verification that made it.
            rows: rows - i64::from(start.is_some() && rows > 0),
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

    /// An organiser's audit rows that match `filter`, newest first: `limit` of them
    /// after skipping `offset`.
    pub async fn audit_search(
        &self,
        organiser_id: Id,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditHit>> {
        let (cond, mut binds) = search_where(organiser_id, filter);
        let n = binds.len();
        binds.push(Bind::Int(limit.max(0)));
        binds.push(Bind::Int(offset.max(0)));
        let sql = format!(
            "SELECT id, organiser_id, at, user_id, username, action, target, reason, changes, seq FROM audit_log
             WHERE {cond} ORDER BY seq DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditHit {
                    seq: r.try_get("seq")?,
                    row: audit_row(r)?,
                })
            })
            .collect()
    }

    /// How many of an organiser's audit rows match `filter`.
    pub async fn audit_count(&self, organiser_id: Id, filter: &AuditFilter) -> Result<i64> {
        let (cond, binds) = search_where(organiser_id, filter);
        let sql = format!("SELECT COUNT(*) AS n FROM audit_log WHERE {cond}");
        let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// The actions and the user names that occur in an organiser's audit log, sorted:
    /// what the audit page offers to filter by.
    pub async fn audit_vocabulary(&self, organiser_id: Id) -> Result<(Vec<String>, Vec<String>)> {
        let actions = sqlx::query("SELECT DISTINCT action FROM audit_log WHERE organiser_id = $1")
            .bind(organiser_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("action"))
            .collect::<std::result::Result<Vec<String>, _>>()?;
        let users = sqlx::query(
            "SELECT DISTINCT username FROM audit_log WHERE organiser_id = $1 AND username IS NOT NULL",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("username"))
        .collect::<std::result::Result<Vec<String>, _>>()?;
        // Sorted here, not in SQL: the backends' collations differ.
        let (mut actions, mut users) = (actions, users);
        actions.sort();
        users.sort();
        Ok((actions, users))
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
