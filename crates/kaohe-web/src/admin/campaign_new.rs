//! Opening a campaign (考核任务): a year, a title, a rubric version frozen for it (the
//! newest year's by default; another year's or an older one only when confirmed), the
//! deadline and the units taking part; or the next year of last year's campaign, with
//! its units and departments. A new campaign is a draft until it is issued.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{CampaignUnit, Id, RawFacts, RubricVersion, Unit};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::admin::rubrics::version_label;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::form::Form;
use crate::http::form::{DATE_HINT, FieldView, Opt, valid_date};
use crate::http::layout::{Layout, china_time, china_today};
use crate::http::upload::field;
use crate::year::Action;
use crate::year::scoring;

use crate::admin::campaigns::{MAX_TITLE, all};

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
    if let Some((newest, _)) = versions.first().filter(|(v, _)| v.id != chosen.id) {
        doubts.push(format!("有更新的版本：{}", version_label(newest)));
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
        .map(|(v, _)| Opt {
            value: v.id.to_string(),
            label: version_label(v),
            selected: form.rubric.value == v.id.to_string(),
        })
        .collect();
    let history = versions
        .iter()
        .map(|(v, _)| VersionRow {
            id: v.id,
            label: version_label(v),
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
    let year = check_fields(&mut form);
    let rubric = match form.rubric.value.parse::<Id>() {
        Ok(id) => state.store.rubric(me.org(), id).await.ok(),
        Err(_) => None,
    };
    if rubric.is_none() {
        form.rubric.error = Some("请选择本区的一个评分细则版本".into());
    }
    let checked: Vec<String> = all(&pairs, "unit").into_iter().map(String::from).collect();
    let units_of_org = state.store.units(me.org()).await?;
    let units = chosen_units(&checked, &units_of_org, &mut form);
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

/// Checks the year, title and deadline as typed, each with its message; the year.
fn check_fields(form: &mut NewForm) -> Option<i64> {
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
    if !valid_date(&form.deadline.value) {
        form.deadline.error = Some(DATE_HINT.into());
    } else if form.deadline.value.as_str() < china_today().as_str() {
        form.deadline.error = Some(format!(
            "截止日期 {} 已过；请选今天或以后的日期",
            form.deadline.value
        ));
    }
    year
}

/// The units ticked, each once; a unit not of this organiser, or none at all, is a
/// message on the form.
fn chosen_units<'u>(checked: &[String], all: &'u [Unit], form: &mut NewForm) -> Vec<&'u Unit> {
    let mut units = Vec::new();
    for v in checked {
        match v
            .parse::<Id>()
            .ok()
            .and_then(|id| all.iter().find(|u| u.id == id))
        {
            Some(u) if !units.iter().any(|x: &&Unit| x.id == u.id) => units.push(u),
            Some(_) => {}
            None => {
                form.units_error = Some("所选单位中有不属于本区的单位；请刷新页面后重新选择".into())
            }
        }
    }
    if units.is_empty() && form.units_error.is_none() {
        form.units_error = Some("请至少选择一个参加考核的单位".into());
    }
    units
}
