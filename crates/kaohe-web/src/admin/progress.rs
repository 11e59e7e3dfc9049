//! Progress (进度) of a campaign for the admin: per unit, where its report stands
//! (未开始 / 填报中 / 已提交 / 已退回 / 逾期未交) and, per department, how many of its
//! items are confirmed, returned or waiting for review. Who is overdue (past their own
//! deadline, China time, the whole last day included) stands out, with the way to give
//! them more time.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kaohe_core::Rubric;
use kaohe_storage::{Department, Id, ReportState, Role};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppResult;
use crate::http::form::Path;
use crate::http::layout::{Layout, china_time, china_today};
use crate::year::Year;
use crate::year::assess::{ReviewStatus, unit_reviews};

/// One department's items of one unit.
#[derive(Default, Clone, Copy)]
struct Counts {
    total: usize,
    confirmed: usize,
    returned: usize,
    /// Submitted and not yet reviewed, or corrected after a return (待复审).
    waiting: usize,
}

struct UnitRow {
    id: Id,
    name: String,
    progress: Progress,
    overdue: bool,
    submitted: String,
    deadline: String,
    extended: bool,
    /// Whether the report reached the assessors (submitted, or returned after it was).
    reviewable: bool,
    departments: Vec<Counts>,
}

struct DeptRow {
    name: String,
    counts: Counts,
    no_assessor: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/progress.html")]
struct ProgressPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    deadline: String,
    today: String,
    locked: bool,
    /// This page of the units' table (from 1), of `pages`; `total` units in all.
    page: usize,
    pages: usize,
    total: usize,
    units: Vec<UnitRow>,
    departments: Vec<DeptRow>,
    submitted: usize,
    returned: usize,
    drafting: usize,
    not_started: usize,
    overdue: Vec<Late>,
    /// Rectification (整改) once published: per unit, its problems by where they are.
    rectify: Vec<RectifyRow>,
}

/// Units on a page of the progress table.
const PROGRESS_UNITS: usize = 100;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: usize,
}

struct RectifyRow {
    name: String,
    total: usize,
    signed_off: usize,
    waiting: usize,
    open: usize,
    overdue: usize,
}

struct Late {
    id: Id,
    name: String,
    deadline: String,
}

/// Where a unit's report is, as the progress pages show it: the report's state, and for
/// a draft whether it was started and whether its last day has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Submitted,
    /// Returned (退回): it may be corrected after the deadline, the district asked.
    Returned,
    /// A draft whose last day has passed.
    Overdue,
    Drafting,
    NotStarted,
}

impl Progress {
    pub fn of(state: ReportState, started: bool, overdue: bool) -> Progress {
        match state {
            ReportState::Submitted => Progress::Submitted,
            ReportState::Returned => Progress::Returned,
            ReportState::Draft if overdue => Progress::Overdue,
            ReportState::Draft if started => Progress::Drafting,
            ReportState::Draft => Progress::NotStarted,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Progress::Submitted => ReportState::Submitted.label(),
            Progress::Returned => ReportState::Returned.label(),
            Progress::Overdue => "逾期未交",
            Progress::Drafting => "填报中",
            Progress::NotStarted => "未开始",
        }
    }

    /// The style class of its badge.
    pub fn class(self) -> &'static str {
        match self {
            Progress::Submitted => "done",
            Progress::Returned | Progress::Drafting => "draft",
            Progress::Overdue => "late",
            Progress::NotStarted => "empty",
        }
    }
}

