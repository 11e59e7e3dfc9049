//! The self-check (自查): a reporter fills in the facts of their unit, item by item,
//! sees the score and its reasons as they type, saves drafts and submits. Others with
//! the right to see a report (the admin; assessors, for their department's items) see
//! the same pages read-only.

use kaohe_storage::{Campaign, Id, ReportState, Role, Unit};

use crate::AppState;
use crate::admin::departments;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::year::scoring;
use crate::year::{Action, Refusal, Year};
use time::Date;

mod fill;
mod item;
mod print;
mod submit;
mod unit;

pub use fill::{fill_apply, fill_page, fill_preview, fill_xlsx};
pub(crate) use item::whence;
pub use item::{item_page, item_preview, item_save};
pub use print::print;
pub use submit::submit;
pub use unit::report_home;

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
    /// The unit's place in the campaign as stored (the district's facts about it).
    pub place: kaohe_storage::CampaignUnit,
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
    let year = Year::for_request(state, me, cid).await?;
    let campaign = year.campaign.clone();
    let unit = state.store.unit(me.org(), uid).await?;
    // The report and last day the guard read for this request, if it read them.
    let checked = me
        .checked
        .as_deref()
        .and_then(|c| c.report.as_ref())
        .filter(|(u, _, _, _)| *u == uid && year.campaign.id == cid);
    let (report, deadline, place) = match checked {
        Some((_, report, deadline, place)) => (report.clone(), *deadline, place.clone()),
        None => {
            let place = state.store.campaign_unit(cid, uid).await?;
            (
                state.store.report(cid, uid).await?,
                year.deadline(place.deadline.as_deref())?,
                place,
            )
        }
    };
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
        place,
        returned,
    })
}
