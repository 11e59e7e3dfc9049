//! Review (考核): an assessor's queue of the units × their department's items, and the
//! review of one item — the unit's facts, evidence and self-score beside the verified
//! facts, each change with its reason, the assessed score computed by the same rules.
//! Confirming unchanged is one click; a score that differs from the self-score needs a
//! reason the unit will see; an item can be returned to the unit with a comment.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kaohe_core::explain::explain_item;
use kaohe_core::rubric::InputType;
use kaohe_core::{Decimal, Facts, Rubric, fmt_decimal as f, score};
use kaohe_storage::{Id, Override, Overrides, ReportState, Review, ReviewState, StorageError};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::departments;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::human_size;
use crate::http::layout::{Layout, china_time};
use crate::year::Action;
use crate::year::assess::{self, ReviewStatus, UnitAssessment, assess_unit, verified_facts};
use crate::year::scoring;
use crate::year::self_check::context;

struct QueueRow {
    unit: String,
    unit_id: Id,
    item: String,
    /// How people refer to the item (`基础工作第1项`).
    item_ref: String,
    name: String,
    self_score: String,
    assessed: String,
    differs: bool,
    /// The review's state, or 未提交 for a report the unit has not submitted.
    status: &'static str,
    status_class: &'static str,
    reviewable: bool,
    /// May be confirmed from the queue with others: waiting, and no verified fact of an
    /// earlier review to keep (those are confirmed on the item's page).
    batch: bool,
    /// The review's version as shown, so a review made meanwhile is not overwritten.
    version: i64,
}

struct QueueGroup {
    heading: String,
    rows: Vec<QueueRow>,
}

/// The queue's filters, from the query string; empty means all.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct QueueQuery {
    item: String,
    unit: String,
    /// `waiting` (待审核 and 待复审), `confirmed`, `returned`, `unsubmitted`.
    state: String,
    /// `item` groups the rows by item (one item across all units); else by unit.
    group: String,
    /// After a batch confirmation: how many were confirmed and left.
    confirmed: Option<usize>,
    skipped: Option<usize>,
    /// The page of units shown, from 1.
    page: usize,
}

/// Units on a page of the review queue: a province's 1,400 units are 30 pages, each
/// scored and written alone.
const QUEUE_UNITS: usize = 50;

impl QueueQuery {
    /// The same view again, as a query string (the batch form returns to it).
    fn query(&self) -> String {
        crate::http::form::query_of(&[
            ("item", &self.item),
            ("unit", &self.unit),
            ("state", &self.state),
            ("group", &self.group),
        ])
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "year/review/queue.html")]
struct QueuePage {
    layout: Layout,
    /// Whether its rubric counts records kept during the year (台账).
    has_records: bool,
    campaign_id: Id,
    title: String,
    department: String,
    groups: Vec<QueueGroup>,
    waiting: usize,
    unsubmitted: usize,
    /// The filters' choices: `(value, label)`.
    item_choices: Vec<(String, String)>,
    unit_choices: Vec<(String, String)>,
    q: QueueQuery,
    /// The view's query string, for the batch form to return to.
    back: String,
    pager: crate::http::layout::Pager,
    can_review: bool,
    message: Option<String>,
}

/// Whether a row is in the state the filter asks for.
/// One unit's item in the queue, before it is written out: indexes into the units'
/// reviews and the rubric's items, and its state.
struct Cell {
    unit: usize,
    item: usize,
    status: &'static str,
    status_class: &'static str,
    reviewable: bool,
    batch: bool,
    version: i64,
}

impl Cell {
    /// Whether the queue's state filter keeps it.
    fn matches(&self, filter: &str) -> bool {
        match filter {
            "waiting" => self.reviewable && matches!(self.status, "待审核" | "待复审"),
            "confirmed" => self.status == ReviewStatus::Confirmed.label(),
            "returned" => self.status == ReviewStatus::Returned.label(),
            "unsubmitted" => !self.reviewable,
            _ => true,
        }
    }
}

