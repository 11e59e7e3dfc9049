//! The validated rubric: categories, items, inputs and rules.
//!
//! A [`Rubric`] can only be built by [`Rubric::from_toml`], which checks everything a
//! scoring run relies on; once built it is immutable and scoring it cannot fail.

mod load;

use std::collections::HashMap;
use std::ops::Range;

use rust_decimal::Decimal;

pub use crate::records::{RecordCount, RecordKind};
pub use load::{Problem, RubricErrors};

/// Index of a fact in a rubric's fact table (unit-level facts first, then item inputs).
pub type Slot = usize;

/// A scoring rubric (考核评分细则), validated and immutable.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) year: Option<i64>,
    pub(crate) total: Option<Decimal>,
    pub(crate) max_bonus: Option<Decimal>,
    pub(crate) categories: Vec<Category>,
    pub(crate) items: Vec<Item>,
    pub(crate) inputs: Vec<Input>,
    pub(crate) grades: Vec<Grade>,
    pub(crate) record_kinds: Vec<RecordKind>,
    pub(crate) hash: String,
    pub(crate) by_key: HashMap<String, Slot>,
}

/// A category (考核内容) such as 基础工作; either part of the base score or a bonus (加分项).
#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub kind: CategoryKind,
    /// The category's points; `None` for a bonus category.
    pub points: Option<Decimal>,
    /// Base categories: at most this much may be lost in the category as a whole.
    pub max_deduction: Option<Decimal>,
    /// Bonus categories: at most this much bonus from the category.
    pub cap: Option<Decimal>,
    pub items: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryKind {
    Base,
    Bonus,
}

/// One scored line of the rubric.
#[derive(Debug, Clone)]
pub struct Item {
    /// The rubric's own id (`basic.1`): for files and addresses, never shown to people.
    pub id: String,
    pub name: Option<String>,
    /// The annex's own numbering of the item (`（三）2`), where the rubric gives one;
    /// otherwise people refer to it by its place (see [`Rubric::item_ref`]).
    pub number: Option<String>,
    pub category: usize,
    /// The item's points (分值); bonus items may have none.
    pub points: Option<Decimal>,
    pub mode: ItemMode,
    /// The most the item can score (for an award item in a base category, its points).
    pub cap: Option<Decimal>,
    /// The criteria text of the source document, verbatim (评分标准).
    pub criteria: String,
    pub rules: Vec<Rule>,
    /// The slots of the facts this item declares.
    pub inputs: Range<Slot>,
    /// Every fact the item's score depends on: its own inputs, then unit-level facts
    /// and other items' facts that its rules read.
    pub uses: Vec<Slot>,
}

/// Where an item's score starts: at its points, losing by deductions (the usual
/// case), or at zero, gaining by awards (basic.3, bonus items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemMode {
    Deduct,
    Award,
}

/// A fact that a unit reports (or the district sets, for unit-level facts).
#[derive(Debug, Clone)]
pub struct Input {
    /// The full key used in facts files: `basic.1.misses`, or `floating_population`.
    pub key: String,
    /// The key inside its item: `misses`.
    pub local: String,
    pub label: String,
    pub ty: InputType,
    pub required: bool,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// Values must be multiples of this (discretionary amounts: 0.1).
    pub step: Option<Decimal>,
    /// A word for the count shown after numbers: 次, 篇, 人.
    pub unit: Option<String>,
    /// `None` for a unit-level fact.
    pub item: Option<usize>,
    /// Where kaohe takes a unit-level fact from instead of the district typing it
    /// (`from` in the rubric file); `None` for a fact somebody enters.
    pub from: Option<FactSource>,
}

/// A fact kaohe computes from its own records instead of somebody typing it. The core
/// only carries the declaration; the application fills the value (a facts file gives it
/// as a column like any other fact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactSource {
    /// `from = "last_year_unrectified"` (a unit-level fact): how many of the unit's
    /// problems of last year's rectification (整改) were not signed off, for a clause
    /// such as 上年度整改未到位的每个问题扣N分.
    LastYearUnrectified,
    /// `from = { records = "info", where = { typical = false } }` (an item's fact): how
    /// many of the unit's records of a kind, dated in the campaign's period, the column
    /// counts (see [`crate::records`]).
    Records(RecordCount),
}

