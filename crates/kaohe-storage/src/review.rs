//! Review (考核), results, publication, appeals and locks.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::reports::report;
use crate::sql::id_list;
use crate::*;

fn review(r: &AnyRow) -> Result<Review> {
    let overrides: String = r.try_get("overrides")?;
    let state: String = r.try_get("state")?;
    Ok(Review {
        item_id: r.try_get("item_id")?,
        overrides: decode_json("review overrides", &overrides)?,
        score_reason: r.try_get("score_reason")?,
        state: decode("review state", &state, ReviewState::parse)?,
        comment: r.try_get("comment")?,
        reviewer_id: r.try_get("reviewer_id")?,
        reviewed_at: r.try_get("reviewed_at")?,
        version: r.try_get("version")?,
    })
}

fn appeal(r: &AnyRow) -> Result<Appeal> {
    let state: String = r.try_get("state")?;
    Ok(Appeal {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        unit_id: r.try_get("unit_id")?,
        item_id: r.try_get("item_id")?,
        reason: r.try_get("reason")?,
        state: decode("appeal state", &state, AppealState::parse)?,
        answer: r.try_get("answer")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
    })
}

const APPEAL_COLS: &str = "id, campaign_id, unit_id, item_id, reason, state, answer, created_by, created_at, answered_by, answered_at";

pub(crate) async fn appeal_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> Result<Appeal> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {APPEAL_COLS} FROM appeals WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    appeal(&row)
}

impl Store {
    // ── reviews ─────────────────────────────────────────────────────────────

