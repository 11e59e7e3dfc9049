//! Scoring: facts in, exact scores out, with every effect recorded for the explanation.
//!
//! Scoring cannot fail: a validated rubric and checked facts always give a score, and
//! the same facts always give the same score. A required fact not provided is read as
//! least favourable to the unit, and listed as missing; an optional fact not provided is
//! read as 0 (or 否), as the rubric format says.

use std::ops::Range;

use rust_decimal::Decimal;

use crate::facts::Facts;
use crate::rubric::{
    Apply, CategoryKind, Check, Direction, Item, ItemMode, Round, Rubric, RuleKind, Share, Slot,
    Term, Test, Tier, TierCmp, VetoEffect,
};

/// The score of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitScore {
    pub items: Vec<ItemScore>,
    pub categories: Vec<CategoryScore>,
    /// Sum of the base categories (≤ the rubric's total).
    pub base: Decimal,
    /// Sum of the bonus categories, after `max_bonus`.
    pub bonus: Decimal,
    /// Bonus before `max_bonus` was applied, when it was.
    pub bonus_uncapped: Option<Decimal>,
    pub total: Decimal,
    /// Index into [`Rubric::grades`], after vetoes and downgrades; `None` when the rubric
    /// has no grade bands or the total is below all of them.
    pub grade: Option<usize>,
    /// Grade band from the total alone, before vetoes and downgrades.
    pub grade_by_total: Option<usize>,
    pub vetoed: bool,
    pub downgrades: u32,
    pub(crate) effects: Vec<Effect>,
    pub(crate) missing: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemScore {
    pub score: Decimal,
    /// True when an indicator is off target: shown to people, worth no points.
    pub flagged: bool,
    pub(crate) effects: Range<u32>,
    pub(crate) missing: Range<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryScore {
    pub score: Decimal,
    /// Sum of the category's item scores before the category's own floor or cap.
    pub raw: Decimal,
}

/// One thing a rule did to an item's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// Index of the rule in its item, or [`CLAMP`] for the item's floor or cap.
    pub rule: u16,
    pub delta: Decimal,
    pub what: What,
}

/// The rule index of the item-level floor/cap effect.
pub const CLAMP: u16 = u16::MAX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// per_count: the count, or `None` when missing.
    Count {
        value: Option<Decimal>,
        capped: bool,
    },
    /// One check of a checks/indicator/veto rule.
    Check {
        check: u16,
        seen: Seen,
        met: bool,
    },
    /// checks with `apply = "once"`: how many checks were unmet.
    AnyUnmet {
        unmet: u16,
    },
    /// shortfall: how far below `required` the value is, in the input's own terms, the
    /// steps that counted, and whether `max` held the deduction.
    Shortfall {
        value: Option<Decimal>,
        short: Decimal,
        steps: Decimal,
        capped: bool,
    },
    /// proportional: the value (the numerator of a ratio), the denominator of a ratio,
    /// and the share of the target reached, held to [0, 1].
    Proportional {
        value: Option<Decimal>,
        den: Option<Decimal>,
        share: Decimal,
    },
    /// tiers: the value and the band whose deduction applied (`None`: in no band).
    Tier {
        value: Option<Decimal>,
        tier: Option<u16>,
    },
    Below {
        value: Option<Decimal>,
        reference: Option<Decimal>,
        lost: bool,
    },
    Term {
        term: u16,
        value: Decimal,
    },
    AwardCap {
        uncapped: Decimal,
        cap: Decimal,
    },
    Discretionary {
        amount: Decimal,
    },
    /// The item's score was held to `[0, cap]` (扣完为止 / 最高得N分).
    Clamp {
        raw: Decimal,
        to: Decimal,
    },
}

/// What a check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Missing,
    Bool(bool),
    Number(Decimal),
    Ratio(Decimal, Decimal),
}

impl UnitScore {
    pub fn effects(&self, item: usize) -> &[Effect] {
        let r = &self.items[item].effects;
        &self.effects[r.start as usize..r.end as usize]
    }

    /// Required facts of the item that were not provided.
    pub fn missing(&self, item: usize) -> &[Slot] {
        let r = &self.items[item].missing;
        &self.missing[r.start as usize..r.end as usize]
    }

