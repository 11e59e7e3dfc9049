//! The gap advisor (差距分析): for a unit's facts and a rubric, each rule that took points
//! with the smallest change of facts that gives them back, and the points that change
//! regains on its own. Pure, no I/O; it reads the engine's own effects and rescores the
//! whole unit with each change (floors and caps make gains non-additive: two unmet
//! checks worth −4 each on a 7-point item give 0, and meeting one gains 3, not 4).

use rust_decimal::Decimal;

use crate::engine::{Effect, UnitScore, What, score};
use crate::facts::{Facts, Value};
use crate::num::fmt as f;
use crate::rubric::{
    Apply, Check, Cmp, Direction, InputType, ItemMode, Round, Rubric, RuleKind, Share, Slot, Test,
    TierCmp,
};

/// One way a unit lost points, and what would give them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub item: usize,
    /// The rule in its item.
    pub rule: usize,
    /// The check of a checks rule (`apply = "each"`), when the gap is one check.
    pub check: Option<usize>,
    pub remedy: Remedy,
    /// Points regained by the remedy alone: the unit rescored with that one change,
    /// its new total minus its total. Zero for a gap with no fact-level remedy.
    pub gain: Decimal,
}

/// The smallest change of facts that gives a gap's points back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Set these facts to these values (one, or all the unmet checks of an
    /// `apply = "once"` rule, which gives its points back only when every check is met).
    Change(Vec<Change>),
    /// Provide a required fact never given (read meanwhile as least favourable).
    Provide(Slot),
    /// No change of reported facts gives the points back.
    Not(NoRemedy),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub input: Slot,
    pub from: Option<Value>,
    pub to: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRemedy {
    /// An amount deducted at the assessors' discretion (酌情扣分), of these points.
    Discretionary(Decimal),
    /// A failed condition that vetoes or lowers the grade (一票否决 / 降档).
    Veto,
}

