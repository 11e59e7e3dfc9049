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
        let mut units = Vec::new();
        for rows in crate::year::assess::unit_rows(&state, &c, &rubric).await? {
            let deadline = year.deadline(rows.campaign_unit.deadline.as_deref())?;
            let a = crate::year::assess::assess(&rubric, &c, rows);
            let (unit, report, s, items) = (a.unit, a.report, a.self_score, a.items);
            let progress = Progress::of(
                report.state,
                !items.is_empty(),
                year.overdue(report.state, deadline),
            );
            let state_text = match progress {
                Progress::Drafting => format!("{}（{} 项已保存）", progress.label(), items.len()),
                _ => progress.label().to_string(),
            };
            units.push(UnitProgress {
                name: unit.name,
                href: format!("/c/{}/u/{}", c.id, unit.id),
                state: state_text,
                progress,
                self_score: {
                    // Not filled is not a score; until every item is marked done, the
                    // total is provisional.
                    let done = items
                        .iter()
                        .filter(|r| r.state == kaohe_storage::ItemState::Done)
                        .count();
                    if items.is_empty() {
                        "—".to_string()
                    } else if done < all_items {
                        format!("{}（暂计，已完成 {done}/{all_items}）", f(s.total))
                    } else {
                        f(s.total)
                    }
                },
                missing: s.all_missing().len(),
                submitted: report.submitted_at.map(china_time).unwrap_or_default(),
            });
        }
        let rectify = crate::year::rectify::open_counts(&state, c.id, |_| true).await?;
        campaigns.push(CampaignView {
            id: c.id,
            draft: year.phase == Phase::Draft,
            past: None,
            rectify,
            submitted: units
                .iter()
                .filter(|u| u.progress == Progress::Submitted)
                .count(),
            overdue: units
                .iter()
                .filter(|u| u.progress == Progress::Overdue)
                .count(),
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
        units: Vec::new(),
        rectify: (0, 0),
    })
}
