//! The results as people take them away: the official table of a unit (.docx, .xlsx),
//! the campaign's summary workbook, the 通报 draft, print views for A4, and the data of
//! the results pages' charts. Everything is made from the latest stored results snapshot,
//! so a download shows exactly what the results pages show; each download is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kaohe_core::{Decimal, fmt_decimal as f, fmt_delta};
use kaohe_formats::export::{self, ItemResult, Pair, Results, UnitResult};
use kaohe_storage::{AuditEntry, Campaign, Id, ResultRun};
use serde_json::json;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Path;
use crate::http::layout::china_time;
use crate::year::Action;
use crate::year::results::{Visibility, visibility};
use crate::year::snapshot::Snapshot;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Whether a document carries the explanations (reasons, the lines behind each score):
/// only the summary workbook writes them; a unit's table, the ranking, the 通报 and the
/// charts show scores. Copying 1,400 units' explanations (and reading every record they
/// counted) for one unit's table was most of its time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Detail {
    All,
    Scores,
}

/// A stored results snapshot (what `results::compute` stored) as the documents' data,
/// with the explanations `detail` asks for. `title` is the campaign's, `organiser` the
/// district's, `computed` when the snapshot was computed, as shown.
pub fn results_from_snapshot(
    snapshot: &Snapshot,
    detail: Detail,
    title: &str,
    organiser: &str,
    computed: &str,
) -> Results {
    let categories: Vec<export::Category> = snapshot
        .categories
        .iter()
        .map(|c| export::Category {
            id: c.id.clone(),
            name: c.name.clone(),
            points: c.points,
        })
        .collect();
    let items: Vec<export::Item> = snapshot
        .items
        .iter()
        .map(|i| export::Item {
            id: i.id.clone(),
            reference: snapshot.item_ref(&i.id),
            name: i.name.clone().unwrap_or_default(),
            category: categories
                .iter()
                .position(|c| c.name == i.category)
                .unwrap_or(0),
            points: i.points,
            criteria: i.criteria.clone(),
        })
        .collect();
    let item_count = items.len();
    let units = snapshot
        .units
        .iter()
        .map(|u| {
            let mut cats: Vec<Pair> = u
                .categories
                .iter()
                .map(|c| Pair {
                    self_score: c.self_score.unwrap_or_default(),
                    score: c.score,
                })
                .collect();
            // The snapshot keeps the self-check's total only; its base is the sum of the
            // base categories, as the engine computes it, and its bonus the rest.
            let self_base: Decimal = cats
                .iter()
                .zip(&categories)
                .filter(|(_, c)| c.points.is_some())
                .map(|(p, _)| p.self_score)
                .sum();
            let self_total = u.self_total.unwrap_or_default();
            let explained = detail == Detail::All;
            let mut items: Vec<ItemResult> = u
                .items
                .iter()
                .map(|i| ItemResult {
                    score: Pair {
                        self_score: i.self_score,
                        score: i.score,
                    },
                    self_explanation: if explained {
                        i.self_explanation.clone()
                    } else {
                        Vec::new()
                    },
                    explanation: if explained {
                        i.explanation.clone()
                    } else {
                        Vec::new()
                    },
                    reason: if explained { i.reason.clone() } else { None },
                })
                .collect();
            // Every unit has a score for every category and item, even in a snapshot
            // that keeps fewer (past years imported with their totals only).
            cats.resize(categories.len(), Pair::default());
            items.resize(item_count, ItemResult::default());
            UnitResult {
                name: u.unit.clone(),
                rank: u.rank,
                tie: u.tie,
                base: Pair {
                    self_score: self_base,
                    score: u.base.unwrap_or_default(),
                },
                bonus: Pair {
                    self_score: self_total - self_base,
                    score: u.bonus.unwrap_or_default(),
                },
                total: Pair {
                    self_score: self_total,
                    score: u.total,
                },
                grade: u.grade.clone().unwrap_or_default(),
                categories: cats,
                items,
            }
        })
        .collect();
    Results {
        title: title.to_string(),
        rubric_title: snapshot
            .rubric
            .as_ref()
            .map(|r| r.title.clone())
            .unwrap_or_default(),
        organiser: organiser.to_string(),
        computed: computed.to_string(),
        categories,
        items,
        units,
        ..Results::default()
    }
}

