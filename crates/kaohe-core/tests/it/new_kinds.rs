//! The rule kinds read from other districts' annexes: deductions per step below a target
//! (`shortfall` with `step` and `round`), scoring in proportion (`proportional`) and
//! deductions by band (`tiers`), on an invented rubric, `data/anquan-2027.toml`. Each is
//! scored, explained, described and advised on.

use kaohe_core::explain::{describe_rule, explain_item};
use kaohe_core::gaps::{Remedy, gaps};
use kaohe_core::{Decimal, Facts, Rubric, Value, score};

const ANQUAN: &str = include_str!("../data/anquan-2027.toml");

fn rubric() -> Rubric {
    Rubric::from_toml(ANQUAN, "anquan-2027.toml").unwrap_or_else(|e| panic!("loads:\n{e}"))
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Every fact at its best, then `changes`.
fn facts(rubric: &Rubric, changes: &[(&str, &str)]) -> Facts {
    let mut facts = Facts::new(rubric);
    let best = [
        ("enterprises", "40"),
        ("duty.1.rectified_rate", "96"),
        ("duty.2.training_rate", "95"),
        ("duty.3.inspected", "40"),
        ("duty.4.campaigns", "3"),
        ("result.1.goal_rate", "100"),
        ("result.2.accident_rate", "1.5"),
        ("result.3.drill_score", "100"),
    ];
    for (key, raw) in best.iter().chain(changes) {
        let slot = rubric.slot(key).unwrap_or_else(|| panic!("no {key}"));
        let value = if raw.is_empty() {
            None
        } else {
            rubric.parse_value(slot, raw).unwrap()
        };
        facts.set(slot, value);
    }
    facts
}

fn item(rubric: &Rubric, id: &str) -> usize {
    rubric.items().iter().position(|i| i.id == id).unwrap()
}

/// The item's score and its explanation.
fn scored(rubric: &Rubric, id: &str, changes: &[(&str, &str)]) -> (Decimal, String) {
    let f = facts(rubric, changes);
    let s = score(rubric, &f);
    let ii = item(rubric, id);
    (
        s.items[ii].score,
        explain_item(rubric, &f, &s, ii).join("；"),
    )
}

#[test]
fn a_perfect_unit_scores_full_marks() {
    let r = rubric();
    let s = score(&r, &facts(&r, &[]));
    assert_eq!(s.total, d("40"));
}

#[test]
fn a_shortfall_per_percentage_point_counts_whole_points_unless_told_otherwise() {
    let r = rubric();
    // 95 − 92.5 = 2.5 points short: 2 whole points × 0.5.
    let (got, why) = scored(&r, "duty.1", &[("duty.1.rectified_rate", "92.5")]);
    assert_eq!(got, d("4"));
    assert_eq!(
        why,
        "隐患整改完成率 92.5%，要求 95%，低 2.5 个百分点，计 2 个百分点 × 0.5 → −1"
    );
    // Held at max = 3.
    let (got, why) = scored(&r, "duty.1", &[("duty.1.rectified_rate", "80")]);
    assert_eq!(got, d("2"));
    assert!(why.ends_with("最多扣 3 分 → −3"), "{why}");
    // At the target, nothing.
    let (got, why) = scored(&r, "duty.1", &[("duty.1.rectified_rate", "95")]);
    assert_eq!(
        (got, why.as_str()),
        (d("5"), "隐患整改完成率 95% ≥ 要求 95%")
    );
    // A started step counts whole with round = "up": 90 − 87.5 = 2.5 → 2 steps of 2.
    let (got, why) = scored(&r, "duty.2", &[("duty.2.training_rate", "87.5")]);
    assert_eq!(got, d("3"));
    assert!(why.contains("每 2 个百分点 为一档，计 2 档"), "{why}");
    // round = "exact": 100 − 97.5 = 2.5 × 0.2 = 0.5.
    let (got, _) = scored(&r, "result.3", &[("result.3.drill_score", "97.5")]);
    assert_eq!(got, d("5.5"));
    // A required value left empty is 0: the whole shortfall, held by max.
    let (got, why) = scored(&r, "duty.1", &[("duty.1.rectified_rate", "")]);
    assert_eq!(got, d("2"));
    assert!(why.starts_with("隐患整改完成率 未填，按 0 计"), "{why}");
}

#[test]
fn proportional_scores_the_share_reached_rounded_to_the_cent() {
    let r = rubric();
    // 37 of 40 enterprises: 92.5% of 5 = 4.625 → 4.63.
    let (got, why) = scored(&r, "duty.3", &[("duty.3.inspected", "37")]);
    assert_eq!(got, d("4.63"));
    assert_eq!(
        why,
        "已检查企业数 37/40 = 92.5%，目标 100%，完成 92.5%，按比例得 5 × 92.5% = 4.63 分 → −0.37"
    );
    // Above the target is held at full marks; a denominator of 0 reaches nothing.
    assert_eq!(
        scored(&r, "duty.3", &[("duty.3.inspected", "50")]).0,
        d("5")
    );
    let (got, why) = scored(&r, "duty.3", &[("enterprises", "0")]);
    assert_eq!(got, d("0"));
    assert!(why.starts_with("辖区企业数为 0"), "{why}");
    // In an award item it adds: 2/3 of 8 = 5.333… → 5.33.
    let (got, why) = scored(&r, "result.1", &[("result.1.goal_rate", "66.6666")]);
    assert_eq!(got, d("5.33"));
    assert!(why.ends_with("→ +5.33"), "{why}");
}

#[test]
fn tiers_take_the_heaviest_band_the_value_falls_in() {
    let r = rubric();
    let cases = [("0", "1"), ("1", "3"), ("2", "3"), ("3", "5"), ("", "1")];
    for (campaigns, want) in cases {
        let (got, why) = scored(&r, "duty.4", &[("duty.4.campaigns", campaigns)]);
        assert_eq!(got, d(want), "{campaigns}: {why}");
    }
    let (_, why) = scored(&r, "duty.4", &[("duty.4.campaigns", "2")]);
    assert_eq!(why, "安全宣传活动 2 次，低于 3 次的一档扣 2 分 → −2");
    let (_, why) = scored(&r, "duty.4", &[("duty.4.campaigns", "3")]);
    assert_eq!(why, "安全宣传活动 3 次 ≥ 3 次，不在扣分档内");
    // above: 3.5‰ is above both bands: the heavier applies once.
    assert_eq!(
        scored(&r, "result.2", &[("result.2.accident_rate", "3.5")]).0,
        d("0")
    );
    assert_eq!(
        scored(&r, "result.2", &[("result.2.accident_rate", "2.5")]).0,
        d("3")
    );
    assert_eq!(
        scored(&r, "result.2", &[("result.2.accident_rate", "2")]).0,
        d("6")
    );
}

#[test]
fn the_new_kinds_are_described_for_a_person() {
    let r = rubric();
    let describe = |id: &str| describe_rule(&r, item(&r, id), 0);
    assert_eq!(
        describe("duty.1"),
        "隐患整改完成率 要求 95%以上，每低 1 个百分点扣 0.5 分（不足一档的不扣），最多扣 3 分"
    );
    assert!(describe("duty.2").contains("（不足一档的按一档计）"));
    assert_eq!(
        describe("duty.3"),
        "按完成比例得分：已检查企业数/辖区企业数 达到 100% 得满分 5 分，不足的按比例得分（四舍五入到 0.01 分）"
    );
    assert_eq!(
        describe("duty.4"),
        "分档扣分：安全宣传活动 低于 1 次，扣 4 分；低于 3 次，扣 2 分（落在几档的，按扣分最多的一档扣一次）"
    );
    assert!(describe("result.2").contains("高于 3，扣 6 分"));
}

/// The advice for each kind, and its gain checked by rescoring.
#[test]
fn the_advisor_names_the_least_value_that_gives_the_points_back() {
    let r = rubric();
    let f = facts(
        &r,
        &[
            ("duty.1.rectified_rate", "92.5"),
            ("duty.3.inspected", "37"),
            ("duty.4.campaigns", "1"),
            ("result.1.goal_rate", "90"),
        ],
    );
    let s = score(&r, &f);
    let found = gaps(&r, &f, &s);
    let advice = |id: &str| -> (Decimal, Decimal) {
        let g = found
            .iter()
            .find(|g| g.item == item(&r, id))
            .unwrap_or_else(|| panic!("no gap for {id}"));
        let Remedy::Change(c) = &g.remedy else {
            panic!("{id}: {:?}", g.remedy)
        };
        let Value::Number(to) = c[0].to else { panic!() };
        (to, g.gain)
    };
    // Whole points count: 94.01% is less than a point short.
    assert_eq!(advice("duty.1"), (d("94.01"), d("1")));
    // 39.9 of 40 would round to full marks, but a count is whole: 40.
    assert_eq!(advice("duty.3"), (d("40"), d("0.37")));
    assert_eq!(advice("duty.4"), (d("3"), d("2")));
    // 8 × 99.94% = 7.9952 → 8.00.
    assert_eq!(advice("result.1"), (d("99.94"), d("0.8")));
}

mod random {
    use std::sync::LazyLock;

    use kaohe_core::rubric::InputType;
    use kaohe_core::{Decimal, Facts, Rubric};
    use proptest::prelude::*;

    static RUBRIC: LazyLock<Rubric> = LazyLock::new(super::rubric);

    fn value_for(slot: usize) -> BoxedStrategy<String> {
        match RUBRIC.input(slot).ty {
            InputType::Count => (0u32..60).prop_map(|n| n.to_string()).boxed(),
            InputType::Percent => (0u32..=10000)
                .prop_map(|n| format!("{}%", Decimal::new(i64::from(n), 2).normalize()))
                .boxed(),
            InputType::Decimal => (0u32..=10000)
                .prop_map(|n| Decimal::new(i64::from(n), 2).normalize().to_string())
                .boxed(),
            InputType::Bool | InputType::Text => Just(String::new()).boxed(),
        }
    }

    proptest! {
        /// The advisor holds on the new kinds: each stated gain is the rescored gain,
        /// and a change one step short gains less.
        #[test]
        fn the_advisor_holds_on_random_reports(
            raw in (0..RUBRIC.inputs().len())
                .map(|s| prop::option::weighted(0.9, value_for(s)))
                .collect::<Vec<_>>()
        ) {
            let mut facts = Facts::new(&RUBRIC);
            for (slot, v) in raw.iter().enumerate() {
                if let Some(text) = v {
                    facts.set(slot, RUBRIC.parse_value(slot, text).unwrap());
                }
            }
            crate::gaps::advisor_holds(&RUBRIC, &facts)?;
        }
    }
}
