//! Every route, declared once with the roles that may use it. The router is built from
//! this table, and the access test reads it: a route cannot exist without an access rule.
//!
//! The table checks the role; handlers check the rest on the server for every request:
//! the organiser (another organiser's things do not exist for you), the unit (a reporter
//! sees only their own), and the item (an assessor only their department's).

use axum::RequestExt;
use axum::Router;
use axum::extract::FromRequest;
use axum::extract::{RawPathParams, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{self, MethodRouter};
use kaohe_storage::{Id, Role, SecurityKind};
use tower_sessions::Session;

use crate::admin::{
    self, audit, campaign_new, campaigns, departments, progress, rubric_import, rubrics, units,
    users,
};
use crate::auth::{CurrentUser, session_login_at, session_user};
use crate::guide;
use crate::http::client::ClientAddr;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, Refused};
use crate::http::upload::Upload;
use crate::http::{assets, health};
use crate::year::{self, Action, Rule};
use crate::year::{
    appeals, evidence, exports, gaps, history, imports, publish_lock, records, records_import,
    rectify, results, review, self_check,
};
use crate::{AppState, auth, home};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (login page, assets).
    Public,
    /// Any logged-in user.
    LoggedIn,
    /// Logged-in users with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::LoggedIn, Some(_)) => true,
            (Access::Roles(roles), Some(r)) => roles.contains(&r),
        }
    }
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// What the route does; the guard checks its rule of the year before the handler
    /// runs. A route that records one of two actions (save or mark done, confirm or
    /// return, accept or reject) names one of them: they obey the same rule.
    pub action: Action,
    handler: MethodRouter<AppState>,
}

const ADMIN: Access = Access::Roles(&[Role::Admin]);
const REPORTER: Access = Access::Roles(&[Role::Reporter]);
/// Those who may look at a unit's report: its reporter, the admin, and assessors (for
/// their department's items); the handler narrows it down.
const REPORT_READERS: Access = Access::Roles(&[Role::Reporter, Role::Admin, Role::Assessor]);
const APPEAL_READERS: Access = Access::Roles(&[Role::Assessor, Role::Admin]);
const ASSESSOR: Access = Access::Roles(&[Role::Assessor]);
const AUDIT: Access = Access::Roles(&[Role::Auditor, Role::Admin]);
/// The auditor alone: what only the auditor attests (三员分立).
const AUDITOR: Access = Access::Roles(&[Role::Auditor]);
/// Rectification: the unit its own problems, assessors their department's items, the
/// admin and leaders all (the handler narrows it down); the auditor reads the audit log.
const RECTIFY_READERS: Access =
    Access::Roles(&[Role::Admin, Role::Viewer, Role::Assessor, Role::Reporter]);
const LEDGER_READERS: Access = Access::Roles(&[Role::Admin, Role::Viewer, Role::Assessor]);
/// Records kept during the year: confirmed or rejected by the item's department, or by
/// the admin.
const RECORD_ANSWERERS: Access = Access::Roles(&[Role::Admin, Role::Assessor]);
/// An import's kept file: its department's, and the admin's.
const IMPORT_READERS: Access = Access::Roles(&[Role::Admin, Role::Assessor]);

/// A page (GET).
fn get<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    action: Action,
    handler: H,
) -> Route {
    Route {
        method: Method::GET,
        path,
        access,
        action,
        handler: routing::get(handler),
    }
}

/// A form or an upload (POST).
fn post<H: Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    action: Action,
    handler: H,
) -> Route {
    Route {
        method: Method::POST,
        path,
        access,
        action,
        handler: routing::post(handler),
    }
}

