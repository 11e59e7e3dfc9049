//! Records kept during the year (台账): a unit declares one, the department confirms or
//! rejects it, the district enters its own; a record flagged as maybe another one waits
//! for a person. A record dated in a locked campaign's period no longer changes, checked
//! in the change's own transaction.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::*;
use crate::*;

fn record(r: &AnyRow) -> Result<Record> {
    let state: String = r.try_get("state")?;
    let like_state: Option<String> = r.try_get("like_state")?;
    let fields: String = r.try_get("fields")?;
    Ok(Record {
        id: r.try_get("id")?,
        organiser_id: r.try_get("organiser_id")?,
        unit_id: r.try_get("unit_id")?,
        kind: r.try_get("kind")?,
        day: r.try_get("day")?,
        fields: json_map(&fields)?,
        state: decode("record state", &state, RecordState::parse)?,
        by_district: r.try_get::<i64, _>("by_district")? != 0,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        like_of: r.try_get("like_of")?,
        likeness: r.try_get("likeness")?,
        like_state: like_state
            .map(|s| decode("record like state", &s, LikeState::parse))
            .transpose()?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const COLS: &str = "id, organiser_id, unit_id, kind, day, fields, state, by_district, answer, answered_by, answered_at, like_of, likeness, like_state, version, created_by, created_at, updated_by, updated_at";

async fn record_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> Result<Record> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM records WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    record(&row)
}

async fn unit_records_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    organiser_id: Id,
    unit_id: Id,
) -> Result<Vec<Record>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM records WHERE organiser_id = $1 AND unit_id = $2 ORDER BY day, id"
    )))
    .bind(organiser_id)
    .bind(unit_id)
    .fetch_all(ex)
    .await?;
    rows.iter().map(record).collect()
}

/// The organiser's locked campaigns, whose periods' records no longer change.
async fn locked_campaigns<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    organiser_id: Id,
) -> Result<Vec<Campaign>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        crate::campaigns::campaign_cols!(),
        " FROM campaigns WHERE organiser_id = $1 AND locked <> 0"
    ))
    .bind(organiser_id)
    .fetch_all(ex)
    .await?;
    rows.iter().map(crate::campaigns::campaign).collect()
}

impl Store {
    /// One unit's records of every kind, by day.
    pub async fn unit_records(&self, organiser_id: Id, unit_id: Id) -> Result<Vec<Record>> {
        unit_records_in(&self.pool, organiser_id, unit_id).await
    }

    /// Every unit's records dated from `start` to `end` (both included), by unit and day.
    pub async fn records_between(
        &self,
        organiser_id: Id,
        start: &str,
        end: &str,
    ) -> Result<Vec<Record>> {
        self.unit_records_between(organiser_id, None, start, end)
            .await
    }

