//! The login throttle. Failed logins are counted per account *and* address: after
//! `login_attempts` failures from one address, each further failure from there waits
//! (one minute, then twice as long each time, up to `lockout`), and no other address is
//! affected, so someone who only knows a user name cannot lock its owner out. Failures
//! from all addresses together lock the account itself only on much stronger evidence
//! (`account_attempts` within a day, a distributed guess); an admin can unlock it, and at
//! the next login the user is told how many failures there were and where the last came
//! from. Counters are rows in the database, shared by every app server.

use kaohe_storage::{AuditEntry, Id, SecurityKind, User, now_ms};

use crate::AppState;
use crate::http::client::ClientAddr;
use crate::http::error::AppResult;
use crate::http::layout::china_time;
use crate::year::Action;

/// A day: the window in which failures are counted.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The first wait after `login_attempts` failures from one address.
const FIRST_WAIT_MS: i64 = 60 * 1000;

/// The wait after the `over`-th failure past the allowed ones (0 for the first): one
/// minute, doubling, up to `lockout`.
fn wait_ms(state: &AppState, over: i64) -> i64 {
    (FIRST_WAIT_MS << over.clamp(0, 20)).min(state.config.lockout.whole_milliseconds() as i64)
}

/// The counters a login attempt touches.
pub struct Keys {
    /// The account name as typed, case and surrounding spaces ignored (existing or not).
    pub account: String,
    /// The name as typed (trimmed), to find the user.
    pub typed: String,
    pub source: ClientAddr,
    pair: String,
    whole: String,
}

impl Keys {
    pub fn of(username: &str, source: ClientAddr) -> Keys {
        let account = username.trim().to_lowercase();
        Keys {
            pair: format!("pair:{account}|{}", source.0),
            whole: format!("account:{account}"),
            account,
            typed: username.trim().to_string(),
            source,
        }
    }
}

/// Why a login may not be tried now, if it may not: this address waits, or the account
/// is locked.
pub async fn refused(state: &AppState, keys: &Keys) -> AppResult<Option<String>> {
    let now = now_ms();
    let account = state.store.throttle(&keys.whole).await?;
    if account.locked_until > now {
        return Ok(Some(account_locked(account.locked_until)));
    }
    let pair = state.store.throttle(&keys.pair).await?;
    if pair.locked_until > now {
        return Ok(Some(format!(
            "从您这里登录此账号失败次数过多，已暂时锁定，请于 {} 之后再试；忘记密码请联系管理员重置",
            china_time(pair.locked_until)
        )));
    }
    Ok(None)
}

fn account_locked(until: i64) -> String {
    format!(
        "此账号近一天内登录失败次数过多，已暂时锁定，请于 {} 之后再试，或请管理员解除锁定",
        china_time(until)
    )
}

/// Counts a failed login and says what the person is told. A lock it sets is recorded in
/// the audit log of the account's organiser (once per lock, not per attempt).
pub async fn failed(state: &AppState, keys: &Keys) -> AppResult<String> {
    let now = now_ms();
    let cfg = &state.config;
    let source = keys.source.0.to_string();
    let store = &state.store;
    let user = store.user_by_username(&keys.typed).await?;
    let organiser = user.as_ref().map(|u| u.organiser_id);
    store
        .record_security_event(
            organiser,
            SecurityKind::LoginFailed,
            &keys.account,
            &source,
            "/login",
            now,
        )
        .await?;
    let pair = store
        .record_login_failure(&keys.pair, &keys.account, &source, now, DAY_MS)
        .await?;
    let whole = store
        .record_login_failure(&keys.whole, &keys.account, &source, now, DAY_MS)
        .await?;
    if whole.failures >= cfg.account_attempts {
        let until = now + cfg.account_lockout.whole_milliseconds() as i64;
        store.lock_login(&keys.whole, until).await?;
        if whole.failures == cfg.account_attempts {
            audit_lock(state, keys, user.as_ref(), whole.failures, until, "账号").await?;
        }
        return Ok(format!("用户名或密码不正确。{}", account_locked(until)));
    }
    let over = pair.failures - cfg.login_attempts;
    if over >= 0 {
        let until = now + wait_ms(state, over);
        store.lock_login(&keys.pair, until).await?;
        if over == 0 {
            audit_lock(state, keys, user.as_ref(), pair.failures, until, "来源地址").await?;
        }
        return Ok(format!(
            "用户名或密码不正确。从您这里失败次数过多，已暂时锁定，请于 {} 之后再试",
            china_time(until)
        ));
    }
    Ok(format!(
        "用户名或密码不正确（再失败 {} 次将暂时锁定）",
        cfg.login_attempts - pair.failures
    ))
}

