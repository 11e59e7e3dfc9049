//! The self-check filled in Excel or WPS (自查填报表): the unit downloads its facts as a
//! workbook with one open column, fills it in (or saves it as CSV), and imports it here:
//! a preview says, item by item, every value that changes, old → new, and every cell
//! refused with why; confirmed, it is saved all at once, as one audited action with its
//! file kept, each item as if saved on its page (marked done when it is complete).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::Rubric;
use kaohe_core::rubric::Slot;
use kaohe_formats::fill_in::{fill_in_xlsx, read_fill_in};
use kaohe_storage::{Id, ImportKind, ItemState, NewImport, RawFacts, StorageError};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use super::{Context, context, item::save_problems};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::Layout;
use crate::http::upload::{MAX_TABLE_BYTES, Upload, too_big};
use crate::year::imports::begin_apply;
use crate::year::{Action, scoring};

/// An item the import changes: its facts before and after.
pub struct ItemChange {
    pub item_id: String,
    /// How people refer to it (`基础工作第2项 人员、制度、经费、指导督查`).
    pub item: String,
    pub version: i64,
    pub before: RawFacts,
    pub after: RawFacts,
    /// Each changed fact: `(label, old, new, cell)`.
    pub lines: Vec<(String, String, String, String)>,
    /// Marked done (complete) or kept a draft.
    pub done: bool,
}

#[derive(Default)]
pub struct Plan {
    pub items: Vec<ItemChange>,
    pub unchanged: usize,
    pub problems: Vec<String>,
}

