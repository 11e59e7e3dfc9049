//! Rectification (整改): when results are published, every rule that took points from a
//! unit becomes a problem (问题清单) with what was found, the points and the gap
//! advisor's remedy; the district adds problems found by hand and drops or merges
//! generated ones with a reason until the lock. Then the loop: the admin sets the
//! deadline (adjustable per problem); the unit writes a plan (measures, who, its own
//! date within the deadline) and reports what it did with evidence; the item's
//! department signs it off (销号) or returns it with a reason. Overdue problems show in
//! red here and as notices on the unit's and the admin's pages. Every step is audited;
//! the lock does not freeze any of it. The unit sees its own problems, an assessor those
//! of their department's items, the admin and leaders all.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::{Decimal, Facts, Rubric, fmt_decimal as f};
use kaohe_formats::export::{self, Rectification, RectifyProblem};
use kaohe_storage::{
    Assignment, Campaign, Id, NewProblem, Problem, ProblemState, ProblemStep, Role, Stepped,
    StorageError, Work,
};
use serde::Deserialize;
use time::Date;
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, commit};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path, valid_date};
use crate::http::layout::{Layout, Pager, china_time, human_size};
use crate::http::upload::Upload;
use crate::year::evidence::{chosen_files, safe_name};
use crate::year::exports::send_as;
use crate::year::snapshot::{Snapshot, UnitResult};
use crate::year::{Action, Year, parse_date, scoring};
use std::collections::HashSet;

// ── problems from the rules ─────────────────────────────────────────────────────────

/// A unit's verified facts as its published result used them (the snapshot keeps, for
/// every item, each fact its score read).
fn published_facts(rubric: &Rubric, unit: &UnitResult) -> Facts {
    let mut facts = Facts::new(rubric);
    for fact in unit.items.iter().flat_map(|i| &i.facts) {
        if let Some(slot) = rubric.slot(&fact.key)
            && let Ok(value) = rubric.parse_value(slot, &fact.value)
        {
            facts.set(slot, value);
        }
    }
    facts
}

/// A unit's problems from its published result: one per rule that took points.
pub fn problems_of(rubric: &Rubric, unit: &UnitResult) -> Vec<NewProblem> {
    let facts = published_facts(rubric, unit);
    let scored = kaohe_core::score(rubric, &facts);
    kaohe_core::gaps::problems(rubric, &facts, &scored)
        .into_iter()
        .map(|p| NewProblem {
            unit_id: unit.unit_id,
            item_id: rubric.items()[p.item].id.clone(),
            rule_index: Some(p.rule as i64),
            found: p.lines.join("；"),
            points: Some(f(p.points)),
            remedy: Some(p.remedy),
        })
        .collect()
}

/// The problems of the snapshot's units (or of `only`), computed before the change's
/// unit of work begins, so that it holds the write briefly.
pub fn found(rubric: &Rubric, snapshot: &Snapshot, only: Option<Id>) -> Vec<(Id, Vec<NewProblem>)> {
    snapshot
        .units
        .iter()
        .filter(|u| only.is_none_or(|o| o == u.unit_id))
        .map(|u| (u.unit_id, problems_of(rubric, u)))
        .collect()
}

/// Brings the generated problems of these units in line with `found`, in the caller's
/// unit of work: at publication, after an accepted appeal and after a recomputation
/// while published. Returns the audit change it makes, if any.
pub async fn sync(
    work: &mut Work,
    campaign_id: Id,
    found: &[(Id, Vec<NewProblem>)],
    user: Id,
) -> AppResult<Option<serde_json::Value>> {
    let (mut added, mut updated, mut dropped) = (0, 0, 0);
    for (unit, now) in found {
        let (a, u, d) = work
            .sync_problems(campaign_id, *unit, now, Some(user))
            .await?;
        added += a;
        updated += u;
        dropped += d;
    }
    if added + updated + dropped == 0 {
        return Ok(None);
    }
    let mut parts = Vec::new();
    if added > 0 {
        parts.push(format!("新增 {added} 个"));
    }
    if updated > 0 {
        parts.push(format!("更新 {updated} 个"));
    }
    if dropped > 0 {
        parts.push(format!("撤销 {dropped} 个"));
    }
    Ok(Some(change(
        "problems",
        serde_json::Value::Null,
        parts.join("，"),
    )))
}

// ── who sees what ───────────────────────────────────────────────────────────────────

/// What the current user may see and do in a campaign's rectification.
struct Scope {
    year: Year,
    rubric: std::sync::Arc<Rubric>,
    assignment: Assignment,
    /// The campaign's deadline, once set.
    deadline: Option<String>,
}

impl Scope {
    async fn load(state: &AppState, me: &CurrentUser, cid: Id) -> AppResult<Scope> {
        let year = Year::load(state, me.org(), cid).await?;
        let rubric = scoring::rubric(state, me.org(), year.campaign.rubric_id).await?;
        let assignment = state.store.assignment(me.org(), cid).await?;
        let deadline = state.store.rectify_deadline(cid).await?;
        Ok(Scope {
            year,
            rubric,
            assignment,
            deadline,
        })
    }

