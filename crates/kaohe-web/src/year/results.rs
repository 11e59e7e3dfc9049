//! Results: computed when every item is confirmed (or on the admin's say-so, listing
//! what is still unconfirmed), stored as a dated snapshot, ranked with ties (并列), with
//! both totals, grades, category subtotals and the gap between self-check and
//! assessment; a per-unit table laid out like the annex, every score explained.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::explain::{explain_item, grade_text};
use kaohe_core::{Decimal, fmt_decimal as f, rank};
use kaohe_storage::{AuditEntry, Campaign, Id, ResultRun, Role};
use serde_json::json;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::{Form, Path};
use crate::http::layout::{Layout, china_time};
use crate::year::assess::{ReviewStatus, assess_all};
use crate::year::snapshot::{self, Snapshot};
use crate::year::{Action, Window, Year};

/// Computes the results of a campaign now, from the facts of this moment: the
/// unconfirmed items (`unit item`) and the snapshot to store.
pub async fn compute(state: &AppState, campaign: &Campaign) -> AppResult<(Vec<String>, Snapshot)> {
    let (rubric, all) = assess_all(state, campaign).await?;
    let totals: Vec<Decimal> = all.iter().map(|a| a.assessed.total).collect();
    let ranks = rank(&totals);
    let mut unconfirmed = Vec::new();
    let mut units = Vec::new();
    for (n, a) in all.iter().enumerate() {
        let items = rubric
            .items()
            .iter()
            .enumerate()
            .map(|(ii, item)| {
                let status = a.status(&item.id);
                if status != ReviewStatus::Confirmed {
                    unconfirmed.push(format!("{} {}", a.unit.name, item.id));
                }
                snapshot::UnitItem {
                    id: item.id.clone(),
                    self_score: a.self_score.items[ii].score.normalize(),
                    score: a.assessed.items[ii].score.normalize(),
                    status,
                    reason: a.review(&item.id).and_then(|r| r.score_reason.clone()),
                    self_explanation: explain_item(&rubric, &a.self_facts, &a.self_score, ii),
                    explanation: explain_item(&rubric, &a.verified_facts, &a.assessed, ii),
                    facts: a.facts_used(&rubric, ii),
                }
            })
            .collect();
        let categories = rubric
            .categories()
            .iter()
            .enumerate()
            .map(|(ci, c)| snapshot::UnitCategory {
                id: c.id.clone(),
                name: c.name.clone(),
                score: a.assessed.categories[ci].score.normalize(),
                self_score: Some(a.self_score.categories[ci].score.normalize()),
            })
            .collect();
        let tie = totals.iter().filter(|t| **t == a.assessed.total).count() > 1;
        units.push(snapshot::UnitResult {
            unit_id: a.unit.id,
            unit: a.unit.name.clone(),
            rank: ranks[n],
            tie,
            base: Some(a.assessed.base.normalize()),
            bonus: Some(a.assessed.bonus.normalize()),
            total: a.assessed.total.normalize(),
            grade: Some(grade_text(&rubric, &a.assessed)),
            self_total: Some(a.self_score.total.normalize()),
            gap: Some((a.assessed.total - a.self_score.total).normalize()),
            categories,
            items,
            imported: false,
        });
    }
    units.sort_by_key(|u| u.rank);
    let snapshot = Snapshot {
        version: snapshot::VERSION,
        imported: false,
        rubric: Some(snapshot::RubricRef {
            title: rubric.title().to_string(),
            hash: rubric.hash().to_string(),
        }),
        categories: rubric
            .categories()
            .iter()
            .map(|c| snapshot::Category {
                id: c.id.clone(),
                name: c.name.clone(),
                points: c.points.map(|p| p.normalize()),
            })
            .collect(),
        items: rubric
            .items()
            .iter()
            .map(|i| snapshot::Item {
                id: i.id.clone(),
                name: i.name.clone(),
                number: i.number.clone(),
                category: rubric.categories()[i.category].name.clone(),
                points: i.points.map(|p| p.normalize()),
                criteria: i.criteria.clone(),
            })
            .collect(),
        units,
    };
    Ok((unconfirmed, snapshot))
}

