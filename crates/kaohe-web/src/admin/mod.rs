//! Administration: the district office's view of its campaigns (this page), and the
//! admin's rooms: campaigns, progress, units, users, departments, rubrics and the audit
//! log.

pub mod audit;
mod audit_words;
pub mod campaign_new;
pub mod campaigns;
pub mod departments;
pub mod progress;
pub mod rubric_import;
pub mod rubrics;
pub mod units;
pub mod users;
pub mod whatif;
pub mod whatif_map;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaohe_core::fmt_decimal as f;
use tower_sessions::Session;

use crate::AppState;
use crate::admin::progress::Progress;
use crate::auth::CurrentUser;
use crate::http::error::AppResult;
use crate::http::layout::{Layout, china_time};
use crate::year::scoring;
use crate::year::{Phase, Year};

struct UnitProgress {
    name: String,
    href: String,
    state: String,
    progress: Progress,
    self_score: String,
    missing: usize,
    submitted: String,
}

/// Past this many units, a campaign's card lists only the units behind (not submitted,
/// overdue first), this many of them; the progress page lists every unit.
const OVERVIEW_UNITS: usize = 30;

/// A unit's line in a past year's results (imported): its rank and total.
struct PastRow {
    rank: String,
    name: String,
    total: String,
}

struct CampaignView {
    id: kaohe_storage::Id,
    /// A draft not yet issued to the units.
    draft: bool,
    /// A past year imported with its results: shown as results, not as reporting.
    past: Option<Vec<PastRow>>,
    title: String,
    year: i64,
    deadline: String,
    rubric: String,
    submitted: usize,
    overdue: usize,
    /// Units taking part; those not in `units` (`more`) are on the progress page.
    total: usize,
    more: usize,
    units: Vec<UnitProgress>,
    /// Rectification (整改) after publication: problems not finished, of which overdue.
    rectify: (usize, usize),
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    layout: Layout,
    campaigns: Vec<CampaignView>,
}

/// Every campaign with each unit's progress and running self-score.
pub async fn overview(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    let mut campaigns = Vec::new();
    for c in state.store.campaigns(me.org()).await? {
        let year = Year::of(&state, c.clone()).await?;
        let rubric_row = state.store.rubric(me.org(), c.rubric_id).await?;
        if year.phase == Phase::PastYear {
            campaigns.push(past_year(&state, c, &rubric_row).await?);
            continue;
        }
        let rubric = scoring::rubric(&state, me.org(), c.rubric_id).await?;
        let all_items = rubric.items().len();
        // Every unit's progress, counted without its facts.
        let mut reports: std::collections::HashMap<_, _> = state
            .store
            .reports(c.id)
            .await?
            .into_iter()
            .map(|r| (r.unit_id, r))
            .collect();
        let counts: std::collections::HashMap<_, _> = state
            .store
            .report_item_counts(c.id)
            .await?
            .into_iter()
            .map(|(u, saved, done)| (u, (saved, done)))
            .collect();
        let mut all = Vec::new();
        for cu in state.store.campaign_units(c.id).await? {
            let report = reports
                .remove(&cu.unit_id)
                .unwrap_or_else(|| kaohe_storage::Report::empty(c.id, cu.unit_id));
            let (saved, done) = counts.get(&cu.unit_id).copied().unwrap_or((0, 0));
            let deadline = year.deadline(cu.deadline.as_deref())?;
            let progress = Progress::of(
                report.state,
                saved > 0,
                year.overdue(report.state, deadline),
            );
            all.push((cu.unit_id, report, saved, done, progress));
        }
        let submitted = all.iter().filter(|u| u.4 == Progress::Submitted).count();
        let overdue = all.iter().filter(|u| u.4 == Progress::Overdue).count();
        let total = all.len();
        // A district's units are all listed; a province's, only those behind (overdue
        // first), a screen of them: the progress page has every unit.
        if total > OVERVIEW_UNITS {
            all.retain(|u| u.4 != Progress::Submitted);
            all.sort_by_key(|u| match u.4 {
                Progress::Overdue => 0,
                Progress::Returned => 1,
                Progress::NotStarted => 2,
                _ => 3,
            });
            all.truncate(OVERVIEW_UNITS);
        }
        let listed: Vec<kaohe_storage::Id> = all.iter().map(|u| u.0).collect();
        let mut scored: std::collections::HashMap<_, _> =
            crate::year::assess::unit_rows_of(&state, &c, &rubric, Some(&listed))
                .await?
                .into_iter()
                .map(|rows| {
                    let a = crate::year::assess::assess(&rubric, &c, rows);
                    (a.unit.id, (a.unit.name, a.self_score))
                })
                .collect();
        let mut units = Vec::new();
        for (uid, report, saved, done, progress) in all {
            let Some((name, s)) = scored.remove(&uid) else {
                continue;
            };
            let state_text = match progress {
                Progress::Drafting => format!("{}（{saved} 项已保存）", progress.label()),
                _ => progress.label().to_string(),
            };
            units.push(UnitProgress {
                name,
                href: format!("/c/{}/u/{uid}", c.id),
                state: state_text,
                progress,
                self_score: {
                    // Not filled is not a score; until every item is marked done, the
                    // total is provisional.
                    if saved == 0 {
                        "—".to_string()
                    } else if (done as usize) < all_items {
                        format!("{}（暂计，已完成 {done}/{all_items}）", f(s.total))
                    } else {
                        f(s.total)
                    }
                },
                missing: s.all_missing().len(),
                submitted: report.submitted_at.map(china_time).unwrap_or_default(),
            });
        }
        let more = total - units.len();
        let rectify = crate::year::rectify::open_counts(&state, c.id, None).await?;
        campaigns.push(CampaignView {
            id: c.id,
            draft: year.phase == Phase::Draft,
            past: None,
            rectify,
            submitted,
            overdue,
            total,
            more,
            title: c.title,
            year: c.year,
            deadline: c.deadline,
            rubric: format!("{} 第 {} 版", rubric_row.title, rubric_row.version),
            units,
        });
    }
    Ok(OverviewPage {
        layout: Layout::new(&state, &session, &me, "考核任务").await?,
        campaigns,
    }
    .into_response())
}

/// A past year imported with its results: its ranking, as the results say it.
async fn past_year(
    state: &AppState,
    c: kaohe_storage::Campaign,
    rubric: &kaohe_storage::RubricVersion,
) -> AppResult<CampaignView> {
    let rows = match crate::year::snapshot::latest(state, c.id).await? {
        Some(latest) => latest
            .snapshot
            .units
            .iter()
            .map(|u| PastRow {
                rank: u.rank_text(),
                name: u.unit.clone(),
                total: f(u.total),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(CampaignView {
        id: c.id,
        draft: false,
        past: Some(rows),
        title: c.title,
        year: c.year,
        deadline: c.deadline,
        rubric: format!("{} 第 {} 版", rubric.title, rubric.version),
        submitted: 0,
        overdue: 0,
        total: 0,
        more: 0,
        units: Vec::new(),
        rectify: (0, 0),
    })
}
