//! Records kept during the year (台账): a unit declares a record (申报) with its files,
//! the department responsible for the items the record counts in confirms or rejects
//! it, the district enters records itself (a miss found at an inspection). The facts
//! that count records follow (see `scoring::count`): the self-check column counts
//! declared and confirmed records, the assessed column confirmed ones; a record kaohe
//! finds like another (declared twice, or one piece of work at two levels) counts in
//! neither until a person decides.
//!
//! Records belong to the organiser and the unit, with a date; a campaign shows those
//! dated in its period, already while it is a draft. The routes obey `Rule::Declare`
//! (the unit) and `Rule::Records` (the district and the departments).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::Rubric;
use kaohe_core::records::{FieldType, Likeness, RecordKind};
use kaohe_storage::{
    Id, Like, LikeState, NewRecord, Record, RecordState, Role, StorageError, Work,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::admin::departments;
use crate::audit::{change, commit};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::{Layout, Pager, china_time, human_size};
use crate::http::upload::Upload;
use crate::year::evidence::{chosen_files, safe_name, send};
use crate::year::{Action, Year, parse_date, scoring};

/// What one person sees of a campaign's records, and may do with them.
pub(crate) struct Scope {
    pub(crate) year: Year,
    pub(crate) rubric: Arc<Rubric>,
    /// The units whose records are shown: a reporter's own, else the campaign's.
    pub(crate) units: Vec<(Id, String)>,
    /// The kinds shown (indexes into the rubric's kinds): an assessor those counted in
    /// their department's items, everyone else all.
    kinds: Vec<usize>,
    /// The kinds whose records this person confirms or rejects: an assessor's shown
    /// kinds, the admin all, a reporter none.
    answers: Vec<usize>,
}

impl Scope {
    pub(crate) async fn load(state: &AppState, me: &CurrentUser, cid: Id) -> AppResult<Scope> {
        let year = Year::load(state, me.org(), cid).await?;
        let rubric = scoring::rubric(state, me.org(), year.campaign.rubric_id).await?;
        let names: BTreeMap<Id, String> = state
            .store
            .units(me.org())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut units: Vec<(Id, String)> = state
            .store
            .campaign_units(cid)
            .await?
            .into_iter()
            .filter_map(|cu| Some((cu.unit_id, names.get(&cu.unit_id)?.clone())))
            .collect();
        let all: Vec<usize> = (0..rubric.record_kinds().len()).collect();
        let (kinds, answers) = match me.role() {
            Role::Reporter => {
                let mine = me.user.unit_id.ok_or(AppError::Forbidden)?;
                units.retain(|(id, _)| *id == mine);
                if units.is_empty() {
                    return Err(AppError::Forbidden);
                }
                (all, Vec::new())
            }
            Role::Admin => (all.clone(), all),
            Role::Assessor => {
                let items = departments::items_of(state, me, &year.campaign, &rubric).await?;
                let kinds: Vec<usize> = all
                    .into_iter()
                    .filter(|k| items_of_kind(&rubric, *k).iter().any(|i| items.contains(i)))
                    .collect();
                (kinds.clone(), kinds)
            }
            _ => return Err(AppError::Forbidden),
        };
        Ok(Scope {
            year,
            rubric,
            units,
            kinds,
            answers,
        })
    }

    pub(crate) fn kind(&self, id: &str) -> Option<(usize, &RecordKind)> {
        self.rubric
            .record_kind(id)
            .filter(|(k, _)| self.kinds.contains(k))
    }

    fn unit_name(&self, id: Id) -> Option<&str> {
        self.units
            .iter()
            .find(|(u, _)| *u == id)
            .map(|(_, n)| n.as_str())
    }

    /// A record this person may see: of a shown unit and kind, in the period.
    async fn record(&self, state: &AppState, me: &CurrentUser, rid: Id) -> AppResult<Record> {
        let r = state.store.record(me.org(), rid).await?;
        if self.unit_name(r.unit_id).is_none()
            || self.kind(&r.kind).is_none()
            || !self.year.campaign.in_period(&r.day)
        {
            return Err(AppError::NotFound);
        }
        Ok(r)
    }

    fn answers(&self, r: &Record) -> bool {
        self.kind(&r.kind)
            .is_some_and(|(k, _)| self.answers.contains(&k))
    }
}

/// How many records wait for this person's answer in a campaign: declared records of the
/// kinds they confirm (the admin all), of its units, dated in its period, not flagged.
pub async fn waiting(state: &AppState, me: &CurrentUser, cid: Id) -> AppResult<usize> {
    let scope = Scope::load(state, me, cid).await?;
    if scope.answers.is_empty() {
        return Ok(0);
    }
    let (start, end) = scope.year.campaign.period();
    Ok(state
        .store
        .declared_records_between(me.org(), &start, &end)
        .await?
        .iter()
        .filter(|r| {
            r.state == RecordState::Declared
                && r.like_state.is_none()
                && scope.unit_name(r.unit_id).is_some()
                && scope.answers(r)
        })
        .count())
}

/// The items whose facts count records of kind `k`, in rubric order.
fn items_of_kind(rubric: &Rubric, k: usize) -> Vec<usize> {
    let mut items: Vec<usize> = rubric
        .record_inputs()
        .filter(|(_, _, what)| what.kind == k)
        .filter_map(|(_, input, _)| input.item)
        .collect();
    items.dedup();
    items
}

/// A record's fields other than its title, in words: `录用载体：宁波日报；…`.
fn details(kind: &RecordKind, r: &Record) -> String {
    kind.fields
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != kind.title)
        .filter_map(|(_, f)| {
            let v = r.fields.get(&f.key)?;
            (!v.is_empty()).then(|| format!("{}：{v}", f.label))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The record in one line, for the audit log: `2026-03-01 标题；录用载体：…`.
pub(crate) fn summary(kind: &RecordKind, day: &str, fields: &kaohe_storage::RawFacts) -> String {
    let mut parts = vec![format!("{day} {}", kind.name)];
    for f in &kind.fields {
        if let Some(v) = fields.get(&f.key).filter(|v| !v.is_empty()) {
            parts.push(format!("{}：{v}", f.label));
        }
    }
    parts.join("；")
}

/// What a flag says, and whether the record waits for a person.
fn flag_words(r: &Record) -> Option<(String, bool)> {
    let likeness = r
        .likeness
        .as_deref()
        .and_then(Likeness::parse)
        .unwrap_or(Likeness::Twice);
    Some(match r.like_state? {
        LikeState::Suspected => (format!("{}，待判定（暂不计分）", likeness.words()), true),
        LikeState::Same => ("已判定与另一条记录重复，不计分".to_string(), false),
        LikeState::Different => ("已判定不是重复记录".to_string(), false),
    })
}

/// Where the record counts: `自查、考核均计入`, `仅自查计入`, `不计入`.
fn counts_words(r: &Record) -> &'static str {
    match (r.counts(false), r.counts(true)) {
        (true, true) => "自查、考核均计入",
        (true, false) => "仅自查计入（待确认）",
        _ => "不计入",
    }
}

/// The record `r` may repeat among `others` (one unit's): declared twice, or one piece
/// of work at two levels (the lower one is flagged). `me` is the record's id, 0 for a
/// new one.
pub(crate) fn find_like(
    kind: &RecordKind,
    me: Id,
    day: &str,
    fields: &kaohe_storage::RawFacts,
    others: &[Record],
) -> Option<Like> {
    others
        .iter()
        .filter(|o| {
            o.id != me
                && o.kind == kind.id
                && o.live()
                && !matches!(o.like_state, Some(LikeState::Suspected | LikeState::Same))
        })
        .find_map(|o| match kind.likeness(day, fields, &o.day, &o.fields)? {
            Likeness::Twice => Some(Like {
                flagged: me,
                of: o.id,
                likeness: Likeness::Twice.code(),
            }),
            Likeness::Levels => {
                let (mine, theirs) = (kind.level_of(fields), kind.level_of(&o.fields));
                Some(if mine < theirs {
                    Like {
                        flagged: me,
                        of: o.id,
                        likeness: Likeness::Levels.code(),
                    }
                } else {
                    Like {
                        flagged: o.id,
                        of: me,
                        likeness: Likeness::Levels.code(),
                    }
                })
            }
        })
}

// ── the list ──────────────────────────────────────────────────────────────────

struct Row {
    id: Id,
    unit: String,
    kind: String,
    day: String,
    title: String,
    details: String,
    state: &'static str,
    state_class: &'static str,
    by_district: bool,
    flag: Option<(String, bool)>,
    counts: &'static str,
    files: i64,
    /// This person may confirm it here (declared, theirs to answer, not flagged).
    confirm: bool,
}

struct FieldForm {
    key: String,
    label: String,
    kind: &'static str,
    options: Vec<String>,
    value: String,
}

/// A form to declare or enter one record of a kind.
struct KindForm {
    id: String,
    name: String,
    unit_word: String,
    fields: Vec<FieldForm>,
    day: String,
    /// The unit chosen (the admin's form).
    unit: Option<Id>,
    error: Option<String>,
    open: bool,
}

/// A kind with the unit's counts in both columns (a reporter's page).
struct KindCount {
    name: String,
    facts: Vec<(String, usize, usize, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/records/list.html")]
struct ListPage {
    layout: Layout,
    campaign_id: Id,
    campaign_title: String,
    period: String,
    today: String,
    message: Option<String>,
    /// Why this person cannot add records now, if they cannot.
    closed: Option<String>,
    /// Where a new record is posted: the unit's declaration or the district's entry.
    post_to: String,
    forms: Vec<KindForm>,
    /// The admin chooses the unit of a record entered.
    unit_choices: Vec<(Id, String)>,
    kind_choices: Vec<(String, String)>,
    counts: Vec<KindCount>,
    rows: Vec<Row>,
    q: ListQuery,
    waiting: usize,
    flagged: usize,
    is_reporter: bool,
    /// The admin may bring a list of records from a spreadsheet.
    can_import: bool,
    /// Some rows may be confirmed at once (a department's or the admin's list).
    batch: bool,
    pager: Pager,
}

/// Records on a page of the list: a province's year has tens of thousands.
const RECORDS_PER_PAGE: usize = 100;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    unit: String,
    /// The page of records shown, from 1.
    page: usize,
    kind: String,
    /// `declared`, `confirmed`, `rejected`, `withdrawn`, `flagged`, or all.
    state: String,
    message: Option<String>,
    /// After confirming several at once: how many were confirmed, and how many had
    /// changed meanwhile and were left.
    confirmed: usize,
    skipped: usize,
}

impl ListQuery {
    /// The list's filters as a query string, kept on the links to other pages.
    fn filters(&self) -> String {
        crate::http::form::query_of(&[
            ("unit", &self.unit),
            ("kind", &self.kind),
            ("state", &self.state),
        ])
    }
}

/// What was typed into a record's form.
#[derive(Default, Clone)]
struct Typed {
    kind: String,
    unit: Option<Id>,
    day: String,
    fields: BTreeMap<String, String>,
}

impl Typed {
    fn of(form: &Upload) -> Typed {
        Typed {
            kind: form.field("kind").trim().to_string(),
            unit: form.field("unit").trim().parse().ok(),
            day: form.field("day").trim().to_string(),
            fields: form
                .fields
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("f:")?.to_string(), v.clone())))
                .collect(),
        }
    }
}