#[derive(Template, WebTemplate)]
#[template(path = "year/results/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    unconfirmed: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ComputeForm {
    csrf: String,
    force: String,
}

/// The admin computes (or recomputes) results.
pub async fn compute_results(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
    Form(form): Form<ComputeForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    // The guard has checked the rule of the year (not locked, not a past year).
    let campaign = state.store.campaign(me.org(), cid).await?;
    let (unconfirmed, data) = compute(&state, &campaign).await?;
    if !unconfirmed.is_empty() && form.force != "yes" {
        return Ok(ConfirmPage {
            layout: Layout::new(&state, &session, &me, "计算结果").await?,
            campaign_id: cid,
            title: campaign.title,
            unconfirmed: unconfirmed
                .iter()
                .map(|p| data.unit_item_words(p))
                .collect(),
        }
        .into_response());
    }
    let previous = state.store.result_runs(cid).await?.len();
    let reason = match (previous, unconfirmed.is_empty()) {
        (0, true) => "首次计算".to_string(),
        (0, false) => format!(
            "首次计算（{} 项未确认，管理员决定先行计算）",
            unconfirmed.len()
        ),
        (_, true) => "重新计算".to_string(),
        (_, false) => format!("重新计算（{} 项未确认）", unconfirmed.len()),
    };
    // Recomputed while published: the problems to rectify follow the new results.
    let found = if campaign.published_at.is_some() {
        let rubric = crate::year::scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
        crate::year::rectify::found(&rubric, &data, None)
    } else {
        Vec::new()
    };
    let mut work = state.store.begin().await?;
    let run = work
        .add_result_text(
            cid,
            Some(me.user.id),
            &reason,
            &unconfirmed,
            &data.to_text(),
        )
        .await?;
    let mut changes = vec![json!({"field": "unconfirmed", "old": null, "new": unconfirmed.len()})];
    if let Some(c) = crate::year::rectify::sync(&mut work, cid, &found, me.user.id).await? {
        changes.push(c);
    }
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: Action::ResultsCompute.code().into(),
        target: format!("campaign:{cid}/results:{}", run.0),
        reason: Some(reason),
        changes: serde_json::Value::Array(changes),
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/results")).into_response())
}

/// Who may see what of a campaign's results.
pub struct Visibility {
    /// The whole ranking and every unit's detail.
    pub all: bool,
    /// A reporter's own unit (detail), when results are published to units.
    pub own: Option<Id>,
}

/// Viewers see results as soon as they are computed; the admin and assessors too;
/// reporters once published: the ranking and their own detail (others' details only
/// if the admin chose so).
pub fn visibility(me: &CurrentUser, campaign: &Campaign) -> AppResult<Visibility> {
    match me.role() {
        Role::Admin | Role::Viewer | Role::Assessor => Ok(Visibility {
            all: true,
            own: None,
        }),
        Role::Reporter if campaign.published_at.is_some() => Ok(Visibility {
            all: campaign.show_details,
            own: me.user.unit_id,
        }),
        Role::Reporter => Err(AppError::BadRequest(
            "考核结果尚未公示，公示后即可查看。".into(),
        )),
        Role::Auditor => Err(AppError::Forbidden),
    }
}

struct RankRow {
    rank: String,
    unit: String,
    unit_id: Id,
    link: bool,
    categories: Vec<String>,
    base: String,
    bonus: String,
    total: String,
    grade: String,
    self_total: String,
    gap: String,
    /// The score converted for the overall assessment (综合考核), when it counts.
    converted: String,
    /// Last year's rank, and the change in places (`↑2`, `↓1`, `—`).
    last_rank: String,
    change: String,
    change_class: &'static str,
}

