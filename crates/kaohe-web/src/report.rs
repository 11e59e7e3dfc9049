//! The self-check (自查): a reporter fills in the facts of their unit, item by item,
//! sees the score and its reasons as they type, saves drafts and submits. Others with
//! the right to see a report (the admin; assessors, for their department's items) see
//! the same pages read-only.

use std::collections::BTreeMap;

use crate::form::Form;
use crate::form::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kaohe_core::explain::{explain_item, missing_keys};
use kaohe_core::rubric::InputType;
use kaohe_core::{Facts, Rubric, UnitScore, fmt_decimal as f, score};
use kaohe_storage::{
    AuditEntry, Campaign, Id, ItemState, RawFacts, ReportItem, ReportState, Role, StorageError,
    Unit,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::departments;
use crate::error::{AppError, AppResult};
use crate::scoring;
use crate::upload::field;
use crate::views::{Layout, china_time};
use crate::year::{Action, Phase, Refusal, Year};
use time::Date;

/// What the current user may do with a unit's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The unit's reporter, before submission and the deadline.
    Edit,
    /// Everyone else allowed to look, and the reporter after submitting.
    Read,
}

pub struct Context {
    pub campaign: Campaign,
    /// The campaign's phase today, which decides what may change.
    pub year: Year,
    pub unit: Unit,
    pub report: kaohe_storage::Report,
    pub mode: Mode,
    /// For assessors: the items of their department; everyone else sees all.
    pub visible: Option<Vec<String>>,
    /// The unit's last day (its extension, or the campaign's deadline).
    pub deadline: Date,
    /// Items returned to the unit (退回) with the assessors' comments.
    pub returned: Vec<(String, String)>,
}

impl Context {
    /// Why the user may not do `action` to the report now, in words: the rule of the year
    /// first (a locked campaign, a submitted report, a passed deadline), then what only
    /// this page knows (a returned report opens only its returned items).
    pub fn refusal(&self, action: Action) -> AppError {
        match self.may(action) {
            Err(r) => r.into(),
            Ok(()) if self.report.state == ReportState::Returned => AppError::BadRequest(format!(
                "{}：退回修改时只能改被退回的项目。",
                action.refused()
            )),
            Ok(()) => {
                AppError::BadRequest(format!("{}：您没有修改此报告的权限。", action.refused()))
            }
        }
    }

    /// The rule of the year for this unit's report.
    pub fn may(&self, action: Action) -> Result<(), Refusal> {
        self.year
            .allows(Some(self.report.state), Some(self.deadline), action)
    }

    /// Whether the unit's last day has passed with the report still a draft.
    pub fn overdue(&self) -> bool {
        self.report.state == ReportState::Draft && self.year.today > self.deadline
    }

    /// Whether the user may change this item now: the unit's reporter while the report
    /// is open, and after a return (退回) only the returned items.
    pub fn can_edit(&self, item: &str) -> bool {
        self.mode == Mode::Edit
            && (self.report.state != ReportState::Returned
                || self.returned.iter().any(|(i, _)| i == item))
    }
}

