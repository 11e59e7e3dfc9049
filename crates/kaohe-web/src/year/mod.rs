//! The campaign's year as one type: the phase a campaign is in, computed in one place
//! ([`Phase::of`]), and the one function that decides whether an action may happen now
//! ([`allows`]). The route table names each route's [`Action`]; the guard calls `allows`
//! before the handler runs, and pages ask the same function what to offer. No handler
//! looks at the lock, the publication window or a deadline by itself.
//!
//! ```text
//!   draft ──issue──▶
//!   reporting ──compute──▶ results computed ──publish──▶ published (window open)
//!   (units report; each                                   │ the window's last day passes
//!    submitted report is                                  ▼
//!    reviewed, returned,                               window over
//!    resubmitted)                                         │ lock
//!        └────────────────────── lock ────────────────────┴──▶ locked ──unlock──▶ (back)
//!
//!   past year (imported results only): read, never changed
//! ```
//!
//! Review is not a phase of the campaign: units submit at different times, and each
//! submitted report is reviewed as it comes, so review belongs to the report's state
//! (草稿 → 已提交 → 已退回 → 已提交 …), which `allows` reads beside the phase.

mod action;
pub mod appeals;
pub mod assess;
pub mod evidence;
pub mod exports;
pub mod gaps;
pub mod history;
pub mod imports;
pub mod publish_lock;
pub mod records;
pub mod records_import;
pub mod rectify;
pub mod results;
pub mod review;
pub mod scoring;
pub mod self_check;
pub mod snapshot;

pub use action::{Action, Rule};

use kaohe_storage::{Campaign, CampaignState, Id, ReportState};
use time::Date;

use crate::AppState;
use crate::http::error::AppError;

/// A campaign with its phase today: what handlers and the guard load.
#[derive(Debug, Clone)]
pub struct Year {
    pub campaign: Campaign,
    pub phase: Phase,
    /// The publication window, once published (also after a lock).
    pub window: Option<Window>,
    pub today: Date,
}

/// What the route guard read for a request to check the rule of the year: the campaign
/// of its path with its phase, and the unit's report and last day where the rule reads
/// them. Handlers take it from [`crate::auth::CurrentUser`] instead of reading it again.
#[derive(Debug)]
pub struct Checked {
    pub year: Year,
    /// The unit of the path: its report, its last day, and its place in the campaign
    /// (the last day's extension, the district's facts).
    pub report: Option<(Id, kaohe_storage::Report, Date, kaohe_storage::CampaignUnit)>,
}

impl Year {
    /// Loads a campaign of this organiser (another organiser's is `NotFound`) and its
    /// phase today.
    pub async fn load(state: &AppState, organiser_id: Id, cid: Id) -> Result<Year, AppError> {
        let (campaign, has_results) = state.store.campaign_with_results(organiser_id, cid).await?;
        Year::with_results(campaign, has_results)
    }

    /// [`Year::load`] for a request, taking what its guard read when it read it.
    pub async fn for_request(
        state: &AppState,
        me: &crate::auth::CurrentUser,
        cid: Id,
    ) -> Result<Year, AppError> {
        match me.checked.as_deref() {
            Some(c) if c.year.campaign.id == cid => Ok(c.year.clone()),
            _ => Year::load(state, me.org(), cid).await,
        }
    }

    /// The phase today of a campaign already loaded (checked against the organiser).
    pub async fn of(state: &AppState, campaign: Campaign) -> Result<Year, AppError> {
        let has_results = state.store.has_results(campaign.id).await?;
        Year::with_results(campaign, has_results)
    }

    /// The year of a campaign whose results are computed or not.
    fn with_results(campaign: Campaign, has_results: bool) -> Result<Year, AppError> {
        let today = today();
        let phase = Phase::of(&campaign, has_results, today)?;
        let window = window_of(&campaign)?;
        Ok(Year {
            campaign,
            phase,
            window,
            today,
        })
    }

    /// A unit's last day: its extension, or the campaign's deadline. A unit that does
    /// not take part in the campaign is `NotFound`.
    pub async fn deadline_of(&self, state: &AppState, uid: Id) -> Result<Date, AppError> {
        let cu = state.store.campaign_unit(self.campaign.id, uid).await?;
        self.deadline(cu.deadline.as_deref())
    }