/// A unit that moved most in the ranking since last year.
struct Mover {
    unit: String,
    from: usize,
    to: usize,
    /// `上升 3 位` or `下降 2 位`.
    words: String,
}

/// An item where the district lost most points.
struct Loss {
    item: String,
    units: usize,
    lost: String,
    rate: String,
}

/// The campaign whose results are "last year" for `campaign`: its predecessor (set when
/// it was copied), else the organiser's latest earlier year with results; with
/// `published_only` (a unit reads it) only a published one.
pub(crate) async fn last_year(
    state: &AppState,
    campaign: &Campaign,
    published_only: bool,
) -> AppResult<Option<(i64, std::sync::Arc<crate::year::snapshot::Latest>)>> {
    let Some(prev) = crate::year::rectify::predecessor(state, campaign).await? else {
        return Ok(None);
    };
    if published_only && prev.published_at.is_none() {
        return Ok(None);
    }
    Ok(crate::year::snapshot::latest(state, prev.id)
        .await?
        .map(|l| (prev.year, l)))
}

struct RunView {
    at: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/results/results.html")]
struct ResultsPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    computed: Option<String>,
    runs: Vec<RunView>,
    categories: Vec<String>,
    rows: Vec<RankRow>,
    unconfirmed: Vec<String>,
    is_admin: bool,
    published: Option<String>,
    window: Option<String>,
    /// The charts' numbers (JSON; see `exports::ranking_chart`).
    charts: String,
    /// May download the summary workbook and the 通报 draft (every unit's detail).
    can_export_all: bool,
    /// A past year imported with its totals: no reporting, publication or self-check.
    imported: bool,
    /// Columns with something in them (an imported year has no base, bonus, grade or
    /// self-check; a rubric without grades has no grade).
    show_base: bool,
    show_grade: bool,
    show_self: bool,
    /// The year compared with, when there is one.
    last_year: Option<i64>,
    /// The weight in the overall assessment, as typed, when the campaign has one.
    weight: Option<String>,
    movers: Vec<Mover>,
    /// Where the district lost most points (not for an imported year).
    losses: Vec<Loss>,
}

