//! Every thing a person can do, once: its code (for files, logs and the audit table),
//! its sentence (for the audit page), and the rule of the year that governs it. The
//! route table, the audit log and the guard all read this list.

/// Which rule of the year an action obeys (see [`super::allows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// No rule of the year: accounts, units, users, rubrics, reading and downloading.
    Always,
    /// A unit changes its self-check: not locked; its report not submitted; a draft
    /// only until its deadline, a returned report after it too.
    Report,
    /// An assessor reviews a unit's submitted report: not locked.
    Review,
    /// The admin changes a campaign's settings, unit facts, deadlines, departments, and
    /// publishes (the page says beside the form when there are no results to publish).
    Settings,
    /// Results are computed: not locked.
    Results,
    /// The campaign is locked: not already.
    Lock,
    /// The campaign is unlocked: locked first.
    Unlock,
    /// Only a draft: the admin issues it to its units, or deletes it.
    Issue,
    /// A unit appeals: inside the publication window, not locked.
    Appeal,
    /// An assessor answers an appeal: not locked.
    Answer,
    /// A step of rectification (整改): once results are published, and after the lock
    /// too (rectification is its own data).
    Rectify,
    /// The district changes the list of problems (adds, drops, merges): published, not
    /// yet locked (the list is final at the lock).
    RectifyList,
    /// A unit declares, edits or withdraws a record kept during the year: already in a
    /// draft campaign (records are kept before it is issued); once issued, only while its
    /// report is open (a record changes its self-check), never after the lock.
    Declare,
    /// The district enters records, the department confirms or rejects them, a person
    /// decides about a record flagged as maybe another: any time before the lock, a
    /// draft campaign included.
    Records,
}

macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $sentence:literal, $refused:literal, $rule:ident;)+) => {
        /// A thing a person can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name,)+];

            /// The code kept in files and logs (`campaign.publish`); never shown as words.
            pub fn code(self) -> &'static str {
                match self { $(Action::$name => $code,)+ }
            }

            /// What the person did, as the audit page says it (`发布了考核结果`).
            pub fn sentence(self) -> &'static str {
                match self { $(Action::$name => $sentence,)+ }
            }

            /// The first words of a refusal (`未保存`).
            pub fn refused(self) -> &'static str {
                match self { $(Action::$name => $refused,)+ }
            }

            pub fn rule(self) -> Rule {
                match self { $(Action::$name => Rule::$rule,)+ }
            }

            /// Whether the action is open in a draft campaign to people other than the
            /// admin: records are kept during the year, before the campaign is issued.
            pub fn open_in_draft(self) -> bool {
                matches!(self.rule(), Rule::Declare | Rule::Records)
                    || matches!(self, Action::RecordList | Action::RecordFile)
            }

            /// The action with this code, for reading the audit log.
            pub fn from_code(code: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|a| a.code() == code)
            }
        }
    };
}

