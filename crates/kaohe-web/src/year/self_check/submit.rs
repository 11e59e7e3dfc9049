//! Submitting the self-check, with who filled it in and who approved it.
use super::unit::render_report;
use super::*;

use crate::http::form::Form;
use crate::http::form::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::fmt_decimal as f;
use kaohe_storage::{AuditEntry, Campaign, Id, ItemState, StorageError, Unit};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::layout::Layout;
use crate::year::Action;
use crate::year::scoring;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    pub(super) csrf: String,
    pub(super) filler_name: String,
    pub(super) filler_phone: String,
    pub(super) approver: String,
    /// `yes` from the confirmation page; without it the confirmation is shown.
    pub(super) confirmed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/self_check/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    campaign: Campaign,
    unit: Unit,
    total: String,
    done: usize,
    count: usize,
    /// Items not marked done, and items without evidence: `(id, name)`.
    not_done: Vec<(String, String)>,
    no_evidence: Vec<(String, String)>,
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
    let (rubric, facts, s, items) = scoring::self_score(&state, &cx.campaign, uid).await?;
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
            None,
        )
        .await;
    }
    if form.confirmed != "yes" {
        let evidence = state.store.evidence_list(cid, uid).await?;
        // Each listed item as `(id, how people refer to it and its name)`.
        let named = |ii: usize| {
            let i = &rubric.items()[ii];
            let name = i.name.clone().unwrap_or_default();
            (i.id.clone(), format!("{} {name}", rubric.item_ref(ii)))
        };
        let all = 0..rubric.items().len();
        let not_done: Vec<_> = all
            .clone()
            .filter(|ii| {
                let id = &rubric.items()[*ii].id;
                !items
                    .iter()
                    .any(|r| r.item_id == *id && r.state == ItemState::Done)
            })
            .map(named)
            .collect();
        let no_evidence = all
            .filter(|ii| {
                let id = &rubric.items()[*ii].id;
                !evidence.iter().any(|e| e.item_id == *id && e.of_report())
            })
            .map(named)
            .collect();
        return Ok(ConfirmPage {
            layout: Layout::new(&state, &session, &me, "确认提交自查").await?,
            total: f(s.total),
            count: rubric.items().len(),
            done: rubric.items().len() - not_done.len(),
            not_done,
            no_evidence,
            filler_name: form.filler_name.trim().to_string(),
            filler_phone: form.filler_phone.trim().to_string(),
            approver: form.approver.trim().to_string(),
            campaign: cx.campaign,
            unit: cx.unit,
        }
        .into_response());
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
