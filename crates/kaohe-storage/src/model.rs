//! The rows kaohe keeps, as plain types.

use std::collections::BTreeMap;

pub type Id = i64;

/// What a user may do (see the product spec). Every role belongs to one organiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 管理员: rubrics, campaigns, units, users, deadlines, publication.
    Admin,
    /// 考核员: reviews the items of their department (责任部门), for every unit.
    Assessor,
    /// 填报员: reports the facts of one unit.
    Reporter,
    /// 查看: leaders reading results.
    Viewer,
    /// 审计: reads the audit log, nothing else.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Assessor,
        Role::Reporter,
        Role::Viewer,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Assessor => "assessor",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name as people in the office say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Assessor => "考核员",
            Role::Reporter => "填报员",
            Role::Viewer => "查看",
            Role::Auditor => "审计",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organiser {
    pub id: Id,
    pub name: String,
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: Id,
    pub organiser_id: Id,
    pub parent_id: Option<Id>,
    pub name: String,
    pub code: Option<String>,
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Id,
    pub organiser_id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Assessors: their department (责任部门).
    pub department_id: Option<Id>,
    /// The department's name, read with the user (for pages; compare ids, not names).
    pub department: Option<String>,
    /// Reporters: their unit.
    pub unit_id: Option<Id>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub is_demo: bool,
    /// When the password last changed (ms); sessions opened before it are invalid.
    pub credentials_changed_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub organiser_id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub is_demo: bool,
}

/// A department (责任部门) of an organiser: it reviews the items assigned to it, through
/// its assessors. Every organiser has one office (`is_office`, created with it and named
/// after it), which reviews every item not assigned elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: Id,
    pub organiser_id: Id,
    pub name: String,
    pub is_office: bool,
}

/// Which department reviews each item of one campaign.
#[derive(Debug, Clone)]
pub struct Assignment {
    departments: Vec<Department>,
    office: usize,
    assigned: BTreeMap<String, Id>,
}

impl Assignment {
    /// `departments` must hold the organiser's office; `assigned` maps item ids to
    /// department ids among them.
    pub(crate) fn new(
        departments: Vec<Department>,
        assigned: BTreeMap<String, Id>,
    ) -> Option<Assignment> {
        let office = departments.iter().position(|d| d.is_office)?;
        Some(Assignment {
            departments,
            office,
            assigned,
        })
    }

    /// The organiser's own office.
    pub fn office(&self) -> &Department {
        &self.departments[self.office]
    }

    /// The department that reviews `item`: the one assigned, or the office.
    pub fn of(&self, item: &str) -> &Department {
        self.assigned
            .get(item)
            .and_then(|id| self.departments.iter().find(|d| d.id == *id))
            .unwrap_or_else(|| self.office())
    }

    /// Whether an assessor of `department` reviews `item`.
    pub fn reviews(&self, department: Option<Id>, item: &str) -> bool {
        department == Some(self.of(item).id)
    }

    /// Every department of the organiser, the office first, then by name.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }
}

/// One version of a rubric file, as uploaded. Versions are never edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricVersion {
    pub id: Id,
    pub organiser_id: Id,
    pub code: String,
    pub version: i64,
    pub title: String,
    pub source: String,
    pub hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: Id,
    pub organiser_id: Id,
    pub year: i64,
    pub title: String,
    pub rubric_id: Id,
    /// The last day to submit, `YYYY-MM-DD`, China time; the whole day counts.
    pub deadline: String,
    pub state: CampaignState,
    pub is_demo: bool,
    /// When the admin issued it to the units (下发); a draft (草稿) until then, which
    /// only the admin sees.
    pub issued_at: Option<i64>,
    /// The campaign it was copied from (last year's), if it was.
    pub predecessor_id: Option<Id>,
    /// The weight in the district's overall assessment (综合考核), an exact decimal as
    /// text; `None` when the assessment does not count toward it.
    pub overall_weight: Option<String>,
    /// When results were first published (公示), if they were.
    pub published_at: Option<i64>,
    /// The publication window (`YYYY-MM-DD`, China time, both days included), in which
    /// units may appeal.
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Whether reporters see other units' details, not only the ranking.
    pub show_details: bool,
    /// Locked (定稿): nothing in the campaign can change.
    pub locked: bool,
    /// The period whose records the campaign counts (`YYYY-MM-DD`, both days included);
    /// `None` for its year's first or last day.
    pub period_start: Option<String>,
    pub period_end: Option<String>,
}

