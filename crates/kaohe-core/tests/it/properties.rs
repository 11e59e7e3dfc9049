//! Properties of scoring the Beilun rubric with random facts: bounds hold, the
//! least-favourable reading of missing facts, and monotonicity (a better fact never
//! lowers a score).
//!
//! Facts are generated as the strings a person would type and parsed through
//! `Rubric::parse_value`, so the generators also check that every value in range is
//! accepted.

use std::sync::LazyLock;

use kaohe_core::explain::{explain_item, missing_keys};
use kaohe_core::rubric::{InputType, ItemMode, Slot};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, score};
use proptest::prelude::*;
use proptest::sample::Index;

static RUBRIC: LazyLock<Rubric> = LazyLock::new(|| {
    Rubric::from_toml(
        include_str!("../../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .unwrap_or_else(|e| panic!("the Beilun rubric does not load:\n{e}"))
});

/// One raw string per fact slot; `None` = not provided.
pub type Raw = Vec<Option<String>>;

/// The Beilun rubric the properties are about.
pub fn rubric() -> &'static Rubric {
    &RUBRIC
}

fn percent_text(hundredths: u32, sign: bool) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    // A bare number in (0, 1] is refused as ambiguous: write those with the sign.
    if sign || (1..=100).contains(&hundredths) {
        format!("{text}%")
    } else {
        text
    }
}

/// A value for one slot, as typed, always valid for the slot.
fn value_for(slot: Slot) -> BoxedStrategy<String> {
    let input = RUBRIC.input(slot);
    match input.ty {
        InputType::Count if input.item.is_none() => {
            (1u32..=500).prop_map(|n| n.to_string()).boxed()
        }
        InputType::Count => (0u32..50).prop_map(|n| n.to_string()).boxed(),
        InputType::Percent => (0u32..=10_000, any::<bool>())
            .prop_map(|(h, sign)| percent_text(h, sign))
            .boxed(),
        InputType::Bool => prop::sample::select(vec!["是", "否", "true", "false", "1", "0"])
            .prop_map(str::to_string)
            .boxed(),
        InputType::Decimal => {
            let max = input.max.expect("discretionary amounts have a bound");
            let tenths: u32 = (max * Decimal::TEN)
                .try_into()
                .expect("a bound in tenths fits u32");
            (0..=tenths)
                .prop_map(|t| Decimal::new(i64::from(t), 1).normalize().to_string())
                .boxed()
        }
        // Reasons are filled in when the amount needs one.
        InputType::Text => Just(String::new()).boxed(),
    }
}

/// A random report: each fact provided or not, with a valid value.
pub fn raw_facts() -> impl Strategy<Value = Raw> {
    (0..RUBRIC.inputs().len())
        .map(|slot| prop::option::weighted(0.8, value_for(slot)))
        .collect::<Vec<_>>()
}

/// A random report with every fact provided.
fn full_facts() -> impl Strategy<Value = Raw> {
    (0..RUBRIC.inputs().len())
        .map(|slot| value_for(slot).prop_map(Some))
        .collect::<Vec<_>>()
}

/// Parses a raw report; a discretionary amount above 0 gets its reason.
pub fn build(raw: &Raw) -> Facts {
    let mut facts = Facts::new(&RUBRIC);
    for (slot, value) in raw.iter().enumerate() {
        let Some(text) = value else { continue };
        let input = RUBRIC.input(slot);
        if input.ty == InputType::Text {
            continue;
        }
        let parsed = RUBRIC
            .parse_value(slot, text)
            .unwrap_or_else(|e| panic!("{} = {text:?} refused: {e}", input.key));
        if input.ty == InputType::Decimal
            && parsed != Some(kaohe_core::Value::Number(Decimal::ZERO))
        {
            let reason = RUBRIC
                .slot(&format!("{}_reason", input.key))
                .expect("a discretionary amount has a reason slot");
            facts.set(reason, RUBRIC.parse_value(reason, "按实际情况").unwrap());
        }
        facts.set(slot, parsed);
    }
    assert!(
        facts
            .problems(&RUBRIC)
            .iter()
            .all(|(s, _)| RUBRIC.input(*s).key == "floating_population"),
        "{:?}",
        facts.problems(&RUBRIC)
    );
    facts
}