fn field_forms(kind: &RecordKind, values: &BTreeMap<String, String>) -> Vec<FieldForm> {
    kind.fields
        .iter()
        .map(|f| FieldForm {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: match f.ty {
                FieldType::Text => "text",
                FieldType::Bool => "bool",
                FieldType::Choice(_) => "choice",
            },
            options: match &f.ty {
                FieldType::Choice(o) => o.clone(),
                _ => Vec::new(),
            },
            value: values.get(&f.key).cloned().unwrap_or_default(),
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    render_list(&state, &session, &me, cid, q, None).await
}

async fn render_list(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    mut q: ListQuery,
    typed: Option<(Typed, String)>,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let campaign = &scope.year.campaign;
    let (start, end) = campaign.period();
    let is_reporter = me.role() == Role::Reporter;
    if is_reporter {
        q.unit = scope.units[0].0.to_string();
    }
    let unit_filter: Option<Id> = q.unit.parse().ok();
    // One unit's records are read alone (a reporter's always): at a province's scale the
    // organiser has tens of thousands in a year.
    let records = match unit_filter {
        Some(uid) => {
            state
                .store
                .unit_records_between(me.org(), Some(&[uid]), &start, &end)
                .await?
        }
        None => state.store.records_between(me.org(), &start, &end).await?,
    };
    let mut shown = Vec::new();
    let (mut waiting, mut flagged) = (0, 0);
    for r in &records {
        let (Some(_), Some(_)) = (scope.unit_name(r.unit_id), scope.kind(&r.kind)) else {
            continue;
        };
        let flag = flag_words(r);
        if r.state == RecordState::Declared && scope.answers(r) {
            waiting += 1;
        }
        if flag.as_ref().is_some_and(|(_, w)| *w) {
            flagged += 1;
        }
        if unit_filter.is_some_and(|u| u != r.unit_id)
            || (!q.kind.is_empty() && q.kind != r.kind)
            || !match q.state.as_str() {
                "" => r.state != RecordState::Withdrawn,
                "flagged" => flag.as_ref().is_some_and(|(_, w)| *w),
                s => r.state.as_str() == s,
            }
        {
            continue;
        }
        shown.push(r);
    }
    // A page of them, written out; the rest only counted.
    let pager = Pager::new(q.page, shown.len(), RECORDS_PER_PAGE, "条", &q.filters());
    let on_page = pager.slice(&shown);
    let ids: Vec<Id> = on_page.iter().map(|r| r.id).collect();
    let files = state.store.record_file_counts(me.org(), &ids).await?;
    let rows: Vec<Row> = on_page
        .iter()
        .filter_map(|r| {
            let unit = scope.unit_name(r.unit_id)?;
            let (_, kind) = scope.kind(&r.kind)?;
            let flag = flag_words(r);
            Some(Row {
                id: r.id,
                unit: unit.to_string(),
                kind: kind.name.clone(),
                day: r.day.clone(),
                title: kind.title_of(&r.fields).to_string(),
                details: details(kind, r),
                state: r.state.label(),
                state_class: match r.state {
                    RecordState::Declared => "draft",
                    RecordState::Confirmed => "done",
                    RecordState::Rejected => "late",
                    RecordState::Withdrawn => "empty",
                },
                by_district: r.by_district,
                confirm: r.state == RecordState::Declared && scope.answers(r) && flag.is_none(),
                flag,
                counts: counts_words(r),
                files: files.get(&r.id).copied().unwrap_or(0),
            })
        })
        .collect();
    // Forms: a reporter declares kinds units may declare; the admin enters any kind.
    let (action, post_to) = match me.role() {
        Role::Reporter => (
            Some(Action::RecordDeclare),
            format!("/c/{cid}/u/{}/records", scope.units[0].0),
        ),
        Role::Admin => (Some(Action::RecordEnter), format!("/admin/c/{cid}/records")),
        _ => (None, String::new()),
    };
    let closed = match action {
        Some(a) => {
            let (report, deadline) = if is_reporter {
                let uid = scope.units[0].0;
                (
                    Some(state.store.report(cid, uid).await?.state),
                    Some(scope.year.deadline_of(state, uid).await?),
                )
            } else {
                (None, None)
            };
            scope.year.allows(report, deadline, a).err().map(|r| r.0)
        }
        None => None,
    };
    let (typed, error) = match typed {
        Some((t, e)) => (Some(t), Some(e)),
        None => (None, None),
    };
    let forms = if action.is_some() && closed.is_none() {
        scope
            .kinds
            .iter()
            .map(|k| &scope.rubric.record_kinds()[*k])
            .filter(|k| !(is_reporter && k.district_only))
            .map(|k| {
                let mine = typed.as_ref().filter(|t| t.kind == k.id);
                KindForm {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    unit_word: k.unit().to_string(),
                    fields: field_forms(k, &mine.map(|t| t.fields.clone()).unwrap_or_default()),
                    day: mine.map(|t| t.day.clone()).unwrap_or_default(),
                    unit: mine.and_then(|t| t.unit),
                    error: mine.and(error.clone()),
                    open: mine.is_some(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    // A reporter sees what its facts count in each column.
    let counts = if is_reporter {
        // The unit's records of the period are loaded already: count them as scoring does.
        let mine: Vec<Record> = records
            .iter()
            .filter(|r| r.unit_id == scope.units[0].0)
            .cloned()
            .collect();
        let counted = scoring::count(&scope.rubric, campaign, &mine);
        scope
            .kinds
            .iter()
            .map(|k| {
                let kind = &scope.rubric.record_kinds()[*k];
                KindCount {
                    name: kind.name.clone(),
                    facts: scope
                        .rubric
                        .record_inputs()
                        .filter(|(_, _, w)| w.kind == *k)
                        .map(|(_, input, _)| {
                            let place = input
                                .item
                                .map(|ii| scope.rubric.item_ref(ii))
                                .unwrap_or_default();
                            (
                                input.label.clone(),
                                counted.ids(&input.key, false).len(),
                                counted.ids(&input.key, true).len(),
                                place,
                            )
                        })
                        .collect(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let layout = Layout::new(state, session, me, "台账记录").await?;
    let batch = rows.iter().any(|r| r.confirm);
    Ok(ListPage {
        layout,
        campaign_id: cid,
        campaign_title: campaign.title.clone(),
        period: format!("{start} 至 {end}"),
        today: scope.year.today.to_string(),
        message: q.message.clone().map(|m| match m.as_str() {
            "declared" => "已申报，等待责任部门确认。".to_string(),
            "entered" => "已录入。".to_string(),
            "imported" => format!(
                "已从表格导入 {} 条记录，整次导入记入了操作日志，文件已留存。",
                q.confirmed
            ),
            "confirmed" => "已确认。".to_string(),
            "batch" if q.skipped > 0 => format!(
                "已确认 {} 条；{} 条刚刚已有变化（可能有人同时处理了），未确认，请看当前状态。",
                q.confirmed, q.skipped
            ),
            "batch" => format!("已确认 {} 条。", q.confirmed),
            _ => "已保存。".to_string(),
        }),
        can_import: me.role() == Role::Admin && closed.is_none() && !scope.kinds.is_empty(),
        closed: if action.is_some() { closed } else { None },
        post_to,
        forms,
        unit_choices: scope.units.clone(),
        kind_choices: scope
            .kinds
            .iter()
            .map(|k| {
                let kind = &scope.rubric.record_kinds()[*k];
                (kind.id.clone(), kind.name.clone())
            })
            .collect(),
        counts,
        rows,
        q,
        pager,
        batch,
        waiting,
        flagged,
        is_reporter,
    }
    .into_response())
}

// ── one record ────────────────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "year/records/record.html")]
struct RecordPage {
    layout: Layout,
    campaign_id: Id,
    id: Id,
    unit: String,
    kind: String,
    day: String,
    title: String,
    fields: Vec<(String, String)>,
    state: &'static str,
    by_district: bool,
    answer: Option<String>,
    answered: Option<String>,
    flag: Option<(String, bool)>,
    /// The record it may repeat: id and one line.
    like_of: Option<(Id, String)>,
    counts: &'static str,
    files: Vec<(Id, String, String)>,
    /// The edit form, when this person may change the record: its fields and day.
    edit: Option<(String, Vec<FieldForm>)>,
    edit_to: String,
    version: i64,
    can_withdraw: bool,
    can_answer: bool,
    /// The department may change its answer: `confirmed` or `rejected`, else empty.
    revise: &'static str,
    can_decide: bool,
    /// Why the record cannot change now, if it cannot.
    closed: Option<String>,
    error: Option<String>,
    message: Option<String>,
    reason: String,
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, rid)): Path<(Id, Id)>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    render_record(
        &state,
        &session,
        &me,
        cid,
        rid,
        None,
        q.message.map(|_| "已保存。".into()),
    )
    .await
}

async fn render_record(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    rid: Id,
    typed: Option<(Typed, String)>,
    message: Option<String>,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let r = scope.record(state, me, rid).await?;
    let (_, kind) = scope.kind(&r.kind).ok_or(AppError::NotFound)?;
    let unit = scope.unit_name(r.unit_id).unwrap_or_default().to_string();
    let mine = me.role() == Role::Reporter;
    // Who may change it: the unit its own declarations; the admin what the district
    // entered. The year decides when.
    let (edit_action, edit_to) = if mine && !r.by_district {
        (
            Some(Action::RecordEdit),
            format!("/c/{cid}/u/{}/records/{rid}", r.unit_id),
        )
    } else if me.role() == Role::Admin && r.by_district {
        (
            Some(Action::RecordAmend),
            format!("/admin/c/{cid}/records/{rid}"),
        )
    } else {
        (None, String::new())
    };
    let (report, deadline) = if mine {
        (
            Some(state.store.report(cid, r.unit_id).await?.state),
            Some(scope.year.deadline_of(state, r.unit_id).await?),
        )
    } else {
        (None, None)
    };
    let closed = scope
        .year
        .allows(
            report,
            deadline,
            edit_action.unwrap_or(Action::RecordConfirm),
        )
        .err()
        .map(|e| e.0);
    let locked_day = state.store.day_locked(me.org(), &r.day).await?;
    let closed = closed.or_else(|| {
        locked_day.then(|| "这条记录的日期在已定稿的考核期间内，不能再修改。".to_string())
    });
    let open = closed.is_none();
    let (typed_fields, typed_day, error) = match &typed {
        Some((t, e)) => (t.fields.clone(), t.day.clone(), Some(e.clone())),
        None => (r.fields.clone(), r.day.clone(), None),
    };
    let like_of = match r.like_of {
        Some(o) => match state.store.record(me.org(), o).await {
            Ok(other) => Some((
                other.id,
                format!(
                    "{} {}（{}）",
                    other.day,
                    kind.title_of(&other.fields),
                    other.state.label()
                ),
            )),
            Err(StorageError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let answered = match (r.answered_by, r.answered_at) {
        (Some(by), Some(at)) => {
            let who = state
                .store
                .user(by)
                .await
                .map(|u| u.display_name)
                .unwrap_or_default();
            Some(format!("{who} 于 {}", china_time(at)))
        }
        _ => None,
    };
    let files = state
        .store
        .record_evidence(rid)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.id,
                safe_name(&e.filename, &e.content_type),
                human_size(e.size),
            )
        })
        .collect();
    let layout = Layout::new(state, session, me, &format!("台账记录 {}", kind.name)).await?;
    Ok(RecordPage {
        layout,
        campaign_id: cid,
        id: r.id,
        unit,
        kind: kind.name.clone(),
        day: r.day.clone(),
        title: kind.title_of(&r.fields).to_string(),
        fields: kind
            .fields
            .iter()
            .map(|f| {
                (
                    f.label.clone(),
                    r.fields.get(&f.key).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        state: r.state.label(),
        by_district: r.by_district,
        answer: r.answer.clone(),
        answered,
        flag: flag_words(&r),
        like_of,
        counts: counts_words(&r),
        files,
        edit: (edit_action.is_some() && open && r.live())
            .then(|| (typed_day, field_forms(kind, &typed_fields))),
        edit_to,
        version: r.version,
        can_withdraw: mine && open && r.state == RecordState::Declared,
        can_answer: open && scope.answers(&r) && r.state == RecordState::Declared,
        revise: match r.state {
            RecordState::Confirmed | RecordState::Rejected
                if open && scope.answers(&r) && !r.by_district =>
            {
                r.state.as_str()
            }
            _ => "",
        },
        can_decide: open && scope.answers(&r) && r.like_state == Some(LikeState::Suspected),
        closed,
        error,
        message,
        reason: String::new(),
    }
    .into_response())
}

// ── adding and changing ───────────────────────────────────────────────────────

/// Checks what was typed for a record of `kind`: its day (a real day, in the
/// campaign's period, not in the future) and its fields. The message says what to do.
fn checked(scope: &Scope, kind: &RecordKind, t: &Typed) -> Result<kaohe_storage::RawFacts, String> {
    let Some(day) = parse_date(&t.day) else {
        return Err("请填写日期，格式如 2026-03-15。".into());
    };
    let (start, end) = scope.year.campaign.period();
    if !scope.year.campaign.in_period(&t.day) {
        return Err(format!(
            "日期 {day} 不在本次考核的记录期间（{start} 至 {end}）内；其他年度的记录请在那一年度的考核里填报。"
        ));
    }
    if day > scope.year.today {
        return Err(format!("日期 {day} 还没有到；请填写事情发生的日期。"));
    }
    kind.parse(&t.fields).map_err(|e| format!("{e}。"))
}

/// A record's form checked whole: its day and fields ([`checked`]) and the files chosen
/// with it; `Err` with what to do when something is refused (nothing is saved then).
/// A record's fields as read, and the files chosen with it.
type Checked = (
    kaohe_storage::RawFacts,
    Vec<(kaohe_storage::NewEvidence, &'static str)>,
);

fn with_files(
    state: &AppState,
    scope: &Scope,
    kind: &RecordKind,
    typed: &Typed,
    form: &Upload,
) -> AppResult<Result<Checked, String>> {
    let fields = match checked(scope, kind, typed) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    match chosen_files(form, state.config.max_upload) {
        Ok(files) => Ok(Ok((fields, files))),
        Err(AppError::BadRequest(m)) => {
            Ok(Err(format!("{m}本次什么都没有保存；您填的内容都还在。")))
        }
        Err(e) => Err(e),
    }
}

/// The audit fields of the files stored with a record.
async fn attach(
    work: &mut Work,
    me: &CurrentUser,
    scope: &Scope,
    r: &Record,
    files: Vec<(kaohe_storage::NewEvidence, &'static str)>,
) -> AppResult<Vec<serde_json::Value>> {
    let (k, _) = scope.kind(&r.kind).ok_or(AppError::NotFound)?;
    let item = items_of_kind(&scope.rubric, k)
        .first()
        .map(|ii| scope.rubric.items()[*ii].id.clone())
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (mut new, kind) in files {
        new.campaign_id = scope.year.campaign.id;
        new.unit_id = r.unit_id;
        new.item_id = item.clone();
        new.uploaded_by = Some(me.user.id);
        let e = work.add_record_evidence(r.id, &new).await?;
        changes.extend([
            change("evidence", serde_json::Value::Null, e.id),
            change("file", serde_json::Value::Null, new.filename.as_str()),
            change("type", serde_json::Value::Null, kind),
            change("size", serde_json::Value::Null, new.data.len()),
            change("sha256", serde_json::Value::Null, new.sha256.as_str()),
        ]);
    }
    Ok(changes)
}

pub(crate) fn target(cid: Id, r: &Record) -> String {
    format!("campaign:{cid}/unit:{}/record:{}", r.unit_id, r.id)
}

/// What a lock found in the record's own transaction says.
pub(crate) const LOCKED_DAY: &str =
    "这条记录的日期在已定稿的考核期间内，不能再修改；本次没有保存。";
const MOVED: &str =
    "这条记录刚刚已有变化（可能有人同时处理了它），本次没有保存。请看当前状态后再操作。";

/// A unit declares a record (申报).
pub async fn declare(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    if me.user.unit_id != Some(uid) {
        return Err(AppError::Forbidden);
    }
    add(&state, &session, &me, cid, uid, form, false).await
}

/// The district enters a record for a unit: confirmed from the start.
pub async fn enter(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    let uid = form.field("unit").trim().parse::<Id>().unwrap_or(0);
    add(&state, &session, &me, cid, uid, form, true).await
}

async fn add(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    uid: Id,
    form: Upload,
    by_district: bool,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let typed = Typed::of(&form);
    let again = |e: String| {
        render_list(
            state,
            session,
            me,
            cid,
            ListQuery::default(),
            Some((typed.clone(), e)),
        )
    };
    let Some((_, kind)) = scope.kind(&typed.kind) else {
        return Err(AppError::BadRequest("请选择记录的种类。".into()));
    };
    if kind.district_only && !by_district {
        return Err(AppError::BadRequest(format!(
            "“{}”由区里录入，单位不申报。",
            kind.name
        )));
    }
    if scope.unit_name(uid).is_none() {
        return again("请选择单位。".into()).await;
    }
    let (fields, files) = match with_files(state, &scope, kind, &typed, &form)? {
        Ok(x) => x,
        Err(e) => return again(e).await,
    };
    let mut work = state.store.begin().await?;
    let others = work.unit_records(me.org(), uid).await?;
    let like = find_like(kind, 0, &typed.day, &fields, &others);
    let new = NewRecord {
        unit_id: uid,
        kind: kind.id.clone(),
        day: typed.day.clone(),
        fields: fields.clone(),
        by_district,
    };
    let r = match work.add_record(me.org(), &new, like, me.user.id).await {
        Ok(r) => r,
        Err(StorageError::Locked) => {
            drop(work);
            return again(LOCKED_DAY.into()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![change(
        "record",
        serde_json::Value::Null,
        summary(kind, &r.day, &r.fields),
    )];
    if let Some(l) = like {
        changes.push(change(
            "like",
            serde_json::Value::Null,
            like_sentence(l, r.id),
        ));
    }
    changes.extend(attach(&mut work, me, &scope, &r, files).await?);
    let action = if by_district {
        Action::RecordEnter
    } else {
        Action::RecordDeclare
    };
    commit(work, me, action, target(cid, &r), None, changes).await?;
    let word = if by_district { "entered" } else { "declared" };
    Ok(Redirect::to(&format!("/c/{cid}/records?message={word}")).into_response())
}

/// The audit's words for a flag set by kaohe.
pub(crate) fn like_sentence(l: Like, me: Id) -> String {
    let what = Likeness::parse(l.likeness)
        .unwrap_or(Likeness::Twice)
        .words();
    let fix = |x: Id| if x == 0 { me } else { x };
    format!(
        "{what}：记录 {} 与记录 {}，前者暂不计分",
        fix(l.flagged),
        fix(l.of)
    )
}

/// The unit changes or withdraws its record.
pub async fn edit(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, rid)): Path<(Id, Id, Id)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    if me.user.unit_id != Some(uid) {
        return Err(AppError::Forbidden);
    }
    change_record(&state, &session, &me, cid, rid, form, Some(uid)).await
}

/// The district changes a record it entered.
pub async fn amend(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, rid)): Path<(Id, Id)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    change_record(&state, &session, &me, cid, rid, form, None).await
}

async fn change_record(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    rid: Id,
    form: Upload,
    unit: Option<Id>,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let r = scope.record(state, me, rid).await?;
    // The unit changes its declarations, the district its own entries.
    if unit.is_some_and(|u| u != r.unit_id) {
        return Err(AppError::Forbidden);
    }
    if unit.is_some() == r.by_district {
        return Err(AppError::BadRequest(if r.by_district {
            "这条记录由区里录入，单位不能修改；如有出入，请联系区里。".into()
        } else {
            "这条记录由单位申报，区里只能确认或不予确认，不能代为修改。".into()
        }));
    }
    let (_, kind) = scope.kind(&r.kind).ok_or(AppError::NotFound)?;
    let mut typed = Typed::of(&form);
    typed.kind = r.kind.clone();
    let again =
        |e: String| render_record(state, session, me, cid, rid, Some((typed.clone(), e)), None);
    let version: i64 = form.field("version").trim().parse().unwrap_or(-1);
    let mut work;
    let (action, changes) = if form.field("action") == "withdraw" && unit.is_some() {
        work = state.store.begin().await?;
        let (before, after) = match work
            .answer_record(rid, RecordState::Withdrawn, None, me.user.id)
            .await
        {
            Ok(x) => x,
            Err(StorageError::Conflict) => return again(MOVED.into()).await,
            Err(StorageError::Locked) => return again(LOCKED_DAY.into()).await,
            Err(e) => return Err(e.into()),
        };
        (
            Action::RecordWithdraw,
            vec![change(
                "record_state",
                before.state.label(),
                after.state.label(),
            )],
        )
    } else {
        let (fields, files) = match with_files(state, &scope, kind, &typed, &form)? {
            Ok(x) => x,
            Err(e) => return again(e).await,
        };
        work = state.store.begin().await?;
        let others = work.unit_records(me.org(), r.unit_id).await?;
        let like = find_like(kind, rid, &typed.day, &fields, &others);
        let (before, after) = match work
            .edit_record(rid, version, &typed.day, &fields, like, me.user.id)
            .await
        {
            Ok(x) => x,
            Err(StorageError::Conflict) => return again(MOVED.into()).await,
            Err(StorageError::Locked) => return again(LOCKED_DAY.into()).await,
            Err(e) => return Err(e.into()),
        };
        let mut changes = Vec::new();
        let (old, new) = (
            summary(kind, &before.day, &before.fields),
            summary(kind, &after.day, &after.fields),
        );
        if old != new {
            changes.push(change("record", old, new));
        }
        if before.state != after.state {
            changes.push(change(
                "record_state",
                before.state.label(),
                after.state.label(),
            ));
        }
        if let Some(l) = like {
            changes.push(change(
                "like",
                serde_json::Value::Null,
                like_sentence(l, rid),
            ));
        }
        changes.extend(attach(&mut work, me, &scope, &after, files).await?);
        let action = if unit.is_some() {
            Action::RecordEdit
        } else {
            Action::RecordAmend
        };
        (action, changes)
    };
    commit(work, me, action, target(cid, &r), None, changes).await?;
    Ok(Redirect::to(&format!("/c/{cid}/records/{rid}?message=saved")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    /// `confirm` or `reject`.
    action: String,
    reason: String,
    /// Back to the list after a confirmation from it.
    back: String,
}

/// The department confirms a declared record, or rejects it with a reason.
pub async fn answer(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, rid)): Path<(Id, Id)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let r = scope.record(&state, &me, rid).await?;
    if !scope.answers(&r) {
        return Err(AppError::Forbidden);
    }
    let reason = form.reason.trim();
    let (to, action) = match form.action.as_str() {
        "reject" => {
            let problem = if reason.is_empty() {
                Some("请写明不予确认的理由（单位将看到）。")
            } else if reason.chars().count() > 1000 {
                Some("理由太长（最多 1000 字），请精简。")
            } else {
                None
            };
            if let Some(e) = problem {
                return with_error(&state, &session, &me, cid, rid, e.into()).await;
            }
            (RecordState::Rejected, Action::RecordReject)
        }
        _ => (RecordState::Confirmed, Action::RecordConfirm),
    };
    let mut work = state.store.begin().await?;
    let (before, after) = match work
        .answer_record(rid, to, (!reason.is_empty()).then_some(reason), me.user.id)
        .await
    {
        Ok(x) => x,
        Err(StorageError::Conflict) => {
            drop(work);
            return with_error(&state, &session, &me, cid, rid, MOVED.into()).await;
        }
        Err(StorageError::Locked) => {
            drop(work);
            return with_error(&state, &session, &me, cid, rid, LOCKED_DAY.into()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let changes = vec![change(
        "record_state",
        before.state.label(),
        after.state.label(),
    )];
    commit(
        work,
        &me,
        action,
        target(cid, &r),
        (!reason.is_empty()).then_some(reason),
        changes,
    )
    .await?;
    if form.back == "list" {
        return Ok(Redirect::to(&format!("/c/{cid}/records?message=confirmed")).into_response());
    }
    Ok(Redirect::to(&format!("/c/{cid}/records/{rid}?message=saved")).into_response())
}

/// A department confirms several declared records at once (批量确认): each in its own
/// unit of work with its own audit row; one that changed meanwhile (confirmed, rejected,
/// withdrawn or edited by someone else) is left and counted.
pub async fn confirm_many(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, crate::http::upload::field(&pairs, "csrf")).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let ids: Vec<Id> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(AppError::BadRequest("请先勾选要确认的记录。".into()));
    }
    let (mut confirmed, mut skipped) = (0, 0);
    for rid in ids {
        let r = scope.record(&state, &me, rid).await?;
        if !scope.answers(&r) {
            return Err(AppError::Forbidden);
        }
        if r.like_state.is_some() {
            skipped += 1;
            continue;
        }
        let mut work = state.store.begin().await?;
        match work
            .answer_record(rid, RecordState::Confirmed, None, me.user.id)
            .await
        {
            Ok((before, after)) => {
                let changes = vec![change(
                    "record_state",
                    before.state.label(),
                    after.state.label(),
                )];
                commit(
                    work,
                    &me,
                    Action::RecordConfirm,
                    target(cid, &r),
                    None,
                    changes,
                )
                .await?;
                confirmed += 1;
            }
            Err(StorageError::Conflict) => skipped += 1,
            Err(StorageError::Locked) => {
                return Err(AppError::BadRequest(LOCKED_DAY.into()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Redirect::to(&format!(
        "/c/{cid}/records?message=batch&confirmed={confirmed}&skipped={skipped}"
    ))
    .into_response())
}

/// The record page with an error above its forms.
async fn with_error(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    cid: Id,
    rid: Id,
    error: String,
) -> AppResult<Response> {
    let scope = Scope::load(state, me, cid).await?;
    let r = scope.record(state, me, rid).await?;
    let typed = Typed {
        kind: r.kind.clone(),
        unit: Some(r.unit_id),
        day: r.day.clone(),
        fields: r.fields.clone(),
    };
    render_record(state, session, me, cid, rid, Some((typed, error)), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LikeForm {
    csrf: String,
    /// `same` or `different`.
    decision: String,
}

/// A person decides about a record kaohe flagged as maybe another one.
pub async fn like(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, rid)): Path<(Id, Id)>,
    Form(form): Form<LikeForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let scope = Scope::load(&state, &me, cid).await?;
    let r = scope.record(&state, &me, rid).await?;
    if !scope.answers(&r) {
        return Err(AppError::Forbidden);
    }
    let to = match form.decision.as_str() {
        "same" => LikeState::Same,
        "different" => LikeState::Different,
        _ => {
            return with_error(
                &state,
                &session,
                &me,
                cid,
                rid,
                "请选择：是重复记录，或不是。".into(),
            )
            .await;
        }
    };
    let mut work = state.store.begin().await?;
    let (_, after) = match work.decide_like(rid, to, me.user.id).await {
        Ok(x) => x,
        Err(StorageError::Conflict) => {
            drop(work);
            return with_error(&state, &session, &me, cid, rid, MOVED.into()).await;
        }
        Err(StorageError::Locked) => {
            drop(work);
            return with_error(&state, &session, &me, cid, rid, LOCKED_DAY.into()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let words = match to {
        LikeState::Same => "是重复记录，不计分",
        _ => "不是重复记录，计分",
    };
    let changes = vec![change("like", "待判定", words)];
    commit(
        work,
        &me,
        Action::RecordLike,
        target(cid, &after),
        None,
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/records/{rid}?message=saved")).into_response())
}

/// A record's file, for those who may see the record.
pub async fn file(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, rid, eid)): Path<(Id, Id, Id)>,
) -> AppResult<Response> {
    let scope = Scope::load(&state, &me, cid).await?;
    let r = scope.record(&state, &me, rid).await?;
    let e = state
        .store
        .record_evidence(rid)
        .await?
        .into_iter()
        .find(|e| e.id == eid)
        .ok_or(AppError::NotFound)?;
    let target = format!("{}/evidence:{eid}", target(cid, &r));
    send(&state, &me, &e, Action::RecordFile, target).await
}