actions! {
    /// Reading a page, a preview or a file: nothing changes.
    Read = "read", "查看了", "无法查看", Always;
    Login = "login", "登录了系统", "未登录", Always;
    Logout = "logout", "退出了登录", "未退出", Always;
    /// A login lock set by failed logins (recorded once per lock, with the address).
    LoginLocked = "login.locked", "因登录失败次数过多被暂时锁定", "未锁定", Always;
    PasswordChange = "password.change", "修改了自己的密码", "未修改密码", Always;
    /// Saving an item of the self-check as a draft (the save route records this or
    /// `ItemDone`; both obey the same rule).
    ItemDraft = "report.item.draft", "保存了自查项目（草稿）", "未保存", Report;
    ItemDone = "report.item.done", "保存了自查项目并标记完成", "未保存", Report;
    /// A unit's self-check from its filled-in workbook, applied after its preview.
    ReportImport = "report.import", "从 Excel 表导入了自查数据", "未导入", Report;
    ReportExport = "report.export", "下载了自查填报表", "无法下载", Always;
    ReportSubmit = "report.submit", "提交了自查报告", "未提交", Report;
    EvidenceUpload = "evidence.upload", "上传了佐证材料", "未上传", Report;
    EvidenceDelete = "evidence.delete", "删除了佐证材料", "未删除", Report;
    EvidenceDownload = "evidence.download", "下载了佐证材料", "无法下载", Always;
    /// Confirming an item (the review route records this or `ReviewReturn`).
    ReviewConfirm = "review.confirm", "审核确认了一个项目", "未保存", Review;
    ReviewReturn = "review.return", "退回了一个项目请单位修改", "未保存", Review;
    /// A department's verified facts for many units from its spreadsheet, applied after
    /// its preview (the preview itself changes nothing).
    FactsImport = "facts.import", "导入了核定数据", "未导入", Review;
    ImportFile = "import.file", "下载了导入时留存的表格", "无法下载", Always;
    ImportTemplate = "import.template", "下载了导入核定数据的模板", "无法下载", Always;
    ResultsCompute = "results.compute", "计算了考核结果", "未计算", Results;
    ResultsExport = "results.export", "下载了考核结果文件", "无法下载", Always;
    CampaignCreate = "campaign.create", "创建了考核任务", "未创建", Always;
    CampaignIssue = "campaign.issue", "下发了考核任务", "未下发", Issue;
    CampaignDelete = "campaign.delete", "删除了草稿任务", "未删除", Issue;
    CampaignUpdate = "campaign.update", "修改了任务设置", "未保存", Settings;
    CampaignUnit = "campaign.unit", "修改了单位基础数据或截止日期", "未保存", Settings;
    CampaignUnitWithdraw = "campaign.unit.withdraw", "让单位退出了考核任务", "未退出", Settings;
    CampaignUnitReinstate = "campaign.unit.reinstate", "让单位重新参加了考核任务", "未恢复", Settings;
    CampaignDepartments = "campaign.departments", "修改了项目的责任部门", "未保存", Settings;
    CampaignPublish = "campaign.publish", "公示了考核结果", "未公示", Settings;
    CampaignLock = "campaign.lock", "定稿了考核任务", "未定稿", Lock;
    CampaignUnlock = "campaign.unlock", "解除了定稿", "未解除定稿", Unlock;
    AppealFile = "appeal.file", "提出了申诉", "未提交申诉", Appeal;
    /// Accepting an appeal (the answer route records this or `AppealReject`).
    AppealAccept = "appeal.accept", "采纳了申诉", "未答复", Answer;
    AppealReject = "appeal.reject", "答复申诉：不予采纳", "未答复", Answer;
    RectifyDeadline = "rectify.deadline", "设定了整改期限", "未保存", Rectify;
    ProblemAdd = "rectify.problem.add", "添加了整改问题", "未添加", RectifyList;
    /// Dropping a problem or merging it into another (the route records either).
    ProblemDrop = "rectify.problem.drop", "撤销了整改问题", "未撤销", RectifyList;
    ProblemMerge = "rectify.problem.merge", "合并了整改问题", "未合并", RectifyList;
    ProblemDeadline = "rectify.problem.deadline", "调整了整改问题的期限", "未保存", Rectify;
    ProblemPlan = "rectify.plan", "填写了整改计划", "未保存", Rectify;
    ProblemReport = "rectify.report", "报送了整改完成情况", "未报送", Rectify;
    /// Signing a problem off (the answer route records this or `ProblemReturn`).
    ProblemSignOff = "rectify.signoff", "对整改问题销号", "未保存", Rectify;
    ProblemReturn = "rectify.return", "退回了整改情况", "未保存", Rectify;
    RectifyExport = "rectify.export", "下载了整改文件", "无法下载", Always;
    /// Reading the records kept during the year (a draft campaign's too).
    RecordList = "records.view", "查看了台账记录", "无法查看", Always;
    RecordFile = "record.file", "下载了台账记录的佐证材料", "无法下载", Always;
    RecordDeclare = "record.declare", "申报了台账记录", "未申报", Declare;
    /// Editing a declared record (the unit's edit route records this or `RecordWithdraw`).
    RecordEdit = "record.edit", "修改了台账记录", "未保存", Declare;
    RecordWithdraw = "record.withdraw", "撤回了台账记录", "未撤回", Declare;
    RecordEnter = "record.enter", "录入了台账记录", "未录入", Records;
    /// Records from a list the district keeps, applied after its preview.
    RecordImport = "record.import", "从表格导入了台账记录", "未导入", Records;
    RecordAmend = "record.amend", "修改了区里录入的台账记录", "未保存", Records;
    /// Confirming a record (the answer route records this or `RecordReject`).
    RecordConfirm = "record.confirm", "确认了台账记录", "未保存", Records;
    RecordReject = "record.reject", "对台账记录不予确认", "未保存", Records;
    RecordLike = "record.like", "判定了疑似重复的台账记录", "未保存", Records;
    UnitCreate = "unit.create", "添加了单位", "未添加", Always;
    UnitUpdate = "unit.update", "修改了单位", "未保存", Always;
    UnitImport = "unit.import", "导入了单位名单", "未导入", Always;
    DepartmentCreate = "department.create", "添加了责任部门", "未添加", Always;
    DepartmentRename = "department.rename", "修改了责任部门的名称", "未保存", Always;
    DepartmentDelete = "department.delete", "删除了责任部门", "未删除", Always;
    UserCreate = "user.create", "添加了用户", "未添加", Always;
    UserEdit = "user.edit", "修改了用户", "未保存", Always;
    UserPasswordReset = "user.password.reset", "重置了用户的密码", "未重置", Always;
    UserUnlock = "user.unlock", "解除了用户的登录锁定", "未解除", Always;
    /// Deactivating a user (the route records this or `UserReactivate`).
    UserDeactivate = "user.deactivate", "停用了用户", "未保存", Always;
    UserReactivate = "user.reactivate", "恢复了用户", "未保存", Always;
    RubricUpload = "rubric.upload", "上传了评分细则", "未保存", Always;
    RubricImport = "rubric.import", "从附件导入了评分细则", "未保存", Always;
    HistoryImport = "history.import", "导入了往年结果", "未导入", Always;
    /// The what-if's facts mapped by hand between a past rubric and a draft.
    WhatIfMapping = "whatif.mapping", "保存了新旧细则的数据对应", "未保存", Always;
    AuditExport = "audit.export", "导出了审计日志", "无法导出", Always;
    /// The auditor has reviewed the account changes so far (the alert goes quiet).
    AccountsReviewed = "audit.accounts_reviewed", "审阅了账号变动", "无法记录审阅", Always;
    OrganiserCreate = "organiser.create", "创建了组织单位和管理员", "未创建", Always;
    DemoSeed = "demo.seed", "创建了演示数据", "未创建", Always;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_code_and_a_sentence() {
        let mut codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len(), "a code is used twice");
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(*a));
            assert!(!a.sentence().is_empty() && !a.sentence().is_ascii());
        }
    }
}