pub async fn queue(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let year = crate::year::Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign.clone();
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let items = departments::items_of(&state, &me, &campaign, &rubric).await?;
    let _turn = state.wide().await?;
    // Every unit's review states, read without their facts: what the counts and the
    // filters need.
    let reviews = assess::unit_reviews(&state, &campaign).await?;
    // Every unit's item as a cell of numbers (no text): what the counts and the filters
    // need. Only the page's cells become rows with words.
    let mut cells = Vec::with_capacity(reviews.len() * items.len());
    for (n, u) in reviews.iter().enumerate() {
        let reviewable = u.report.state != ReportState::Draft;
        for &ii in &items {
            let id = &rubric.items()[ii].id;
            let status = u.status(id);
            let review = u.review(id);
            let waiting = matches!(status, ReviewStatus::Unreviewed | ReviewStatus::Resubmitted);
            cells.push(Cell {
                unit: n,
                item: ii,
                status: if reviewable {
                    status.label()
                } else {
                    "未提交"
                },
                status_class: if reviewable { status.class() } else { "empty" },
                reviewable,
                batch: reviewable
                    && u.report.state == ReportState::Submitted
                    && waiting
                    && review.is_none_or(|r| r.overrides.is_empty()),
                version: review.map(|r| r.version).unwrap_or(0),
            });
        }
    }
    let unit_choices: Vec<(String, String)> = reviews
        .iter()
        .map(|u| (u.unit.id.to_string(), u.unit.name.clone()))
        .collect();
    let waiting = cells.iter().filter(|c| c.matches("waiting")).count();
    let unsubmitted = reviews
        .iter()
        .filter(|u| u.report.state == ReportState::Draft)
        .count();
    let unit_asked: Option<Id> = q.unit.parse().ok();
    let shown: Vec<&Cell> = cells
        .iter()
        .filter(|c| {
            (q.item.is_empty() || rubric.items()[c.item].id == q.item)
                && (q.unit.is_empty() || unit_asked == Some(reviews[c.unit].campaign_unit.unit_id))
                && c.matches(&q.state)
        })
        .collect();
    // A page of units: their scores are computed, the rest only counted.
    let mut units_shown: Vec<usize> = shown.iter().map(|c| c.unit).collect();
    units_shown.dedup();
    let pager = crate::http::layout::Pager::new(
        q.page,
        units_shown.len(),
        QUEUE_UNITS,
        "个单位",
        &q.query(),
    );
    let page_units = pager.slice(&units_shown);
    // The page's units, read whole from what the counts read (only their items and
    // records are new).
    let page_reviews = page_units.iter().map(|&n| reviews[n].clone()).collect();
    let assessed: std::collections::HashMap<Id, UnitAssessment> =
        assess::unit_rows_from(&state, &campaign, &rubric, page_reviews)
            .await?
            .into_iter()
            .map(|rows| {
                let a = assess::assess(&rubric, &campaign, rows);
                (a.unit.id, a)
            })
            .collect();
    let mut shown: Vec<QueueRow> = shown
        .into_iter()
        .filter(|c| page_units.contains(&c.unit))
        .map(|c| {
            let item = &rubric.items()[c.item];
            QueueRow {
                unit: reviews[c.unit].unit.name.clone(),
                unit_id: reviews[c.unit].campaign_unit.unit_id,
                item: item.id.clone(),
                item_ref: rubric.item_ref(c.item),
                name: item.name.clone().unwrap_or_default(),
                self_score: String::new(),
                assessed: String::new(),
                differs: false,
                status: c.status,
                status_class: c.status_class,
                reviewable: c.reviewable,
                batch: c.batch,
                version: c.version,
            }
        })
        .collect();
    for r in &mut shown {
        if let Some(a) = assessed.get(&r.unit_id)
            && let Some(ii) = rubric.items().iter().position(|i| i.id == r.item)
        {
            let (s, v) = (a.self_score.items[ii].score, a.assessed.items[ii].score);
            (r.self_score, r.assessed, r.differs) = (f(s), f(v), s != v);
        }
    }
    let mut groups: Vec<QueueGroup> = Vec::new();
    let by_item = q.group == "item";
    if by_item {
        // One item across all units, in the rubric's order.
        let order = |id: &str| rubric.items().iter().position(|i| i.id == id);
        shown.sort_by_key(|r| order(&r.item));
    }
    for r in shown {
        let heading = if by_item {
            format!("{} {}", r.item_ref, r.name)
        } else {
            r.unit.clone()
        };
        match groups.last_mut() {
            Some(g) if g.heading == heading => g.rows.push(r),
            _ => groups.push(QueueGroup {
                heading,
                rows: vec![r],
            }),
        }
    }
    let item_choices = items
        .iter()
        .map(|&ii| {
            let i = &rubric.items()[ii];
            (
                i.id.clone(),
                format!(
                    "{} {}",
                    rubric.item_ref(ii),
                    i.name.clone().unwrap_or_default()
                ),
            )
        })
        .collect();
    let message = q.confirmed.map(|n| match q.skipped.unwrap_or(0) {
        0 => format!("已确认 {n} 项，每项都记入了操作日志。"),
        k => format!("已确认 {n} 项；另有 {k} 项未确认（在您打开此页之后已有人审核，或单位已撤回），请刷新后逐项查看。"),
    });
    Ok(QueuePage {
        has_records: !rubric.record_kinds().is_empty(),
        layout: Layout::new(&state, &session, &me, "审核").await?,
        campaign_id: cid,
        title: campaign.title,
        department: me.user.department.clone().unwrap_or_default(),
        groups,
        waiting,
        unsubmitted,
        item_choices,
        unit_choices,
        back: q.query(),
        pager,
        q,
        can_review: year.allows(None, None, Action::ReviewConfirm).is_ok(),
        message,
    }
    .into_response())
}