impl Campaign {
    /// The period whose records the campaign counts: as set, else its calendar year.
    pub fn period(&self) -> (String, String) {
        (
            self.period_start
                .clone()
                .unwrap_or_else(|| format!("{:04}-01-01", self.year)),
            self.period_end
                .clone()
                .unwrap_or_else(|| format!("{:04}-12-31", self.year)),
        )
    }

    /// Whether `day` (`YYYY-MM-DD`) is in the campaign's period.
    pub fn in_period(&self, day: &str) -> bool {
        let (start, end) = self.period();
        start.as_str() <= day && day <= end.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignState {
    /// Units report and submit.
    Open,
    /// No further reporting.
    Closed,
}

impl CampaignState {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignState::Open => "open",
            CampaignState::Closed => "closed",
        }
    }
    /// The state stored as `s`; `None` for a word kaohe never writes (the caller reports
    /// it as corrupt data, never guesses).
    pub fn parse(s: &str) -> Option<CampaignState> {
        match s {
            "open" => Some(CampaignState::Open),
            "closed" => Some(CampaignState::Closed),
            _ => None,
        }
    }
}

/// Values as people typed them, by fact key; parsed against the rubric when read.
pub type RawFacts = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignUnit {
    pub campaign_id: Id,
    pub unit_id: Id,
    /// Unit-level facts set by the district (e.g. `floating_population`).
    pub unit_facts: RawFacts,
    /// A later deadline for this unit only.
    pub deadline: Option<String>,
}

/// A unit withdrawn from a campaign (退出考核): when (ms) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    pub unit_id: Id,
    pub at: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    /// Being filled in (自查中).
    Draft,
    /// Submitted for review; read-only to the unit.
    Submitted,
    /// Returned to the unit by an assessor (退回).
    Returned,
}

impl ReportState {
    /// The state as every page says it.
    pub fn label(self) -> &'static str {
        match self {
            ReportState::Draft => "自查中",
            ReportState::Submitted => "已提交",
            ReportState::Returned => "已退回",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
        }
    }
    /// The state stored as `s`; `None` for a word kaohe never writes (the caller reports
    /// it as corrupt data, never guesses).
    pub fn parse(s: &str) -> Option<ReportState> {
        match s {
            "draft" => Some(ReportState::Draft),
            "submitted" => Some(ReportState::Submitted),
            "returned" => Some(ReportState::Returned),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub campaign_id: Id,
    pub unit_id: Id,
    pub state: ReportState,
    pub filler_name: Option<String>,
    pub filler_phone: Option<String>,
    pub approver: Option<String>,
    pub submitted_at: Option<i64>,
    pub submitted_by: Option<Id>,
}

impl Report {
    /// The report of a unit that has saved nothing yet: a draft with nothing in it.
    pub fn empty(campaign_id: Id, unit_id: Id) -> Report {
        Report {
            campaign_id,
            unit_id,
            state: ReportState::Draft,
            filler_name: None,
            filler_phone: None,
            approver: None,
            submitted_at: None,
            submitted_by: None,
        }
    }
}

/// An item's state in a self-check: 未填 has no row; 草稿 and 已完成 are rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    Draft,
    Done,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Draft => "draft",
            ItemState::Done => "done",
        }
    }
    /// The state stored as `s`; `None` for a word kaohe never writes (the caller reports
    /// it as corrupt data, never guesses).
    pub fn parse(s: &str) -> Option<ItemState> {
        match s {
            "draft" => Some(ItemState::Draft),
            "done" => Some(ItemState::Done),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportItem {
    pub item_id: String,
    pub facts: RawFacts,
    pub state: ItemState,
    /// Starts at 1; each save adds 1. A save names the version it edited.
    pub version: i64,
    pub updated_by: Option<Id>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: Id,
    pub campaign_id: Id,
    pub unit_id: Id,
    pub item_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<Id>,
    pub uploaded_at: i64,
    /// Set for evidence attached to an appeal rather than to the self-check.
    pub appeal_id: Option<Id>,
    /// Set for evidence of a rectification (整改) rather than of the self-check.
    pub problem_id: Option<Id>,
    /// Set for evidence of a record kept during the year.
    pub record_id: Option<Id>,
    /// Holds personal data (孕产妇, 精神病人 lists): opened only by those entitled.
    pub personal: bool,
    /// When its bytes were deleted, its retention having run (the row stays).
    pub purged_at: Option<i64>,
}

impl Evidence {
    /// Whether the file belongs to the self-check (not to an appeal, a rectification or
    /// a record).
    pub fn of_report(&self) -> bool {
        self.appeal_id.is_none() && self.problem_id.is_none() && self.record_id.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub campaign_id: Id,
    pub unit_id: Id,
    pub item_id: String,
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
    pub uploaded_by: Option<Id>,
    pub appeal_id: Option<Id>,
    pub problem_id: Option<Id>,
    /// Holds personal data, as the uploader said.
    pub personal: bool,
}

/// One row of the audit log: who did what to what, why, and each field changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub organiser_id: Option<Id>,
    pub user_id: Option<Id>,
    pub username: Option<String>,
    pub action: String,
    pub target: String,
    pub reason: Option<String>,
    /// `[{"field": …, "old": …, "new": …}]`, or details of an access.
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: Id,
    pub at: i64,
    pub entry: AuditEntry,
}

/// Failed logins for one account name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Failures in the current window (since `first_failure`).
    pub failures: i64,
    pub first_failure: i64,
    pub locked_until: i64,
    /// Every failure since the counter was last cleared (a successful login), whatever
    /// the window.
    pub total: i64,
    pub last_failure: i64,
    /// Where the last failure came from (an IP address).
    pub last_source: String,
}

/// An assessor's correction of one reported fact, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    pub value: String,
    pub reason: String,
}

