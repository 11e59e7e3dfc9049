//! A department's verified facts from its own spreadsheet (导入核定数据): the public-security
//! bureau's registration rates for every subdistrict, in one file. The file is read as
//! people typed it and checked whole; a preview shows every value it would change, old
//! → new, the units held back (not yet submitted) and the facts an assessor already
//! corrected by hand (kept); on confirmation it is applied all at once, as one audited
//! action, with its file kept. Imported values are verified facts with the reason given:
//! they do not confirm any item, and an item confirmed before them waits to be confirmed
//! again (待复审).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::rubric::Slot;
use kaohe_core::{Rubric, Value};
use kaohe_formats::import::{column_title, template_xlsx, unit_rows};
use kaohe_storage::{Id, ImportKind, NewImport, ReportState, StorageError};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::departments;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::{Layout, china_time, human_size};
use crate::http::upload::{MAX_TABLE_BYTES, Upload, too_big};
use crate::year::assess::assess_unit;
use crate::year::{Action, Year, scoring};

/// A value the import changes.
pub struct Change {
    pub unit: String,
    pub unit_id: Id,
    /// How people refer to the fact (`基础工作第3项 信息登记率`).
    pub fact: String,
    pub key: String,
    pub old: String,
    pub new: String,
    /// `%` for a percentage (the values are stored without it).
    pub percent: bool,
    pub reason: String,
    /// The cell it came from (`D5`).
    pub cell: String,
    /// The item was confirmed: it waits to be confirmed again on the new figures.
    pub reconfirm: bool,
}

/// What an import would do, worked out against the data as it is now.
#[derive(Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Units whose reports are not yet submitted: `(unit, row)`; nothing of theirs
    /// is imported.
    pub held: Vec<(String, usize)>,
    /// Facts an assessor corrected on the review page, which the import leaves:
    /// `(unit, fact, the correction)`.
    pub kept: Vec<(String, String, String)>,
    /// Values the same as now.
    pub unchanged: usize,
    /// Why the file cannot be imported (nothing is, while there is any).
    pub problems: Vec<String>,
}