impl FactSource {
    /// The word in the rubric file.
    pub fn code(&self) -> &'static str {
        match self {
            FactSource::LastYearUnrectified => "last_year_unrectified",
            FactSource::Records(_) => "records",
        }
    }

    /// What a person reads beside the value.
    pub fn words(&self, rubric: &Rubric) -> String {
        match self {
            FactSource::LastYearUnrectified => "由上年度整改情况自动计算".to_string(),
            FactSource::Records(c) => {
                let kind = &rubric.record_kinds[c.kind];
                let filter = c.words(kind);
                if filter.is_empty() {
                    format!("由“{}”记录计数", kind.name)
                } else {
                    format!("由“{}”记录计数（{filter}）", kind.name)
                }
            }
        }
    }

    /// The records a fact counts, if it counts records.
    pub fn records(&self) -> Option<&RecordCount> {
        match self {
            FactSource::Records(c) => Some(c),
            FactSource::LastYearUnrectified => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// A whole number ≥ 0.
    Count,
    /// A percentage, 0 to 100.
    Percent,
    /// An exact decimal (discretionary amounts).
    Decimal,
    /// Yes or no.
    Bool,
    /// Free text (reasons).
    Text,
}

impl InputType {
    pub fn name(self) -> &'static str {
        match self {
            InputType::Count => "count",
            InputType::Percent => "percent",
            InputType::Decimal => "decimal",
            InputType::Bool => "bool",
            InputType::Text => "text",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            InputType::Count | InputType::Percent | InputType::Decimal
        )
    }
}

/// A grade band (等次) such as 优秀 ≥ 90.
#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min: Decimal,
}

/// One rule of an item; rules of an item compose by adding their effects.
#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: RuleKind,
    pub label: Option<String>,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// −`each` per counted occurrence (每次扣N分), at most `max` (default: the item's points).
    PerCount {
        input: Slot,
        each: Decimal,
        max: Option<Decimal>,
    },
    /// −`each` per unmet check, or −`each` once if any check is unmet.
    Checks {
        checks: Vec<Check>,
        each: Decimal,
        apply: Apply,
    },
    /// −`each` per `step` short of `required` (每少一次扣N分; 每低1个百分点扣N分), at
    /// most `max`; a part of a step counts as `round` says.
    Shortfall {
        input: Slot,
        required: Decimal,
        each: Decimal,
        step: Decimal,
        round: Round,
        max: Option<Decimal>,
    },
    /// Points in proportion to a value's share of its target (按完成比例得分): in a
    /// deduct item −`max` × (1 − share), in an award item +`max` × share, the share held
    /// to [0, 1] and the amount rounded half up to 0.01.
    Proportional { of: Share, max: Decimal },
    /// Deductions by band (未开展的扣4分，开展不足3次的扣2分): the largest deduction of
    /// the bands the value falls in; a missing value falls in every band.
    Tiers {
        input: Slot,
        cmp: TierCmp,
        tiers: Vec<Tier>,
    },
    /// −`deduct` when `input` falls below `reference` (this year vs last).
    Below {
        input: Slot,
        reference: Slot,
        deduct: Decimal,
    },
    /// +`each` per count of each term, up to `cap`. `tiered` marks a per-level list
    /// (分别加a、b、c分); the arithmetic is the same.
    Award {
        terms: Vec<Term>,
        cap: Option<Decimal>,
        tiered: bool,
    },
    /// An amount a person enters within `[0, max]`, with a reason (酌情扣分 / 适当加分).
    Discretionary {
        input: Slot,
        reason: Slot,
        max: Decimal,
        direction: Direction,
    },
    /// Shown and flagged against a target, worth no points.
    Indicator { checks: Vec<Check> },
    /// A condition that, when failed, vetoes the grade (一票否决) or drops it a band (降档).
    Veto {
        checks: Vec<Check>,
        effect: VetoEffect,
    },
}

/// How a part of a step counts in a shortfall: 每低1个百分点扣0.5分 with 2.5 points short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Only whole steps count (2): the default, and the reading when the text says
    /// nothing.
    Down,
    /// A started step counts whole (3): 不足1个百分点的按1个百分点计.
    Up,
    /// The exact share (2.5): 按比例扣分.
    Exact,
}

impl Round {
    /// The word in the rubric file.
    pub fn code(self) -> &'static str {
        match self {
            Round::Down => "down",
            Round::Up => "up",
            Round::Exact => "exact",
        }
    }

    /// How many steps `short` is.
    pub fn steps(self, short: Decimal, step: Decimal) -> Decimal {
        let exact = short / step;
        match self {
            Round::Down => exact.floor(),
            Round::Up => exact.ceil(),
            Round::Exact => exact,
        }
    }
}

