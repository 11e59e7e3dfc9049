//! A unit's page of its self-check: every item with its score, what is missing, and
//! the submission form.
use super::submit::SubmitForm;
use super::*;

use crate::http::form::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kaohe_core::{Rubric, UnitScore, fmt_decimal as f};
use kaohe_storage::{Campaign, Id, ItemState, ReportItem, ReportState, Unit};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppResult;
use crate::http::layout::{Layout, china_time};
use crate::year::scoring;

// ── the campaign home of a unit ───────────────────────────────────────────────

struct ItemRow {
    id: String,
    /// Its place under the category's heading (`第1项`).
    place: String,
    name: String,
    points: String,
    state: &'static str,
    state_class: &'static str,
    score: String,
    missing: usize,
    flagged: bool,
    /// Evidence files attached to the item (not those of appeals).
    evidence: usize,
    /// Last year's problems on the item (整改) not signed off, and all of them.
    past_open: usize,
    past: usize,
}

struct CategoryView {
    /// `一、基础工作`.
    name: String,
    points: String,
    score: String,
    items: Vec<ItemRow>,
}

struct MissingView {
    item: String,
    /// How people refer to the item (`基础工作第1项`).
    item_ref: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/self_check/report.html")]
struct ReportPage {
    layout: Layout,
    /// Whether its rubric counts records kept during the year (台账).
    has_records: bool,
    campaign: Campaign,
    unit: Unit,
    base: String,
    bonus: String,
    total: String,
    categories: Vec<CategoryView>,
    editable: bool,
    state_label: String,
    deadline: String,
    past_deadline: bool,
    submitted: Option<String>,
    filler_name: String,
    filler_phone: String,
    approver: String,
    missing: Vec<MissingView>,
    problems: Vec<String>,
    error: Option<String>,
    partial: bool,
    /// Items returned: `(id, how people refer to it, the assessors' comment)`.
    returned: Vec<(String, String, String)>,
    /// Items marked done, of those shown: until all are, the total is provisional
    /// (an item never filled counts as its default, e.g. full marks for discretionary
    /// ones, which is not a score the unit has reported).
    done: usize,
    shown: usize,
    message: Option<String>,
    /// The best improvements on the self-check's own facts (差距分析).
    best: Vec<crate::year::gaps::GapLine>,
    /// Rectification (整改) after publication: the unit's problems not finished, of
    /// which overdue.
    rectify: (usize, usize),
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    /// The last item, saved with 保存并返回列表.
    saved: Option<String>,
    /// How many values an import from the fill-in workbook changed.
    imported: Option<usize>,
}

pub async fn report_home(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let message = match (q.saved, q.imported) {
        (_, Some(n)) => Some(format!(
            "已从 Excel 表导入，改动了 {n} 个数据，整次导入记入了操作日志。请核对下面的清单后提交。"
        )),
        (Some(_), None) => Some("最后一项已保存。请核对下面的清单后提交。".to_string()),
        (None, None) => None,
    };
    render_report(&state, &session, &me, cid, uid, None, None, message).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_report(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    uid: Id,
    error: Option<String>,
    typed: Option<&SubmitForm>,
    message: Option<String>,
) -> AppResult<Response> {
    let cx = context(state, me, cid, uid).await?;
    let (rubric, facts, s, items) = scoring::self_score(state, &cx.campaign, uid).await?;
    let report = state.store.report(cid, uid).await?;
    let visible = |id: &str| {
        cx.visible
            .as_ref()
            .is_none_or(|v| v.iter().any(|x| x == id))
    };
    let evidence = state.store.evidence_list(cid, uid).await?;
    let count = |item: &str| {
        evidence
            .iter()
            .filter(|e| e.item_id == item && e.of_report())
            .count()
    };
    let past = crate::year::rectify::last_year(state, &cx.campaign, uid)
        .await?
        .map(|(_, p)| p)
        .unwrap_or_default();
    let past_of = |id: &str| {
        let mine = past.iter().filter(|p| p.item_id == id);
        (mine.clone().filter(|p| !p.done).count(), mine.count())
    };
    let categories = category_views(&rubric, &s, &items, &visible, &count, &past_of);
    let best = crate::year::gaps::best(
        &rubric,
        &facts,
        &s,
        &|ii| visible(&rubric.items()[ii].id),
        5,
    );
    let shown = rubric.items().iter().filter(|i| visible(&i.id)).count();
    let done = items
        .iter()
        .filter(|r| r.state == ItemState::Done && visible(&r.item_id))
        .count();
    // An assessor's partial view names only their department's items.
    let visible_slot = |slot: usize| {
        rubric
            .input(slot)
            .item
            .is_none_or(|i| visible(&rubric.items()[i].id))
    };
    let missing = s
        .all_missing()
        .iter()
        .filter(|slot| visible_slot(**slot))
        .map(|slot| {
            let input = rubric.input(*slot);
            MissingView {
                item: input
                    .item
                    .map(|i| rubric.items()[i].id.clone())
                    .unwrap_or_default(),
                item_ref: input.item.map(|i| rubric.item_ref(i)).unwrap_or_default(),
                label: input.label.clone(),
            }
        })
        .collect();
    let problems = facts
        .problems(&rubric)
        .into_iter()
        .filter(|(slot, _)| visible_slot(*slot))
        .map(|(_, m)| m)
        .collect();
    let layout = Layout::new(
        state,
        session,
        me,
        &format!("{} · {}", cx.unit.name, cx.campaign.title),
    )
    .await?;
    Ok(ReportPage {
        has_records: !rubric.record_kinds().is_empty(),
        layout,
        base: f(s.base),
        bonus: f(s.bonus),
        total: f(s.total),
        categories,
        editable: cx.mode == Mode::Edit,
        state_label: match report.state {
            ReportState::Returned => format!("{}，请修改后重新提交", report.state.label()),
            s => s.label().to_string(),
        },
        past_deadline: cx.overdue(),
        deadline: cx.deadline.to_string(),
        submitted: report.submitted_at.map(china_time),
        filler_name: typed
            .map(|t| t.filler_name.clone())
            .or(report.filler_name)
            .unwrap_or_else(|| me.user.display_name.clone()),
        filler_phone: typed
            .map(|t| t.filler_phone.clone())
            .or(report.filler_phone)
            .unwrap_or_default(),
        approver: typed
            .map(|t| t.approver.clone())
            .or(report.approver)
            .unwrap_or_default(),
        missing,
        problems,
        error,
        partial: cx.visible.is_some(),
        returned: cx
            .returned
            .iter()
            .filter(|(i, _)| visible(i))
            .map(|(i, comment)| {
                let words = rubric
                    .items()
                    .iter()
                    .position(|x| x.id == *i)
                    .map(|ii| rubric.item_ref(ii))
                    .unwrap_or_else(|| i.clone());
                (i.clone(), words, comment.clone())
            })
            .collect(),
        campaign: cx.campaign,
        unit: cx.unit,
        done,
        shown,
        message,
        best,
        // The unit's own notice (the unit and the admin): an assessor follows their
        // department's problems on the rectification page.
        rectify: if matches!(
            me.role(),
            kaohe_storage::Role::Reporter | kaohe_storage::Role::Admin
        ) {
            crate::year::rectify::open_counts(state, cid, Some(uid)).await?
        } else {
            (0, 0)
        },
    }
    .into_response())
}

/// Each category with its items as the report page lists them (only those `visible`):
/// state, score, missing facts.
fn category_views(
    rubric: &Rubric,
    s: &UnitScore,
    items: &[ReportItem],
    visible: &dyn Fn(&str) -> bool,
    evidence: &dyn Fn(&str) -> usize,
    past: &dyn Fn(&str) -> (usize, usize),
) -> Vec<CategoryView> {
    rubric
        .categories()
        .iter()
        .enumerate()
        .map(|(ci, c)| CategoryView {
            name: rubric.category_heading(ci),
            points: c.points.map(f).unwrap_or_else(|| "加分".into()),
            score: f(s.categories[ci].score),
            items: c
                .items
                .clone()
                .filter(|ii| visible(&rubric.items()[*ii].id))
                .map(|ii| {
                    let item = &rubric.items()[ii];
                    let saved = items.iter().find(|r| r.item_id == item.id);
                    let (state, class) = match saved.map(|r| r.state) {
                        None => ("未填", "empty"),
                        Some(ItemState::Draft) => ("草稿", "draft"),
                        Some(ItemState::Done) => ("已完成", "done"),
                    };
                    ItemRow {
                        id: item.id.clone(),
                        place: rubric.item_place(ii),
                        name: item.name.clone().unwrap_or_default(),
                        points: item.points.map(f).unwrap_or_else(|| "加分".into()),
                        state,
                        state_class: class,
                        // Not filled is not a score.
                        score: match saved {
                            Some(_) => f(s.items[ii].score),
                            None => "—".to_string(),
                        },
                        missing: s.missing(ii).len(),
                        flagged: s.items[ii].flagged,
                        evidence: evidence(&item.id),
                        past_open: past(&item.id).0,
                        past: past(&item.id).1,
                    }
                })
                .collect(),
        })
        .filter(|c: &CategoryView| !c.items.is_empty())
        .collect()
}
