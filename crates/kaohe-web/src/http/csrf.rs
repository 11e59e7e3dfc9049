//! CSRF tokens: one per session, sent back with every form and compared in constant
//! time before anything else is said about the form.

use tower_sessions::Session;

use crate::http::error::{AppError, AppResult};

const CSRF_KEY: &str = "csrf";

fn random_hex(bytes: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// Gives the session a new token (at login: a token seen before it is worth nothing).
pub async fn renew(session: &Session) -> AppResult<()> {
    session.insert(CSRF_KEY, random_hex(32)).await?;
    Ok(())
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