    /// A unit's last day from its extension (if it has one) or the campaign's deadline.
    pub fn deadline(&self, extension: Option<&str>) -> Result<Date, AppError> {
        let text = extension.unwrap_or(&self.campaign.deadline);
        parse_date(text).ok_or_else(|| bad(&self.campaign, "deadline", text))
    }

    /// Whether a unit's report is a draft whose last day has passed.
    pub fn overdue(&self, report: ReportState, unit_deadline: Date) -> bool {
        report == ReportState::Draft && self.today > unit_deadline
    }

    /// [`allows`] for this campaign today.
    pub fn allows(
        &self,
        report: Option<ReportState>,
        unit_deadline: Option<Date>,
        action: Action,
    ) -> Result<(), Refusal> {
        allows(self.phase, report, unit_deadline, self.today, action)
    }
}

/// The publication window (公示期): both days included, China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Date,
    pub end: Date,
}

impl Window {
    /// `2026-12-01 至 2026-12-07`.
    pub fn text(self) -> String {
        format!("{} 至 {}", self.start, self.end)
    }
}

/// Where a campaign is in its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A draft (草稿): the admin sets it up; units and assessors do not see it yet.
    Draft,
    /// Issued (下发): units fill in and submit their self-checks; assessors review submitted reports.
    Reporting,
    /// Results have been computed (and may be computed again); not yet published.
    ResultsComputed,
    /// Results published (公示); units may appeal from the window's first day to its last.
    Published(Window),
    /// The window's last day has passed: no more appeals.
    WindowOver(Window),
    /// Locked (定稿): nothing of the campaign changes until the admin unlocks it.
    Locked,
    /// A past year imported from a spreadsheet: its results only, read and never changed.
    PastYear,
}

/// Something stored that a phase cannot be read from (a malformed window date).
fn bad(campaign: &Campaign, what: &str, value: &str) -> AppError {
    AppError::Internal(format!(
        "campaign {} has a malformed {what}: {value:?}",
        campaign.id
    ))
}

/// Parses `YYYY-MM-DD`, the form every date is stored in (and a date input sends); a
/// day that does not exist (2026-02-30) is `None`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// The publication window of a published campaign; kept after a lock, for the record.
pub fn window_of(campaign: &Campaign) -> Result<Option<Window>, AppError> {
    if campaign.published_at.is_none() {
        return Ok(None);
    }
    let date = |what: &str, value: &Option<String>| {
        let text = value.as_deref().unwrap_or_default();
        parse_date(text).ok_or_else(|| bad(campaign, what, text))
    };
    Ok(Some(Window {
        start: date("window start", &campaign.window_start)?,
        end: date("window end", &campaign.window_end)?,
    }))
}

impl Phase {
    /// The phase of a campaign on `today` (China time).
    pub fn of(campaign: &Campaign, has_results: bool, today: Date) -> Result<Phase, AppError> {
        // Only importing a past year closes a campaign: it has no reporting of its own.
        if campaign.state == CampaignState::Closed {
            return Ok(Phase::PastYear);
        }
        if campaign.issued_at.is_none() {
            return Ok(Phase::Draft);
        }
        if campaign.locked {
            return Ok(Phase::Locked);
        }
        if let Some(window) = window_of(campaign)? {
            return Ok(if today > window.end {
                Phase::WindowOver(window)
            } else {
                Phase::Published(window)
            });
        }
        Ok(if has_results {
            Phase::ResultsComputed
        } else {
            Phase::Reporting
        })
    }

    /// The phase as the office says it.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Draft => "草稿（尚未下发）",
            Phase::Reporting => "自查填报中",
            Phase::ResultsComputed => "结果已计算，尚未公示",
            Phase::Published(_) => "公示中",
            Phase::WindowOver(_) => "公示期已结束",
            Phase::Locked => "已定稿",
            Phase::PastYear => "往年结果",
        }
    }

    /// The publication window, once published.
    pub fn window(self) -> Option<Window> {
        match self {
            Phase::Published(w) | Phase::WindowOver(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_locked(self) -> bool {
        matches!(self, Phase::Locked | Phase::PastYear)
    }

    /// Whether locking now needs a stated reason: before the window is over, locking
    /// cuts the units' appeals short.
    pub fn early_lock(self) -> bool {
        !matches!(self, Phase::WindowOver(_))
    }
}

/// Why an action may not happen now, in a sentence for the person who tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        AppError::BadRequest(r.0)
    }
}