/// Loads a campaign and unit the user may see, and what they may do there. Another
/// organiser's campaign or unit does not exist for them; another unit of their own
/// organiser is forbidden.
pub async fn context(state: &AppState, me: &CurrentUser, cid: Id, uid: Id) -> AppResult<Context> {
    let year = Year::load(state, me.org(), cid).await?;
    let campaign = year.campaign.clone();
    let unit = state.store.unit(me.org(), uid).await?;
    let deadline = year.deadline_of(state, uid).await?;
    let report = state.store.report(cid, uid).await?;
    let (mode, visible) = match me.role() {
        Role::Reporter if me.user.unit_id == Some(uid) => {
            let open = year
                .allows(Some(report.state), Some(deadline), Action::ItemDone)
                .is_ok();
            (if open { Mode::Edit } else { Mode::Read }, None)
        }
        Role::Admin => (Mode::Read, None),
        Role::Assessor => {
            let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
            let items = departments::items_of(state, me, &campaign, &rubric)
                .await?
                .into_iter()
                .map(|n| rubric.items()[n].id.clone())
                .collect();
            (Mode::Read, Some(items))
        }
        _ => return Err(AppError::Forbidden),
    };
    let returned = if report.state == ReportState::Returned {
        state
            .store
            .reviews(cid, uid)
            .await?
            .into_iter()
            .filter(|r| r.state == kaohe_storage::ReviewState::Returned)
            .map(|r| (r.item_id, r.comment.unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Context {
        campaign,
        year,
        unit,
        report,
        mode,
        visible,
        deadline,
        returned,
    })
}

// ── the campaign home of a unit ───────────────────────────────────────────────

struct ItemRow {
    id: String,
    name: String,
    points: String,
    state: &'static str,
    state_class: &'static str,
    score: String,
    missing: usize,
    flagged: bool,
}

struct CategoryView {
    name: String,
    points: String,
    score: String,
    items: Vec<ItemRow>,
}

struct MissingView {
    item: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
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
    returned: Vec<(String, String)>,
}

pub async fn report_home(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    render_report(&state, &session, &me, cid, uid, None, None).await
}

#[allow(clippy::too_many_arguments)]
async fn render_report(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    uid: Id,
    error: Option<String>,
    typed: Option<&SubmitForm>,
) -> AppResult<Response> {
    let cx = context(state, me, cid, uid).await?;
    let (rubric, facts, s, items) = scoring::self_score(state, &cx.campaign, uid).await?;
    let report = state.store.report(cid, uid).await?;
    let visible = |id: &str| {
        cx.visible
            .as_ref()
            .is_none_or(|v| v.iter().any(|x| x == id))
    };
    let categories = rubric
        .categories()
        .iter()
        .enumerate()
        .map(|(ci, c)| CategoryView {
            name: c.name.clone(),
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
                        name: item.name.clone().unwrap_or_default(),
                        points: item.points.map(f).unwrap_or_else(|| "加分".into()),
                        state,
                        state_class: class,
                        score: f(s.items[ii].score),
                        missing: s.missing(ii).len(),
                        flagged: s.items[ii].flagged,
                    }
                })
                .collect(),
        })
        .filter(|c: &CategoryView| !c.items.is_empty())
        .collect();
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
            .cloned()
            .collect(),
        campaign: cx.campaign,
        unit: cx.unit,
    }
    .into_response())
}

// ── one item ──────────────────────────────────────────────────────────────────

struct InputView {
    key: String,
    label: String,
    kind: &'static str,
    value: String,
    required: bool,
    unit: String,
    hint: String,
    error: Option<String>,
}