    pub async fn reviews(&self, campaign_id: Id, unit_id: Id) -> Result<Vec<Review>> {
        let rows = sqlx::query(
            "SELECT item_id, overrides, score_reason, state, comment, reviewer_id, reviewed_at, version
             FROM reviews WHERE campaign_id = $1 AND unit_id = $2",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(review).collect()
    }

    /// Every review of every unit of a campaign, with its unit, in one query.
    pub async fn campaign_reviews(&self, campaign_id: Id) -> Result<Vec<(Id, Review)>> {
        self.reviews_of(campaign_id, None).await
    }

    /// [`Store::campaign_reviews`] of some units only (a page of them).
    pub async fn reviews_of(
        &self,
        campaign_id: Id,
        units: Option<&[Id]>,
    ) -> Result<Vec<(Id, Review)>> {
        let only = units.map_or(String::new(), |u| format!(" AND unit_id IN {}", id_list(u)));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, item_id, overrides, score_reason, state, comment, reviewer_id, reviewed_at, version
             FROM reviews WHERE campaign_id = $1{only} ORDER BY unit_id"
        )))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, review(r)?)))
            .collect()
    }

    /// Saves a review if nobody saved it since `expected_version` (0: never reviewed);
    /// every version is kept in the history.
    /// Every report of a campaign that has a row (submitted, returned or a started draft).
    pub async fn reports(&self, campaign_id: Id) -> Result<Vec<Report>> {
        let rows = sqlx::query(
            "SELECT campaign_id, unit_id, state, filler_name, filler_phone, approver, submitted_at, submitted_by
             FROM reports WHERE campaign_id = $1 ORDER BY unit_id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report).collect()
    }

    // ── results ─────────────────────────────────────────────────────────────

    /// Whether a campaign's results have been computed at least once.
    pub async fn has_results(&self, campaign_id: Id) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM results WHERE campaign_id = $1 LIMIT 1")
            .bind(campaign_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Every computation of a campaign's results, oldest first.
    pub async fn results(&self, campaign_id: Id) -> Result<Vec<ResultRun>> {
        let rows = sqlx::query(
            "SELECT id, campaign_id, computed_at, computed_by, reason, unconfirmed, data FROM results
             WHERE campaign_id = $1 ORDER BY id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(result_run).collect()
    }

    /// When each computation of a campaign's results was made and why, oldest first,
    /// without their snapshots (which a page's list of runs does not need).
    pub async fn result_runs(&self, campaign_id: Id) -> Result<Vec<ResultRunInfo>> {
        let rows = sqlx::query(
            "SELECT id, computed_at, reason FROM results WHERE campaign_id = $1 ORDER BY id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ResultRunInfo {
                    id: r.try_get("id")?,
                    computed_at: r.try_get("computed_at")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// The latest computation of a campaign's results (the one its pages show), if any:
    /// read alone, not with every earlier one.
    pub async fn latest_result(&self, campaign_id: Id) -> Result<Option<ResultRun>> {
        let row = sqlx::query(
            "SELECT id, campaign_id, computed_at, computed_by, reason, unconfirmed, data FROM results
             WHERE campaign_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(result_run).transpose()
    }

    /// The id of a campaign's latest computation of results, if any.
    pub async fn latest_result_id(&self, campaign_id: Id) -> Result<Option<Id>> {
        let row =
            sqlx::query("SELECT id FROM results WHERE campaign_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(campaign_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| r.try_get("id")).transpose().map_err(Into::into)
    }

    /// A computation of results with its snapshot as the text stored, not read (its
    /// `data` is null): for a reader that reads the text into a type of its own.
    pub async fn result_text(&self, id: Id) -> Result<(ResultRun, String)> {
        let r = sqlx::query(
            "SELECT id, campaign_id, computed_at, computed_by, reason, unconfirmed, data FROM results
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        let data: String = r.try_get("data")?;
        let unconfirmed: String = r.try_get("unconfirmed")?;
        let run = ResultRun {
            id: r.try_get("id")?,
            campaign_id: r.try_get("campaign_id")?,
            computed_at: r.try_get("computed_at")?,
            computed_by: r.try_get("computed_by")?,
            reason: r.try_get("reason")?,
            unconfirmed: decode_json("results unconfirmed", &unconfirmed)?,
            data: serde_json::Value::Null,
        };
        Ok((run, data))
    }

    // ── publication and locks ───────────────────────────────────────────────

    pub async fn lock_events(&self, campaign_id: Id) -> Result<Vec<LockEvent>> {
        let rows = sqlx::query(
            "SELECT campaign_id, action, reason, user_id, at, audit_seq, audit_hash FROM locks
             WHERE campaign_id = $1 ORDER BY id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                Ok(LockEvent {
                    campaign_id: r.try_get("campaign_id")?,
                    lock: decode("lock action", &action, |a| match a {
                        "lock" => Some(true),
                        "unlock" => Some(false),
                        _ => None,
                    })?,
                    reason: r.try_get("reason")?,
                    user_id: r.try_get("user_id")?,
                    at: r.try_get("at")?,
                    audit_seq: r.try_get("audit_seq")?,
                    audit_hash: r.try_get("audit_hash")?,
                })
            })
            .collect()
    }

    // ── appeals ─────────────────────────────────────────────────────────────

    pub async fn appeal(&self, id: Id) -> Result<Appeal> {
        appeal_in(&self.pool, id).await
    }

    pub async fn appeals(&self, campaign_id: Id) -> Result<Vec<Appeal>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {APPEAL_COLS} FROM appeals WHERE campaign_id = $1 ORDER BY id"
        )))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(appeal).collect()
    }
}

impl Work {
    #[allow(clippy::too_many_arguments)]
    pub async fn save_review(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        item_id: &str,
        overrides: &Overrides,
        score_reason: Option<&str>,
        state: ReviewState,
        comment: Option<&str>,
        reviewer_id: Id,
        expected_version: i64,
    ) -> Result<i64> {
        self.unfrozen(campaign_id).await?;
        let now = now_ms();
        let text = serde_json::to_string(overrides).unwrap_or_else(|_| "{}".into());
        let done = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO reviews (campaign_id, unit_id, item_id, overrides, score_reason, state, comment, reviewer_id, reviewed_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) ON CONFLICT (campaign_id, unit_id, item_id) DO NOTHING",
            )
            .bind(campaign_id)
            .bind(unit_id)
            .bind(item_id)
            .bind(&text)
            .bind(score_reason)
            .bind(state.as_str())
            .bind(comment)
            .bind(reviewer_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE reviews SET overrides = $1, score_reason = $2, state = $3, comment = $4, reviewer_id = $5,
                        reviewed_at = $6, version = version + 1
                 WHERE campaign_id = $7 AND unit_id = $8 AND item_id = $9 AND version = $10",
            )
            .bind(&text)
            .bind(score_reason)
            .bind(state.as_str())
            .bind(comment)
            .bind(reviewer_id)
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
            "INSERT INTO review_history (campaign_id, unit_id, item_id, version, overrides, score_reason, state, comment, reviewer_id, reviewed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(item_id)
        .bind(version)
        .bind(&text)
        .bind(score_reason)
        .bind(state.as_str())
        .bind(comment)
        .bind(reviewer_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(version)
    }

    /// Returns a submitted report to its unit (退回): it becomes editable again for the
    /// items returned. `Conflict` unless it was submitted.
    pub async fn return_report(&mut self, campaign_id: Id, unit_id: Id) -> Result<()> {
        self.unfrozen(campaign_id).await?;
        let done = sqlx::query(
            "UPDATE reports SET state = 'returned' WHERE campaign_id = $1 AND unit_id = $2 AND state = 'submitted'",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict)
        }
    }

    pub async fn add_result(
        &mut self,
        campaign_id: Id,
        computed_by: Option<Id>,
        reason: &str,
        unconfirmed: &[String],
        data: &serde_json::Value,
    ) -> Result<ResultRun> {
        let (id, at) = self
            .add_result_text(
                campaign_id,
                computed_by,
                reason,
                unconfirmed,
                &data.to_string(),
            )
            .await?;
        Ok(ResultRun {
            id,
            campaign_id,
            computed_at: at,
            computed_by,
            reason: reason.to_string(),
            unconfirmed: unconfirmed.to_vec(),
            data: data.clone(),
        })
    }

    /// [`Work::add_result`] of a snapshot already written as JSON text (a province's is
    /// megabytes: written once, not built as a tree, written and copied). Returns the
    /// computation's id and time.
    pub async fn add_result_text(
        &mut self,
        campaign_id: Id,
        computed_by: Option<Id>,
        reason: &str,
        unconfirmed: &[String],
        text: &str,
    ) -> Result<(Id, i64)> {
        self.unfrozen(campaign_id).await?;
        let at = now_ms();
        let row = sqlx::query(
            "INSERT INTO results (campaign_id, computed_at, computed_by, reason, unconfirmed, data)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(campaign_id)
        .bind(at)
        .bind(computed_by)
        .bind(reason)
        .bind(serde_json::to_string(unconfirmed).unwrap_or_else(|_| "[]".into()))
        .bind(text)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok((row.try_get("id")?, at))
    }

    pub async fn publish(
        &mut self,
        campaign_id: Id,
        window_start: &str,
        window_end: &str,
        show_details: bool,
    ) -> Result<()> {
        self.unfrozen_to_update(campaign_id).await?;
        sqlx::query(
            "UPDATE campaigns SET published_at = COALESCE(published_at, $1), window_start = $2, window_end = $3,
                    show_details = $4 WHERE id = $5",
        )
        .bind(now_ms())
        .bind(window_start)
        .bind(window_end)
        .bind(i64::from(show_details))
        .bind(campaign_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Locks or unlocks a campaign, recording who, why and the audit chain's head.
    pub async fn set_locked(
        &mut self,
        campaign_id: Id,
        locked: bool,
        reason: Option<&str>,
        user_id: Option<Id>,
    ) -> Result<LockEvent> {
        let at = now_ms();
        let done = sqlx::query("UPDATE campaigns SET locked = $1 WHERE id = $2 AND locked <> $1")
            .bind(i64::from(locked))
            .bind(campaign_id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        // The head once the campaign's row is held: every change of the campaign that was
        // in progress has committed (with its audit row) before it, none can follow.
        let head = crate::audit::head_in(&mut *self.tx).await?;
        sqlx::query(
            "INSERT INTO locks (campaign_id, action, reason, user_id, at, audit_seq, audit_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(campaign_id)
        .bind(if locked { "lock" } else { "unlock" })
        .bind(reason)
        .bind(user_id)
        .bind(at)
        .bind(head.seq)
        .bind(&head.hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(LockEvent {
            campaign_id,
            lock: locked,
            reason: reason.map(String::from),
            user_id,
            at,
            audit_seq: head.seq,
            audit_hash: head.hash,
        })
    }

    /// Files an appeal; a second appeal on the same item of the same unit is `Duplicate`.
    pub async fn create_appeal(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        item_id: &str,
        reason: &str,
        created_by: Id,
    ) -> Result<Appeal> {
        self.unfrozen(campaign_id).await?;
        let row = sqlx::query(
            "INSERT INTO appeals (campaign_id, unit_id, item_id, reason, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(item_id)
        .bind(reason)
        .bind(created_by)
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StorageError::Duplicate(item_id.to_string()),
            _ => StorageError::Database(e),
        })?;
        appeal_in(&mut *self.tx, row.try_get("id")?).await
    }

    /// Answers an open appeal; `Conflict` if it was already answered.
    pub async fn answer_appeal(
        &mut self,
        id: Id,
        accepted: bool,
        answer: &str,
        answered_by: Id,
    ) -> Result<()> {
        let campaign_id: Id = sqlx::query("SELECT campaign_id FROM appeals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound)?
            .try_get("campaign_id")?;
        self.unfrozen(campaign_id).await?;
        let state = if accepted {
            AppealState::Accepted
        } else {
            AppealState::Rejected
        };
        let done = sqlx::query(
            "UPDATE appeals SET state = $1, answer = $2, answered_by = $3, answered_at = $4 WHERE id = $5 AND state = 'open'",
        )
        .bind(state.as_str())
        .bind(answer)
        .bind(answered_by)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict)
        }
    }
}

fn result_run(r: &sqlx::any::AnyRow) -> Result<ResultRun> {
    let unconfirmed: String = r.try_get("unconfirmed")?;
    let data: String = r.try_get("data")?;
    Ok(ResultRun {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        computed_at: r.try_get("computed_at")?,
        computed_by: r.try_get("computed_by")?,
        reason: r.try_get("reason")?,
        unconfirmed: decode_json("results unconfirmed", &unconfirmed)?,
        data: decode_json("results data", &data)?,
    })
}
