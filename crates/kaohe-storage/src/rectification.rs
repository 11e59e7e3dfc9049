//! Rectification (整改): problems, the campaign's deadline for them, and each step of
//! the loop. A step moves a problem only from a state [`ProblemState::after`] allows,
//! checked in the step's own statement; the campaign's lock does not freeze any of it.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::*;

fn problem(r: &AnyRow) -> Result<Problem> {
    let state: String = r.try_get("state")?;
    Ok(Problem {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        unit_id: r.try_get("unit_id")?,
        item_id: r.try_get("item_id")?,
        rule_index: r.try_get("rule_index")?,
        found: r.try_get("found")?,
        points: r.try_get("points")?,
        remedy: r.try_get("remedy")?,
        state: decode("problem state", &state, ProblemState::parse)?,
        deadline: r.try_get("deadline")?,
        measures: r.try_get("measures")?,
        responsible: r.try_get("responsible")?,
        planned_date: r.try_get("planned_date")?,
        report: r.try_get("report")?,
        reported_at: r.try_get("reported_at")?,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        merged_into: r.try_get("merged_into")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLS: &str = "id, campaign_id, unit_id, item_id, rule_index, found, points, remedy, state, deadline, measures, responsible, planned_date, report, reported_at, answer, answered_by, answered_at, merged_into, created_by, created_at";

async fn problem_in<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Id,
) -> Result<Problem> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM problems WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .ok_or(StorageError::NotFound)?;
    problem(&row)
}

/// Why sync drops a generated problem: its rule no longer takes points. A problem
/// dropped with exactly this reason comes back if its rule takes points again.
pub const NO_LONGER_LOST: &str = "结果重新计算后，本条不再失分";

/// A step taken: the problem as it was in the step's transaction, and as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepped {
    pub before: Problem,
    pub after: Problem,
}

/// The stored states a step may start from, as an SQL list (`'open', 'planned'`).
fn from_states(step: ProblemStep) -> String {
    ProblemState::ALL
        .iter()
        .filter(|s| s.after(step).is_some())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// A campaign's problems, by unit then as they were added.
    pub async fn problems(&self, campaign_id: Id) -> Result<Vec<Problem>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM problems WHERE campaign_id = $1 ORDER BY unit_id, id"
        )))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(problem).collect()
    }

    /// How many problems of a campaign are in `state`, by item: what a department's
    /// home page counts, without reading the problems.
    pub async fn problems_in_state(
        &self,
        campaign_id: Id,
        state: ProblemState,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT item_id, COUNT(*) AS n FROM problems WHERE campaign_id = $1 AND state = $2
             GROUP BY item_id",
        )
        .bind(campaign_id)
        .bind(state.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("item_id")?, r.try_get("n")?)))
            .collect()
    }

    /// How many problems of a campaign are still open (neither signed off nor dropped),
    /// by unit.
    pub async fn open_problems_by_unit(&self, campaign_id: Id) -> Result<Vec<(Id, i64)>> {
        let rows = sqlx::query(
            "SELECT unit_id, COUNT(*) AS n FROM problems
             WHERE campaign_id = $1 AND state NOT IN ($2, $3) GROUP BY unit_id",
        )
        .bind(campaign_id)
        .bind(ProblemState::SignedOff.as_str())
        .bind(ProblemState::Dropped.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, r.try_get("n")?)))
            .collect()
    }

    /// How many problems of a campaign are open (neither signed off nor dropped), and
    /// how many of those are overdue on `today` (`YYYY-MM-DD`): the unit still owes a
    /// plan or a report and its deadline (its own, else `deadline`, the campaign's) has
    /// passed. Counted in SQL: what the admin's overview says of a province's thousands.
    pub async fn problem_counts(
        &self,
        campaign_id: Id,
        deadline: Option<&str>,
        today: &str,
    ) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS open,
                    COALESCE(SUM(CASE WHEN state IN ($4, $5, $6)
                                       AND COALESCE(deadline, $7) < $8 THEN 1 ELSE 0 END), 0)
                      AS late
             FROM problems WHERE campaign_id = $1 AND state NOT IN ($2, $3)",
        )
        .bind(campaign_id)
        .bind(ProblemState::SignedOff.as_str())
        .bind(ProblemState::Dropped.as_str())
        .bind(ProblemState::Open.as_str())
        .bind(ProblemState::Planned.as_str())
        .bind(ProblemState::Returned.as_str())
        .bind(deadline)
        .bind(today)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("open")?, row.try_get("late")?))
    }

    /// One unit's problems in a campaign.
    pub async fn unit_problems(&self, campaign_id: Id, unit_id: Id) -> Result<Vec<Problem>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM problems WHERE campaign_id = $1 AND unit_id = $2 ORDER BY id"
        )))
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(problem).collect()
    }

    pub async fn problem(&self, id: Id) -> Result<Problem> {
        problem_in(&self.pool, id).await
    }

    /// The campaign's deadline for rectification (`YYYY-MM-DD`), once the admin set it.
    pub async fn rectify_deadline(&self, campaign_id: Id) -> Result<Option<String>> {
        let row = sqlx::query("SELECT rectify_deadline FROM campaigns WHERE id = $1")
            .bind(campaign_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        Ok(row.try_get("rectify_deadline")?)
    }
}

