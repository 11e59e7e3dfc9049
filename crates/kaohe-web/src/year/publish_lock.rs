//! Publication (公示) and the lock (定稿): the window in which units see their results
//! and may appeal, and locking the campaign (with the audit chain's head written down)
//! or unlocking it for a stated reason. Shown as parts of the admin's campaign page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AppealState, Campaign, Id, StorageError};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::admin::campaigns::{MAX_REASON, Typed, render_campaign};
use crate::audit::{change, record, record_why};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::form::{DATE_HINT, FieldView, valid_date};
use crate::http::form::{Form, Path};
use crate::http::layout::china_time;
use crate::year::{Action, Year, rectify, scoring};

/// Publication (公示) as the campaign page shows it, with its form.
pub(crate) struct PublicationView {
    /// When results were last computed, if they were.
    pub(crate) results_at: Option<String>,
    pub(crate) published_at: Option<String>,
    /// Where the window stands, in words.
    pub(crate) window: String,
    pub(crate) show_details: bool,
    pub(crate) start: FieldView,
    pub(crate) end: FieldView,
    pub(crate) details: bool,
}

pub(crate) struct LockView {
    pub(crate) at: String,
    pub(crate) locked: bool,
    pub(crate) who: String,
    pub(crate) reason: String,
    pub(crate) anchor: String,
}

/// The lock (定稿) part of the campaign page.
pub(crate) struct LockPart {
    pub(crate) window_over: bool,
    pub(crate) open_appeals: usize,
    pub(crate) reason: FieldView,
    pub(crate) history: Vec<LockView>,
}

pub(crate) async fn publication_view(
    state: &AppState,
    year: &Year,
    typed: &Typed,
) -> AppResult<PublicationView> {
    let campaign = &year.campaign;
    let results_at = crate::year::snapshot::latest(state, campaign.id)
        .await?
        .map(|r| china_time(r.run.computed_at));
    let window = match year.window {
        Some(w) if year.today < w.start => format!("公示期 {}，尚未开始", w.text()),
        Some(w) if year.today > w.end => format!("公示期 {}，已结束", w.text()),
        Some(w) => format!("公示中：{}", w.text()),
        None => "未公示".to_string(),
    };
    let (start, end, details) = match typed {
        Typed::Publish {
            start,
            end,
            details,
        } => (start.clone(), end.clone(), *details),
        _ => {
            // Seven days including today.
            let (start, end) = match year.window {
                Some(w) => (w.start, w.end),
                None => (year.today, year.today + time::Duration::days(6)),
            };
            (
                FieldView::new(start.to_string()),
                FieldView::new(end.to_string()),
                campaign.show_details,
            )
        }
    };
    Ok(PublicationView {
        results_at,
        published_at: campaign.published_at.map(china_time),
        window,
        show_details: campaign.show_details,
        start,
        end,
        details,
    })
}

pub(crate) async fn lock_part(
    state: &AppState,
    me: &CurrentUser,
    year: &Year,
    typed: &Typed,
) -> AppResult<LockPart> {
    let campaign = &year.campaign;
    let users = state.store.users(me.org()).await?;
    let history = state
        .store
        .lock_events(campaign.id)
        .await?
        .into_iter()
        .rev()
        .map(|e| LockView {
            at: china_time(e.at),
            locked: e.lock,
            who: e
                .user_id
                .and_then(|id| users.iter().find(|u| u.id == id))
                .map(|u| format!("{}（{}）", u.display_name, u.username))
                .unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
            anchor: format!("{}:{}", e.audit_seq, e.audit_hash),
        })
        .collect();
    Ok(LockPart {
        window_over: !year.phase.early_lock(),
        open_appeals: open_appeals(state, campaign.id).await?,
        reason: match typed {
            Typed::Lock(r) => r.clone(),
            _ => FieldView::default(),
        },
        history,
    })
}

async fn open_appeals(state: &AppState, cid: Id) -> AppResult<usize> {
    Ok(state
        .store
        .appeals(cid)
        .await?
        .iter()
        .filter(|a| a.state == AppealState::Open)
        .count())
}

// ── publication (公示) ─────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    csrf: String,
    start: String,
    end: String,
    show_details: String,
}

