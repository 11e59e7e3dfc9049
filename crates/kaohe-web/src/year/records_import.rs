//! Records from a list (台账导入): the district brings a list it already keeps (the
//! information office's adopted articles of the month, for every unit) as records it
//! enters. A preview lists each record to add, those already kept (left out, so the
//! same list imported twice adds nothing), those like an existing one (flagged, not
//! counted until a person decides), and every refused row; confirmed, all are added in
//! one unit of work with one audit row, the file kept.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::records::RecordKind;
use kaohe_formats::import::record_rows;
use kaohe_storage::{Id, ImportKind, NewImport, NewRecord, Record, StorageError};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, commit};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::Layout;
use crate::http::upload::{MAX_TABLE_BYTES, Upload, too_big};
use crate::year::Action;
use crate::year::imports::begin_apply;
use crate::year::records::{LOCKED_DAY, Scope, find_like, like_sentence, summary, target};

/// A record the list adds.
pub struct Adding {
    unit: String,
    unit_id: Id,
    day: String,
    fields: kaohe_storage::RawFacts,
    /// How people read it (`2026-03-05 《…》`).
    words: String,
    /// Like an existing record: flagged, not counted until a person decides.
    like: Option<&'static str>,
    line: usize,
}

#[derive(Default)]
pub struct Plan {
    adding: Vec<Adding>,
    /// Rows the same as a record already kept: `(unit, row, the record)`.
    kept: Vec<(String, usize, String)>,
    problems: Vec<String>,
}