/// Verified facts as corrections of the reported ones, by fact key.
pub type Overrides = BTreeMap<String, Override>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// Confirmed by the assessor (确认).
    Confirmed,
    /// Returned to the unit to correct (退回).
    Returned,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Confirmed => "confirmed",
            ReviewState::Returned => "returned",
        }
    }
    /// The state stored as `s`; `None` for a word kaohe never writes (the caller reports
    /// it as corrupt data, never guesses).
    pub fn parse(s: &str) -> Option<ReviewState> {
        match s {
            "confirmed" => Some(ReviewState::Confirmed),
            "returned" => Some(ReviewState::Returned),
            _ => None,
        }
    }
}

/// An assessor's review of one item of one unit. No row: not reviewed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub item_id: String,
    pub overrides: Overrides,
    /// Why the assessed score differs from the self-score (shown to the unit).
    pub score_reason: Option<String>,
    pub state: ReviewState,
    /// The comment of a return, shown to the unit.
    pub comment: Option<String>,
    pub reviewer_id: Option<Id>,
    pub reviewed_at: i64,
    pub version: i64,
}

/// When results were computed and why, without their snapshot (a page's list of runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRunInfo {
    pub id: Id,
    pub computed_at: i64,
    /// Why they were computed: first computation, an accepted appeal, an override.
    pub reason: String,
}

/// Results as computed at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRun {
    pub id: Id,
    pub campaign_id: Id,
    pub computed_at: i64,
    pub computed_by: Option<Id>,
    /// Why they were computed: first computation, an accepted appeal, an override.
    pub reason: String,
    /// `unit/item` pairs still unconfirmed when computed.
    pub unconfirmed: Vec<String>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealState {
    Open,
    Accepted,
    Rejected,
}

impl AppealState {
    /// The state as every page says it.
    pub fn label(self) -> &'static str {
        match self {
            AppealState::Open => "待答复",
            AppealState::Accepted => "已采纳",
            AppealState::Rejected => "不予采纳",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AppealState::Open => "open",
            AppealState::Accepted => "accepted",
            AppealState::Rejected => "rejected",
        }
    }
    /// The state stored as `s`; `None` for a word kaohe never writes (the caller reports
    /// it as corrupt data, never guesses).
    pub fn parse(s: &str) -> Option<AppealState> {
        match s {
            "open" => Some(AppealState::Open),
            "accepted" => Some(AppealState::Accepted),
            "rejected" => Some(AppealState::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub id: Id,
    pub campaign_id: Id,
    pub unit_id: Id,
    pub item_id: String,
    pub reason: String,
    pub state: AppealState,
    pub answer: Option<String>,
    pub created_by: Option<Id>,
    pub created_at: i64,
    pub answered_by: Option<Id>,
    pub answered_at: Option<i64>,
}

/// A lock (定稿) or unlock of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEvent {
    pub campaign_id: Id,
    /// A lock (true) or an unlock (false).
    pub lock: bool,
    pub reason: Option<String>,
    pub user_id: Option<Id>,
    pub at: i64,
    /// The audit chain's head when it happened: an anchor for `kaohe audit verify`.
    pub audit_seq: i64,
    pub audit_hash: String,
}

/// Where a rectification problem (整改问题) is. Every step's rule is here
/// ([`ProblemState::after`]); storage moves a problem only from a state the step allows,
/// in the step's own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemState {
    /// Handed to the unit; no plan yet (待制定计划).
    Open,
    /// The unit has a plan (整改中).
    Planned,
    /// The unit reported it done; the department decides (待销号).
    Reported,
    /// The department sent the report back with a reason (已退回).
    Returned,
    /// Signed off by the department (已销号).
    SignedOff,
    /// Taken off the list by the district with a reason: merged, or not a problem after
    /// an accepted appeal (已撤销).
    Dropped,
}