/// The route table: one line per route, its method, path, who may call it, what it does
/// (the action whose rule of the year the guard checks) and its handler.
#[rustfmt::skip]
pub fn table() -> Vec<Route> {
    use Action as A;
    vec![
        get("/assets/{name}", Access::Public, A::Read, assets::asset),
        // For the load balancer: the process and its database answer.
        get("/healthz", Access::Public, A::Read, health::healthz),
        get("/login", Access::Public, A::Read, auth::login_page),
        post("/login", Access::Public, A::Login, auth::login),
        post("/logout", Access::LoggedIn, A::Logout, auth::logout),
        get("/account/password", Access::LoggedIn, A::Read, auth::password_page),
        post("/account/password", Access::LoggedIn, A::PasswordChange, auth::change_password),
        get("/", Access::LoggedIn, A::Read, home::home),
        // Help: the operating guide per role, and how a campaign's score is computed.
        get("/guide", Access::LoggedIn, A::Read, guide::guide),
        get("/guide/{role}", Access::LoggedIn, A::Read, guide::guide_for),
        get("/c/{cid}/rules", Access::LoggedIn, A::Read, guide::scoring_rules),
        // A unit's report in a campaign.
        get("/c/{cid}/u/{uid}", REPORT_READERS, A::Read, self_check::report_home),
        post("/c/{cid}/u/{uid}/submit", REPORTER, A::ReportSubmit, self_check::submit),
        get("/c/{cid}/u/{uid}/print", REPORT_READERS, A::Read, self_check::print),
        // The self-check filled in Excel: the workbook, then its import (preview, apply).
        get("/c/{cid}/u/{uid}/fill.xlsx", REPORT_READERS, A::ReportExport, self_check::fill_xlsx),
        get("/c/{cid}/u/{uid}/fill", REPORTER, A::Read, self_check::fill_page),
        post("/c/{cid}/u/{uid}/fill", REPORTER, A::ReportImport, self_check::fill_preview),
        post("/c/{cid}/u/{uid}/fill/{iid}", REPORTER, A::ReportImport, self_check::fill_apply),
        get("/c/{cid}/u/{uid}/i/{item}", REPORT_READERS, A::Read, self_check::item_page),
        post("/c/{cid}/u/{uid}/i/{item}", REPORTER, A::ItemDone, self_check::item_save),
        post("/c/{cid}/u/{uid}/i/{item}/preview", REPORT_READERS, A::Read, self_check::item_preview),
        post("/c/{cid}/u/{uid}/i/{item}/evidence", REPORTER, A::EvidenceUpload, evidence::upload),
        get("/c/{cid}/u/{uid}/evidence/{eid}", REPORT_READERS, A::EvidenceDownload, evidence::download),
        post("/c/{cid}/u/{uid}/evidence/{eid}/delete", REPORTER, A::EvidenceDelete, evidence::delete),
        // Review (考核) by the assessors.
        get("/c/{cid}/review", ASSESSOR, A::Read, review::queue),
        post("/c/{cid}/review/confirm", ASSESSOR, A::ReviewConfirm, review::confirm_many),
        // A department's verified facts from its spreadsheet: preview, then apply.
        get("/c/{cid}/review/import", ASSESSOR, A::Read, imports::import_page),
        get("/c/{cid}/review/import/template.xlsx", ASSESSOR, A::ImportTemplate, imports::template),
        post("/c/{cid}/review/import", ASSESSOR, A::FactsImport, imports::preview),
        post("/c/{cid}/review/import/{iid}", ASSESSOR, A::FactsImport, imports::apply),
        get("/c/{cid}/imports/{iid}/file", IMPORT_READERS, A::ImportFile, imports::file),
        get("/c/{cid}/u/{uid}/r/{item}", ASSESSOR, A::Read, review::item_page),
        post("/c/{cid}/u/{uid}/r/{item}", ASSESSOR, A::ReviewConfirm, review::save),
        post("/c/{cid}/u/{uid}/r/{item}/preview", ASSESSOR, A::Read, review::preview),
        // Results.
        get("/c/{cid}/results", Access::LoggedIn, A::Read, results::results_page),
        get("/c/{cid}/results/u/{uid}", Access::LoggedIn, A::Read, results::unit_page),
        get("/c/{cid}/gaps", Access::LoggedIn, A::Read, gaps::district),
        // Results as documents and print views (the handlers apply the results pages'
        // visibility; every download is audited).
        get("/c/{cid}/results/u/{uid}/table.docx", Access::LoggedIn, A::ResultsExport, exports::unit_docx),
        get("/c/{cid}/results/u/{uid}/table.xlsx", Access::LoggedIn, A::ResultsExport, exports::unit_xlsx),
        get("/c/{cid}/results/u/{uid}/print", Access::LoggedIn, A::Read, exports::print_unit),
        get("/c/{cid}/results/summary.xlsx", Access::LoggedIn, A::ResultsExport, exports::summary_xlsx),
        get("/c/{cid}/results/bulletin.docx", Access::LoggedIn, A::ResultsExport, exports::bulletin_docx),
        get("/c/{cid}/results/print", Access::LoggedIn, A::Read, exports::print_ranking),
        post("/admin/c/{cid}/results", ADMIN, A::ResultsCompute, results::compute_results),
        // Appeals (申诉).
        get("/c/{cid}/u/{uid}/appeal/{item}", REPORTER, A::Read, appeals::form_page),
        post("/c/{cid}/u/{uid}/appeal/{item}", REPORTER, A::AppealFile, appeals::file),
        get("/c/{cid}/appeals", APPEAL_READERS, A::Read, appeals::list),
        post("/c/{cid}/appeals/{aid}", ASSESSOR, A::AppealAccept, appeals::answer),
        // Rectification (整改).
        get("/c/{cid}/rectify", RECTIFY_READERS, A::Read, rectify::list),
        get("/c/{cid}/rectify/{pid}", RECTIFY_READERS, A::Read, rectify::problem_page),
        post("/c/{cid}/rectify/{pid}/plan", REPORTER, A::ProblemPlan, rectify::plan),
        post("/c/{cid}/rectify/{pid}/report", REPORTER, A::ProblemReport, rectify::report),
        post("/c/{cid}/rectify/{pid}/answer", ASSESSOR, A::ProblemSignOff, rectify::answer),
        post("/c/{cid}/rectify/{pid}/drop", ADMIN, A::ProblemDrop, rectify::drop_problem),
        post("/c/{cid}/rectify/{pid}/deadline", ADMIN, A::ProblemDeadline, rectify::problem_deadline),
        post("/admin/c/{cid}/rectify/deadline", ADMIN, A::RectifyDeadline, rectify::deadline),
        post("/admin/c/{cid}/rectify/problems", ADMIN, A::ProblemAdd, rectify::add),
        get("/c/{cid}/u/{uid}/rectify.docx", RECTIFY_READERS, A::RectifyExport, rectify::notice_docx),
        get("/c/{cid}/rectify.xlsx", LEDGER_READERS, A::RectifyExport, rectify::ledger_xlsx),
        // Records kept during the year (台账), already in a draft campaign.
        get("/c/{cid}/records", REPORT_READERS, A::RecordList, records::list),
        get("/c/{cid}/records/{recid}", REPORT_READERS, A::RecordList, records::page),
        get("/c/{cid}/records/{recid}/files/{fid}", REPORT_READERS, A::RecordFile, records::file),
        post("/c/{cid}/u/{uid}/records", REPORTER, A::RecordDeclare, records::declare),
        post("/c/{cid}/u/{uid}/records/{recid}", REPORTER, A::RecordEdit, records::edit),
        post("/admin/c/{cid}/records", ADMIN, A::RecordEnter, records::enter),
        post("/admin/c/{cid}/records/import", ADMIN, A::RecordImport, records_import::preview),
        post("/admin/c/{cid}/records/import/{iid}", ADMIN, A::RecordImport, records_import::apply),
        post("/admin/c/{cid}/records/{recid}", ADMIN, A::RecordAmend, records::amend),
        post("/c/{cid}/records/{recid}/answer", RECORD_ANSWERERS, A::RecordConfirm, records::answer),
        post("/c/{cid}/records/confirm", RECORD_ANSWERERS, A::RecordConfirm, records::confirm_many),
        post("/c/{cid}/records/{recid}/like", RECORD_ANSWERERS, A::RecordLike, records::like),
        // Past years' results, for year over year.
        get("/admin/history", ADMIN, A::Read, history::import_page),
        get("/admin/whatif", ADMIN, A::Read, admin::whatif::whatif),
        get("/admin/whatif.xlsx", ADMIN, A::ResultsExport, admin::whatif::whatif_xlsx),
        get("/admin/whatif/map", ADMIN, A::Read, admin::whatif_map::mapping_page),
        post("/admin/whatif/map", ADMIN, A::WhatIfMapping, admin::whatif_map::mapping_save),
        post("/admin/history", ADMIN, A::HistoryImport, history::import),
        // Administration.
        get("/admin", ADMIN, A::Read, admin::overview),
        // The audit log: read-only, for the auditor and the admin.
        get("/audit", AUDIT, A::Read, audit::audit_log),
        get("/audit/export.csv", AUDIT, A::AuditExport, audit::audit_export),
        post("/audit/accounts/reviewed", AUDITOR, A::AccountsReviewed, audit::accounts_reviewed),
        post("/audit/verify", AUDIT, A::Read, audit::verify_whole),
        // Units.
        get("/admin/units", ADMIN, A::Read, units::units_page),
        post("/admin/units", ADMIN, A::UnitCreate, units::unit_add),
        post("/admin/units/import", ADMIN, A::UnitImport, units::units_import),
        get("/admin/units/{uid}", ADMIN, A::Read, units::unit_page),
        post("/admin/units/{uid}", ADMIN, A::UnitUpdate, units::unit_save),
        // Departments.
        get("/admin/departments", ADMIN, A::Read, departments::departments_page),
        post("/admin/departments", ADMIN, A::DepartmentCreate, departments::department_add),
        post("/admin/departments/{did}", ADMIN, A::DepartmentRename, departments::department_rename),
        post("/admin/departments/{did}/delete", ADMIN, A::DepartmentDelete, departments::department_delete),
        // Users.
        get("/admin/users", ADMIN, A::Read, users::users_page),
        post("/admin/users", ADMIN, A::UserCreate, users::user_add),
        post("/admin/users/{user}/password", ADMIN, A::UserPasswordReset, users::user_reset_password),
        post("/admin/users/{user}/active", ADMIN, A::UserDeactivate, users::user_set_active),
        post("/admin/users/{user}/unlock", ADMIN, A::UserUnlock, users::user_unlock),
        get("/admin/users/{user}/edit", ADMIN, A::Read, users::user_edit_page),
        post("/admin/users/{user}/edit", ADMIN, A::UserEdit, users::user_edit),
        // Rubrics.
        get("/admin/rubrics", ADMIN, A::Read, rubrics::rubrics_page),
        post("/admin/rubrics", ADMIN, A::RubricUpload, rubrics::rubric_upload),
        // Importing a rubric from its annex: the draft to review, then saved.
        post("/admin/rubrics/import", ADMIN, A::RubricImport, rubric_import::import_upload),
        post("/admin/rubrics/import/save", ADMIN, A::RubricImport, rubric_import::import_save),
        get("/admin/rubrics/{rid}", ADMIN, A::Read, rubrics::rubric_page),
        get("/admin/rubrics/{rid}/diff", ADMIN, A::Read, rubrics::rubric_diff_page),
        // Campaigns.
        get("/admin/campaigns/new", ADMIN, A::Read, campaign_new::new_campaign_page),
        post("/admin/campaigns", ADMIN, A::CampaignCreate, campaign_new::create_campaign),
        get("/admin/c/{cid}", ADMIN, A::Read, campaigns::campaign_page),
        post("/admin/c/{cid}/issue", ADMIN, A::CampaignIssue, campaigns::campaign_issue),
        post("/admin/c/{cid}/settings", ADMIN, A::CampaignUpdate, campaigns::campaign_settings),
        post("/admin/c/{cid}/u/{uid}", ADMIN, A::CampaignUnit, campaigns::campaign_unit_save),
        post("/admin/c/{cid}/facts", ADMIN, A::CampaignUnit, campaigns::campaign_facts_paste),
        post("/admin/c/{cid}/units", ADMIN, A::CampaignUnit, campaigns::campaign_unit_add),
        post("/admin/c/{cid}/u/{uid}/withdraw", ADMIN, A::CampaignUnitWithdraw, campaigns::campaign_unit_withdraw),
        post("/admin/c/{cid}/u/{uid}/reinstate", ADMIN, A::CampaignUnitReinstate, campaigns::campaign_unit_reinstate),
        post("/admin/c/{cid}/delete", ADMIN, A::CampaignDelete, campaigns::campaign_delete),
        post("/admin/c/{cid}/departments", ADMIN, A::CampaignDepartments, campaigns::campaign_departments),
        // Progress, publication (公示) and lock (定稿) of a campaign.
        get("/admin/c/{cid}/progress", ADMIN, A::Read, progress::progress_page),
        post("/admin/c/{cid}/publish", ADMIN, A::CampaignPublish, publish_lock::campaign_publish),
        post("/admin/c/{cid}/lock", ADMIN, A::CampaignLock, publish_lock::campaign_lock),
        post("/admin/c/{cid}/unlock", ADMIN, A::CampaignUnlock, publish_lock::campaign_unlock),
    ]
}

