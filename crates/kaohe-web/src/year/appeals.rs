//! Appeals (申诉): inside the publication window a unit appeals an item of its result
//! with a reason and evidence, once per item; the assessor of that item's department
//! accepts (after correcting the verified facts; the results are recomputed and show
//! that they changed and when) or rejects with a reason; the unit sees the answer.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AppealState, AuditEntry, Campaign, Id, Role, StorageError};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::departments;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::human_size;
use crate::http::layout::{Layout, china_time};
use crate::http::upload::Upload;
use crate::year::evidence::{checked_file, chosen_file};
use crate::year::scoring;
use crate::year::{Action, Window, Year};
use kaohe_core::fmt_decimal as f;

#[derive(Template, WebTemplate)]
#[template(path = "year/appeals/form.html")]
struct AppealPage {
    layout: Layout,
    campaign_id: Id,
    unit_id: Id,
    unit: String,
    item_id: String,
    /// How people refer to the item (`基础工作第3项`).
    item_ref: String,
    item_name: String,
    criteria: String,
    self_score: String,
    score: String,
    reason_given: String,
    lines: Vec<String>,
    existing: Option<(String, String, String)>,
    closed: Option<String>,
    error: Option<String>,
    reason: String,
    window: String,
    max_upload: String,
}

async fn own_unit(me: &CurrentUser, uid: Id) -> AppResult<()> {
    if me.role() != Role::Reporter || me.user.unit_id != Some(uid) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    uid: Id,
    item: &str,
    error: Option<String>,
    reason: String,
) -> AppResult<Response> {
    let year = Year::load(state, me.org(), cid).await?;
    let campaign = &year.campaign;
    let unit = state.store.unit(me.org(), uid).await?;
    let latest = crate::year::snapshot::latest(state, cid).await?;
    let (Some(latest), Some(_)) = (latest.as_ref(), campaign.published_at) else {
        return Err(AppError::BadRequest(
            "结果尚未公示，公示后才能申诉。".into(),
        ));
    };
    let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    let ii = rubric
        .items()
        .iter()
        .position(|i| i.id == item)
        .ok_or(AppError::NotFound)?;
    let it = &rubric.items()[ii];
    let snapshot = &latest.snapshot;
    let row = snapshot
        .unit(uid)
        .and_then(|u| u.items.iter().find(|i| i.id == item));
    let existing = state
        .store
        .appeals(cid)
        .await?
        .into_iter()
        .find(|a| a.unit_id == uid && a.item_id == item)
        .map(|a| {
            (
                a.reason,
                a.state.label().to_string(),
                a.answer.unwrap_or_default(),
            )
        });
    Ok(AppealPage {
        layout: Layout::new(state, session, me, &format!("申诉 {}", rubric.item_ref(ii))).await?,
        campaign_id: cid,
        unit_id: uid,
        unit: unit.name,
        item_id: it.id.clone(),
        item_ref: rubric.item_ref(ii),
        item_name: it.name.clone().unwrap_or_default(),
        criteria: it.criteria.clone(),
        self_score: row.map(|r| f(r.self_score)).unwrap_or_default(),
        score: row.map(|r| f(r.score)).unwrap_or_default(),
        reason_given: row.and_then(|r| r.reason.clone()).unwrap_or_default(),
        lines: row.map(|r| r.explanation.clone()).unwrap_or_default(),
        existing,
        closed: year
            .allows(None, None, Action::AppealFile)
            .err()
            .map(|r| r.0),
        error,
        reason,
        window: year.window.map(Window::text).unwrap_or_default(),
        max_upload: human_size(state.config.max_upload as i64),
    }
    .into_response())
}

pub async fn form_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
) -> AppResult<Response> {
    state.store.campaign(me.org(), cid).await?;
    state.store.unit(me.org(), uid).await?;
    own_unit(&me, uid).await?;
    render_form(&state, &session, &me, cid, uid, &item, None, String::new()).await
}

