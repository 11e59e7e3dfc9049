//! One item of the self-check: its inputs, the score as the reporter types (preview),
//! saving a draft or marking it done, its evidence.
use super::*;
use crate::audit::diff;
use crate::http::layout::human_size;
use std::collections::BTreeMap;

use crate::http::form::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kaohe_core::explain::{explain_item, missing_keys};
use kaohe_core::rubric::InputType;
use kaohe_core::{Facts, Rubric, UnitScore, fmt_decimal as f, score};
use kaohe_storage::{Campaign, Id, ItemState, RawFacts, ReportItem, StorageError, Unit};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::layout::{Layout, china_time};
use crate::http::upload::{Upload, field};
use crate::year::Action;
use crate::year::evidence::{attach, chosen_files};
use crate::year::scoring;

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
    /// For a fact that counts records: the records the self-check counts (day, title,
    /// state), read only.
    records: Vec<(String, String, &'static str)>,
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
#[template(path = "year/self_check/preview.html")]
struct PreviewFragment {
    p: PreviewView,
}

struct EvidenceView {
    id: Id,
    filename: String,
    size: String,
    uploaded: String,
    personal: bool,
    purged: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/self_check/item.html")]
struct ItemPage {
    layout: Layout,
    campaign: Campaign,
    unit: Unit,
    item_id: String,
    /// How people refer to the item (`基础工作第1项`).
    item_ref: String,
    item_name: String,
    category: String,
    points: String,
    criteria: String,
    rules: Vec<String>,
    inputs: Vec<InputView>,
    /// The district's facts the item reads: label, value, where it comes from.
    unit_facts: Vec<(String, String, String)>,
    version: i64,
    editable: bool,
    returned_comment: Option<String>,
    preview: String,
    message: Option<String>,
    error: Option<String>,
    evidence: Vec<EvidenceView>,
    max_upload: String,
    /// The items before and after, in the order shown: `(id, how people refer to it)`.
    prev: Option<(String, String)>,
    next: Option<(String, String)>,
    /// Last year's problems of the unit on this item (整改), with that year.
    last_year: Option<(i64, Vec<crate::year::rectify::PastProblem>)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemQuery {
    /// What was saved: `done`, `draft` or `evidence`.
    saved: Option<String>,
    /// How many files came with it.
    files: usize,
    /// Saved on the previous item's page (保存并下一项).
    prev: Option<String>,
}

fn input_views(
    rubric: &Rubric,
    item: usize,
    values: &RawFacts,
    errors: &BTreeMap<String, String>,
    counted: &[kaohe_storage::Record],
    counts: &scoring::Counted,
) -> Vec<InputView> {
    let it = &rubric.items()[item];
    it.inputs
        .clone()
        .map(|slot| {
            let input = rubric.input(slot);
            if let Some(what) = input.from.as_ref().and_then(|f| f.records()) {
                let kind = &rubric.record_kinds()[what.kind];
                let ids = counts.ids(&input.key, false);
                return InputView {
                    key: input.key.clone(),
                    label: input.label.clone(),
                    kind: "records",
                    value: ids.len().to_string(),
                    required: false,
                    unit: input.unit.clone().unwrap_or_default(),
                    hint: input
                        .from
                        .as_ref()
                        .map(|f| f.words(rubric))
                        .unwrap_or_default(),
                    error: None,
                    records: counted
                        .iter()
                        .filter(|r| ids.contains(&r.id))
                        .map(|r| {
                            (
                                r.day.clone(),
                                kind.title_of(&r.fields).to_string(),
                                r.state.label(),
                            )
                        })
                        .collect(),
                };
            }
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
                records: Vec::new(),
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
        // A count of records is kaohe's, never typed.
        if rubric.input(slot).from.is_some() {
            continue;
        }
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

/// Facts of the whole unit with one item's values replaced by `values` (self-check
/// column: `counts` are the records it counts).
fn facts_with(
    rubric: &Rubric,
    unit_level: &RawFacts,
    items: &[ReportItem],
    item_id: &str,
    values: &RawFacts,
    counts: &RawFacts,
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
    scoring::unit_facts(rubric, unit_level, &others, counts)
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
    let cu = scoring::with_unrectified(state, &cx.campaign, &rubric, cx.place.clone()).await?;
    let (values, errors, version) = match typed {
        Some(t) => t,
        None => (
            saved.map(|r| r.facts.clone()).unwrap_or_default(),
            BTreeMap::new(),
            saved.map(|r| r.version).unwrap_or(0),
        ),
    };
    // The unit's records, read once: what its counts count, and their titles beside them.
    let counted = if rubric.record_kinds().is_empty() {
        Vec::new()
    } else {
        state.store.unit_records(me.org(), cx.unit.id).await?
    };
    let counts = scoring::count(&rubric, &cx.campaign, &counted);
    let facts = facts_with(
        &rubric,
        &cu.unit_facts,
        &items,
        item_id,
        &values,
        &counts.column(false),
    );
    let s = score(&rubric, &facts);
    let preview = PreviewFragment {
        p: preview_of(&rubric, &facts, &s, ii, errors.values().cloned().collect()),
    }
    .render()?;
    let unit_facts = unit_fact_values(&rubric, ii, &cu.unit_facts);
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
    let evidence = evidence_views(state, &cx, item_id).await?;
    let rules = (0..it.rules.len())
        .map(|ri| kaohe_core::explain::describe_rule(&rubric, ii, ri))
        .collect();
    let layout = Layout::new(
        state,
        session,
        me,
        &format!(
            "{} {}",
            rubric.item_ref(ii),
            it.name.clone().unwrap_or_default()
        ),
    )
    .await?;
    Ok(ItemPage {
        layout,
        item_id: it.id.clone(),
        item_ref: rubric.item_ref(ii),
        item_name: it.name.clone().unwrap_or_default(),
        category: rubric.categories()[it.category].name.clone(),
        points: it.points.map(f).unwrap_or_else(|| "加分项".into()),
        criteria: it.criteria.clone(),
        rules,
        inputs: input_views(&rubric, ii, &values, &errors, &counted, &counts),
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
            .map(|id| with_ref(&rubric, id)),
        next: visible.get(pos + 1).map(|id| with_ref(&rubric, id)),
        last_year: crate::year::rectify::last_year(state, &cx.campaign, cx.unit.id)
            .await?
            .map(|(y, all)| {
                (
                    y,
                    all.into_iter().filter(|p| p.item_id == item_id).collect(),
                )
            })
            .filter(|(_, mine): &(i64, Vec<_>)| !mine.is_empty()),
        campaign: cx.campaign,
        unit: cx.unit,
    }
    .into_response())
}

/// An item's id with how people refer to it.
fn with_ref(rubric: &Rubric, id: &str) -> (String, String) {
    let words = rubric
        .items()
        .iter()
        .position(|i| i.id == id)
        .map(|ii| rubric.item_ref(ii))
        .unwrap_or_else(|| id.to_string());
    (id.to_string(), words)
}

/// The unit's evidence for the item (not the files of its appeals), under safe names.
async fn evidence_views(
    state: &AppState,
    cx: &Context,
    item_id: &str,
) -> AppResult<Vec<EvidenceView>> {
    Ok(state
        .store
        .evidence_list(cx.campaign.id, cx.unit.id)
        .await?
        .into_iter()
        .filter(|e| e.item_id == item_id && e.of_report())
        .map(|e| EvidenceView {
            id: e.id,
            filename: crate::year::evidence::safe_name(&e.filename, &e.content_type),
            size: human_size(e.size),
            uploaded: china_time(e.uploaded_at),
            personal: e.personal,
            purged: e.purged_at.is_some(),
        })
        .collect())
}

/// Where a unit-level fact comes from, as a page says it.
pub(crate) fn whence(rubric: &Rubric, input: &kaohe_core::rubric::Input) -> String {
    match &input.from {
        Some(from) => from.words(rubric),
        None => "由区里设定".to_string(),
    }
}

/// The district's facts the item uses, as the unit sees them (read only).
fn unit_fact_values(
    rubric: &Rubric,
    ii: usize,
    unit_facts: &RawFacts,
) -> Vec<(String, String, String)> {
    rubric.items()[ii]
        .uses
        .iter()
        .filter(|slot| rubric.input(**slot).item.is_none())
        .map(|slot| {
            let input = rubric.input(*slot);
            let value = unit_facts
                .get(&input.key)
                .cloned()
                .unwrap_or_else(|| "（未设置，请联系区里）".into());
            (input.label.clone(), value, whence(rubric, input))
        })
        .collect()
}

pub async fn item_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    Query(q): Query<ItemQuery>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    let rubric = scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    let prev = q.prev.as_deref().map(|p| with_ref(&rubric, p).1);
    let message = q.saved.map(|s| {
        let saved = match (s.as_str(), &prev) {
            ("done", None) => "已保存，此项标记为已完成".to_string(),
            ("done", Some(p)) => format!("上一项（{p}）已保存并标记为已完成"),
            ("evidence", _) => "佐证材料已上传".to_string(),
            (_, None) => "草稿已保存".to_string(),
            (_, Some(p)) => format!("上一项（{p}）已保存为草稿，还不能标记完成，请稍后补齐"),
        };
        match q.files {
            0 => saved,
            1 if s == "evidence" => saved,
            n if s == "evidence" => format!("{n} 个佐证材料已上传"),
            n => format!("{saved}；{n} 个佐证材料已上传"),
        }
    });
    render_item(&state, &session, &me, cx, &item, None, message, None).await
}

/// Saves the item's form: its values as a draft or marked done, and the files chosen on
/// the same form, in one unit of work. `保存并下一项` goes on to the next item; `上传`
/// stores the files and the values only if they were changed. Refused, the page comes
/// back with everything as typed and why.
pub async fn item_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    form: Upload,
) -> AppResult<Response> {
    let pairs = &form.fields;
    check_csrf(&session, field(pairs, "csrf")).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if !cx.can_edit(&item) {
        return Err(cx.refusal(Action::ItemDone));
    }
    let rubric = scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    let ii = item_index(&rubric, &item)?;
    let version: i64 = field(pairs, "version").parse().unwrap_or(-1);
    let pressed = field(pairs, "action");
    let upload_only = pressed == "upload";
    let (values, errors) = parse_item_values(&rubric, ii, pairs);
    // `保存并下一项` marks the item done when it can be, and keeps it a draft otherwise.
    let done = pressed == "done"
        || (pressed == "next" && save_problems(&rubric, ii, &values, true).is_empty());
    // Refused: the page again with everything as typed, and why.
    let again = |cx: Context, errors: BTreeMap<String, String>, why: String| {
        let typed = Some((raw_of(&rubric, ii, pairs), errors, version));
        render_item(&state, &session, &me, cx, &item, typed, None, Some(why))
    };
    let files = match chosen_files(&form, state.config.max_upload) {
        Ok(files) => files,
        Err(AppError::BadRequest(m)) => {
            let why = format!("{m} 本次什么都没有保存；您填的内容都还在，请重新选择文件。");
            return again(cx, BTreeMap::new(), why).await;
        }
        Err(e) => return Err(e),
    };
    let not_kept = if files.is_empty() {
        ""
    } else {
        "所选文件也未上传，改正后请重新选择。"
    };
    if !errors.is_empty() {
        let n = errors.len();
        let why =
            format!("有 {n} 个值不正确，未保存；请按提示改正（您填的内容都还在）。{not_kept}");
        return again(cx, errors, why).await;
    }
    let old = state
        .store
        .report_items(cid, uid)
        .await?
        .into_iter()
        .find(|r| r.item_id == item);
    let before = old.as_ref().map(|o| o.facts.clone()).unwrap_or_default();
    // Uploading keeps the item as it is unless its values were changed on the form.
    let save_values = !upload_only || before != values;
    if upload_only && files.is_empty() {
        return again(cx, BTreeMap::new(), "请先选择要上传的文件。".into()).await;
    }
    let problems = if save_values {
        save_problems(&rubric, ii, &values, done)
    } else {
        Vec::new()
    };
    if !problems.is_empty() {
        let what = if done {
            "不能标记为已完成"
        } else {
            "未保存"
        };
        let why = format!("{what}：{}。{not_kept}", problems.join("；"));
        return again(cx, BTreeMap::new(), why).await;
    }
    let item_state = if done {
        ItemState::Done
    } else {
        ItemState::Draft
    };
    let n = files.len();
    let mut work = state.store.begin().await?;
    if save_values {
        let saved = work
            .save_report_item(
                cid,
                uid,
                &item,
                &values,
                item_state,
                version,
                Some(me.user.id),
            )
            .await;
        match saved {
            Ok(_) => {}
            Err(StorageError::Conflict) => {
                // The change did not happen: end its unit of work before rendering.
                drop(work);
                let why = saved_meanwhile(&state, old.as_ref()).await;
                return again(cx, BTreeMap::new(), format!("{why}{not_kept}")).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut changes = if save_values {
        diff(&before, &values)
    } else {
        Vec::new()
    };
    changes.extend(attach(&mut work, &me, (cid, uid, &item), files).await?);
    let action = match (save_values, done) {
        (false, _) => Action::EvidenceUpload,
        (true, true) => Action::ItemDone,
        (true, false) => Action::ItemDraft,
    };
    let target = format!("campaign:{cid}/unit:{uid}/item:{item}");
    crate::audit::record(work, &me, action, target, changes).await?;
    let flag = match (save_values, done) {
        (false, _) => "evidence",
        (true, true) => "done",
        (true, false) => "draft",
    };
    let mut query = format!("saved={flag}");
    if n > 0 {
        query.push_str(&format!("&files={n}"));
    }
    let next = match (pressed == "next").then(|| next_item(&rubric, &cx, &item)) {
        Some(Some(next)) => {
            query.push_str(&format!("&prev={item}"));
            next
        }
        // The last item: on to the list, where the report is submitted.
        Some(None) => {
            return Ok(Redirect::to(&format!("/c/{cid}/u/{uid}?saved={item}")).into_response());
        }
        None => item.clone(),
    };
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}/i/{next}?{query}")).into_response())
}

/// The item after `item` among those the user sees, in the rubric's order.
fn next_item(rubric: &Rubric, cx: &Context, item: &str) -> Option<String> {
    let shown: Vec<&str> = rubric
        .items()
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| {
            cx.visible
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == id))
        })
        .collect();
    let pos = shown.iter().position(|id| *id == item)?;
    shown.get(pos + 1).map(|s| s.to_string())
}

/// Why the item's values cannot be saved as they are: discretionary amounts need their
/// reasons; marking it done needs every required fact.
pub(crate) fn save_problems(
    rubric: &Rubric,
    ii: usize,
    values: &RawFacts,
    done: bool,
) -> Vec<String> {
    let mut facts = Facts::new(rubric);
    scoring::apply(rubric, &mut facts, values);
    let mut problems: Vec<String> = facts
        .problems(rubric)
        .into_iter()
        .filter(|(slot, _)| rubric.input(*slot).item == Some(ii))
        .map(|(_, m)| m)
        .collect();
    if done {
        for slot in rubric.items()[ii].inputs.clone() {
            let input = rubric.input(slot);
            // A count of records is kaohe's: never typed, never missing.
            if input.required && input.from.is_none() && !values.contains_key(&input.key) {
                problems.push(format!("“{}”未填", input.label));
            }
        }
    }
    problems
}

/// What a save says when someone else saved the item after it was opened: who and when.
async fn saved_meanwhile(state: &AppState, old: Option<&ReportItem>) -> String {
    let who = match old.and_then(|o| o.updated_by) {
        Some(id) => state
            .store
            .user(id)
            .await
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let when = old.map(|o| china_time(o.updated_at)).unwrap_or_default();
    format!(
        "未保存：此项在您打开之后已被{who}于 {when} 修改。为免覆盖对方的内容，请记下您填的值，重新打开此项后再填。"
    )
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
    let cu = scoring::with_unrectified(&state, &cx.campaign, &rubric, cx.place.clone()).await?;
    let counts = scoring::counted(&state, &cx.campaign, &rubric, uid).await?;
    let facts = facts_with(
        &rubric,
        &cu.unit_facts,
        &items,
        &item,
        &values,
        &counts.column(false),
    );
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