    /// [`Store::records_between`] still waiting for their department (declared, not
    /// flagged as maybe another): what a department's home page counts.
    pub async fn declared_records_between(
        &self,
        organiser_id: Id,
        start: &str,
        end: &str,
    ) -> Result<Vec<Record>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM records WHERE organiser_id = $1 AND day >= $2 AND day <= $3
               AND state = 'declared' AND like_state IS NULL
             ORDER BY unit_id, day, id"
        )))
        .bind(organiser_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    /// [`Store::records_between`] of some units only (a page of them).
    pub async fn unit_records_between(
        &self,
        organiser_id: Id,
        units: Option<&[Id]>,
        start: &str,
        end: &str,
    ) -> Result<Vec<Record>> {
        let only = units.map_or(String::new(), |u| format!(" AND unit_id IN {}", id_list(u)));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM records WHERE organiser_id = $1 AND day >= $2 AND day <= $3{only}
             ORDER BY unit_id, day, id"
        )))
        .bind(organiser_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    /// The organiser's records `ids` (those of another organiser left out), read in
    /// batches of a thousand: the records a results snapshot counted.
    pub async fn records_by_ids(&self, organiser_id: Id, ids: &[Id]) -> Result<Vec<Record>> {
        let mut all = Vec::with_capacity(ids.len());
        for batch in ids.chunks(1000) {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM records WHERE organiser_id = $1 AND id IN {}",
                id_list(batch)
            )))
            .bind(organiser_id)
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                all.push(record(r)?);
            }
        }
        Ok(all)
    }

    /// A record of this organiser (another's is `NotFound`).
    pub async fn record(&self, organiser_id: Id, id: Id) -> Result<Record> {
        let r = record_in(&self.pool, id).await?;
        if r.organiser_id != organiser_id {
            return Err(StorageError::NotFound);
        }
        Ok(r)
    }

    /// Whether `day` is in the period of one of the organiser's locked campaigns (a
    /// record dated then no longer changes).
    pub async fn day_locked(&self, organiser_id: Id, day: &str) -> Result<bool> {
        let locked = locked_campaigns(&self.pool, organiser_id).await?;
        Ok(locked.iter().any(|c| c.in_period(day)))
    }

    /// How many files each of the organiser's records `ids` has (records without files
    /// left out), in one query: a page of a list of records.
    pub async fn record_file_counts(
        &self,
        organiser_id: Id,
        ids: &[Id],
    ) -> Result<std::collections::BTreeMap<Id, i64>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.record_id AS id, COUNT(*) AS n FROM evidence e
             JOIN records r ON r.id = e.record_id
             WHERE r.organiser_id = $1 AND e.record_id IN {} GROUP BY e.record_id",
            id_list(ids)
        )))
        .bind(organiser_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("n")?)))
            .collect()
    }

    /// The evidence attached to a record.
    pub async fn record_evidence(&self, record_id: Id) -> Result<Vec<Evidence>> {
        let rows = sqlx::query(
            "SELECT id, campaign_id, unit_id, item_id, filename, content_type, size, sha256, uploaded_by, uploaded_at, appeal_id, problem_id, record_id, personal, purged_at
             FROM evidence WHERE record_id = $1 ORDER BY id",
        )
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::reports::evidence).collect()
    }
}

impl Work {
    /// A unit's records, read in this change's transaction (to find one it may repeat).
    pub async fn unit_records(&mut self, organiser_id: Id, unit_id: Id) -> Result<Vec<Record>> {
        unit_records_in(&mut *self.tx, organiser_id, unit_id).await
    }

    /// Refuses (`Locked`) when `day` is in the period of one of the organiser's locked
    /// campaigns: what was counted there is final.
    async fn day_open(&mut self, organiser_id: Id, day: &str) -> Result<()> {
        let locked = locked_campaigns(&mut *self.tx, organiser_id).await?;
        if locked.iter().any(|c| c.in_period(day)) {
            return Err(StorageError::Locked);
        }
        Ok(())
    }