/// The campaign, what the user may see of it, and its latest results.
async fn latest(
    state: &AppState,
    me: &CurrentUser,
    cid: Id,
) -> AppResult<(
    Campaign,
    Visibility,
    std::sync::Arc<crate::year::snapshot::Latest>,
)> {
    let campaign = state.store.campaign(me.org(), cid).await?;
    let vis = visibility(me, &campaign)?;
    let latest = crate::year::snapshot::latest(state, cid)
        .await?
        .ok_or_else(|| AppError::BadRequest("结果尚未计算。".into()))?;
    if latest.snapshot.imported {
        return Err(AppError::BadRequest(
            "这是往年导入的结果，只有总分和类别分，没有逐项得分，不能导出考核表或打印。".into(),
        ));
    }
    Ok((campaign, vis, latest))
}

async fn results_of(
    state: &AppState,
    me: &CurrentUser,
    campaign: &Campaign,
    run: &ResultRun,
    snapshot: &Snapshot,
    detail: Detail,
) -> AppResult<Results> {
    let mut r = results_from_snapshot(
        snapshot,
        detail,
        &campaign.title,
        &me.organiser.name,
        &china_time(run.computed_at),
    );
    // Demo data is marked in every document's header.
    r.demo = me.organiser.is_demo;
    r.overall_weight = overall_weight(campaign);
    with_records(state, me, campaign, snapshot, detail, &mut r).await?;
    Ok(r)
}

/// Each item's assessed reasons end with the records its counts used (`日期 标题`), as
/// the snapshot keeps their ids: the documents name what was counted, as the pages do.
async fn with_records(
    state: &AppState,
    me: &CurrentUser,
    campaign: &Campaign,
    snapshot: &Snapshot,
    detail: Detail,
    r: &mut Results,
) -> AppResult<()> {
    let counted = snapshot
        .units
        .iter()
        .any(|u| u.items.iter().any(|i| i.records().next().is_some()));
    if detail == Detail::Scores || !counted {
        return Ok(());
    }
    let rubric = crate::year::scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    // The records the snapshot counted, by id (the period may have changed since the
    // results, so not by day).
    let mut ids: Vec<Id> = snapshot
        .units
        .iter()
        .flat_map(|u| u.items.iter().flat_map(|i| i.records()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let records = state.store.records_by_ids(me.org(), &ids).await?;
    let by_id: std::collections::HashMap<Id, &kaohe_storage::Record> =
        records.iter().map(|r| (r.id, r)).collect();
    for (u, out) in snapshot.units.iter().zip(r.units.iter_mut()) {
        for (i, item) in u.items.iter().zip(out.items.iter_mut()) {
            let mut counted: Vec<&kaohe_storage::Record> = i
                .records()
                .filter_map(|id| by_id.get(&id).copied())
                .collect();
            // In the order they were stored, as before.
            counted.sort_by_key(|r| (r.unit_id, r.day.clone(), r.id));
            counted.dedup_by_key(|r| r.id);
            let lines: Vec<String> = counted
                .into_iter()
                .map(|rec| {
                    let title = rubric
                        .record_kind(&rec.kind)
                        .map(|(_, k)| k.title_of(&rec.fields).to_string())
                        .unwrap_or_default();
                    format!("{} {title}", rec.day)
                })
                .collect();
            if !lines.is_empty() {
                item.explanation
                    .push(format!("计入的台账记录：{}", lines.join("；")));
            }
        }
    }
    Ok(())
}

/// The campaign's weight in the district's overall assessment, if it has one.
pub fn overall_weight(campaign: &Campaign) -> Option<Decimal> {
    campaign
        .overall_weight
        .as_deref()
        .and_then(|w| w.parse().ok())
}

/// The unit `uid` in the snapshot, if the user may see its detail.
fn unit_name(snapshot: &Snapshot, vis: &Visibility, uid: Id) -> AppResult<String> {
    if !vis.all && vis.own != Some(uid) {
        return Err(AppError::Forbidden);
    }
    snapshot
        .unit(uid)
        .map(|u| u.unit.clone())
        .ok_or(AppError::NotFound)
}

/// `attachment` with the file name in UTF-8 (RFC 6266), and an ASCII stand-in.
fn disposition(filename: &str) -> String {
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let ascii = if filename.ends_with(".docx") {
        "kaohe.docx"
    } else {
        "kaohe.xlsx"
    };
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A results document sent as a download, with its audit row.
pub(crate) async fn send(
    state: &AppState,
    me: &CurrentUser,
    target: String,
    filename: String,
    bytes: Result<Vec<u8>, export::ExportError>,
) -> AppResult<Response> {
    send_as(state, me, Action::ResultsExport, target, filename, bytes).await
}

/// A document sent as a download, with its audit row naming `action`.
pub(crate) async fn send_as(
    state: &AppState,
    me: &CurrentUser,
    action: Action,
    target: String,
    filename: String,
    bytes: Result<Vec<u8>, export::ExportError>,
) -> AppResult<Response> {
    let bytes = bytes.map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: action.code().into(),
            target,
            reason: None,
            changes: json!([{"field": "file", "old": null, "new": filename}]),
        })
        .await?;
    let mime = if filename.ends_with(".docx") {
        DOCX
    } else {
        XLSX
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition(&filename)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// A unit's official table, as Word or Excel.
async fn unit_table(
    state: AppState,
    me: CurrentUser,
    cid: Id,
    uid: Id,
    docx: bool,
) -> AppResult<Response> {
    let (campaign, vis, latest) = latest(&state, &me, cid).await?;
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    let name = unit_name(snapshot, &vis, uid)?;
    let r = results_of(&state, &me, &campaign, run, snapshot, Detail::Scores).await?;
    let (bytes, ext) = if docx {
        (export::unit_table_docx(&r, &name), "docx")
    } else {
        (export::unit_table_xlsx(&r, &name), "xlsx")
    };
    let filename = export::safe_file_name(&format!("{}-{name}-考核表.{ext}", campaign.title));
    let target = format!("campaign:{cid}/results:{}/unit:{uid}", run.id);
    send(&state, &me, target, filename, bytes).await
}

pub async fn unit_docx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    unit_table(state, me, cid, uid, true).await
}

pub async fn unit_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    unit_table(state, me, cid, uid, false).await
}

/// The summary workbook: every unit's detail, so only for those who see all details.
pub async fn summary_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let (campaign, vis, latest) = latest(&state, &me, cid).await?;
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    if !vis.all {
        return Err(AppError::Forbidden);
    }
    let _turn = state.heavy().await?;
    let r = results_of(&state, &me, &campaign, run, snapshot, Detail::All).await?;
    let filename = export::safe_file_name(&format!("{}-考核结果汇总.xlsx", campaign.title));
    let target = format!("campaign:{cid}/results:{}", run.id);
    send(&state, &me, target, filename, export::summary_xlsx(&r)).await
}