/// Confirms many items unchanged at once (批量确认): each as if confirmed on its page,
/// with the same checks and its own audit row; an item reviewed meanwhile, or no longer
/// waiting, is left and counted.
pub async fn confirm_many(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, &field(&pairs, "csrf")).await?;
    // Each picked row as `unit:item:version`.
    let picks: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .map(|(_, v)| v.as_str())
        .collect();
    // The view to return to, read back as filters (never followed as given).
    let back: QueueQuery = serde_urlencoded::from_str(&field(&pairs, "back")).unwrap_or_default();
    if picks.is_empty() {
        return Err(AppError::BadRequest("请先勾选要确认的项目。".into()));
    }
    let (mut confirmed, mut skipped) = (0, 0);
    for pick in picks {
        let mut parts = pick.splitn(3, ':');
        let (Some(uid), Some(item), Some(version)) = (
            parts.next().and_then(|u| u.parse::<Id>().ok()),
            parts.next(),
            parts.next().and_then(|v| v.parse::<i64>().ok()),
        ) else {
            return Err(AppError::BadRequest(
                "勾选的项目无法识别，请刷新页面后重试。".into(),
            ));
        };
        let l = load(&state, &me, cid, uid, item).await?;
        let id = &l.rubric.items()[l.ii].id;
        let waiting = matches!(
            l.a.status(id),
            ReviewStatus::Unreviewed | ReviewStatus::Resubmitted
        );
        let plain = l.a.review(id).is_none_or(|r| r.overrides.is_empty());
        if l.why_not.is_some() || l.a.report.state != ReportState::Submitted || !waiting || !plain {
            skipped += 1;
            continue;
        }
        let write = ReviewWrite {
            overrides: &Overrides::default(),
            reason: None,
            comment: None,
            returning: false,
            version,
            assessed: l.a.self_score.items[l.ii].score,
            batch: true,
        };
        match write_review(&state, &me, &l, write).await? {
            Ok(()) => confirmed += 1,
            Err(()) => skipped += 1,
        }
    }
    let back = match back.query() {
        q if q.is_empty() => q,
        q => format!("{q}&"),
    };
    Ok(Redirect::to(&format!(
        "/c/{cid}/review?{back}confirmed={confirmed}&skipped={skipped}"
    ))
    .into_response())
}

// ── one item ──────────────────────────────────────────────────────────────────

struct FactRow {
    key: String,
    label: String,
    kind: &'static str,
    unit: String,
    reported: String,
    verified: String,
    reason: String,
    error: Option<String>,
    /// The value's department imported it, with this reason (the reason field stays
    /// the assessor's own).
    imported: Option<String>,
    changed: bool,
}

struct Column {
    score: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "year/review/preview.html")]
struct PreviewFragment {
    points: String,
    reported: Column,
    assessed: Column,
    differs: bool,
    errors: Vec<String>,
}

