//! Official documents out of a campaign's results, so that nobody retypes a number:
//!
//! - [`unit_table_docx`] / [`unit_table_xlsx`]: one unit's table in the annex's layout
//!   (考核内容 with the category merged over its rows, 分值 for the category and the
//!   item, 评分标准 in full, 自查分, 考核分), subtotals, totals, grade, and the lines a
//!   stamped copy needs;
//! - [`summary_xlsx`]: the campaign's workbook: the ranking, a sheet per category with
//!   every unit's item scores, and every score's explanation;
//! - [`bulletin_docx`]: the 通报 draft a district sends round: the ranking, each
//!   category's score rate, and the items where most points were lost;
//! - [`notice_docx`] / [`ledger_xlsx`]: a unit's 整改通知 and the district's 整改台账
//!   (from [`Rectification`], filled in by the web application).
//!
//! Everything is built from [`Results`], plain data that the web application (from a
//! stored results snapshot) and the command line (from a facts file) both fill in. The
//! files are A4, in fonts a Windows/WPS desktop has (宋体, 仿宋), and self-contained: no
//! pictures, no links, no external relationships.

mod bulletin;
mod comparison;
mod docx_kit;
mod rectify;
mod summary;
mod table;
pub(crate) mod xlsx_kit;

use std::ops::Range;

use kaohe_core::explain::{explain_item, grade_text};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, fmt_decimal, rank};

pub use bulletin::bulletin_docx;
pub use comparison::{CompareRow, Comparison, comparison_xlsx};
pub use rectify::{Rectification, RectifyProblem, ledger_xlsx, notice_docx};
pub use summary::summary_xlsx;
pub use table::{
    SIGNATURES, TotalRow, category_points_text, total_rows, unit_table_docx, unit_table_xlsx,
};

/// A campaign's results as the documents need them.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The campaign (考核任务), e.g. 2026年度流动人口服务管理考核.
    pub title: String,
    /// The rubric's title, e.g. 北仑区街道流动人口服务管理考核评分细则.
    pub rubric_title: String,
    /// Who runs the assessment (the district), for the 通报's signature; may be empty.
    pub organiser: String,
    /// When the results were computed, as shown to people (China time), e.g.
    /// `2026-12-20 15:30`; may be empty.
    pub computed: String,
    /// Categories in rubric order.
    pub categories: Vec<Category>,
    /// Items in rubric order; each category's items are contiguous.
    pub items: Vec<Item>,
    /// Units in ranked order.
    pub units: Vec<UnitResult>,
    /// The year compared with (上年), where the caller knows one, and each unit's rank
    /// that year by name.
    pub last_year: Option<i64>,
    pub last_ranks: Vec<(String, usize)>,
    /// Demo data: documents say so in their header, not in their text.
    pub demo: bool,
    /// Where this assessment counts toward the district's overall assessment (综合考核),
    /// its weight: a unit's converted score is its total × weight / 100.
    pub overall_weight: Option<Decimal>,
    /// The rules that cost the district most (from the gap advisor), when the caller
    /// computed them: the 通报's 主要失分原因.
    pub causes: Vec<LossCause>,
}

/// A rule that cost units points: its item as people name it, what it asks, how many
/// units it cost, and what each unit meeting it alone would regain in all.
#[derive(Debug, Clone, Default)]
pub struct LossCause {
    pub item: String,
    pub what: String,
    pub units: usize,
    pub gain: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// The category's points; `None` for a bonus category (加分项).
    pub points: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    pub id: String,
    /// How people refer to it (`基础工作第1项`, or the annex's numbering); documents
    /// show this, never the id.
    pub reference: String,
    pub name: String,
    /// Index into [`Results::categories`].
    pub category: usize,
    /// The item's points; `None` for a bonus item.
    pub points: Option<Decimal>,
    /// The criteria (评分标准), in full.
    pub criteria: String,
}