pub async fn results_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign.clone();
    let vis = visibility(&me, &campaign)?;
    let _turn = state.wide().await?;
    // The runs' dates and reasons; only the latest one's snapshot is read.
    let runs = state.store.result_runs(cid).await?;
    let latest = crate::year::snapshot::latest(&state, cid).await?;
    let snapshot = latest.as_ref().map(|l| &l.snapshot);
    let mut rows = Vec::new();
    let mut categories = Vec::new();
    let previous = match &snapshot {
        Some(_) => last_year(&state, &campaign, me.role() == Role::Reporter).await?,
        None => None,
    };
    let mut movers = Vec::new();
    let mut losses = Vec::new();
    let weight = crate::year::exports::overall_weight(&campaign);
    if let Some(snap) = &snapshot {
        categories = snap.categories.iter().map(|c| c.name.clone()).collect();
        for u in &snap.units {
            let opt = |d: Option<Decimal>| d.map(f).unwrap_or_default();
            let before = previous
                .as_ref()
                .and_then(|(_, p)| p.snapshot.unit(u.unit_id))
                .map(|p| p.rank);
            let (change, change_class) = match before {
                Some(b) if b > u.rank => (format!("↑{}", b - u.rank), "up"),
                Some(b) if b < u.rank => (format!("↓{}", u.rank - b), "down"),
                Some(_) => ("—".to_string(), "same"),
                None => (String::new(), "same"),
            };
            if let Some(b) = before
                && b != u.rank
            {
                movers.push(Mover {
                    unit: u.unit.clone(),
                    from: b,
                    to: u.rank,
                    words: if b > u.rank {
                        format!("上升 {} 位", b - u.rank)
                    } else {
                        format!("下降 {} 位", u.rank - b)
                    },
                });
            }
            rows.push(RankRow {
                converted: weight
                    .map(|w| f((u.total * w / Decimal::ONE_HUNDRED).round_dp(2)))
                    .unwrap_or_default(),
                last_rank: before.map(|b| b.to_string()).unwrap_or_default(),
                change,
                change_class,
                rank: u.rank_text(),
                unit: u.unit.clone(),
                unit_id: u.unit_id,
                link: vis.all || vis.own == Some(u.unit_id),
                categories: u.categories.iter().map(|c| f(c.score)).collect(),
                base: opt(u.base),
                bonus: opt(u.bonus),
                total: f(u.total),
                grade: u.grade.clone().unwrap_or_default(),
                self_total: opt(u.self_total),
                gap: match u.gap {
                    Some(g) if !g.is_zero() => kaohe_core::fmt_delta(g),
                    _ => "0".into(),
                },
            });
        }
        // The biggest movers first, up to three each way.
        movers.sort_by_key(|m| std::cmp::Reverse(m.from.abs_diff(m.to)));
        let (mut up, mut down) = (0, 0);
        movers.retain(|m| {
            let side = if m.to < m.from { &mut up } else { &mut down };
            *side += 1;
            *side <= 3
        });
        if !snap.imported {
            let r = crate::year::exports::results_from_snapshot(
                snap,
                crate::year::exports::Detail::Scores,
                "",
                "",
                "",
            );
            losses = r
                .points_lost()
                .iter()
                .take(5)
                .map(|l| {
                    let item = &r.items[l.item];
                    let points = item.points.unwrap_or_default() * Decimal::from(r.units.len());
                    Loss {
                        item: format!("{} {}", item.reference, item.name),
                        units: l.units,
                        lost: f(l.lost),
                        rate: if points.is_zero() {
                            String::new()
                        } else {
                            format!(
                                "{}%",
                                f(((points - l.lost) * Decimal::ONE_HUNDRED / points).round_dp(1))
                            )
                        },
                    }
                })
                .collect();
        }
    }
    Ok(ResultsPage {
        layout: Layout::new(&state, &session, &me, &format!("{} · 结果", campaign.title)).await?,
        campaign_id: cid,
        title: campaign.title.clone(),
        computed: latest.as_ref().map(|r| china_time(r.run.computed_at)),
        runs: runs
            .iter()
            .map(|r| RunView {
                at: china_time(r.computed_at),
                reason: r.reason.clone(),
            })
            .collect(),
        categories,
        rows,
        unconfirmed: match (&latest, snapshot) {
            (Some(r), Some(snap)) => r
                .run
                .unconfirmed
                .iter()
                .map(|p| snap.unit_item_words(p))
                .collect(),
            _ => Vec::new(),
        },
        is_admin: me.role() == Role::Admin,
        published: campaign.published_at.map(china_time),
        window: year.window.map(Window::text),
        charts: snapshot
            .map(crate::year::exports::ranking_chart)
            .unwrap_or_default(),
        can_export_all: vis.all,
        imported: snapshot.is_some_and(|s| s.imported),
        show_base: snapshot
            .as_ref()
            .is_some_and(|s| s.units.iter().any(|u| u.base.is_some())),
        show_grade: snapshot.as_ref().is_some_and(|s| {
            s.units
                .iter()
                .any(|u| u.grade.as_deref().is_some_and(|g| !g.is_empty()))
        }),
        show_self: snapshot
            .as_ref()
            .is_some_and(|s| s.units.iter().any(|u| u.self_total.is_some())),
        last_year: previous.as_ref().map(|(y, _)| *y),
        weight: weight.map(f),
        movers,
        losses,
    }
    .into_response())
}

