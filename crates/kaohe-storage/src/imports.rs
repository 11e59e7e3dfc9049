//! Facts from spreadsheets: an import's file is staged for its preview (like a session,
//! it changes nothing: nothing reads a staged file but its preview and its own apply),
//! then applied in a unit of work with the values it brings and its audit row.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::*;

/// How long a staged file waits for its person to confirm the preview.
const STAGED_FOR_MS: i64 = 24 * 3600 * 1000;

const COLS: &str = "id, campaign_id, what, unit_id, reason, filename, size, sha256, state, changed, created_by, created_at, applied_at";

fn import(r: &AnyRow) -> Result<Import> {
    let what: String = r.try_get("what")?;
    let state: String = r.try_get("state")?;
    Ok(Import {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        what: decode("import kind", &what, ImportKind::parse)?,
        unit_id: r.try_get("unit_id")?,
        reason: r.try_get("reason")?,
        filename: r.try_get("filename")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        applied: decode("import state", &state, |s| match s {
            "staged" => Some(false),
            "applied" => Some(true),
            _ => None,
        })?,
        changed: r.try_get("changed")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        applied_at: r.try_get("applied_at")?,
    })
}

impl Store {
    /// Keeps a file for its preview. The same person's earlier staged file of the same
    /// kind in the campaign, and anyone's staged file older than a day, are removed.
    pub async fn stage_import(&self, new: &NewImport<'_>) -> Result<Import> {
        let now = now_ms();
        sqlx::query(
            "DELETE FROM imports WHERE state = 'staged'
             AND (created_at < $1 OR (campaign_id = $2 AND what = $3 AND created_by = $4))",
        )
        .bind(now - STAGED_FOR_MS)
        .bind(new.campaign_id)
        .bind(new.what.as_str())
        .bind(new.created_by)
        .execute(&self.pool)
        .await?;
        let sha: String = Sha256::digest(new.data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let row = sqlx::query(
            "INSERT INTO imports (campaign_id, what, unit_id, reason, filename, size, sha256, data, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'staged', $9, $10) RETURNING id",
        )
        .bind(new.campaign_id)
        .bind(new.what.as_str())
        .bind(new.unit_id)
        .bind(new.reason)
        .bind(new.filename)
        .bind(new.data.len() as i64)
        .bind(&sha)
        .bind(new.data)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        self.import(new.campaign_id, row.try_get("id")?).await
    }

    /// An import of the campaign, staged or applied.
    pub async fn import(&self, campaign_id: Id, id: Id) -> Result<Import> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM imports WHERE id = $1 AND campaign_id = $2"
        )))
        .bind(id)
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        import(&row)
    }

    /// An import's file, as it came.
    pub async fn import_data(&self, campaign_id: Id, id: Id) -> Result<Vec<u8>> {
        let row = sqlx::query("SELECT data FROM imports WHERE id = $1 AND campaign_id = $2")
            .bind(id)
            .bind(campaign_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        Ok(row.try_get("data")?)
    }

    /// The campaign's applied imports of a kind, the latest first.
    pub async fn imports(&self, campaign_id: Id, what: ImportKind) -> Result<Vec<Import>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM imports WHERE campaign_id = $1 AND what = $2 AND state = 'applied'
             ORDER BY applied_at DESC, id DESC"
        )))
        .bind(campaign_id)
        .bind(what.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(import).collect()
    }

    /// The verified facts imported for a unit, by key.
    /// Every verified fact imported for every unit of a campaign, with its unit.
    pub async fn campaign_imported_facts(
        &self,
        campaign_id: Id,
    ) -> Result<Vec<(Id, ImportedFact)>> {
        let rows = sqlx::query(
            "SELECT unit_id, key, value, reason, import_id, imported_at FROM imported_facts
             WHERE campaign_id = $1 ORDER BY unit_id, key",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, imported_fact(r)?)))
            .collect()
    }

    pub async fn imported_facts(&self, campaign_id: Id, unit_id: Id) -> Result<Vec<ImportedFact>> {
        let rows = sqlx::query(
            "SELECT key, value, reason, import_id, imported_at FROM imported_facts
             WHERE campaign_id = $1 AND unit_id = $2 ORDER BY key",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(imported_fact).collect()
    }
}

fn imported_fact(r: &sqlx::any::AnyRow) -> Result<ImportedFact> {
    Ok(ImportedFact {
        key: r.try_get("key")?,
        value: r.try_get("value")?,
        reason: r.try_get("reason")?,
        import_id: r.try_get("import_id")?,
        imported_at: r.try_get("imported_at")?,
    })
}

impl Work {
    /// Marks a staged import applied, by the person who staged it, with how many values
    /// it changed. `Conflict` when it was applied already (a second click) or is not
    /// theirs; `Locked` when the campaign is.
    pub async fn apply_import(
        &mut self,
        campaign_id: Id,
        id: Id,
        user_id: Id,
        changed: i64,
    ) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let done = sqlx::query(
            "UPDATE imports SET state = 'applied', changed = $1, applied_at = $2
             WHERE id = $3 AND campaign_id = $4 AND created_by = $5 AND state = 'staged'",
        )
        .bind(changed)
        .bind(now_ms())
        .bind(id)
        .bind(campaign_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict)
        }
    }

    /// Sets a unit's imported verified fact (replacing an earlier import's).
    pub async fn set_imported_fact(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        key: &str,
        value: &str,
        reason: &str,
        import_id: Id,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO imported_facts (campaign_id, unit_id, key, value, reason, import_id, imported_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (campaign_id, unit_id, key)
             DO UPDATE SET value = excluded.value, reason = excluded.reason,
                           import_id = excluded.import_id, imported_at = excluded.imported_at",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(key)
        .bind(value)
        .bind(reason)
        .bind(import_id)
        .bind(now_ms())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