/// A score in both columns: the unit's self-check (自查分) and the assessment (考核分).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pair {
    pub self_score: Decimal,
    pub score: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct UnitResult {
    pub name: String,
    /// 1-based rank by total; units with equal totals share a rank.
    pub rank: usize,
    /// Whether another unit has the same rank (并列).
    pub tie: bool,
    /// Sum of the base categories.
    pub base: Pair,
    /// Sum of the bonus categories after any overall cap.
    pub bonus: Pair,
    pub total: Pair,
    /// The grade (等次) as shown, e.g. 优秀 or 良好（降档）; empty when the rubric has none.
    pub grade: String,
    /// One per category, in rubric order.
    pub categories: Vec<Pair>,
    /// One per item, in rubric order.
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemResult {
    pub score: Pair,
    /// Why the self-check scored so, a line per effect.
    pub self_explanation: Vec<String>,
    /// Why the assessment scored so.
    pub explanation: Vec<String>,
    /// The assessor's reason where 考核分 differs from 自查分.
    pub reason: Option<String>,
}

/// Why a document could not be written. Writing to memory fails only on a bug or on
/// data a format cannot hold (e.g. an impossibly long sheet name), never on I/O.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写出 Excel 文件：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("无法写出 Word 文件：{0}")]
    Docx(String),
    #[error("没有单位 “{0}” 的结果")]
    NoSuchUnit(String),
}

/// A unit scored twice by the same rubric: on the facts it reported (自查) and on the
/// verified facts (考核).
pub struct ScoredUnit<'a> {
    pub name: &'a str,
    pub self_facts: &'a Facts,
    pub self_score: &'a UnitScore,
    pub facts: &'a Facts,
    pub score: &'a UnitScore,
}

impl Results {
    /// Results straight from scores (the command line's facts files), ranked by the
    /// assessed totals; `title`, `organiser` and `computed` are left for the caller.
    pub fn from_scores(rubric: &Rubric, units: &[ScoredUnit]) -> Results {
        let totals: Vec<Decimal> = units.iter().map(|u| u.score.total).collect();
        let ranks = rank(&totals);
        let pair = |a: Decimal, b: Decimal| Pair {
            self_score: a,
            score: b,
        };
        let mut out: Vec<UnitResult> = units
            .iter()
            .zip(&ranks)
            .map(|(u, &rank)| UnitResult {
                name: u.name.to_string(),
                rank,
                tie: ranks.iter().filter(|r| **r == rank).count() > 1,
                base: pair(u.self_score.base, u.score.base),
                bonus: pair(u.self_score.bonus, u.score.bonus),
                total: pair(u.self_score.total, u.score.total),
                grade: grade_text(rubric, u.score),
                categories: u
                    .self_score
                    .categories
                    .iter()
                    .zip(&u.score.categories)
                    .map(|(a, b)| pair(a.score, b.score))
                    .collect(),
                items: (0..rubric.items().len())
                    .map(|ii| ItemResult {
                        score: pair(u.self_score.items[ii].score, u.score.items[ii].score),
                        self_explanation: explain_item(rubric, u.self_facts, u.self_score, ii),
                        explanation: explain_item(rubric, u.facts, u.score, ii),
                        reason: None,
                    })
                    .collect(),
            })
            .collect();
        // Ranked order; equal ranks keep the given order.
        out.sort_by_key(|u| u.rank);
        Results {
            rubric_title: rubric.title().to_string(),
            categories: rubric
                .categories()
                .iter()
                .map(|c| Category {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    points: c.points,
                })
                .collect(),
            items: rubric
                .items()
                .iter()
                .enumerate()
                .map(|(ii, i)| Item {
                    id: i.id.clone(),
                    reference: rubric.item_ref(ii),
                    name: i.name.clone().unwrap_or_default(),
                    category: i.category,
                    points: i.points,
                    criteria: i.criteria.clone(),
                })
                .collect(),
            units: out,
            ..Results::default()
        }
    }

    /// The items of category `c`, as a range of item indices.
    pub fn category_items(&self, c: usize) -> Range<usize> {
        let start = self
            .items
            .iter()
            .position(|i| i.category == c)
            .unwrap_or(self.items.len());
        let end = self.items[start..]
            .iter()
            .position(|i| i.category != c)
            .map_or(self.items.len(), |n| start + n);
        start..end
    }

    /// The full marks of the base categories (e.g. 100).
    pub fn base_points(&self) -> Decimal {
        self.categories.iter().filter_map(|c| c.points).sum()
    }

    /// The unit called `name`.
    pub fn unit(&self, name: &str) -> Result<&UnitResult, ExportError> {
        self.units
            .iter()
            .find(|u| u.name == name)
            .ok_or_else(|| ExportError::NoSuchUnit(name.to_string()))
    }

