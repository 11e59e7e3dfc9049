//! Where each role starts: the admin at the overview, the auditor at the log, units,
//! assessors and leaders at the campaigns that concern them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{ReportState, Role};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::layout::Layout;
use crate::year::{Phase, Year};
use kaohe_core::fmt_decimal;

// ── home ──────────────────────────────────────────────────────────────────────

struct CampaignLink {
    title: String,
    year: i64,
    deadline: String,
    href: String,
    state: String,
    /// The campaign's records page (台账), when its rubric counts records.
    records: String,
}

/// The records page of a campaign whose rubric counts records; empty otherwise.
async fn records_link(state: &crate::AppState, c: &kaohe_storage::Campaign) -> AppResult<String> {
    let rubric = crate::year::scoring::rubric(state, c.organiser_id, c.rubric_id).await?;
    Ok(if rubric.record_kinds().is_empty() {
        String::new()
    } else {
        format!("/c/{}/records", c.id)
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    intro: String,
    campaigns: Vec<CampaignLink>,
}

/// Where each role starts.
pub async fn home(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    match me.role() {
        Role::Admin => return Ok(Redirect::to("/admin").into_response()),
        Role::Auditor => return Ok(Redirect::to("/audit").into_response()),
        // A leader starts at the latest results: the newest issued year that has them.
        Role::Viewer => {
            let mut all = state.store.campaigns(me.org()).await?;
            all.sort_by_key(|c| std::cmp::Reverse((c.year, c.id)));
            for c in all {
                let draft = Year::of(&state, c.clone()).await?.phase == Phase::Draft;
                if !draft && state.store.has_results(c.id).await? {
                    return Ok(Redirect::to(&format!("/c/{}/results", c.id)).into_response());
                }
            }
        }
        _ => {}
    }
    let mut campaigns = Vec::new();
    for c in state.store.campaigns(me.org()).await? {
        let year = Year::of(&state, c.clone()).await?;
        match (me.role(), year.phase) {
            // Not issued yet: the admin's alone, except its records (台账), which units
            // and departments keep during the year.
            (Role::Reporter | Role::Assessor, Phase::Draft) => {
                let records = records_link(&state, &c).await?;
                let takes_part = match (me.role(), me.user.unit_id) {
                    (Role::Reporter, Some(uid)) => year.deadline_of(&state, uid).await.is_ok(),
                    (Role::Reporter, None) => false,
                    _ => true,
                };
                if !records.is_empty() && takes_part {
                    campaigns.push(CampaignLink {
                        title: c.title.clone(),
                        year: c.year,
                        href: String::new(),
                        deadline: String::new(),
                        state: "尚未下发；本年度的台账记录已可填报".to_string(),
                        records,
                    });
                }
            }
            (_, Phase::Draft) => {}
            // A past year is read through its results.
            (Role::Reporter | Role::Assessor, Phase::PastYear) => {
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    records: String::new(),
                    year: c.year,
                    href: if c.published_at.is_some() || me.role() == Role::Assessor {
                        format!("/c/{}/results", c.id)
                    } else {
                        String::new()
                    },
                    // A past year had no deadline of its own here: it was imported.
                    deadline: String::new(),
                    state: "往年结果".to_string(),
                });
            }
            (Role::Reporter, _) => {
                let Some(uid) = me.user.unit_id else { continue };
                let deadline = match year.deadline_of(&state, uid).await {
                    Ok(d) => d,
                    // The unit does not take part in this campaign, or has withdrawn.
                    Err(AppError::NotFound) => {
                        let withdrawn = state.store.withdrawn_units(c.id).await?;
                        if let Some(w) = withdrawn.iter().find(|w| w.unit_id == uid) {
                            campaigns.push(CampaignLink {
                                title: c.title.clone(),
                                records: String::new(),
                                year: c.year,
                                href: String::new(),
                                deadline: String::new(),
                                state: format!("本单位已退出本次考核（{}）", w.reason),
                            });
                        }
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                if c.published_at.is_some() {
                    // Published: the unit's result, not its report's state.
                    let result = match crate::year::snapshot::latest(&state, c.id).await? {
                        Some(latest) => latest.snapshot.unit(uid).map(|u| {
                            let grade = u
                                .grade
                                .as_ref()
                                .map(|g| format!("，{g}"))
                                .unwrap_or_default();
                            format!(
                                "已公示：考核分 {}，第 {} 名{grade}",
                                fmt_decimal(u.total),
                                u.rank_text()
                            )
                        }),
                        None => None,
                    };
                    // What rectification still asks of the unit.
                    let (open, late) =
                        crate::year::rectify::open_counts(&state, c.id, Some(uid)).await?;
                    let result = match (result, open, late) {
                        (r, 0, _) => r,
                        (r, n, 0) => Some(format!(
                            "{}；整改问题 {n} 个未完成",
                            r.unwrap_or_else(|| "结果已公示".to_string())
                        )),
                        (r, n, l) => Some(format!(
                            "{}；整改问题 {n} 个未完成，其中 {l} 个已逾期",
                            r.unwrap_or_else(|| "结果已公示".to_string())
                        )),
                    };
                    campaigns.push(CampaignLink {
                        title: c.title.clone(),
                        records: String::new(),
                        year: c.year,
                        href: format!("/c/{}/results/u/{uid}", c.id),
                        deadline: deadline.to_string(),
                        state: result.unwrap_or_else(|| "结果已公示".to_string()),
                    });
                    continue;
                }
                let report = state.store.report(c.id, uid).await?;
                let state_text = match report.state {
                    _ if year.overdue(report.state, deadline) => "已过截止日期".to_string(),
                    ReportState::Returned => format!("{}，请修改后重新提交", report.state.label()),
                    s => s.label().to_string(),
                };
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    records: records_link(&state, &c).await?,
                    year: c.year,
                    href: format!("/c/{}/u/{uid}", c.id),
                    deadline: deadline.to_string(),
                    state: state_text,
                });
            }
            (Role::Assessor, phase) => {
                // Reports of rectification waiting for this department's sign-off.
                let assignment = state.store.assignment(me.org(), c.id).await?;
                let waiting: i64 = state
                    .store
                    .problems_in_state(c.id, kaohe_storage::ProblemState::Reported)
                    .await?
                    .iter()
                    .filter(|(item, _)| assignment.reviews(me.user.department_id, item))
                    .map(|(_, n)| n)
                    .sum();
                let mut text = if phase.is_locked() {
                    phase.label().to_string()
                } else {
                    "审核本部门负责的项目".to_string()
                };
                if waiting > 0 {
                    text.push_str(&format!("；整改待销号 {waiting} 个"));
                }
                if !phase.is_locked() && !records_link(&state, &c).await?.is_empty() {
                    let records = crate::year::records::waiting(&state, &me, c.id).await?;
                    if records > 0 {
                        text.push_str(&format!("；台账记录待确认 {records} 条"));
                    }
                }
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    records: if phase.is_locked() {
                        String::new()
                    } else {
                        records_link(&state, &c).await?
                    },
                    year: c.year,
                    href: format!("/c/{}/review", c.id),
                    deadline: c.deadline.clone(),
                    state: text,
                })
            }
            (_, phase) => {
                let computed = state.store.has_results(c.id).await?;
                campaigns.push(CampaignLink {
                    title: c.title.clone(),
                    records: String::new(),
                    year: c.year,
                    href: if computed {
                        format!("/c/{}/results", c.id)
                    } else {
                        String::new()
                    },
                    deadline: c.deadline.clone(),
                    state: if computed {
                        "结果已计算"
                    } else if phase == Phase::Reporting {
                        "自查进行中，结果尚未计算"
                    } else {
                        "已关闭"
                    }
                    .to_string(),
                })
            }
        }
    }
    let intro = match me.role() {
        Role::Reporter => "请选择考核任务，逐项填写本单位的自查数据并上传佐证材料，完成后提交。",
        Role::Assessor => "请选择考核任务，逐单位审核本部门负责的项目：核实数据、确认或退回。",
        _ => "考核结果计算后将在此显示。",
    }
    .to_string();
    Ok(HomePage {
        layout: Layout::new(&state, &session, &me, "首页").await?,
        intro,
        campaigns,
    }
    .into_response())
}
