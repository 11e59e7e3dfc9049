//! The login, logout and password pages.

use crate::http::form::Form;
use crate::year::Action;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AuditEntry, now_ms};
use serde::Deserialize;
use tower_sessions::Session;

use super::*;
use crate::AppState;
use crate::auth::throttle;
use crate::http::client::ClientAddr;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::layout::Layout;

// ── pages ─────────────────────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    /// `lifetime`: the session ended because it lasted as long as a session may.
    #[serde(default)]
    why: String,
}

pub async fn login_page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if session_user(&session).await?.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(LoginPage {
        layout: Layout::anonymous(&state, &session, "登录").await?,
        username: String::new(),
        next: safe_next(&q.next),
        error: (q.why == "lifetime").then(|| {
            format!(
                "已连续登录超过 {} 小时，为安全起见已自动退出，请重新登录。",
                state.config.session_lifetime.whole_hours()
            )
        }),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a path on this site, never another site (`//evil`, `https://…`).
fn safe_next(next: &str) -> String {
    // Browsers drop tabs and line breaks from a `Location`: `/<TAB>/evil` is `//evil`.
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next.to_string()
    } else {
        String::new()
    }
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    source: ClientAddr,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let username = form.username.trim().to_string();
    let keys = throttle::Keys::of(&username, source);
    let again = |error: String| async {
        Ok::<Response, AppError>(
            LoginPage {
                layout: Layout::anonymous(&state, &session, "登录").await?,
                username: username.clone(),
                next: safe_next(&form.next),
                error: Some(error),
            }
            .into_response(),
        )
    };
    if let Some(why) = throttle::refused(&state, &keys).await? {
        return again(why).await;
    }
    let user = state.store.user_by_username(&username).await?;
    // Verify against a dummy hash when there is no such user, so that timing does not
    // tell which names exist.
    let ok = match &user {
        Some(u) => verify_password(&form.password, &u.password_hash) && u.active,
        None => {
            let _ = verify_password(&form.password, &DUMMY_HASH);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        return again(throttle::failed(&state, &keys).await?).await;
    };
    let notice = throttle::succeeded(&state, &keys).await?;
    // A new session id at login, so that an id planted before login is worthless.
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session.insert(LOGIN_AT_KEY, now_ms()).await?;
    if let Some(n) = notice {
        session.insert(NOTICE_KEY, n).await?;
    }
    crate::http::csrf::renew(&session).await?;
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(user.organiser_id),
            user_id: Some(user.id),
            username: Some(user.username.clone()),
            action: Action::Login.code().into(),
            target: format!("user:{}", user.username),
            reason: None,
            changes: serde_json::json!([{"field": "来源地址", "old": null, "new": keys.source.0.to_string()}]),
        })
        .await?;
    let next = safe_next(&form.next);
    Ok(Redirect::to(if next.is_empty() { "/" } else { &next }).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn logout(session: Session, Form(form): Form<CsrfOnly>) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    session.flush().await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    layout: Layout,
    must_change: bool,
    /// The password is older than the deployment allows: how many days it may be.
    expired_after: Option<i64>,
    error: Option<String>,
    done: bool,
}

pub async fn password_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    Ok(PasswordPage {
        layout: Layout::new(&state, &session, &me, "修改密码").await?,
        must_change: me.user.must_change_password,
        expired_after: expired_after(&state, &me.user),
        error: None,
        done: false,
    }
    .into_response())
}

/// The days a password may be used, when this user's has been used longer.
fn expired_after(state: &AppState, user: &kaohe_storage::User) -> Option<i64> {
    let now = kaohe_storage::now_ms();
    crate::auth::password_expired(&state.config, user, now)
        .then(|| state.config.password_max_age.map(|a| a.whole_days()))
        .flatten()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    source: ClientAddr,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let problem = if let Some(wait) = throttle::password_check_refused(&state, me.user.id).await? {
        Some(wait)
    } else if !verify_password(&form.current, &me.user.password_hash) {
        let account = &me.user.username;
        Some(throttle::password_check_failed(&state, me.org(), me.user.id, account, source).await?)
    } else if form.new != form.confirm {
        Some("两次输入的新密码不一致".to_string())
    } else if form.new == form.current {
        Some("新密码不能与当前密码相同".to_string())
    } else {
        password_problem(&form.new, &me.user.username)
    };
    let done = problem.is_none();
    if done {
        throttle::password_check_passed(&state, me.user.id).await?;
        let hash = hash_password(&form.new)?;
        let mut work = state.store.begin().await?;
        let at = work.set_password(me.user.id, &hash, false).await?;
        // Other sessions of this user end; this one goes on.
        session.insert(LOGIN_AT_KEY, at).await?;
        work.commit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: Action::PasswordChange.code().into(),
            target: format!("user:{}", me.user.username),
            reason: None,
            changes: serde_json::json!([{"field": "password", "old": "…", "new": "…"}]),
        })
        .await?;
    }
    Ok(PasswordPage {
        layout: Layout::new(&state, &session, &me, "修改密码").await?,
        must_change: me.user.must_change_password && !done,
        expired_after: if done {
            None
        } else {
            expired_after(&state, &me.user)
        },
        error: problem,
        done,
    }
    .into_response())
}