impl Plan {
    /// What the preview showed, to know at confirmation that nothing moved meanwhile.
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for c in &self.changes {
            for part in [&c.unit_id.to_string(), &c.key, &c.old, &c.new, &c.reason] {
                h.update(part.as_bytes());
                h.update([0]);
            }
        }
        for (u, _) in &self.held {
            h.update(u.as_bytes());
            h.update([1]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Why a fact may not be imported by this department, if it may not.
fn may_import(rubric: &Rubric, mine: &[usize], slot: Slot) -> Result<(), String> {
    let input = rubric.input(slot);
    match input.item {
        None => Err("这是单位基础数据，由区里在任务设置中填写，不在这里导入".into()),
        Some(_) if input.from.is_some() => {
            Err("这项由台账记录计数（在“台账记录”页确认或不予确认），不能导入".into())
        }
        Some(ii) if !mine.contains(&ii) => Err(format!(
            "{}不是本部门负责的项目，不能导入",
            rubric.item_ref(ii)
        )),
        Some(_) => Ok(()),
    }
}

/// The value as kaohe writes it (`93.2`, `是`), the same as the review page shows it.
fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => kaohe_core::fmt_decimal(*n),
        Some(Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(Value::Text(t)) => t.to_string(),
        None => String::new(),
    }
}

/// Works out what importing `bytes` would change now; `reason` applies to every value a
/// row does not give its own reason for.
async fn plan(
    state: &AppState,
    me: &CurrentUser,
    year: &Year,
    bytes: &[u8],
    reason: &str,
) -> AppResult<Plan> {
    let campaign = &year.campaign;
    let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    let mine = departments::items_of(state, me, campaign, &rubric).await?;
    let mut out = Plan::default();
    let cells = match kaohe_formats::sheet::read(bytes) {
        Ok(c) => c,
        Err(p) => {
            out.problems.push(p);
            return Ok(out);
        }
    };
    let may = |slot: Slot| may_import(&rubric, &mine, slot);
    let rows = match unit_rows(&rubric, &cells, &may) {
        Ok(rows) => rows,
        Err(problems) => {
            out.problems = problems;
            return Ok(out);
        }
    };
    let names: BTreeMap<String, Id> = state
        .store
        .units(me.org())
        .await?
        .into_iter()
        .map(|u| (u.name, u.id))
        .collect();
    let in_campaign: Vec<Id> = state
        .store
        .campaign_units(campaign.id)
        .await?
        .into_iter()
        .map(|c| c.unit_id)
        .collect();
    for row in &rows {
        let Some(&uid) = names.get(&row.unit).filter(|id| in_campaign.contains(id)) else {
            out.problems.push(format!(
                "第 {} 行：“{}”不是本次考核的单位；单位名称须与单位名单完全一致",
                row.line, row.unit
            ));
            continue;
        };
        let a = assess_unit(state, campaign, &rubric, uid).await?;
        if a.report.state == ReportState::Draft {
            out.held.push((row.unit.clone(), row.line));
            continue;
        }
        for v in &row.values {
            let input = rubric.input(v.slot);
            let ii = input.item.unwrap_or_default();
            let fact = format!("{} {}", rubric.item_ref(ii), input.label);
            let now = a.verified_facts.get(v.slot);
            if now == Some(&v.value) {
                out.unchanged += 1;
                continue;
            }
            if let Some(o) = a.reviews.iter().find_map(|r| r.overrides.get(&input.key)) {
                out.kept.push((
                    row.unit.clone(),
                    fact,
                    format!("{}（{}）", o.value, o.reason),
                ));
                continue;
            }
            let reason = row.reason.clone().unwrap_or_else(|| reason.to_string());
            if reason.is_empty() {
                out.problems.push(format!(
                    "{}（{}，“{}”）改动了数据，但没有理由：请在上面填写导入理由，或在表格里加“理由”列",
                    v.cell, row.unit, input.label
                ));
                continue;
            }
            let item_id = &rubric.items()[ii].id;
            out.changes.push(Change {
                unit: row.unit.clone(),
                unit_id: uid,
                fact,
                key: input.key.clone(),
                old: shown(now),
                new: shown(Some(&v.value)),
                percent: input.ty == kaohe_core::rubric::InputType::Percent,
                reason,
                cell: v.cell.clone(),
                reconfirm: a
                    .review(item_id)
                    .is_some_and(|r| r.state == kaohe_storage::ReviewState::Confirmed),
            });
        }
    }
    Ok(out)
}

struct PastImport {
    id: Id,
    when: String,
    who: String,
    filename: String,
    size: String,
    changed: i64,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/review/import.html")]
struct ImportPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    department: String,
    /// The facts the department may import, as its template heads them.
    columns: Vec<String>,
    can_import: bool,
    why_not: Option<String>,
    reason: String,
    /// A staged file's preview: its id, name and what it would do.
    preview: Option<(Id, String)>,
    plan: Option<Plan>,
    digest: String,
    message: Option<String>,
    past: Vec<PastImport>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    applied: Option<usize>,
}

async fn page(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    year: &Year,
    staged: Option<(Id, String, Plan)>,
    reason: String,
    message: Option<String>,
) -> AppResult<Response> {
    let campaign = &year.campaign;
    let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    let mine = departments::items_of(state, me, campaign, &rubric).await?;
    let mut past = Vec::new();
    for i in state
        .store
        .imports(campaign.id, ImportKind::Verified)
        .await?
    {
        let who = state.store.user(i.created_by).await?;
        // Another department's imports are theirs to read.
        if who.department_id != me.user.department_id {
            continue;
        }
        past.push(PastImport {
            id: i.id,
            when: china_time(i.applied_at.unwrap_or(i.created_at)),
            who: who.display_name,
            filename: i.filename,
            size: human_size(i.size),
            changed: i.changed,
            reason: i.reason.unwrap_or_default(),
        });
    }
    let why_not = year
        .allows(None, None, Action::FactsImport)
        .err()
        .map(|r| r.0);
    let (preview, plan, digest) = match staged {
        Some((id, name, plan)) => {
            let d = plan.digest();
            (Some((id, name)), Some(plan), d)
        }
        None => (None, None, String::new()),
    };
    Ok(ImportPage {
        layout: Layout::new(state, session, me, "导入核定数据").await?,
        campaign_id: campaign.id,
        title: campaign.title.clone(),
        department: me.user.department.clone().unwrap_or_default(),
        columns: importable(&rubric, &mine)
            .into_iter()
            .map(|s| column_title(&rubric, s))
            .collect(),
        can_import: why_not.is_none(),
        why_not,
        reason,
        preview,
        plan,
        digest,
        message,
        past,
    }
    .into_response())
}

/// The facts a department may import, in the rubric's order.
fn importable(rubric: &Rubric, mine: &[usize]) -> Vec<Slot> {
    (0..rubric.inputs().len())
        .filter(|&s| may_import(rubric, mine, s).is_ok())
        .collect()
}

pub async fn import_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let message = q
        .applied
        .map(|n| format!("已导入，改动了 {n} 个数据；整次导入记入了操作日志，文件已留存。"));
    page(&state, &session, &me, &year, None, String::new(), message).await
}

/// The department's template: its facts as columns, a row per unit with the values as
/// verified now.
pub async fn template(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = &year.campaign;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let mine = departments::items_of(&state, &me, campaign, &rubric).await?;
    let slots = importable(&rubric, &mine);
    let mut rows = Vec::new();
    for unit in crate::year::assess::unit_rows(&state, campaign, &rubric).await? {
        let a = crate::year::assess::assess(&rubric, campaign, unit);
        let values = slots
            .iter()
            .map(|&s| a.verified_facts.get(s).cloned())
            .collect();
        rows.push((a.unit.name, values));
    }
    let department = me.user.department.clone().unwrap_or_default();
    let title = format!("{} · {department} 核定数据", campaign.title);
    let note = "每个单位一行；填写核定后的数据（百分比可写 95 或 95%，是否项写 是/否）。留空的格子不改动；“理由”列可写这一行的理由，不写则用导入时填写的理由。";
    let bytes = template_xlsx(&title, note, &slots, &rubric, &rows);
    let filename = kaohe_formats::export::safe_file_name(&format!("{title}（导入模板）.xlsx"));
    crate::year::exports::send_as(
        &state,
        &me,
        Action::ImportTemplate,
        format!("campaign:{cid}/import-template"),
        filename,
        bytes,
    )
    .await
}

/// Reads an uploaded file and shows what importing it would change; nothing changes yet.
pub async fn preview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let year = Year::for_request(&state, &me, cid).await?;
    let reason = upload.field("reason").trim().to_string();
    let again = |why: String| {
        page(
            &state,
            &session,
            &me,
            &year,
            None,
            reason.clone(),
            Some(why),
        )
    };
    let Some(file) = upload.file("file") else {
        return again("请选择要导入的 Excel（.xlsx）或 CSV 文件。".into()).await;
    };
    if let Some(e) = too_big(
        "导入的表格",
        file.data.len(),
        MAX_TABLE_BYTES,
        "每个单位一行即可",
    ) {
        return again(e).await;
    }
    let plan = plan(&state, &me, &year, &file.data, &reason).await?;
    if !plan.problems.is_empty() {
        let name = file.filename.clone();
        return page(
            &state,
            &session,
            &me,
            &year,
            Some((0, name, plan)),
            reason,
            Some("这个文件不能导入，什么都没有改动；请按下面所列改正后重新选择文件。".into()),
        )
        .await;
    }
    let staged = state
        .store
        .stage_import(&NewImport {
            campaign_id: cid,
            what: ImportKind::Verified,
            unit_id: None,
            reason: Some(&reason).filter(|r| !r.is_empty()).map(|r| r.as_str()),
            filename: &file.filename,
            data: &file.data,
            created_by: me.user.id,
        })
        .await?;
    page(
        &state,
        &session,
        &me,
        &year,
        Some((staged.id, staged.filename, plan)),
        reason,
        None,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    digest: String,
}

/// Begins applying a staged import (`changed` values): its unit of work, with the
/// import marked applied and the audit change that names its kept file. `None` when a
/// second click applied it already (the first did it; nothing more happens).
pub(crate) async fn begin_apply(
    state: &AppState,
    me: &CurrentUser,
    staged: &kaohe_storage::Import,
    changed: usize,
) -> AppResult<Option<(kaohe_storage::Work, serde_json::Value)>> {
    let mut work = state.store.begin().await?;
    match work
        .apply_import(staged.campaign_id, staged.id, me.user.id, changed as i64)
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let file = serde_json::json!({
        "field": "文件", "old": null,
        "new": format!("{}（{}，SHA-256 {}）", staged.filename, human_size(staged.size), staged.sha256),
    });
    Ok(Some((work, file)))
}

/// Applies a previewed import: all its changes or none, in one unit of work with one
/// audit row. If anything moved since the preview, the new preview is shown instead.
pub async fn apply(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, iid)): Path<(Id, Id)>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let year = Year::for_request(&state, &me, cid).await?;
    let staged = state.store.import(cid, iid).await?;
    if staged.created_by != me.user.id || staged.what != ImportKind::Verified {
        return Err(AppError::NotFound);
    }
    if staged.applied {
        return Ok(Redirect::to(&format!("/c/{cid}/review/import")).into_response());
    }
    let data = state.store.import_data(cid, iid).await?;
    let reason = staged.reason.clone().unwrap_or_default();
    let plan = plan(&state, &me, &year, &data, &reason).await?;
    if !plan.problems.is_empty() || plan.digest() != form.digest {
        let why = "在您预览之后，数据有了变化（有人修改或提交了报告）；下面是按现在的数据重新算出的改动，请核对后再确认。";
        return page(
            &state,
            &session,
            &me,
            &year,
            Some((iid, staged.filename, plan)),
            reason,
            Some(why.into()),
        )
        .await;
    }
    let Some((mut work, file)) = begin_apply(&state, &me, &staged, plan.changes.len()).await?
    else {
        return Ok(Redirect::to(&format!("/c/{cid}/review/import")).into_response());
    };
    let mut changes = vec![file];
    for c in &plan.changes {
        work.set_imported_fact(cid, c.unit_id, &c.key, &c.new, &c.reason, iid)
            .await?;
        changes.push(serde_json::json!({
            "field": format!("{} {}", c.unit, c.fact),
            "old": (!c.old.is_empty()).then(|| c.old.clone()),
            "new": if c.reason == reason { c.new.clone() } else { format!("{}（理由：{}）", c.new, c.reason) },
        }));
    }
    for (unit, line) in &plan.held {
        changes.push(serde_json::json!({
            "field": format!("{unit}（第 {line} 行）"), "old": null, "new": "未提交，未导入",
        }));
    }
    let target = format!("campaign:{cid}/import:{iid}");
    let why = Some(reason.as_str()).filter(|r| !r.is_empty());
    crate::audit::commit(work, &me, Action::FactsImport, target, why, changes).await?;
    Ok(Redirect::to(&format!(
        "/c/{cid}/review/import?applied={}",
        plan.changes.len()
    ))
    .into_response())
}

/// An applied import's file, as it came (its department's, and the admin's).
pub async fn file(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, iid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    Year::for_request(&state, &me, cid).await?;
    let i = state.store.import(cid, iid).await?;
    let by = state.store.user(i.created_by).await?;
    let allowed = i.applied
        && (me.role() == kaohe_storage::Role::Admin
            || by.department_id.is_some() && by.department_id == me.user.department_id);
    if !allowed {
        return Err(AppError::NotFound);
    }
    let data = state.store.import_data(cid, iid).await?;
    state
        .store
        .audit(&kaohe_storage::AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: Action::ImportFile.code().into(),
            target: format!("campaign:{cid}/import:{iid}"),
            reason: None,
            changes: serde_json::json!([{"field": "file", "old": null, "new": i.filename}]),
        })
        .await?;
    let content_type = if kaohe_formats::sheet::is_workbook(&data) {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                crate::year::evidence::disposition(&crate::year::evidence::safe_name(
                    &i.filename,
                    content_type,
                )),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}