    /// Every required fact not provided, across all items, each once (a unit-level
    /// fact used by several items is one missing fact).
    pub fn all_missing(&self) -> Vec<Slot> {
        let mut all = self.missing.clone();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Scores one unit's facts against a rubric.
pub fn score(rubric: &Rubric, facts: &Facts) -> UnitScore {
    let read = Read { rubric, facts };
    let mut effects = Vec::with_capacity(rubric.items().len() * 4);
    let mut missing = Vec::new();
    let mut items = Vec::with_capacity(rubric.items().len());
    let mut vetoed = false;
    let mut downgrades = 0u32;
    for item in rubric.items() {
        let e0 = effects.len() as u32;
        let m0 = missing.len() as u32;
        for &slot in &item.uses {
            let input = rubric.input(slot);
            if input.required && facts.get(slot).is_none() {
                missing.push(slot);
            }
        }
        let (score, flagged) = score_item(item, read, &mut effects, &mut vetoed, &mut downgrades);
        items.push(ItemScore {
            score,
            flagged,
            effects: e0..effects.len() as u32,
            missing: m0..missing.len() as u32,
        });
    }

    let mut categories = Vec::with_capacity(rubric.categories().len());
    let mut base = Decimal::ZERO;
    let mut bonus = Decimal::ZERO;
    for cat in rubric.categories() {
        let raw: Decimal = items[cat.items.clone()].iter().map(|i| i.score).sum();
        let mut score = raw;
        if let (Some(points), Some(max)) = (cat.points, cat.max_deduction) {
            score = score.max(points - max);
        }
        if let Some(cap) = cat.cap {
            score = score.min(cap);
        }
        match cat.kind {
            CategoryKind::Base => base += score,
            CategoryKind::Bonus => bonus += score,
        }
        categories.push(CategoryScore { score, raw });
    }
    let mut bonus_uncapped = None;
    if let Some(max) = rubric.max_bonus()
        && bonus > max
    {
        bonus_uncapped = Some(bonus);
        bonus = max;
    }
    let total = base + bonus;

    let grades = rubric.grades();
    let grade_by_total = grades.iter().position(|g| total >= g.min);
    let grade = if grades.is_empty() {
        None
    } else if vetoed {
        Some(grades.len() - 1)
    } else {
        grade_by_total.map(|g| (g + downgrades as usize).min(grades.len() - 1))
    };

    UnitScore {
        items,
        categories,
        base,
        bonus,
        bonus_uncapped,
        total,
        grade,
        grade_by_total,
        vetoed,
        downgrades,
        effects,
        missing,
    }
}

/// The facts as the rules read them: an optional input left empty is 0 (or 否), so that
/// leaving it empty and typing 0 score the same; a required one stays absent, and is
/// scored least favourably by each rule.
#[derive(Clone, Copy)]
pub(crate) struct Read<'a> {
    rubric: &'a Rubric,
    facts: &'a Facts,
}

impl Read<'_> {
    fn number(self, slot: Slot) -> Option<Decimal> {
        self.facts
            .number(slot)
            .or_else(|| (!self.rubric.input(slot).required).then_some(Decimal::ZERO))
    }

    fn boolean(self, slot: Slot) -> Option<bool> {
        self.facts
            .boolean(slot)
            .or_else(|| (!self.rubric.input(slot).required).then_some(false))
    }
}

