//! Every query, written once for both backends.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::*;

pub(crate) fn unique(e: sqlx::Error, what: &str) -> StorageError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StorageError::Duplicate(what.to_string())
        }
        _ => StorageError::Database(e),
    }
}

fn b(v: bool) -> i64 {
    i64::from(v)
}

fn json_map(text: &str) -> Result<RawFacts> {
    decode_json("facts", text)
}

fn json_text(map: &RawFacts) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string())
}

fn organiser(r: &AnyRow) -> Result<Organiser> {
    Ok(Organiser {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

fn unit(r: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        parent_id: r.try_get("parent_id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
    })
}

fn user(r: &AnyRow) -> Result<User> {
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

fn rubric(r: &AnyRow) -> Result<RubricVersion> {
    Ok(RubricVersion {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        code: r.try_get("code")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        source: r.try_get("source")?,
        hash: r.try_get("hash")?,
        created_at: r.try_get("created_at")?,
    })
}

fn campaign(r: &AnyRow) -> Result<Campaign> {
    let state: String = r.try_get("state")?;
    Ok(Campaign {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        year: r.try_get("year")?,
        title: r.try_get("title")?,
        rubric_id: r.try_get("rubric_id")?,
        deadline: r.try_get("deadline")?,
        state: decode("campaign state", &state, CampaignState::parse)?,
        is_demo: r.try_get::<i64, _>("is_demo")? != 0,
        issued_at: r.try_get("issued_at")?,
        published_at: r.try_get("published_at")?,
        window_start: r.try_get("window_start")?,
        window_end: r.try_get("window_end")?,
        show_details: r.try_get::<i64, _>("show_details")? != 0,
        locked: r.try_get::<i64, _>("locked")? != 0,
    })
}

pub(crate) fn report(r: &AnyRow) -> Result<Report> {
    let state: String = r.try_get("state")?;
    Ok(Report {
        campaign_id: r.try_get("campaign_id")?,
        unit_id: r.try_get("unit_id")?,
        state: decode("report state", &state, ReportState::parse)?,
        filler_name: r.try_get("filler_name")?,
        filler_phone: r.try_get("filler_phone")?,
        approver: r.try_get("approver")?,
        submitted_at: r.try_get("submitted_at")?,
        submitted_by: r.try_get("submitted_by")?,
    })
}

fn report_item(r: &AnyRow) -> Result<ReportItem> {
    let facts: String = r.try_get("facts")?;
    let state: String = r.try_get("state")?;
    Ok(ReportItem {
        item_id: r.try_get("item_id")?,
        facts: json_map(&facts)?,
        state: decode("item state", &state, ItemState::parse)?,
        version: r.try_get("version")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn evidence(r: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        unit_id: r.try_get("unit_id")?,
        item_id: r.try_get("item_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
        appeal_id: r.try_get("appeal_id")?,
    })
}

macro_rules! user_cols {
    () => {
        "id, organiser_id, username, display_name, role, department_id,
         (SELECT name FROM departments WHERE departments.id = users.department_id) AS department,
         unit_id, password_hash, must_change_password, active, is_demo, credentials_changed_at"
    };
}
macro_rules! evidence_cols {
    () => {
        "id, campaign_id, unit_id, item_id, filename, content_type, size, sha256, uploaded_by, uploaded_at, appeal_id"
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

pub(crate) async fn rubric_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    organiser_id: Id,
    id: Id,
) -> Result<RubricVersion> {
    let row = sqlx::query(
        "SELECT id, organiser_id, code, version, title, source, hash, created_at FROM rubrics
         WHERE id = $1 AND organiser_id = $2",
    )
    .bind(id)
    .bind(organiser_id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    rubric(&row)
}

pub(crate) async fn campaign_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    organiser_id: Id,
    id: Id,
) -> Result<Campaign> {
    let row = sqlx::query(
        "SELECT id, organiser_id, year, title, rubric_id, deadline, state, is_demo, issued_at, published_at, window_start, window_end, show_details, locked FROM campaigns
         WHERE id = $1 AND organiser_id = $2",
    )
    .bind(id)
    .bind(organiser_id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    campaign(&row)
}

pub(crate) async fn evidence_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> Result<Evidence> {
    let row = sqlx::query(concat!(
        "SELECT ",
        evidence_cols!(),
        " FROM evidence WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    evidence(&row)
}

impl Store {
    // ── organisers ──────────────────────────────────────────────────────────

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

    // ── units ───────────────────────────────────────────────────────────────

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

    // ── users ───────────────────────────────────────────────────────────────

    pub async fn user(&self, id: Id) -> Result<User> {
        user_in(&self.pool, id).await
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

    // ── login throttling ────────────────────────────────────────────────────

    pub async fn throttle(&self, key: &str) -> Result<Throttle> {
        let row = sqlx::query(
            "SELECT failures, first_failure, locked_until FROM login_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Throttle {
                failures: r.try_get("failures")?,
                first_failure: r.try_get("first_failure")?,
                locked_until: r.try_get("locked_until")?,
            },
            None => Throttle::default(),
        })
    }

    /// Counts a failed login atomically (two app servers may count at once). Failures
    /// older than `window_ms` start a new count; the `limit`-th failure locks the name
    /// until `now + lock_ms`. Returns the count after this failure.
    pub async fn record_login_failure(
        &self,
        key: &str,
        now: i64,
        window_ms: i64,
        limit: i64,
        lock_ms: i64,
    ) -> Result<Throttle> {
        let row = sqlx::query(
            "INSERT INTO login_throttle (key, failures, first_failure, locked_until)
             VALUES ($1, 1, $2, 0)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.first_failure < $3 THEN 1
                               ELSE login_throttle.failures + 1 END,
               first_failure = CASE WHEN login_throttle.first_failure < $3 THEN $2
                                    ELSE login_throttle.first_failure END
             RETURNING failures, first_failure, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&self.pool)
        .await?;
        let mut t = Throttle {
            failures: row.try_get("failures")?,
            first_failure: row.try_get("first_failure")?,
            locked_until: row.try_get("locked_until")?,
        };
        if t.failures >= limit {
            t.locked_until = now + lock_ms;
            sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE key = $2")
                .bind(t.locked_until)
                .bind(key)
                .execute(&self.pool)
                .await?;
        }
        Ok(t)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ── sessions ────────────────────────────────────────────────────────────

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

    // ── rubrics ─────────────────────────────────────────────────────────────

    pub async fn rubric(&self, organiser_id: Id, id: Id) -> Result<RubricVersion> {
        rubric_in(&self.pool, organiser_id, id).await
    }

    pub async fn rubrics(&self, organiser_id: Id) -> Result<Vec<RubricVersion>> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, code, version, title, source, hash, created_at FROM rubrics
             WHERE organiser_id = $1 ORDER BY code, version",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rubric).collect()
    }

    // ── campaigns ───────────────────────────────────────────────────────────

    pub async fn campaign(&self, organiser_id: Id, id: Id) -> Result<Campaign> {
        campaign_in(&self.pool, organiser_id, id).await
    }

    pub async fn campaigns(&self, organiser_id: Id) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(
            "SELECT id, organiser_id, year, title, rubric_id, deadline, state, is_demo, issued_at, published_at, window_start, window_end, show_details, locked FROM campaigns
             WHERE organiser_id = $1 ORDER BY year DESC, id DESC",
        )
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(campaign).collect()
    }

    pub async fn campaign_units(&self, campaign_id: Id) -> Result<Vec<CampaignUnit>> {
        let rows = sqlx::query(
            "SELECT campaign_id, unit_id, unit_facts, deadline FROM campaign_units
             WHERE campaign_id = $1 ORDER BY unit_id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let facts: String = r.try_get("unit_facts")?;
                Ok(CampaignUnit {
                    campaign_id: r.try_get("campaign_id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_facts: json_map(&facts)?,
                    deadline: r.try_get("deadline")?,
                })
            })
            .collect()
    }

    // ── reports ─────────────────────────────────────────────────────────────

    /// The unit's report in the campaign; a draft with nothing in it if none was saved.
    pub async fn report(&self, campaign_id: Id, unit_id: Id) -> Result<Report> {
        let row = sqlx::query(
            "SELECT campaign_id, unit_id, state, filler_name, filler_phone, approver, submitted_at, submitted_by
             FROM reports WHERE campaign_id = $1 AND unit_id = $2",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => report(&r),
            None => Ok(Report {
                campaign_id,
                unit_id,
                state: ReportState::Draft,
                filler_name: None,
                filler_phone: None,
                approver: None,
                submitted_at: None,
                submitted_by: None,
            }),
        }
    }

    pub async fn report_items(&self, campaign_id: Id, unit_id: Id) -> Result<Vec<ReportItem>> {
        let rows = sqlx::query(
            "SELECT item_id, facts, state, version, updated_by, updated_at FROM report_items
             WHERE campaign_id = $1 AND unit_id = $2",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_item).collect()
    }

    /// Saves an item's facts if nobody saved it since `expected_version` (0: never saved).
    /// Returns the new version, or `Conflict` if someone else saved first. Every saved
    /// version is also kept in the item's history.
    /// Every saved version of an item, oldest first.
    pub async fn report_item_history(
        &self,
        campaign_id: Id,
        unit_id: Id,
        item_id: &str,
    ) -> Result<Vec<ReportItem>> {
        let rows = sqlx::query(
            "SELECT item_id, facts, state, version, updated_by, updated_at FROM report_item_history
             WHERE campaign_id = $1 AND unit_id = $2 AND item_id = $3 ORDER BY version",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_item).collect()
    }

    // ── evidence ────────────────────────────────────────────────────────────

    pub async fn evidence(&self, id: Id) -> Result<Evidence> {
        evidence_in(&self.pool, id).await
    }

    pub async fn evidence_data(&self, id: Id) -> Result<Vec<u8>> {
        let row = sqlx::query("SELECT data FROM evidence WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        Ok(row.try_get("data")?)
    }

    pub async fn evidence_list(&self, campaign_id: Id, unit_id: Id) -> Result<Vec<Evidence>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            evidence_cols!(),
            " FROM evidence WHERE campaign_id = $1 AND unit_id = $2 ORDER BY id"
        ))
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(evidence).collect()
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

    pub async fn create_user(&mut self, new: &NewUser) -> Result<User> {
        if let Some(d) = new.department_id {
            self.own_department(new.organiser_id, d).await?;
        }
        let row = sqlx::query(
            "INSERT INTO users (organiser_id, username, display_name, role, department_id, unit_id,
                                password_hash, must_change_password, active, is_demo, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) RETURNING id",
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

    /// Stores a new version of a rubric (its number one above the last of that code).
    /// Earlier versions are never touched.
    pub async fn add_rubric_version(
        &mut self,
        organiser_id: Id,
        code: &str,
        title: &str,
        source: &str,
        hash: &str,
        created_by: Option<Id>,
    ) -> Result<RubricVersion> {
        // Two uploads at once may pick the same number; the unique key refuses one, and
        // it tries again.
        for _ in 0..5 {
            let last: Option<i64> = sqlx::query(
                "SELECT MAX(version) AS v FROM rubrics WHERE organiser_id = $1 AND code = $2",
            )
            .bind(organiser_id)
            .bind(code)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("v")?;
            let version = last.unwrap_or(0) + 1;
            let inserted = sqlx::query(
                "INSERT INTO rubrics (organiser_id, code, version, title, source, hash, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(organiser_id)
            .bind(code)
            .bind(version)
            .bind(title)
            .bind(source)
            .bind(hash)
            .bind(created_by)
            .bind(now_ms())
            .fetch_one(&mut *self.tx)
            .await;
            match inserted {
                Ok(row) => return rubric_in(&mut *self.tx, organiser_id, row.try_get("id")?).await,
                Err(e) => match unique(e, code) {
                    StorageError::Duplicate(_) => continue,
                    other => return Err(other),
                },
            }
        }
        Err(StorageError::Conflict)
    }

    /// Creates a campaign as a draft (草稿), seen only by the admin until
    /// [`Work::issue_campaign`].
    pub async fn create_campaign(
        &mut self,
        organiser_id: Id,
        year: i64,
        title: &str,
        rubric_id: Id,
        deadline: &str,
        is_demo: bool,
    ) -> Result<Campaign> {
        // The rubric must be this organiser's.
        rubric_in(&mut *self.tx, organiser_id, rubric_id).await?;
        let row = sqlx::query(
            "INSERT INTO campaigns (organiser_id, year, title, rubric_id, deadline, state, is_demo, created_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
        )
        .bind(organiser_id)
        .bind(year)
        .bind(title)
        .bind(rubric_id)
        .bind(deadline)
        .bind(b(is_demo))
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await?;
        campaign_in(&mut *self.tx, organiser_id, row.try_get("id")?).await
    }

    /// Issues a draft campaign to its units (下发). Returns whether it was a draft: a
    /// campaign already issued keeps its first issue time.
    pub async fn issue_campaign(&mut self, organiser_id: Id, id: Id) -> Result<bool> {
        self.unfrozen_to_update(id).await?;
        let done = sqlx::query(
            "UPDATE campaigns SET issued_at = $1 WHERE id = $2 AND organiser_id = $3 AND issued_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn update_campaign(
        &mut self,
        organiser_id: Id,
        id: Id,
        title: &str,
        deadline: &str,
        state: CampaignState,
    ) -> Result<()> {
        self.unfrozen_to_update(id).await?;
        sqlx::query(
            "UPDATE campaigns SET title = $1, deadline = $2, state = $3 WHERE id = $4 AND organiser_id = $5",
        )
        .bind(title)
        .bind(deadline)
        .bind(state.as_str())
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Adds a unit to a campaign or replaces its unit-level facts and deadline.
    pub async fn set_campaign_unit(&mut self, cu: &CampaignUnit) -> Result<()> {
        self.unfrozen(cu.campaign_id).await?;
        sqlx::query(
            "INSERT INTO campaign_units (campaign_id, unit_id, unit_facts, deadline) VALUES ($1, $2, $3, $4)
             ON CONFLICT (campaign_id, unit_id) DO UPDATE SET unit_facts = excluded.unit_facts, deadline = excluded.deadline",
        )
        .bind(cu.campaign_id)
        .bind(cu.unit_id)
        .bind(json_text(&cu.unit_facts))
        .bind(cu.deadline.as_deref())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn save_report_item(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        item_id: &str,
        facts: &RawFacts,
        state: ItemState,
        expected_version: i64,
        user_id: Option<Id>,
    ) -> Result<i64> {
        self.unfrozen(campaign_id).await?;
        self.report_open(campaign_id, unit_id).await?;
        let now = now_ms();
        let facts = json_text(facts);
        let done = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO report_items (campaign_id, unit_id, item_id, facts, state, version, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (campaign_id, unit_id, item_id) DO NOTHING",
            )
            .bind(campaign_id)
            .bind(unit_id)
            .bind(item_id)
            .bind(&facts)
            .bind(state.as_str())
            .bind(user_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE report_items SET facts = $1, state = $2, version = version + 1, updated_by = $3, updated_at = $4
                 WHERE campaign_id = $5 AND unit_id = $6 AND item_id = $7 AND version = $8",
            )
            .bind(&facts)
            .bind(state.as_str())
            .bind(user_id)
            .bind(now)
            .bind(campaign_id)
            .bind(unit_id)
            .bind(item_id)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await?
        };
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        let version = expected_version + 1;
        sqlx::query(
            "INSERT INTO report_item_history (campaign_id, unit_id, item_id, version, facts, state, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(item_id)
        .bind(version)
        .bind(&facts)
        .bind(state.as_str())
        .bind(user_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(version)
    }

    /// Marks the report submitted, with who filled it in and who approved it. Refused
    /// (`Conflict`) if it was already submitted.
    pub async fn submit_report(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        filler_name: &str,
        filler_phone: &str,
        approver: &str,
        user_id: Id,
    ) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let now = now_ms();
        let done = sqlx::query(
            "INSERT INTO reports (campaign_id, unit_id, state, filler_name, filler_phone, approver, submitted_at, submitted_by)
             VALUES ($1, $2, 'submitted', $3, $4, $5, $6, $7)
             ON CONFLICT (campaign_id, unit_id) DO UPDATE SET state = 'submitted',
               filler_name = excluded.filler_name, filler_phone = excluded.filler_phone,
               approver = excluded.approver, submitted_at = excluded.submitted_at,
               submitted_by = excluded.submitted_by
             WHERE reports.state <> 'submitted'",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(filler_name)
        .bind(filler_phone)
        .bind(approver)
        .bind(now)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict)
        }
    }

    pub async fn add_evidence(&mut self, new: &NewEvidence) -> Result<Evidence> {
        self.unfrozen(new.campaign_id).await?;
        // Self-check evidence belongs to the report: not once it is submitted. Appeal
        // evidence comes after the results, and is the appeal's.
        if new.appeal_id.is_none() {
            self.report_open(new.campaign_id, new.unit_id).await?;
        }
        let row = sqlx::query(
            "INSERT INTO evidence (campaign_id, unit_id, item_id, filename, content_type, size, sha256, data, uploaded_by, uploaded_at, appeal_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(new.campaign_id)
        .bind(new.unit_id)
        .bind(&new.item_id)
        .bind(&new.filename)
        .bind(&new.content_type)
        .bind(new.data.len() as i64)
        .bind(&new.sha256)
        .bind(&new.data)
        .bind(new.uploaded_by)
        .bind(now_ms())
        .bind(new.appeal_id)
        .fetch_one(&mut *self.tx)
        .await?;
        evidence_in(&mut *self.tx, row.try_get("id")?).await
    }

    pub async fn delete_evidence(&mut self, id: Id) -> Result<()> {
        let row = sqlx::query("SELECT campaign_id, unit_id, appeal_id FROM evidence WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?;
        let campaign_id: Id = row.try_get("campaign_id")?;
        self.unfrozen(campaign_id).await?;
        if row.try_get::<Option<Id>, _>("appeal_id")?.is_none() {
            self.report_open(campaign_id, row.try_get("unit_id")?)
                .await?;
        }
        sqlx::query("DELETE FROM evidence WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
