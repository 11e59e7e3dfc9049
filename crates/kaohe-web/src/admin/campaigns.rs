//! Campaigns (考核任务): the page of one campaign (opening one is `campaign_new`), where the admin
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
    Assignment, Campaign, CampaignUnit, Department, Id, RawFacts, Role, StorageError,
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
use crate::http::layout::Layout;
use crate::http::upload::{MAX_TABLE_BYTES, Upload, field, too_big};
use crate::year::publish_lock::{LockPart, PublicationView, lock_part, publication_view};
use crate::year::scoring;
use crate::year::{Action, Phase, Year};

pub(crate) const MAX_TITLE: usize = 200;
pub(crate) const MAX_REASON: usize = 500;

pub(crate) fn all<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
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
    /// How people refer to the item (`基础工作第1项`).
    item_ref: String,
    name: String,
    value: String,
    error: Option<String>,
    no_assessor: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/campaign.html")]
struct CampaignPage {
    layout: Layout,
    /// Whether its rubric counts records kept during the year (台账).
    has_records: bool,
    campaign: Campaign,
    rubric_id: Id,
    rubric_label: String,
    title: FieldView,
    deadline: FieldView,
    /// The weight in the district's overall assessment (综合考核); empty when none.
    weight: FieldView,
    /// The period of the records it counts (台账记录期间): as set, empty for its year.
    period: (FieldView, FieldView),
    /// Last year's campaign to compare with and take rectification from: the earlier
    /// campaigns, the chosen one selected (none selected: the latest earlier year's).
    predecessors: Vec<Opt>,
    fact_labels: Vec<String>,
    /// A pasted table refused, shown again to correct.
    pasted: String,
    /// The organiser's units not taking part yet, which may be added.
    addable: Vec<Opt>,
    /// Units withdrawn from the campaign: `(id, name, when, why)`.
    withdrawn: Vec<(Id, String, String, String)>,
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
        weight: FieldView,
        /// The period whose records the campaign counts; empty for its year.
        period: (FieldView, FieldView),
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
    /// A table of base data pasted for every unit.
    Paste(String),
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
            .district_inputs()
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
        let missing = rubric.district_inputs().any(|(slot, input)| {
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
        .enumerate()
        .map(|(ii, it)| {
            let current = assignment.of(&it.id);
            let shown = match typed {
                Typed::Departments(t) => t.get(&it.id).cloned(),
                _ => None,
            }
            .unwrap_or_else(|| FieldView::new(department_value(current)));
            DeptRow {
                id: it.id.clone(),
                item_ref: rubric.item_ref(ii),
                name: it.name.clone().unwrap_or_default(),
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
    let (title, deadline, weight, period) = match &typed {
        Typed::Settings {
            title,
            deadline,
            weight,
            period,
        } => (
            title.clone(),
            deadline.clone(),
            weight.clone(),
            period.clone(),
        ),
        _ => (
            FieldView::new(campaign.title.clone()),
            FieldView::new(campaign.deadline.clone()),
            FieldView::new(campaign.overall_weight.clone().unwrap_or_default()),
            (
                FieldView::new(campaign.period_start.clone().unwrap_or_default()),
                FieldView::new(campaign.period_end.clone().unwrap_or_default()),
            ),
        ),
    };
    let year = Year::of(state, campaign.clone()).await?;
    let mut units = unit_blocks(state, me, &campaign, &rubric, &typed).await?;
    if year.phase == Phase::Draft {
        // Nobody reports on a draft: its units wait for it to be issued.
        for u in &mut units {
            u.state = "待下发";
        }
    }
    let assignment = state.store.assignment(me.org(), campaign.id).await?;
    let items = department_rows(state, me, &rubric, &assignment, &typed).await?;
    let jump = match &typed {
        Typed::Nothing => None,
        Typed::Settings { .. } => Some("settings".to_string()),
        Typed::Unit { uid, .. } => Some(format!("u{uid}")),
        Typed::Departments(_) => Some("departments".to_string()),
        Typed::Publish { .. } => Some("publication".to_string()),
        Typed::Lock(_) => Some("lock".to_string()),
        Typed::Paste(_) => Some("paste".to_string()),
    };
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
    let all_units = state.store.units(me.org()).await?;
    let withdrawn = state.store.withdrawn_units(campaign.id).await?;
    Ok(CampaignPage {
        has_records: !rubric.record_kinds().is_empty(),
        withdrawn: withdrawn
            .iter()
            .map(|w| {
                let name = all_units
                    .iter()
                    .find(|u| u.id == w.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                (
                    w.unit_id,
                    name,
                    crate::http::layout::china_time(w.at),
                    w.reason.clone(),
                )
            })
            .collect(),
        layout: Layout::new(state, session, me, &campaign.title).await?,
        rubric_id: campaign.rubric_id,
        rubric_label: version_label(&version),
        title,
        deadline,
        weight,
        period,
        predecessors: state
            .store
            .campaigns(me.org())
            .await?
            .into_iter()
            .filter(|c| c.year < campaign.year)
            .map(|c| Opt {
                value: c.id.to_string(),
                label: format!("{}（{} 年度）", c.title, c.year),
                selected: campaign.predecessor_id == Some(c.id),
            })
            .collect(),
        fact_labels: rubric
            .district_inputs()
            .map(|(_, i)| i.label.clone())
            .collect(),
        addable: {
            let taking_part: Vec<Id> = units.iter().map(|u| u.id).collect();
            all_units
                .iter()
                .filter(|u| !taking_part.contains(&u.id))
                .filter(|u| !withdrawn.iter().any(|w| w.unit_id == u.id))
                .map(|u| Opt {
                    value: u.id.to_string(),
                    label: u.name.clone(),
                    selected: false,
                })
                .collect()
        },
        pasted: match &typed {
            Typed::Paste(t) => t.clone(),
            _ => String::new(),
        },
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

/// Deletes a draft (a campaign no unit has seen yet), after its title is confirmed.
pub async fn campaign_delete(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let units = state.store.campaign_units(cid).await?.len();
    let mut work = state.store.begin().await?;
    work.delete_draft(me.org(), cid).await?;
    record(
        work,
        &me,
        Action::CampaignDelete,
        format!("campaign:{cid}"),
        vec![
            change("title", campaign.title, serde_json::Value::Null),
            change("units", units, serde_json::Value::Null),
        ],
    )
    .await?;
    Ok(Redirect::to("/admin").into_response())
}

/// Adds a unit to a campaign already set up (a draft, or running: its report starts
/// empty, with the campaign's deadline).
pub async fn campaign_unit_add(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let taking_part = state.store.campaign_units(cid).await?;
    let chosen = field(&pairs, "unit").parse::<Id>().ok();
    let unit = match chosen {
        Some(uid) => state.store.unit(me.org(), uid).await.ok(),
        None => None,
    };
    let Some(unit) = unit.filter(|u| !taking_part.iter().any(|cu| cu.unit_id == u.id)) else {
        let e = Some("未添加：请从列表中选择一个尚未参加本任务的单位。".to_string());
        return render_campaign(&state, &session, &me, campaign, Typed::Nothing, None, e).await;
    };
    let mut work = state.store.begin().await?;
    work.set_campaign_unit(&CampaignUnit {
        campaign_id: cid,
        unit_id: unit.id,
        unit_facts: RawFacts::new(),
        deadline: None,
    })
    .await?;
    record(
        work,
        &me,
        Action::CampaignUnit,
        format!("campaign:{cid}/unit:{}", unit.id),
        vec![change("unit_added", serde_json::Value::Null, unit.name)],
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/admin/c/{cid}?saved=unit_added&u={}#units",
        unit.id
    ))
    .into_response())
}

/// Withdraws a unit from a campaign (退出考核) for a stated reason: it leaves the lists,
/// the review queue, the results and the ranking; what it reported is kept, and it can
/// be brought back.
pub async fn campaign_unit_withdraw(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let unit = state.store.unit(me.org(), uid).await?;
    let reason = field(&pairs, "reason").trim();
    if reason.is_empty() {
        let e = Some(format!(
            "{} 未退出：请写明退出的理由（如撤并、调整区划）。",
            unit.name
        ));
        return render_campaign(&state, &session, &me, campaign, Typed::Nothing, None, e).await;
    }
    let mut work = state.store.begin().await?;
    match work.withdraw_unit(cid, uid, reason).await {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            drop(work);
            let e = Some(format!("{} 没有参加本任务，无需退出。", unit.name));
            return render_campaign(&state, &session, &me, campaign, Typed::Nothing, None, e).await;
        }
        Err(e) => return Err(e.into()),
    }
    crate::audit::record_why(
        work,
        &me,
        Action::CampaignUnitWithdraw,
        format!("campaign:{cid}/unit:{uid}"),
        reason,
        vec![change("withdrawn", false, true)],
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=withdrawn#withdrawn")).into_response())
}

/// Brings a withdrawn unit back, its base data and report as they were.
pub async fn campaign_unit_reinstate(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let unit = state.store.unit(me.org(), uid).await?;
    let mut work = state.store.begin().await?;
    match work.reinstate_unit(cid, uid).await {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            drop(work);
            let e = Some(format!("{} 没有退出本任务，无需恢复。", unit.name));
            return render_campaign(&state, &session, &me, campaign, Typed::Nothing, None, e).await;
        }
        Err(e) => return Err(e.into()),
    }
    record(
        work,
        &me,
        Action::CampaignUnitReinstate,
        format!("campaign:{cid}/unit:{uid}"),
        vec![change("withdrawn", true, false)],
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=reinstated&u={uid}#units")).into_response())
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
        Some("facts") => Some("已保存各单位的基础数据。".to_string()),
        Some("unit_added") => Some("已添加参加单位；请填写它的基础数据。它的自查从空白开始。".to_string()),
        Some("withdrawn") => Some("该单位已退出本任务：不再列入填报、审核、结果和排名；它填报的内容都保留，可随时恢复。".to_string()),
        Some("reinstated") => Some("该单位已恢复参加，基础数据和自查都保持原样。".to_string()),
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
    let mut weight = FieldView::new(field(&pairs, "overall_weight").trim());
    let parsed_weight = match weight.value.as_str() {
        "" => None,
        w => match w.parse::<kaohe_core::Decimal>() {
            Ok(d) if d > kaohe_core::Decimal::ZERO && d <= kaohe_core::Decimal::ONE_HUNDRED => {
                Some(kaohe_core::fmt_decimal(d))
            }
            _ => {
                weight.error = Some(
                    "请填写 0 到 100 之间的数，如 5（本考核在综合考核中占 5 分）；不计入综合考核请留空"
                        .into(),
                );
                None
            }
        },
    };
    // The records' period: both days or neither (its year).
    let mut period = (
        FieldView::new(field(&pairs, "period_start").trim()),
        FieldView::new(field(&pairs, "period_end").trim()),
    );
    let period_sent = pairs.iter().any(|(k, _)| k == "period_start");
    let new_period = match (period.0.value.as_str(), period.1.value.as_str()) {
        ("", "") => None,
        (a, b) if valid_date(a) && valid_date(b) && a <= b => Some((a.to_string(), b.to_string())),
        (a, b) => {
            period.1.error = Some(if valid_date(a) && valid_date(b) {
                "结束日期不能早于开始日期".into()
            } else {
                format!(
                    "请填写开始和结束两个日期（如 {0}-01-01 至 {0}-12-31），或都留空（按 {0} 年全年）",
                    campaign.year
                )
            });
            None
        }
    };
    let old_period = campaign
        .period_start
        .clone()
        .zip(campaign.period_end.clone());
    if title.error.is_some()
        || deadline.error.is_some()
        || weight.error.is_some()
        || period.1.error.is_some()
    {
        let e = Some("未保存：请按提示改正。".to_string());
        let typed = Typed::Settings {
            title,
            deadline,
            weight,
            period,
        };
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
    if parsed_weight != campaign.overall_weight {
        changes.push(change(
            "overall_weight",
            campaign.overall_weight.clone(),
            parsed_weight.clone(),
        ));
    }
    // Last year's campaign: an earlier one of this organiser, or the latest by year.
    let all = state.store.campaigns(me.org()).await?;
    let title_of = |id: Option<Id>| {
        id.and_then(|i| all.iter().find(|c| c.id == i))
            .map(|c| c.title.clone())
            .unwrap_or_else(|| "按年度自动（最近的上一年度）".to_string())
    };
    let predecessor = match field(&pairs, "predecessor").trim() {
        "" => None,
        v => Some(
            v.parse::<Id>()
                .ok()
                .filter(|p| all.iter().any(|c| c.id == *p && c.year < campaign.year))
                .ok_or_else(|| {
                    AppError::BadRequest("未保存：请从列表中选择上一年度任务。".into())
                })?,
        ),
    };
    let send_predecessor = pairs.iter().any(|(k, _)| k == "predecessor");
    if send_predecessor && predecessor != campaign.predecessor_id {
        changes.push(change(
            "predecessor",
            title_of(campaign.predecessor_id),
            title_of(predecessor),
        ));
    }
    let period_changed = period_sent && new_period != old_period;
    if period_changed {
        let words = |p: &Option<(String, String)>| match p {
            Some((a, b)) => format!("{a} 至 {b}"),
            None => format!("{} 年全年", campaign.year),
        };
        changes.push(change("period", words(&old_period), words(&new_period)));
    }
    if changes.is_empty() {
        return Ok(Redirect::to(&format!("/admin/c/{cid}?saved=nothing")).into_response());
    }
    let mut work = state.store.begin().await?;
    work.update_campaign(me.org(), cid, &title.value, &deadline.value, campaign.state)
        .await?;
    if parsed_weight != campaign.overall_weight {
        work.set_overall_weight(me.org(), cid, parsed_weight.as_deref())
            .await?;
    }
    if send_predecessor && predecessor != campaign.predecessor_id {
        work.set_predecessor(me.org(), cid, predecessor).await?;
    }
    if period_changed {
        work.set_campaign_period(
            me.org(),
            cid,
            new_period.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )
        .await?;
    }
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

/// A unit's base fact as typed: `Some(text)` to keep, `None` when left empty (allowed
/// only for an optional fact), or why it cannot be used.
fn base_value(rubric: &Rubric, slot: usize, raw: &str) -> Result<Option<String>, String> {
    let input = rubric.input(slot);
    if input.ty == InputType::Text && raw.chars().count() > 1000 {
        return Err("内容太长（最多 1000 个字）".into());
    }
    match rubric.parse_value(slot, raw) {
        Ok(None) if input.required => Err(format!("必填：请填写{}", input.label)),
        Ok(None) => Ok(None),
        Ok(Some(Value::Number(n))) if n.is_zero() && input.required => Err(format!(
            "不能为 0：{}是计分的基数，请填写实际数值",
            input.label
        )),
        Ok(Some(_)) => Ok(Some(raw.to_string())),
        Err(e) => Err(e.message),
    }
}

/// Every unit's base data at once, pasted from a spreadsheet: a header `单位,` then the
/// facts' names (or keys), a row per unit. Every cell is checked first; nothing is saved
/// unless every row is right. An empty cell leaves that fact as it was.
pub async fn campaign_facts_paste(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let campaign = state.store.campaign(me.org(), cid).await?;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    // A sheet chosen as a file (Excel, WPS or CSV), or a table pasted.
    let file = upload.file("file");
    let size = file.map_or(upload.field("text").len(), |f| f.data.len());
    // Over the bound: refused before it is read, and not shown back in the page.
    if let Some(e) = too_big("基础数据表格", size, MAX_TABLE_BYTES, "请分几次导入") {
        let typed = Typed::Paste(String::new());
        let e = Some(format!("未保存：{e}"));
        return render_campaign(&state, &session, &me, campaign, typed, None, e).await;
    }
    let text = match file {
        Some(f) => match kaohe_formats::facts_file::table_text(&f.data) {
            Ok(t) => t,
            Err(e) => {
                let e = Some(format!("未保存：{}：{e}", f.filename));
                let typed = Typed::Paste(String::new());
                return render_campaign(&state, &session, &me, campaign, typed, None, e).await;
            }
        },
        None => upload.field("text").to_string(),
    };
    let refuse = |problems: Vec<String>| {
        let typed = Typed::Paste(text.clone());
        let shown: Vec<String> = problems.iter().take(20).cloned().collect();
        let more = problems.len().saturating_sub(shown.len());
        let mut e = format!("未保存：{}", shown.join("；"));
        if more > 0 {
            e.push_str(&format!("；另有 {more} 处"));
        }
        render_campaign(
            &state,
            &session,
            &me,
            campaign.clone(),
            typed,
            None,
            Some(e),
        )
    };
    let records = match crate::admin::units::records(&text) {
        Ok(r) => r,
        Err(e) => return refuse(vec![e]).await,
    };
    let mut cus = state.store.campaign_units(cid).await?;
    let units = state.store.units(me.org()).await?;
    let name_of = |uid: Id| {
        units
            .iter()
            .find(|u| u.id == uid)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let (changed, problems) = read_pasted_facts(&rubric, &records, &mut cus, &name_of);
    if !problems.is_empty() {
        return refuse(problems).await;
    }
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/admin/c/{cid}?saved=nothing#units")).into_response());
    }
    let mut work = state.store.begin().await?;
    let mut changes = Vec::new();
    for (i, before) in changed {
        let cu = &cus[i];
        work.set_campaign_unit(cu).await?;
        for c in diff(&before, &cu.unit_facts) {
            changes.push(change(
                &format!(
                    "{} {}",
                    name_of(cu.unit_id),
                    c["field"].as_str().unwrap_or("")
                ),
                c["old"].clone(),
                c["new"].clone(),
            ));
        }
    }
    record(
        work,
        &me,
        Action::CampaignUnit,
        format!("campaign:{cid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/c/{cid}?saved=facts#units")).into_response())
}

/// Applies a pasted table to the campaign's units: the indexes of the units that changed
/// with their facts before, and every problem found (by row and column).
fn read_pasted_facts(
    rubric: &Rubric,
    records: &[(usize, Vec<String>)],
    cus: &mut [CampaignUnit],
    name_of: &dyn Fn(Id) -> String,
) -> (Vec<(usize, RawFacts)>, Vec<String>) {
    let mut problems = Vec::new();
    let Some((_, header)) = records.first() else {
        return (
            Vec::new(),
            vec!["没有内容：第一行应为表头，如 单位,流动人口数".into()],
        );
    };
    let mut columns = Vec::new();
    for (i, h) in header.iter().enumerate().skip(1) {
        let h = h.trim();
        match rubric
            .district_inputs()
            .find(|(_, input)| input.label == h || input.key == h)
        {
            Some((slot, _)) => columns.push((i, slot)),
            None => {
                let names: Vec<&str> = rubric
                    .district_inputs()
                    .map(|(_, i)| i.label.as_str())
                    .collect();
                problems.push(format!(
                    "第 1 行：列“{h}”不是本细则的单位基础数据；可用：{}",
                    names.join("、")
                ));
            }
        }
    }
    let first = header.first().map(|h| h.trim()).unwrap_or("");
    if first != "单位" && first != "unit" {
        problems.push("第 1 行：第一列应为“单位”".into());
    }
    let mut changed: Vec<(usize, RawFacts)> = Vec::new();
    for (line, cells) in records.iter().skip(1) {
        let name = cells.first().map(|c| c.trim()).unwrap_or("");
        let Some(i) = cus.iter().position(|cu| name_of(cu.unit_id) == name) else {
            problems.push(format!("第 {line} 行：单位“{name}”没有参加本任务"));
            continue;
        };
        if changed.iter().any(|(j, _)| *j == i) {
            problems.push(format!("第 {line} 行：单位“{name}”重复"));
            continue;
        }
        let before = cus[i].unit_facts.clone();
        for (col, slot) in &columns {
            let raw = cells.get(*col).map(|c| c.trim()).unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            match base_value(rubric, *slot, raw) {
                Ok(Some(v)) => {
                    cus[i].unit_facts.insert(rubric.input(*slot).key.clone(), v);
                }
                Ok(None) => {}
                Err(e) => problems.push(format!(
                    "第 {line} 行“{name}”的{}：{e}",
                    rubric.input(*slot).label
                )),
            }
        }
        if cus[i].unit_facts != before {
            changed.push((i, before));
        }
    }
    (changed, problems)
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
    for (slot, input) in rubric.district_inputs() {
        let raw = field(&pairs, &format!("f.{}", input.key)).trim();
        let mut view = FieldView::new(raw);
        match base_value(&rubric, slot, raw) {
            Ok(Some(v)) => {
                new_facts.insert(input.key.clone(), v);
            }
            Ok(None) => {
                new_facts.remove(&input.key);
            }
            Err(e) => view.error = Some(e),
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
