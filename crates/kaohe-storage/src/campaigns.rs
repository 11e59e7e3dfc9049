//! Rubric versions and campaigns: a campaign's units, their base data and deadlines.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::*;
use crate::*;

pub(crate) fn rubric(r: &AnyRow) -> Result<RubricVersion> {
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

pub(crate) fn campaign(r: &AnyRow) -> Result<Campaign> {
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
        predecessor_id: r.try_get("predecessor_id")?,
        overall_weight: r.try_get("overall_weight")?,
        published_at: r.try_get("published_at")?,
        window_start: r.try_get("window_start")?,
        window_end: r.try_get("window_end")?,
        show_details: r.try_get::<i64, _>("show_details")? != 0,
        locked: r.try_get::<i64, _>("locked")? != 0,
        period_start: r.try_get("period_start")?,
        period_end: r.try_get("period_end")?,
    })
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

/// The columns [`campaign`] reads, in every `SELECT` of campaigns.
macro_rules! campaign_cols {
    () => {
        "id, organiser_id, year, title, rubric_id, deadline, state, is_demo, issued_at, predecessor_id, overall_weight, published_at, window_start, window_end, show_details, locked, period_start, period_end"
    };
}
pub(crate) use campaign_cols;

pub(crate) async fn campaign_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    organiser_id: Id,
    id: Id,
) -> Result<Campaign> {
    let row = sqlx::query(concat!(
        "SELECT ",
        campaign_cols!(),
        " FROM campaigns WHERE id = $1 AND organiser_id = $2"
    ))
    .bind(id)
    .bind(organiser_id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    campaign(&row)
}

impl Store {
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

    pub async fn campaign(&self, organiser_id: Id, id: Id) -> Result<Campaign> {
        campaign_in(&self.pool, organiser_id, id).await
    }

    /// [`Store::campaign`] and whether its results have been computed, in one query:
    /// what every request about a campaign reads first (its phase needs both).
    pub async fn campaign_with_results(
        &self,
        organiser_id: Id,
        id: Id,
    ) -> Result<(Campaign, bool)> {
        let row = sqlx::query(concat!(
            "SELECT ",
            campaign_cols!(),
            ", (SELECT COUNT(*) FROM results WHERE results.campaign_id = campaigns.id) AS runs
             FROM campaigns WHERE id = $1 AND organiser_id = $2"
        ))
        .bind(id)
        .bind(organiser_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        Ok((campaign(&row)?, row.try_get::<i64, _>("runs")? > 0))
    }

    pub async fn campaigns(&self, organiser_id: Id) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            campaign_cols!(),
            " FROM campaigns WHERE organiser_id = $1 ORDER BY year DESC, id DESC"
        ))
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(campaign).collect()
    }

    /// The units taking part in a campaign (not those withdrawn from it).
    pub async fn campaign_units(&self, campaign_id: Id) -> Result<Vec<CampaignUnit>> {
        let rows = sqlx::query(
            "SELECT campaign_id, unit_id, unit_facts, deadline FROM campaign_units
             WHERE campaign_id = $1 AND withdrawn_at IS NULL ORDER BY unit_id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(campaign_unit).collect()
    }

    /// One unit's place in a campaign (`NotFound` if it is not in it, or withdrawn).
    pub async fn campaign_unit(&self, campaign_id: Id, unit_id: Id) -> Result<CampaignUnit> {
        let r = sqlx::query(
            "SELECT campaign_id, unit_id, unit_facts, deadline FROM campaign_units
             WHERE campaign_id = $1 AND unit_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        campaign_unit(&r)
    }

    /// The units withdrawn from a campaign (退出考核), with when and why.
    pub async fn withdrawn_units(&self, campaign_id: Id) -> Result<Vec<Withdrawn>> {
        let rows = sqlx::query(
            "SELECT unit_id, withdrawn_at, withdrawn_reason FROM campaign_units
             WHERE campaign_id = $1 AND withdrawn_at IS NOT NULL ORDER BY unit_id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Withdrawn {
                    unit_id: r.try_get("unit_id")?,
                    at: r.try_get("withdrawn_at")?,
                    reason: r
                        .try_get::<Option<String>, _>("withdrawn_reason")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

impl Work {
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

    /// Makes a new campaign (`to`, a draft) the next year of `from`, both of
    /// `organiser_id`: it remembers `from` as its predecessor and keeps its weight in the
    /// overall assessment, and each item of `items` (the new rubric's) keeps the
    /// department `from` gave it. Units are chosen by the admin; base data and deadlines
    /// are the new year's own.
    pub async fn continue_campaign(
        &mut self,
        organiser_id: Id,
        from: Id,
        to: Id,
        items: &[String],
    ) -> Result<usize> {
        let done = sqlx::query(
            "UPDATE campaigns SET predecessor_id = $1,
                    overall_weight = (SELECT p.overall_weight FROM campaigns p WHERE p.id = $1)
             WHERE id = $2 AND organiser_id = $3 AND issued_at IS NULL
               AND EXISTS (SELECT 1 FROM campaigns p WHERE p.id = $1 AND p.organiser_id = $3)",
        )
        .bind(from)
        .bind(to)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT item_id, department_id FROM item_departments WHERE campaign_id = $1",
        )
        .bind(from)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut copied = 0;
        for r in rows {
            let item: String = r.try_get("item_id")?;
            if items.contains(&item) {
                self.set_item_department(to, &item, Some(r.try_get("department_id")?))
                    .await?;
                copied += 1;
            }
        }
        Ok(copied)
    }

    /// Deletes a draft campaign (never issued, so no unit has seen it) with its units and
    /// item assignments. Refused (`NotFound`) for an issued campaign or another
    /// organiser's; a campaign copied from it forgets it.
    pub async fn delete_draft(&mut self, organiser_id: Id, id: Id) -> Result<()> {
        let draft = sqlx::query(
            "SELECT id FROM campaigns WHERE id = $1 AND organiser_id = $2 AND issued_at IS NULL
               AND state = 'open'",
        )
        .bind(id)
        .bind(organiser_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        if draft.is_none() {
            return Err(StorageError::NotFound);
        }
        for sql in [
            "UPDATE campaigns SET predecessor_id = NULL WHERE predecessor_id = $1",
            "DELETE FROM item_departments WHERE campaign_id = $1",
            "DELETE FROM campaign_units WHERE campaign_id = $1",
            "DELETE FROM campaigns WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *self.tx).await?;
        }
        Ok(())
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

    /// Sets (or clears) the weight of the campaign in the district's overall assessment,
    /// an exact decimal as text.
    pub async fn set_overall_weight(
        &mut self,
        organiser_id: Id,
        id: Id,
        weight: Option<&str>,
    ) -> Result<()> {
        self.unfrozen_to_update(id).await?;
        sqlx::query("UPDATE campaigns SET overall_weight = $1 WHERE id = $2 AND organiser_id = $3")
            .bind(weight)
            .bind(id)
            .bind(organiser_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Sets the campaign last year's is (its predecessor: where last year's ranks and
    /// rectification come from); `None`: the latest earlier year's.
    /// Sets the period whose records the campaign counts (`None`: its calendar year).
    pub async fn set_campaign_period(
        &mut self,
        organiser_id: Id,
        id: Id,
        period: Option<(&str, &str)>,
    ) -> Result<()> {
        self.unfrozen_to_update(id).await?;
        let done = sqlx::query(
            "UPDATE campaigns SET period_start = $1, period_end = $2 WHERE id = $3 AND organiser_id = $4",
        )
        .bind(period.map(|p| p.0))
        .bind(period.map(|p| p.1))
        .bind(id)
        .bind(organiser_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    pub async fn set_predecessor(
        &mut self,
        organiser_id: Id,
        id: Id,
        predecessor: Option<Id>,
    ) -> Result<()> {
        self.unfrozen_to_update(id).await?;
        if let Some(p) = predecessor {
            // Only another campaign of the same organiser.
            campaign_in(&mut *self.tx, organiser_id, p).await?;
        }
        sqlx::query("UPDATE campaigns SET predecessor_id = $1 WHERE id = $2 AND organiser_id = $3")
            .bind(predecessor)
            .bind(id)
            .bind(organiser_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Withdraws a unit taking part in a campaign (退出考核), for a reason: it is no
    /// longer listed, scored or ranked; everything it reported is kept. `NotFound` when
    /// it is not taking part.
    pub async fn withdraw_unit(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        reason: &str,
    ) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let done = sqlx::query(
            "UPDATE campaign_units SET withdrawn_at = $1, withdrawn_reason = $2
             WHERE campaign_id = $3 AND unit_id = $4 AND withdrawn_at IS NULL",
        )
        .bind(now_ms())
        .bind(reason)
        .bind(campaign_id)
        .bind(unit_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    /// Brings a withdrawn unit back into the campaign, with its base data and report as
    /// they were. `NotFound` when it was not withdrawn.
    pub async fn reinstate_unit(&mut self, campaign_id: Id, unit_id: Id) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let done = sqlx::query(
            "UPDATE campaign_units SET withdrawn_at = NULL, withdrawn_reason = NULL
             WHERE campaign_id = $1 AND unit_id = $2 AND withdrawn_at IS NOT NULL",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
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
}

fn campaign_unit(r: &AnyRow) -> Result<CampaignUnit> {
    let facts: String = r.try_get("unit_facts")?;
    Ok(CampaignUnit {
        campaign_id: r.try_get("campaign_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_facts: json_map(&facts)?,
        deadline: r.try_get("deadline")?,
    })
}
