//! Every route, declared once with the roles that may use it. The router is built from
//! this table, and the access test reads it: a route cannot exist without an access rule.
//!
//! The table checks the role; handlers check the rest on the server for every request:
//! the organiser (another organiser's things do not exist for you), the unit (a reporter
//! sees only their own), and the item (an assessor only their department's).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use kaohe_storage::Role;
use tower_sessions::Session;

use crate::auth::{CurrentUser, session_login_at, session_user};
use crate::error::AppError;
use crate::{
    AppState, admin, admin_campaigns, admin_rubrics, admin_units, admin_users, appeals, assets,
    audit_log, auth, evidence, history, progress, report, results, review,
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

fn r(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
    Route {
        method,
        path,
        access,
        handler,
    }
}

/// The route table.
pub fn table() -> Vec<Route> {
    use Method as M;
    vec![
        r(M::GET, "/assets/{name}", Access::Public, get(assets::asset)),
        r(M::GET, "/login", Access::Public, get(auth::login_page)),
        r(M::POST, "/login", Access::Public, post(auth::login)),
        r(M::POST, "/logout", Access::LoggedIn, post(auth::logout)),
        r(
            M::GET,
            "/account/password",
            Access::LoggedIn,
            get(auth::password_page),
        ),
        r(
            M::POST,
            "/account/password",
            Access::LoggedIn,
            post(auth::change_password),
        ),
        r(M::GET, "/", Access::LoggedIn, get(report::home)),
        // A unit's report in a campaign.
        r(
            M::GET,
            "/c/{cid}/u/{uid}",
            REPORT_READERS,
            get(report::report_home),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/submit",
            REPORTER,
            post(report::submit),
        ),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/i/{item}",
            REPORT_READERS,
            get(report::item_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}",
            REPORTER,
            post(report::item_save),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}/preview",
            REPORT_READERS,
            post(report::item_preview),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/i/{item}/evidence",
            REPORTER,
            post(evidence::upload),
        ),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/evidence/{eid}",
            REPORT_READERS,
            get(evidence::download),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/evidence/{eid}/delete",
            REPORTER,
            post(evidence::delete),
        ),
        // Review (考核) by the assessors.
        r(M::GET, "/c/{cid}/review", ASSESSOR, get(review::queue)),
        r(
            M::GET,
            "/c/{cid}/u/{uid}/r/{item}",
            ASSESSOR,
            get(review::item_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/r/{item}",
            ASSESSOR,
            post(review::save),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/r/{item}/preview",
            ASSESSOR,
            post(review::preview),
        ),
        // Results.
        r(
            M::GET,
            "/c/{cid}/results",
            Access::LoggedIn,
            get(results::results_page),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}",
            Access::LoggedIn,
            get(results::unit_page),
        ),
        // Results as documents and print views (the handlers apply the results pages'
        // visibility; every download is audited).
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/table.docx",
            Access::LoggedIn,
            get(crate::exports::unit_docx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/table.xlsx",
            Access::LoggedIn,
            get(crate::exports::unit_xlsx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/u/{uid}/print",
            Access::LoggedIn,
            get(crate::exports::print_unit),
        ),
        r(
            M::GET,
            "/c/{cid}/results/summary.xlsx",
            Access::LoggedIn,
            get(crate::exports::summary_xlsx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/bulletin.docx",
            Access::LoggedIn,
            get(crate::exports::bulletin_docx),
        ),
        r(
            M::GET,
            "/c/{cid}/results/print",
            Access::LoggedIn,
            get(crate::exports::print_ranking),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/results",
            ADMIN,
            post(results::compute_results),
        ),
        // Appeals (申诉).
        r(
            M::GET,
            "/c/{cid}/u/{uid}/appeal/{item}",
            REPORTER,
            get(appeals::form_page),
        ),
        r(
            M::POST,
            "/c/{cid}/u/{uid}/appeal/{item}",
            REPORTER,
            post(appeals::file),
        ),
        r(
            M::GET,
            "/c/{cid}/appeals",
            APPEAL_READERS,
            get(appeals::list),
        ),
        r(
            M::POST,
            "/c/{cid}/appeals/{aid}",
            ASSESSOR,
            post(appeals::answer),
        ),
        // Past years' results, for year over year.
        r(M::GET, "/admin/history", ADMIN, get(history::import_page)),
        r(M::POST, "/admin/history", ADMIN, post(history::import)),
        // Administration.
        r(M::GET, "/admin", ADMIN, get(admin::overview)),
        // The audit log: read-only, for the auditor and the admin.
        r(M::GET, "/audit", AUDIT, get(audit_log::audit_log)),
        r(
            M::GET,
            "/audit/export.csv",
            AUDIT,
            get(audit_log::audit_export),
        ),
        // Units.
        r(M::GET, "/admin/units", ADMIN, get(admin_units::units_page)),
        r(M::POST, "/admin/units", ADMIN, post(admin_units::unit_add)),
        r(
            M::POST,
            "/admin/units/import",
            ADMIN,
            post(admin_units::units_import),
        ),
        r(
            M::GET,
            "/admin/units/{uid}",
            ADMIN,
            get(admin_units::unit_page),
        ),
        r(
            M::POST,
            "/admin/units/{uid}",
            ADMIN,
            post(admin_units::unit_save),
        ),
        // Users.
        r(M::GET, "/admin/users", ADMIN, get(admin_users::users_page)),
        r(M::POST, "/admin/users", ADMIN, post(admin_users::user_add)),
        r(
            M::POST,
            "/admin/users/{user}/password",
            ADMIN,
            post(admin_users::user_reset_password),
        ),
        r(
            M::POST,
            "/admin/users/{user}/active",
            ADMIN,
            post(admin_users::user_set_active),
        ),
        r(
            M::POST,
            "/admin/users/{user}/edit",
            ADMIN,
            post(admin_users::user_edit),
        ),
        // Rubrics.
        r(
            M::GET,
            "/admin/rubrics",
            ADMIN,
            get(admin_rubrics::rubrics_page),
        ),
        r(
            M::POST,
            "/admin/rubrics",
            ADMIN,
            post(admin_rubrics::rubric_upload),
        ),
        // Importing a rubric from its annex: the draft to review, then saved.
        r(
            M::POST,
            "/admin/rubrics/import",
            ADMIN,
            post(crate::rubric_import::import_upload),
        ),
        r(
            M::POST,
            "/admin/rubrics/import/save",
            ADMIN,
            post(crate::rubric_import::import_save),
        ),
        r(
            M::GET,
            "/admin/rubrics/{rid}",
            ADMIN,
            get(admin_rubrics::rubric_page),
        ),
        r(
            M::GET,
            "/admin/rubrics/{rid}/diff",
            ADMIN,
            get(admin_rubrics::rubric_diff_page),
        ),
        // Campaigns.
        r(
            M::GET,
            "/admin/campaigns/new",
            ADMIN,
            get(admin_campaigns::new_campaign_page),
        ),
        r(
            M::POST,
            "/admin/campaigns",
            ADMIN,
            post(admin_campaigns::create_campaign),
        ),
        r(
            M::GET,
            "/admin/c/{cid}",
            ADMIN,
            get(admin_campaigns::campaign_page),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/settings",
            ADMIN,
            post(admin_campaigns::campaign_settings),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/u/{uid}",
            ADMIN,
            post(admin_campaigns::campaign_unit_save),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/departments",
            ADMIN,
            post(admin_campaigns::campaign_departments),
        ),
        // Progress, publication (公示) and lock (定稿) of a campaign.
        r(
            M::GET,
            "/admin/c/{cid}/progress",
            ADMIN,
            get(progress::progress_page),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/publish",
            ADMIN,
            post(admin_campaigns::campaign_publish),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/lock",
            ADMIN,
            post(admin_campaigns::campaign_lock),
        ),
        r(
            M::POST,
            "/admin/c/{cid}/unlock",
            ADMIN,
            post(admin_campaigns::campaign_unlock),
        ),
    ]
}

/// Routes a person reaches while they must change their password first.
const WHILE_MUST_CHANGE: [&str; 3] = ["/account/password", "/logout", "/assets/{name}"];

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in table() {
        let guard =
            middleware::from_fn_with_state((state.clone(), route.access, route.path), guard);
        router = router.route(route.path, route.handler.route_layer(guard));
    }
    router
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
}

/// Checks the route's access rule and puts the current user in the request.
async fn guard(
    State((state, access, path)): State<(AppState, Access, &'static str)>,
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
    req.extensions_mut().insert(CurrentUser { user, organiser });
    next.run(req).await
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