struct EvidenceLink {
    href: String,
    filename: String,
    size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/review/item.html")]
struct ReviewPage {
    layout: Layout,
    campaign_id: Id,
    unit_id: Id,
    unit: String,
    item_id: String,
    /// How people refer to the item (`基础工作第1项`).
    item_ref: String,
    item_name: String,
    points: String,
    criteria: String,
    facts: Vec<FactRow>,
    unit_facts: Vec<(String, String, String)>,
    evidence: Vec<EvidenceLink>,
    preview: String,
    score_reason: String,
    comment: String,
    version: i64,
    status: &'static str,
    last: Option<String>,
    can_review: bool,
    why_not: Option<String>,
    error: Option<String>,
    message: Option<String>,
    /// The department's items before and after: `(id, how people refer to it)`.
    prev: Option<(String, String)>,
    next: Option<(String, String)>,
    /// The same item in the next unit whose report can be reviewed: `(id, name)`.
    next_unit: Option<(Id, String)>,
    /// Last year's problems of the unit on this item (整改), with that year.
    last_year: Option<(i64, Vec<crate::year::rectify::PastProblem>)>,
}

fn value_of(facts: &Facts, slot: usize) -> String {
    match facts.get(slot) {
        Some(kaohe_core::Value::Number(n)) => f(*n),
        Some(kaohe_core::Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(kaohe_core::Value::Text(t)) => t.to_string(),
        None => String::new(),
    }
}

/// What the assessor typed per fact key: the verified value and the reason.
type TypedFacts = BTreeMap<String, (String, String)>;
/// A message per fact key.
type Messages = BTreeMap<String, String>;

/// A review form to show again, with what was typed and what is wrong.
#[derive(Clone)]
struct Typed {
    facts: TypedFacts,
    errors: Messages,
    score_reason: String,
    comment: String,
}

/// Reads the review form: each verified value and its reason. A value that parses to
/// what the unit reported, or to what its department imported, is no override; any
/// other needs a reason.
fn read_form(
    rubric: &Rubric,
    ii: usize,
    a: &UnitAssessment,
    pairs: &[(String, String)],
) -> (Overrides, Messages, TypedFacts) {
    let mut overrides = Overrides::new();
    let mut errors = BTreeMap::new();
    let mut typed = BTreeMap::new();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    for slot in rubric.items()[ii].inputs.clone() {
        let input = rubric.input(slot);
        // A count of records follows its records (confirmed or rejected on the records
        // page), never an override.
        if input.from.is_some() {
            continue;
        }
        let Some(value) = get(&format!("v:{}", input.key)) else {
            continue;
        };
        let reason = get(&format!("why:{}", input.key)).unwrap_or_default();
        typed.insert(input.key.clone(), (value.clone(), reason.clone()));
        let parsed = match rubric.parse_value(slot, &value) {
            Ok(v) => v,
            Err(e) => {
                errors.insert(input.key.clone(), e.message);
                continue;
            }
        };
        let base = match a.imported.iter().find(|f| f.key == input.key) {
            Some(f) => scoring::parse_stored(rubric, slot, &f.value),
            None => a.self_facts.get(slot).cloned(),
        };
        if parsed == base {
            continue;
        }
        if reason.is_empty() {
            errors.insert(input.key.clone(), "核实值与单位填报不同，请写明理由".into());
            continue;
        }
        overrides.insert(input.key.clone(), Override { value, reason });
    }
    (overrides, errors, typed)
}

fn column(rubric: &Rubric, facts: &Facts, ii: usize) -> Column {
    let s = score(rubric, facts);
    Column {
        score: f(s.items[ii].score),
        lines: explain_item(rubric, facts, &s, ii),
    }
}

struct Loaded {
    a: UnitAssessment,
    rubric: std::sync::Arc<Rubric>,
    ii: usize,
    can_review: bool,
    why_not: Option<String>,
    mine: Vec<usize>,
}

async fn load(
    state: &AppState,
    me: &CurrentUser,
    cid: Id,
    uid: Id,
    item: &str,
) -> AppResult<Loaded> {
    // The same checks as for reading the unit's report: organiser, unit, department.
    let cx = context(state, me, cid, uid).await?;
    if cx
        .visible
        .as_ref()
        .is_some_and(|v| !v.iter().any(|x| x == item))
    {
        return Err(AppError::Forbidden);
    }
    let rubric = scoring::rubric(state, me.org(), cx.campaign.rubric_id).await?;
    let ii = rubric
        .items()
        .iter()
        .position(|i| i.id == item)
        .ok_or(AppError::NotFound)?;
    let a = assess_unit(state, &cx.campaign, &rubric, uid).await?;
    let why_not = cx.may(Action::ReviewConfirm).err().map(|r| r.0);
    let mine = departments::items_of(state, me, &cx.campaign, &rubric).await?;
    Ok(Loaded {
        can_review: why_not.is_none(),
        why_not,
        a,
        rubric,
        ii,
        mine,
    })
}

#[allow(clippy::too_many_arguments)]
/// Each fact of the item: as the unit reported it, and as verified (typed now, or stored
/// as an assessor's correction with its reason).
fn fact_rows(
    rubric: &Rubric,
    ii: usize,
    a: &UnitAssessment,
    review: Option<&Review>,
    typed_values: &TypedFacts,
    errors: &Messages,
) -> Vec<FactRow> {
    rubric.items()[ii]
        .inputs
        .clone()
        .map(|slot| {
            let input = rubric.input(slot);
            let reported = value_of(&a.self_facts, slot);
            if let Some(from) = &input.from {
                let assessed = a.records.ids(&input.key, true).len().to_string();
                return FactRow {
                    key: input.key.clone(),
                    label: input.label.clone(),
                    kind: "records",
                    unit: input.unit.clone().unwrap_or_default(),
                    changed: false,
                    reported,
                    verified: assessed,
                    reason: from.words(rubric),
                    error: None,
                    imported: None,
                };
            }
            let over = review.and_then(|r| r.overrides.get(&input.key));
            let imported = a.imported.iter().find(|f| f.key == input.key);
            let (verified, reason) = match (typed_values.get(&input.key), over, imported) {
                (Some((v, r)), ..) => (v.clone(), r.clone()),
                (None, Some(o), _) => (o.value.clone(), o.reason.clone()),
                (None, None, Some(i)) => (i.value.clone(), String::new()),
                (None, None, None) => (reported.clone(), String::new()),
            };
            FactRow {
                key: input.key.clone(),
                label: input.label.clone(),
                kind: match input.ty {
                    InputType::Bool => "bool",
                    InputType::Text => "text",
                    _ => "number",
                },
                unit: match input.ty {
                    InputType::Percent => "%".into(),
                    _ => input.unit.clone().unwrap_or_default(),
                },
                changed: verified != reported,
                reported: if reported.is_empty() {
                    "（未填）".into()
                } else {
                    reported
                },
                verified,
                reason,
                error: errors.get(&input.key).cloned(),
                imported: imported.map(|i| format!("{}（{}）", i.value, i.reason)),
            }
        })
        .collect()
}

/// The unit's evidence for the item (not the files of its appeals).
async fn evidence_links(
    state: &AppState,
    a: &UnitAssessment,
    item: &str,
) -> AppResult<Vec<EvidenceLink>> {
    Ok(state
        .store
        .evidence_list(a.report.campaign_id, a.unit.id)
        .await?
        .into_iter()
        .filter(|e| e.item_id == item && e.of_report())
        .map(|e| EvidenceLink {
            href: format!("/c/{}/u/{}/evidence/{}", e.campaign_id, e.unit_id, e.id),
            filename: e.filename,
            size: human_size(e.size),
        })
        .collect())
}

/// Who reviewed the item last, when, and how: `张三 于 2026-12-01 10:00 已确认`.
async fn last_review(
    state: &AppState,
    a: &UnitAssessment,
    item: &str,
    review: Option<&Review>,
) -> AppResult<Option<String>> {
    let Some(r) = review else {
        return Ok(None);
    };
    let who = match r.reviewer_id {
        Some(id) => state
            .store
            .user(id)
            .await
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(Some(format!(
        "{who} 于 {} {}",
        china_time(r.reviewed_at),
        a.status(item).label()
    )))
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    l: Loaded,
    typed: Option<Typed>,
    error: Option<String>,
    message: Option<String>,
) -> AppResult<Response> {
    let Loaded {
        a,
        rubric,
        ii,
        can_review,
        why_not,
        mine,
    } = l;
    let item = &rubric.items()[ii];
    let review = a.review(&item.id).cloned();
    let (typed_values, errors, score_reason, comment) = match typed {
        Some(t) => (t.facts, t.errors, t.score_reason, t.comment),
        None => (
            BTreeMap::new(),
            BTreeMap::new(),
            review
                .as_ref()
                .and_then(|r| r.score_reason.clone())
                .unwrap_or_default(),
            String::new(),
        ),
    };
    let facts = fact_rows(&rubric, ii, &a, review.as_ref(), &typed_values, &errors);
    // The preview reflects what is typed, or what is stored.
    let overrides: Overrides = facts
        .iter()
        .filter(|r| r.changed)
        .map(|r| {
            (
                r.key.clone(),
                Override {
                    value: r.verified.clone(),
                    reason: r.reason.clone(),
                },
            )
        })
        .collect();
    let preview = preview_html(
        &rubric,
        ii,
        &a,
        &overrides,
        errors.values().cloned().collect(),
    )?;
    let unit_facts = item
        .uses
        .iter()
        .filter(|s| rubric.input(**s).item.is_none())
        .map(|s| {
            let input = rubric.input(*s);
            (
                input.label.clone(),
                value_of(&a.self_facts, *s),
                crate::year::self_check::whence(&rubric, input),
            )
        })
        .collect();
    let evidence = evidence_links(state, &a, &item.id).await?;
    let last = last_review(state, &a, &item.id, review.as_ref()).await?;
    let pos = mine.iter().position(|x| *x == ii);
    let with_ref = |x: &usize| (rubric.items()[*x].id.clone(), rubric.item_ref(*x));
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| mine.get(p))
        .map(with_ref);
    let next = pos.and_then(|p| mine.get(p + 1)).map(with_ref);
    let next_unit = next_unit(state, me, &a).await?;
    let campaign = state.store.campaign(me.org(), a.report.campaign_id).await?;
    let last_year = crate::year::rectify::last_year(state, &campaign, a.unit.id)
        .await?
        .map(|(y, all)| {
            (
                y,
                all.into_iter().filter(|p| p.item_id == item.id).collect(),
            )
        })
        .filter(|(_, mine): &(i64, Vec<_>)| !mine.is_empty());
    Ok(ReviewPage {
        layout: Layout::new(
            state,
            session,
            me,
            &format!("审核 {} {}", a.unit.name, rubric.item_ref(ii)),
        )
        .await?,
        campaign_id: a.report.campaign_id,
        unit_id: a.unit.id,
        unit: a.unit.name.clone(),
        item_id: item.id.clone(),
        item_ref: rubric.item_ref(ii),
        item_name: item.name.clone().unwrap_or_default(),
        points: item.points.map(f).unwrap_or_else(|| "加分项".into()),
        criteria: item.criteria.clone(),
        facts,
        unit_facts,
        evidence,
        preview,
        score_reason,
        comment,
        version: review.as_ref().map(|r| r.version).unwrap_or(0),
        status: a.status(&item.id).label(),
        last,
        can_review,
        why_not,
        error,
        message,
        prev,
        next,
        next_unit,
        last_year,
    }
    .into_response())
}

/// The unit after `a`'s (in the queue's order) whose report has been submitted, for
/// reviewing one item across all units.
async fn next_unit(
    state: &AppState,
    me: &CurrentUser,
    a: &UnitAssessment,
) -> AppResult<Option<(Id, String)>> {
    let cid = a.report.campaign_id;
    let reports = state.store.reports(cid).await?;
    let next = state
        .store
        .campaign_units(cid)
        .await?
        .into_iter()
        .map(|cu| cu.unit_id)
        .filter(|u| *u > a.unit.id)
        .find(|u| {
            reports
                .iter()
                .any(|r| r.unit_id == *u && r.state != ReportState::Draft)
        });
    Ok(match next {
        Some(uid) => Some((uid, state.store.unit(me.org(), uid).await?.name)),
        None => None,
    })
}

fn preview_html(
    rubric: &Rubric,
    ii: usize,
    a: &UnitAssessment,
    overrides: &Overrides,
    errors: Vec<String>,
) -> AppResult<String> {
    // Other items keep their stored verification; this item takes the typed one.
    let mut reviews: Vec<kaohe_storage::Review> = a
        .reviews
        .iter()
        .filter(|r| r.item_id != rubric.items()[ii].id)
        .cloned()
        .collect();
    reviews.push(kaohe_storage::Review {
        item_id: rubric.items()[ii].id.clone(),
        overrides: overrides.clone(),
        score_reason: None,
        state: ReviewState::Confirmed,
        comment: None,
        reviewer_id: None,
        reviewed_at: 0,
        version: 0,
    });
    let verified = verified_facts(
        rubric,
        &a.unit_level,
        &a.items,
        &a.imported,
        &reviews,
        &a.records.column(true),
    );
    let reported = column(rubric, &a.self_facts, ii);
    let assessed = column(rubric, &verified, ii);
    Ok(PreviewFragment {
        points: rubric.items()[ii]
            .points
            .map(f)
            .unwrap_or_else(|| "加分".into()),
        differs: reported.score != assessed.score,
        reported,
        assessed,
        errors,
    }
    .render()?)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReviewQuery {
    saved: Option<String>,
}

pub async fn item_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    axum::extract::Query(q): axum::extract::Query<ReviewQuery>,
) -> AppResult<Response> {
    let l = load(&state, &me, cid, uid, &item).await?;
    let message = q.saved.map(|s| match s.as_str() {
        "returned" => "已退回此项，单位修改后会重新提交。".to_string(),
        _ => "已确认。".to_string(),
    });
    render(&state, &session, &me, l, None, None, message).await
}

/// A form field, trimmed.
fn field(pairs: &[(String, String)], name: &str) -> String {
    crate::http::upload::field(pairs, name).trim().to_string()
}

pub async fn preview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, &field(&pairs, "csrf")).await?;
    let l = load(&state, &me, cid, uid, &item).await?;
    let (overrides, errors, _) = read_form(&l.rubric, l.ii, &l.a, &pairs);
    let errors = errors
        .iter()
        .map(|(k, m)| {
            let label = l
                .rubric
                .slot(k)
                .map(|s| l.rubric.input(s).label.clone())
                .unwrap_or_default();
            format!("{label}：{m}")
        })
        .collect();
    Ok(Html(preview_html(&l.rubric, l.ii, &l.a, &overrides, errors)?).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, &field(&pairs, "csrf")).await?;
    let l = load(&state, &me, cid, uid, &item).await?;
    if let Some(why) = &l.why_not {
        return Err(AppError::BadRequest(why.clone()));
    }
    let returning = field(&pairs, "action") == "return";
    let version: i64 = field(&pairs, "version").parse().unwrap_or(-1);
    let (overrides, errors, facts) = read_form(&l.rubric, l.ii, &l.a, &pairs);
    let typed = Typed {
        facts,
        errors,
        score_reason: field(&pairs, "score_reason"),
        comment: field(&pairs, "comment"),
    };
    let refuse = |l: Loaded, why: String| {
        render(
            &state,
            &session,
            &me,
            l,
            Some(typed.clone()),
            Some(why),
            None,
        )
    };
    if !typed.errors.is_empty() {
        let why = format!("有 {} 处需要改正，未保存。", typed.errors.len());
        return refuse(l, why).await;
    }
    let item_id = l.rubric.items()[l.ii].id.clone();
    let assessed = assessed_with(&l, &overrides);
    let self_score = l.a.self_score.items[l.ii].score;
    if let Some(why) = missing_reason(returning, &typed, assessed, self_score) {
        return refuse(l, why).await;
    }
    let write = ReviewWrite {
        overrides: &overrides,
        reason: (!typed.score_reason.is_empty()).then_some(typed.score_reason.as_str()),
        comment: (!typed.comment.is_empty()).then_some(typed.comment.as_str()),
        returning,
        version,
        assessed,
        batch: false,
    };
    if write_review(&state, &me, &l, write).await?.is_err() {
        let why =
            "未保存：此项在您打开之后已被其他考核员审核过。请重新打开此项查看其结果后再操作。";
        return refuse(l, why.into()).await;
    }
    let flag = if returning { "returned" } else { "confirmed" };
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}/r/{item_id}?saved={flag}")).into_response())
}

