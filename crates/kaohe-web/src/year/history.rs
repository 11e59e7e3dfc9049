//! Year over year (历年对比): a unit's totals and category subtotals across the
//! organiser's campaigns, from each campaign's latest results; items are compared by id
//! where both years have them, and by category where the rubric changed. Past years'
//! final results, from before kaohe, are imported from a spreadsheet as a closed,
//! locked campaign whose results are the imported figures.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::{Decimal, Rubric, fmt_decimal as f, rank};
use kaohe_storage::{AuditEntry, CampaignState, CampaignUnit, Id, Work};
use serde_json::json;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::layout::Layout;
use crate::http::upload::{MAX_TABLE_BYTES, Upload, too_big};
use crate::year::Action;
use crate::year::snapshot::{self, Snapshot};

/// One year of a unit's results.
pub struct YearRow {
    pub year: i64,
    pub rank: String,
    pub total: String,
    pub categories: Vec<(String, String)>,
    /// Item scores by id (empty for imported years).
    pub items: Vec<(String, String)>,
    /// How people refer to each item that year (`基础工作第1项 季度计划`), by id.
    pub names: Vec<(String, String)>,
}

/// The unit's results in every campaign that has results (with `published_only`, only
/// the published ones: what a unit may read), oldest year first.
pub async fn unit_history(
    state: &crate::AppState,
    organiser_id: Id,
    unit_id: Id,
    published_only: bool,
) -> AppResult<Vec<YearRow>> {
    let mut rows = Vec::new();
    for c in state.store.campaigns(organiser_id).await? {
        if published_only && c.published_at.is_none() {
            continue;
        }
        // Each year's snapshot read once per app server, not on every page.
        let Some(latest) = crate::year::snapshot::latest(state, c.id).await? else {
            continue;
        };
        let snapshot = &latest.snapshot;
        let Some(u) = snapshot.unit(unit_id) else {
            continue;
        };
        rows.push(YearRow {
            year: c.year,
            rank: u.rank_text(),
            total: f(u.total),
            categories: u
                .categories
                .iter()
                .map(|c| (c.name.clone(), f(c.score)))
                .collect(),
            items: u.items.iter().map(|i| (i.id.clone(), f(i.score))).collect(),
            names: snapshot
                .items
                .iter()
                .map(|i| {
                    let name = i.name.as_deref().unwrap_or("");
                    (i.id.clone(), format!("{} {name}", snapshot.item_ref(&i.id)))
                })
                .collect(),
        });
    }
    rows.sort_by_key(|r| r.year);
    Ok(rows)
}

/// A year-over-year table: one row per category (matched by name) and, where two
/// adjacent years share item ids, per item; one column per year.
pub struct Comparison {
    pub years: Vec<String>,
    pub totals: Vec<String>,
    pub ranks: Vec<String>,
    pub categories: Vec<(String, Vec<String>)>,
    /// Per item compared: how people refer to it (as the latest year does), and a cell
    /// per year.
    pub items: Vec<(String, Vec<String>)>,
}