    /// Flags a record as maybe another one (kaohe found them alike).
    async fn flag(&mut self, like: Like) -> Result<()> {
        sqlx::query(
            "UPDATE records SET like_of = $1, likeness = $2, like_state = 'suspected' WHERE id = $3",
        )
        .bind(like.of)
        .bind(like.likeness)
        .bind(like.flagged)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Adds a record: declared by the unit, or confirmed from the start when the district
    /// enters it. `like` flags it (or the record it repeats at a lower level).
    pub async fn add_record(
        &mut self,
        organiser_id: Id,
        new: &NewRecord,
        like: Option<Like>,
        by: Id,
    ) -> Result<Record> {
        self.day_open(organiser_id, &new.day).await?;
        let now = now_ms();
        let state = if new.by_district {
            RecordState::Confirmed
        } else {
            RecordState::Declared
        };
        let row = sqlx::query(
            "INSERT INTO records (organiser_id, unit_id, kind, day, fields, state, by_district, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9) RETURNING id",
        )
        .bind(organiser_id)
        .bind(new.unit_id)
        .bind(&new.kind)
        .bind(&new.day)
        .bind(json_text(&new.fields))
        .bind(state.as_str())
        .bind(i64::from(new.by_district))
        .bind(by)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: Id = row.try_get("id")?;
        if let Some(like) = like {
            // The new record has no id until now: `0` stands for it.
            let fix = |x: Id| if x == 0 { id } else { x };
            self.flag(Like {
                flagged: fix(like.flagged),
                of: fix(like.of),
                likeness: like.likeness,
            })
            .await?;
        }
        record_in(&mut *self.tx, id).await
    }

    /// Changes a record's day and fields, if it is still at `version` (`Conflict`
    /// otherwise). A unit's record goes back to waiting for confirmation; its flag is
    /// found again (`like`, or none).
    pub async fn edit_record(
        &mut self,
        id: Id,
        version: i64,
        day: &str,
        fields: &RawFacts,
        like: Option<Like>,
        by: Id,
    ) -> Result<(Record, Record)> {
        let before = record_in(&mut *self.tx, id).await?;
        self.day_open(before.organiser_id, &before.day).await?;
        self.day_open(before.organiser_id, day).await?;
        if !before.live() {
            return Err(StorageError::Conflict);
        }
        let done = sqlx::query(
            "UPDATE records SET day = $1, fields = $2,
                state = CASE WHEN by_district <> 0 THEN 'confirmed' ELSE 'declared' END,
                answer = NULL, answered_by = NULL, answered_at = NULL,
                like_of = NULL, likeness = NULL, like_state = NULL,
                version = version + 1, updated_by = $3, updated_at = $4
             WHERE id = $5 AND version = $6 AND state IN ('declared', 'confirmed')",
        )
        .bind(day)
        .bind(json_text(fields))
        .bind(by)
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        if let Some(like) = like {
            self.flag(like).await?;
        }
        let after = record_in(&mut *self.tx, id).await?;
        Ok((before, after))
    }

    /// Confirms or rejects (with the reason) a unit's record, or withdraws one that waits
    /// for confirmation. A department may change its answer (a rejected record confirmed
    /// on appeal, a confirmed one found wrong); `Conflict` when the record is no longer
    /// where the step starts.
    pub async fn answer_record(
        &mut self,
        id: Id,
        to: RecordState,
        answer: Option<&str>,
        by: Id,
    ) -> Result<(Record, Record)> {
        let before = record_in(&mut *self.tx, id).await?;
        self.day_open(before.organiser_id, &before.day).await?;
        let now = now_ms();
        let from = match to {
            RecordState::Confirmed => "'declared', 'rejected'",
            RecordState::Rejected => "'declared', 'confirmed'",
            RecordState::Withdrawn => "'declared'",
            RecordState::Declared => return Err(StorageError::Conflict),
        };
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE records SET state = $1, answer = $2, answered_by = $3, answered_at = $4,
                version = version + 1, updated_by = $3, updated_at = $4
             WHERE id = $5 AND by_district = 0 AND state IN ({from})"
        )))
        .bind(to.as_str())
        .bind(answer)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        let after = record_in(&mut *self.tx, id).await?;
        Ok((before, after))
    }

    /// A person decides about a flagged record: the same as the other (not counted) or
    /// one of its own (counted). `Conflict` when it is no longer flagged.
    pub async fn decide_like(&mut self, id: Id, to: LikeState, by: Id) -> Result<(Record, Record)> {
        let before = record_in(&mut *self.tx, id).await?;
        self.day_open(before.organiser_id, &before.day).await?;
        let done = sqlx::query(
            "UPDATE records SET like_state = $1, version = version + 1, updated_by = $2, updated_at = $3
             WHERE id = $4 AND like_state IS NOT NULL",
        )
        .bind(to.as_str())
        .bind(by)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        let after = record_in(&mut *self.tx, id).await?;
        Ok((before, after))
    }

    /// Attaches evidence to a record (its campaign and item say where it was declared).
    pub async fn add_record_evidence(
        &mut self,
        record_id: Id,
        new: &NewEvidence,
    ) -> Result<Evidence> {
        let r = record_in(&mut *self.tx, record_id).await?;
        self.day_open(r.organiser_id, &r.day).await?;
        self.insert_evidence(new, Some(record_id)).await
    }
}
