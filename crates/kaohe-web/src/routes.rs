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
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use kaohe_storage::{Id, Role};
use tower_sessions::Session;

use crate::auth::{CurrentUser, check_csrf, session_login_at, session_user};
use crate::error::AppError;
use crate::upload::Upload;
use crate::year::{self, Action, Rule};
use crate::{
    AppState, admin, admin_campaigns, admin_rubrics, admin_units, admin_users, appeals, assets,
    audit_log, auth, departments, evidence, history, progress, report, results, review,
};

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

fn r(
    method: Method,
    path: &'static str,
    access: Access,
    action: Action,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        action,
        handler,
    }
}

/// The route table.
pub fn table() -> Vec<Route> {
    use Action as A;
    use Method as M;
    vec![
        r(
            M::GET,
            "/assets/{name}",
            Access::Public,
            A::Read,
            get(assets::asset),
        ),
        r(
            M::GET,
            "/login",
            Access::Public,
            A::Read,
            get(auth::login_page),
        ),
        r(
            M::POST,
            "/login",
            Access::Public,
            A::Login,
            post(auth::login),
        ),
        r(
            M::POST,
            "/logout",
            Access::LoggedIn,
            A::Logout,
            post(auth::logout),
        ),
        r(
            M::GET,
            "/account/password",
            Access::LoggedIn,
            A::Read,
            get(auth::password_page),
        ),
        r(
            M::POST,
            "/account/password",
            Access::LoggedIn,
            A::PasswordChange,
            post(auth::change_password),
        ),
        r(M::GET, "/", Access::LoggedIn, A::Read, get(report::home)),
        // A unit's report in a campaign.
        r(
            M::GET,
            "/c/{cid}/u/{uid}",
            REPORT_READERS,
            A::Read,
            get(report::report_home),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/submit",
            REPORTER,
            A::ReportSubmit,
            post(report::submit),
        ),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/i/{item}",
            REPORT_READERS,
            A::Read,
            get(report::item_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}",
            REPORTER,
            A::ItemDone,
            post(report::item_save),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}/preview",
            REPORT_READERS,
            A::Read,
            post(report::item_preview),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}/evidence",
            REPORTER,
            A::EvidenceUpload,
            post(evidence::upload),
        ),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/evidence/{eid}",
            REPORT_READERS,
            A::EvidenceDownload,
            get(evidence::download),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/evidence/{eid}/delete",
            REPORTER,
            A::EvidenceDelete,
            post(evidence::delete),
        ),
        // Review (考核) by the assessors.
        r(
            M::GET,
            "/c/{cid}/review",
            ASSESSOR,
            A::Read,
            get(review::queue),
        ),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/r/{item}",
            ASSESSOR,
            A::Read,
            get(review::item_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/r/{item}",
            ASSESSOR,
            A::ReviewConfirm,
            post(review::save),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/r/{item}/preview",
            ASSESSOR,
            A::Read,
            post(review::preview),
        ),
        // Results.
        r(
            M::GET,
            "/c/{cid}/results",
            Access::LoggedIn,
            A::Read,
            get(results::results_page),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}",
            Access::LoggedIn,
            A::Read,
            get(results::unit_page),
        ),
        // Results as documents and print views (the handlers apply the results pages'
        // visibility; every download is audited).
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/table.docx",
            Access::LoggedIn,
            A::ResultsExport,
            get(crate::exports::unit_docx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/table.xlsx",
            Access::LoggedIn,
            A::ResultsExport,
            get(crate::exports::unit_xlsx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/print",
            Access::LoggedIn,
            A::Read,
            get(crate::exports::print_unit),
        ),
        r(
            M::GET,
            "/c/{cid}/results/summary.xlsx",
            Access::LoggedIn,
            A::ResultsExport,
            get(crate::exports::summary_xlsx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/bulletin.docx",
            Access::LoggedIn,
            A::ResultsExport,
            get(crate::exports::bulletin_docx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/print",
            Access::LoggedIn,
            A::Read,
            get(crate::exports::print_ranking),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/results",
            ADMIN,
            A::ResultsCompute,
            post(results::compute_results),
        ),
        // Appeals (申诉).
        r(
            M::GET,
            "/c/{cid}/u/{uid}/appeal/{item}",
            REPORTER,
            A::Read,
            get(appeals::form_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/appeal/{item}",
            REPORTER,
            A::AppealFile,
            post(appeals::file),
        ),
        r(
            M::GET,
            "/c/{cid}/appeals",
            APPEAL_READERS,
            A::Read,
            get(appeals::list),
        ),
        r(
            M::POST,
            "/c/{cid}/appeals/{aid}",
            ASSESSOR,
            A::AppealAccept,
            post(appeals::answer),
        ),
        // Past years' results, for year over year.
        r(
            M::GET,
            "/admin/history",
            ADMIN,
            A::Read,
            get(history::import_page),
        ),
        r(
            M::POST,
            "/admin/history",
            ADMIN,
            A::HistoryImport,
            post(history::import),
        ),
        // Administration.
        r(M::GET, "/admin", ADMIN, A::Read, get(admin::overview)),
        // The audit log: read-only, for the auditor and the admin.
        r(M::GET, "/audit", AUDIT, A::Read, get(audit_log::audit_log)),
        r(
            M::GET,
            "/audit/export.csv",
            AUDIT,
            A::AuditExport,
            get(audit_log::audit_export),
        ),
        // Units.
        r(
            M::GET,
            "/admin/units",
            ADMIN,
            A::Read,
            get(admin_units::units_page),
        ),
        r(
            M::POST,
            "/admin/units",
            ADMIN,
            A::UnitCreate,
            post(admin_units::unit_add),
        ),
        r(
            M::POST,
            "/admin/units/import",
            ADMIN,
            A::UnitImport,
            post(admin_units::units_import),
        ),
        r(
            M::GET,
            "/admin/units/{uid}",
            ADMIN,
            A::Read,
            get(admin_units::unit_page),
        ),
        r(
            M::POST,
            "/admin/units/{uid}",
            ADMIN,
            A::UnitUpdate,
            post(admin_units::unit_save),
        ),
        // Departments.
        r(
            M::GET,
            "/admin/departments",
            ADMIN,
            A::Read,
            get(departments::departments_page),
        ),
        r(
            M::POST,
            "/admin/departments",
            ADMIN,
            A::DepartmentCreate,
            post(departments::department_add),
        ),
        r(
            M::POST,
            "/admin/departments/{did}",
            ADMIN,
            A::DepartmentRename,
            post(departments::department_rename),
        ),
        r(
            M::POST,
            "/admin/departments/{did}/delete",
            ADMIN,
            A::DepartmentDelete,
            post(departments::department_delete),
        ),
        // Users.
        r(
            M::GET,
            "/admin/users",
            ADMIN,
            A::Read,
            get(admin_users::users_page),
        ),
        r(
            M::POST,
            "/admin/users",
            ADMIN,
            A::UserCreate,
            post(admin_users::user_add),
        ),
        r(
            M::POST,
            "/admin/users/{user}/password",
            ADMIN,
            A::UserPasswordReset,
            post(admin_users::user_reset_password),
        ),
        r(
            M::POST,
            "/admin/users/{user}/active",
            ADMIN,
            A::UserDeactivate,
            post(admin_users::user_set_active),
        ),
        r(
            M::POST,
            "/admin/users/{user}/edit",
            ADMIN,
            A::UserEdit,
            post(admin_users::user_edit),
        ),
        // Rubrics.
        r(
            M::GET,
            "/admin/rubrics",
            ADMIN,
            A::Read,
            get(admin_rubrics::rubrics_page),
        ),
        r(
            M::POST,
            "/admin/rubrics",
            ADMIN,
            A::RubricUpload,
            post(admin_rubrics::rubric_upload),
        ),
        // Importing a rubric from its annex: the draft to review, then saved.
        r(
            M::POST,
            "/admin/rubrics/import",
            ADMIN,
            A::RubricImport,
            post(crate::rubric_import::import_upload),
        ),
        r(
            M::POST,
            "/admin/rubrics/import/save",
            ADMIN,
            A::RubricImport,
            post(crate::rubric_import::import_save),
        ),
        r(
            M::GET,
            "/admin/rubrics/{rid}",
            ADMIN,
            A::Read,
            get(admin_rubrics::rubric_page),
        ),
        r(
            M::GET,
            "/admin/rubrics/{rid}/diff",
            ADMIN,
            A::Read,
            get(admin_rubrics::rubric_diff_page),
        ),
        // Campaigns.
        r(
            M::GET,
            "/admin/campaigns/new",
            ADMIN,
            A::Read,
            get(admin_campaigns::new_campaign_page),
        ),
        r(
            M::POST,
            "/admin/campaigns",
            ADMIN,
            A::CampaignCreate,
            post(admin_campaigns::create_campaign),
        ),
        r(
            M::GET,
            "/admin/c/{cid}",
            ADMIN,
            A::Read,
            get(admin_campaigns::campaign_page),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/issue",
            ADMIN,
            A::CampaignIssue,
            post(admin_campaigns::campaign_issue),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/settings",
            ADMIN,
            A::CampaignUpdate,
            post(admin_campaigns::campaign_settings),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/u/{uid}",
            ADMIN,
            A::CampaignUnit,
            post(admin_campaigns::campaign_unit_save),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/departments",
            ADMIN,
            A::CampaignDepartments,
            post(admin_campaigns::campaign_departments),
        ),
        // Progress, publication (公示) and lock (定稿) of a campaign.
        r(
            M::GET,
            "/admin/c/{cid}/progress",
            ADMIN,
            A::Read,
            get(progress::progress_page),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/publish",
            ADMIN,
            A::CampaignPublish,
            post(admin_campaigns::campaign_publish),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/lock",
            ADMIN,
            A::CampaignLock,
            post(admin_campaigns::campaign_lock),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/unlock",
            ADMIN,
            A::CampaignUnlock,
            post(admin_campaigns::campaign_unlock),
        ),
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
/// current user in the request.
async fn guard(
    State((state, access, path, action)): State<(AppState, Access, &'static str, Action)>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let user = match session_user(&session).await {
        Ok(Some(id)) => match state.store.user(id).await {
            // A session from before the user's last password change is over.
            Ok(u)
                if u.active
                    && session_login_at(&session).await.unwrap_or(0)
                        >= u.credentials_changed_at =>
            {
                Some(u)
            }
            Ok(_) | Err(kaohe_storage::StorageError::NotFound) => {
                let _ = session.flush().await;
                None
            }
            Err(e) => return AppError::from(e).into_response(),
        },
        Ok(None) => None,
        Err(e) => return e.into_response(),
    };
    let Some(user) = user else {
        // Not logged in (or the session timed out): to the login page, then back.
        if req.method() == Method::GET {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let to = format!("/login?next={}", percent_encode(next));
            return Redirect::to(&to).into_response();
        }
        return AppError::Unauthorized.into_response();
    };
    if user.must_change_password && !WHILE_MUST_CHANGE.contains(&path) {
        return Redirect::to("/account/password").into_response();
    }
    if !access.allows(Some(user.role)) {
        return AppError::Forbidden.into_response();
    }
    let organiser = match state.store.organiser(user.organiser_id).await {
        Ok(o) => o,
        Err(e) => return AppError::from(e).into_response(),
    };
    let me = CurrentUser { user, organiser };
    // Every campaign route is checked, except the admin's reading (which no rule of the
    // year limits): a draft campaign does not exist for anyone else yet.
    if (action.rule() != Rule::Always || me.role() != Role::Admin)
        && let Err(e) = year_check(&state, &me, action, &mut req).await
    {
        // As in every handler, a form's CSRF token is checked before anything else is
        // said about it: a forged request learns nothing of the campaign.
        if req.method() == Method::POST {
            let token = match Upload::from_request(req, &state).await {
                Ok(form) => form.field("csrf").to_string(),
                Err(e) => return e.into_response(),
            };
            if let Err(e) = check_csrf(&session, &token).await {
                return e.into_response();
            }
        }
        return e.into_response();
    }
    req.extensions_mut().insert(me);
    next.run(req).await
}

/// Whether the route's action may happen now in its campaign (the `{cid}` of its path),
/// for its unit's report (the `{uid}`) where the rule reads one: [`year::allows`].
async fn year_check(
    state: &AppState,
    me: &CurrentUser,
    action: Action,
    req: &mut Request,
) -> Result<(), AppError> {
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
        return Ok(());
    };
    let uid = id("uid")?;
    // Another organiser's campaign does not exist for this user (`NotFound`).
    let year = year::Year::load(state, me.org(), cid).await?;
    // A draft is the admin's alone: for everyone else it does not exist yet.
    if year.phase == year::Phase::Draft && me.role() != Role::Admin {
        return Err(AppError::NotFound);
    }
    if action.rule() == Rule::Always {
        // Reading: each handler decides who may read what it shows.
        return Ok(());
    }
    // A reporter has one unit: another unit's report is not theirs to change.
    if me.role() == Role::Reporter && uid.is_some_and(|u| me.user.unit_id != Some(u)) {
        return Err(AppError::Forbidden);
    }
    let (report, deadline) = match (action.rule(), uid) {
        (Rule::Report | Rule::Review, Some(uid)) => {
            let report = state.store.report(cid, uid).await?;
            (
                Some(report.state),
                Some(year.deadline_of(state, uid).await?),
            )
        }
        _ => (None, None),
    };
    year::allows(year.phase, report, deadline, year.today, action)?;
    Ok(())
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
