//! Parses a 500,000-row facts CSV (the Beilun rubric's 57 columns) held in memory.
//! Method and results: BENCHMARKS.md. Run: `cargo bench -p kaohe-formats --bench csv`.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use kaohe_core::Rubric;

const ROWS: usize = 500_000;

static RUBRIC: LazyLock<Rubric> = LazyLock::new(|| {
    Rubric::from_toml(
        include_str!("../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .expect("the shipped rubric is valid")
});

/// The demo file's eleven rows repeated under fresh unit names.
static CSV: LazyLock<String> = LazyLock::new(|| {
    let demo = include_str!("../../../examples/beilun-2026-demo.csv");
    let mut lines = demo.lines().filter(|l| !l.starts_with('#'));
    let header = lines.next().expect("the demo has a header");
    let rows: Vec<&str> = lines.collect();
    let mut out = String::with_capacity(ROWS * 300);
    out.push_str(header);
    out.push('\n');
    for i in 0..ROWS {
        let row = rows[i % rows.len()];
        let (_, rest) = row.split_once(',').expect("rows have a unit column");
        out.push_str(&format!("单位{i:06},{rest}\n"));
    }
    out
});

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse_500k_rows(bencher: Bencher) {
    let rubric = &*RUBRIC;
    let csv = CSV.as_bytes();
    bencher
        .counter(ItemsCount::new(ROWS))
        .counter(BytesCount::new(csv.len()))
        .bench(|| {
            let units = kaohe_formats::read_facts(rubric, "bench.csv", csv).expect("valid");
            divan::black_box(units.len())
        });
}