/// At a successful login: what the user is told about failures since their last login,
/// if there were any. This address's and the account's counters start again; other
/// addresses still wait.
pub async fn succeeded(state: &AppState, keys: &Keys) -> AppResult<Option<String>> {
    let account = state.store.throttle(&keys.whole).await?;
    state.store.clear_login_failures(&keys.pair).await?;
    state.store.clear_login_failures(&keys.whole).await?;
    Ok((account.total > 0).then(|| {
        format!(
            "自您上次登录以来，有 {} 次用错误的密码尝试登录您的账号，最近一次在 {}，来自 {}。如果不是您本人，请修改密码并告知管理员。",
            account.total,
            china_time(account.last_failure),
            account.last_source
        )
    }))
}

async fn audit_lock(
    state: &AppState,
    keys: &Keys,
    user: Option<&User>,
    failures: i64,
    until: i64,
    scope: &str,
) -> AppResult<()> {
    let Some(user) = user else {
        // A name no one has: nobody's log to write to (the counters still hold it).
        tracing::warn!(account = %keys.account, source = %keys.source.0, "login locked for a name that does not exist");
        return Ok(());
    };
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(user.organiser_id),
            user_id: None,
            username: Some(user.username.clone()),
            action: Action::LoginLocked.code().into(),
            target: format!("user:{}", user.username),
            reason: None,
            changes: serde_json::json!([
                {"field": "锁定范围", "old": null, "new": scope},
                {"field": "来源地址", "old": null, "new": keys.source.0.to_string()},
                {"field": "失败次数", "old": null, "new": failures},
                {"field": "锁定至", "old": null, "new": china_time(until)},
            ]),
        })
        .await?;
    Ok(())
}

/// The current-password check of the password page, throttled like a login: after
/// `login_attempts` wrong passwords in a day, each further try waits, longer each time.
/// Why it may not be tried now, if it may not.
pub async fn password_check_refused(state: &AppState, user: Id) -> AppResult<Option<String>> {
    let t = state.store.throttle(&format!("password:{user}")).await?;
    Ok((t.locked_until > now_ms()).then(|| {
        format!(
            "当前密码输错次数过多，请于 {} 之后再试；忘记密码请联系管理员重置",
            china_time(t.locked_until)
        )
    }))
}

/// Counts a wrong current password (a security event too) and says what to tell.
pub async fn password_check_failed(
    state: &AppState,
    organiser: Id,
    user: Id,
    account: &str,
    source: ClientAddr,
) -> AppResult<String> {
    let now = now_ms();
    let key = format!("password:{user}");
    let source = source.0.to_string();
    let store = &state.store;
    store
        .record_security_event(
            Some(organiser),
            SecurityKind::PasswordWrong,
            account,
            &source,
            "/account/password",
            now,
        )
        .await?;
    let t = store
        .record_login_failure(&key, &account.to_lowercase(), &source, now, DAY_MS)
        .await?;
    let over = t.failures - state.config.login_attempts;
    if over >= 0 {
        let until = now + wait_ms(state, over);
        store.lock_login(&key, until).await?;
        return Ok(format!(
            "当前密码不正确。输错次数过多，请于 {} 之后再试",
            china_time(until)
        ));
    }
    Ok("当前密码不正确".to_string())
}

/// A password changed: its check starts again.
pub async fn password_check_passed(state: &AppState, user: Id) -> AppResult<()> {
    state
        .store
        .clear_login_failures(&format!("password:{user}"))
        .await?;
    Ok(())
}