struct TableRow {
    category: String,
    category_points: String,
    category_rows: usize,
    first: bool,
    item: String,
    points: String,
    criteria: String,
    self_score: String,
    score: String,
    differs: bool,
    reason: String,
    self_lines: Vec<String>,
    lines: Vec<String>,
    status: String,
    item_id: String,
    /// The unit's appeal on this item: state and answer.
    appeal: Option<(String, String)>,
    /// The records the assessed score counted, as the snapshot keeps them: a link (for
    /// those who may open the record; else empty) and `日期 标题`.
    records: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/results/unit.html")]
struct UnitPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    unit: String,
    rank: String,
    base: String,
    bonus: String,
    total: String,
    self_total: String,
    grade: String,
    computed: String,
    rows: Vec<TableRow>,
    subtotals: Vec<(String, String, String)>,
    unit_id: Id,
    /// The unit's own reporter inside the publication window may appeal.
    can_appeal: bool,
    /// The unit's problems to rectify not yet finished, shown to those who follow them
    /// (its reporter, the admin, leaders); `None` when it has none or they may not.
    rectify: Option<usize>,
    /// The category profile chart's numbers (JSON; see `exports::unit_chart`).
    charts: String,
    /// Year over year, when the unit has results in more than one campaign.
    history: Option<crate::year::history::Comparison>,
    /// The year-over-year chart's numbers (JSON).
    history_chart: String,
    /// A past year imported with its totals: no items, self-check or documents.
    imported: bool,
    /// The best improvements on the verified facts (差距分析), and their bars (JSON).
    best: Vec<crate::year::gaps::GapLine>,
    best_chart: String,
}

pub async fn unit_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = &year.campaign;
    let vis = visibility(&me, campaign)?;
    if !vis.all && vis.own != Some(uid) {
        return Err(AppError::Forbidden);
    }
    let latest = crate::year::snapshot::latest(&state, cid).await?;
    let Some(latest) = latest.as_ref() else {
        return Err(AppError::BadRequest("结果尚未计算。".into()));
    };
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    if snapshot.unit(uid).is_none() {
        return Err(AppError::NotFound);
    }
    Ok(
        render_unit(&state, &session, &me, &year, run, snapshot, uid)
            .await?
            .into_response(),
    )
}

