//! Units' reports (自查): their items with every saved version, submission, evidence.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::*;
use crate::*;

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

pub(crate) fn report_item(r: &AnyRow) -> Result<ReportItem> {
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

pub(crate) fn evidence(r: &AnyRow) -> Result<Evidence> {
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
        problem_id: r.try_get("problem_id")?,
        record_id: r.try_get("record_id")?,
        personal: r.try_get::<i64, _>("personal")? != 0,
        purged_at: r.try_get("purged_at")?,
    })
}

macro_rules! evidence_cols {
    () => {
        "id, campaign_id, unit_id, item_id, filename, content_type, size, sha256, uploaded_by, uploaded_at, appeal_id, problem_id, record_id, personal, purged_at"
    };
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
            None => Ok(Report::empty(campaign_id, unit_id)),
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

    /// Every saved item of every unit of a campaign, with its unit: what
    /// [`Store::report_items`] reads for one unit, for all of them in one query.
    pub async fn campaign_report_items(&self, campaign_id: Id) -> Result<Vec<(Id, ReportItem)>> {
        self.report_items_of(campaign_id, None).await
    }

    /// How many items each unit of a campaign has saved, and how many of those are marked
    /// done, by unit: what a list of units' progress counts, without their facts.
    pub async fn report_item_counts(&self, campaign_id: Id) -> Result<Vec<(Id, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT unit_id, COUNT(*) AS saved,
                    SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done
             FROM report_items WHERE campaign_id = $1 GROUP BY unit_id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("unit_id")?,
                    r.try_get("saved")?,
                    r.try_get("done")?,
                ))
            })
            .collect()
    }

    /// When each item returned to its unit was last saved, by unit and item, without its
    /// facts: what tells 待复审 from 已退回 (the other states need no time of saving).
    pub async fn returned_item_times(&self, campaign_id: Id) -> Result<Vec<(Id, String, i64)>> {
        let rows = sqlx::query(
            "SELECT ri.unit_id, ri.item_id, ri.updated_at FROM reviews r
             JOIN report_items ri ON ri.campaign_id = r.campaign_id AND ri.unit_id = r.unit_id
               AND ri.item_id = r.item_id
             WHERE r.campaign_id = $1 AND r.state = 'returned'",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("unit_id")?,
                    r.try_get("item_id")?,
                    r.try_get("updated_at")?,
                ))
            })
            .collect()
    }

    /// [`Store::campaign_report_items`] of some units only (a page of them).
    pub async fn report_items_of(
        &self,
        campaign_id: Id,
        units: Option<&[Id]>,
    ) -> Result<Vec<(Id, ReportItem)>> {
        let only = units.map_or(String::new(), |u| format!(" AND unit_id IN {}", id_list(u)));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, item_id, facts, state, version, updated_by, updated_at FROM report_items
             WHERE campaign_id = $1{only} ORDER BY unit_id"
        )))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, report_item(r)?)))
            .collect()
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
        // A rectification's evidence is its own data, which the lock does not freeze.
        if new.problem_id.is_none() {
            self.unfrozen(new.campaign_id).await?;
        }
        // Self-check evidence belongs to the report: not once it is submitted. Appeal
        // evidence comes after the results, and is the appeal's.
        if new.appeal_id.is_none() && new.problem_id.is_none() {
            self.report_open(new.campaign_id, new.unit_id).await?;
        }
        self.insert_evidence(new, None).await
    }

    /// Stores a file: the self-check's, an appeal's or a problem's (as `new` says), or a
    /// record's (`record_id`). The caller has checked that it may.
    pub(crate) async fn insert_evidence(
        &mut self,
        new: &NewEvidence,
        record_id: Option<Id>,
    ) -> Result<Evidence> {
        let row = sqlx::query(
            "INSERT INTO evidence (campaign_id, unit_id, item_id, filename, content_type, size, sha256, data, uploaded_by, uploaded_at, appeal_id, problem_id, record_id, personal)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
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
        .bind(new.problem_id)
        .bind(record_id)
        .bind(i64::from(new.personal))
        .fetch_one(&mut *self.tx)
        .await?;
        evidence_in(&mut *self.tx, row.try_get("id")?).await
    }

    /// Deletes the bytes of a locked campaign's evidence marked as holding personal data
    /// (its retention has run: 个人信息保护法), keeping each row with its name, size and
    /// SHA-256, and when it was deleted. Refused (`Conflict`) while the campaign is not
    /// locked: until then the files may still be needed for review and appeals. Returns
    /// the files deleted.
    pub async fn purge_personal_evidence(&mut self, campaign_id: Id) -> Result<Vec<Evidence>> {
        let locked: i64 = sqlx::query("SELECT locked FROM campaigns WHERE id = $1")
            .bind(campaign_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?
            .try_get("locked")?;
        if locked == 0 {
            return Err(StorageError::Conflict);
        }
        let rows = sqlx::query(concat!(
            "SELECT ",
            evidence_cols!(),
            " FROM evidence WHERE campaign_id = $1 AND personal = 1 AND purged_at IS NULL ORDER BY id"
        ))
        .bind(campaign_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let files: Vec<Evidence> = rows.iter().map(evidence).collect::<Result<_>>()?;
        let now = now_ms();
        for e in &files {
            sqlx::query("UPDATE evidence SET data = $1, purged_at = $2 WHERE id = $3")
                .bind(Vec::<u8>::new())
                .bind(now)
                .bind(e.id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(files)
    }

    pub async fn delete_evidence(&mut self, id: Id) -> Result<()> {
        let row = sqlx::query(
            "SELECT campaign_id, unit_id, appeal_id, problem_id, record_id FROM evidence WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound)?;
        let campaign_id: Id = row.try_get("campaign_id")?;
        if row.try_get::<Option<Id>, _>("problem_id")?.is_some()
            || row.try_get::<Option<Id>, _>("record_id")?.is_some()
        {
            // A rectification's file: its report must still be open (not reported or
            // signed off); the caller checks the problem's state in this transaction.
            return Err(StorageError::Conflict);
        }
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
