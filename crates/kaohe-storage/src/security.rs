//! Security events: counted, not logged one by one, so that a flood of refused requests
//! adds to a count in its hour instead of filling the database.

use sqlx::Row;

use crate::*;

/// An hour, in ms: the span one count covers.
const HOUR_MS: i64 = 60 * 60 * 1000;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityKind {
    LoginFailed,
    AccessRefused,
    CsrfRefused,
    PasswordWrong,
}

impl SecurityKind {
    pub const ALL: [SecurityKind; 4] = [
        SecurityKind::LoginFailed,
        SecurityKind::AccessRefused,
        SecurityKind::CsrfRefused,
        SecurityKind::PasswordWrong,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecurityKind::LoginFailed => "login.failed",
            SecurityKind::AccessRefused => "access.refused",
            SecurityKind::CsrfRefused => "csrf.refused",
            SecurityKind::PasswordWrong => "password.wrong",
        }
    }

    pub fn parse(s: &str) -> Option<SecurityKind> {
        SecurityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What happened, as an auditor reads it.
    pub fn label(self) -> &'static str {
        match self {
            SecurityKind::LoginFailed => "登录失败（用户名或密码不正确）",
            SecurityKind::AccessRefused => "访问无权查看或操作的内容，被拒绝",
            SecurityKind::CsrfRefused => "提交了过期或伪造的表单，被拒绝",
            SecurityKind::PasswordWrong => "修改密码时当前密码不正确",
        }
    }
}

/// One count: events of a kind, for one account from one source, in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub kind: SecurityKind,
    pub account: String,
    pub source: String,
    /// The hour's start (ms).
    pub hour: i64,
    pub count: i64,
    pub last_at: i64,
    /// The last page or form it concerned.
    pub last_target: String,
}

impl Store {
    /// Counts one event (organiser 0: a name no organiser has, or no one logged in).
    /// Returns the count in its hour so far.
    pub async fn record_security_event(
        &self,
        organiser_id: Option<Id>,
        kind: SecurityKind,
        account: &str,
        source: &str,
        target: &str,
        now: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO security_events
               (organiser_id, kind, account, source, hour, count, last_at, last_target)
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
             ON CONFLICT (organiser_id, kind, account, source, hour) DO UPDATE SET
               count = security_events.count + 1, last_at = $6, last_target = $7
             RETURNING count",
        )
        .bind(organiser_id.unwrap_or(0))
        .bind(kind.as_str())
        .bind(account)
        .bind(source)
        .bind(now - now.rem_euclid(HOUR_MS))
        .bind(now)
        .bind(target)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("count")?)
    }

    /// The organiser's counts since `since` (ms), the latest first, at most `limit`.
    pub async fn security_events(
        &self,
        organiser_id: Id,
        since: i64,
        limit: i64,
    ) -> Result<Vec<SecurityEvent>> {
        let rows = sqlx::query(
            "SELECT kind, account, source, hour, count, last_at, last_target FROM security_events
             WHERE organiser_id = $1 AND last_at >= $2 ORDER BY last_at DESC LIMIT $3",
        )
        .bind(organiser_id)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(SecurityEvent {
                    kind: decode("security event kind", &kind, SecurityKind::parse)?,
                    account: r.try_get("account")?,
                    source: r.try_get("source")?,
                    hour: r.try_get("hour")?,
                    count: r.try_get("count")?,
                    last_at: r.try_get("last_at")?,
                    last_target: r.try_get("last_target")?,
                })
            })
            .collect()
    }
}