async fn render_unit(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    year: &Year,
    run: &ResultRun,
    snapshot: &Snapshot,
    unit_id: Id,
) -> AppResult<UnitPage> {
    let campaign = &year.campaign;
    let u = snapshot.unit(unit_id).ok_or(AppError::NotFound)?;
    let items = &snapshot.items;
    let appeals: Vec<kaohe_storage::Appeal> = state
        .store
        .appeals(campaign.id)
        .await?
        .into_iter()
        .filter(|a| a.unit_id == unit_id)
        .collect();
    // The records the assessed column counted, named as their kinds name them; a link for
    // the admin and the unit itself (others may not open every record).
    let counted: Vec<Id> = u.items.iter().flat_map(|i| i.records()).collect();
    let records: Vec<kaohe_storage::Record> = if counted.is_empty() {
        Vec::new()
    } else {
        state.store.unit_records(me.org(), unit_id).await?
    };
    let rubric = if counted.is_empty() {
        None
    } else {
        Some(crate::year::scoring::rubric(state, me.org(), campaign.rubric_id).await?)
    };
    let linked = me.role() == Role::Admin || me.user.unit_id == Some(unit_id);
    let record_lines = |ids: &[Id]| -> Vec<(String, String)> {
        records
            .iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| {
                let title = rubric
                    .as_ref()
                    .and_then(|rb| rb.record_kind(&r.kind))
                    .map(|(_, k)| k.title_of(&r.fields).to_string())
                    .unwrap_or_default();
                let href = if linked {
                    format!("/c/{}/records/{}", campaign.id, r.id)
                } else {
                    String::new()
                };
                (href, format!("{} {title}", r.day))
            })
            .collect()
    };
    let mut rows = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let first = n == 0 || items[n - 1].category != item.category;
        let category_rows = items.iter().filter(|i| i.category == item.category).count();
        let r = u.items.get(n);
        let opt = |d: Option<Decimal>| d.map(f).unwrap_or_default();
        rows.push(TableRow {
            category_points: snapshot
                .category_points(&item.category)
                .map(f)
                .unwrap_or_else(|| "加分项".to_string()),
            category: item.category.clone(),
            category_rows,
            first,
            item: format!(
                "{} {}",
                snapshot.item_ref(&item.id),
                item.name.as_deref().unwrap_or("")
            ),
            points: opt(item.points),
            criteria: item.criteria.clone(),
            self_score: opt(r.map(|r| r.self_score)),
            score: opt(r.map(|r| r.score)),
            differs: r.is_some_and(|r| r.self_score != r.score),
            reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
            self_lines: r.map(|r| r.self_explanation.clone()).unwrap_or_default(),
            lines: r.map(|r| r.explanation.clone()).unwrap_or_default(),
            status: r.map(|r| r.status.label().to_string()).unwrap_or_default(),
            appeal: appeals.iter().find(|a| a.item_id == item.id).map(|a| {
                (
                    a.state.label().to_string(),
                    a.answer.clone().unwrap_or_default(),
                )
            }),
            item_id: item.id.clone(),
            records: r
                .map(|r| record_lines(&r.records().collect::<Vec<_>>()))
                .unwrap_or_default(),
        });
    }
    let subtotals = u
        .categories
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.self_score.map(f).unwrap_or_default(),
                f(c.score),
            )
        })
        .collect();
    let follows = match me.role() {
        Role::Admin | Role::Viewer => true,
        Role::Reporter => me.user.unit_id == Some(unit_id),
        _ => false,
    };
    let rectify = if follows {
        let (open, _) =
            crate::year::rectify::open_counts(state, campaign.id, Some(unit_id)).await?;
        (open > 0).then_some(open)
    } else {
        None
    };
    let years = crate::year::history::unit_history(
        state,
        campaign.organiser_id,
        unit_id,
        me.role() == Role::Reporter,
    )
    .await?;
    let history = (years.len() > 1).then(|| crate::year::history::compare(&years));
    // After review, the advice reads the verified facts (as the 考核分 does).
    let taking_part = match state.store.campaign_unit(campaign.id, unit_id).await {
        Ok(_) => true,
        Err(kaohe_storage::StorageError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    let best = if snapshot.imported || !taking_part {
        Vec::new()
    } else {
        let rubric =
            crate::year::scoring::rubric(state, campaign.organiser_id, campaign.rubric_id).await?;
        let a = crate::year::assess::assess_unit(state, campaign, &rubric, unit_id).await?;
        crate::year::gaps::best(&rubric, &a.verified_facts, &a.assessed, &|_| true, 5)
    };
    let opt = |d: Option<Decimal>| d.map(f).unwrap_or_default();
    Ok(UnitPage {
        layout: Layout::new(state, session, me, &format!("{} · 考核结果", u.unit)).await?,
        campaign_id: campaign.id,
        title: campaign.title.clone(),
        unit: u.unit.clone(),
        rank: u.rank_text(),
        base: opt(u.base),
        bonus: opt(u.bonus),
        total: f(u.total),
        self_total: opt(u.self_total),
        grade: u.grade.clone().unwrap_or_default(),
        computed: china_time(run.computed_at),
        rows,
        subtotals,
        unit_id,
        history_chart: history.as_ref().map(|h| h.chart()).unwrap_or_default(),
        imported: snapshot.imported,
        best_chart: crate::year::gaps::bars(&best),
        best,
        history,
        charts: crate::year::exports::unit_chart(snapshot, unit_id),
        can_appeal: me.role() == Role::Reporter
            && me.user.unit_id == Some(unit_id)
            && year.allows(None, None, Action::AppealFile).is_ok(),
        rectify,
    })
}
