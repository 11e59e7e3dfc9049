//! Logging in and out, passwords, CSRF tokens, and who the current user is.

use crate::form::Form;
use crate::year::Action;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AuditEntry, Organiser, Role, User, now_ms};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::views::{Layout, china_time};

const USER_KEY: &str = "user_id";

/// A real hash of nothing in particular, checked when a login names no user, so that
/// the time a login takes does not tell which names exist.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password("no such user, no such password").unwrap_or_default()
});
const CSRF_KEY: &str = "csrf";
/// When this session logged in (ms): sessions older than the user's last password change
/// are refused by the route guard.
const LOGIN_AT_KEY: &str = "login_at";

/// When the session logged in, if it did (0 for sessions from before this was recorded).
pub async fn session_login_at(session: &Session) -> AppResult<i64> {
    Ok(session.get::<i64>(LOGIN_AT_KEY).await?.unwrap_or(0))
}

/// The logged-in user of a request, put there by the route guard.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub organiser: Organiser,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| AppError::Internal("route without guard uses CurrentUser".into()))
    }
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn org(&self) -> kaohe_storage::Id {
        self.user.organiser_id
    }
}

/// The id of the logged-in user, if any.
pub async fn session_user(session: &Session) -> AppResult<Option<kaohe_storage::Id>> {
    Ok(session.get::<kaohe_storage::Id>(USER_KEY).await?)
}

fn random_hex(bytes: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> AppResult<String> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await? {
        return Ok(t);
    }
    let t = random_hex(32);
    session.insert(CSRF_KEY, &t).await?;
    Ok(t)
}

/// Refuses a form whose token is not the session's.
pub async fn check_csrf(session: &Session, given: &str) -> AppResult<()> {
    match session.get::<String>(CSRF_KEY).await? {
        Some(t) if !given.is_empty() && constant_time_eq(t.as_bytes(), given.as_bytes()) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Hashes a password with argon2id (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hash: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Why a new password is too weak, if it is: at least 10 characters with three kinds of
/// characters (lower case, upper case, digits, others), or 16 characters of any kind;
/// not containing the user name; not a well-known password.
pub fn password_problem(password: &str, username: &str) -> Option<String> {
    let len = password.chars().count();
    let kinds = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    let lower = password.to_lowercase();
    const COMMON: [&str; 8] = [
        "password", "12345678", "qwertyui", "11111111", "88888888", "abc12345", "admin123",
        "iloveyou",
    ];
    if len < 10 {
        return Some(format!("密码太短：至少 10 个字符（现在 {len} 个）"));
    }
    if len < 16 && kinds < 3 {
        return Some(
            "密码须包含以下四类中的至少三类：小写字母、大写字母、数字、符号（或至少 16 个字符）"
                .into(),
        );
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Some("密码不能包含用户名".into());
    }
    if COMMON.iter().any(|c| lower.contains(c)) {
        return Some("密码太常见，容易被猜到；请换一个".into());
    }
    None
}

// ── pages ─────────────────────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
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
        error: None,
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
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let username = form.username.trim().to_string();
    let key = username.to_lowercase();
    let now = now_ms();
    let cfg = &state.config;
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
    let throttle = state.store.throttle(&key).await?;
    if throttle.locked_until > now {
        return again(format!(
            "登录失败次数过多，此账号已暂时锁定，请于 {} 之后再试，或联系管理员",
            china_time(throttle.locked_until)
        ))
        .await;
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
    if !ok {
        let t = state
            .store
            .record_login_failure(
                &key,
                now,
                cfg.throttle_window.whole_milliseconds() as i64,
                cfg.login_attempts,
                cfg.lockout.whole_milliseconds() as i64,
            )
            .await?;
        let msg = if t.locked_until > now {
            format!(
                "用户名或密码不正确。失败次数过多，此账号已暂时锁定，请于 {} 之后再试",
                china_time(t.locked_until)
            )
        } else {
            format!(
                "用户名或密码不正确（再失败 {} 次将暂时锁定）",
                cfg.login_attempts - t.failures
            )
        };
        return again(msg).await;
    }
    let user = user.expect("checked above");
    state.store.clear_login_failures(&key).await?;
    // A new session id at login, so that an id planted before login is worthless.
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session.insert(LOGIN_AT_KEY, now).await?;
    session.insert(CSRF_KEY, random_hex(32)).await?;
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(user.organiser_id),
            user_id: Some(user.id),
            username: Some(user.username.clone()),
            action: Action::Login.code().into(),
            target: format!("user:{}", user.username),
            reason: None,
            changes: serde_json::json!([]),
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
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    must_change: bool,
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
        error: None,
        done: false,
    }
    .into_response())
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
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let problem = if !verify_password(&form.current, &me.user.password_hash) {
        Some("当前密码不正确".to_string())
    } else if form.new != form.confirm {
        Some("两次输入的新密码不一致".to_string())
    } else if form.new == form.current {
        Some("新密码不能与当前密码相同".to_string())
    } else {
        password_problem(&form.new, &me.user.username)
    };
    let done = problem.is_none();
    if done {
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
        error: problem,
        done,
    }
    .into_response())
}
