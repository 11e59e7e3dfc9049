//! Departments (责任部门): the list each organiser keeps, who belongs to which (assessors)
//! and which department reviews which item of a campaign.

use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::unique;
use crate::*;

fn department(r: &AnyRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        name: r.try_get("name")?,
        is_office: r.try_get::<i64, _>("is_office")? != 0,
    })
}

/// How much a department is used: what keeps it from being deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepartmentUse {
    /// Users (assessors) in the department.
    pub users: i64,
    /// Item assignments to it, over all campaigns.
    pub items: i64,
    /// Campaigns with at least one item assigned to it.
    pub campaigns: i64,
}

impl Store {
    /// The organiser's departments: its office first, then the others by name.
    pub async fn departments(&self, organiser_id: Id) -> Result<Vec<Department>> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, name, is_office FROM departments
             WHERE organiser_id = $1 ORDER BY is_office DESC, name, id",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(department).collect()
    }

    /// One department, only within its organiser.
    pub async fn department(&self, organiser_id: Id, id: Id) -> Result<Department> {
        let row = sqlx::query(
            "SELECT id, organiser_id, name, is_office FROM departments
             WHERE id = $1 AND organiser_id = $2",
        )
        .bind(id)
        .bind(organiser_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        department(&row)
    }

    /// How much each of the organiser's departments is used, by department id.
    pub async fn department_uses(&self, organiser_id: Id) -> Result<BTreeMap<Id, DepartmentUse>> {
        let rows = sqlx::query(
            "SELECT d.id,
                    (SELECT COUNT(*) FROM users u WHERE u.department_id = d.id) AS users,
                    (SELECT COUNT(*) FROM item_departments i WHERE i.department_id = d.id) AS items,
                    (SELECT COUNT(DISTINCT i.campaign_id) FROM item_departments i
                     WHERE i.department_id = d.id) AS campaigns
             FROM departments d WHERE d.organiser_id = $1",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    DepartmentUse {
                        users: r.try_get("users")?,
                        items: r.try_get("items")?,
                        campaigns: r.try_get("campaigns")?,
                    },
                ))
            })
            .collect()
    }

    /// Which department reviews each item of the campaign (of `organiser_id`).
    pub async fn assignment(&self, organiser_id: Id, campaign_id: Id) -> Result<Assignment> {
        let departments = self.departments(organiser_id).await?;
        let rows = sqlx::query(
            "SELECT i.item_id, i.department_id FROM item_departments i
             JOIN campaigns c ON c.id = i.campaign_id
             WHERE i.campaign_id = $1 AND c.organiser_id = $2 ORDER BY i.item_id",
        )
        .bind(campaign_id)
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        let assigned = rows
            .iter()
            .map(|r| Ok((r.try_get("item_id")?, r.try_get("department_id")?)))
            .collect::<Result<BTreeMap<String, Id>>>()?;
        Assignment::new(departments, assigned).ok_or_else(|| {
            StorageError::Corrupt(format!("organiser {organiser_id} has no office department"))
        })
    }
}

impl Work {
    /// The organiser's own office, named after it; made with the organiser.
    pub(crate) async fn create_office(&mut self, organiser: &Organiser) -> Result<Department> {
        self.insert_department(organiser.id, &organiser.name, true)
            .await
    }

    /// The organiser's own office, read inside this unit of work.
    pub async fn office(&mut self, organiser_id: Id) -> Result<Department> {
        let row = sqlx::query(
            "SELECT id, organiser_id, name, is_office FROM departments
             WHERE organiser_id = $1 AND is_office = 1",
        )
        .bind(organiser_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| {
            StorageError::Corrupt(format!("organiser {organiser_id} has no office department"))
        })?;
        department(&row)
    }

    /// Adds a department to the organiser's list; a name already there is `Duplicate`.
    pub async fn create_department(&mut self, organiser_id: Id, name: &str) -> Result<Department> {
        self.insert_department(organiser_id, name, false).await
    }

    async fn insert_department(
        &mut self,
        organiser_id: Id,
        name: &str,
        is_office: bool,
    ) -> Result<Department> {
        let row = sqlx::query(
            "INSERT INTO departments (organiser_id, name, is_office, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(organiser_id)
        .bind(name)
        .bind(i64::from(is_office))
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique(e, name))?;
        Ok(Department {
            id: row.try_get("id")?,
            organiser_id,
            name: name.to_string(),
            is_office,
        })
    }

    /// Renames a department; its users and items follow, being linked by id.
    pub async fn rename_department(&mut self, organiser_id: Id, id: Id, name: &str) -> Result<()> {
        let done =
            sqlx::query("UPDATE departments SET name = $1 WHERE id = $2 AND organiser_id = $3")
                .bind(name)
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

    /// Deletes a department no user belongs to and no item is assigned to; the office
    /// cannot be deleted. The check and the delete are one statement.
    pub async fn delete_department(&mut self, organiser_id: Id, id: Id) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM departments WHERE id = $1 AND organiser_id = $2 AND is_office = 0
               AND NOT EXISTS (SELECT 1 FROM users WHERE department_id = $1)
               AND NOT EXISTS (SELECT 1 FROM item_departments WHERE department_id = $1)",
        )
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            let d = sqlx::query(
                "SELECT id, organiser_id, name, is_office FROM departments
                 WHERE id = $1 AND organiser_id = $2",
            )
            .bind(id)
            .bind(organiser_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?;
            return Err(StorageError::InUse(department(&d)?.name));
        }
        Ok(())
    }

    /// Refuses (`NotFound`) a department that is not the organiser's.
    pub(crate) async fn own_department(&mut self, organiser_id: Id, id: Id) -> Result<()> {
        sqlx::query("SELECT id FROM departments WHERE id = $1 AND organiser_id = $2")
            .bind(id)
            .bind(organiser_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?;
        Ok(())
    }

    /// Assigns an item of the campaign to a department of the campaign's organiser, or
    /// (`None`) back to the organiser's office. Refused when the campaign is locked, and
    /// (`NotFound`) for another organiser's department.
    pub async fn set_item_department(
        &mut self,
        campaign_id: Id,
        item_id: &str,
        department_id: Option<Id>,
    ) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let Some(department_id) = department_id else {
            sqlx::query("DELETE FROM item_departments WHERE campaign_id = $1 AND item_id = $2")
                .bind(campaign_id)
                .bind(item_id)
                .execute(&mut *self.tx)
                .await?;
            return Ok(());
        };
        let done = sqlx::query(
            "INSERT INTO item_departments (campaign_id, item_id, department_id)
             SELECT c.id, $2, d.id FROM campaigns c
             JOIN departments d ON d.organiser_id = c.organiser_id
             WHERE c.id = $1 AND d.id = $3
             ON CONFLICT (campaign_id, item_id) DO UPDATE SET department_id = excluded.department_id",
        )
        .bind(campaign_id)
        .bind(item_id)
        .bind(department_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