/// A review to store: the verified facts that differ from the report, the reasons, and
/// whether the item is returned; `version` is the review's as the assessor saw it.
struct ReviewWrite<'a> {
    overrides: &'a Overrides,
    reason: Option<&'a str>,
    comment: Option<&'a str>,
    returning: bool,
    version: i64,
    /// The assessed score with these overrides.
    assessed: Decimal,
    /// Confirmed with others from the queue (批量确认), as the audit row says.
    batch: bool,
}

/// Stores a review with its audit row in one unit of work (a return also returns the
/// report to the unit). `Err(())` when someone reviewed the item after the assessor
/// opened it: nothing is stored.
async fn write_review(
    state: &AppState,
    me: &CurrentUser,
    l: &Loaded,
    w: ReviewWrite<'_>,
) -> AppResult<Result<(), ()>> {
    let (cid, uid) = (l.a.report.campaign_id, l.a.unit.id);
    let item_id = &l.rubric.items()[l.ii].id;
    let self_score = l.a.self_score.items[l.ii].score;
    let state_ = if w.returning {
        ReviewState::Returned
    } else {
        ReviewState::Confirmed
    };
    let before = l.a.review(item_id).cloned();
    let mut work = state.store.begin().await?;
    let saved = work
        .save_review(
            cid,
            uid,
            item_id,
            w.overrides,
            w.reason,
            state_,
            w.comment,
            me.user.id,
            w.version,
        )
        .await;
    match saved {
        Ok(_) => {}
        // The change did not happen; dropping the unit of work ends it.
        Err(StorageError::Conflict) => return Ok(Err(())),
        Err(e) => return Err(e.into()),
    }
    if w.returning && l.a.report.state == ReportState::Submitted {
        work.return_report(cid, uid).await?;
    }
    let mut changes = override_changes(before.as_ref(), w.overrides);
    changes.push(serde_json::json!({"field": "state", "old": before.as_ref().map(|r| r.state.as_str()), "new": state_.as_str()}));
    changes
        .push(serde_json::json!({"field": "考核分", "old": f(self_score), "new": f(w.assessed)}));
    if w.batch {
        changes.push(serde_json::json!({"field": "方式", "old": null, "new": "批量确认"}));
    }
    let action = if w.returning {
        Action::ReviewReturn
    } else {
        Action::ReviewConfirm
    };
    let target = format!("campaign:{cid}/unit:{uid}/item:{item_id}");
    let why = if w.returning { w.comment } else { w.reason };
    crate::audit::commit(work, me, action, target, why, changes).await?;
    Ok(Ok(()))
}