pub async fn file(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    state.store.unit(me.org(), uid).await?;
    own_unit(&me, uid).await?;
    let reason = form.field("reason").trim().to_string();
    let again = |error: String| {
        render_form(
            &state,
            &session,
            &me,
            cid,
            uid,
            &item,
            Some(error),
            reason.clone(),
        )
    };
    // The guard has checked the rule of the year: published, inside the window, not
    // locked.
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    if rubric.item(&item).is_none() {
        return Err(AppError::NotFound);
    }
    if reason.is_empty() {
        return again("请写明申诉理由。".into()).await;
    }
    // Check the file before filing anything, so that a bad file files nothing.
    let chosen = match chosen_file(&form, state.config.max_upload) {
        Ok(chosen) => chosen,
        // Too big: said on the form, the reason kept.
        Err(AppError::BadRequest(m)) => return again(m).await,
        Err(e) => return Err(e),
    };
    let evidence = match chosen {
        Some((name, data)) => match checked_file(&name, data) {
            Ok(e) => Some(e),
            Err(AppError::BadRequest(m)) => return again(m).await,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let mut work = state.store.begin().await?;
    let appeal = match work
        .create_appeal(cid, uid, &item, &reason, me.user.id)
        .await
    {
        Ok(a) => a,
        Err(StorageError::Duplicate(_)) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            return again("此项已经申诉过了：每个项目只能申诉一次。".into()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![serde_json::json!({"field": "appeal", "old": null, "new": reason})];
    if let Some((mut new, _)) = evidence {
        new.campaign_id = cid;
        new.unit_id = uid;
        new.item_id = item.clone();
        new.uploaded_by = Some(me.user.id);
        new.appeal_id = Some(appeal.id);
        changes.push(serde_json::json!({"field": "evidence", "old": null, "new": new.filename}));
        work.add_evidence(&new).await?;
    }
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: Action::AppealFile.code().into(),
        target: format!("campaign:{cid}/unit:{uid}/item:{item}/appeal:{}", appeal.id),
        reason: Some(reason.clone()),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}/appeal/{item}")).into_response())
}

struct AppealView {
    id: Id,
    unit: String,
    unit_id: Id,
    item_id: String,
    item: String,
    reason: String,
    filed: String,
    state: &'static str,
    open: bool,
    answer: String,
    evidence: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/appeals/list.html")]
struct AppealsPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    appeals: Vec<AppealView>,
    can_answer: bool,
    locked: bool,
}

/// The items an assessor answers for: their department's; the admin sees all.
async fn answerable(
    state: &AppState,
    me: &CurrentUser,
    campaign: &Campaign,
) -> AppResult<Option<Vec<String>>> {
    if me.role() != Role::Assessor {
        return Ok(None);
    }
    let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    Ok(Some(
        departments::items_of(state, me, campaign, &rubric)
            .await?
            .into_iter()
            .map(|n| rubric.items()[n].id.clone())
            .collect(),
    ))
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = &year.campaign;
    let mine = answerable(&state, &me, campaign).await?;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let units = state.store.units(me.org()).await?;
    let mut appeals = Vec::new();
    for a in state.store.appeals(cid).await? {
        if mine.as_ref().is_some_and(|m| !m.contains(&a.item_id)) {
            continue;
        }
        let evidence = state
            .store
            .evidence_list(cid, a.unit_id)
            .await?
            .into_iter()
            .filter(|e| e.appeal_id == Some(a.id))
            .map(|e| {
                (
                    format!("/c/{cid}/u/{}/evidence/{}", a.unit_id, e.id),
                    crate::year::evidence::safe_name(&e.filename, &e.content_type),
                )
            })
            .collect();
        appeals.push(AppealView {
            id: a.id,
            unit: units
                .iter()
                .find(|u| u.id == a.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            unit_id: a.unit_id,
            item_id: a.item_id.clone(),
            item: match rubric.items().iter().position(|i| i.id == a.item_id) {
                Some(ii) => format!(
                    "{} {}",
                    rubric.item_ref(ii),
                    rubric.items()[ii].name.clone().unwrap_or_default()
                ),
                None => a.item_id,
            },
            reason: a.reason,
            filed: china_time(a.created_at),
            state: a.state.label(),
            open: a.state == AppealState::Open,
            answer: a.answer.unwrap_or_default(),
            evidence,
        });
    }
    Ok(AppealsPage {
        layout: Layout::new(&state, &session, &me, "申诉").await?,
        campaign_id: cid,
        title: campaign.title.clone(),
        appeals,
        can_answer: me.role() == Role::Assessor
            && year.allows(None, None, Action::AppealAccept).is_ok(),
        locked: year.phase.is_locked(),
    }
    .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    decision: String,
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, aid)): Path<(Id, Id)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let appeal = state.store.appeal(aid).await?;
    if appeal.campaign_id != cid {
        return Err(AppError::NotFound);
    }
    let mine = answerable(&state, &me, &campaign).await?;
    if mine.as_ref().is_some_and(|m| !m.contains(&appeal.item_id)) {
        return Err(AppError::Forbidden);
    }
    let accepted = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("请选择采纳或不予采纳。".into())),
    };
    if form.answer.trim().is_empty() {
        return Err(AppError::BadRequest("请写明答复（单位将看到）。".into()));
    }
    let unit = state.store.unit(me.org(), appeal.unit_id).await?;
    // The verified facts were corrected on the review page: an accepted appeal ranks
    // again, and keeps the reason with the new results. Computed before the change (it
    // only reads), so the write is held briefly; the recomputation is part of this
    // action, a change of its row, not a row of its own.
    let recomputed = if accepted && !state.store.result_runs(cid).await?.is_empty() {
        Some(crate::year::results::compute(&state, &campaign).await?)
    } else {
        None
    };
    // The unit's problems to rectify follow its result as it now stands.
    let found = match &recomputed {
        Some((_, data)) if campaign.published_at.is_some() => {
            let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
            // Every unit: the recomputation ranks them all again.
            crate::year::rectify::found(&rubric, data, None)
        }
        _ => Vec::new(),
    };
    let mut work = state.store.begin().await?;
    match work
        .answer_appeal(aid, accepted, form.answer.trim(), me.user.id)
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            return Err(AppError::BadRequest("此申诉已经答复过了。".into()));
        }
        Err(e) => return Err(e.into()),
    }
    let mut changes = vec![serde_json::json!({
        "field": "state",
        "old": "open",
        "new": if accepted { "accepted" } else { "rejected" },
    })];
    if let Some((unconfirmed, data)) = recomputed {
        let reason = format!("申诉采纳：{} {}", unit.name, data.item_ref(&appeal.item_id));
        let run = work
            .add_result_text(
                cid,
                Some(me.user.id),
                &reason,
                &unconfirmed,
                &data.to_text(),
            )
            .await?;
        changes.push(serde_json::json!({"field": "results", "old": null, "new": format!("重新计算（第 {} 次计算）", run.0)}));
    }
    if let Some(c) = crate::year::rectify::sync(&mut work, cid, &found, me.user.id).await? {
        changes.push(c);
    }
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: if accepted {
            Action::AppealAccept
        } else {
            Action::AppealReject
        }
        .code()
        .into(),
        target: format!(
            "campaign:{cid}/unit:{}/item:{}/appeal:{aid}",
            appeal.unit_id, appeal.item_id
        ),
        reason: Some(form.answer.trim().to_string()),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/appeals")).into_response())
}