/// What a locked campaign answers to an admin's change of its settings.
const LOCKED_SETTINGS: &str = "本考核任务已定稿（锁定），任务设置、单位基础数据、截止日期、责任部门和公示均不能再修改，此次操作未保存。如确需修改，请先在任务页面的“定稿”一栏填写理由，解除定稿（解除会记入审计日志）。";
const LOCKED: &str =
    "考核已定稿，任何内容都不能再修改；如确需更改，请管理员先解除定稿（须写明理由）";
const PAST_YEAR: &str = "这是导入的往年结果，只能查看，不能修改";
const DRAFT: &str = "考核任务尚未下发，各单位还看不到它";

/// Whether `action` may happen now: in `phase`, for a unit whose report is in
/// `report` (when the action concerns one unit's report) with its own last day
/// `unit_deadline` (the campaign's, or the unit's extension), on `today` (China time).
/// A returned report stays editable after the deadline: the district asked for the
/// correction.
pub fn allows(
    phase: Phase,
    report: Option<ReportState>,
    unit_deadline: Option<Date>,
    today: Date,
    action: Action,
) -> Result<(), Refusal> {
    let no = |why: String| Err(Refusal(why));
    let what = action.refused();
    match action.rule() {
        Rule::Always => Ok(()),
        Rule::Report => match (phase, report) {
            (Phase::PastYear, _) => no(format!("{what}：{PAST_YEAR}。")),
            (Phase::Draft, _) => no(format!("{what}：{DRAFT}。")),
            (Phase::Locked, _) => no(format!("{what}：{LOCKED}。")),
            (_, Some(ReportState::Submitted)) => {
                no(format!("{what}：报告已提交，考核组退回后才能修改。"))
            }
            (_, Some(ReportState::Returned)) => Ok(()),
            (_, Some(ReportState::Draft)) => match unit_deadline {
                Some(d) if today > d => {
                    no(format!("{what}：已过截止日期 {d}，如需延期请联系区里。"))
                }
                _ => Ok(()),
            },
            (_, None) => no(format!("{what}：不是某个单位的报告。")),
        },
        Rule::Review => match (phase, report) {
            (Phase::PastYear, _) => no(format!("{what}：{PAST_YEAR}。")),
            (Phase::Draft, _) => no(format!("{what}：{DRAFT}。")),
            (Phase::Locked, _) => no(format!("{what}：{LOCKED}。")),
            (_, Some(ReportState::Draft)) => {
                no(format!("{what}：该单位尚未提交自查，提交后才能审核。"))
            }
            // Several units at once (批量确认): each item is checked with its report.
            _ => Ok(()),
        },
        Rule::Settings => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Locked => no(LOCKED_SETTINGS.to_string()),
            _ => Ok(()),
        },
        Rule::Results => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Draft => no(format!("{what}：{DRAFT}，还没有单位填报。")),
            Phase::Locked => no(format!("{what}：{LOCKED}。")),
            _ => Ok(()),
        },
        Rule::Lock => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Draft => no(format!("{what}：{DRAFT}；草稿可以直接修改或下发。")),
            Phase::Locked => no(format!("{what}：本任务已定稿，无需再定稿。")),
            _ => Ok(()),
        },
        Rule::Unlock => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Locked => Ok(()),
            _ => no(format!("{what}：本任务没有定稿。")),
        },
        Rule::Appeal => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Locked => no(format!("{what}：考核已定稿，不能再申诉。")),
            Phase::Draft | Phase::Reporting | Phase::ResultsComputed => {
                no(format!("{what}：结果尚未公示，公示期内才能申诉。"))
            }
            Phase::Published(w) if today >= w.start => Ok(()),
            Phase::Published(w) | Phase::WindowOver(w) => {
                no(format!("{what}：申诉须在公示期内提出（{}）。", w.text()))
            }
        },
        Rule::Issue => match phase {
            Phase::Draft => Ok(()),
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Locked => no(format!("{what}：本任务已经下发，并已定稿。")),
            _ => no(format!("{what}：本任务已经下发。")),
        },
        Rule::Answer => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Draft => no(format!("{what}：{DRAFT}。")),
            Phase::Locked => no(format!("{what}：考核已定稿，不能再答复申诉。")),
            _ => Ok(()),
        },
        Rule::Rectify => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Draft | Phase::Reporting | Phase::ResultsComputed => {
                no(format!("{what}：结果公示后才有整改。"))
            }
            Phase::Published(_) | Phase::WindowOver(_) | Phase::Locked => Ok(()),
        },
        Rule::RectifyList => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Draft | Phase::Reporting | Phase::ResultsComputed => {
                no(format!("{what}：结果公示后才有整改问题。"))
            }
            Phase::Locked => no(format!(
                "{what}：考核已定稿，问题清单已定；整改本身照常进行。"
            )),
            Phase::Published(_) | Phase::WindowOver(_) => Ok(()),
        },
        Rule::Declare => match (phase, report) {
            (Phase::PastYear, _) => no(format!("{what}：{PAST_YEAR}。")),
            (Phase::Locked, _) => no(format!("{what}：{LOCKED}。")),
            // Records are kept before the campaign is issued.
            (Phase::Draft, _) => Ok(()),
            (_, Some(ReportState::Submitted)) => no(format!(
                "{what}：自查报告已提交，申报的记录会改变自查分；考核组退回后才能申报，或请责任部门直接录入。"
            )),
            (_, Some(ReportState::Returned)) => Ok(()),
            (_, Some(ReportState::Draft)) => match unit_deadline {
                Some(d) if today > d => no(format!(
                    "{what}：已过自查截止日期 {d}；如需补报，请联系责任部门录入。"
                )),
                _ => Ok(()),
            },
            (_, None) => no(format!("{what}：不是某个单位的记录。")),
        },
        Rule::Records => match phase {
            Phase::PastYear => no(format!("{what}：{PAST_YEAR}。")),
            Phase::Locked => no(format!("{what}：{LOCKED}。")),
            _ => Ok(()),
        },
    }
}