fn score_item(
    item: &Item,
    facts: Read<'_>,
    effects: &mut Vec<Effect>,
    vetoed: &mut bool,
    downgrades: &mut u32,
) -> (Decimal, bool) {
    let start = match item.mode {
        ItemMode::Deduct => item.points.unwrap_or_default(),
        ItemMode::Award => Decimal::ZERO,
    };
    let mut flagged = false;
    let mut out = ItemEffects {
        effects,
        rule: 0,
        sum: Decimal::ZERO,
    };
    for (ri, rule) in item.rules.iter().enumerate() {
        out.rule = ri;
        match &rule.kind {
            RuleKind::PerCount { input, each, max } => {
                let limit = max.or(item.points).unwrap_or_default();
                per_count(&mut out, facts, *input, *each, limit);
            }
            RuleKind::Checks {
                checks,
                each,
                apply,
            } => {
                let per_unmet = (*apply == Apply::Each).then_some(*each);
                let unmet = record_checks(&mut out, facts, checks, per_unmet);
                if *apply == Apply::Once && unmet > 0 {
                    out.push(
                        -*each,
                        What::AnyUnmet {
                            unmet: unmet as u16,
                        },
                    );
                }
            }
            RuleKind::Shortfall {
                input,
                required,
                each,
                step,
                round,
                max,
            } => {
                let counted = Steps {
                    required: *required,
                    each: *each,
                    step: *step,
                    round: *round,
                    max: *max,
                };
                shortfall(&mut out, facts, *input, counted)
            }
            RuleKind::Proportional { of, max } => {
                let (value, den, share) = share_of(facts, of);
                let gained = proportional_points(*max, share);
                let delta = match item.mode {
                    ItemMode::Deduct => gained - *max,
                    ItemMode::Award => gained,
                };
                out.push(delta, What::Proportional { value, den, share });
            }
            RuleKind::Tiers { input, cmp, tiers } => {
                let value = facts.number(*input);
                let tier = tier_of(value, *cmp, tiers);
                let delta = tier.map(|t| -tiers[t].deduct).unwrap_or_default();
                out.push(
                    delta,
                    What::Tier {
                        value,
                        tier: tier.map(|t| t as u16),
                    },
                );
            }
            RuleKind::Below {
                input,
                reference,
                deduct,
            } => below(&mut out, facts, *input, *reference, *deduct),
            RuleKind::Award { terms, cap, .. } => award(&mut out, facts, terms, *cap),
            RuleKind::Discretionary {
                input, direction, ..
            } => {
                let amount = facts.number(*input).unwrap_or_default();
                if !amount.is_zero() {
                    let delta = match direction {
                        Direction::Deduct => -amount,
                        Direction::Add => amount,
                    };
                    out.push(delta, What::Discretionary { amount });
                }
            }
            RuleKind::Indicator { checks } => {
                flagged |= record_checks(&mut out, facts, checks, None) > 0;
            }
            RuleKind::Veto { checks, effect } => {
                if record_checks(&mut out, facts, checks, None) > 0 {
                    match effect {
                        VetoEffect::Veto => *vetoed = true,
                        VetoEffect::Downgrade => *downgrades += 1,
                    }
                }
            }
        }
    }
    let raw = start + out.sum;
    let upper = match item.mode {
        ItemMode::Deduct => item.points,
        ItemMode::Award => item.cap,
    };
    let mut score = raw.max(Decimal::ZERO);
    if let Some(upper) = upper {
        score = score.min(upper);
    }
    if score != raw {
        out.effects.push(Effect {
            rule: CLAMP,
            delta: score - raw,
            what: What::Clamp { raw, to: score },
        });
    }
    (score, flagged)
}

/// One item's effects as its rules record them, with their running sum.
struct ItemEffects<'a> {
    effects: &'a mut Vec<Effect>,
    /// The index of the rule now recording.
    rule: usize,
    sum: Decimal,
}

impl ItemEffects<'_> {
    fn push(&mut self, delta: Decimal, what: What) {
        self.sum += delta;
        self.effects.push(Effect {
            rule: self.rule as u16,
            delta,
            what,
        });
    }
}

/// −`each` per count, at most `limit`; a missing count loses the whole `limit`.
fn per_count(out: &mut ItemEffects, facts: Read<'_>, input: Slot, each: Decimal, limit: Decimal) {
    match facts.number(input) {
        Some(v) => {
            let full = v * each;
            let capped = full > limit;
            out.push(
                -full.min(limit),
                What::Count {
                    value: Some(v),
                    capped,
                },
            );
        }
        None => out.push(
            -limit,
            What::Count {
                value: None,
                capped: true,
            },
        ),
    }
}

/// Records one effect per check, losing `per_unmet` (if any) for each unmet one; returns
/// how many were unmet.
fn record_checks(
    out: &mut ItemEffects,
    facts: Read<'_>,
    checks: &[Check],
    per_unmet: Option<Decimal>,
) -> usize {
    let mut unmet = 0;
    for (ci, check) in checks.iter().enumerate() {
        let (met, seen) = eval(check, facts);
        let delta = match per_unmet {
            Some(each) if !met => -each,
            _ => Decimal::ZERO,
        };
        unmet += usize::from(!met);
        out.push(
            delta,
            What::Check {
                check: ci as u16,
                seen,
                met,
            },
        );
    }
    unmet
}

/// What a shortfall rule counts: `required`, and −`each` per `step` short of it.
#[derive(Clone, Copy)]
struct Steps {
    required: Decimal,
    each: Decimal,
    step: Decimal,
    round: Round,
    max: Option<Decimal>,
}