    fn campaign(&self) -> &Campaign {
        &self.year.campaign
    }

    /// Whether the user sees this problem: the unit its own, an assessor its
    /// department's items, the admin and leaders all.
    fn sees(&self, me: &CurrentUser, p: &Problem) -> bool {
        match me.role() {
            Role::Admin | Role::Viewer => true,
            Role::Reporter => me.user.unit_id == Some(p.unit_id),
            Role::Assessor => self.assignment.reviews(me.user.department_id, &p.item_id),
            Role::Auditor => false,
        }
    }

    /// Whether the user answers for this problem (signs it off or returns it): an
    /// assessor of the item's department.
    fn answers(&self, me: &CurrentUser, p: &Problem) -> bool {
        me.role() == Role::Assessor && self.assignment.reviews(me.user.department_id, &p.item_id)
    }

    /// The problem's deadline: its own, else the campaign's.
    fn deadline_of<'a>(&'a self, p: &'a Problem) -> Option<&'a str> {
        p.deadline.as_deref().or(self.deadline.as_deref())
    }

    /// Whether the unit owes something past the deadline.
    fn overdue(&self, p: &Problem) -> bool {
        overdue(p, self.deadline.as_deref(), self.year.today)
    }

    /// `基础工作第1项 组织领导`.
    fn item_words(&self, item: &str) -> String {
        match self.rubric.items().iter().position(|i| i.id == item) {
            Some(ii) => format!(
                "{} {}",
                self.rubric.item_ref(ii),
                self.rubric.items()[ii].name.clone().unwrap_or_default()
            ),
            None => "一个考核项目".to_string(),
        }
    }
}

/// Whether a problem is overdue on `today`: the unit still owes a plan or a report, and
/// its deadline (its own, else the campaign's `deadline`) has passed.
pub fn overdue(p: &Problem, deadline: Option<&str>, today: Date) -> bool {
    p.state.owed_by_unit()
        && p.deadline
            .as_deref()
            .or(deadline)
            .and_then(parse_date)
            .is_some_and(|d| today > d)
}

/// A unit's or the organiser's open rectification, for the notices on home pages:
/// (problems not finished, of which overdue): of one unit (read alone), or of all.
pub async fn open_counts(
    state: &AppState,
    campaign_id: Id,
    unit: Option<Id>,
) -> AppResult<(usize, usize)> {
    let today = crate::year::today();
    let Some(uid) = unit else {
        // All of them: counted in SQL.
        let deadline = state.store.rectify_deadline(campaign_id).await?;
        let (open, late) = state
            .store
            .problem_counts(campaign_id, deadline.as_deref(), &today.to_string())
            .await?;
        return Ok((
            usize::try_from(open).unwrap_or(0),
            usize::try_from(late).unwrap_or(0),
        ));
    };
    let problems = state.store.unit_problems(campaign_id, uid).await?;
    if problems.is_empty() {
        return Ok((0, 0));
    }
    let deadline = state.store.rectify_deadline(campaign_id).await?;
    let mut open = 0;
    let mut late = 0;
    for p in problems.iter().filter(|p| !p.state.closed()) {
        open += 1;
        if overdue(p, deadline.as_deref(), today) {
            late += 1;
        }
    }
    Ok((open, late))
}

// ── last year's problems, beside this year's items ─────────────────────────────────

/// A problem of last year as next year's pages show it beside its item.
pub struct PastProblem {
    pub item_id: String,
    pub found: String,
    pub state: &'static str,
    /// Signed off (销号): rectified.
    pub done: bool,
}

/// Last year's campaign for `campaign`: its predecessor (set when it was copied, and by
/// the admin), else the latest earlier year's.
pub async fn predecessor(state: &AppState, campaign: &Campaign) -> AppResult<Option<Campaign>> {
    let all = state.store.campaigns(campaign.organiser_id).await?;
    Ok(match campaign.predecessor_id {
        Some(p) => all.into_iter().find(|c| c.id == p),
        None => all
            .into_iter()
            .filter(|c| c.year < campaign.year)
            .max_by_key(|c| (c.year, c.id)),
    })
}

/// A unit's problems of last year (not the dropped ones), with that year: what next
/// year's self-check and review show beside each item.
pub async fn last_year(
    state: &AppState,
    campaign: &Campaign,
    unit_id: Id,
) -> AppResult<Option<(i64, Vec<PastProblem>)>> {
    let Some(prev) = predecessor(state, campaign).await? else {
        return Ok(None);
    };
    let problems: Vec<PastProblem> = state
        .store
        .unit_problems(prev.id, unit_id)
        .await?
        .into_iter()
        .filter(|p| p.state != ProblemState::Dropped)
        .map(|p| PastProblem {
            item_id: p.item_id,
            found: p.found,
            state: if p.state == ProblemState::SignedOff {
                "已销号"
            } else {
                "未整改到位"
            },
            done: p.state == ProblemState::SignedOff,
        })
        .collect();
    Ok((!problems.is_empty()).then_some((prev.year, problems)))
}