impl Plan {
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for i in &self.items {
            h.update(i.item_id.as_bytes());
            h.update(i.version.to_le_bytes());
            h.update(
                serde_json::to_string(&i.after)
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn changed(&self) -> usize {
        self.items.iter().map(|i| i.lines.len()).sum()
    }
}

/// The facts the unit fills in itself: every item fact but counts of records (kept as
/// records) and the district's unit-level facts.
fn fillable(rubric: &Rubric) -> Vec<Slot> {
    (0..rubric.inputs().len())
        .filter(|&s| may_fill(rubric, s).is_ok())
        .collect()
}

fn may_fill(rubric: &Rubric, slot: Slot) -> Result<(), String> {
    let input = rubric.input(slot);
    match input.item {
        None => Err("这是单位基础数据，由区里填写".into()),
        Some(_) if input.from.is_some() => Err("这项由台账记录计数，请在“台账记录”页申报".into()),
        Some(_) => Ok(()),
    }
}

async fn plan(state: &AppState, cx: &Context, bytes: &[u8]) -> AppResult<Plan> {
    let rubric = scoring::rubric(state, cx.campaign.organiser_id, cx.campaign.rubric_id).await?;
    let mut out = Plan::default();
    let cells = match kaohe_formats::sheet::read(bytes) {
        Ok(c) => c,
        Err(p) => {
            out.problems.push(p);
            return Ok(out);
        }
    };
    let may = |slot: Slot| may_fill(&rubric, slot);
    let filled = match read_fill_in(&rubric, &cells, &may) {
        Ok(f) => f,
        Err(p) => {
            out.problems = p;
            return Ok(out);
        }
    };
    let stored = state.store.report_items(cx.campaign.id, cx.unit.id).await?;
    let mut by_item: BTreeMap<usize, Vec<&kaohe_formats::fill_in::Filled>> = BTreeMap::new();
    for f in &filled {
        by_item
            .entry(rubric.input(f.slot).item.unwrap_or_default())
            .or_default()
            .push(f);
    }
    for (ii, facts) in by_item {
        let item = &rubric.items()[ii];
        let old = stored.iter().find(|r| r.item_id == item.id);
        let before = old.map(|o| o.facts.clone()).unwrap_or_default();
        let mut after = before.clone();
        let mut lines = Vec::new();
        for f in facts {
            let input = rubric.input(f.slot);
            let was = before
                .get(&input.key)
                .and_then(|v| scoring::parse_stored(&rubric, f.slot, v));
            if was == f.value {
                out.unchanged += 1;
                continue;
            }
            let new = f.value.as_ref().map(shown).unwrap_or_default();
            match &f.value {
                Some(_) => after.insert(input.key.clone(), new.clone()),
                None => after.remove(&input.key),
            };
            lines.push((
                input.label.clone(),
                before.get(&input.key).cloned().unwrap_or_default(),
                new,
                f.cell.clone(),
            ));
        }
        let complete = save_problems(&rubric, ii, &after, true).is_empty();
        let was_done = old.is_some_and(|o| o.state == ItemState::Done);
        // Nothing changes but the item is now complete: it is marked done, as saving it
        // on its page with 保存并下一项 would.
        if lines.is_empty() && (was_done || !complete || !cx.can_edit(&item.id)) {
            continue;
        }
        if !cx.can_edit(&item.id) {
            out.problems.push(format!(
                "{}：这一项现在不能修改（报告退回时只能改被退回的项目），表中它的数据与现在的不同",
                rubric.item_ref(ii)
            ));
            continue;
        }
        let refused = save_problems(&rubric, ii, &after, false);
        if !refused.is_empty() {
            out.problems
                .push(format!("{}：{}", rubric.item_ref(ii), refused.join("；")));
            continue;
        }
        out.items.push(ItemChange {
            item_id: item.id.clone(),
            item: format!(
                "{} {}",
                rubric.item_ref(ii),
                item.name.clone().unwrap_or_default()
            ),
            version: old.map(|o| o.version).unwrap_or(0),
            done: complete,
            before,
            after,
            lines,
        });
    }
    Ok(out)
}

fn shown(v: &kaohe_core::Value) -> String {
    match v {
        kaohe_core::Value::Number(n) => kaohe_core::fmt_decimal(*n),
        kaohe_core::Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        kaohe_core::Value::Text(t) => t.to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "year/self_check/fill.html")]
struct FillPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    unit_id: Id,
    unit: String,
    why_not: Option<String>,
    preview: Option<(Id, String)>,
    plan: Option<Plan>,
    digest: String,
    message: Option<String>,
}

async fn page(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cx: &Context,
    staged: Option<(Id, String, Plan)>,
    message: Option<String>,
) -> AppResult<Response> {
    let why_not =
        (cx.mode != super::Mode::Edit).then(|| cx.refusal(Action::ReportImport).to_string());
    let (preview, plan, digest) = match staged {
        Some((id, name, plan)) => {
            let d = plan.digest();
            (Some((id, name)), Some(plan), d)
        }
        None => (None, None, String::new()),
    };
    Ok(FillPage {
        layout: Layout::new(state, session, me, "从 Excel 导入自查数据").await?,
        campaign_id: cx.campaign.id,
        title: cx.campaign.title.clone(),
        unit_id: cx.unit.id,
        unit: cx.unit.name.clone(),
        why_not,
        preview,
        plan,
        digest,
        message,
    }
    .into_response())
}

pub async fn fill_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    page(&state, &session, &me, &cx, None, None).await
}

/// The unit's fill-in workbook, with its values as saved now.
pub async fn fill_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    let rubric = scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    let (_, facts, _, _) = scoring::self_score(&state, &cx.campaign, uid).await?;
    let rows: Vec<(Slot, Option<kaohe_core::Value>)> = fillable(&rubric)
        .into_iter()
        .map(|s| (s, facts.get(s).cloned()))
        .collect();
    let title = format!("{} · {} 自查填报表", cx.campaign.title, cx.unit.name);
    let bytes = fill_in_xlsx(&rubric, &title, &rows);
    let filename = kaohe_formats::export::safe_file_name(&format!("{title}.xlsx"));
    crate::year::exports::send_as(
        &state,
        &me,
        Action::ReportExport,
        format!("campaign:{cid}/unit:{uid}/fill-in"),
        filename,
        bytes,
    )
    .await
}