impl Comparison {
    /// The numbers of the year-over-year chart, as JSON for `charts.js`: each year's
    /// total and category subtotals (a missing category is a gap, not a zero).
    pub fn chart(&self) -> String {
        // Exact decimal text, as the other charts get it; a missing year is null.
        let value = |v: &str| (v != "—" && !v.is_empty()).then(|| v.to_string());
        json!({
            "years": self.years,
            "totals": self.totals.iter().map(|t| value(t)).collect::<Vec<_>>(),
            "series": self.categories.iter().map(|(name, cells)| json!({
                "name": name,
                "values": cells.iter().map(|c| value(c)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
        .to_string()
    }
}

pub fn compare(rows: &[YearRow]) -> Comparison {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for (n, _) in &r.categories {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let mut ids: Vec<String> = Vec::new();
    for r in rows {
        for (id, _) in &r.items {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    // Items are compared only where at least two years have them.
    ids.retain(|id| {
        rows.iter()
            .filter(|r| r.items.iter().any(|(i, _)| i == id))
            .count()
            > 1
    });
    let cell = |list: &[(String, String)], key: &str| {
        list.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "—".into())
    };
    Comparison {
        years: rows.iter().map(|r| format!("{} 年度", r.year)).collect(),
        totals: rows.iter().map(|r| r.total.clone()).collect(),
        ranks: rows.iter().map(|r| r.rank.clone()).collect(),
        categories: names
            .iter()
            .map(|n| {
                (
                    n.clone(),
                    rows.iter().map(|r| cell(&r.categories, n)).collect(),
                )
            })
            .collect(),
        items: ids
            .iter()
            .map(|id| {
                let name = rows
                    .iter()
                    .rev()
                    .find_map(|r| r.names.iter().find(|(i, _)| i == id))
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| id.clone());
                (name, rows.iter().map(|r| cell(&r.items, id)).collect())
            })
            .collect(),
    }
}

// ── importing past years ──────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "year/history_import.html")]
struct ImportPage {
    layout: Layout,
    rubrics: Vec<(Id, String)>,
    year: String,
    title: String,
    text: String,
    problems: Vec<String>,
}

pub async fn import_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    render(
        &state,
        &session,
        &me,
        String::new(),
        String::new(),
        String::new(),
        Vec::new(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    year: String,
    title: String,
    text: String,
    problems: Vec<String>,
) -> AppResult<Response> {
    let rubrics = state
        .store
        .rubrics(me.org())
        .await?
        .into_iter()
        .map(|r| (r.id, crate::admin::rubrics::version_label(&r)))
        .collect();
    Ok(ImportPage {
        layout: Layout::new(state, session, me, "导入往年结果").await?,
        rubrics,
        year,
        title,
        text,
        problems,
    }
    .into_response())
}

/// Reads a past year's final results: a row per unit, columns 单位, 总分, and
/// optionally 基础分, 加分, 排名 and one column per category name of the rubric.
pub fn read_results(
    text: &str,
    rubric: &Rubric,
    units: &[(Id, String)],
) -> Result<Snapshot, Vec<String>> {
    let records = crate::admin::units::records(&without_notes(text)).map_err(|e| vec![e])?;
    let Some((_, header)) = records.first() else {
        return Err(vec![
            "没有内容：第一行应为表头，如 单位,基础工作,管理工作,服务工作,创新工作,总分".into(),
        ]);
    };
    let mut problems = Vec::new();
    let columns = Columns::of(header, rubric, &mut problems)?;
    let mut rows: Vec<PastRow> = Vec::new();
    let mut seen = Vec::new();
    for (line, cells) in records.iter().skip(1) {
        if let Some(row) = columns.row(*line, cells, units, &mut seen, &mut problems) {
            rows.push(row);
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("没有任何单位的数据".into());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Snapshot {
        version: snapshot::VERSION,
        imported: true,
        rubric: None,
        categories: rubric
            .categories()
            .iter()
            .map(|c| snapshot::Category {
                id: c.id.clone(),
                name: c.name.clone(),
                points: c.points.map(|p| p.normalize()),
            })
            .collect(),
        items: Vec::new(),
        units: ranked(rows),
    })
}

/// Lines starting with # are notes (such as "figures are invented"): blanked, so that
/// row numbers in messages stay the file's.
fn without_notes(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where each column of a past year's table is.
struct Columns<'r> {
    unit: usize,
    total: usize,
    base: Option<usize>,
    bonus: Option<usize>,
    rank: Option<usize>,
    categories: Vec<(usize, &'r kaohe_core::rubric::Category)>,
}

/// One unit's row, read.
struct PastRow {
    unit_id: Id,
    unit: String,
    total: Decimal,
    base: Option<Decimal>,
    bonus: Option<Decimal>,
    /// The rank the file gives, if it gives one.
    rank: Option<u64>,
    categories: Vec<snapshot::UnitCategory>,
}

impl<'r> Columns<'r> {
    /// Finds the columns by their headers; the unit and the total are needed, every other
    /// header must name a category of the rubric (else a problem is listed).
    fn of(
        header: &[String],
        rubric: &'r Rubric,
        problems: &mut Vec<String>,
    ) -> Result<Columns<'r>, Vec<String>> {
        let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
        let (Some(unit), Some(total)) = (col(&["单位", "unit"]), col(&["总分", "total"]))
        else {
            return Err(vec!["表头须有“单位”和“总分”两列".into()]);
        };
        let known = [
            "单位",
            "unit",
            "总分",
            "total",
            "基础分",
            "base",
            "加分",
            "bonus",
            "排名",
            "rank",
        ];
        let mut categories = Vec::new();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim();
            if known.contains(&h) || h.is_empty() {
                continue;
            }
            match rubric.categories().iter().find(|c| c.name == h) {
                Some(c) => categories.push((i, c)),
                None => {
                    let names: Vec<&str> = rubric
                        .categories()
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    problems.push(format!(
                        "第 1 行：列“{h}”不是所选细则的类别；可用：{}",
                        names.join("、")
                    ));
                }
            }
        }
        Ok(Columns {
            unit,
            total,
            base: col(&["基础分", "base"]),
            bonus: col(&["加分", "bonus"]),
            rank: col(&["排名", "rank"]),
            categories,
        })
    }

    /// One unit's row; `None` (with its problems listed) when it cannot be used. `seen`
    /// holds the units of the rows before, so that a unit named twice is said once.
    fn row(
        &self,
        line: usize,
        cells: &[String],
        units: &[(Id, String)],
        seen: &mut Vec<Id>,
        problems: &mut Vec<String>,
    ) -> Option<PastRow> {
        let name = cells.get(self.unit).map(|c| c.trim()).unwrap_or("");
        let Some((uid, _)) = units.iter().find(|(_, n)| n == name) else {
            problems.push(format!("第 {line} 行：单位“{name}”不在本区的单位里"));
            return None;
        };
        if seen.contains(uid) {
            problems.push(format!("第 {line} 行：单位“{name}”重复"));
            return None;
        }
        seen.push(*uid);
        let Some(total) = score_cell(line, "总分", cells.get(self.total), problems) else {
            problems.push(format!("第 {line} 行：缺少总分"));
            return None;
        };
        let categories = self
            .categories
            .iter()
            .filter_map(|(i, c)| {
                score_cell(line, &c.name, cells.get(*i), problems).map(|s| snapshot::UnitCategory {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    score: s.normalize(),
                    self_score: None,
                })
            })
            .collect();
        Some(PastRow {
            unit_id: *uid,
            unit: name.to_string(),
            total,
            base: self
                .base
                .and_then(|i| score_cell(line, "基础分", cells.get(i), problems)),
            bonus: self
                .bonus
                .and_then(|i| score_cell(line, "加分", cells.get(i), problems)),
            rank: self
                .rank
                .and_then(|i| cells.get(i))
                .and_then(|r| r.trim().parse::<u64>().ok()),
            categories,
        })
    }
}

/// A score in a cell: empty is none; anything but a score from 0 to 9999 is a problem.
fn score_cell(
    line: usize,
    what: &str,
    cell: Option<&String>,
    problems: &mut Vec<String>,
) -> Option<Decimal> {
    let cell = cell.map(|c| c.trim()).unwrap_or("");
    if cell.is_empty() {
        return None;
    }
    match cell.parse::<Decimal>() {
        Ok(d) if !d.is_sign_negative() && d < Decimal::from(10_000) => Some(d),
        _ => {
            problems.push(format!("第 {line} 行：{what}“{cell}”不是分数"));
            None
        }
    }
}

/// The units in rank order: the file's rank where it gives one, else by total (ties
/// share a rank).
fn ranked(rows: Vec<PastRow>) -> Vec<snapshot::UnitResult> {
    let totals: Vec<Decimal> = rows.iter().map(|u| u.total).collect();
    let ranks = rank(&totals);
    let mut units: Vec<snapshot::UnitResult> = rows
        .into_iter()
        .zip(ranks)
        .map(|(row, r)| snapshot::UnitResult {
            unit_id: row.unit_id,
            unit: row.unit,
            rank: row.rank.map(|g| g as usize).unwrap_or(r),
            tie: totals.iter().filter(|t| **t == row.total).count() > 1,
            base: row.base.map(|d| d.normalize()),
            bonus: row.bonus.map(|d| d.normalize()),
            total: row.total.normalize(),
            grade: None,
            self_total: None,
            gap: None,
            categories: row.categories,
            items: Vec::new(),
            imported: true,
        })
        .collect();
    units.sort_by_key(|u| u.rank);
    units
}

/// Stores a past year in the caller's unit of work: a closed, locked campaign whose
/// results are the imported ones.
#[allow(clippy::too_many_arguments)]
pub async fn store_past_year(
    work: &mut Work,
    organiser_id: Id,
    rubric_id: Id,
    year: i64,
    title: &str,
    data: &Snapshot,
    file: &str,
    user_id: Option<Id>,
    is_demo: bool,
) -> AppResult<Id> {
    let deadline = format!("{year}-12-31");
    let c = work
        .create_campaign(organiser_id, year, title, rubric_id, &deadline, is_demo)
        .await?;
    for u in &data.units {
        work.set_campaign_unit(&CampaignUnit {
            campaign_id: c.id,
            unit_id: u.unit_id,
            unit_facts: Default::default(),
            deadline: None,
        })
        .await?;
    }
    work.update_campaign(organiser_id, c.id, title, &deadline, CampaignState::Closed)
        .await?;
    work.add_result_text(
        c.id,
        user_id,
        &format!("往年结果导入：{file}"),
        &[],
        &data.to_text(),
    )
    .await?;
    // Published long ago: units may read their row, nobody may appeal.
    work.publish(c.id, &deadline, &deadline, false).await?;
    work.set_locked(c.id, true, Some("往年结果，导入即定稿"), user_id)
        .await?;
    Ok(c.id)
}

pub async fn import(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let year_text = upload.field("year").trim().to_string();
    let title = upload.field("title").trim().to_string();
    let size = upload
        .files
        .iter()
        .find(|f| !f.data.is_empty())
        .map_or(upload.field("text").len(), |f| f.data.len());
    if let Some(e) = too_big("往年结果表格", size, MAX_TABLE_BYTES, "每个单位一行即可")
    {
        return render(
            &state,
            &session,
            &me,
            year_text,
            title,
            String::new(),
            vec![e],
        )
        .await;
    }
    let mut text = upload.field("text").to_string();
    let mut file = "粘贴的内容".to_string();
    if let Some(f) = upload.files.iter().find(|f| !f.data.is_empty()) {
        file = f.filename.clone();
        text = kaohe_formats::facts_file::table_text(&f.data).map_err(AppError::BadRequest)?;
    }
    let again = |problems: Vec<String>| {
        render(
            &state,
            &session,
            &me,
            year_text.clone(),
            title.clone(),
            text.clone(),
            problems,
        )
    };
    let Ok(year) = year_text.parse::<i64>() else {
        return again(vec!["请填写年度，如 2025".into()]).await;
    };
    if !(2000..=2100).contains(&year) {
        return again(vec!["年度应在 2000 至 2100 之间".into()]).await;
    }
    if title.is_empty() {
        return again(vec!["请填写任务名称，如“2025年度考核（往年结果）”".into()]).await;
    }
    let Ok(rubric_id) = upload.field("rubric").parse::<Id>() else {
        return again(vec!["请选择该年度所用的评分细则（用来对应类别）".into()]).await;
    };
    let row = state.store.rubric(me.org(), rubric_id).await?;
    let rubric =
        Rubric::from_toml(&row.source, &row.code).map_err(|e| AppError::Internal(e.to_string()))?;
    let units: Vec<(Id, String)> = state
        .store
        .units(me.org())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let data = match read_results(&text, &rubric, &units) {
        Ok(d) => d,
        Err(problems) => return again(problems).await,
    };
    let n = data.units.len();
    let mut work = state.store.begin().await?;
    let cid = store_past_year(
        &mut work,
        me.org(),
        rubric_id,
        year,
        &title,
        &data,
        &file,
        Some(me.user.id),
        false,
    )
    .await?;
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: Action::HistoryImport.code().into(),
        target: format!("campaign:{cid}"),
        reason: Some(format!("往年结果导入：{file}")),
        changes: json!([
            {"field": "campaign", "old": null, "new": title},
            {"field": "year", "old": null, "new": year},
            {"field": "units", "old": null, "new": n},
        ]),
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/results")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: i64, cats: &[(&str, &str)], items: &[(&str, &str)]) -> YearRow {
        let pairs = |l: &[(&str, &str)]| {
            l.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        YearRow {
            year: y,
            rank: "1".into(),
            total: "90".into(),
            categories: pairs(cats),
            items: pairs(items),
            names: items
                .iter()
                .map(|(id, _)| (id.to_string(), format!("第{}项", &id[id.len() - 1..])))
                .collect(),
        }
    }

    #[test]
    fn years_on_different_rubrics_compare_by_category_and_shared_items_by_id() {
        let rows = [
            year(2025, &[("基础工作", "26")], &[]),
            year(
                2026,
                &[("基础工作", "28"), ("管理工作", "40")],
                &[("basic.1", "6"), ("basic.5", "2")],
            ),
            year(
                2027,
                &[("基础工作", "30"), ("管理工作", "41")],
                &[("basic.1", "5"), ("basic.9", "3")],
            ),
        ];
        let c = compare(&rows);
        assert_eq!(c.years, vec!["2025 年度", "2026 年度", "2027 年度"]);
        assert_eq!(
            c.categories[0],
            (
                "基础工作".to_string(),
                vec!["26".into(), "28".into(), "30".into()]
            )
        );
        assert_eq!(
            c.categories[1].1,
            vec!["—".to_string(), "40".into(), "41".into()]
        );
        // basic.1 is in two years; basic.5 and basic.9 in one each: not compared. It is
        // named as people name it.
        assert_eq!(
            c.items,
            vec![(
                "第1项".to_string(),
                vec!["—".into(), "6".into(), "5".into()]
            )]
        );
    }
}
