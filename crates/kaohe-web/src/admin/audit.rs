//! The audit log (审计日志) for the auditor and the admin: the organiser's rows, newest
//! first, filtered by user, action, target, unit, item and date (China time), a page at
//! a time, each with its changes old → new; the hash chain verified on the page; and the
//! filtered rows as a CSV file that Excel opens with its Chinese intact. Nobody can
//! change or remove a row from here: the page only reads.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AuditEntry, AuditFilter, AuditHit, Id};
use tower_sessions::Session;

use super::audit_words::{Words, state_words};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{DATE_HINT, Form, Opt, query_encode, valid_date};
use crate::http::layout::{Layout, china_time};
use crate::http::upload::field;
use crate::year::Action;

/// Rows per page.
const PAGE: i64 = 100;
/// The most rows one CSV export holds.
const EXPORT_MAX: i64 = 100_000;

/// The filters as typed (the query string of the page and of the export).
#[derive(Default, Clone)]
pub struct AuditQuery {
    user: String,
    action: String,
    target: String,
    unit: String,
    item: String,
    from: String,
    to: String,
    page: String,
}

/// A timestamp (ms) of the start of a China date `YYYY-MM-DD`.
fn china_midnight(date: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| date.get(r).and_then(|t| t.parse::<u16>().ok());
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = time::Month::try_from(m as u8).ok()?;
    let day = time::Date::from_calendar_date(y as i32, month, d as u8).ok()?;
    let offset = time::UtcOffset::from_hms(8, 0, 0).ok()?;
    Some(day.midnight().assume_offset(offset).unix_timestamp() * 1000)
}

impl AuditQuery {
    /// The filters of a query string (the first of a repeated name; unknown names are
    /// ignored).
    fn read(pairs: &[(String, String)]) -> AuditQuery {
        let get = |name: &str| field(pairs, name).trim().to_string();
        AuditQuery {
            user: get("user"),
            action: get("action"),
            target: get("target"),
            unit: get("unit"),
            item: get("item"),
            from: get("from"),
            to: get("to"),
            page: get("page"),
        }
    }