/// The 通报 draft: about all units, so only for those who see all details.
pub async fn bulletin_docx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let (campaign, vis, latest) = latest(&state, &me, cid).await?;
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    if !vis.all {
        return Err(AppError::Forbidden);
    }
    let _turn = state.heavy().await?;
    // The 通报 speaks of scores and causes, not of each item's reasons.
    let mut r = results_of(&state, &me, &campaign, run, snapshot, Detail::Scores).await?;
    // Last year's ranks beside this year's.
    if let Some((year, prev)) = crate::year::results::last_year(&state, &campaign, false).await? {
        r.last_year = Some(year);
        r.last_ranks = prev
            .snapshot
            .units
            .iter()
            .map(|u| (u.unit.clone(), u.rank))
            .collect();
    }
    // The rules that cost the district most, on the verified facts (差距分析).
    let rubric = crate::year::scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    r.causes = crate::year::gaps::district_causes(&state, &campaign, &rubric, 5)
        .await?
        .into_iter()
        .map(|c| export::LossCause {
            item: c.item,
            what: c.what,
            units: c.units,
            gain: c.gain,
        })
        .collect();
    let filename = export::safe_file_name(&format!("{}-结果通报（草稿）.docx", campaign.title));
    let target = format!("campaign:{cid}/results:{}", run.id);
    send(&state, &me, target, filename, export::bulletin_docx(&r)).await
}

pub(crate) struct PrintRow {
    /// The category's cells start here, spanning `rowspan` rows.
    pub(crate) first: bool,
    pub(crate) rowspan: usize,
    pub(crate) category: String,
    pub(crate) category_points: String,
    pub(crate) points: String,
    pub(crate) criteria: String,
    pub(crate) self_score: String,
    pub(crate) score: String,
}

pub(crate) struct PrintTotal {
    label: String,
    note: String,
    scores: Option<(String, String)>,
}