struct PreviewView {
    score: String,
    points: String,
    lines: Vec<String>,
    missing: Vec<String>,
    errors: Vec<String>,
    total: String,
    flagged: bool,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewFragment {
    p: PreviewView,
}

struct EvidenceView {
    id: Id,
    filename: String,
    size: String,
    uploaded: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    campaign: Campaign,
    unit: Unit,
    item_id: String,
    item_name: String,
    category: String,
    points: String,
    criteria: String,
    rules: Vec<String>,
    inputs: Vec<InputView>,
    unit_facts: Vec<(String, String)>,
    version: i64,
    editable: bool,
    returned_comment: Option<String>,
    preview: String,
    message: Option<String>,
    error: Option<String>,
    evidence: Vec<EvidenceView>,
    max_upload: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct ItemQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn input_views(
    rubric: &Rubric,
    item: usize,
    values: &RawFacts,
    errors: &BTreeMap<String, String>,
) -> Vec<InputView> {
    let it = &rubric.items()[item];
    it.inputs
        .clone()
        .map(|slot| {
            let input = rubric.input(slot);
            let kind = match input.ty {
                InputType::Count => "count",
                InputType::Percent => "percent",
                InputType::Decimal => "decimal",
                InputType::Bool => "bool",
                InputType::Text => "text",
            };
            let hint = match (input.ty, input.max) {
                (InputType::Decimal, Some(max)) => format!("0 至 {} 分，以 0.1 为单位", f(max)),
                (InputType::Percent, _) => "填 0–100，如 95 或 95%".into(),
                (InputType::Count, _) => "整数".into(),
                _ => String::new(),
            };
            InputView {
                key: input.key.clone(),
                label: input.label.clone(),
                kind,
                value: values.get(&input.key).cloned().unwrap_or_default(),
                required: input.required,
                unit: match input.ty {
                    InputType::Percent => "%".into(),
                    _ => input.unit.clone().unwrap_or_default(),
                },
                hint,
                error: errors.get(&input.key).cloned(),
            }
        })
        .collect()
}

/// Parses the typed values of one item: the good ones, and a message per bad one.
fn parse_item_values(
    rubric: &Rubric,
    item: usize,
    pairs: &[(String, String)],
) -> (RawFacts, BTreeMap<String, String>) {
    let it = &rubric.items()[item];
    let mut good = RawFacts::new();
    let mut errors = BTreeMap::new();
    for slot in it.inputs.clone() {
        let key = &rubric.input(slot).key;
        let Some((_, raw)) = pairs.iter().find(|(k, _)| k == key) else {
            continue;
        };
        let raw = raw.trim();
        match rubric.parse_value(slot, raw) {
            Ok(Some(_)) => {
                good.insert(key.clone(), raw.to_string());
            }
            Ok(None) => {}
            Err(e) => {
                errors.insert(key.clone(), e.message);
            }
        }
    }
    (good, errors)
}

fn item_index(rubric: &Rubric, item_id: &str) -> AppResult<usize> {
    rubric
        .items()
        .iter()
        .position(|i| i.id == item_id)
        .ok_or(AppError::NotFound)
}

fn preview_of(
    rubric: &Rubric,
    facts: &Facts,
    s: &UnitScore,
    item: usize,
    errors: Vec<String>,
) -> PreviewView {
    let it = &rubric.items()[item];
    PreviewView {
        score: f(s.items[item].score),
        points: it.points.map(f).unwrap_or_else(|| "加分".into()),
        lines: explain_item(rubric, facts, s, item),
        missing: missing_keys(rubric, s, item)
            .iter()
            .filter_map(|k| rubric.slot(k).map(|sl| rubric.input(sl).label.clone()))
            .collect(),
        errors,
        total: f(s.total),
        flagged: s.items[item].flagged,
    }
}

/// Facts of the whole unit with one item's values replaced by `values`.
fn facts_with(
    rubric: &Rubric,
    unit_level: &RawFacts,
    items: &[ReportItem],
    item_id: &str,
    values: &RawFacts,
) -> Facts {
    let mut others: Vec<ReportItem> = items
        .iter()
        .filter(|r| r.item_id != item_id)
        .cloned()
        .collect();
    others.push(ReportItem {
        item_id: item_id.to_string(),
        facts: values.clone(),
        state: ItemState::Draft,
        version: 0,
        updated_by: None,
        updated_at: 0,
    });
    scoring::unit_facts(rubric, unit_level, &others)
}

#[allow(clippy::too_many_arguments)]
async fn render_item(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cx: Context,
    item_id: &str,
    typed: Option<(RawFacts, BTreeMap<String, String>, i64)>,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let rubric = scoring::rubric(state, me.org(), cx.campaign.rubric_id).await?;
    let ii = item_index(&rubric, item_id)?;
    if cx
        .visible
        .as_ref()
        .is_some_and(|v| !v.iter().any(|x| x == item_id))
    {
        return Err(AppError::Forbidden);
    }
    let it = &rubric.items()[ii];
    let items = state.store.report_items(cx.campaign.id, cx.unit.id).await?;
    let saved = items.iter().find(|r| r.item_id == item_id);
    let cu = state
        .store
        .campaign_units(cx.campaign.id)
        .await?
        .into_iter()
        .find(|c| c.unit_id == cx.unit.id)
        .ok_or(AppError::NotFound)?;
    let (values, errors, version) = match typed {
        Some(t) => t,
        None => (
            saved.map(|r| r.facts.clone()).unwrap_or_default(),
            BTreeMap::new(),
            saved.map(|r| r.version).unwrap_or(0),
        ),
    };
    let facts = facts_with(&rubric, &cu.unit_facts, &items, item_id, &values);
    let s = score(&rubric, &facts);
    let preview = PreviewFragment {
        p: preview_of(&rubric, &facts, &s, ii, errors.values().cloned().collect()),
    }
    .render()?;
    let unit_facts = it
        .uses
        .iter()
        .filter(|slot| rubric.input(**slot).item.is_none())
        .map(|slot| {
            let input = rubric.input(*slot);
            (
                input.label.clone(),
                cu.unit_facts
                    .get(&input.key)
                    .cloned()
                    .unwrap_or_else(|| "（未设置，请联系区里）".into()),
            )
        })
        .collect();
    let visible: Vec<&str> = rubric
        .items()
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| {
            cx.visible
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == id))
        })
        .collect();
    let pos = visible.iter().position(|id| *id == item_id).unwrap_or(0);
    let evidence = state
        .store
        .evidence_list(cx.campaign.id, cx.unit.id)
        .await?
        .into_iter()
        .filter(|e| e.item_id == item_id && e.appeal_id.is_none())
        .map(|e| EvidenceView {
            id: e.id,
            filename: crate::evidence::safe_name(&e.filename, &e.content_type),
            size: human_size(e.size),
            uploaded: china_time(e.uploaded_at),
        })
        .collect();
    let rules = (0..it.rules.len())
        .map(|ri| kaohe_core::explain::describe_rule(&rubric, ii, ri))
        .collect();
    let layout = Layout::new(
        state,
        session,
        me,
        &format!("{} {}", it.id, it.name.clone().unwrap_or_default()),
    )
    .await?;
    Ok(ItemPage {
        layout,
        item_id: it.id.clone(),
        item_name: it.name.clone().unwrap_or_default(),
        category: rubric.categories()[it.category].name.clone(),
        points: it.points.map(f).unwrap_or_else(|| "加分项".into()),
        criteria: it.criteria.clone(),
        rules,
        inputs: input_views(&rubric, ii, &values, &errors),
        unit_facts,
        version,
        editable: cx.can_edit(item_id),
        returned_comment: cx
            .returned
            .iter()
            .find(|(i, _)| i == item_id)
            .map(|(_, c)| c.clone()),
        preview,
        message,
        error,
        evidence,
        max_upload: human_size(state.config.max_upload as i64),
        prev: pos
            .checked_sub(1)
            .and_then(|p| visible.get(p))
            .map(|s| s.to_string()),
        next: visible.get(pos + 1).map(|s| s.to_string()),
        campaign: cx.campaign,
        unit: cx.unit,
    }
    .into_response())
}

