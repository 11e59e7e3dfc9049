//! Who the current user is (the session's user, loaded per request), and passwords:
//! hashing and the strength rule. The login, logout and password pages are `pages`.

mod pages;
mod throttle;

pub use pages::{change_password, login, login_page, logout, password_page};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kaohe_storage::{Organiser, Role, User};
use tower_sessions::Session;

use crate::http::error::{AppError, AppResult};

pub(crate) const USER_KEY: &str = "user_id";
/// A message for the user shown once, on the next page (at login: failed attempts since
/// their last login).
pub(crate) const NOTICE_KEY: &str = "notice";

/// A real hash of nothing in particular, checked when a login names no user, so that
/// the time a login takes does not tell which names exist.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password("no such user, no such password").unwrap_or_default()
});
/// When this session logged in (ms): sessions older than the user's last password change
/// are refused by the route guard.
pub(crate) const LOGIN_AT_KEY: &str = "login_at";

/// When the session logged in, if it did (0 for sessions from before this was recorded).
pub async fn session_login_at(session: &Session) -> AppResult<i64> {
    Ok(session.get::<i64>(LOGIN_AT_KEY).await?.unwrap_or(0))
}

/// Whether a user's password is older than the deployment allows (a user whose password
/// change was never recorded, from before kaohe kept it, is not held to it).
pub fn password_expired(config: &crate::Config, user: &User, now_ms: i64) -> bool {
    match config.password_max_age {
        Some(age) => {
            user.credentials_changed_at > 0
                && now_ms - user.credentials_changed_at > age.whole_milliseconds() as i64
        }
        None => false,
    }
}

/// The logged-in user of a request, put there by the route guard.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub organiser: Organiser,
    /// What the route guard read to check the rule of the year, for the handler to use
    /// rather than read again in the same request.
    pub(crate) checked: Option<std::sync::Arc<crate::year::Checked>>,
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

/// Hashes a password with argon2id (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hash: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
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