/// A unit's table on A4 paper: the annex's layout with both score columns.
#[derive(Template, WebTemplate)]
#[template(path = "year/results/print_unit.html")]
pub(crate) struct PrintUnit {
    pub rubric_title: String,
    pub title: String,
    pub unit: String,
    /// The right of the line under the title: when the results were computed, or the
    /// self-check's state.
    pub meta: String,
    pub rows: Vec<PrintRow>,
    pub totals: Vec<PrintTotal>,
    /// A line above the signatures (who filled the self-check in), if any.
    pub note: Option<String>,
    pub signatures: [&'static str; 3],
    pub back: String,
}

impl PrintUnit {
    /// The rows of unit `u`'s table among results `r`, of the items `shown`. Without
    /// `assessed` the 考核分 column stays blank for the assessors to write in, and only
    /// the score totals are given (a self-check has no grade or rank yet).
    pub(crate) fn rows(
        r: &Results,
        u: &UnitResult,
        assessed: bool,
        shown: &dyn Fn(usize) -> bool,
    ) -> (Vec<PrintRow>, Vec<PrintTotal>) {
        let mut rows = Vec::new();
        for (ci, c) in r.categories.iter().enumerate() {
            let items: Vec<usize> = r.category_items(ci).filter(|ii| shown(*ii)).collect();
            let rowspan = items.len();
            for (n, ii) in items.into_iter().enumerate() {
                let item = &r.items[ii];
                let s = u.items[ii].score;
                rows.push(PrintRow {
                    first: n == 0,
                    rowspan,
                    category: c.name.clone(),
                    category_points: export::category_points_text(c.points),
                    points: item.points.map(f).unwrap_or_default(),
                    criteria: item.criteria.clone(),
                    self_score: f(s.self_score),
                    score: if assessed { f(s.score) } else { String::new() },
                });
            }
        }
        let totals = export::total_rows(r, u)
            .into_iter()
            .filter(|t| assessed || t.scores.is_some())
            .map(|t| PrintTotal {
                label: t.label,
                note: t.note,
                scores: t.scores.map(|p| {
                    let score = if assessed { f(p.score) } else { String::new() };
                    (f(p.self_score), score)
                }),
            })
            .collect();
        (rows, totals)
    }
}

/// A unit's table laid out for A4 paper, with a print button.
pub async fn print_unit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let (campaign, vis, latest) = latest(&state, &me, cid).await?;
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    let name = unit_name(snapshot, &vis, uid)?;
    let r = results_of(&state, &me, &campaign, run, snapshot, Detail::Scores).await?;
    let u = r
        .unit(&name)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (rows, totals) = PrintUnit::rows(&r, u, true, &|_| true);
    Ok(PrintUnit {
        rubric_title: r.rubric_title.clone(),
        title: r.title.clone(),
        unit: name,
        meta: format!("结果计算于 {}", r.computed),
        rows,
        totals,
        note: None,
        signatures: export::SIGNATURES,
        back: format!("/c/{cid}/results/u/{uid}"),
    }
    .into_response())
}

struct PrintRank {
    rank: String,
    unit: String,
    categories: Vec<String>,
    base: String,
    bonus: String,
    total: String,
    grade: String,
    self_total: String,
    gap: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "year/results/print_ranking.html")]
struct PrintRanking {
    title: String,
    rubric_title: String,
    computed: String,
    categories: Vec<String>,
    rows: Vec<PrintRank>,
    back: String,
}

/// The ranking laid out for A4 landscape, with a print button.
pub async fn print_ranking(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let (campaign, _, latest) = latest(&state, &me, cid).await?;
    let (run, snapshot) = (&latest.run, &latest.snapshot);
    let r = results_of(&state, &me, &campaign, run, snapshot, Detail::Scores).await?;
    let rows = r
        .units
        .iter()
        .map(|u| PrintRank {
            rank: u.rank_text(),
            unit: u.name.clone(),
            categories: u.categories.iter().map(|p| f(p.score)).collect(),
            base: f(u.base.score),
            bonus: f(u.bonus.score),
            total: f(u.total.score),
            grade: u.grade.clone(),
            self_total: f(u.total.self_score),
            gap: fmt_delta(u.gap()),
        })
        .collect();
    Ok(PrintRanking {
        title: r.title.clone(),
        rubric_title: r.rubric_title.clone(),
        computed: r.computed.clone(),
        categories: r
            .categories
            .iter()
            .map(|c| match c.points {
                Some(p) => format!("{}（{}）", c.name, f(p)),
                None => format!("{}（加分）", c.name),
            })
            .collect(),
        rows,
        back: format!("/c/{cid}/results"),
    }
    .into_response())
}