/// Reads a filled-in table and shows what it would change; nothing changes yet.
pub async fn fill_preview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if cx.mode != super::Mode::Edit {
        return Err(cx.refusal(Action::ReportImport));
    }
    let Some(file) = upload.file("file") else {
        let why = "请选择填好的自查填报表（.xlsx）或另存的 CSV 文件。".to_string();
        return page(&state, &session, &me, &cx, None, Some(why)).await;
    };
    if let Some(e) = too_big("导入的表格", file.data.len(), MAX_TABLE_BYTES, "") {
        return page(&state, &session, &me, &cx, None, Some(e)).await;
    }
    let plan = plan(&state, &cx, &file.data).await?;
    if !plan.problems.is_empty() {
        let why = "这个文件不能导入，什么都没有改动；请按下面所列改正后重新选择文件。";
        let staged = Some((0, file.filename.clone(), plan));
        return page(&state, &session, &me, &cx, staged, Some(why.into())).await;
    }
    let staged = state
        .store
        .stage_import(&NewImport {
            campaign_id: cid,
            what: ImportKind::SelfCheck,
            unit_id: Some(uid),
            reason: None,
            filename: &file.filename,
            data: &file.data,
            created_by: me.user.id,
        })
        .await?;
    let staged = Some((staged.id, staged.filename, plan));
    page(&state, &session, &me, &cx, staged, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    digest: String,
}

/// Saves a previewed import: every item it changes or none, with one audit row.
pub async fn fill_apply(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, iid)): Path<(Id, Id, Id)>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if cx.mode != super::Mode::Edit {
        return Err(cx.refusal(Action::ReportImport));
    }
    let staged = state.store.import(cid, iid).await?;
    if staged.created_by != me.user.id || staged.unit_id != Some(uid) {
        return Err(AppError::NotFound);
    }
    if staged.applied {
        return Ok(Redirect::to(&format!("/c/{cid}/u/{uid}")).into_response());
    }
    let data = state.store.import_data(cid, iid).await?;
    let plan = plan(&state, &cx, &data).await?;
    if !plan.problems.is_empty() || plan.digest() != form.digest {
        let why = "在您预览之后，报告有了变化（可能在另一个窗口保存过）；下面是按现在的数据重新算出的改动，请核对后再确认。";
        let again = Some((iid, staged.filename, plan));
        return page(&state, &session, &me, &cx, again, Some(why.into())).await;
    }
    let Some((mut work, file)) = begin_apply(&state, &me, &staged, plan.changed()).await? else {
        return Ok(Redirect::to(&format!("/c/{cid}/u/{uid}")).into_response());
    };
    let mut changes = vec![file];
    for i in &plan.items {
        let state_ = if i.done {
            ItemState::Done
        } else {
            ItemState::Draft
        };
        let saved = work
            .save_report_item(
                cid,
                uid,
                &i.item_id,
                &i.after,
                state_,
                i.version,
                Some(me.user.id),
            )
            .await;
        match saved {
            Ok(_) => {}
            // Saved elsewhere meanwhile: nothing of the import is kept.
            Err(StorageError::Conflict) => {
                drop(work);
                let plan = self::plan(&state, &cx, &data).await?;
                let why = "未导入：有项目在您预览之后被修改过；下面是按现在的数据重新算出的改动，请核对后再确认。";
                let again = Some((iid, staged.filename, plan));
                return page(&state, &session, &me, &cx, again, Some(why.into())).await;
            }
            Err(e) => return Err(e.into()),
        }
        for c in crate::audit::diff(&i.before, &i.after) {
            let mut c = c;
            if let Some(f) = c.get("field").and_then(|f| f.as_str()) {
                c["field"] = serde_json::Value::String(format!("{} {f}", i.item_id));
            }
            changes.push(c);
        }
    }
    let target = format!("campaign:{cid}/unit:{uid}/import:{iid}");
    crate::audit::record(work, &me, Action::ReportImport, target, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}?imported={}", plan.changed())).into_response())
}