    /// Each category's score rate (得分率) over all units, for the categories that have
    /// points: the assessed scores' sum over (points × units).
    pub fn category_rates(&self) -> Vec<CategoryRate> {
        let n = Decimal::from(self.units.len());
        self.categories
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let scores: Vec<Decimal> =
                    self.units.iter().map(|u| u.categories[ci].score).collect();
                let sum: Decimal = scores.iter().copied().sum();
                CategoryRate {
                    category: ci,
                    average: if n.is_zero() { Decimal::ZERO } else { sum / n },
                    max: scores.iter().copied().max().unwrap_or_default(),
                    min: scores.iter().copied().min().unwrap_or_default(),
                    rate: c
                        .points
                        .filter(|p| !p.is_zero() && !n.is_zero())
                        .map(|p| sum * Decimal::ONE_HUNDRED / (p * n)),
                }
            })
            .collect()
    }

    /// Items with points, by the assessed points all units lost on them together, most
    /// first (ties in rubric order); items where nobody lost a point are left out.
    pub fn points_lost(&self) -> Vec<ItemLoss> {
        let mut out: Vec<ItemLoss> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(ii, item)| {
                let points = item.points?;
                let losses: Vec<Decimal> = self
                    .units
                    .iter()
                    .map(|u| points - u.items[ii].score.score)
                    .collect();
                let lost: Decimal = losses.iter().copied().sum();
                let units = losses.iter().filter(|l| **l > Decimal::ZERO).count();
                (lost > Decimal::ZERO).then_some(ItemLoss {
                    item: ii,
                    lost,
                    units,
                })
            })
            .collect();
        out.sort_by(|a, b| b.lost.cmp(&a.lost).then(a.item.cmp(&b.item)));
        out
    }
}

/// A category's scores over all units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRate {
    pub category: usize,
    pub average: Decimal,
    pub max: Decimal,
    pub min: Decimal,
    /// Percent, exact; `None` for a bonus category.
    pub rate: Option<Decimal>,
}

/// Points lost on an item over all units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLoss {
    pub item: usize,
    /// Sum over units of (points − 考核分).
    pub lost: Decimal,
    /// How many units lost points on it.
    pub units: usize,
}

impl Results {
    /// A unit's rank last year, by name.
    pub fn last_rank(&self, unit: &str) -> Option<usize> {
        self.last_ranks
            .iter()
            .find(|(n, _)| n == unit)
            .map(|(_, r)| *r)
    }

    /// What the units are called together, by the kind their names end in: `街道`,
    /// `镇`, `街道（镇）` for both, else `单位`.
    pub fn unit_kind(&self) -> &'static str {
        let all = |suffix: &str| {
            !self.units.is_empty() && self.units.iter().all(|u| u.name.ends_with(suffix))
        };
        let mixed = self
            .units
            .iter()
            .all(|u| u.name.ends_with("街道") || u.name.ends_with('镇') || u.name.ends_with('乡'));
        if all("街道") {
            "街道"
        } else if all("镇") {
            "镇"
        } else if mixed && !self.units.is_empty() {
            "街道（镇）"
        } else {
            "单位"
        }
    }

    /// A unit's converted score for the overall assessment, when there is a weight.
    pub fn converted(&self, u: &UnitResult) -> Option<Decimal> {
        self.overall_weight
            .map(|w| (u.total.score * w / Decimal::ONE_HUNDRED).round_dp(2))
    }
}

impl UnitResult {
    /// 考核分 − 自查分 of the totals.
    pub fn gap(&self) -> Decimal {
        self.total.score - self.total.self_score
    }

    /// The rank as written in a table: `3` or `3（并列）`.
    pub fn rank_text(&self) -> String {
        if self.tie {
            format!("{}（并列）", self.rank)
        } else {
            self.rank.to_string()
        }
    }
}

/// A number as the application shows it: `6`, `5.5`, `93.25`.
pub fn num(d: Decimal) -> String {
    fmt_decimal(d)
}

/// A percentage shown to one decimal place, e.g. `87.3%`.
pub fn percent(d: Decimal) -> String {
    let d = d.round_dp(1);
    format!("{d:.1}%")
}

/// A file name without the characters Windows refuses (`\ / : * ? " < > |`).
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}