/// A step of the rectification loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemStep {
    /// The unit writes (or revises) its plan.
    Plan,
    /// The unit reports what it did.
    Report,
    /// The department signs it off (销号).
    SignOff,
    /// The department returns the report with a reason.
    Return,
    /// The district takes it off the list (or merges it into another).
    Drop,
}

impl ProblemState {
    pub const ALL: [ProblemState; 6] = [
        ProblemState::Open,
        ProblemState::Planned,
        ProblemState::Reported,
        ProblemState::Returned,
        ProblemState::SignedOff,
        ProblemState::Dropped,
    ];

    /// The state a step leads to from this one; `None` when the step cannot be taken
    /// here.
    pub fn after(self, step: ProblemStep) -> Option<ProblemState> {
        use ProblemState::*;
        use ProblemStep::*;
        match (self, step) {
            (Open | Planned | Returned, Plan) => Some(Planned),
            (Planned | Returned, Report) => Some(Reported),
            (Reported, SignOff) => Some(SignedOff),
            (Reported, Return) => Some(Returned),
            (Open | Planned | Reported | Returned, Drop) => Some(Dropped),
            _ => None,
        }
    }

    /// Whether the problem is finished (signed off or dropped).
    pub fn closed(self) -> bool {
        matches!(self, ProblemState::SignedOff | ProblemState::Dropped)
    }

    /// Whether the unit still owes something (a plan or a report): what a deadline
    /// makes overdue.
    pub fn owed_by_unit(self) -> bool {
        matches!(
            self,
            ProblemState::Open | ProblemState::Planned | ProblemState::Returned
        )
    }

    /// The state as every page says it.
    pub fn label(self) -> &'static str {
        match self {
            ProblemState::Open => "待制定计划",
            ProblemState::Planned => "整改中",
            ProblemState::Reported => "待销号",
            ProblemState::Returned => "已退回",
            ProblemState::SignedOff => "已销号",
            ProblemState::Dropped => "已撤销",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemState::Open => "open",
            ProblemState::Planned => "planned",
            ProblemState::Reported => "reported",
            ProblemState::Returned => "returned",
            ProblemState::SignedOff => "signed_off",
            ProblemState::Dropped => "dropped",
        }
    }

    /// The state stored as `s`; `None` for a word kaohe never writes.
    pub fn parse(s: &str) -> Option<ProblemState> {
        ProblemState::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A problem of a unit to rectify (整改问题).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: Id,
    pub campaign_id: Id,
    pub unit_id: Id,
    pub item_id: String,
    /// The rule of the item that took the points; `None` when found by hand.
    pub rule_index: Option<i64>,
    /// What was found.
    pub found: String,
    /// Points lost (exact decimal as text); `None` when found by hand.
    pub points: Option<String>,
    /// What would put it right, in the unit's words.
    pub remedy: Option<String>,
    pub state: ProblemState,
    /// Its own deadline (`YYYY-MM-DD`), else the campaign's.
    pub deadline: Option<String>,
    pub measures: Option<String>,
    pub responsible: Option<String>,
    /// The unit's own date for it, within the deadline.
    pub planned_date: Option<String>,
    pub report: Option<String>,
    pub reported_at: Option<i64>,
    /// Why it was returned or dropped, or the sign-off's remark.
    pub answer: Option<String>,
    pub answered_by: Option<Id>,
    pub answered_at: Option<i64>,
    pub merged_into: Option<Id>,
    pub created_by: Option<Id>,
    pub created_at: i64,
}

/// A problem to add: generated from a rule, or found by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProblem {
    pub unit_id: Id,
    pub item_id: String,
    pub rule_index: Option<i64>,
    pub found: String,
    pub points: Option<String>,
    pub remedy: Option<String>,
}

/// Where a record kept during the year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Declared by the unit (申报), waiting for the responsible department.
    Declared,
    /// Confirmed by the department, or entered by the district.
    Confirmed,
    /// Rejected by the department, with a reason.
    Rejected,
    /// Withdrawn by the unit before anyone confirmed it.
    Withdrawn,
}

impl RecordState {
    pub const ALL: [RecordState; 4] = [
        RecordState::Declared,
        RecordState::Confirmed,
        RecordState::Rejected,
        RecordState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Declared => "declared",
            RecordState::Confirmed => "confirmed",
            RecordState::Rejected => "rejected",
            RecordState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<RecordState> {
        RecordState::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordState::Declared => "待确认",
            RecordState::Confirmed => "已确认",
            RecordState::Rejected => "未予确认",
            RecordState::Withdrawn => "已撤回",
        }
    }
}

