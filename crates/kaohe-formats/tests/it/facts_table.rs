//! A facts file read for a batch (`FactsTable`: checked whole, then each unit read again
//! from its row) gives exactly the units `read_facts` gives, whatever the file's shape:
//! comma or tab, BOM, GBK, comments, quoted cells holding commas, quotes and line
//! breaks; and a file with a problem gives nothing, with the same message.

use kaohe_core::Rubric;
use kaohe_formats::{FactsTable, UnitFacts, read_facts};

const RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");
const DEMO: &str = include_str!("../../../../examples/beilun-2026-demo.csv");

fn rubric() -> Rubric {
    Rubric::from_toml(RUBRIC, "beilun-2026.toml").unwrap()
}

/// Every unit read both ways, and what the first reading saw, in file order.
fn both(rubric: &Rubric, name: &str, bytes: &[u8]) {
    let whole = read_facts(rubric, name, bytes).unwrap();
    let mut seen: Vec<UnitFacts> = Vec::new();
    let table = FactsTable::open(rubric, name, bytes.to_vec(), |u| seen.push(u.clone())).unwrap();
    assert_eq!(table.len(), whole.len(), "{name}");
    for (i, w) in whole.iter().enumerate() {
        let again = table.unit(i).unwrap();
        assert_eq!(again.unit, w.unit, "{name} unit {i}");
        assert_eq!(again.facts, w.facts, "{name} {}", w.unit);
        assert_eq!(
            seen[i].unit, w.unit,
            "{name}: the first reading in file order"
        );
        assert_eq!(seen[i].facts, w.facts, "{name} {}", w.unit);
    }
    assert!(
        table.unit(whole.len()).is_err(),
        "past the end is an error, not a panic"
    );
}

#[test]
fn a_table_reads_each_unit_again_as_the_whole_file_read_it() {
    let rubric = rubric();
    both(&rubric, "demo.csv", DEMO.as_bytes());
    // With a BOM, as Excel writes “CSV UTF-8”.
    both(&rubric, "bom.csv", format!("\u{feff}{DEMO}").as_bytes());
    // Tab-separated, as a copy from Excel.
    let tabs = DEMO
        .lines()
        .map(|l| {
            if l.starts_with('#') {
                l.to_string()
            } else {
                l.replace(',', "\t")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    both(&rubric, "tabs.txt", tabs.as_bytes());
    // GBK, as Chinese Excel writes plain CSV.
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(DEMO);
    assert!(!unmappable);
    both(&rubric, "gbk.csv", &gbk);
    // A text fact quoted, holding a comma, a quote and a line break; a comment between
    // rows; Windows line ends.
    let quoted = DEMO
        .replacen(
            "“e乡北仑”积分制做法获区级推广",
            "\"“e乡北仑”积分制, 做法\n获区级\"\"推广\"\"\"",
            1,
        )
        .replacen("\n新碶街道", "\n# 以下为新碶街道\n新碶街道", 1)
        .replace('\n', "\r\n");
    let whole = read_facts(&rubric, "q.csv", quoted.as_bytes()).unwrap();
    assert!(
        whole
            .iter()
            .any(|u| format!("{:?}", u.facts).contains("获区级\\\"推广")),
        "the quoted text fact is read whole"
    );
    both(&rubric, "q.csv", quoted.as_bytes());
}

#[test]
fn a_table_with_a_problem_gives_nothing_and_says_what() {
    let rubric = rubric();
    let bad = DEMO.replacen(",14,3,", ",14,三,", 1);
    let whole = read_facts(&rubric, "bad.csv", bad.as_bytes()).unwrap_err();
    let table = FactsTable::open(&rubric, "bad.csv", bad.into_bytes(), |_| {});
    let err = table.err().expect("refused");
    assert_eq!(err.to_string(), whole.to_string());
    assert!(
        err.to_string().contains("basic.3.typical_articles"),
        "{err}"
    );
    let empty = FactsTable::open(&rubric, "empty.csv", b"  \n".to_vec(), |_| {});
    assert!(empty.err().unwrap().to_string().contains("文件是空的"));
}