    /// The storage filter, or what is wrong with the dates typed.
    fn filter(&self, units: &[kaohe_storage::Unit]) -> Result<AuditFilter, String> {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut problems = Vec::new();
        let from = match self.from.as_str() {
            "" => None,
            d if valid_date(d) => china_midnight(d),
            _ => {
                problems.push(format!("起始日期：{DATE_HINT}"));
                None
            }
        };
        // The end date includes its whole day: until the next midnight.
        let until = match self.to.as_str() {
            "" => None,
            d if valid_date(d) => china_midnight(d).map(|t| t + 86_400_000),
            _ => {
                problems.push(format!("结束日期：{DATE_HINT}"));
                None
            }
        };
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            problems.push("结束日期早于起始日期".to_string());
        }
        let unit = match self.unit.as_str() {
            "" => None,
            v => match v
                .parse::<Id>()
                .ok()
                .filter(|id| units.iter().any(|u| u.id == *id))
            {
                Some(id) => Some(id),
                None => {
                    problems.push("所选单位不存在；请刷新页面后重新选择".to_string());
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(format!("未查询：{}。", problems.join("；")));
        }
        Ok(AuditFilter {
            username: opt(&self.user),
            action: opt(&self.action),
            target: opt(&self.target),
            unit,
            item: opt(&self.item),
            from,
            until,
        })
    }

    fn page(&self) -> i64 {
        self.page
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The query string of these filters, at `page` (0: no page, for the export).
    fn query_string(&self, page: i64) -> String {
        let mut parts: Vec<String> = [
            ("user", &self.user),
            ("action", &self.action),
            ("target", &self.target),
            ("unit", &self.unit),
            ("item", &self.item),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_encode(v)))
        .collect();
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    fn any(&self) -> bool {
        [
            &self.user,
            &self.action,
            &self.target,
            &self.unit,
            &self.item,
            &self.from,
            &self.to,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }
}

/// A changed value as a person reads it.
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "（空）".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Each change of a row as `field：old → new` (or, for an access row, its details),
/// fields and states in words where `words` knows them.
fn changes_of(entry: &AuditEntry, words: Option<&Words>) -> Vec<String> {
    let value = |v: &serde_json::Value| match (v.as_str().and_then(state_words), v) {
        (Some(w), _) if words.is_some() => w.to_string(),
        (_, serde_json::Value::Bool(b)) if words.is_some() => if *b { "是" } else { "否" }.into(),
        _ => shown(v),
    };
    match &entry.changes {
        serde_json::Value::Array(list) => list
            .iter()
            .map(|c| match (c.get("field"), c.get("old"), c.get("new")) {
                (Some(f), Some(o), Some(n)) => {
                    let f = f.as_str().unwrap_or_default();
                    let f = match words {
                        Some(w) => w.field(&entry.target, f),
                        None => f.to_string(),
                    };
                    format!("{f}：{} → {}", value(o), value(n))
                }
                _ => shown(c),
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![shown(other)],
    }
}

/// What a person did, in words; a code kaohe no longer knows is shown as it is.
pub fn action_words(code: &str) -> String {
    Action::from_code(code)
        .map(|a| a.sentence().to_string())
        .unwrap_or_else(|| code.to_string())
}

struct RowView {
    seq: String,
    at: String,
    who: String,
    action: String,
    /// What the row is about, in names.
    about: String,
    /// The codes, one click away: the action's and the target's.
    code: String,
    target: String,
    reason: String,
    changes: Vec<String>,
}

fn row_view(hit: AuditHit, words: &Words) -> RowView {
    let changes = changes_of(&hit.row.entry, Some(words));
    let e = hit.row.entry;
    RowView {
        seq: hit.seq.map(|s| s.to_string()).unwrap_or_default(),
        at: china_time(hit.row.at),
        who: words.who(&e.username.unwrap_or_default()),
        action: action_words(&e.action),
        about: words.target(&e.target),
        code: e.action,
        target: e.target,
        reason: e.reason.unwrap_or_default(),
        changes,
    }
}

struct ChainView {
    rows: i64,
    head: String,
    problems: Vec<String>,
    /// When the whole chain was last recomputed, and how many rows since were checked
    /// on this load.
    whole_at: String,
    since: i64,
}

/// How old the last whole verification may be before a page load runs one again.
const WHOLE_EVERY_MS: i64 = 24 * 60 * 60 * 1000;

/// The chain as the audit page shows it: the rows added since the last load are
/// recomputed on every load (a few rows), from a checkpoint that each load moves on; the
/// whole chain again when
/// that one is a day old, found a problem, or `whole` is asked for — not the whole log
/// on every page load. Returns (the check over the whole chain, when it was last
/// recomputed whole, the rows recomputed since).
pub(crate) async fn chain_check(
    state: &AppState,
    whole: bool,
) -> AppResult<(kaohe_storage::AuditCheck, i64, i64)> {
    let _one = state.audit_check.lock().await;
    let now = kaohe_storage::now_ms();
    let last = if whole {
        None
    } else {
        state.store.audit_verified().await?
    };
    if let Some((at, done)) = last
        && done.problems.is_empty()
        && now - at < WHOLE_EVERY_MS
    {
        let since = state.store.audit_verify_since(&done.head).await?;
        if since.problems.is_empty() {
            // The checkpoint's own row is recomputed again with the new ones.
            let new = (since.rows - 1).max(0);
            let check = kaohe_storage::AuditCheck {
                rows: done.rows + new,
                head: since.head,
                problems: Vec::new(),
            };
            // The checkpoint moves on to the rows just checked (the time of the last
            // whole recomputation stays): the next load checks only what came after,
            // however many rows were written since the day's whole recomputation.
            if new > 0 {
                state.store.set_audit_verified(at, &check).await?;
            }
            return Ok((check, at, new));
        }
    }
    let check = state.store.audit_verify().await?;
    state.store.set_audit_verified(now, &check).await?;
    Ok((check, now, 0))
}

/// Recomputes the whole chain now (the button on the audit page), then shows the page.
pub async fn verify_whole(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    crate::http::csrf::check_csrf(&session, field(&form, "csrf")).await?;
    chain_check(&state, true).await?;
    Ok(Redirect::to("/audit#verify").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    q: AuditQuery,
    filtered: bool,
    /// The actions found in the log: (code to filter by, words to read).
    actions: Vec<(String, String)>,
    users: Vec<String>,
    units: Vec<Opt>,
    /// The items to filter by: `(id, words)`.
    items: Vec<(String, String)>,
    error: Option<String>,
    rows: Vec<RowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    chain: ChainView,
    /// Security events of the last 30 days, counted by hour.
    security: Vec<SecurityRow>,
    /// Changes to accounts in the last 30 days (created, edited, reset, unlocked,
    /// deactivated): what an auditor reviews of the administrator's work (三员分立).
    accounts: Vec<RowView>,
    /// Account changes made since the auditor last marked them reviewed (the alert), and
    /// whether this reader is the auditor (who may mark them).
    unreviewed: i64,
    auditor: bool,
    /// When they were last marked reviewed, and by whom.
    reviewed: Option<String>,
}

/// The most account changes listed on the page (the rest through the filter 账号).
const ACCOUNT_ROWS: i64 = 50;

struct SecurityRow {
    hour: String,
    what: &'static str,
    account: String,
    source: String,
    count: i64,
    last: String,
    target: String,
}

/// How many security counts the page shows (the latest).
const SECURITY_ROWS: i64 = 200;

/// The audit page.
pub async fn audit_log(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let q = AuditQuery::read(&pairs);
    let unit_list = state.store.units(me.org()).await?;
    let (actions, users) = state.store.audit_vocabulary(me.org()).await?;
    let words = Words::load(&state, me.org()).await?;
    let (rows, total, error) = match q.filter(&unit_list) {
        Ok(filter) => {
            let total = state.store.audit_count(me.org(), &filter).await?;
            let offset = (q.page() - 1) * PAGE;
            let hits = state
                .store
                .audit_search(me.org(), &filter, PAGE, offset)
                .await?;
            let rows = hits.into_iter().map(|h| row_view(h, &words)).collect();
            (rows, total, None)
        }
        Err(e) => (Vec::new(), 0, Some(e)),
    };
    let page = q.page();
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    // The chain is one for the whole deployment.
    let (check, whole_at, fresh) = chain_check(&state, false).await?;
    let units = unit_list
        .into_iter()
        .map(|u| Opt {
            selected: q.unit == u.id.to_string(),
            value: u.id.to_string(),
            label: u.name,
        })
        .collect();
    let since = kaohe_storage::now_ms() - 30 * 24 * 60 * 60 * 1000;
    let account_changes = kaohe_storage::AuditFilter {
        action: Some("user".into()),
        from: Some(since),
        ..Default::default()
    };
    let accounts = state
        .store
        .audit_search(me.org(), &account_changes, ACCOUNT_ROWS, 0)
        .await?
        .into_iter()
        .map(|h| row_view(h, &words))
        .collect();
    let (unreviewed, reviewed) = unreviewed_account_changes(&state, me.org()).await?;
    let security = state
        .store
        .security_events(me.org(), since, SECURITY_ROWS)
        .await?
        .into_iter()
        .map(|e| SecurityRow {
            hour: china_time(e.hour),
            what: e.kind.label(),
            account: e.account,
            source: e.source,
            count: e.count,
            last: china_time(e.last_at),
            target: e.last_target,
        })
        .collect();
    Ok(AuditPage {
        layout: Layout::new(&state, &session, &me, "审计日志").await?,
        security,
        accounts,
        unreviewed,
        auditor: me.user.role == kaohe_storage::Role::Auditor,
        reviewed,
        filtered: q.any(),
        actions: actions
            .into_iter()
            .map(|code| {
                let words = action_words(&code);
                (code, words)
            })
            .collect(),
        users,
        units,
        items: words.items(),
        error,
        rows,
        total,
        page,
        pages,
        prev: (page > 1).then(|| format!("/audit{}", q.query_string(page - 1))),
        next: (page < pages).then(|| format!("/audit{}", q.query_string(page + 1))),
        export: format!("/audit/export.csv{}", q.query_string(0)),
        chain: ChainView {
            rows: check.rows,
            head: check.head.to_string(),
            problems: check.problems,
            whole_at: china_time(whole_at),
            since: fresh,
        },
        q,
    }
    .into_response())
}

/// Account changes (any `user.*` action) since the auditor last marked them reviewed,
/// and when and by whom that was (三员分立: the administrator's changes to accounts are
/// the auditor's to review, and the audit page says so until they are).
pub(crate) async fn unreviewed_account_changes(
    state: &AppState,
    org: kaohe_storage::Id,
) -> AppResult<(i64, Option<String>)> {
    let last = state
        .store
        .audit_search(
            org,
            &kaohe_storage::AuditFilter {
                action: Some(Action::AccountsReviewed.code().into()),
                ..Default::default()
            },
            1,
            0,
        )
        .await?
        .into_iter()
        .next();
    let since = last.as_ref().map(|h| h.row.at + 1);
    let count = state
        .store
        .audit_count(
            org,
            &kaohe_storage::AuditFilter {
                action: Some("user".into()),
                from: since,
                ..Default::default()
            },
        )
        .await?;
    let reviewed = last.map(|h| {
        format!(
            "{} 由 {} 审阅",
            china_time(h.row.at),
            h.row.entry.username.unwrap_or_default()
        )
    });
    Ok((count, reviewed))
}

/// The auditor marks the account changes so far as reviewed: an audit row of its own,
/// after which the alert counts only later changes.
pub async fn accounts_reviewed(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    crate::http::csrf::check_csrf(&session, field(&form, "csrf")).await?;
    let (count, _) = unreviewed_account_changes(&state, me.org()).await?;
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: Action::AccountsReviewed.code().into(),
            target: format!("organiser:{}", me.org()),
            reason: None,
            changes: serde_json::json!([{"field": "account_changes", "old": count, "new": 0}]),
        })
        .await?;
    Ok(Redirect::to("/audit#accounts").into_response())
}

/// One CSV field: quoted when it needs to be; a leading `= + - @` (which a spreadsheet
/// would run as a formula) is kept as text.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The filtered rows as CSV, UTF-8 with a byte-order mark so that Excel reads the
/// Chinese correctly. The export itself is recorded as an access row.
pub async fn audit_export(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let q = AuditQuery::read(&pairs);
    let units = state.store.units(me.org()).await?;
    let filter = q.filter(&units).map_err(AppError::BadRequest)?;
    let words = Words::load(&state, me.org()).await?;
    let mut out = String::from(
        "\u{feff}序号,时间（北京时间）,操作人,操作,对象,理由,改动,操作代码,对象代码\r\n",
    );
    let mut written = 0i64;
    while written < EXPORT_MAX {
        let hits = state
            .store
            .audit_search(me.org(), &filter, 1000, written)
            .await?;
        if hits.is_empty() {
            break;
        }
        written += hits.len() as i64;
        for hit in hits {
            let r = row_view(hit, &words);
            let fields = [
                r.seq,
                r.at,
                r.who,
                r.action,
                r.about,
                r.reason,
                r.changes.join("\n"),
                r.code,
                r.target,
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
    }
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: Action::AuditExport.code().into(),
            target: "audit_log".into(),
            reason: None,
            changes: serde_json::json!([
                {"field": "filter", "old": null, "new": q.query_string(0)},
                {"field": "rows", "old": null, "new": written},
            ]),
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.csv"
                    .to_string(),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_field_is_quoted_when_needed_and_never_a_formula() {
        assert_eq!(csv_field("新碶街道"), "新碶街道");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("x\ny"), "\"x\ny\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }

    #[test]
    fn a_china_date_starts_at_its_midnight_in_china() {
        // 2026-01-01 00:00 in China is 2025-12-31 16:00 UTC.
        assert_eq!(china_midnight("2026-01-01"), Some(1_767_196_800_000));
        assert_eq!(china_midnight("2026-02-30"), None);
    }
}
