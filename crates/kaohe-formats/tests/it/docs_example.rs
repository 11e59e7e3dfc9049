//! The worked example in docs/rubric-format.md loads and scores as the page says, so
//! the documentation cannot drift from the code.

use kaohe_core::explain::{explain_item, grade_text};
use kaohe_core::{Decimal, Rubric, score};

const DOC: &str = include_str!("../../../../docs/rubric-format.md");

/// The worked example's first block of `lang` (the page has smaller snippets before it).
fn block(lang: &str) -> &'static str {
    let example = DOC
        .find("## Worked example")
        .expect("the page has its worked example");
    let fence = format!("```{lang}\n");
    let start = example
        + DOC[example..]
            .find(&fence)
            .expect("the example has the block")
        + fence.len();
    let len = DOC[start..].find("```").expect("the block is closed");
    &DOC[start..start + len]
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_worked_example_scores_as_the_documentation_says() {
    let rubric = Rubric::from_toml(block("toml"), "rubric-format.md").unwrap();
    let units = kaohe_formats::read_facts(&rubric, "example.csv", block("csv").as_bytes()).unwrap();
    assert_eq!(units.len(), 1);
    let unit = &units[0];
    assert_eq!(unit.unit, "示例街道");
    let s = score(&rubric, &unit.facts);
    let items: Vec<Decimal> = s.items.iter().map(|i| i.score).collect();
    assert_eq!(items, vec![d("0"), d("4"), d("3.5"), d("1")]);
    assert_eq!(s.categories[0].score, d("7.5"));
    assert_eq!(s.bonus, d("1"));
    assert_eq!(s.total, d("8.5"));
    assert_eq!(grade_text(&rubric, &s), "不合格");
    let work1 = explain_item(&rubric, &unit.facts, &s, 0);
    assert!(
        work1.contains(&"入户走访率 899/1000 = 89.9% < 90% → −2".to_string()),
        "{work1:#?}"
    );
}
