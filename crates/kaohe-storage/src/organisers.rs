//! Organisers (districts) and their units (被考核单位).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::*;
use crate::*;

pub(crate) fn organiser(r: &AnyRow) -> Result<Organiser> {
    Ok(Organiser {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

pub(crate) fn unit(r: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        parent_id: r.try_get("parent_id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

impl Store {
    pub async fn organisers(&self) -> Result<Vec<Organiser>> {
        let rows = sqlx::query("SELECT id, name, is_demo FROM organisers ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(organiser).collect()
    }

    pub async fn organiser(&self, id: Id) -> Result<Organiser> {
        let row = sqlx::query("SELECT id, name, is_demo FROM organisers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        organiser(&row)
    }

    pub async fn units(&self, organiser_id: Id) -> Result<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, parent_id, name, code, is_demo FROM units
             WHERE organiser_id = $1 ORDER BY id",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit).collect()
    }

    /// A unit of this organiser; another organiser's unit is `NotFound`.
    pub async fn unit(&self, organiser_id: Id, id: Id) -> Result<Unit> {
        let row = sqlx::query(
            "SELECT id, organiser_id, parent_id, name, code, is_demo FROM units
             WHERE id = $1 AND organiser_id = $2",
        )
        .bind(id)
        .bind(organiser_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        unit(&row)
    }
}

impl Work {
    pub async fn create_organiser(&mut self, name: &str, is_demo: bool) -> Result<Organiser> {
        let row = sqlx::query(
            "INSERT INTO organisers (name, is_demo, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(b(is_demo))
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique(e, name))?;
        let organiser = Organiser {
            id: row.try_get("id")?,
            name: name.to_string(),
            is_demo,
        };
        self.create_office(&organiser).await?;
        Ok(organiser)
    }

    pub async fn create_unit(
        &mut self,
        organiser_id: Id,
        parent_id: Option<Id>,
        name: &str,
        code: Option<&str>,
        is_demo: bool,
    ) -> Result<Unit> {
        let row = sqlx::query(
            "INSERT INTO units (organiser_id, parent_id, name, code, is_demo, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(organiser_id)
        .bind(parent_id)
        .bind(name)
        .bind(code)
        .bind(b(is_demo))
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique(e, name))?;
        Ok(Unit {
            id: row.try_get("id")?,
            organiser_id,
            parent_id,
            name: name.to_string(),
            code: code.map(String::from),
            is_demo,
        })
    }

    /// Renames a unit or changes its code; only within its organiser.
    pub async fn update_unit(
        &mut self,
        organiser_id: Id,
        id: Id,
        name: &str,
        code: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE units SET name = $1, code = $2 WHERE id = $3 AND organiser_id = $4",
        )
        .bind(name)
        .bind(code)
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique(e, name))?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
