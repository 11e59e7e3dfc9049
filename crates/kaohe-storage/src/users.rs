//! Users, their login throttle and their sessions.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::*;
use crate::*;

pub(crate) fn user(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: decode("user role", &role, Role::parse)?,
        department_id: r.try_get("department_id")?,
        department: r.try_get("department")?,
        unit_id: r.try_get("unit_id")?,
        password_hash: r.try_get("password_hash")?,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        credentials_changed_at: r.try_get("credentials_changed_at")?,
        active: r.try_get::<i64, _>("active")? != 0,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

fn throttle_of(r: &AnyRow) -> Result<Throttle> {
    Ok(Throttle {
        failures: r.try_get("failures")?,
        first_failure: r.try_get("first_failure")?,
        locked_until: r.try_get("locked_until")?,
        total: r.try_get("total")?,
        last_failure: r.try_get("last_failure")?,
        last_source: r.try_get("last_source")?,
    })
}

macro_rules! user_cols {
    () => {
        "id, organiser_id, username, display_name, role, department_id,
         (SELECT name FROM departments WHERE departments.id = users.department_id) AS department,
         unit_id, password_hash, must_change_password, active, is_demo, credentials_changed_at"
    };
}

pub(crate) async fn user_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> Result<User> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_cols!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    user(&row)
}

impl Store {
    pub async fn user(&self, id: Id) -> Result<User> {
        user_in(&self.pool, id).await
    }

    /// A user and their organiser in one query: what every logged-in request reads.
    pub async fn user_with_organiser(&self, id: Id) -> Result<(User, Organiser)> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            ", (SELECT name FROM organisers WHERE organisers.id = users.organiser_id)
                 AS organiser_name,
               (SELECT is_demo FROM organisers WHERE organisers.id = users.organiser_id)
                 AS organiser_is_demo
             FROM users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        let u = user(&row)?;
        let organiser = Organiser {
            id: u.organiser_id,
            name: row.try_get("organiser_name")?,
            is_demo: row.try_get::<i64, _>("organiser_is_demo")? != 0,
        };
        Ok((u, organiser))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn users(&self, organiser_id: Id) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_cols!(),
            " FROM users WHERE organiser_id = $1 ORDER BY id"
        ))
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user).collect()
    }

    pub async fn throttle(&self, key: &str) -> Result<Throttle> {
        let row = sqlx::query(
            "SELECT failures, first_failure, locked_until, total, last_failure, last_source
             FROM login_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| throttle_of(&r))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Counts a failed login of `account` under `key` atomically (two app servers may
    /// count at once). Failures older than `window_ms` start a new count of `failures`;
    /// `total` counts on until cleared. Returns the counter after this failure; locking
    /// is the caller's decision ([`Store::lock_login`]).
    pub async fn record_login_failure(
        &self,
        key: &str,
        account: &str,
        source: &str,
        now: i64,
        window_ms: i64,
    ) -> Result<Throttle> {
        let row = sqlx::query(
            "INSERT INTO login_throttle
               (key, failures, first_failure, locked_until, account, total, last_failure, last_source)
             VALUES ($1, 1, $2, 0, $4, 1, $2, $5)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.first_failure < $3 THEN 1
                               ELSE login_throttle.failures + 1 END,
               first_failure = CASE WHEN login_throttle.first_failure < $3 THEN $2
                                    ELSE login_throttle.first_failure END,
               total = login_throttle.total + 1,
               last_failure = $2,
               last_source = $5
             RETURNING failures, first_failure, locked_until, total, last_failure, last_source",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .bind(account)
        .bind(source)
        .fetch_one(&self.pool)
        .await?;
        throttle_of(&row)
    }

    /// Refuses logins under `key` until `until` (ms).
    pub async fn lock_login(&self, key: &str, until: i64) -> Result<()> {
        sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE key = $2")
            .bind(until)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Clears every counter and lock of `account` (an admin's unlock); returns how many
    /// there were.
    pub async fn clear_account_throttle(&self, account: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE account = $1")
            .bind(account)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Every account locked at `now` (under any of its keys), with until when: one query
    /// for a page that lists users.
    pub async fn locked_accounts(
        &self,
        now: i64,
    ) -> Result<std::collections::BTreeMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT account, MAX(locked_until) AS until FROM login_throttle
             WHERE locked_until > $1 GROUP BY account",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("account")?, r.try_get("until")?)))
            .collect()
    }

    /// Until when `account` is locked under any of its keys, if it is at `now`.
    pub async fn login_locked_until(&self, account: &str, now: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MAX(locked_until) AS until FROM login_throttle
             WHERE account = $1 AND locked_until > $2",
        )
        .bind(account)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<Option<i64>, _>("until")?)
    }

    /// A session's data and expiry (ms), if it exists and has not expired.
    pub async fn session_load(&self, id: &str, now: i64) -> Result<Option<(String, i64)>> {
        let row = sqlx::query("SELECT data, expiry FROM sessions WHERE id = $1 AND expiry > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("data")?, r.try_get("expiry")?)))
            .transpose()
    }

    /// Inserts a new session; `false` when the id is already taken.
    pub async fn session_create(&self, id: &str, data: &str, expiry: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO sessions (id, data, expiry) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn session_save(&self, id: &str, data: &str, expiry: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session_delete(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn sessions_delete_expired(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expiry <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

impl Work {
    /// An admin's unlock: every login counter and lock of `account` is removed, in the
    /// unlock's unit of work (so with its audit row). Returns how many there were.
    pub async fn unlock_login(&mut self, account: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE account = $1")
            .bind(account)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_user(&mut self, new: &NewUser) -> Result<User> {
        if let Some(d) = new.department_id {
            self.own_department(new.organiser_id, d).await?;
        }
        let row = sqlx::query(
            "INSERT INTO users (organiser_id, username, display_name, role, department_id, unit_id,
                                password_hash, must_change_password, active, is_demo, created_at,
                                credentials_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING id",
        )
        .bind(new.organiser_id)
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(new.department_id)
        .bind(new.unit_id)
        .bind(&new.password_hash)
        .bind(b(new.must_change_password))
        .bind(b(new.is_demo))
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique(e, &new.username))?;
        let id: Id = row.try_get("id")?;
        user_in(&mut *self.tx, id).await
    }

    /// Sets a new password. Every session the user opened before now stops being valid
    /// (the route guard compares its login time with `credentials_changed_at`); returns
    /// that moment, so the caller can keep its own session.
    pub async fn set_password(&mut self, id: Id, hash: &str, must_change: bool) -> Result<i64> {
        let now = now_ms();
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, credentials_changed_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(b(must_change))
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(now)
    }

    /// Changes a user's name, role, department and unit; only within their organiser.
    pub async fn update_user(
        &mut self,
        organiser_id: Id,
        id: Id,
        display_name: &str,
        role: Role,
        department_id: Option<Id>,
        unit_id: Option<Id>,
    ) -> Result<()> {
        if let Some(d) = department_id {
            self.own_department(organiser_id, d).await?;
        }
        let done = sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, department_id = $3, unit_id = $4
             WHERE id = $5 AND organiser_id = $6",
        )
        .bind(display_name)
        .bind(role.as_str())
        .bind(department_id)
        .bind(unit_id)
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    pub async fn set_user_active(&mut self, organiser_id: Id, id: Id, active: bool) -> Result<()> {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2 AND organiser_id = $3")
            .bind(b(active))
            .bind(id)
            .bind(organiser_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
