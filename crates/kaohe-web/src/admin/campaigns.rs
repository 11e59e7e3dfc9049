//! Campaigns (考核任务): opening one (a year, a title, a rubric version frozen for it,
//! the deadline, the units taking part), and the page of one campaign where the admin
//! sets its title and deadline, each unit's unit-level facts (such as the floating
//! population, read-only to the unit) and deadline extension, and which department
//! reviews which item; and, once results are computed, publishes them (公示) for a window
//! and locks the campaign (定稿) or unlocks it, each with its reason and an anchor of the
//! audit chain. While a campaign is locked every change here is refused.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::Rubric;
use kaohe_core::Value;
use kaohe_core::rubric::InputType;
use kaohe_storage::{
    Assignment, Campaign, CampaignUnit, Department, Id, RawFacts, Role, RubricVersion,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::admin::rubrics::version_label;
use crate::audit::diff;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{DATE_HINT, FieldView, Opt, valid_date};
use crate::http::form::{Form, Path};
use crate::http::layout::{Layout, china_time, china_today};
use crate::http::upload::field;
use crate::year::publish_lock::{LockPart, PublicationView, lock_part, publication_view};
use crate::year::scoring;
use crate::year::{Action, Phase, Year};

const MAX_TITLE: usize = 200;
pub(crate) const MAX_REASON: usize = 500;

fn all<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

// ── a new campaign ────────────────────────────────────────────────────────────

#[derive(Default)]
struct NewForm {
    year: FieldView,
    title: FieldView,
    rubric: FieldView,
    deadline: FieldView,
    units_error: Option<String>,
    /// The chosen version was doubted (another year, or not the newest): the form offers
    /// to confirm it.
    confirm_rubric: bool,
    /// Copying last year's campaign: its id and title.
    from: Option<(Id, String)>,
}

struct VersionRow {
    id: Id,
    label: String,
    uploaded: String,
    /// A first version has nothing before it to compare with.
    first: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/campaign_new.html")]
struct NewPage {
    layout: Layout,
    form: NewForm,
    rubrics: Vec<Opt>,
    /// Every version, newest first, with a link to what changed from the one before.
    history: Vec<VersionRow>,
    units: Vec<Opt>,
    error: Option<String>,
}

/// The organiser's rubric versions, newest first: the highest year the rubric is for,
/// then the latest upload (a past year's rubric uploaded later does not come first).
async fn versions_newest_first(
    state: &AppState,
    me: &CurrentUser,
) -> AppResult<Vec<(RubricVersion, Option<i64>)>> {
    let mut versions = Vec::new();
    for v in state.store.rubrics(me.org()).await? {
        let year = scoring::rubric(state, me.org(), v.id).await?.year();
        versions.push((v, year));
    }
    versions.sort_by_key(|(v, year)| std::cmp::Reverse((*year, v.created_at, v.id)));
    Ok(versions)
}

/// A version as the form lists it: its title, code and number, and its year.
fn version_option(v: &RubricVersion, year: Option<i64>) -> String {
    match year {
        Some(y) => format!("{}（{y} 年度）", version_label(v)),
        None => version_label(v),
    }
}

/// Why the chosen version may not be the one meant: made for another year than the
/// campaign's, or not the newest. Said before creating; the admin may confirm.
fn rubric_doubts(
    versions: &[(RubricVersion, Option<i64>)],
    chosen: &RubricVersion,
    campaign_year: i64,
) -> Vec<String> {
    let mut doubts = Vec::new();
    let year = versions
        .iter()
        .find(|(v, _)| v.id == chosen.id)
        .and_then(|(_, y)| *y);
    if let Some(y) = year.filter(|y| *y != campaign_year) {
        doubts.push(format!(
            "所选细则是 {y} 年度的，而任务是 {campaign_year} 年度的"
        ));
    }
    if let Some((newest, y)) = versions.first().filter(|(v, _)| v.id != chosen.id) {
        doubts.push(format!("有更新的版本：{}", version_option(newest, *y)));
    }
    doubts
}

async fn render_new(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    form: NewForm,
    checked: Option<Vec<String>>,
    error: Option<String>,
) -> AppResult<Response> {
    let versions = versions_newest_first(state, me).await?;
    let rubrics = versions
        .iter()
        .map(|(v, year)| Opt {
            value: v.id.to_string(),
            label: version_option(v, *year),
            selected: form.rubric.value == v.id.to_string(),
        })
        .collect();
    let history = versions
        .iter()
        .map(|(v, year)| VersionRow {
            id: v.id,
            label: version_option(v, *year),
            uploaded: china_time(v.created_at),
            first: v.version == 1,
        })
        .collect();
    let units = state
        .store
        .units(me.org())
        .await?
        .into_iter()
        .map(|u| Opt {
            selected: checked
                .as_ref()
                .is_none_or(|c| c.contains(&u.id.to_string())),
            value: u.id.to_string(),
            label: u.name,
        })
        .collect();
    Ok(NewPage {
        layout: Layout::new(state, session, me, "新建考核任务").await?,
        form,
        rubrics,
        history,
        units,
        error,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// Last year's campaign to copy (复制上一年度任务).
    from: Option<Id>,
}

pub async fn new_campaign_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let newest = versions_newest_first(&state, &me)
        .await?
        .into_iter()
        .next()
        .map(|(v, _)| v);
    let mut form = NewForm {
        year: FieldView::new(&china_today()[..4]),
        rubric: FieldView::new(newest.map(|v| v.id.to_string()).unwrap_or_default()),
        ..NewForm::default()
    };
    let Some(from) = q.from else {
        return render_new(&state, &session, &me, form, None, None).await;
    };
    // Last year's campaign as the start: the next year, its title with the year moved on,
    // its deadline a year later, its units.
    let last = state.store.campaign(me.org(), from).await?;
    let year = last.year + 1;
    form.year = FieldView::new(year.to_string());
    form.title = FieldView::new(
        last.title
            .replace(&last.year.to_string(), &year.to_string()),
    );
    form.deadline = FieldView::new(a_year_later(&last.deadline));
    let units = state
        .store
        .campaign_units(from)
        .await?
        .into_iter()
        .map(|cu| cu.unit_id.to_string())
        .collect();
    form.from = Some((last.id, last.title));
    render_new(&state, &session, &me, form, Some(units), None).await
}

/// The same day a year later (`2026-12-31` → `2027-12-31`; 29 February → 28 February).
fn a_year_later(date: &str) -> String {
    match crate::year::parse_date(date) {
        Some(d) => {
            let next = d
                .replace_year(d.year() + 1)
                .or_else(|_| d.replace_day(28).and_then(|d| d.replace_year(d.year() + 1)));
            next.map(|d| d.to_string()).unwrap_or_default()
        }
        None => String::new(),
    }
}

pub async fn create_campaign(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let mut form = NewForm {
        year: FieldView::new(field(&pairs, "year").trim()),
        title: FieldView::new(field(&pairs, "title").trim()),
        rubric: FieldView::new(field(&pairs, "rubric").trim()),
        deadline: FieldView::new(field(&pairs, "deadline").trim()),
        units_error: None,
        confirm_rubric: false,
        from: None,
    };
    let from = match field(&pairs, "from").parse::<Id>() {
        Ok(id) => Some(state.store.campaign(me.org(), id).await?),
        Err(_) => None,
    };
    form.from = from.as_ref().map(|c| (c.id, c.title.clone()));
    let year = form
        .year
        .value
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        form.year.error = Some("请填写年度，如 2026".into());
    }
    form.title.error = if form.title.value.is_empty() {
        Some("请填写任务名称，如 2026年度街道流动人口服务管理考核".into())
    } else if form.title.value.chars().count() > MAX_TITLE {
        Some(format!("名称太长（最多 {MAX_TITLE} 个字）"))
    } else {
        None
    };
    let rubric = match form.rubric.value.parse::<Id>() {
        Ok(id) => state.store.rubric(me.org(), id).await.ok(),
        Err(_) => None,
    };
    if rubric.is_none() {
        form.rubric.error = Some("请选择本区的一个评分细则版本".into());
    }
    if !valid_date(&form.deadline.value) {
        form.deadline.error = Some(DATE_HINT.into());
    } else if form.deadline.value.as_str() < china_today().as_str() {
        form.deadline.error = Some(format!(
            "截止日期 {} 已过；请选今天或以后的日期",
            form.deadline.value
        ));
    }
    let checked: Vec<String> = all(&pairs, "unit").into_iter().map(String::from).collect();
    let units_of_org = state.store.units(me.org()).await?;
    let mut units = Vec::new();
    for v in &checked {
        match v
            .parse::<Id>()
            .ok()
            .and_then(|id| units_of_org.iter().find(|u| u.id == id))
        {
            Some(u) if !units.iter().any(|x: &&kaohe_storage::Unit| x.id == u.id) => units.push(u),
            Some(_) => {}
            None => {
                form.units_error = Some("所选单位中有不属于本区的单位；请刷新页面后重新选择".into())
            }
        }
    }
    if units.is_empty() && form.units_error.is_none() {
        form.units_error = Some("请至少选择一个参加考核的单位".into());
    }
    let bad = [&form.year, &form.title, &form.rubric, &form.deadline]
        .iter()
        .any(|f| f.error.is_some())
        || form.units_error.is_some();
    let (Some(year), Some(rubric), false) = (year, rubric, bad) else {
        let e = Some("未创建：请按提示改正。".to_string());
        return render_new(&state, &session, &me, form, Some(checked), e).await;
    };
    let versions = versions_newest_first(&state, &me).await?;
    let doubts = rubric_doubts(&versions, &rubric, year);
    if !doubts.is_empty() && field(&pairs, "confirm_rubric") != "1" {
        form.rubric.error = Some(format!(
            "{}。请确认要用这个版本，或改选其他版本。",
            doubts.join("；")
        ));
        form.confirm_rubric = true;
        let e = Some("未创建：请确认所选的评分细则版本。".to_string());
        return render_new(&state, &session, &me, form, Some(checked), e).await;
    }
    let mut work = state.store.begin().await?;
    let c = work
        .create_campaign(
            me.org(),
            year,
            &form.title.value,
            rubric.id,
            &form.deadline.value,
            false,
        )
        .await?;
    for u in &units {
        work.set_campaign_unit(&CampaignUnit {
            campaign_id: c.id,
            unit_id: u.id,
            unit_facts: RawFacts::new(),
            deadline: None,
        })
        .await?;
    }
    let null = serde_json::Value::Null;
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    let mut changes = vec![
        change("year", null.clone(), c.year),
        change("title", null.clone(), c.title.clone()),
        change("rubric", null.clone(), version_label(&rubric)),
        change("rubric_hash", null.clone(), rubric.hash.clone()),
        change("deadline", null.clone(), c.deadline.clone()),
        change("units", null.clone(), names.join("、")),
    ];
    if let Some(last) = &from {
        // Last year's departments for the items the new rubric still has.
        let items: Vec<String> = scoring::rubric(&state, me.org(), rubric.id)
            .await?
            .items()
            .iter()
            .map(|i| i.id.clone())
            .collect();
        let copied = work
            .continue_campaign(me.org(), last.id, c.id, &items)
            .await?;
        changes.push(change("copied_from", null.clone(), last.title.clone()));
        changes.push(change("departments_copied", null, copied));
    }
    record(
        work,
        &me,
        Action::CampaignCreate,
        format!("campaign:{}", c.id),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{}?saved=created", c.id)).into_response())
}

// ── one campaign ──────────────────────────────────────────────────────────────

struct FactField {
    name: String,
    label: String,
    unit: String,
    required: bool,
    numeric: bool,
    value: String,
    error: Option<String>,
}

struct UnitBlock {
    id: Id,
    name: String,
    state: &'static str,
    facts: Vec<FactField>,
    deadline: FieldView,
    missing: bool,
    error: Option<String>,
}

struct DeptRow {
    id: String,
    name: String,
    category: String,
    value: String,
    error: Option<String>,
    no_assessor: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/campaign.html")]
struct CampaignPage {
    layout: Layout,
    campaign: Campaign,
    rubric_id: Id,
    rubric_label: String,
    title: FieldView,
    deadline: FieldView,
    fact_labels: Vec<String>,
    units: Vec<UnitBlock>,
    missing_units: usize,
    items: Vec<DeptRow>,
    /// The departments an item can be given, the office first (its value is empty).
    departments: Vec<Opt>,
    message: Option<String>,
    error: Option<String>,
    /// The part of the page the error is about.
    jump: Option<String>,
    publication: PublicationView,
    lock: LockPart,
    /// A draft: what is still missing before it is issued (empty when nothing is).
    draft: Option<Vec<String>>,
    /// Locked (定稿), or a past year: nothing here can change.
    locked: bool,
    /// An imported past year: read only, never unlocked.
    past_year: bool,
}

/// What was typed into one of the page's forms, shown again with its messages.
pub(crate) enum Typed {
    Nothing,
    Settings {
        title: FieldView,
        deadline: FieldView,
    },
    Unit {
        uid: Id,
        facts: BTreeMap<String, FieldView>,
        deadline: FieldView,
    },
    Departments(BTreeMap<String, FieldView>),
    Publish {
        start: FieldView,
        end: FieldView,
        details: bool,
    },
    /// The reason typed to lock or unlock.
    Lock(FieldView),
}

/// Each unit of the campaign with its base data and deadline form, as typed when the
/// form was refused.
async fn unit_blocks(
    state: &AppState,
    me: &CurrentUser,
    campaign: &Campaign,
    rubric: &Rubric,
    typed: &Typed,
) -> AppResult<Vec<UnitBlock>> {
    let mut units = Vec::new();
    for cu in state.store.campaign_units(campaign.id).await? {
        let unit = state.store.unit(me.org(), cu.unit_id).await?;
        let report = state.store.report(campaign.id, cu.unit_id).await?;
        let typed_here = match typed {
            Typed::Unit {
                uid,
                facts,
                deadline,
            } if *uid == unit.id => Some((facts, deadline)),
            _ => None,
        };
        let facts: Vec<FactField> = rubric
            .unit_inputs()
            .map(|(_, input)| {
                let typed_value = typed_here.and_then(|(f, _)| f.get(&input.key));
                FactField {
                    name: format!("f.{}", input.key),
                    label: input.label.clone(),
                    unit: input.unit.clone().unwrap_or_default(),
                    required: input.required,
                    numeric: input.ty.is_numeric(),
                    value: typed_value
                        .map(|t| t.value.clone())
                        .or_else(|| cu.unit_facts.get(&input.key).cloned())
                        .unwrap_or_default(),
                    error: typed_value.and_then(|t| t.error.clone()),
                }
            })
            .collect();
        let missing = rubric.unit_inputs().any(|(slot, input)| {
            input.required
                && !cu
                    .unit_facts
                    .get(&input.key)
                    .is_some_and(|v| matches!(rubric.parse_value(slot, v), Ok(Some(_))))
        });
        units.push(UnitBlock {
            id: unit.id,
            name: unit.name,
            state: report.state.label(),
            error: typed_here
                .filter(|(f, d)| f.values().any(|x| x.error.is_some()) || d.error.is_some())
                .map(|_| "未保存：请按提示改正。".to_string()),
            facts,
            deadline: typed_here
                .map(|(_, d)| d.clone())
                .unwrap_or_else(|| FieldView::new(cu.deadline.clone().unwrap_or_default())),
            missing,
        });
    }
    Ok(units)
}

/// Each item with the department that reviews it, and whether that department has an
/// active assessor.
async fn department_rows(
    state: &AppState,
    me: &CurrentUser,
    rubric: &Rubric,
    assignment: &Assignment,
    typed: &Typed,
) -> AppResult<Vec<DeptRow>> {
    let staffed: BTreeSet<Id> = state
        .store
        .users(me.org())
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Assessor && u.active)
        .filter_map(|u| u.department_id)
        .collect();
    Ok(rubric
        .items()
        .iter()
        .map(|it| {
            let current = assignment.of(&it.id);
            let shown = match typed {
                Typed::Departments(t) => t.get(&it.id).cloned(),
                _ => None,
            }
            .unwrap_or_else(|| FieldView::new(department_value(current)));
            DeptRow {
                id: it.id.clone(),
                name: it.name.clone().unwrap_or_default(),
                category: rubric.categories()[it.category].name.clone(),
                no_assessor: !staffed.contains(&current.id),
                value: shown.value,
                error: shown.error,
            }
        })
        .collect())
}

pub(crate) async fn render_campaign(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    campaign: Campaign,
    typed: Typed,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let rubric = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    let version = state.store.rubric(me.org(), campaign.rubric_id).await?;
    let (title, deadline) = match &typed {
        Typed::Settings { title, deadline } => (title.clone(), deadline.clone()),
        _ => (
            FieldView::new(campaign.title.clone()),
            FieldView::new(campaign.deadline.clone()),
        ),
    };
    let units = unit_blocks(state, me, &campaign, &rubric, &typed).await?;
    let assignment = state.store.assignment(me.org(), campaign.id).await?;
    let items = department_rows(state, me, &rubric, &assignment, &typed).await?;
    let jump = match &typed {
        Typed::Nothing => None,
        Typed::Settings { .. } => Some("settings".to_string()),
        Typed::Unit { uid, .. } => Some(format!("u{uid}")),
        Typed::Departments(_) => Some("departments".to_string()),
        Typed::Publish { .. } => Some("publication".to_string()),
        Typed::Lock(_) => Some("lock".to_string()),
    };
    let year = Year::of(state, campaign.clone()).await?;
    let draft = if year.phase == Phase::Draft {
        Some(before_issue(state, me, &units, &items).await?)
    } else {
        None
    };
    let publication = publication_view(state, &year, &typed).await?;
    let lock = lock_part(state, me, &year, &typed).await?;
    let departments = assignment
        .departments()
        .iter()
        .map(|d| Opt {
            value: department_value(d),
            label: if d.is_office {
                format!("{}（本单位考核办）", d.name)
            } else {
                d.name.clone()
            },
            selected: false,
        })
        .collect();
    Ok(CampaignPage {
        layout: Layout::new(state, session, me, &campaign.title).await?,
        rubric_id: campaign.rubric_id,
        rubric_label: version_label(&version),
        title,
        deadline,
        fact_labels: rubric.unit_inputs().map(|(_, i)| i.label.clone()).collect(),
        missing_units: units.iter().filter(|u| u.missing).count(),
        units,
        items,
        departments,
        message,
        error,
        jump,
        publication,
        lock,
        draft,
        locked: year.phase.is_locked(),
        past_year: year.phase == Phase::PastYear,
        campaign,
    }
    .into_response())
}

/// What a draft still lacks before its units can work on it: base data, reporters'
/// accounts, assessors for the departments given items. Said, not enforced: the admin
/// may issue and complete the rest later.
async fn before_issue(
    state: &AppState,
    me: &CurrentUser,
    units: &[UnitBlock],
    items: &[DeptRow],
) -> AppResult<Vec<String>> {
    let mut missing = Vec::new();
    if units.is_empty() {
        missing.push("还没有参加单位。".to_string());
    }
    let no_data: Vec<&str> = units
        .iter()
        .filter(|u| u.missing)
        .map(|u| u.name.as_str())
        .collect();
    if !no_data.is_empty() {
        missing.push(format!(
            "{} 个单位的基础数据未填写：{}。",
            no_data.len(),
            no_data.join("、")
        ));
    }
    let users = state.store.users(me.org()).await?;
    let no_reporter: Vec<&str> = units
        .iter()
        .filter(|u| {
            !users
                .iter()
                .any(|x| x.role == Role::Reporter && x.active && x.unit_id == Some(u.id))
        })
        .map(|u| u.name.as_str())
        .collect();
    if !no_reporter.is_empty() {
        missing.push(format!(
            "{} 个单位还没有填报员账号：{}（在“用户”页添加）。",
            no_reporter.len(),
            no_reporter.join("、")
        ));
    }
    let unstaffed = items.iter().filter(|i| i.no_assessor).count();
    if unstaffed > 0 {
        missing.push(format!(
            "{unstaffed} 个项目的责任部门还没有考核员账号（见下方“责任部门”）。"
        ));
    }
    Ok(missing)
}

pub async fn campaign_issue(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let mut work = state.store.begin().await?;
    if !work.issue_campaign(me.org(), cid).await? {
        // Issued by someone else a moment ago: nothing to do.
        return Ok(Redirect::to(&format!("/admin/c/{cid}?saved=issued")).into_response());
    }
    let units = state.store.campaign_units(cid).await?.len();
    record(
        work,
        &me,
        Action::CampaignIssue,
        format!("campaign:{cid}"),
        vec![
            change("issued", false, true),
            change("title", serde_json::Value::Null, campaign.title),
            change("units", serde_json::Value::Null, units),
        ],
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=issued")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CampaignQuery {
    saved: Option<String>,
    u: Option<Id>,
}

pub async fn campaign_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Query(q): Query<CampaignQuery>,
) -> AppResult<Response> {
    let campaign = state.store.campaign(me.org(), cid).await?;
    let message = match q.saved.as_deref() {
        Some("created") => Some(
            "考核任务已创建，现在是草稿。请为各单位填写基础数据，并指定各考核项目的责任部门；检查无误后点“下发”，各单位才能看到并开始填报。"
                .to_string(),
        ),
        Some("settings") => Some("已保存任务设置。".to_string()),
        Some("unit") => {
            let name = match q.u {
                Some(uid) => state
                    .store
                    .unit(me.org(), uid)
                    .await
                    .map(|u| u.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            Some(format!("已保存 {name} 的基础数据和截止日期。"))
        }
        Some("departments") => Some("已保存各项目的责任部门。".to_string()),
        Some("issued") => Some("已下发。各单位填报员登录后即可看到这项任务并开始填报。".to_string()),
        Some("published") => Some("已公示。各单位现在可以看到本单位的结果和排名，并可在公示期内申诉。".to_string()),
        Some("locked") => Some("已定稿。本任务的数据、审核、申诉和设置均已锁定；定稿时的审计链头已记下，见下方“定稿”一栏。".to_string()),
        Some("unlocked") => Some("已解除定稿，可以修改。修改完毕后请重新定稿。".to_string()),
        Some("nothing") => Some("没有改动。".to_string()),
        _ => None,
    };
    render_campaign(
        &state,
        &session,
        &me,
        campaign,
        Typed::Nothing,
        message,
        None,
    )
    .await
}

pub async fn campaign_settings(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let mut title = FieldView::new(field(&pairs, "title").trim());
    let mut deadline = FieldView::new(field(&pairs, "deadline").trim());
    title.error = if title.value.is_empty() {
        Some("请填写任务名称".into())
    } else if title.value.chars().count() > MAX_TITLE {
        Some(format!("名称太长（最多 {MAX_TITLE} 个字）"))
    } else {
        None
    };
    if !valid_date(&deadline.value) {
        deadline.error = Some(DATE_HINT.into());
    }
    if title.error.is_some() || deadline.error.is_some() {
        let e = Some("未保存：请按提示改正。".to_string());
        let typed = Typed::Settings { title, deadline };
        return render_campaign(&state, &session, &me, campaign, typed, None, e).await;
    }
    let mut changes = Vec::new();
    if title.value != campaign.title {
        changes.push(change("title", campaign.title.clone(), title.value.clone()));
    }
    if deadline.value != campaign.deadline {
        changes.push(change(
            "deadline",
            campaign.deadline.clone(),
            deadline.value.clone(),
        ));
    }
    if changes.is_empty() {
        return Ok(Redirect::to(&format!("/admin/c/{cid}?saved=nothing")).into_response());
    }
    let mut work = state.store.begin().await?;
    work.update_campaign(me.org(), cid, &title.value, &deadline.value, campaign.state)
        .await?;
    record(
        work,
        &me,
        Action::CampaignUpdate,
        format!("campaign:{cid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=settings")).into_response())
}

pub async fn campaign_unit_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let unit = state.store.unit(me.org(), uid).await?;
    let cu = state
        .store
        .campaign_units(cid)
        .await?
        .into_iter()
        .find(|c| c.unit_id == uid)
        .ok_or(AppError::NotFound)?;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let mut facts = BTreeMap::new();
    let mut new_facts = cu.unit_facts.clone();
    let mut bad = false;
    for (slot, input) in rubric.unit_inputs() {
        let raw = field(&pairs, &format!("f.{}", input.key)).trim();
        let mut view = FieldView::new(raw);
        match rubric.parse_value(slot, raw) {
            Ok(None) if input.required => {
                view.error = Some(format!("必填：请填写{}", input.label));
            }
            Ok(None) => {
                new_facts.remove(&input.key);
            }
            Ok(Some(Value::Number(n))) if n.is_zero() && input.required => {
                view.error = Some(format!(
                    "不能为 0：{}是计分的基数，请填写实际数值",
                    input.label
                ));
            }
            Ok(Some(_)) => {
                new_facts.insert(input.key.clone(), raw.to_string());
            }
            Err(e) => view.error = Some(e.message),
        }
        if input.ty == InputType::Text && raw.chars().count() > 1000 {
            view.error = Some("内容太长（最多 1000 个字）".into());
        }
        bad |= view.error.is_some();
        facts.insert(input.key.clone(), view);
    }
    let mut deadline = FieldView::new(field(&pairs, "deadline").trim());
    if !deadline.value.is_empty() {
        if !valid_date(&deadline.value) {
            deadline.error = Some(DATE_HINT.into());
        } else if deadline.value < campaign.deadline {
            deadline.error = Some(format!(
                "延期后的截止日期应不早于统一截止日期 {}",
                campaign.deadline
            ));
        }
    }
    bad |= deadline.error.is_some();
    if bad {
        let typed = Typed::Unit {
            uid,
            facts,
            deadline,
        };
        let e = Some(format!("{}：未保存，请按提示改正。", unit.name));
        return render_campaign(&state, &session, &me, campaign, typed, None, e).await;
    }
    let new_deadline = (!deadline.value.is_empty()).then(|| deadline.value.clone());
    let mut changes = diff(&cu.unit_facts, &new_facts);
    if new_deadline != cu.deadline {
        changes.push(change(
            "deadline",
            cu.deadline.clone(),
            new_deadline.clone(),
        ));
    }
    let anchor = format!("#u{uid}");
    if changes.is_empty() {
        return Ok(Redirect::to(&format!("/admin/c/{cid}?saved=nothing{anchor}")).into_response());
    }
    let mut work = state.store.begin().await?;
    work.set_campaign_unit(&CampaignUnit {
        campaign_id: cid,
        unit_id: uid,
        unit_facts: new_facts,
        deadline: new_deadline,
    })
    .await?;
    record(
        work,
        &me,
        Action::CampaignUnit,
        format!("campaign:{cid}/unit:{uid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=unit&u={uid}{anchor}")).into_response())
}

/// How a department is posted in the item assignment form: its id, or empty for the
/// office (an item not assigned elsewhere is the office's).
fn department_value(d: &Department) -> String {
    if d.is_office {
        String::new()
    } else {
        d.id.to_string()
    }
}

pub async fn campaign_departments(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let assignment = state.store.assignment(me.org(), cid).await?;
    let mut typed = BTreeMap::new();
    let mut wanted = Vec::new();
    for it in rubric.items() {
        // Only the items sent are changed.
        let Some((_, raw)) = pairs.iter().find(|(k, _)| *k == format!("d.{}", it.id)) else {
            continue;
        };
        let mut view = FieldView::new(raw.trim());
        let chosen = if view.value.is_empty() {
            Some(assignment.office())
        } else {
            assignment
                .departments()
                .iter()
                .find(|d| d.id.to_string() == view.value)
        };
        let Some(new) = chosen else {
            view.error = Some("所选部门不存在（可能刚被删除）；请重新选择".into());
            typed.insert(it.id.clone(), view);
            continue;
        };
        let old = assignment.of(&it.id);
        if old.id != new.id {
            wanted.push((it.id.clone(), old, new));
        }
        typed.insert(it.id.clone(), view);
    }
    if typed.values().any(|v| v.error.is_some()) {
        let e = Some(format!(
            "{}：请按提示改正。",
            Action::CampaignDepartments.refused()
        ));
        return render_campaign(
            &state,
            &session,
            &me,
            campaign,
            Typed::Departments(typed),
            None,
            e,
        )
        .await;
    }
    if wanted.is_empty() {
        return Ok(
            Redirect::to(&format!("/admin/c/{cid}?saved=nothing#departments")).into_response(),
        );
    }
    let mut changes = Vec::new();
    let mut work = state.store.begin().await?;
    for (item, old, new) in wanted {
        let to = (!new.is_office).then_some(new.id);
        work.set_item_department(cid, &item, to).await?;
        changes.push(change(&item, old.name.clone(), new.name.clone()));
    }
    record(
        work,
        &me,
        Action::CampaignDepartments,
        format!("campaign:{cid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=departments#departments")).into_response())
}
