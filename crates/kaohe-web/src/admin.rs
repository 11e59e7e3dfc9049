//! Administration: the district office's view of its campaigns, and what the admin
//! pages share (`admin_units`, `admin_users`, `admin_rubrics`, `admin_campaigns`,
//! `progress`): audit rows, date checks, form fields with their messages. The audit log
//! itself is `audit_log`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaohe_core::fmt_decimal as f;
use kaohe_storage::{AuditEntry, Work};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::progress::Progress;
use crate::scoring;
use crate::views::{Layout, china_time};
use crate::year::{Action, Phase, Year};

struct UnitProgress {
    name: String,
    href: String,
    state: String,
    progress: Progress,
    self_score: String,
    missing: usize,
    submitted: String,
}

struct CampaignView {
    id: kaohe_storage::Id,
    /// A draft not yet issued to the units.
    draft: bool,
    title: String,
    year: i64,
    deadline: String,
    rubric: String,
    submitted: usize,
    overdue: usize,
    units: Vec<UnitProgress>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct OverviewPage {
    layout: Layout,
    campaigns: Vec<CampaignView>,
}

/// Every campaign with each unit's progress and running self-score.
pub async fn overview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    let mut campaigns = Vec::new();
    for c in state.store.campaigns(me.org()).await? {
        let year = Year::of(&state, c.clone()).await?;
        let rubric_row = state.store.rubric(me.org(), c.rubric_id).await?;
        let mut units = Vec::new();
        for cu in state.store.campaign_units(c.id).await? {
            let unit = state.store.unit(me.org(), cu.unit_id).await?;
            let report = state.store.report(c.id, cu.unit_id).await?;
            let (_, _, s, items) = scoring::self_score(&state, &c, cu.unit_id).await?;
            let deadline = year.deadline(cu.deadline.as_deref())?;
            let progress = Progress::of(
                report.state,
                !items.is_empty(),
                year.overdue(report.state, deadline),
            );
            let state_text = match progress {
                Progress::Drafting => format!("{}（{} 项已保存）", progress.label(), items.len()),
                _ => progress.label().to_string(),
            };
            units.push(UnitProgress {
                name: unit.name,
                href: format!("/c/{}/u/{}", c.id, cu.unit_id),
                state: state_text,
                progress,
                self_score: f(s.total),
                missing: s.all_missing().len(),
                submitted: report.submitted_at.map(china_time).unwrap_or_default(),
            });
        }
        campaigns.push(CampaignView {
            id: c.id,
            draft: year.phase == Phase::Draft,
            submitted: units
                .iter()
                .filter(|u| u.progress == Progress::Submitted)
                .count(),
            overdue: units
                .iter()
                .filter(|u| u.progress == Progress::Overdue)
                .count(),
            title: c.title,
            year: c.year,
            deadline: c.deadline,
            rubric: format!("{} 第 {} 版", rubric_row.title, rubric_row.version),
            units,
        });
    }
    Ok(OverviewPage {
        layout: Layout::new(&state, &session, &me, "考核任务").await?,
        campaigns,
    }
    .into_response())
}

// ── shared by the admin pages ─────────────────────────────────────────────────

/// A form field as typed, with the message shown beside it.
#[derive(Debug, Clone, Default)]
pub struct FieldView {
    pub value: String,
    pub error: Option<String>,
}

impl FieldView {
    pub fn new(value: impl Into<String>) -> FieldView {
        FieldView {
            value: value.into(),
            error: None,
        }
    }
}

/// One option of a select (or one checkbox of a list).
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One changed field for an audit row: `{"field", "old", "new"}`.
pub fn change(
    field: &str,
    old: impl Into<serde_json::Value>,
    new: impl Into<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({"field": field, "old": old.into(), "new": new.into()})
}

/// Commits an admin's change with its audit row.
pub async fn record(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: action.code().into(),
        target,
        reason: None,
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(())
}

/// Commits an admin's change, made for a stated reason, with its audit row.
pub async fn record_why(
    work: Work,
    me: &CurrentUser,
    action: Action,
    target: String,
    reason: &str,
    changes: Vec<serde_json::Value>,
) -> AppResult<()> {
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: action.code().into(),
        target,
        reason: Some(reason.to_string()),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(())
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (what a date input sends).
pub fn valid_date(s: &str) -> bool {
    crate::year::parse_date(s).is_some_and(|d| (2000..=2100).contains(&d.year()))
}

/// The message for a date that is not one.
pub const DATE_HINT: &str = "请填写日期，格式如 2026-12-31";

#[cfg(test)]
mod tests {
    use super::valid_date;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(valid_date("2026-12-31"));
        assert!(valid_date("2028-02-29"));
        assert!(!valid_date("2026-02-29"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("2026-1-1"));
        assert!(!valid_date("明天"));
        assert!(!valid_date(""));
    }
}