/// The data of the results page's charts: every unit's total (the ranking) and both
/// totals (self-check against assessment), in ranked order, as the page shows them.
pub fn ranking_chart(snapshot: &Snapshot) -> String {
    let r = results_from_snapshot(snapshot, Detail::Scores, "", "", "");
    // An imported past year has its totals only: one bar each, not an empty split.
    let split = !snapshot.imported;
    json!({
        "units": r.units.iter().map(|u| u.name.clone()).collect::<Vec<_>>(),
        "total": r.units.iter().map(|u| f(u.total.score)).collect::<Vec<_>>(),
        "self": r.units.iter().map(|u| f(u.total.self_score)).collect::<Vec<_>>(),
        "base": r.units.iter().map(|u| f(if split { u.base.score } else { u.total.score })).collect::<Vec<_>>(),
        "bonus": r.units.iter().map(|u| f(if split { u.bonus.score } else { Decimal::ZERO })).collect::<Vec<_>>(),
        "split": split,
    })
    .to_string()
}

/// The data of a unit page's chart: the unit's score rate (得分率) in each category
/// with points, against the average of all units; its bonus against the average bonus.
pub fn unit_chart(snapshot: &Snapshot, unit_id: Id) -> String {
    let r = results_from_snapshot(snapshot, Detail::Scores, "", "", "");
    let Some(k) = snapshot.units.iter().position(|u| u.unit_id == unit_id) else {
        return "{}".into();
    };
    let u = &r.units[k];
    let rates = r.category_rates();
    let mut names = Vec::new();
    let mut mine = Vec::new();
    let mut average = Vec::new();
    for (ci, c) in r.categories.iter().enumerate() {
        let Some(points) = c.points.filter(|p| !p.is_zero()) else {
            continue;
        };
        names.push(c.name.clone());
        let rate = u.categories[ci].score * Decimal::ONE_HUNDRED / points;
        mine.push(f(rate.round_dp(1)));
        average.push(f(rates[ci].rate.unwrap_or_default().round_dp(1)));
    }
    let units = Decimal::from(r.units.len().max(1));
    let bonus_average: Decimal = r.units.iter().map(|u| u.bonus.score).sum::<Decimal>() / units;
    json!({
        "unit": u.name,
        "categories": names,
        "rate": mine,
        "average": average,
        "bonus": f(u.bonus.score),
        "bonus_average": f(bonus_average.round_dp(2)),
    })
    .to_string()
}

/// A campaign's latest stored results, for the command line (which has no user).
pub struct StoredResults {
    pub organiser_id: Id,
    pub campaign_id: Id,
    pub run_id: Id,
    pub results: Results,
}

/// The latest results of campaign `id`, whichever organiser runs it; an error that
/// lists the campaigns there are when there is no such campaign, or says that its
/// results are not computed yet.
pub async fn stored_results(store: &kaohe_storage::Store, id: Id) -> AppResult<StoredResults> {
    let mut known = Vec::new();
    for o in store.organisers().await? {
        for c in store.campaigns(o.id).await? {
            if c.id != id {
                known.push(format!("{}（{}，{}）", c.id, c.title, o.name));
                continue;
            }
            let Some(run) = store.latest_result(c.id).await? else {
                return Err(AppError::BadRequest(format!(
                    "考核任务 {id}（{}）的结果尚未计算：请管理员在网页上计算结果",
                    c.title
                )));
            };
            let snapshot = Snapshot::of(&run)?;
            if snapshot.imported {
                return Err(AppError::BadRequest(format!(
                    "考核任务 {id}（{}）是往年导入的结果，没有逐项得分，不能导出",
                    c.title
                )));
            }
            return Ok(StoredResults {
                organiser_id: o.id,
                campaign_id: c.id,
                run_id: run.id,
                results: results_from_snapshot(
                    &snapshot,
                    Detail::All,
                    &c.title,
                    &o.name,
                    &china_time(run.computed_at),
                ),
            });
        }
    }
    Err(AppError::BadRequest(if known.is_empty() {
        format!("没有编号为 {id} 的考核任务；数据库里还没有考核任务")
    } else {
        format!("没有编号为 {id} 的考核任务；现有：{}", known.join("、"))
    }))
}