impl Plan {
    fn digest(&self, kind: &str) -> String {
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        for a in &self.adding {
            h.update(a.unit_id.to_le_bytes());
            h.update(a.day.as_bytes());
            h.update(
                serde_json::to_string(&a.fields)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            h.update([u8::from(a.like.is_some())]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Whether `r` is the same record as the row: same kind, day and fields, still counted.
fn same(r: &Record, kind: &RecordKind, day: &str, fields: &kaohe_storage::RawFacts) -> bool {
    r.kind == kind.id && r.live() && r.day == day && r.fields == *fields
}

async fn plan(
    state: &AppState,
    me: &CurrentUser,
    scope: &Scope,
    kind: &RecordKind,
    bytes: &[u8],
) -> AppResult<Plan> {
    let mut out = Plan::default();
    let cells = match kaohe_formats::sheet::read(bytes) {
        Ok(c) => c,
        Err(p) => {
            out.problems.push(p);
            return Ok(out);
        }
    };
    let rows = match record_rows(kind, &cells) {
        Ok(r) => r,
        Err(p) => {
            out.problems = p;
            return Ok(out);
        }
    };
    let (start, end) = scope.year.campaign.period();
    let mut existing: std::collections::BTreeMap<Id, Vec<Record>> = Default::default();
    for row in rows {
        let Some((uid, _)) = scope.units.iter().find(|(_, n)| *n == row.unit) else {
            out.problems.push(format!(
                "第 {} 行：“{}”不是本次考核的单位；单位名称须与单位名单完全一致",
                row.line, row.unit
            ));
            continue;
        };
        if !scope.year.campaign.in_period(&row.day) {
            out.problems.push(format!(
                "第 {} 行（{}）：日期 {} 不在本次考核的记录期间（{start} 至 {end}）内",
                row.line, row.unit, row.day
            ));
            continue;
        }
        if row.day > scope.year.today.to_string() {
            out.problems.push(format!(
                "第 {} 行（{}）：日期 {} 还没有到",
                row.line, row.unit, row.day
            ));
            continue;
        }
        if let Some(first) = out
            .adding
            .iter()
            .find(|a| a.unit_id == *uid && a.day == row.day && a.fields == row.fields)
        {
            out.problems.push(format!(
                "第 {} 行与第 {} 行是同一条记录；请删去其中一行",
                row.line, first.line
            ));
            continue;
        }
        if !existing.contains_key(uid) {
            let records = state.store.unit_records(me.org(), *uid).await?;
            existing.insert(*uid, records);
        }
        let others = &existing[uid];
        let words = summary(kind, &row.day, &row.fields);
        if others.iter().any(|r| same(r, kind, &row.day, &row.fields)) {
            out.kept.push((row.unit.clone(), row.line, words));
            continue;
        }
        let like = find_like(kind, 0, &row.day, &row.fields, others).map(|l| l.likeness);
        out.adding.push(Adding {
            unit: row.unit,
            unit_id: *uid,
            day: row.day,
            fields: row.fields,
            words,
            like,
            line: row.line,
        });
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "year/records/import.html")]
struct ImportPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    kind_id: String,
    kind_name: String,
    /// The headers a list of this kind has.
    headers: String,
    staged: Option<(Id, String)>,
    plan: Plan,
    digest: String,
    message: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    scope: &Scope,
    kind: &RecordKind,
    staged: Option<(Id, String)>,
    plan: Plan,
    message: Option<String>,
) -> AppResult<Response> {
    let headers: Vec<&str> = ["单位", "日期"]
        .into_iter()
        .chain(kind.fields.iter().map(|f| f.label.as_str()))
        .collect();
    Ok(ImportPage {
        layout: Layout::new(state, session, me, "从表格导入台账记录").await?,
        campaign_id: scope.year.campaign.id,
        title: scope.year.campaign.title.clone(),
        kind_id: kind.id.clone(),
        kind_name: kind.name.clone(),
        headers: headers.join("、"),
        digest: plan.digest(&kind.id),
        staged,
        plan,
        message,
    }
    .into_response())
}

/// Reads a list and shows what importing it would add; nothing changes yet.
pub async fn preview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let Some((_, kind)) = scope.kind(upload.field("kind")) else {
        return Err(AppError::BadRequest("请选择记录的种类。".into()));
    };
    let kind = kind.clone();
    let Some(file) = upload.file("file") else {
        let why = "请选择记录清单（Excel 或 CSV 文件）。".to_string();
        return page(
            &state,
            &session,
            &me,
            &scope,
            &kind,
            None,
            Plan::default(),
            Some(why),
        )
        .await;
    };
    if let Some(e) = too_big("导入的表格", file.data.len(), MAX_TABLE_BYTES, "") {
        return page(
            &state,
            &session,
            &me,
            &scope,
            &kind,
            None,
            Plan::default(),
            Some(e),
        )
        .await;
    }
    let plan = plan(&state, &me, &scope, &kind, &file.data).await?;
    if !plan.problems.is_empty() {
        let why = "这个文件不能导入，什么都没有改动；请按下面所列改正后重新选择文件。";
        let name = Some((0, file.filename.clone()));
        return page(
            &state,
            &session,
            &me,
            &scope,
            &kind,
            name,
            plan,
            Some(why.into()),
        )
        .await;
    }
    let staged = state
        .store
        .stage_import(&NewImport {
            campaign_id: cid,
            what: ImportKind::Records,
            unit_id: None,
            reason: None,
            filename: &file.filename,
            data: &file.data,
            created_by: me.user.id,
        })
        .await?;
    let name = Some((staged.id, staged.filename));
    page(&state, &session, &me, &scope, &kind, name, plan, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    kind: String,
    digest: String,
}

/// Adds a previewed list's records: all or none, one audit row.
pub async fn apply(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, iid)): Path<(Id, Id)>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let Some((_, kind)) = scope.kind(&form.kind) else {
        return Err(AppError::BadRequest("请选择记录的种类。".into()));
    };
    let kind = kind.clone();
    let staged = state.store.import(cid, iid).await?;
    if staged.created_by != me.user.id || staged.what != ImportKind::Records {
        return Err(AppError::NotFound);
    }
    if staged.applied {
        return Ok(Redirect::to(&format!("/c/{cid}/records")).into_response());
    }
    let data = state.store.import_data(cid, iid).await?;
    let plan = plan(&state, &me, &scope, &kind, &data).await?;
    if !plan.problems.is_empty() || plan.digest(&kind.id) != form.digest {
        let why = "在您预览之后，记录有了变化；下面是按现在的记录重新算出的结果，请核对后再确认。";
        let name = Some((iid, staged.filename));
        return page(
            &state,
            &session,
            &me,
            &scope,
            &kind,
            name,
            plan,
            Some(why.into()),
        )
        .await;
    }
    let Some((mut work, file)) = begin_apply(&state, &me, &staged, plan.adding.len()).await? else {
        return Ok(Redirect::to(&format!("/c/{cid}/records")).into_response());
    };
    let mut changes = vec![file];
    for a in &plan.adding {
        // Like the records already kept, and those this list added before it.
        let others = work.unit_records(me.org(), a.unit_id).await?;
        let like = find_like(&kind, 0, &a.day, &a.fields, &others);
        let new = NewRecord {
            unit_id: a.unit_id,
            kind: kind.id.clone(),
            day: a.day.clone(),
            fields: a.fields.clone(),
            by_district: true,
        };
        let r = match work.add_record(me.org(), &new, like, me.user.id).await {
            Ok(r) => r,
            Err(StorageError::Locked) => return Err(AppError::BadRequest(LOCKED_DAY.into())),
            Err(e) => return Err(e.into()),
        };
        changes.push(change(
            &format!("{} {}", a.unit, target(cid, &r)),
            serde_json::Value::Null,
            a.words.as_str(),
        ));
        if let Some(l) = like {
            changes.push(change(
                "like",
                serde_json::Value::Null,
                like_sentence(l, r.id),
            ));
        }
    }
    let target = format!("campaign:{cid}/import:{iid}");
    commit(work, &me, Action::RecordImport, target, None, changes).await?;
    Ok(Redirect::to(&format!(
        "/c/{cid}/records?message=imported&confirmed={}",
        plan.adding.len()
    ))
    .into_response())
}