pub async fn progress_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    if year.phase == crate::year::Phase::PastYear {
        // A past year imported with its results had no reporting: its results instead.
        return Ok(axum::response::Redirect::to(&format!("/c/{cid}/results")).into_response());
    }
    let campaign = year.campaign.clone();
    let rubric = crate::year::scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let _turn = state.wide().await?;
    let assignment = state.store.assignment(me.org(), cid).await?;
    // Departments in the order their first item appears in the rubric.
    let mut shown: Vec<&Department> = Vec::new();
    let item_dept: Vec<usize> = rubric
        .items()
        .iter()
        .map(|it| {
            let d = assignment.of(&it.id);
            match shown.iter().position(|s| s.id == d.id) {
                Some(i) => i,
                None => {
                    shown.push(d);
                    shown.len() - 1
                }
            }
        })
        .collect();
    // Every unit's place, read without its facts: reports, reviews, imports, and the
    // times of returned items and counts of saved ones.
    let started: BTreeSet<Id> = state
        .store
        .report_item_counts(cid)
        .await?
        .into_iter()
        .filter(|(_, saved, _)| *saved > 0)
        .map(|(u, _, _)| u)
        .collect();
    let mut units = Vec::new();
    for u in unit_reviews(&state, &campaign).await? {
        let (cu, report) = (&u.campaign_unit, &u.report);
        let uid = cu.unit_id;
        let deadline = year.deadline(cu.deadline.as_deref())?;
        let overdue = year.overdue(report.state, deadline);
        let progress = Progress::of(report.state, started.contains(&uid), overdue);
        let reviewable = report.state != ReportState::Draft;
        let status = |item: &str| u.status(item);
        let departments = department_counts(&rubric, status, &item_dept, shown.len(), reviewable);
        units.push(UnitRow {
            id: uid,
            name: u.unit.name.clone(),
            progress,
            overdue,
            submitted: report.submitted_at.map(china_time).unwrap_or_default(),
            extended: cu.deadline.is_some(),
            deadline: deadline.to_string(),
            reviewable,
            departments,
        });
    }
    let staffed: BTreeSet<Id> = state
        .store
        .users(me.org())
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Assessor && u.active)
        .filter_map(|u| u.department_id)
        .collect();
    let departments = shown
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut sum = Counts::default();
            for u in &units {
                let c = u.departments[i];
                sum.total += c.total;
                sum.confirmed += c.confirmed;
                sum.returned += c.returned;
                sum.waiting += c.waiting;
            }
            DeptRow {
                name: d.name.clone(),
                counts: sum,
                no_assessor: !staffed.contains(&d.id),
            }
        })
        .collect();
    let count = |p: Progress| units.iter().filter(|u| u.progress == p).count();
    let (submitted, returned, drafting, not_started) = (
        count(Progress::Submitted),
        count(Progress::Returned),
        count(Progress::Drafting),
        count(Progress::NotStarted),
    );
    let overdue = units
        .iter()
        .filter(|u| u.overdue)
        .map(|u| Late {
            id: u.id,
            name: u.name.clone(),
            deadline: u.deadline.clone(),
        })
        .collect();
    let rectify = rectify_rows(&state, &campaign).await?;
    // The table of units a page at a time; the counts above are over all of them.
    let pages = units.len().div_ceil(PROGRESS_UNITS).max(1);
    let page = q.page.clamp(1, pages);
    let total = units.len();
    let units: Vec<UnitRow> = units
        .into_iter()
        .skip((page - 1) * PROGRESS_UNITS)
        .take(PROGRESS_UNITS)
        .collect();
    Ok(ProgressPage {
        page,
        pages,
        total,
        rectify,
        layout: Layout::new(&state, &session, &me, &format!("进度 · {}", campaign.title)).await?,
        campaign_id: cid,
        title: campaign.title,
        deadline: campaign.deadline,
        today: china_today(),
        locked: year.phase.is_locked(),
        units,
        departments,
        submitted,
        returned,
        drafting,
        not_started,
        overdue,
    }
    .into_response())
}

/// Each unit's problems to rectify: signed off, waiting for the department, still owed
/// by the unit, and of those overdue (dropped ones aside).
async fn rectify_rows(
    state: &AppState,
    campaign: &kaohe_storage::Campaign,
) -> AppResult<Vec<RectifyRow>> {
    use kaohe_storage::ProblemState;
    let problems = state.store.problems(campaign.id).await?;
    if problems.is_empty() {
        return Ok(Vec::new());
    }
    let deadline = state.store.rectify_deadline(campaign.id).await?;
    let today = crate::year::today();
    let mut rows = Vec::new();
    for unit in state.store.units(campaign.organiser_id).await? {
        let mine: Vec<_> = problems
            .iter()
            .filter(|p| p.unit_id == unit.id && p.state != ProblemState::Dropped)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let late = |p: &&&kaohe_storage::Problem| {
            crate::year::rectify::overdue(p, deadline.as_deref(), today)
        };
        rows.push(RectifyRow {
            name: unit.name,
            total: mine.len(),
            signed_off: mine
                .iter()
                .filter(|p| p.state == ProblemState::SignedOff)
                .count(),
            waiting: mine
                .iter()
                .filter(|p| p.state == ProblemState::Reported)
                .count(),
            open: mine.iter().filter(|p| p.state.owed_by_unit()).count(),
            overdue: mine.iter().filter(late).count(),
        });
    }
    Ok(rows)
}

/// One unit's review progress per department (`item_dept`: each item's department, by
/// its place among the `departments` shown).
fn department_counts(
    rubric: &Rubric,
    status: impl Fn(&str) -> ReviewStatus,
    item_dept: &[usize],
    departments: usize,
    reviewable: bool,
) -> Vec<Counts> {
    let mut departments = vec![Counts::default(); departments];
    for (it, &d) in rubric.items().iter().zip(item_dept) {
        let c = &mut departments[d];
        c.total += 1;
        match status(&it.id) {
            ReviewStatus::Confirmed => c.confirmed += 1,
            ReviewStatus::Returned => c.returned += 1,
            ReviewStatus::Unreviewed | ReviewStatus::Resubmitted if reviewable => c.waiting += 1,
            _ => {}
        }
    }
    departments
}