/// −`each` per step short of `required`, at most `max`; a missing value is 0.
fn shortfall(out: &mut ItemEffects, facts: Read<'_>, input: Slot, s: Steps) {
    let value = facts.number(input);
    let short = (s.required - value.unwrap_or_default()).max(Decimal::ZERO);
    let steps = s.round.steps(short, s.step);
    let full = steps.checked_mul(s.each).unwrap_or(Decimal::MAX);
    let capped = s.max.is_some_and(|m| full > m);
    let lost = match s.max {
        Some(m) => full.min(m),
        None => full,
    };
    out.push(
        -lost,
        What::Shortfall {
            value,
            short,
            steps,
            capped,
        },
    );
}

/// The share of its target a proportional rule's value reaches, held to [0, 1], with the
/// value (the numerator) and the denominator it read. A missing value, or a ratio whose
/// denominator is 0, reaches nothing.
pub(crate) fn share_of(facts: Read<'_>, of: &Share) -> (Option<Decimal>, Option<Decimal>, Decimal) {
    let (value, den, share) = match *of {
        Share::Value { input, target } => {
            let value = facts.number(input);
            let share = value.map(|v| v.checked_div(target).unwrap_or(Decimal::ONE));
            (value, None, share)
        }
        Share::Ratio { num, den, target } => {
            let value = facts.number(num);
            let d = facts.number(den);
            let share = match (value, d) {
                (Some(n), Some(d)) if !d.is_zero() => Some(
                    n.checked_mul(Decimal::ONE_HUNDRED)
                        .and_then(|n| n.checked_div(d))
                        .and_then(|q| q.checked_div(target))
                        .unwrap_or(Decimal::ONE),
                ),
                _ => None,
            };
            (value, d, share)
        }
    };
    let share = share.unwrap_or_default().clamp(Decimal::ZERO, Decimal::ONE);
    (value, den, share)
}

/// The points a share of `max` is worth, rounded half up to 0.01 (四舍五入到分).
pub fn proportional_points(max: Decimal, share: Decimal) -> Decimal {
    (max * share).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The band of a tiers rule that applies: the largest deduction among the bands the
/// value falls in (a missing value falls in all of them).
pub fn tier_of(value: Option<Decimal>, cmp: TierCmp, tiers: &[Tier]) -> Option<usize> {
    tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| value.is_none_or(|v| cmp.falls_in(v, t.bound)))
        .max_by(|a, b| a.1.deduct.cmp(&b.1.deduct).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// −`deduct` when `input` is below `reference`, or either is missing.
fn below(out: &mut ItemEffects, facts: Read<'_>, input: Slot, reference: Slot, deduct: Decimal) {
    let value = facts.number(input);
    let reference = facts.number(reference);
    let lost = match (value, reference) {
        (Some(v), Some(r)) => v < r,
        _ => true,
    };
    let delta = if lost { -deduct } else { Decimal::ZERO };
    out.push(
        delta,
        What::Below {
            value,
            reference,
            lost,
        },
    );
}

/// +`each` per count of each term, then what is above `cap` taken back as its own effect.
fn award(out: &mut ItemEffects, facts: Read<'_>, terms: &[Term], cap: Option<Decimal>) {
    let mut gained = Decimal::ZERO;
    for (ti, term) in terms.iter().enumerate() {
        let value = facts.number(term.input).unwrap_or_default();
        let delta = value * term.each;
        gained += delta;
        out.push(
            delta,
            What::Term {
                term: ti as u16,
                value,
            },
        );
    }
    if let Some(cap) = cap
        && gained > cap
    {
        out.push(
            cap - gained,
            What::AwardCap {
                uncapped: gained,
                cap,
            },
        );
    }
}

/// Evaluates a check. A required fact not provided fails the check (无佐证不得分), and so
/// does a ratio whose denominator is 0.
pub(crate) fn eval(check: &Check, facts: Read<'_>) -> (bool, Seen) {
    match check.test {
        Test::Yes { input } => match facts.boolean(input) {
            Some(b) => (b, Seen::Bool(b)),
            None => (false, Seen::Missing),
        },
        Test::Value {
            input,
            cmp,
            threshold,
        } => match facts.number(input) {
            Some(v) => (cmp.holds(v, threshold), Seen::Number(v)),
            None => (false, Seen::Missing),
        },
        Test::Ratio {
            num,
            den,
            cmp,
            percent,
        } => match (facts.number(num), facts.number(den)) {
            (Some(n), Some(d)) if d.is_zero() => (false, Seen::Ratio(n, d)),
            // Compared by cross-multiplication, so no rounding can move a boundary.
            (Some(n), Some(d)) => (
                cmp.holds(n * Decimal::ONE_HUNDRED, percent * d),
                Seen::Ratio(n, d),
            ),
            _ => (false, Seen::Missing),
        },
    }
}
