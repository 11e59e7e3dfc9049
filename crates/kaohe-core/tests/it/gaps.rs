//! The gap advisor: each stated gain is what applying its change and rescoring gives,
//! and no smaller change gives as much; gains are listed best first; every rule that
//! took points is listed; examples on the Beilun rubric in the unit's words.

use kaohe_core::gaps::{Change, Problem, Remedy, describe, gain_of, gaps, problems};
use kaohe_core::rubric::{InputType, RuleKind};
use kaohe_core::{Decimal, Facts, Rubric, Value, score};
use proptest::test_runner::TestCaseError;

/// The value one step short of `to`, going back toward `from`: a count one less (or
/// more), any other number a hundredth; `None` when no value lies strictly between.
fn one_step_short(rubric: &Rubric, c: &Change) -> Option<Value> {
    let (Some(Value::Number(from)), Value::Number(to)) = (&c.from, &c.to) else {
        return None;
    };
    let step = match rubric.input(c.input).ty {
        InputType::Count => Decimal::ONE,
        _ => Decimal::new(1, 2),
    };
    let short = if to > from { *to - step } else { *to + step };
    let between = if to > from {
        short > *from
    } else {
        short < *from
    };
    between.then_some(Value::Number(short))
}

/// What the advisor must hold for one unit's facts.
pub fn advisor_holds(rubric: &Rubric, facts: &Facts) -> Result<(), TestCaseError> {
    let scored = score(rubric, facts);
    let found = gaps(rubric, facts, &scored);
    let problems = problems(rubric, facts, &scored);
    for pair in found.windows(2) {
        if pair[0].gain < pair[1].gain {
            return Err(TestCaseError::fail("gains are not listed best first"));
        }
    }
    for g in &found {
        let Remedy::Change(changes) = &g.remedy else {
            if !g.gain.is_zero() {
                return Err(TestCaseError::fail("a gap without a change states a gain"));
            }
            continue;
        };
        // Applying the change, independently, gains exactly the stated points.
        let mut changed = facts.clone();
        for c in changes {
            changed.set(c.input, Some(c.to.clone()));
        }
        let gained = score(rubric, &changed).total - scored.total;
        if gained != g.gain {
            return Err(TestCaseError::fail(format!(
                "{}: stated +{} but rescoring gives {gained}",
                describe(rubric, g),
                g.gain
            )));
        }
        if gained < Decimal::ZERO {
            return Err(TestCaseError::fail(format!(
                "{}: a remedy lowers the total",
                describe(rubric, g)
            )));
        }
        // No smaller change gives as much: each change one step short gains less.
        if g.gain > Decimal::ZERO {
            for (k, c) in changes.iter().enumerate() {
                let Some(short) = one_step_short(rubric, c) else {
                    continue;
                };
                let mut less = changes.clone();
                less[k].to = short;
                let smaller = gain_of(rubric, facts, &scored, &Remedy::Change(less));
                if smaller >= g.gain {
                    return Err(TestCaseError::fail(format!(
                        "{}: a smaller change of {} also gains {smaller}",
                        describe(rubric, g),
                        rubric.input(c.input).key
                    )));
                }
            }
        }
    }
    // Every rule that took points is listed.
    for (ii, item) in rubric.items().iter().enumerate() {
        for e in scored.effects(ii) {
            let ri = e.rule as usize;
            // A cap's own cut (最高加N分) is not a loss.
            let capped = matches!(e.what, kaohe_core::engine::What::AwardCap { .. });
            if e.delta >= Decimal::ZERO || ri >= item.rules.len() || capped {
                continue;
            }
            if matches!(item.rules[ri].kind, RuleKind::Indicator { .. }) {
                continue;
            }
            if !found.iter().any(|g| g.item == ii && g.rule == ri) {
                return Err(TestCaseError::fail(format!(
                    "{} rule {ri} took {} and is not listed",
                    item.id, e.delta
                )));
            }
            // And it is a problem for rectification, once, with its words.
            let listed: Vec<&Problem> = problems
                .iter()
                .filter(|p| p.item == ii && p.rule == ri)
                .collect();
            let [p] = listed.as_slice() else {
                return Err(TestCaseError::fail(format!(
                    "{} rule {ri} took {} and is {} problems",
                    item.id,
                    e.delta,
                    listed.len()
                )));
            };
            if p.points < -e.delta || p.lines.is_empty() || p.remedy.is_empty() {
                return Err(TestCaseError::fail(format!(
                    "{} rule {ri}: the problem {p:?} does not say what the rule took ({})",
                    item.id, e.delta
                )));
            }
        }
    }
    // Problems come one per rule, each from a gap.
    for p in &problems {
        if !found.iter().any(|g| g.item == p.item && g.rule == p.rule) {
            return Err(TestCaseError::fail(format!("{p:?} is no gap")));
        }
    }
    Ok(())
}