/// The item's assessed score were these overrides saved (the other items' reviews as
/// they are).
fn assessed_with(l: &Loaded, overrides: &Overrides) -> Decimal {
    let item_id = &l.rubric.items()[l.ii].id;
    let mut reviews: Vec<Review> =
        l.a.reviews
            .iter()
            .filter(|r| r.item_id != *item_id)
            .cloned()
            .collect();
    reviews.push(Review {
        item_id: item_id.clone(),
        overrides: overrides.clone(),
        score_reason: None,
        state: ReviewState::Confirmed,
        comment: None,
        reviewer_id: None,
        reviewed_at: 0,
        version: 0,
    });
    let verified = verified_facts(
        &l.rubric,
        &l.a.unit_level,
        &l.a.items,
        &l.a.imported,
        &reviews,
        &l.a.records.column(true),
    );
    score(&l.rubric, &verified).items[l.ii].score
}

/// What a review must say and does not: a return says what to change; a confirmed score
/// that differs from the unit's own says why.
fn missing_reason(
    returning: bool,
    typed: &Typed,
    assessed: Decimal,
    self_score: Decimal,
) -> Option<String> {
    if returning && typed.comment.is_empty() {
        Some("退回须写明需要单位修改什么（退回意见）。".into())
    } else if !returning && assessed != self_score && typed.score_reason.is_empty() {
        Some(format!(
            "考核分 {} 与自查分 {} 不同，请写明理由（将告知单位）。",
            f(assessed),
            f(self_score)
        ))
    } else {
        None
    }
}

/// Each verified value that changed, old → new with its reason, for the audit row.
fn override_changes(before: Option<&Review>, overrides: &Overrides) -> Vec<serde_json::Value> {
    let old = before.map(|r| r.overrides.clone()).unwrap_or_default();
    let mut keys: Vec<&String> = old.keys().chain(overrides.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != overrides.get(*k))
        .map(|k| {
            serde_json::json!({
                "field": format!("核实 {k}"),
                "old": old.get(k).map(|o| o.value.clone()),
                "new": overrides.get(k).map(|n| format!("{}（理由：{}）", n.value, n.reason)),
            })
        })
        .collect()
}