/// Routes a person reaches while they must change their password first.
const WHILE_MUST_CHANGE: [&str; 3] = ["/account/password", "/logout", "/assets/{name}"];

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in table() {
        let guard = middleware::from_fn_with_state(
            (state.clone(), route.access, route.path, route.action),
            guard,
        );
        router = router.route(route.path, route.handler.route_layer(guard));
    }
    router
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
}

/// Checks the route's access rule and its action's rule of the year, and puts the
/// current user in the request. A refusal (no right, or a stale or forged form) is
/// counted as a security event, whoever refused it: this guard or the handler.
async fn guard(
    State((state, access, path, action)): State<(AppState, Access, &'static str, Action)>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let source = ClientAddr::of(peer, forwarded.as_deref(), &state.config.trusted_proxies);
    let target = req.uri().path().to_string();
    let mut who: Option<(Id, String)> = None;
    let response = check(&state, access, path, action, &session, req, next, &mut who).await;
    if let Some(refused) = response.extensions().get::<Refused>() {
        let kind = match refused {
            Refused::Access => SecurityKind::AccessRefused,
            Refused::Csrf => SecurityKind::CsrfRefused,
        };
        let (org, account) = match &who {
            Some((org, name)) => (Some(*org), name.as_str()),
            None => (None, "（未登录）"),
        };
        let at = kaohe_storage::now_ms();
        let source = source.0.to_string();
        if let Err(e) = state
            .store
            .record_security_event(org, kind, account, &source, &target, at)
            .await
        {
            tracing::warn!(error = %e, "a security event was not counted");
        }
    }
    response
}

/// A page asked for without a (live) session goes to the login page and back after it
/// (`why` added to the login page's address); a form sent without one gets `refused`.
fn to_login(req: &Request, why: &str, refused: AppError) -> Response {
    if req.method() == Method::GET {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let to = format!("/login?next={}{why}", percent_encode(next));
        return Redirect::to(&to).into_response();
    }
    refused.into_response()
}

#[allow(clippy::too_many_arguments)]
async fn check(
    state: &AppState,
    access: Access,
    path: &'static str,
    action: Action,
    session: &Session,
    mut req: Request,
    next: Next,
    who: &mut Option<(Id, String)>,
) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    // An error here (the database restarting) is the request's answer: read as “no
    // login time”, a session that then loaded would look older than its user's last
    // password change and be ended — a user logged out by a database restart.
    let login_at = match session_login_at(session).await {
        Ok(at) => at,
        Err(e) => return e.into_response(),
    };
    let now = kaohe_storage::now_ms();
    let lifetime = state.config.session_lifetime.whole_milliseconds() as i64;
    if login_at > 0 && now - login_at > lifetime {
        // Logged in longer ago than a session may last, however active since.
        let _ = session.flush().await;
        let hours = state.config.session_lifetime.whole_hours();
        return to_login(
            &req,
            "&why=lifetime",
            AppError::BadRequest(format!(
                "已连续登录超过 {hours} 小时，为安全起见已自动退出，此次操作未保存。请重新登录后再操作。"
            )),
        );
    }
    let user = match session_user(session).await {
        Ok(Some(id)) => match state.store.user_with_organiser(id).await {
            // A session from before the user's last password change is over.
            Ok(u) if u.0.active && login_at >= u.0.credentials_changed_at => Some(u),
            Ok(_) | Err(kaohe_storage::StorageError::NotFound) => {
                let _ = session.flush().await;
                None
            }
            Err(e) => return AppError::from(e).into_response(),
        },
        Ok(None) => None,
        Err(e) => return e.into_response(),
    };
    let Some((user, organiser)) = user else {
        // Not logged in (or the session timed out): to the login page, then back.
        return to_login(&req, "", AppError::Unauthorized);
    };
    *who = Some((user.organiser_id, user.username.clone()));
    if (user.must_change_password || crate::auth::password_expired(&state.config, &user, now))
        && !WHILE_MUST_CHANGE.contains(&path)
    {
        return Redirect::to("/account/password").into_response();
    }
    if !access.allows(Some(user.role)) {
        return AppError::Forbidden.into_response();
    }
    let mut me = CurrentUser {
        user,
        organiser,
        checked: None,
    };
    // Every campaign route is checked, except the admin's reading (which no rule of the
    // year limits): a draft campaign does not exist for anyone else yet.
    if action.rule() != Rule::Always || me.role() != Role::Admin {
        match year_check(state, &me, action, &mut req).await {
            Ok(checked) => me.checked = checked.map(std::sync::Arc::new),
            Err(e) => return refused(state, session, req, e).await,
        }
    }
    req.extensions_mut().insert(me);
    next.run(req).await
}