/// Every gap of a unit, best first: the largest gain, then the rubric's order. Gains do
/// not add up: each is computed alone.
pub fn gaps(rubric: &Rubric, facts: &Facts, scored: &UnitScore) -> Vec<Gap> {
    let mut out = Vec::new();
    for (ii, item) in rubric.items().iter().enumerate() {
        let effects = scored.effects(ii);
        for (ri, rule) in item.rules.iter().enumerate() {
            let mine: Vec<&Effect> = effects.iter().filter(|e| e.rule as usize == ri).collect();
            let gap = |remedy: Remedy, check: Option<usize>| Gap {
                item: ii,
                rule: ri,
                check,
                remedy,
                gain: Decimal::ZERO,
            };
            match &rule.kind {
                RuleKind::PerCount { input, .. } => {
                    let took = mine.iter().any(|e| e.delta < Decimal::ZERO);
                    match facts.get(*input) {
                        None if took || missing(scored, ii, *input) => {
                            out.push(gap(Remedy::Provide(*input), None))
                        }
                        Some(_) if took => out.push(gap(
                            change(facts, *input, Value::Number(Decimal::ZERO)),
                            None,
                        )),
                        _ => {}
                    }
                }
                RuleKind::Shortfall {
                    input,
                    required,
                    step,
                    round,
                    ..
                } => {
                    if !mine.iter().any(|e| e.delta < Decimal::ZERO) {
                        continue;
                    }
                    // With whole steps counted, a value less than a step short is enough.
                    let enough = match round {
                        Round::Down => {
                            let g = grid(rubric, *input);
                            let above = ((*required - *step) / g).floor() * g + g;
                            above.min(*required)
                        }
                        Round::Up | Round::Exact => *required,
                    };
                    out.push(match facts.get(*input) {
                        None => gap(Remedy::Provide(*input), None),
                        Some(_) => gap(
                            change(facts, *input, Value::Number(enough.normalize())),
                            None,
                        ),
                    });
                }
                RuleKind::Proportional { of, max } => {
                    if !took_points(&mine, item.mode, *max) {
                        continue;
                    }
                    let (input, target) = match *of {
                        Share::Value { input, target } => (input, Some(target)),
                        Share::Ratio { num, den, target } => (
                            num,
                            facts.number(den).map(|d| d * target / Decimal::ONE_HUNDRED),
                        ),
                    };
                    let remedy = match (facts.get(input), of, target) {
                        (None, _, _) => Remedy::Provide(input),
                        (_, Share::Ratio { den, .. }, None) => Remedy::Provide(*den),
                        (Some(_), _, Some(t)) => change(
                            facts,
                            input,
                            Value::Number(full_share(rubric, input, t, *max)),
                        ),
                        (Some(_), Share::Value { .. }, None) => continue,
                    };
                    out.push(gap(remedy, None));
                }
                RuleKind::Tiers { input, cmp, tiers } => {
                    if !mine.iter().any(|e| e.delta < Decimal::ZERO) {
                        continue;
                    }
                    let clear = match cmp {
                        TierCmp::Below => tiers.iter().map(|t| t.bound).max(),
                        TierCmp::Above => tiers.iter().map(|t| t.bound).min(),
                    }
                    .unwrap_or_default();
                    out.push(match facts.get(*input) {
                        None => gap(Remedy::Provide(*input), None),
                        Some(_) => gap(change(facts, *input, Value::Number(clear)), None),
                    });
                }
                RuleKind::Below {
                    input, reference, ..
                } => {
                    if !mine.iter().any(|e| e.delta < Decimal::ZERO) {
                        continue;
                    }
                    out.push(match (facts.get(*input), facts.number(*reference)) {
                        (Some(_), Some(r)) => gap(change(facts, *input, Value::Number(r)), None),
                        (None, _) => gap(Remedy::Provide(*input), None),
                        (_, None) => gap(Remedy::Provide(*reference), None),
                    });
                }
                RuleKind::Checks { checks, apply, .. } => {
                    let unmet: Vec<usize> = mine
                        .iter()
                        .filter_map(|e| match e.what {
                            What::Check {
                                check, met: false, ..
                            } => Some(check as usize),
                            _ => None,
                        })
                        .collect();
                    if unmet.is_empty() || !mine.iter().any(|e| e.delta < Decimal::ZERO) {
                        continue;
                    }
                    match apply {
                        Apply::Each => {
                            for c in unmet {
                                out.push(gap(meet(rubric, facts, &checks[c]), Some(c)));
                            }
                        }
                        Apply::Once => {
                            let remedies: Vec<Remedy> = unmet
                                .iter()
                                .map(|c| meet(rubric, facts, &checks[*c]))
                                .collect();
                            let provide = remedies.iter().find_map(|r| match r {
                                Remedy::Provide(s) => Some(*s),
                                _ => None,
                            });
                            out.push(match provide {
                                Some(s) => gap(Remedy::Provide(s), None),
                                None => gap(
                                    Remedy::Change(
                                        remedies
                                            .into_iter()
                                            .flat_map(|r| match r {
                                                Remedy::Change(c) => c,
                                                _ => Vec::new(),
                                            })
                                            .collect(),
                                    ),
                                    None,
                                ),
                            });
                        }
                    }
                }
                RuleKind::Award { terms, .. } => {
                    // What the item could still earn: up to its cap (an uncapped bonus
                    // item has no gap).
                    let ceiling = match (item.mode, item.cap.or(item.points)) {
                        (ItemMode::Award, Some(c)) => c,
                        _ => continue,
                    };
                    let now = scored.items[ii].score;
                    if now >= ceiling {
                        continue;
                    }
                    for term in terms {
                        if term.each <= Decimal::ZERO {
                            continue;
                        }
                        let have = facts.number(term.input).unwrap_or_default();
                        let more = ((ceiling - now) / term.each).ceil();
                        out.push(gap(
                            change(facts, term.input, Value::Number(have + more)),
                            None,
                        ));
                    }
                }
                RuleKind::Discretionary {
                    input, direction, ..
                } => {
                    let amount = facts.number(*input).unwrap_or_default();
                    if *direction == Direction::Deduct && amount > Decimal::ZERO {
                        out.push(gap(Remedy::Not(NoRemedy::Discretionary(amount)), None));
                    }
                }
                RuleKind::Veto { .. } => {
                    for e in &mine {
                        if let What::Check {
                            check, met: false, ..
                        } = e.what
                        {
                            out.push(gap(Remedy::Not(NoRemedy::Veto), Some(check as usize)));
                        }
                    }
                }
                RuleKind::Indicator { .. } => {}
            }
        }
    }
    for g in &mut out {
        g.gain = gain_of(rubric, facts, scored, &g.remedy);
    }
    out.sort_by(|a, b| b.gain.cmp(&a.gain).then(a.item.cmp(&b.item)));
    out
}