/// How many of a unit's problems of last year were not signed off (dropped ones aside):
/// the fact a rubric reads with `from = "last_year_unrectified"`. None without a
/// predecessor.
pub async fn unrectified(state: &AppState, campaign: &Campaign, unit_id: Id) -> AppResult<usize> {
    let Some(prev) = predecessor(state, campaign).await? else {
        return Ok(0);
    };
    Ok(state
        .store
        .unit_problems(prev.id, unit_id)
        .await?
        .iter()
        .filter(|p| !p.state.closed())
        .count())
}

/// [`unrectified`] for every unit of the campaign, by unit, in one query.
pub async fn unrectified_all(
    state: &AppState,
    campaign: &Campaign,
) -> AppResult<std::collections::HashMap<Id, usize>> {
    let mut open = std::collections::HashMap::new();
    if let Some(prev) = predecessor(state, campaign).await? {
        for (unit, n) in state.store.open_problems_by_unit(prev.id).await? {
            open.insert(unit, usize::try_from(n).unwrap_or(0));
        }
    }
    Ok(open)
}

fn state_class(s: ProblemState) -> &'static str {
    match s {
        ProblemState::Open | ProblemState::Returned => "draft",
        ProblemState::Planned | ProblemState::Reported => "empty",
        ProblemState::SignedOff => "done",
        ProblemState::Dropped => "empty",
    }
}

/// A user as a page names them: their name, else their user name.
fn person(u: &kaohe_storage::User) -> String {
    if u.display_name.trim().is_empty() {
        u.username.clone()
    } else {
        u.display_name.clone()
    }
}

fn points_text(p: &Problem) -> String {
    p.points.clone().unwrap_or_else(|| "—".to_string())
}

// ── the list ────────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    unit: String,
    item: String,
    /// `open` (not finished), `overdue`, or a stored state.
    state: String,
    saved: String,
    /// The page of problems shown, from 1.
    page: usize,
}

/// Problems on a page of the list: a province's year finds thousands.
const PROBLEMS_PER_PAGE: usize = 100;

struct Row {
    id: Id,
    unit: String,
    item: String,
    found: String,
    points: String,
    department: String,
    deadline: String,
    state: &'static str,
    state_class: &'static str,
    overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/rectify/list.html")]
struct ListPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    /// Why there is nothing to rectify yet (before publication).
    not_yet: Option<String>,
    deadline: String,
    can_set_deadline: bool,
    can_add: bool,
    list_closed: Option<String>,
    rows: Vec<Row>,
    pager: Pager,
    counts: Vec<(&'static str, usize)>,
    overdue: usize,
    q: ListQuery,
    unit_choices: Vec<(String, String)>,
    item_choices: Vec<(String, String)>,
    state_choices: Vec<(String, &'static str)>,
    /// The notices the user may download: (unit id, unit name).
    notices: Vec<(Id, String)>,
    ledger: bool,
    message: Option<&'static str>,
    today: String,
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = Scope::load(&state, &me, cid).await?;
    let units: std::collections::HashMap<Id, String> = state
        .store
        .units(me.org())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let unit_name = |id: Id| units.get(&id).cloned().unwrap_or_default();
    // A unit reads its own problems alone; the district's are thousands at a province.
    let problems = match (me.role(), me.user.unit_id) {
        (Role::Reporter, Some(uid)) => state.store.unit_problems(cid, uid).await?,
        _ => state.store.problems(cid).await?,
    };
    let problems: Vec<Problem> = problems
        .into_iter()
        .filter(|p| scope.sees(&me, p))
        .collect();
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for s in ProblemState::ALL {
        let n = problems.iter().filter(|p| p.state == s).count();
        if n > 0 {
            counts.push((s.label(), n));
        }
    }
    let overdue = problems.iter().filter(|p| scope.overdue(p)).count();
    let mut unit_choices: Vec<(String, String)> = Vec::new();
    let mut item_choices: Vec<(String, String)> = Vec::new();
    let (mut units_seen, mut items_seen) = (HashSet::new(), HashSet::new());
    for p in &problems {
        if units_seen.insert(p.unit_id) {
            unit_choices.push((p.unit_id.to_string(), unit_name(p.unit_id)));
        }
        if items_seen.insert(p.item_id.as_str()) {
            item_choices.push((p.item_id.clone(), scope.item_words(&p.item_id)));
        }
    }
    item_choices.sort_by_key(|(v, _)| scope.rubric.items().iter().position(|i| i.id == *v));
    let shown: Vec<&Problem> = problems
        .iter()
        .filter(|p| q.unit.is_empty() || q.unit == p.unit_id.to_string())
        .filter(|p| q.item.is_empty() || q.item == p.item_id)
        .filter(|p| match q.state.as_str() {
            "" => true,
            "open" => !p.state.closed(),
            "overdue" => scope.overdue(p),
            s => p.state.as_str() == s,
        })
        .collect();
    // A page of them, written out; the rest only counted.
    let filters = [("unit", &*q.unit), ("item", &*q.item), ("state", &*q.state)];
    let pager = Pager::new(
        q.page,
        shown.len(),
        PROBLEMS_PER_PAGE,
        "个",
        &crate::http::form::query_of(&filters),
    );
    let rows = pager
        .slice(&shown)
        .iter()
        .map(|p| Row {
            id: p.id,
            unit: unit_name(p.unit_id),
            item: scope.item_words(&p.item_id),
            found: p.found.clone(),
            points: points_text(p),
            department: scope.assignment.of(&p.item_id).name.clone(),
            deadline: scope.deadline_of(p).unwrap_or("未设定").to_string(),
            state: p.state.label(),
            state_class: state_class(p.state),
            overdue: scope.overdue(p),
        })
        .collect();
    let notices: Vec<(Id, String)> = match me.role() {
        Role::Reporter => me
            .user
            .unit_id
            .filter(|u| problems.iter().any(|p| p.unit_id == *u))
            .map(|u| vec![(u, unit_name(u))])
            .unwrap_or_default(),
        Role::Admin | Role::Viewer => unit_choices
            .iter()
            .filter_map(|(v, n)| Some((v.parse().ok()?, n.clone())))
            .collect(),
        _ => Vec::new(),
    };
    let campaign_units: Vec<(String, String)> = if me.role() == Role::Admin {
        state
            .store
            .campaign_units(cid)
            .await?
            .into_iter()
            .map(|cu| (cu.unit_id.to_string(), unit_name(cu.unit_id)))
            .collect()
    } else {
        Vec::new()
    };
    let not_yet = scope
        .year
        .allows(None, None, Action::ProblemPlan)
        .err()
        .map(|r| r.0);
    let list_closed = scope
        .year
        .allows(None, None, Action::ProblemAdd)
        .err()
        .filter(|_| not_yet.is_none())
        .map(|r| r.0);
    let is_admin = me.role() == Role::Admin;
    Ok(ListPage {
        layout: Layout::new(&state, &session, &me, "整改").await?,
        campaign_id: cid,
        title: scope.campaign().title.clone(),
        not_yet: not_yet.clone(),
        deadline: scope.deadline.clone().unwrap_or_default(),
        can_set_deadline: is_admin && not_yet.is_none(),
        can_add: is_admin && not_yet.is_none() && list_closed.is_none(),
        list_closed,
        rows,
        pager,
        counts,
        overdue,
        q,
        unit_choices: if is_admin {
            campaign_units
        } else {
            unit_choices
        },
        item_choices: if is_admin {
            scope
                .rubric
                .items()
                .iter()
                .map(|i| (i.id.clone(), scope.item_words(&i.id)))
                .collect()
        } else {
            item_choices
        },
        state_choices: ProblemState::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label()))
            .collect(),
        notices,
        ledger: matches!(me.role(), Role::Admin | Role::Viewer | Role::Assessor)
            && !problems.is_empty(),
        message: None,
        today: scope.year.today.to_string(),
    }
    .with_message()
    .into_response())
}