fn beilun() -> Rubric {
    Rubric::from_toml(
        include_str!("../../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .unwrap()
}

fn facts(rubric: &Rubric, pairs: &[(&str, &str)]) -> Facts {
    let mut f = Facts::new(rubric);
    for (k, v) in pairs {
        let slot = rubric.slot(k).unwrap_or_else(|| panic!("no {k}"));
        f.set(slot, rubric.parse_value(slot, v).unwrap());
    }
    f
}

/// 新碶街道 of the demo as reported, and what the advisor says of it.
#[test]
fn a_unit_is_told_what_each_unmet_rule_costs_and_what_would_give_it_back() {
    let rubric = beilun();
    let csv = include_str!("../../../../examples/beilun-2026-demo.csv");
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with("春晓街道,"))
        .unwrap()
        .split(',')
        .collect();
    let pairs: Vec<(&str, &str)> = header[1..]
        .iter()
        .copied()
        .zip(row[1..].iter().copied())
        .collect();
    let f = facts(&rubric, &pairs);
    advisor_holds(&rubric, &f).unwrap();
    let scored = score(&rubric, &f);
    let found = gaps(&rubric, &f, &scored);
    assert!(found.len() >= 3, "{found:?}");
    let words: Vec<String> = found.iter().map(|g| describe(&rubric, g)).collect();
    assert!(
        words[0].contains("→ +"),
        "the best first, with its gain: {words:?}"
    );
    // As problems for rectification: one per rule, in the rubric's order, each with
    // what was found and what would put it right; 春晓街道 left 免疫接种率 empty.
    let listed = problems(&rubric, &f, &scored);
    assert!(
        listed
            .windows(2)
            .all(|w| (w[0].item, w[0].rule) < (w[1].item, w[1].rule))
    );
    assert!(
        listed.iter().any(|p| p.remedy.contains("补填")),
        "{listed:?}"
    );
    for p in &listed {
        assert!(!p.lines.is_empty() && !p.remedy.contains("basic."), "{p:?}");
    }
    // Nothing in words is a code.
    for w in &words {
        assert!(!w.contains("basic.") && !w.contains("management."), "{w}");
    }
}

/// Floors make gains non-additive: on a 7-point item with two −4 checks unmet, meeting
/// either alone gains 3, not 4.
#[test]
fn gains_are_computed_alone_because_floors_do_not_add_up() {
    let text = r#"
[rubric]
id = "t"
title = "t"
total = 7
[[categories]]
id = "c"
name = "类"
points = 7
[[categories.items]]
id = "c.1"
name = "两项检查"
points = 7
criteria = "未落实的每项扣4分。"
inputs = [
  { key = "a", label = "甲", type = "bool" },
  { key = "b", label = "乙", type = "bool" },
]
rules = [ { kind = "checks", each = 4, apply = "each", checks = [
  { input = "a", label = "甲" }, { input = "b", label = "乙" } ] } ]
"#;
    let rubric = Rubric::from_toml(text, "t.toml").unwrap();
    let f = facts(&rubric, &[("c.1.a", "否"), ("c.1.b", "否")]);
    let scored = score(&rubric, &f);
    assert_eq!(scored.total, Decimal::ZERO);
    let found = gaps(&rubric, &f, &scored);
    assert_eq!(found.len(), 2);
    assert!(
        found.iter().all(|g| g.gain == Decimal::from(3)),
        "{found:?}"
    );
    assert_eq!(describe(&rubric, &found[0]), "做到“甲” → +3 分");
    advisor_holds(&rubric, &f).unwrap();
}

mod beilun_random {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn the_advisor_holds_on_random_beilun_reports(raw in crate::properties::raw_facts()) {
            advisor_holds(crate::properties::rubric(), &crate::properties::build(&raw))?;
        }
    }
}

/// Facts carried to another rubric by key: the values that fit are kept, a new fact is
/// missing, a value the new input refuses is missing with why, a fact no longer read is
/// dropped.
#[test]
fn facts_are_carried_to_a_draft_rubric_by_key_and_checked_again() {
    let old = beilun();
    let draft_text = include_str!("../../../../rubrics/beilun-2027-draft.toml").replace(
        "max = 6, label = \"登记点不规范",
        "max = 1, label = \"登记点不规范",
    );
    let new = Rubric::from_toml(&draft_text, "draft.toml").unwrap();
    let f = facts(
        &old,
        &[
            ("management.5.registration_rate", "96%"),
            ("management.1.discretionary", "3"),
            ("management.1.discretionary_reason", "登记点不规范"),
        ],
    );
    let c = kaohe_core::compare::carry(&old, &f, &new);
    let rate = new.slot("management.5.registration_rate").unwrap();
    assert_eq!(c.facts.get(rate), Some(&Value::Number(Decimal::from(96))));
    let app = new.slot("innovation.3.app_events").unwrap();
    assert!(c.missing.contains(&(app, None)), "{:?}", c.missing);
    let amount = new.slot("management.1.discretionary").unwrap();
    assert!(
        c.missing
            .iter()
            .any(|(s, why)| *s == amount && why.is_some()),
        "a value over the new bound is not carried: {:?}",
        c.missing
    );
    assert!(c.dropped.is_empty(), "the draft reads every old fact");

    // A draft with keys of its own (imported from an annex): the same item and label.
    let renamed = draft_text
        .replace("key = \"registration_rate\"", "key = \"reg_rate\"")
        .replace("input = \"registration_rate\"", "input = \"reg_rate\"");
    let new = Rubric::from_toml(&renamed, "renamed.toml").unwrap();
    let c = kaohe_core::compare::carry(&old, &f, &new);
    let rate = new.slot("management.5.reg_rate").unwrap();
    assert_eq!(c.facts.get(rate), Some(&Value::Number(Decimal::from(96))));
}
