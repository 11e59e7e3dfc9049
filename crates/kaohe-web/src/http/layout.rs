//! What every page shares: the layout (who is logged in, the menu, the CSRF token) and
//! how dates and numbers are shown.

use kaohe_storage::Role;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{CurrentUser, NOTICE_KEY};
use crate::http::csrf::csrf_token;
use crate::http::error::AppResult;

/// The frame of every page.
pub struct Layout {
    pub title: String,
    pub csrf: String,
    pub user: Option<UserBar>,
    /// A message shown once (set at login: failed attempts since the last one).
    pub notice: Option<String>,
}

pub struct UserBar {
    pub name: String,
    pub role: String,
    pub organiser: String,
    pub demo: bool,
    pub nav: Vec<(&'static str, &'static str)>,
}

impl Layout {
    pub async fn new(
        _state: &AppState,
        session: &Session,
        me: &CurrentUser,
        title: &str,
    ) -> AppResult<Layout> {
        let nav: Vec<(&str, &str)> = match me.role() {
            Role::Admin => vec![
                ("/admin", "考核任务"),
                ("/admin/units", "单位"),
                ("/admin/departments", "部门"),
                ("/admin/users", "用户"),
                ("/admin/rubrics", "评分细则"),
                ("/audit", "审计日志"),
            ],
            Role::Reporter => vec![("/", "我的自查")],
            Role::Assessor => vec![("/", "考核")],
            Role::Viewer => vec![("/", "结果")],
            Role::Auditor => vec![("/audit", "审计日志")],
        };
        Ok(Layout {
            title: title.to_string(),
            csrf: csrf_token(session).await?,
            notice: session.remove::<String>(NOTICE_KEY).await?,
            user: Some(UserBar {
                name: me.user.display_name.clone(),
                role: me.role().label().to_string(),
                organiser: me.organiser.name.clone(),
                demo: me.user.is_demo,
                nav,
            }),
        })
    }

    pub async fn anonymous(_state: &AppState, session: &Session, title: &str) -> AppResult<Layout> {
        Ok(Layout {
            title: title.to_string(),
            csrf: csrf_token(session).await?,
            notice: None,
            user: None,
        })
    }
}

/// China time (UTC+8, no daylight saving) of a stored timestamp: `2026-11-28 19:05`.
pub fn china_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset"));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Today's date in China, `YYYY-MM-DD`.
pub fn china_today() -> String {
    china_time(kaohe_storage::now_ms())[..10].to_string()
}

/// A file size as people read it: 1.5 MB, 300 KB, 12 字节.
pub fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

/// Which page of a long list is shown (a province's units, a year's records), how many
/// rows the filters found on all pages, and the way to the other pages; written by
/// `http/pager.html`.
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    /// The rows the filters found, on all pages.
    pub total: usize,
    pub per_page: usize,
    /// What a row is, counted: `个单位`, `条`.
    pub what: &'static str,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `asked` (from 1; one past the end shows the last) of `total` rows,
    /// `per_page` on each; `query` is the list's filters, kept on every link.
    pub fn new(
        asked: usize,
        total: usize,
        per_page: usize,
        what: &'static str,
        query: &str,
    ) -> Pager {
        let pages = total.div_ceil(per_page).max(1);
        let page = asked.clamp(1, pages);
        let to = |p: usize| {
            let sep = if query.is_empty() { "" } else { "&" };
            format!("?{query}{sep}page={p}")
        };
        Pager {
            page,
            pages,
            total,
            per_page,
            what,
            prev: (page > 1).then(|| to(page - 1)),
            next: (page < pages).then(|| to(page + 1)),
        }
    }

    /// This page's rows, of all the rows in order.
    pub fn slice<'a, T>(&self, all: &'a [T]) -> &'a [T] {
        let start = ((self.page - 1) * self.per_page).min(all.len());
        &all[start..(start + self.per_page).min(all.len())]
    }
}
