//! Scores 500,000 units of the Beilun rubric from facts already in memory.
//! Method and results: BENCHMARKS.md. Run: `cargo bench -p kaohe-core --bench score`.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use kaohe_core::{Facts, Rubric, score};

const UNITS: usize = 500_000;

static RUBRIC: LazyLock<Rubric> = LazyLock::new(|| {
    Rubric::from_toml(
        include_str!("../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .expect("the shipped rubric is valid")
});

/// Varied, realistic facts: a small deterministic generator, so every run scores the
/// same units; about one fact in forty is left out to exercise the missing-fact paths.
static FACTS: LazyLock<Vec<Facts>> = LazyLock::new(|| {
    let rubric = &*RUBRIC;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    (0..UNITS)
        .map(|_| {
            let mut facts = Facts::new(rubric);
            for (slot, input) in rubric.inputs().iter().enumerate() {
                use kaohe_core::rubric::InputType::*;
                if input.required && next(40) == 0 {
                    continue;
                }
                let raw = match input.ty {
                    Count if input.item.is_none() => format!("{}", 5_000 + next(100_000)),
                    Count => format!("{}", next(if input.required { 3_000 } else { 3 })),
                    Percent => format!("{}.{}", 80 + next(20), next(10)),
                    Bool => (if next(8) == 0 { "否" } else { "是" }).to_string(),
                    Decimal => format!("{}", next(3)),
                    Text => "理由".to_string(),
                };
                let value = rubric
                    .parse_value(slot, &raw)
                    .expect("generated values are valid");
                facts.set(slot, value);
            }
            facts
        })
        .collect()
});

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn score_500k_units(bencher: Bencher) {
    let rubric = &*RUBRIC;
    let facts = &*FACTS;
    bencher.counter(ItemsCount::new(UNITS)).bench(|| {
        let mut sum = kaohe_core::Decimal::ZERO;
        for f in facts {
            sum += score(rubric, f).total;
        }
        divan::black_box(sum)
    });
}