/// What a proportional rule measures: one value against a target, or a ratio of two
/// facts (as a percentage) against a target percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    Value {
        input: Slot,
        target: Decimal,
    },
    Ratio {
        num: Slot,
        den: Slot,
        target: Decimal,
    },
}

/// Which side of its bound a tier's value falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierCmp {
    /// `below = N`: the value is less than N (不足N次).
    Below,
    /// `above = N`: the value is more than N (高于N%).
    Above,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub bound: Decimal,
    pub deduct: Decimal,
}

impl TierCmp {
    pub fn falls_in(self, value: Decimal, bound: Decimal) -> bool {
        match self {
            TierCmp::Below => value < bound,
            TierCmp::Above => value > bound,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// Deduct per unmet check.
    Each,
    /// Deduct once if any check is unmet.
    Once,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Deduct,
    Add,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoEffect {
    /// The unit gets the lowest grade whatever its total (一票否决).
    Veto,
    /// The unit's grade drops one band (降档).
    Downgrade,
}

/// A condition on facts.
#[derive(Debug, Clone)]
pub struct Check {
    pub label: String,
    pub test: Test,
}

#[derive(Debug, Clone)]
pub enum Test {
    /// A yes/no fact must be yes.
    Yes { input: Slot },
    /// A number must compare to a threshold (counts, percentages, decimals).
    Value {
        input: Slot,
        cmp: Cmp,
        threshold: Decimal,
    },
    /// `num / den` as a percentage must compare to a threshold.
    Ratio {
        num: Slot,
        den: Slot,
        cmp: Cmp,
        percent: Decimal,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    AtLeast,
    AtMost,
}

impl Cmp {
    pub fn holds(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Cmp::AtLeast => value >= threshold,
            Cmp::AtMost => value <= threshold,
        }
    }
    pub fn symbol(self, met: bool) -> &'static str {
        match (self, met) {
            (Cmp::AtLeast, true) => "≥",
            (Cmp::AtLeast, false) => "<",
            (Cmp::AtMost, true) => "≤",
            (Cmp::AtMost, false) => ">",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Term {
    pub input: Slot,
    pub each: Decimal,
    pub label: String,
}

impl RuleKind {
    /// The kind's word in the rubric file.
    pub fn code(&self) -> &'static str {
        match self {
            RuleKind::PerCount { .. } => "per_count",
            RuleKind::Checks { .. } => "checks",
            RuleKind::Shortfall { .. } => "shortfall",
            RuleKind::Below { .. } => "below",
            RuleKind::Award { tiered: true, .. } => "tiered",
            RuleKind::Award { .. } => "award",
            RuleKind::Discretionary { .. } => "discretionary",
            RuleKind::Indicator { .. } => "indicator",
            RuleKind::Veto { .. } => "veto",
            RuleKind::Proportional { .. } => "proportional",
            RuleKind::Tiers { .. } => "tiers",
        }
    }

    /// The slots this rule reads.
    pub fn slots(&self) -> Vec<Slot> {
        fn of_checks(checks: &[Check]) -> Vec<Slot> {
            checks
                .iter()
                .flat_map(|c| match c.test {
                    Test::Yes { input } | Test::Value { input, .. } => vec![input],
                    Test::Ratio { num, den, .. } => vec![num, den],
                })
                .collect()
        }
        match self {
            RuleKind::PerCount { input, .. }
            | RuleKind::Shortfall { input, .. }
            | RuleKind::Tiers { input, .. } => vec![*input],
            RuleKind::Proportional { of, .. } => match of {
                Share::Value { input, .. } => vec![*input],
                Share::Ratio { num, den, .. } => vec![*num, *den],
            },
            RuleKind::Checks { checks, .. }
            | RuleKind::Indicator { checks }
            | RuleKind::Veto { checks, .. } => of_checks(checks),
            RuleKind::Below {
                input, reference, ..
            } => vec![*input, *reference],
            RuleKind::Award { terms, .. } => terms.iter().map(|t| t.input).collect(),
            RuleKind::Discretionary { input, reason, .. } => vec![*input, *reason],
        }
    }
}

impl Rubric {
    /// The rubric's short id, e.g. `beilun-2026`.
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn year(&self) -> Option<i64> {
        self.year
    }
    /// The declared base total (100 for Beilun), if the file declares one.
    pub fn total(&self) -> Option<Decimal> {
        self.total
    }
    /// The cap on the sum of all bonus categories, if any.
    pub fn max_bonus(&self) -> Option<Decimal> {
        self.max_bonus
    }
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }
    pub fn items(&self) -> &[Item] {
        &self.items
    }
    /// Every fact the rubric knows, unit-level facts first; a fact's index is its [`Slot`].
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
    pub fn grades(&self) -> &[Grade] {
        &self.grades
    }
    /// SHA-256 of the rubric file's text, in hex: what a campaign freezes.
    pub fn hash(&self) -> &str {
        &self.hash
    }
    pub fn slot(&self, key: &str) -> Option<Slot> {
        self.by_key.get(key).copied()
    }
    pub fn input(&self, slot: Slot) -> &Input {
        &self.inputs[slot]
    }
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
    /// How people refer to item `ii`, on every page and document: the annex's own
    /// numbering where the rubric gives one, else its category and place in it
    /// (`基础工作第1项`). Never the id.
    pub fn item_ref(&self, ii: usize) -> String {
        let item = &self.items[ii];
        let category = &self.categories[item.category];
        item_ref(
            &category.name,
            ii - category.items.start,
            item.number.as_deref(),
        )
    }
    /// Item `ii` under its category's heading: `第1项`, or the annex's numbering.
    pub fn item_place(&self, ii: usize) -> String {
        let item = &self.items[ii];
        match &item.number {
            Some(n) => n.clone(),
            None => item_place(ii - self.categories[item.category].items.start),
        }
    }
    /// A category's heading as the annex numbers it: `一、基础工作`.
    pub fn category_heading(&self, ci: usize) -> String {
        format!("{}、{}", chinese_number(ci + 1), self.categories[ci].name)
    }
    /// Unit-level facts (set by the district for each unit), such as the floating population.
    pub fn unit_inputs(&self) -> impl Iterator<Item = (Slot, &Input)> {
        self.inputs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.item.is_none())
    }

    /// The unit-level facts the district enters (not those kaohe computes, `from`).
    pub fn district_inputs(&self) -> impl Iterator<Item = (Slot, &Input)> {
        self.unit_inputs().filter(|(_, i)| i.from.is_none())
    }

    /// The kinds of record this rubric counts (`[[records]]`).
    pub fn record_kinds(&self) -> &[RecordKind] {
        &self.record_kinds
    }

    /// A kind of record by its id, with its index.
    pub fn record_kind(&self, id: &str) -> Option<(usize, &RecordKind)> {
        self.record_kinds
            .iter()
            .enumerate()
            .find(|(_, k)| k.id == id)
    }

    /// The facts that count records, each with what it counts.
    pub fn record_inputs(&self) -> impl Iterator<Item = (Slot, &Input, &RecordCount)> {
        self.inputs
            .iter()
            .enumerate()
            .filter_map(|(s, i)| Some((s, i, i.from.as_ref()?.records()?)))
    }

    /// The known fact key closest to `key`, for "did you mean" messages.
    pub fn closest_key(&self, key: &str) -> Option<&str> {
        closest(key, self.inputs.iter().map(|i| i.key.as_str()))
    }
}

/// The candidate closest to `word` by edit distance, if any is close enough to be a
/// plausible typo; for "did you mean" messages.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 2).max(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// How people refer to an item: its annex numbering (`number`) if any, else the
/// category's name and the item's place in it (`place` from 0): `基础工作第1项`.
pub fn item_ref(category: &str, place: usize, number: Option<&str>) -> String {
    match number {
        Some(n) => n.to_string(),
        None => format!("{category}{}", item_place(place)),
    }
}

/// An item's place in its category (from 0) as people count it: `第1项`.
pub fn item_place(place: usize) -> String {
    format!("第{}项", place + 1)
}

/// A small whole number in Chinese numerals as headings use them: 一, 十, 十二, 二十一.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod numbering_tests {
    use super::*;

    #[test]
    fn items_are_referred_to_by_category_and_place_or_the_annexs_numbering() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(21), "二十一");
        assert_eq!(item_ref("基础工作", 0, None), "基础工作第1项");
        assert_eq!(item_ref("基础工作", 3, Some("（一）4")), "（一）4");
        let rubric =
            Rubric::from_toml(include_str!("../../../../rubrics/beilun-2026.toml"), "b").unwrap();
        let b3 = rubric
            .items()
            .iter()
            .position(|i| i.id == "basic.3")
            .unwrap();
        assert_eq!(rubric.item_ref(b3), "基础工作第3项");
        assert_eq!(rubric.item_place(b3), "第3项");
        assert_eq!(rubric.category_heading(1), "二、管理工作");
    }
}
