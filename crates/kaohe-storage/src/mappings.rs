//! Facts mapped by hand from one rubric version to another, for the what-if of a draft:
//! kept per pair of versions, replaced whole when a person saves the mapping page.

use sqlx::Row;

use crate::*;

impl Store {
    /// The mapping a person made from `old` to `new` (both the organiser's versions).
    pub async fn fact_mappings(
        &self,
        organiser_id: Id,
        old_rubric_id: Id,
        new_rubric_id: Id,
    ) -> Result<Vec<FactMapping>> {
        let rows = sqlx::query(
            "SELECT new_key, old_key, set_by, set_at FROM fact_mappings
             WHERE organiser_id = $1 AND old_rubric_id = $2 AND new_rubric_id = $3
             ORDER BY new_key",
        )
        .bind(organiser_id)
        .bind(old_rubric_id)
        .bind(new_rubric_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FactMapping {
                    new_key: r.try_get("new_key")?,
                    old_key: r.try_get("old_key")?,
                    set_by: r.try_get("set_by")?,
                    set_at: r.try_get("set_at")?,
                })
            })
            .collect()
    }
}

impl Work {
    /// Replaces the mapping from `old` to `new` with `pairs` (a new key and the old key
    /// it reads, or none). `NotFound` when either version is not the organiser's.
    pub async fn set_fact_mappings(
        &mut self,
        organiser_id: Id,
        old_rubric_id: Id,
        new_rubric_id: Id,
        pairs: &[(String, Option<String>)],
        user_id: Id,
    ) -> Result<()> {
        campaigns::rubric_in(&mut *self.tx, organiser_id, old_rubric_id).await?;
        campaigns::rubric_in(&mut *self.tx, organiser_id, new_rubric_id).await?;
        sqlx::query(
            "DELETE FROM fact_mappings
             WHERE organiser_id = $1 AND old_rubric_id = $2 AND new_rubric_id = $3",
        )
        .bind(organiser_id)
        .bind(old_rubric_id)
        .bind(new_rubric_id)
        .execute(&mut *self.tx)
        .await?;
        let now = now_ms();
        for (new_key, old_key) in pairs {
            sqlx::query(
                "INSERT INTO fact_mappings (organiser_id, old_rubric_id, new_rubric_id, new_key, old_key, set_by, set_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(organiser_id)
            .bind(old_rubric_id)
            .bind(new_rubric_id)
            .bind(new_key)
            .bind(old_key.as_deref())
            .bind(user_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}