/// What a person decided about a record flagged as maybe another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeState {
    /// Flagged by kaohe; not counted until someone decides.
    Suspected,
    /// The same record (or work) as the other: not counted, for good.
    Same,
    /// A record of its own: counted.
    Different,
}

impl LikeState {
    pub fn as_str(self) -> &'static str {
        match self {
            LikeState::Suspected => "suspected",
            LikeState::Same => "same",
            LikeState::Different => "different",
        }
    }

    pub fn parse(s: &str) -> Option<LikeState> {
        [LikeState::Suspected, LikeState::Same, LikeState::Different]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A record kept during the year (台账): an adopted article, a media report, a
/// leader's instruction, a miss found by the district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: Id,
    pub organiser_id: Id,
    pub unit_id: Id,
    /// The rubric's id for its kind (`info`).
    pub kind: String,
    /// The day it happened, `YYYY-MM-DD`.
    pub day: String,
    /// Field key → text, as the kind declares them.
    pub fields: RawFacts,
    pub state: RecordState,
    pub by_district: bool,
    /// Why it was rejected.
    pub answer: Option<String>,
    pub answered_by: Option<Id>,
    pub answered_at: Option<i64>,
    /// The record it may be the same as, with how (`twice`, `levels`) and what was
    /// decided.
    pub like_of: Option<Id>,
    pub likeness: Option<String>,
    pub like_state: Option<LikeState>,
    pub version: i64,
    pub created_by: Option<Id>,
    pub created_at: i64,
    pub updated_by: Option<Id>,
    pub updated_at: i64,
}

impl Record {
    /// Whether the record counts in a column: the self-check (自查) counts what the unit
    /// declared and what was confirmed; the assessed column (考核) only what was
    /// confirmed. A record flagged as maybe another one counts in neither until a
    /// person says it is a record of its own.
    pub fn counts(&self, assessed: bool) -> bool {
        if matches!(
            self.like_state,
            Some(LikeState::Suspected | LikeState::Same)
        ) {
            return false;
        }
        match self.state {
            RecordState::Confirmed => true,
            RecordState::Declared => !assessed,
            RecordState::Rejected | RecordState::Withdrawn => false,
        }
    }

    /// Whether the record is still in play (not rejected or withdrawn).
    pub fn live(&self) -> bool {
        matches!(self.state, RecordState::Declared | RecordState::Confirmed)
    }
}

/// A record to add or the new content of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub unit_id: Id,
    pub kind: String,
    pub day: String,
    pub fields: RawFacts,
    /// Entered by the district: confirmed from the start.
    pub by_district: bool,
}

/// A record found like another one, by kaohe: flag `flagged` as maybe `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Like {
    pub flagged: Id,
    pub of: Id,
    /// `twice` or `levels`.
    pub likeness: &'static str,
}

/// What a spreadsheet import fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// A department's verified facts for many units (核定数据).
    Verified,
    /// A unit's own self-check (自查数据).
    SelfCheck,
    /// A list of records kept during the year.
    Records,
}

impl ImportKind {
    pub const ALL: [ImportKind; 3] = [
        ImportKind::Verified,
        ImportKind::SelfCheck,
        ImportKind::Records,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Verified => "verified",
            ImportKind::SelfCheck => "self",
            ImportKind::Records => "records",
        }
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A spreadsheet brought in: staged for its preview, then applied (or never). The
/// file is kept as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub id: Id,
    pub campaign_id: Id,
    pub what: ImportKind,
    pub unit_id: Option<Id>,
    pub reason: Option<String>,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub applied: bool,
    /// How many values it changed, once applied.
    pub changed: i64,
    pub created_by: Id,
    pub created_at: i64,
    pub applied_at: Option<i64>,
}

/// A file to stage for an import's preview.
pub struct NewImport<'a> {
    pub campaign_id: Id,
    pub what: ImportKind,
    pub unit_id: Option<Id>,
    pub reason: Option<&'a str>,
    pub filename: &'a str,
    pub data: &'a [u8],
    pub created_by: Id,
}

/// A verified fact a department imported for a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFact {
    pub key: String,
    pub value: String,
    pub reason: String,
    pub import_id: Id,
    pub imported_at: i64,
}

/// A fact of a draft rubric mapped by hand to an old version's fact (or to none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactMapping {
    pub new_key: String,
    /// `None`: the old rubric has no such fact, a person said.
    pub old_key: Option<String>,
    pub set_by: Id,
    pub set_at: i64,
}