fn score_raw(raw: &Raw) -> UnitScore {
    score(&RUBRIC, &build(raw))
}

fn with(raw: &Raw, slot: Slot, value: Option<String>) -> Raw {
    let mut raw = raw.clone();
    raw[slot] = value;
    raw
}

fn slot(key: &str) -> Slot {
    RUBRIC.slot(key).unwrap_or_else(|| panic!("no fact {key}"))
}

fn slots_where(keep: impl Fn(&kaohe_core::rubric::Input) -> bool) -> Vec<Slot> {
    (0..RUBRIC.inputs().len())
        .filter(|s| keep(RUBRIC.input(*s)))
        .collect()
}

/// Bool facts that an item checks.
static BOOL_SLOTS: LazyLock<Vec<Slot>> = LazyLock::new(|| slots_where(|i| i.ty == InputType::Bool));
static PERCENT_SLOTS: LazyLock<Vec<Slot>> =
    LazyLock::new(|| slots_where(|i| i.ty == InputType::Percent));
static REQUIRED_SLOTS: LazyLock<Vec<Slot>> = LazyLock::new(|| slots_where(|i| i.required));

/// The score change a line of explanation states (`→ −4`, `→ +2.5`, `→ 0`); `None`
/// for lines that change nothing or state a result (`→ 得 0 分`).
fn stated_delta(line: &str) -> Option<Decimal> {
    let (_, tail) = line.rsplit_once(" → ")?;
    if let Some(n) = tail.strip_prefix('−') {
        return Some(-n.parse::<Decimal>().ok()?);
    }
    if let Some(n) = tail.strip_prefix('+') {
        return n.parse().ok();
    }
    if tail == "0" {
        return Some(Decimal::ZERO);
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_score_stays_within_its_bounds(raw in raw_facts()) {
        let unit = score_raw(&raw);
        let mut base = Decimal::ZERO;
        for (i, item) in RUBRIC.items().iter().enumerate() {
            let s = unit.items[i].score;
            prop_assert!(s >= Decimal::ZERO, "{} = {s}", item.id);
            match item.points {
                Some(points) => {
                    prop_assert!(s <= points, "{} = {s} > {points}", item.id);
                    base += s;
                }
                None => prop_assert!(item.id.starts_with("innovation."), "{}", item.id),
            }
        }
        prop_assert_eq!(unit.base, base);
        prop_assert!(unit.base >= Decimal::ZERO);
        prop_assert!(unit.base <= Decimal::ONE_HUNDRED, "base {}", unit.base);
        prop_assert!(unit.bonus >= Decimal::ZERO, "bonus {}", unit.bonus);
        prop_assert_eq!(unit.total, unit.base + unit.bonus);
    }

    #[test]
    fn the_same_facts_always_give_the_same_score(raw in raw_facts()) {
        prop_assert_eq!(score_raw(&raw), score_raw(&raw));
    }

    #[test]
    fn the_explanation_accounts_for_every_point(raw in raw_facts()) {
        let facts = build(&raw);
        let unit = score(&RUBRIC, &facts);
        for (i, item) in RUBRIC.items().iter().enumerate() {
            let lines = explain_item(&RUBRIC, &facts, &unit, i);
            prop_assert!(!lines.is_empty(), "{}", item.id);
            let sum: Decimal = lines.iter().filter_map(|l| stated_delta(l)).sum();
            let start = match item.mode {
                ItemMode::Deduct => item.points.unwrap_or_default(),
                ItemMode::Award => Decimal::ZERO,
            };
            let mut expected = (start + sum).max(Decimal::ZERO);
            if let Some(cap) = item.cap {
                expected = expected.min(cap);
            }
            prop_assert_eq!(unit.items[i].score, expected, "{}: {:?}", &item.id, lines);
            if !missing_keys(&RUBRIC, &unit, i).is_empty() {
                prop_assert!(
                    lines.iter().any(|l| l.contains("未填")),
                    "{}: missing facts not mentioned: {:?}", &item.id, lines
                );
            }
        }
    }

    #[test]
    fn more_misses_never_raise_the_score(raw in raw_facts(), a in 0u32..50, b in 0u32..50) {
        let misses = slot("basic.1.misses");
        let item = RUBRIC.input(misses).item.unwrap();
        let (fewer, more) = (a.min(b), a.max(b));
        let few = score_raw(&with(&raw, misses, Some(fewer.to_string())));
        let many = score_raw(&with(&raw, misses, Some(more.to_string())));
        prop_assert!(many.items[item].score <= few.items[item].score);
        prop_assert!(many.total <= few.total);
    }

    #[test]
    fn turning_a_check_from_yes_to_no_never_raises_the_score(raw in raw_facts(), pick in any::<Index>()) {
        let s = *pick.get(&BOOL_SLOTS);
        let item = RUBRIC.input(s).item.unwrap();
        let yes = score_raw(&with(&raw, s, Some("是".into())));
        let no = score_raw(&with(&raw, s, Some("否".into())));
        prop_assert!(
            no.items[item].score <= yes.items[item].score,
            "{}: no {} > yes {}", RUBRIC.input(s).key, no.items[item].score, yes.items[item].score
        );
        prop_assert!(no.total <= yes.total);
    }

    #[test]
    fn raising_a_rate_never_lowers_the_score(
        raw in raw_facts(),
        pick in any::<Index>(),
        a in 0u32..=10_000,
        b in 0u32..=10_000,
    ) {
        let s = *pick.get(&PERCENT_SLOTS);
        let item = RUBRIC.input(s).item.unwrap();
        let (lo, hi) = (a.min(b), a.max(b));
        let low = score_raw(&with(&raw, s, Some(percent_text(lo, true))));
        let high = score_raw(&with(&raw, s, Some(percent_text(hi, false))));
        prop_assert!(
            high.items[item].score >= low.items[item].score,
            "{}: {} at {hi} < {} at {lo}",
            RUBRIC.input(s).key, high.items[item].score, low.items[item].score
        );
        prop_assert!(high.total >= low.total);
    }

    #[test]
    fn raising_a_ratio_numerator_never_lowers_the_score(
        raw in raw_facts(),
        trained in any::<bool>(),
        a in 0u32..50,
        b in 0u32..50,
    ) {
        let key = if trained { "service.2.trained" } else { "management.2.core_members" };
        let s = slot(key);
        let item = RUBRIC.input(s).item.unwrap();
        let (lo, hi) = (a.min(b), a.max(b));
        let low = score_raw(&with(&raw, s, Some(lo.to_string())));
        let high = score_raw(&with(&raw, s, Some(hi.to_string())));
        prop_assert!(high.items[item].score >= low.items[item].score, "{key}");
    }

    #[test]
    fn providing_a_missing_required_fact_never_lowers_the_score(
        raw in raw_facts(),
        full in full_facts(),
        pick in any::<Index>(),
    ) {
        let s = *pick.get(&REQUIRED_SLOTS);
        let without = score_raw(&with(&raw, s, None));
        let provided = score_raw(&with(&raw, s, full[s].clone()));
        for (i, item) in RUBRIC.items().iter().enumerate() {
            prop_assert!(
                provided.items[i].score >= without.items[i].score,
                "{} = {:?} lowered {} from {} to {}",
                RUBRIC.input(s).key, full[s], item.id,
                without.items[i].score, provided.items[i].score
            );
        }
        prop_assert!(provided.base >= without.base);
        prop_assert!(provided.all_missing().len() < without.all_missing().len());
    }

    #[test]
    fn optional_facts_are_never_listed_as_missing(raw in raw_facts()) {
        let unit = score_raw(&raw);
        for s in unit.all_missing() {
            let input = RUBRIC.input(s);
            prop_assert!(input.required, "{} listed", input.key);
            prop_assert!(raw[s].is_none(), "{} provided yet listed", input.key);
        }
    }
}