pub fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

pub async fn item_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Query(q): Query<ItemQuery>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    let message = q.saved.map(|s| match s.as_str() {
        "done" => "已保存，此项标记为已完成".to_string(),
        "evidence" => "佐证材料已上传".to_string(),
        _ => "草稿已保存".to_string(),
    });
    render_item(&state, &session, &me, cx, &item, None, message, None).await
}

pub async fn item_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if !cx.can_edit(&item) {
        return Err(cx.refusal(Action::ItemDone));
    }
    let rubric = scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    let ii = item_index(&rubric, &item)?;
    let version: i64 = field(&pairs, "version").parse().unwrap_or(-1);
    let done = field(&pairs, "action") == "done";
    let (values, errors) = parse_item_values(&rubric, ii, &pairs);
    if !errors.is_empty() {
        let n = errors.len();
        return render_item(
            &state,
            &session,
            &me,
            cx,
            &item,
            Some((raw_of(&rubric, ii, &pairs), errors, version)),
            None,
            Some(format!(
                "有 {n} 个值不正确，未保存；请按提示改正（您填的内容都还在）。"
            )),
        )
        .await;
    }
    let it = &rubric.items()[ii];
    // Discretionary amounts need their reasons; "done" needs every required fact.
    let mut facts = Facts::new(&rubric);
    scoring::apply(&rubric, &mut facts, &values);
    let mut problems: Vec<String> = facts
        .problems(&rubric)
        .into_iter()
        .filter(|(slot, _)| rubric.input(*slot).item == Some(ii))
        .map(|(_, m)| m)
        .collect();
    if done {
        for slot in it.inputs.clone() {
            let input = rubric.input(slot);
            if input.required && !values.contains_key(&input.key) {
                problems.push(format!("“{}”未填", input.label));
            }
        }
    }
    if !problems.is_empty() {
        let what = if done {
            "不能标记为已完成"
        } else {
            "未保存"
        };
        return render_item(
            &state,
            &session,
            &me,
            cx,
            &item,
            Some((raw_of(&rubric, ii, &pairs), BTreeMap::new(), version)),
            None,
            Some(format!("{what}：{}。", problems.join("；"))),
        )
        .await;
    }
    let old = state
        .store
        .report_items(cid, uid)
        .await?
        .into_iter()
        .find(|r| r.item_id == item);
    let item_state = if done {
        ItemState::Done
    } else {
        ItemState::Draft
    };
    let mut work = state.store.begin().await?;
    match work
        .save_report_item(
            cid,
            uid,
            &item,
            &values,
            item_state,
            version,
            Some(me.user.id),
        )
        .await
    {
        Ok(_) => {}
        Err(StorageError::Conflict) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            let who = match old.as_ref().and_then(|o| o.updated_by) {
                Some(id) => state
                    .store
                    .user(id)
                    .await
                    .map(|u| u.display_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let when = old
                .as_ref()
                .map(|o| china_time(o.updated_at))
                .unwrap_or_default();
            return render_item(
                &state,
                &session,
                &me,
                cx,
                &item,
                Some((raw_of(&rubric, ii, &pairs), BTreeMap::new(), version)),
                None,
                Some(format!(
                    "未保存：此项在您打开之后已被{who}于 {when} 修改。为免覆盖对方的内容，请记下您填的值，重新打开此项后再填。"
                )),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    let before = old.map(|o| o.facts).unwrap_or_default();
    let changes = diff(&before, &values);
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: if done {
            Action::ItemDone
        } else {
            Action::ItemDraft
        }
        .code()
        .into(),
        target: format!("campaign:{cid}/unit:{uid}/item:{item}"),
        reason: None,
        changes,
    })
    .await?;
    let flag = if done { "done" } else { "draft" };
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}/i/{item}?saved={flag}")).into_response())
}