/// A rule that took points from a unit: where a rectification (整改) starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub item: usize,
    /// The rule in its item.
    pub rule: usize,
    /// The points the rule took (its deductions, before the item's floor), or, for an
    /// award not reached, what its best remedy gives back; zero for a condition that
    /// only touches the grade.
    pub points: Decimal,
    /// What the rule found, as the explanation says it.
    pub lines: Vec<String>,
    /// What would put it right, in the unit's words (each unmet check of the rule).
    pub remedy: String,
}

/// Every rule that took points from a unit (one problem per rule, in the rubric's
/// order), from the gaps: what a published result hands to rectification.
pub fn problems(rubric: &Rubric, facts: &Facts, scored: &UnitScore) -> Vec<Problem> {
    let found = gaps(rubric, facts, scored);
    let mut out: Vec<Problem> = Vec::new();
    for g in &found {
        let took: Decimal = scored
            .effects(g.item)
            .iter()
            .filter(|e| e.rule as usize == g.rule && e.delta < Decimal::ZERO)
            .map(|e| -e.delta)
            .sum();
        let counts = took > Decimal::ZERO
            || g.gain > Decimal::ZERO
            || matches!(g.remedy, Remedy::Provide(_) | Remedy::Not(_));
        if !counts {
            continue;
        }
        let remedy = describe(rubric, g);
        if let Some(p) = out
            .iter_mut()
            .find(|p| p.item == g.item && p.rule == g.rule)
        {
            // Another check of the same rule, or another award term: one problem.
            if !p.remedy.split('；').any(|r| r == remedy) {
                p.remedy = format!("{}；{remedy}", p.remedy);
            }
            p.points = p.points.max(g.gain);
            continue;
        }
        let mut lines = crate::explain::explain_rule(rubric, facts, scored, g.item, g.rule);
        if lines.is_empty() {
            lines.push(crate::explain::describe_rule(rubric, g.item, g.rule));
        }
        // An award short of its points took nothing: say what it gave of what it could.
        if took.is_zero()
            && let Some(full) = rubric.items()[g.item].points
        {
            let got = scored.items[g.item].score;
            lines.insert(0, format!("本项得 {} 分，满分 {} 分", f(got), f(full)));
        }
        out.push(Problem {
            item: g.item,
            rule: g.rule,
            points: if took > Decimal::ZERO { took } else { g.gain },
            lines,
            remedy,
        });
    }
    out.sort_by_key(|p| (p.item, p.rule));
    out
}

/// The unit rescored with a remedy's changes: its total's rise.
pub fn gain_of(rubric: &Rubric, facts: &Facts, scored: &UnitScore, remedy: &Remedy) -> Decimal {
    match remedy {
        Remedy::Change(changes) => {
            let mut changed = facts.clone();
            for c in changes {
                changed.set(c.input, Some(c.to.clone()));
            }
            score(rubric, &changed).total - scored.total
        }
        Remedy::Provide(_) | Remedy::Not(_) => Decimal::ZERO,
    }
}

/// The finest change a fact takes in advice: 1 for a count, 0.01 otherwise.
fn grid(rubric: &Rubric, slot: Slot) -> Decimal {
    match rubric.input(slot).ty {
        InputType::Count => Decimal::ONE,
        _ => Decimal::new(1, 2),
    }
}

/// Whether a proportional rule fell short of its points at stake.
fn took_points(mine: &[&Effect], mode: ItemMode, max: Decimal) -> bool {
    mine.iter().any(|e| match mode {
        ItemMode::Deduct => e.delta < Decimal::ZERO,
        ItemMode::Award => e.delta < max,
    })
}

/// The least value (on the fact's grid) whose share of `target` is worth all of `max`
/// once rounded to 0.01.
fn full_share(rubric: &Rubric, slot: Slot, target: Decimal, max: Decimal) -> Decimal {
    let g = grid(rubric, slot);
    let worth = |v: Decimal| {
        let share = v
            .checked_div(target)
            .unwrap_or(Decimal::ONE)
            .clamp(Decimal::ZERO, Decimal::ONE);
        crate::engine::proportional_points(max, share)
    };
    let half_cent = Decimal::new(5, 3);
    let exact = target * (max - half_cent).max(Decimal::ZERO) / max;
    let mut v = (exact / g).ceil() * g;
    while v > Decimal::ZERO && worth(v - g) == max {
        v -= g;
    }
    while worth(v) < max && v < target {
        v += g;
    }
    v.min((target / g).ceil() * g).normalize()
}

fn missing(scored: &UnitScore, item: usize, slot: Slot) -> bool {
    scored.missing(item).contains(&slot)
}