/// Publishes the computed results for a window (or changes the window of a publication).
pub async fn campaign_publish(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    // The guard has checked the rule of the year: not locked, not a past year.
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign.clone();
    let mut start = FieldView::new(form.start.trim());
    let mut end = FieldView::new(form.end.trim());
    let details = form.show_details == "yes";
    if !valid_date(&start.value) {
        start.error = Some(DATE_HINT.into());
    }
    if !valid_date(&end.value) {
        end.error = Some(DATE_HINT.into());
    } else if start.error.is_none() && end.value < start.value {
        end.error = Some(format!("公示结束日期不能早于开始日期 {}", start.value));
    }
    let no_results = !state.store.has_results(cid).await?;
    if no_results || start.error.is_some() || end.error.is_some() {
        let e = if no_results {
            "未公示：结果尚未计算。请先到“结果”页面计算结果，再公示。"
        } else {
            "未公示：请按提示改正。"
        };
        let typed = Typed::Publish {
            start,
            end,
            details,
        };
        return render_campaign(&state, &session, &me, campaign, typed, None, Some(e.into())).await;
    }
    let mut changes = Vec::new();
    if year.window.is_none() {
        changes.push(change("published", false, true));
    }
    let (old_start, old_end) = match year.window {
        Some(w) => (Some(w.start.to_string()), Some(w.end.to_string())),
        None => (None, None),
    };
    if old_start.as_deref() != Some(start.value.as_str()) {
        changes.push(change("window_start", old_start, start.value.clone()));
    }
    if old_end.as_deref() != Some(end.value.as_str()) {
        changes.push(change("window_end", old_end, end.value.clone()));
    }
    if campaign.show_details != details {
        changes.push(change("show_details", campaign.show_details, details));
    }
    if changes.is_empty() {
        return Ok(
            Redirect::to(&format!("/admin/c/{cid}?saved=nothing#publication")).into_response(),
        );
    }
    // At the first publication every lost point becomes a problem to rectify (整改),
    // from the results published.
    let found = match (
        year.window,
        crate::year::snapshot::latest(&state, cid).await?,
    ) {
        (None, Some(latest)) => {
            let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
            rectify::found(&rubric, &latest.snapshot, None)
        }
        _ => Vec::new(),
    };
    let mut work = state.store.begin().await?;
    work.publish(cid, &start.value, &end.value, details).await?;
    if let Some(c) = rectify::sync(&mut work, cid, &found, me.user.id).await? {
        changes.push(c);
    }
    record(
        work,
        &me,
        Action::CampaignPublish,
        format!("campaign:{cid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=published#publication")).into_response())
}

// ── lock (定稿) ────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    csrf: String,
    reason: String,
}

/// Locks the campaign. After the publication window a reason is optional; before it (or
/// without a publication) it must be given. Unanswered appeals must be answered first.
pub async fn campaign_lock(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    // The guard has checked the rule of the year: not locked already.
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign.clone();
    let mut reason = FieldView::new(form.reason.trim());
    let open = open_appeals(&state, cid).await?;
    let error = if reason.value.chars().count() > MAX_REASON {
        reason.error = Some(format!("理由太长（最多 {MAX_REASON} 个字）"));
        Some("未定稿：请按提示改正。".to_string())
    } else if open > 0 {
        Some(format!(
            "未定稿：还有 {open} 项申诉未答复。定稿后就不能再答复，请先让考核员答复全部申诉。"
        ))
    } else if year.phase.early_lock() && reason.value.is_empty() {
        reason.error = Some("公示期尚未结束（或尚未公示）：提前定稿须写明理由".into());
        Some("未定稿：请填写提前定稿的理由。".to_string())
    } else {
        None
    };
    if let Some(e) = error {
        let typed = Typed::Lock(reason);
        return render_campaign(&state, &session, &me, campaign, typed, None, Some(e)).await;
    }
    let why = if reason.value.is_empty() {
        "公示期已结束，定稿".to_string()
    } else {
        reason.value.clone()
    };
    set_lock(&state, &session, &me, campaign, true, why).await
}

/// Unlocks the campaign; a reason is required.
pub async fn campaign_unlock(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    // The guard has checked the rule of the year: locked.
    let mut reason = FieldView::new(form.reason.trim());
    let error = if reason.value.is_empty() {
        reason.error = Some("请写明解除定稿的理由（会记入审计日志）".into());
        Some("未解除定稿：须填写理由。".to_string())
    } else if reason.value.chars().count() > MAX_REASON {
        reason.error = Some(format!("理由太长（最多 {MAX_REASON} 个字）"));
        Some("未解除定稿：请按提示改正。".to_string())
    } else {
        None
    };
    if let Some(e) = error {
        let typed = Typed::Lock(reason);
        return render_campaign(&state, &session, &me, campaign, typed, None, Some(e)).await;
    }
    let why = reason.value.clone();
    set_lock(&state, &session, &me, campaign, false, why).await
}

/// Locks or unlocks, keeping the audit chain's head as an anchor, and writes the audit
/// row with the reason and the anchor.
async fn set_lock(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    campaign: Campaign,
    locked: bool,
    why: String,
) -> AppResult<Response> {
    let cid = campaign.id;
    let mut work = state.store.begin().await?;
    let event = match work
        .set_locked(cid, locked, Some(&why), Some(me.user.id))
        .await
    {
        Ok(e) => e,
        Err(StorageError::Conflict) => {
            // Someone else locked or unlocked it in the meantime.
            drop(work);
            let year = Year::load(state, me.org(), cid).await?;
            let campaign = year.campaign.clone();
            let e = if year.phase.is_locked() {
                "本任务刚刚已被定稿。"
            } else {
                "本任务刚刚已被解除定稿。"
            };
            let typed = Typed::Lock(FieldView::new(why));
            return render_campaign(state, session, me, campaign, typed, None, Some(e.into()))
                .await;
        }
        Err(e) => return Err(e.into()),
    };
    record_why(
        work,
        me,
        if locked {
            Action::CampaignLock
        } else {
            Action::CampaignUnlock
        },
        format!("campaign:{cid}"),
        &why,
        vec![
            change("locked", !locked, locked),
            change(
                "anchor",
                serde_json::Value::Null,
                format!("{}:{}", event.audit_seq, event.audit_hash),
            ),
        ],
    )
    .await?;
    let saved = if locked { "locked" } else { "unlocked" };
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved={saved}#lock")).into_response())
}