/// The values as typed for the item's inputs, kept to show again with errors.
fn raw_of(rubric: &Rubric, item: usize, pairs: &[(String, String)]) -> RawFacts {
    rubric.items()[item]
        .inputs
        .clone()
        .filter_map(|slot| {
            let key = &rubric.input(slot).key;
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
        })
        .collect()
}

/// Each changed field, old → new.
pub fn diff(before: &RawFacts, after: &RawFacts) -> serde_json::Value {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes: Vec<serde_json::Value> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| serde_json::json!({"field": k, "old": before.get(k), "new": after.get(k)}))
        .collect();
    serde_json::Value::Array(changes)
}

pub async fn item_preview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if cx.visible.as_ref().is_some_and(|v| !v.contains(&item)) {
        return Err(AppError::Forbidden);
    }
    let rubric = scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    let ii = item_index(&rubric, &item)?;
    let (values, errors) = parse_item_values(&rubric, ii, &pairs);
    let items = state.store.report_items(cid, uid).await?;
    let cu = state
        .store
        .campaign_units(cid)
        .await?
        .into_iter()
        .find(|c| c.unit_id == uid)
        .ok_or(AppError::NotFound)?;
    let facts = facts_with(&rubric, &cu.unit_facts, &items, &item, &values);
    let s = score(&rubric, &facts);
    let errors = errors
        .iter()
        .map(|(k, m)| {
            let label = rubric
                .slot(k)
                .map(|sl| rubric.input(sl).label.clone())
                .unwrap_or_default();
            format!("{label}：{m}")
        })
        .collect();
    let html = PreviewFragment {
        p: preview_of(&rubric, &facts, &s, ii, errors),
    }
    .render()?;
    Ok(Html(html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    csrf: String,
    filler_name: String,
    filler_phone: String,
    approver: String,
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    Form(form): Form<SubmitForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if cx.mode != Mode::Edit {
        return Err(cx.refusal(Action::ReportSubmit));
    }
    let (rubric, facts, s, _) = scoring::self_score(&state, &cx.campaign, uid).await?;
    let mut problems = Vec::new();
    let missing = s.all_missing();
    if !missing.is_empty() {
        problems.push(format!(
            "还有 {} 项必填数据未填（见下方清单）",
            missing.len()
        ));
    }
    problems.extend(facts.problems(&rubric).into_iter().map(|(_, m)| m));
    let phone_ok = form
        .filler_phone
        .chars()
        .filter(|c| c.is_ascii_digit())
        .count()
        >= 7;
    if form.filler_name.trim().is_empty() {
        problems.push("请填写填报人".into());
    }
    if !phone_ok {
        problems.push("请填写填报人的联系电话（至少 7 位数字）".into());
    }
    if form.approver.trim().is_empty() {
        problems.push("请填写审核领导".into());
    }
    if !problems.is_empty() {
        return render_report(
            &state,
            &session,
            &me,
            cid,
            uid,
            Some(format!("未提交：{}。", problems.join("；"))),
            Some(&form),
        )
        .await;
    }
    let mut work = state.store.begin().await?;
    match work
        .submit_report(
            cid,
            uid,
            form.filler_name.trim(),
            form.filler_phone.trim(),
            form.approver.trim(),
            me.user.id,
        )
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            return render_report(
                &state,
                &session,
                &me,
                cid,
                uid,
                Some("此报告已经提交过了。".into()),
                None,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    work.commit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: Action::ReportSubmit.code().into(),
            target: format!("campaign:{cid}/unit:{uid}"),
            reason: None,
            changes: serde_json::json!([
                {"field": "state", "old": cx.report.state.as_str(), "new": "submitted"},
                {"field": "filler_name", "old": cx.report.filler_name, "new": form.filler_name.trim()},
                {"field": "filler_phone", "old": cx.report.filler_phone, "new": form.filler_phone.trim()},
                {"field": "approver", "old": cx.report.approver, "new": form.approver.trim()},
                {"field": "self_score", "old": null, "new": f(s.total)},
            ]),
        })
        .await?;
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}")).into_response())
}