/// A value a step writes: text or a number (bound as its own type, which PostgreSQL
/// needs).
enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

fn text(s: &str) -> Val {
    Val::Text(Some(s.to_string()))
}

impl Work {
    /// Sets the campaign's deadline for rectification.
    pub async fn set_rectify_deadline(&mut self, campaign_id: Id, deadline: &str) -> Result<()> {
        let done = sqlx::query("UPDATE campaigns SET rectify_deadline = $1 WHERE id = $2")
            .bind(deadline)
            .bind(campaign_id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    /// Adds a problem; one generated from a rule that the unit already has is
    /// `Duplicate`.
    pub async fn add_problem(
        &mut self,
        campaign_id: Id,
        new: &NewProblem,
        user_id: Option<Id>,
    ) -> Result<Problem> {
        // The list is final at the lock: checked here, in the change's transaction.
        self.unfrozen(campaign_id).await?;
        let row = sqlx::query(
            "INSERT INTO problems (campaign_id, unit_id, item_id, rule_index, found, points, remedy, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id",
        )
        .bind(campaign_id)
        .bind(new.unit_id)
        .bind(&new.item_id)
        .bind(new.rule_index)
        .bind(&new.found)
        .bind(&new.points)
        .bind(&new.remedy)
        .bind(user_id)
        .bind(now_ms())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| crate::sql::unique(e, "problem"))?;
        problem_in(&mut *self.tx, row.try_get("id")?).await
    }

    /// Brings a unit's generated problems in line with its results as they now stand
    /// (after a recomputation while published): a rule that still takes points keeps
    /// its problem, with the words and points of now (an unfinished one; a finished one
    /// keeps its record), and one that sync had dropped comes back; a new one is added;
    /// one that no longer takes points is dropped with [`NO_LONGER_LOST`], unless it is
    /// finished or moves meanwhile. Problems found by hand are left alone. Returns
    /// (added, updated, dropped).
    pub async fn sync_problems(
        &mut self,
        campaign_id: Id,
        unit_id: Id,
        now: &[NewProblem],
        user_id: Option<Id>,
    ) -> Result<(usize, usize, usize)> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM problems WHERE campaign_id = $1 AND unit_id = $2 AND rule_index IS NOT NULL"
        )))
        .bind(campaign_id)
        .bind(unit_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let have: Vec<Problem> = rows.iter().map(problem).collect::<Result<_>>()?;
        let (mut added, mut updated, mut dropped) = (0, 0, 0);
        for n in now {
            let Some(p) = have
                .iter()
                .find(|p| p.item_id == n.item_id && p.rule_index == n.rule_index)
            else {
                self.add_problem(campaign_id, n, user_id).await?;
                added += 1;
                continue;
            };
            let by_sync = p.state == ProblemState::Dropped
                && p.merged_into.is_none()
                && p.answer.as_deref() == Some(NO_LONGER_LOST);
            let changed = p.found != n.found || p.points != n.points || p.remedy != n.remedy;
            if by_sync {
                // Taking points again: back on the list, from the start.
                sqlx::query(
                    "UPDATE problems SET state = 'open', found = $1, points = $2, remedy = $3,
                       answer = NULL, answered_by = NULL, answered_at = NULL WHERE id = $4",
                )
                .bind(&n.found)
                .bind(&n.points)
                .bind(&n.remedy)
                .bind(p.id)
                .execute(&mut *self.tx)
                .await?;
                added += 1;
            } else if changed && !p.state.closed() {
                sqlx::query(
                    "UPDATE problems SET found = $1, points = $2, remedy = $3 WHERE id = $4",
                )
                .bind(&n.found)
                .bind(&n.points)
                .bind(&n.remedy)
                .bind(p.id)
                .execute(&mut *self.tx)
                .await?;
                updated += 1;
            }
        }
        for p in &have {
            let still = now
                .iter()
                .any(|n| p.item_id == n.item_id && p.rule_index == n.rule_index);
            if still || p.state.after(ProblemStep::Drop).is_none() {
                continue;
            }
            let set = [("answer", text(NO_LONGER_LOST))];
            match self.step(p.id, ProblemStep::Drop, &set, user_id).await {
                Ok(_) => dropped += 1,
                // Finished by its department meanwhile: it keeps its record.
                Err(StorageError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((added, updated, dropped))
    }

    /// Moves a problem one step, from a state the step allows; `Conflict` when it is no
    /// longer in one (someone else moved it meanwhile). `set` are the columns the step
    /// writes besides the state.
    async fn step(
        &mut self,
        id: Id,
        step: ProblemStep,
        set: &[(&str, Val)],
        answered_by: Option<Id>,
    ) -> Result<Stepped> {
        let before = problem_in(&mut *self.tx, id).await?;
        let Some(to) = before.state.after(step) else {
            return Err(StorageError::Conflict);
        };
        let mut sql = "UPDATE problems SET state = $1".to_string();
        for (n, (column, _)) in set.iter().enumerate() {
            sql.push_str(&format!(", {column} = ${}", n + 2));
        }
        let at = set.len() + 2;
        if answered_by.is_some() {
            sql.push_str(&format!(", answered_by = ${at}, answered_at = ${}", at + 1));
        }
        let id_at = if answered_by.is_some() { at + 2 } else { at };
        sql.push_str(&format!(
            " WHERE id = ${id_at} AND state IN ({})",
            from_states(step)
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.as_str());
        for (_, value) in set {
            q = match value {
                Val::Text(t) => q.bind(t.clone()),
                Val::Int(i) => q.bind(*i),
            };
        }
        if let Some(user) = answered_by {
            q = q.bind(user).bind(now_ms());
        }
        let done = q.bind(id).execute(&mut *self.tx).await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict);
        }
        let after = problem_in(&mut *self.tx, id).await?;
        Ok(Stepped { before, after })
    }

    /// The unit's plan: its measures, who is responsible and its own date.
    pub async fn plan_problem(
        &mut self,
        id: Id,
        measures: &str,
        responsible: &str,
        planned_date: &str,
    ) -> Result<Stepped> {
        self.step(
            id,
            ProblemStep::Plan,
            &[
                ("measures", text(measures)),
                ("responsible", text(responsible)),
                ("planned_date", text(planned_date)),
            ],
            None,
        )
        .await
    }

    /// The unit reports what it did (its files are added beside, in this work).
    pub async fn report_problem(&mut self, id: Id, report: &str) -> Result<Stepped> {
        self.step(
            id,
            ProblemStep::Report,
            &[
                ("report", text(report)),
                ("reported_at", Val::Int(Some(now_ms()))),
            ],
            None,
        )
        .await
    }

    /// The department signs the problem off (`sign_off`) or returns it with a reason.
    pub async fn answer_problem(
        &mut self,
        id: Id,
        sign_off: bool,
        answer: &str,
        user_id: Id,
    ) -> Result<Stepped> {
        let step = if sign_off {
            ProblemStep::SignOff
        } else {
            ProblemStep::Return
        };
        self.step(id, step, &[("answer", text(answer))], Some(user_id))
            .await
    }

    /// The district takes a problem off the list with a reason, or merges it into
    /// another of the same unit.
    pub async fn drop_problem(
        &mut self,
        id: Id,
        reason: &str,
        merged_into: Option<Id>,
        user_id: Option<Id>,
    ) -> Result<Stepped> {
        // The list is final at the lock: checked here, in the change's transaction.
        let this = problem_in(&mut *self.tx, id).await?;
        self.unfrozen(this.campaign_id).await?;
        if let Some(into) = merged_into {
            // Merged into an unfinished problem of the same unit, as it is now.
            let target = problem_in(&mut *self.tx, into).await?;
            if target.id == id
                || target.campaign_id != this.campaign_id
                || target.unit_id != this.unit_id
                || target.state.closed()
            {
                return Err(StorageError::Conflict);
            }
        }
        let set = [
            ("answer", text(reason)),
            ("merged_into", Val::Int(merged_into)),
        ];
        self.step(id, ProblemStep::Drop, &set, user_id).await
    }

    /// Sets a problem's own deadline (`None`: the campaign's again).
    pub async fn set_problem_deadline(&mut self, id: Id, deadline: Option<&str>) -> Result<()> {
        let done = sqlx::query("UPDATE problems SET deadline = $1 WHERE id = $2")
            .bind(deadline)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