/// A request the rule of the year refused: its answer, after its CSRF token is checked.
async fn refused(state: &AppState, session: &Session, req: Request, e: AppError) -> Response {
    // As in every handler, a form's CSRF token is checked before anything else is said
    // about it: a forged request learns nothing of the campaign.
    if req.method() == Method::POST {
        let token = match Upload::from_request(req, state).await {
            Ok(form) => form.field("csrf").to_string(),
            Err(e) => return e.into_response(),
        };
        if let Err(e) = check_csrf(session, &token).await {
            return e.into_response();
        }
    }
    e.into_response()
}

/// Whether the route's action may happen now in its campaign (the `{cid}` of its path),
/// for its unit's report (the `{uid}`) where the rule reads one: [`year::allows`].
async fn year_check(
    state: &AppState,
    me: &CurrentUser,
    action: Action,
    req: &mut Request,
) -> Result<Option<year::Checked>, AppError> {
    let params = req
        .extract_parts::<RawPathParams>()
        .await
        .map_err(|_| AppError::NotFound)?;
    let id = |name: &str| -> Result<Option<Id>, AppError> {
        params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.parse::<Id>().map_err(|_| AppError::NotFound))
            .transpose()
    };
    let Some(cid) = id("cid")? else {
        return Ok(None);
    };
    let uid = id("uid")?;
    // Another organiser's campaign does not exist for this user (`NotFound`).
    let year = year::Year::load(state, me.org(), cid).await?;
    // A draft is the admin's alone: for everyone else it does not exist yet.
    if year.phase == year::Phase::Draft && me.role() != Role::Admin && !action.open_in_draft() {
        return Err(AppError::NotFound);
    }
    if action.rule() == Rule::Always {
        // Reading: each handler decides who may read what it shows.
        return Ok(Some(year::Checked { year, report: None }));
    }
    // A reporter has one unit: another unit's report is not theirs to change.
    if me.role() == Role::Reporter && uid.is_some_and(|u| me.user.unit_id != Some(u)) {
        return Err(AppError::Forbidden);
    }
    let report = match (action.rule(), uid) {
        (Rule::Report | Rule::Review | Rule::Declare, Some(uid)) => {
            let report = state.store.report(cid, uid).await?;
            let place = state.store.campaign_unit(cid, uid).await?;
            let deadline = year.deadline(place.deadline.as_deref())?;
            Some((uid, report, deadline, place))
        }
        _ => None,
    };
    year::allows(
        year.phase,
        report.as_ref().map(|(_, r, _, _)| r.state),
        report.as_ref().map(|(_, _, d, _)| *d),
        year.today,
        action,
    )?;
    Ok(Some(year::Checked { year, report }))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