// ── home ──────────────────────────────────────────────────────────────────────

struct CampaignLink {
    title: String,
    year: i64,
    deadline: String,
    href: String,
    state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    intro: String,
    campaigns: Vec<CampaignLink>,
}

/// Where each role starts.
pub async fn home(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    match me.role() {
        Role::Admin => return Ok(Redirect::to("/admin").into_response()),
        Role::Auditor => return Ok(Redirect::to("/audit").into_response()),
        _ => {}
    }
    let mut campaigns = Vec::new();
    for c in state.store.campaigns(me.org()).await? {
        let year = Year::of(&state, c.clone()).await?;
        match (me.role(), year.phase) {
            // Not issued yet: the admin's alone.
            (_, Phase::Draft) => {}
            // A past year is read through its results.
            (Role::Reporter | Role::Assessor, Phase::PastYear) => {
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    year: c.year,
                    href: if c.published_at.is_some() || me.role() == Role::Assessor {
                        format!("/c/{}/results", c.id)
                    } else {
                        String::new()
                    },
                    deadline: c.deadline.clone(),
                    state: "已结束".to_string(),
                });
            }
            (Role::Reporter, _) => {
                let Some(uid) = me.user.unit_id else { continue };
                let deadline = match year.deadline_of(&state, uid).await {
                    Ok(d) => d,
                    // The unit does not take part in this campaign.
                    Err(AppError::NotFound) => continue,
                    Err(e) => return Err(e),
                };
                let report = state.store.report(c.id, uid).await?;
                let state_text = match report.state {
                    _ if year.overdue(report.state, deadline) => "已过截止日期".to_string(),
                    ReportState::Returned => format!("{}，请修改后重新提交", report.state.label()),
                    s => s.label().to_string(),
                };
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    year: c.year,
                    href: format!("/c/{}/u/{uid}", c.id),
                    deadline: deadline.to_string(),
                    state: state_text,
                });
            }
            (Role::Assessor, phase) => campaigns.push(CampaignLink {
                title: c.title.clone(),
                year: c.year,
                href: format!("/c/{}/review", c.id),
                deadline: c.deadline.clone(),
                state: if phase.is_locked() {
                    phase.label().to_string()
                } else {
                    "审核本部门负责的项目".to_string()
                },
            }),
            (_, phase) => {
                let computed = state.store.has_results(c.id).await?;
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    year: c.year,
                    href: if computed {
                        format!("/c/{}/results", c.id)
                    } else {
                        String::new()
                    },
                    deadline: c.deadline.clone(),
                    state: if computed {
                        "结果已计算"
                    } else if phase == Phase::Reporting {
                        "自查进行中，结果尚未计算"
                    } else {
                        "已关闭"
                    }
                    .to_string(),
                })
            }
        }
    }
    let intro = match me.role() {
        Role::Reporter => "请选择考核任务，逐项填写本单位的自查数据并上传佐证材料，完成后提交。",
        Role::Assessor => "请选择考核任务，逐单位审核本部门负责的项目：核实数据、确认或退回。",
        _ => "考核结果计算后将在此显示。",
    }
    .to_string();
    Ok(HomePage {
        layout: Layout::new(&state, &session, &me, "首页").await?,
        intro,
        campaigns,
    }
    .into_response())
}
