//! Help where people look for it: an operating guide (操作指南) per role, reached from
//! every page, with the pictures the browser suite takes; and, for a campaign, how its
//! score is computed (计分办法), generated from its rubric: each item, its rules in
//! plain words and the facts a unit reports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaohe_storage::{Id, Role};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::rubrics::{CategoryView, input_text, rubric_in_words};
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Path;
use crate::http::layout::Layout;
use crate::year::scoring;

/// The roles a guide is written for: `(address part, name)`.
const ROLES: [(&str, &str); 5] = [
    ("reporter", "填报员"),
    ("assessor", "考核员"),
    ("admin", "管理员"),
    ("leader", "领导"),
    ("auditor", "审计员"),
];

#[derive(Template, WebTemplate)]
#[template(path = "guide/guide.html")]
struct GuidePage {
    layout: Layout,
    /// The guide shown (`reporter`, …) and its role's name.
    role: &'static str,
    name: &'static str,
    roles: &'static [(&'static str, &'static str)],
    /// The latest campaign the user can see, for the link to how its score is computed.
    campaign: Option<Id>,
}

fn guide_of(role: Role) -> &'static str {
    match role {
        Role::Reporter => "reporter",
        Role::Assessor => "assessor",
        Role::Admin => "admin",
        Role::Viewer => "leader",
        Role::Auditor => "auditor",
    }
}

/// The guide for the user's own role.
pub async fn guide(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    render(&state, &session, &me, guide_of(me.role())).await
}

/// The guide for any role (a clerk may read what the assessors will do).
pub async fn guide_for(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(role): Path<String>,
) -> AppResult<Response> {
    let role = ROLES
        .iter()
        .map(|(r, _)| *r)
        .find(|r| *r == role)
        .ok_or(AppError::NotFound)?;
    render(&state, &session, &me, role).await
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    role: &'static str,
) -> AppResult<Response> {
    let name = ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, n)| *n)
        .unwrap_or_default();
    // The newest campaign issued to the units (or any, for the admin).
    let mut campaigns = state.store.campaigns(me.org()).await?;
    campaigns.sort_by_key(|c| std::cmp::Reverse((c.year, c.id)));
    let mut campaign = None;
    for c in campaigns {
        let draft =
            crate::year::Year::of(state, c.clone()).await?.phase == crate::year::Phase::Draft;
        if !draft || me.role() == Role::Admin {
            campaign = Some(c.id);
            break;
        }
    }
    Ok(GuidePage {
        layout: Layout::new(state, session, me, &format!("操作指南 · {name}")).await?,
        role,
        name,
        roles: &ROLES,
        campaign,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "guide/rules.html")]
struct RulesPage {
    layout: Layout,
    title: String,
    rubric_title: String,
    total: String,
    unit_facts: Vec<String>,
    categories: Vec<CategoryView>,
}

/// How a campaign's score is computed, from its rubric, in plain words.
pub async fn scoring_rules(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let year = crate::year::Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign;
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    Ok(RulesPage {
        layout: Layout::new(
            &state,
            &session,
            &me,
            &format!("{} · 计分办法", campaign.title),
        )
        .await?,
        title: campaign.title,
        rubric_title: rubric.title().to_string(),
        total: rubric
            .total()
            .map(kaohe_core::fmt_decimal)
            .unwrap_or_default(),
        unit_facts: rubric.unit_inputs().map(|(_, i)| input_text(i)).collect(),
        categories: rubric_in_words(&rubric),
    }
    .into_response())
}