/// Today in China time, where every deadline and window day is counted.
pub fn today() -> Date {
    let now = time::OffsetDateTime::from_unix_timestamp(kaohe_storage::now_ms() / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset"));
    now.date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    const TODAY: &str = "2026-12-10";

    /// The phases, each once, on 2026-12-10.
    fn phases() -> Vec<(&'static str, Phase)> {
        let w = |a, b| Window {
            start: d(a),
            end: d(b),
        };
        vec![
            ("draft", Phase::Draft),
            ("reporting", Phase::Reporting),
            ("computed", Phase::ResultsComputed),
            (
                "window open",
                Phase::Published(w("2026-12-08", "2026-12-14")),
            ),
            (
                "window ahead",
                Phase::Published(w("2026-12-12", "2026-12-18")),
            ),
            (
                "window over",
                Phase::WindowOver(w("2026-12-01", "2026-12-07")),
            ),
            ("locked", Phase::Locked),
            ("past year", Phase::PastYear),
        ]
    }

    /// The report situations: no report in question, a draft before and after the unit's
    /// last day, submitted, returned (after its last day).
    fn reports() -> Vec<(Option<ReportState>, Option<Date>)> {
        vec![
            (None, None),
            (Some(ReportState::Draft), Some(d("2026-12-31"))),
            (Some(ReportState::Draft), Some(d("2026-12-09"))),
            (Some(ReportState::Submitted), Some(d("2026-12-31"))),
            (Some(ReportState::Returned), Some(d("2026-12-09"))),
        ]
    }

    /// Which rule each action obeys, written out here so a change of the list shows.
    const RULES: &[(Action, Rule)] = &[
        (Action::Read, Rule::Always),
        (Action::Login, Rule::Always),
        (Action::Logout, Rule::Always),
        (Action::LoginLocked, Rule::Always),
        (Action::PasswordChange, Rule::Always),
        (Action::ItemDraft, Rule::Report),
        (Action::ItemDone, Rule::Report),
        (Action::ReportSubmit, Rule::Report),
        (Action::EvidenceUpload, Rule::Report),
        (Action::EvidenceDelete, Rule::Report),
        (Action::EvidenceDownload, Rule::Always),
        (Action::ReviewConfirm, Rule::Review),
        (Action::FactsImport, Rule::Review),
        (Action::RecordImport, Rule::Records),
        (Action::ReportImport, Rule::Report),
        (Action::ReportExport, Rule::Always),
        (Action::ImportFile, Rule::Always),
        (Action::ImportTemplate, Rule::Always),
        (Action::ReviewReturn, Rule::Review),
        (Action::ResultsCompute, Rule::Results),
        (Action::ResultsExport, Rule::Always),
        (Action::CampaignCreate, Rule::Always),
        (Action::CampaignUpdate, Rule::Settings),
        (Action::CampaignUnit, Rule::Settings),
        (Action::CampaignUnitWithdraw, Rule::Settings),
        (Action::CampaignUnitReinstate, Rule::Settings),
        (Action::CampaignDepartments, Rule::Settings),
        (Action::CampaignPublish, Rule::Settings),
        (Action::CampaignIssue, Rule::Issue),
        (Action::CampaignDelete, Rule::Issue),
        (Action::CampaignLock, Rule::Lock),
        (Action::CampaignUnlock, Rule::Unlock),
        (Action::AppealFile, Rule::Appeal),
        (Action::AppealAccept, Rule::Answer),
        (Action::AppealReject, Rule::Answer),
        (Action::RectifyDeadline, Rule::Rectify),
        (Action::ProblemAdd, Rule::RectifyList),
        (Action::ProblemDrop, Rule::RectifyList),
        (Action::ProblemMerge, Rule::RectifyList),
        (Action::ProblemDeadline, Rule::Rectify),
        (Action::ProblemPlan, Rule::Rectify),
        (Action::ProblemReport, Rule::Rectify),
        (Action::ProblemSignOff, Rule::Rectify),
        (Action::ProblemReturn, Rule::Rectify),
        (Action::RectifyExport, Rule::Always),
        (Action::RecordList, Rule::Always),
        (Action::RecordFile, Rule::Always),
        (Action::RecordDeclare, Rule::Declare),
        (Action::RecordEdit, Rule::Declare),
        (Action::RecordWithdraw, Rule::Declare),
        (Action::RecordEnter, Rule::Records),
        (Action::RecordAmend, Rule::Records),
        (Action::RecordConfirm, Rule::Records),
        (Action::RecordReject, Rule::Records),
        (Action::RecordLike, Rule::Records),
        (Action::UnitCreate, Rule::Always),
        (Action::UnitUpdate, Rule::Always),
        (Action::UnitImport, Rule::Always),
        (Action::DepartmentCreate, Rule::Always),
        (Action::DepartmentRename, Rule::Always),
        (Action::DepartmentDelete, Rule::Always),
        (Action::UserCreate, Rule::Always),
        (Action::UserEdit, Rule::Always),
        (Action::UserPasswordReset, Rule::Always),
        (Action::UserUnlock, Rule::Always),
        (Action::UserDeactivate, Rule::Always),
        (Action::UserReactivate, Rule::Always),
        (Action::RubricUpload, Rule::Always),
        (Action::RubricImport, Rule::Always),
        (Action::HistoryImport, Rule::Always),
        (Action::WhatIfMapping, Rule::Always),
        (Action::AuditExport, Rule::Always),
        (Action::AccountsReviewed, Rule::Always),
        (Action::OrganiserCreate, Rule::Always),
        (Action::DemoSeed, Rule::Always),
    ];

    /// For each rule and phase, what `allows` answers in each report situation of
    /// [`reports`]: `y` allowed, `-` refused. Columns: none, draft, late draft,
    /// submitted, returned.
    const TABLE: &[(Rule, &str, &str)] = &[
        (Rule::Always, "draft", "y y y y y"),
        (Rule::Always, "reporting", "y y y y y"),
        (Rule::Always, "computed", "y y y y y"),
        (Rule::Always, "window open", "y y y y y"),
        (Rule::Always, "window ahead", "y y y y y"),
        (Rule::Always, "window over", "y y y y y"),
        (Rule::Always, "locked", "y y y y y"),
        (Rule::Always, "past year", "y y y y y"),
        // A unit changes its report: a draft until its last day, a returned report
        // after it too, never a submitted one; after publication as before it (a unit
        // that has not submitted may still, until its day); never once locked.
        (Rule::Report, "draft", "- - - - -"),
        (Rule::Report, "reporting", "- y - - y"),
        (Rule::Report, "computed", "- y - - y"),
        (Rule::Report, "window open", "- y - - y"),
        (Rule::Report, "window ahead", "- y - - y"),
        (Rule::Report, "window over", "- y - - y"),
        (Rule::Report, "locked", "- - - - -"),
        (Rule::Report, "past year", "- - - - -"),
        // Assessors review what was submitted (or returned, to confirm other items).
        // Without a report (several units at once) the year's part alone: each item
        // is then checked with its own report.
        (Rule::Review, "draft", "- - - - -"),
        (Rule::Review, "reporting", "y - - y y"),
        (Rule::Review, "computed", "y - - y y"),
        (Rule::Review, "window open", "y - - y y"),
        (Rule::Review, "window ahead", "y - - y y"),
        (Rule::Review, "window over", "y - - y y"),
        (Rule::Review, "locked", "- - - - -"),
        (Rule::Review, "past year", "- - - - -"),
        // A draft is set up freely.
        (Rule::Settings, "draft", "y y y y y"),
        (Rule::Settings, "reporting", "y y y y y"),
        (Rule::Settings, "computed", "y y y y y"),
        (Rule::Settings, "window open", "y y y y y"),
        (Rule::Settings, "window ahead", "y y y y y"),
        (Rule::Settings, "window over", "y y y y y"),
        (Rule::Settings, "locked", "- - - - -"),
        (Rule::Settings, "past year", "- - - - -"),
        (Rule::Results, "draft", "- - - - -"),
        (Rule::Results, "reporting", "y y y y y"),
        (Rule::Results, "computed", "y y y y y"),
        (Rule::Results, "window open", "y y y y y"),
        (Rule::Results, "window ahead", "y y y y y"),
        (Rule::Results, "window over", "y y y y y"),
        (Rule::Results, "locked", "- - - - -"),
        (Rule::Results, "past year", "- - - - -"),
        (Rule::Lock, "draft", "- - - - -"),
        (Rule::Lock, "reporting", "y y y y y"),
        (Rule::Lock, "computed", "y y y y y"),
        (Rule::Lock, "window open", "y y y y y"),
        (Rule::Lock, "window ahead", "y y y y y"),
        (Rule::Lock, "window over", "y y y y y"),
        (Rule::Lock, "locked", "- - - - -"),
        (Rule::Lock, "past year", "- - - - -"),
        (Rule::Unlock, "draft", "- - - - -"),
        (Rule::Unlock, "reporting", "- - - - -"),
        (Rule::Unlock, "computed", "- - - - -"),
        (Rule::Unlock, "window open", "- - - - -"),
        (Rule::Unlock, "window ahead", "- - - - -"),
        (Rule::Unlock, "window over", "- - - - -"),
        (Rule::Unlock, "locked", "y y y y y"),
        (Rule::Unlock, "past year", "- - - - -"),
        // Appeals from the window's first day to its last, both included.
        (Rule::Appeal, "draft", "- - - - -"),
        (Rule::Appeal, "reporting", "- - - - -"),
        (Rule::Appeal, "computed", "- - - - -"),
        (Rule::Appeal, "window open", "y y y y y"),
        (Rule::Appeal, "window ahead", "- - - - -"),
        (Rule::Appeal, "window over", "- - - - -"),
        (Rule::Appeal, "locked", "- - - - -"),
        (Rule::Appeal, "past year", "- - - - -"),
        (Rule::Answer, "draft", "- - - - -"),
        (Rule::Answer, "reporting", "y y y y y"),
        (Rule::Answer, "computed", "y y y y y"),
        (Rule::Answer, "window open", "y y y y y"),
        (Rule::Answer, "window ahead", "y y y y y"),
        (Rule::Answer, "window over", "y y y y y"),
        (Rule::Answer, "locked", "- - - - -"),
        (Rule::Answer, "past year", "- - - - -"),
        // Issued once, from the draft.
        (Rule::Issue, "draft", "y y y y y"),
        (Rule::Issue, "reporting", "- - - - -"),
        (Rule::Issue, "computed", "- - - - -"),
        (Rule::Issue, "window open", "- - - - -"),
        (Rule::Issue, "window ahead", "- - - - -"),
        (Rule::Issue, "window over", "- - - - -"),
        (Rule::Issue, "locked", "- - - - -"),
        (Rule::Issue, "past year", "- - - - -"),
        // Rectification follows publication, and goes on after the lock.
        (Rule::Rectify, "draft", "- - - - -"),
        (Rule::Rectify, "reporting", "- - - - -"),
        (Rule::Rectify, "computed", "- - - - -"),
        (Rule::Rectify, "window open", "y y y y y"),
        (Rule::Rectify, "window ahead", "y y y y y"),
        (Rule::Rectify, "window over", "y y y y y"),
        (Rule::Rectify, "locked", "y y y y y"),
        (Rule::Rectify, "past year", "- - - - -"),
        // Its list of problems is final at the lock.
        (Rule::RectifyList, "draft", "- - - - -"),
        (Rule::RectifyList, "reporting", "- - - - -"),
        (Rule::RectifyList, "computed", "- - - - -"),
        (Rule::RectifyList, "window open", "y y y y y"),
        (Rule::RectifyList, "window ahead", "y y y y y"),
        (Rule::RectifyList, "window over", "y y y y y"),
        (Rule::RectifyList, "locked", "- - - - -"),
        (Rule::RectifyList, "past year", "- - - - -"),
        // A unit keeps its records from the draft on; once issued, while its report is
        // open (as its self-check), never after the lock.
        (Rule::Declare, "draft", "y y y y y"),
        (Rule::Declare, "reporting", "- y - - y"),
        (Rule::Declare, "computed", "- y - - y"),
        (Rule::Declare, "window open", "- y - - y"),
        (Rule::Declare, "window ahead", "- y - - y"),
        (Rule::Declare, "window over", "- y - - y"),
        (Rule::Declare, "locked", "- - - - -"),
        (Rule::Declare, "past year", "- - - - -"),
        // The district and the departments: any time before the lock.
        (Rule::Records, "draft", "y y y y y"),
        (Rule::Records, "reporting", "y y y y y"),
        (Rule::Records, "computed", "y y y y y"),
        (Rule::Records, "window open", "y y y y y"),
        (Rule::Records, "window ahead", "y y y y y"),
        (Rule::Records, "window over", "y y y y y"),
        (Rule::Records, "locked", "- - - - -"),
        (Rule::Records, "past year", "- - - - -"),
    ];

    #[test]
    fn every_phase_report_state_and_action_is_decided_as_the_table_says() {
        assert_eq!(
            RULES.len(),
            Action::ALL.len(),
            "an action is missing from RULES"
        );
        let mut wrong = Vec::new();
        let mut walked = 0;
        for &(action, rule) in RULES {
            assert_eq!(action.rule(), rule, "{action:?} obeys another rule");
            for (name, phase) in phases() {
                let row = TABLE
                    .iter()
                    .find(|(r, p, _)| *r == rule && *p == name)
                    .unwrap_or_else(|| panic!("no row for {rule:?} in {name}"));
                let expected: Vec<bool> = row.2.split(' ').map(|c| c == "y").collect();
                for ((report, deadline), want) in reports().into_iter().zip(expected) {
                    walked += 1;
                    let got = allows(phase, report, deadline, d(TODAY), action);
                    if got.is_ok() != want {
                        wrong.push(format!(
                            "{action:?} in {name} with {report:?} (last day {deadline:?}): {got:?}"
                        ));
                    }
                    // A refusal is a sentence for a person: Chinese, no codes.
                    if let Err(Refusal(why)) = &got {
                        assert!(!why.is_ascii() && !why.contains(action.code()), "{why}");
                    }
                }
            }
        }
        assert_eq!(walked, Action::ALL.len() * phases().len() * reports().len());
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    #[test]
    fn the_window_is_inclusive_of_its_first_and_last_day() {
        let w = Window {
            start: d("2026-12-08"),
            end: d("2026-12-14"),
        };
        for (today, open) in [
            ("2026-12-07", false),
            ("2026-12-08", true),
            ("2026-12-14", true),
            ("2026-12-15", false),
        ] {
            let c = Campaign {
                id: 1,
                organiser_id: 1,
                year: 2026,
                title: "t".into(),
                rubric_id: 1,
                deadline: "2026-11-30".into(),
                state: CampaignState::Open,
                is_demo: false,
                issued_at: Some(0),
                predecessor_id: None,
                overall_weight: None,
                published_at: Some(0),
                window_start: Some("2026-12-08".into()),
                window_end: Some("2026-12-14".into()),
                show_details: false,
                locked: false,
                period_start: None,
                period_end: None,
            };
            let phase = Phase::of(&c, true, d(today)).unwrap();
            assert_eq!(phase.window(), Some(w));
            let got = allows(phase, None, None, d(today), Action::AppealFile);
            assert_eq!(got.is_ok(), open, "{today}: {got:?}");
        }
    }

    #[test]
    fn a_campaign_not_issued_is_a_draft_and_an_imported_year_is_a_past_year() {
        let mut c = Campaign {
            id: 1,
            organiser_id: 1,
            year: 2026,
            title: "t".into(),
            rubric_id: 1,
            deadline: "2026-11-30".into(),
            state: CampaignState::Open,
            is_demo: false,
            issued_at: None,
            predecessor_id: None,
            overall_weight: None,
            published_at: None,
            window_start: None,
            window_end: None,
            show_details: false,
            locked: false,
            period_start: None,
            period_end: None,
        };
        assert_eq!(Phase::of(&c, false, d(TODAY)).unwrap(), Phase::Draft);
        c.issued_at = Some(1);
        assert_eq!(Phase::of(&c, false, d(TODAY)).unwrap(), Phase::Reporting);
        c.issued_at = None;
        c.state = CampaignState::Closed;
        assert_eq!(Phase::of(&c, true, d(TODAY)).unwrap(), Phase::PastYear);
    }

    #[test]
    fn a_malformed_stored_date_is_an_error_not_a_guess() {
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-2-3"), None);
        // Digits only: a sign would parse as a number and sort before every date.
        assert_eq!(parse_date("2027-+4-30"), None);
        assert_eq!(parse_date("+027-04-30"), None);
        assert_eq!(parse_date("2026-12-08"), Some(d("2026-12-08")));
    }

    /// No handler decides by itself about the lock, the publication window or a
    /// deadline: they ask this module. Reads the handlers' sources.
    #[test]
    fn no_handler_looks_at_the_lock_the_window_or_a_deadline_by_itself() {
        let forbidden = [
            ".locked",
            ".window_start",
            ".window_end",
            ".issued_at",
            "past_deadline(",
            "in_window(",
            "CampaignState::Open",
        ];
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        // Every source file of the crate, in every folder, but this module's own.
        let this = [src.join("year/mod.rs"), src.join("year/action.rs")];
        let mut paths = Vec::new();
        let mut folders = vec![src.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !this.contains(&path) {
                    paths.push(path);
                }
            }
        }
        let mut found = Vec::new();
        let mut files = 0;
        for path in paths {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                for f in forbidden {
                    let at = line.find(f);
                    // `.locked` must end there (`.locked_until` is a login throttle).
                    let whole = at.is_some_and(|i| {
                        !line[i + f.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
                    });
                    if whole {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            files > 30,
            "the handlers were not found in {}",
            src.display()
        );
        assert!(found.is_empty(), "\n{}", found.join("\n"));
    }
}