fn change(facts: &Facts, input: Slot, to: Value) -> Remedy {
    Remedy::Change(vec![Change {
        input,
        from: facts.get(input).cloned(),
        to,
    }])
}

/// What makes a check hold: the least value that passes its test.
fn meet(rubric: &Rubric, facts: &Facts, check: &Check) -> Remedy {
    match check.test {
        Test::Yes { input } => change(facts, input, Value::Bool(true)),
        Test::Value {
            input, threshold, ..
        } => match facts.get(input) {
            None => Remedy::Provide(input),
            Some(_) => change(facts, input, Value::Number(threshold)),
        },
        Test::Ratio {
            num,
            den,
            cmp,
            percent,
        } => match (facts.get(num), facts.number(den)) {
            (None, _) => Remedy::Provide(num),
            (_, None) => Remedy::Provide(den),
            (Some(_), Some(d)) => {
                let exact = d * percent / Decimal::ONE_HUNDRED;
                let whole = rubric.input(num).ty == InputType::Count;
                let to = match (cmp, whole) {
                    (Cmp::AtLeast, true) => exact.ceil(),
                    (Cmp::AtMost, true) => exact.floor(),
                    (_, false) => exact,
                };
                change(facts, num, Value::Number(to.normalize()))
            }
        },
    }
}

/// A gap in the unit's own words: what to change and what it gives back, e.g.
/// `信息登记率从 93.2% 提高到 95% → +4 分`.
pub fn describe(rubric: &Rubric, gap: &Gap) -> String {
    let item = &rubric.items()[gap.item];
    let gain = if gap.gain > Decimal::ZERO {
        format!(" → +{} 分", f(gap.gain))
    } else {
        String::new()
    };
    match &gap.remedy {
        Remedy::Change(changes) => {
            let parts: Vec<String> = changes.iter().map(|c| change_text(rubric, c)).collect();
            let alone = if gap.gain.is_zero() {
                "（单独这一项改变不加分：本项还有其他扣分）"
            } else {
                ""
            };
            format!("{}{gain}{alone}", parts.join("，并且"))
        }
        Remedy::Provide(slot) => format!("补填“{}”（未填按最不利计分）", rubric.input(*slot).label),
        Remedy::Not(NoRemedy::Discretionary(amount)) => format!(
            "{}：酌情扣 {} 分，不是改填数据能挽回的，需改进工作本身",
            item.name.clone().unwrap_or_default(),
            f(*amount)
        ),
        Remedy::Not(NoRemedy::Veto) => {
            let label = match (&item.rules[gap.rule].kind, gap.check) {
                (RuleKind::Veto { checks, .. }, Some(c)) => checks[c].label.clone(),
                _ => String::new(),
            };
            format!("“{label}”未达到：影响等次（一票否决或降档），不是加分项")
        }
    }
}

/// A gap with its item, as a list shows it: `基础工作第3项 宣传和信息报送：录用信息从 14 篇
/// 提高到 20 篇 → +3 分`.
pub fn headline(rubric: &Rubric, gap: &Gap) -> String {
    let name = rubric.items()[gap.item].name.clone().unwrap_or_default();
    format!(
        "{} {name}：{}",
        rubric.item_ref(gap.item),
        describe(rubric, gap)
    )
}

fn change_text(rubric: &Rubric, c: &Change) -> String {
    let input = rubric.input(c.input);
    let text = |v: &Value| match v {
        Value::Number(n) => match (input.ty, &input.unit) {
            (InputType::Percent, _) => format!("{}%", f(*n)),
            (_, Some(u)) => format!("{} {u}", f(*n)),
            (_, None) => f(*n),
        },
        Value::Bool(true) => "是".to_string(),
        Value::Bool(false) => "否".to_string(),
        Value::Text(t) => t.to_string(),
    };
    match (&c.from, &c.to) {
        (_, Value::Bool(true)) => format!("做到“{}”", input.label),
        (Some(Value::Number(a)), Value::Number(b)) if b > a => {
            format!(
                "{}从 {}提高到 {}",
                input.label,
                text(&Value::Number(*a)),
                text(&c.to)
            )
        }
        (Some(Value::Number(a)), Value::Number(b)) if b < a => {
            format!(
                "{}从 {}减到 {}",
                input.label,
                text(&Value::Number(*a)),
                text(&c.to)
            )
        }
        (_, to) => format!("{}达到 {}", input.label, text(to)),
    }
}