impl ListPage {
    fn with_message(mut self) -> Self {
        self.message = match self.q.saved.as_str() {
            "deadline" => Some("已保存整改期限。"),
            "added" => Some("已添加整改问题。"),
            _ => None,
        };
        self
    }
}

// ── one problem ─────────────────────────────────────────────────────────────────────

/// What the user typed, kept when the form is refused.
#[derive(Default, Clone)]
struct Typed {
    measures: String,
    responsible: String,
    planned_date: String,
    report: String,
    answer: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/rectify/problem.html")]
struct ProblemPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    id: Id,
    unit: String,
    item: String,
    criteria: String,
    found: String,
    points: String,
    remedy: String,
    department: String,
    deadline: String,
    own_deadline: String,
    state: &'static str,
    state_class: &'static str,
    overdue: bool,
    by_hand: bool,
    measures: String,
    responsible: String,
    planned_date: String,
    report: String,
    reported: String,
    answer: String,
    answered: String,
    merged_into: Option<Id>,
    evidence: Vec<(String, String)>,
    can_plan: bool,
    can_report: bool,
    can_answer: bool,
    can_drop: bool,
    can_deadline: bool,
    /// Why the year does not allow the loop now, if it does not.
    closed: Option<String>,
    merge_choices: Vec<(Id, String)>,
    typed: Typed,
    error: Option<String>,
    max_upload: String,
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    pid: Id,
    typed: Option<Typed>,
    error: Option<String>,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let p = state.store.problem(pid).await?;
    if p.campaign_id != cid {
        return Err(AppError::NotFound);
    }
    if !scope.sees(me, &p) {
        return Err(AppError::Forbidden);
    }
    let unit = state.store.unit(me.org(), p.unit_id).await?;
    let ii = scope.rubric.items().iter().position(|i| i.id == p.item_id);
    let own = me.role() == Role::Reporter && me.user.unit_id == Some(p.unit_id);
    let loop_ok = scope.year.allows(None, None, Action::ProblemPlan);
    let list_ok = scope.year.allows(None, None, Action::ProblemDrop).is_ok();
    let evidence = state
        .store
        .evidence_list(cid, p.unit_id)
        .await?
        .into_iter()
        .filter(|e| e.problem_id == Some(p.id))
        .map(|e| {
            // Files are for those who work with the unit's reports; a leader sees
            // that they are there.
            let href = if me.role() == Role::Viewer {
                String::new()
            } else {
                format!("/c/{cid}/u/{}/evidence/{}", p.unit_id, e.id)
            };
            (href, safe_name(&e.filename, &e.content_type))
        })
        .collect();
    let merge_choices = if me.role() == Role::Admin {
        state
            .store
            .unit_problems(cid, p.unit_id)
            .await?
            .into_iter()
            .filter(|o| o.id != p.id && !o.state.closed())
            .map(|o| {
                (
                    o.id,
                    format!("{}：{}", scope.item_words(&o.item_id), o.found),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let users = state.store.users(me.org()).await?;
    let answered = match (p.answered_by, p.answered_at) {
        (Some(u), Some(at)) => format!(
            "{} {}",
            users
                .iter()
                .find(|x| x.id == u)
                .map(person)
                .unwrap_or_default(),
            china_time(at)
        ),
        (None, Some(at)) => china_time(at),
        _ => String::new(),
    };
    let typed = typed.unwrap_or_else(|| Typed {
        measures: p.measures.clone().unwrap_or_default(),
        responsible: p.responsible.clone().unwrap_or_default(),
        planned_date: p.planned_date.clone().unwrap_or_default(),
        report: p.report.clone().unwrap_or_default(),
        ..Typed::default()
    });
    Ok(ProblemPage {
        layout: Layout::new(state, session, me, "整改问题").await?,
        campaign_id: cid,
        title: scope.campaign().title.clone(),
        id: p.id,
        unit: unit.name,
        item: scope.item_words(&p.item_id),
        criteria: ii
            .map(|ii| scope.rubric.items()[ii].criteria.clone())
            .unwrap_or_default(),
        found: p.found.clone(),
        points: points_text(&p),
        remedy: p.remedy.clone().unwrap_or_default(),
        department: scope.assignment.of(&p.item_id).name.clone(),
        deadline: scope.deadline_of(&p).unwrap_or_default().to_string(),
        own_deadline: p.deadline.clone().unwrap_or_default(),
        state: p.state.label(),
        state_class: state_class(p.state),
        overdue: scope.overdue(&p),
        by_hand: p.rule_index.is_none(),
        measures: p.measures.clone().unwrap_or_default(),
        responsible: p.responsible.clone().unwrap_or_default(),
        planned_date: p.planned_date.clone().unwrap_or_default(),
        report: p.report.clone().unwrap_or_default(),
        reported: p.reported_at.map(china_time).unwrap_or_default(),
        answer: p.answer.clone().unwrap_or_default(),
        answered,
        merged_into: p.merged_into,
        evidence,
        can_plan: own && loop_ok.is_ok() && p.state.after(ProblemStep::Plan).is_some(),
        can_report: own && loop_ok.is_ok() && p.state.after(ProblemStep::Report).is_some(),
        can_answer: scope.answers(me, &p)
            && loop_ok.is_ok()
            && p.state.after(ProblemStep::SignOff).is_some(),
        can_drop: me.role() == Role::Admin && list_ok && p.state.after(ProblemStep::Drop).is_some(),
        can_deadline: me.role() == Role::Admin && loop_ok.is_ok() && !p.state.closed(),
        closed: loop_ok.err().map(|r| r.0),
        merge_choices,
        typed,
        error,
        max_upload: human_size(state.config.max_upload as i64),
    }
    .into_response())
}

pub async fn problem_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    render(&state, &session, &me, cid, pid, None, None).await
}

/// The problem `pid` of campaign `cid`, if the user may act on it as `allowed` says.
async fn the_problem(
    state: &AppState,
    me: &CurrentUser,
    cid: Id,
    pid: Id,
    allowed: impl Fn(&Scope, &Problem) -> bool,
) -> AppResult<(Scope, Problem)> {
    let scope = Scope::load(state, me, cid).await?;
    let p = state.store.problem(pid).await?;
    if p.campaign_id != cid {
        return Err(AppError::NotFound);
    }
    if !allowed(&scope, &p) {
        return Err(AppError::Forbidden);
    }
    Ok((scope, p))
}

fn target(p: &Problem) -> String {
    format!(
        "campaign:{}/unit:{}/item:{}/problem:{}",
        p.campaign_id, p.unit_id, p.item_id, p.id
    )
}

/// A step refused because the problem moved meanwhile (someone else acted on it).
const MOVED: &str =
    "这个问题的状态刚刚已有变化（可能有人同时处理了它），本次没有保存。请看当前状态后再操作。";

/// The page again after a step found the problem moved: what was typed, and why nothing
/// was saved.
async fn moved(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    (cid, pid): (Id, Id),
    typed: Typed,
) -> AppResult<Response> {
    render(
        state,
        session,
        me,
        cid,
        pid,
        Some(typed),
        Some(MOVED.into()),
    )
    .await
}

/// The audit change of a step: the state before and after (as the step's own
/// transaction read them), in words.
fn state_change(step: &Stepped) -> serde_json::Value {
    change(
        "rectify_state",
        step.before.state.label(),
        step.after.state.label(),
    )
}

fn too_long(what: &str, text: &str, max: usize) -> Option<String> {
    (text.chars().count() > max).then(|| format!("{what}太长（最多 {max} 字），请精简后再保存。"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    csrf: String,
    measures: String,
    responsible: String,
    planned_date: String,
}

/// The unit writes (or revises) its plan.
pub async fn plan(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
    Form(form): Form<PlanForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let (scope, p) = the_problem(&state, &me, cid, pid, |_, p| {
        me.user.unit_id == Some(p.unit_id)
    })
    .await?;
    let typed = Typed {
        measures: form.measures.trim().to_string(),
        responsible: form.responsible.trim().to_string(),
        planned_date: form.planned_date.trim().to_string(),
        ..Typed::default()
    };
    let deadline = scope.deadline_of(&p).map(str::to_string);
    let problem = if typed.measures.is_empty() {
        Some("请填写整改措施。".to_string())
    } else if typed.responsible.is_empty() {
        Some("请填写责任人。".to_string())
    } else if !valid_date(&typed.planned_date) {
        Some("请填写计划完成日期，格式如 2027-03-31。".to_string())
    } else if let Some(d) = deadline
        .as_deref()
        .filter(|d| typed.planned_date.as_str() > *d)
    {
        Some(format!(
            "计划完成日期 {} 晚于整改期限 {d}；请在期限内完成，确需延期请联系区里。",
            typed.planned_date
        ))
    } else {
        too_long("整改措施", &typed.measures, 2000)
            .or_else(|| too_long("责任人", &typed.responsible, 100))
    };
    if let Some(e) = problem {
        return render(&state, &session, &me, cid, pid, Some(typed), Some(e)).await;
    }
    let mut work = state.store.begin().await?;
    let done = match work
        .plan_problem(
            pid,
            &typed.measures,
            &typed.responsible,
            &typed.planned_date,
        )
        .await
    {
        Ok(a) => a,
        Err(StorageError::Conflict) => {
            drop(work);
            return moved(&state, &session, &me, (cid, pid), typed).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = Vec::new();
    let before = &done.before;
    if before.state != done.after.state {
        changes.push(state_change(&done));
    }
    for (field, old, new) in [
        ("measures", &before.measures, &typed.measures),
        ("responsible", &before.responsible, &typed.responsible),
        ("planned_date", &before.planned_date, &typed.planned_date),
    ] {
        if old.as_deref() != Some(new.as_str()) {
            changes.push(change(field, old.clone(), new.clone()));
        }
    }
    commit(work, &me, Action::ProblemPlan, target(&p), None, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response())
}

/// The unit reports what it did, with its files: all stored with the step, or none.
pub async fn report(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    let (_, p) = the_problem(&state, &me, cid, pid, |_, p| {
        me.user.unit_id == Some(p.unit_id)
    })
    .await?;
    let typed = Typed {
        report: form.field("report").trim().to_string(),
        ..Typed::default()
    };
    let again = |e: String| {
        render(
            &state,
            &session,
            &me,
            cid,
            pid,
            Some(typed.clone()),
            Some(e),
        )
    };
    if p.state == ProblemState::Open {
        return again("请先填写整改计划，再报送完成情况。".into()).await;
    }
    if typed.report.is_empty() {
        return again("请写明整改完成情况。".into()).await;
    }
    if let Some(e) = too_long("整改完成情况", &typed.report, 4000) {
        return again(e).await;
    }
    let files = match chosen_files(&form, state.config.max_upload) {
        Ok(files) => files,
        Err(AppError::BadRequest(m)) => {
            return again(format!("{m}本次什么都没有保存；您填的内容都还在。")).await;
        }
        Err(e) => return Err(e),
    };
    let mut work = state.store.begin().await?;
    let done = match work.report_problem(pid, &typed.report).await {
        Ok(a) => a,
        Err(StorageError::Conflict) => {
            drop(work);
            return again(MOVED.into()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![
        state_change(&done),
        change("report", done.before.report.clone(), typed.report.clone()),
    ];
    for (mut new, _) in files {
        new.campaign_id = cid;
        new.unit_id = p.unit_id;
        new.item_id = p.item_id.clone();
        new.uploaded_by = Some(me.user.id);
        new.problem_id = Some(p.id);
        changes.push(change(
            "file",
            serde_json::Value::Null,
            new.filename.clone(),
        ));
        work.add_evidence(&new).await?;
    }
    commit(work, &me, Action::ProblemReport, target(&p), None, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    decision: String,
    answer: String,
}

/// The department signs a reported problem off, or returns it with a reason.
pub async fn answer(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let (_, p) = the_problem(&state, &me, cid, pid, |s, p| s.answers(&me, p)).await?;
    let answer = form.answer.trim().to_string();
    let typed = Typed {
        answer: answer.clone(),
        ..Typed::default()
    };
    let sign_off = match form.decision.as_str() {
        "signoff" => true,
        "return" => false,
        _ => {
            return render(
                &state,
                &session,
                &me,
                cid,
                pid,
                Some(typed),
                Some("请选择销号或退回。".into()),
            )
            .await;
        }
    };
    if !sign_off && answer.is_empty() {
        let e = "退回时请写明理由（单位将看到），以便继续整改。".to_string();
        return render(&state, &session, &me, cid, pid, Some(typed), Some(e)).await;
    }
    if let Some(e) = too_long("审核意见", &answer, 2000) {
        return render(&state, &session, &me, cid, pid, Some(typed), Some(e)).await;
    }
    let mut work = state.store.begin().await?;
    let done = match work
        .answer_problem(pid, sign_off, &answer, me.user.id)
        .await
    {
        Ok(a) => a,
        Err(StorageError::Conflict) => {
            drop(work);
            return moved(&state, &session, &me, (cid, pid), typed).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![state_change(&done)];
    if !answer.is_empty() {
        changes.push(change("answer", done.before.answer.clone(), answer.clone()));
    }
    let action = if sign_off {
        Action::ProblemSignOff
    } else {
        Action::ProblemReturn
    };
    let reason = (!answer.is_empty()).then_some(answer.as_str());
    commit(work, &me, action, target(&p), reason, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DropForm {
    csrf: String,
    reason: String,
    /// Another problem of the same unit to merge this one into, or empty.
    into: String,
}

/// The district drops a problem with a reason, or merges it into another of the unit.
pub async fn drop_problem(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
    Form(form): Form<DropForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let (scope, p) = the_problem(&state, &me, cid, pid, |_, _| me.role() == Role::Admin).await?;
    let reason = form.reason.trim().to_string();
    let typed = Typed {
        reason: reason.clone(),
        ..Typed::default()
    };
    if reason.is_empty() {
        let e = "撤销或合并时请写明理由。".to_string();
        return render(&state, &session, &me, cid, pid, Some(typed), Some(e)).await;
    }
    if let Some(e) = too_long("理由", &reason, 1000) {
        return render(&state, &session, &me, cid, pid, Some(typed), Some(e)).await;
    }
    let into = match form.into.trim() {
        "" => None,
        v => {
            let other = v
                .parse::<Id>()
                .ok()
                .filter(|o| *o != pid)
                .ok_or_else(|| AppError::BadRequest("请选择要并入的问题。".into()))?;
            let o = state.store.problem(other).await?;
            if o.campaign_id != cid || o.unit_id != p.unit_id || o.state.closed() {
                return Err(AppError::BadRequest(
                    "只能并入本单位另一个未完成的问题。".into(),
                ));
            }
            Some(o)
        }
    };
    let mut work = state.store.begin().await?;
    let done = match work
        .drop_problem(pid, &reason, into.as_ref().map(|o| o.id), Some(me.user.id))
        .await
    {
        Ok(a) => a,
        Err(StorageError::Conflict) => {
            drop(work);
            return moved(&state, &session, &me, (cid, pid), typed).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![state_change(&done)];
    let action = match &into {
        Some(o) => {
            changes.push(change(
                "merged_into",
                serde_json::Value::Null,
                format!("{}：{}", scope.item_words(&o.item_id), o.found),
            ));
            Action::ProblemMerge
        }
        None => Action::ProblemDrop,
    };
    commit(work, &me, action, target(&p), Some(&reason), changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeadlineForm {
    csrf: String,
    deadline: String,
}

/// The admin sets one problem's own deadline (empty: the campaign's again).
pub async fn problem_deadline(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, pid)): Path<(Id, Id)>,
    Form(form): Form<DeadlineForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let (_, p) = the_problem(&state, &me, cid, pid, |_, _| me.role() == Role::Admin).await?;
    if p.state.closed() {
        return Err(AppError::BadRequest(
            "未保存：这个问题已经销号或撤销，不再有期限。".into(),
        ));
    }
    let deadline = form.deadline.trim();
    if !deadline.is_empty() && !valid_date(deadline) {
        let e = "请按 2027-03-31 的格式填写日期；留空则按任务的整改期限。".to_string();
        return render(&state, &session, &me, cid, pid, None, Some(e)).await;
    }
    let new = (!deadline.is_empty()).then_some(deadline);
    if p.deadline.as_deref() == new {
        return Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response());
    }
    let mut work = state.store.begin().await?;
    work.set_problem_deadline(pid, new).await?;
    let changes = vec![change("rectify_deadline", p.deadline.clone(), new)];
    commit(
        work,
        &me,
        Action::ProblemDeadline,
        target(&p),
        None,
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify/{pid}")).into_response())
}

/// The admin sets the campaign's deadline for rectification.
pub async fn deadline(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<DeadlineForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    state.store.campaign(me.org(), cid).await?;
    let deadline = form.deadline.trim();
    if !valid_date(deadline) {
        return Err(AppError::BadRequest(
            "未保存：请按 2027-03-31 的格式填写整改期限。".into(),
        ));
    }
    let old = state.store.rectify_deadline(cid).await?;
    let mut work = state.store.begin().await?;
    work.set_rectify_deadline(cid, deadline).await?;
    let changes = vec![change("rectify_deadline", old, deadline)];
    commit(
        work,
        &me,
        Action::RectifyDeadline,
        format!("campaign:{cid}"),
        None,
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify?saved=deadline")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    unit: String,
    item: String,
    found: String,
    deadline: String,
}

/// The district adds a problem found by hand (at an inspection).
pub async fn add(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let unit_id: Id = form
        .unit
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("未添加：请选择单位。".into()))?;
    if !state
        .store
        .campaign_units(cid)
        .await?
        .iter()
        .any(|cu| cu.unit_id == unit_id)
    {
        return Err(AppError::BadRequest(
            "未添加：该单位不在本次考核中。".into(),
        ));
    }
    let item = form.item.trim();
    if scope.rubric.item(item).is_none() {
        return Err(AppError::BadRequest("未添加：请选择考核项目。".into()));
    }
    let found = form.found.trim();
    if found.is_empty() {
        return Err(AppError::BadRequest(
            "未添加：请写明发现的问题（单位将看到）。".into(),
        ));
    }
    if let Some(e) = too_long("问题描述", found, 2000) {
        return Err(AppError::BadRequest(format!("未添加：{e}")));
    }
    let deadline = form.deadline.trim();
    if !deadline.is_empty() && !valid_date(deadline) {
        return Err(AppError::BadRequest(
            "未添加：期限请按 2027-03-31 的格式填写，或留空按任务的整改期限。".into(),
        ));
    }
    let mut work = state.store.begin().await?;
    let p = work
        .add_problem(
            cid,
            &NewProblem {
                unit_id,
                item_id: item.to_string(),
                rule_index: None,
                found: found.to_string(),
                points: None,
                remedy: None,
            },
            Some(me.user.id),
        )
        .await?;
    let mut changes = vec![change("found", serde_json::Value::Null, found)];
    if !deadline.is_empty() {
        work.set_problem_deadline(p.id, Some(deadline)).await?;
        changes.push(change(
            "rectify_deadline",
            serde_json::Value::Null,
            deadline,
        ));
    }
    commit(work, &me, Action::ProblemAdd, target(&p), None, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/rectify?saved=added")).into_response())
}

// ── documents ───────────────────────────────────────────────────────────────────────

/// The campaign's rectification as the documents need it, for the problems the user
/// sees (of `unit` only, when given).
async fn documents(
    state: &AppState,
    me: &CurrentUser,
    scope: &Scope,
    unit: Option<Id>,
) -> AppResult<Rectification> {
    let cid = scope.campaign().id;
    let units = state.store.units(me.org()).await?;
    let users = state.store.users(me.org()).await?;
    let name = |id: Id| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let problems = state
        .store
        .problems(cid)
        .await?
        .into_iter()
        .filter(|p| scope.sees(me, p) && unit.is_none_or(|u| u == p.unit_id))
        .map(|p| RectifyProblem {
            unit: name(p.unit_id),
            item: scope.item_words(&p.item_id),
            found: p.found.clone(),
            points: p.points.as_deref().and_then(|t| t.parse::<Decimal>().ok()),
            remedy: p.remedy.clone().unwrap_or_default(),
            department: scope.assignment.of(&p.item_id).name.clone(),
            deadline: scope.deadline_of(&p).unwrap_or_default().to_string(),
            measures: p.measures.clone().unwrap_or_default(),
            responsible: p.responsible.clone().unwrap_or_default(),
            planned_date: p.planned_date.clone().unwrap_or_default(),
            state: p.state.label().to_string(),
            reported: p.reported_at.map(china_time).unwrap_or_default(),
            report: p.report.clone().unwrap_or_default(),
            answer: p.answer.clone().unwrap_or_default(),
            answered_by: p
                .answered_by
                .and_then(|u| users.iter().find(|x| x.id == u))
                .map(person)
                .unwrap_or_default(),
            answered_at: p.answered_at.map(china_time).unwrap_or_default(),
            overdue: scope.overdue(&p),
        })
        .collect();
    Ok(Rectification {
        organiser: me.organiser.name.clone(),
        title: scope.campaign().title.clone(),
        deadline: scope.deadline.clone().unwrap_or_default(),
        today: scope.year.today.to_string(),
        problems,
        demo: me.organiser.is_demo,
    })
}

/// A unit's 整改通知 (Word): for the unit itself, the admin and leaders.
pub async fn notice_docx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let scope = Scope::load(&state, &me, cid).await?;
    let allowed = match me.role() {
        Role::Admin | Role::Viewer => true,
        Role::Reporter => me.user.unit_id == Some(uid),
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let unit = state.store.unit(me.org(), uid).await?;
    let r = documents(&state, &me, &scope, Some(uid)).await?;
    let filename = export::safe_file_name(&format!(
        "{}-{}-整改通知.docx",
        scope.campaign().title,
        unit.name
    ));
    send_as(
        &state,
        &me,
        Action::RectifyExport,
        format!("campaign:{cid}/unit:{uid}/problem:notice"),
        filename,
        export::notice_docx(&r, &unit.name),
    )
    .await
}

/// The 整改台账 (Excel): every problem the user sees.
pub async fn ledger_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let scope = Scope::load(&state, &me, cid).await?;
    let r = documents(&state, &me, &scope, None).await?;
    let filename = export::safe_file_name(&format!("{}-整改台账.xlsx", scope.campaign().title));
    send_as(
        &state,
        &me,
        Action::RectifyExport,
        format!("campaign:{cid}/problem:ledger"),
        filename,
        export::ledger_xlsx(&r),
    )
    .await
}
