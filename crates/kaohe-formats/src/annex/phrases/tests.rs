//! The reader's own tests: its small parts, and every phrasing of [`PHRASINGS`] on its
//! examples.

use kaohe_core::Decimal;

use super::awards::{join_overlap, levels_of};
use super::words::parse_num;
use super::{PHRASINGS, Reader, read};
use crate::annex::draft::{Confidence, FlagKind, UnitFacts};

fn kinds(text: &str, points: Option<Decimal>) -> Vec<&'static str> {
    let mut units = UnitFacts::default();
    read(text, points, points.is_none(), &mut units)
        .rules
        .iter()
        .map(|r| r.kind.name())
        .collect()
}

#[test]
fn chinese_numerals_are_read() {
    assert_eq!(parse_num("两"), Some(Decimal::from(2)));
    assert_eq!(parse_num("十二"), Some(Decimal::from(12)));
    assert_eq!(parse_num("0.5"), Some(Decimal::new(5, 1)));
    assert_eq!(parse_num("半"), Some(Decimal::new(5, 1)));
}

#[test]
fn levels_share_the_words_after_the_last_level() {
    let (levels, suffix, sure) = levels_of(&["获区主要领导", "市", "省", "中央领导批示"]);
    assert!(sure);
    assert_eq!(levels, ["区主要领导", "市", "省", "中央"]);
    assert_eq!(suffix, "领导批示");
    assert_eq!(join_overlap("区主要领导", &suffix), "区主要领导批示");
    assert_eq!(join_overlap("市", &suffix), "市领导批示");
}

#[test]
fn a_per_count_with_a_maximum_is_one_rule() {
    let ten = Some(Decimal::from(10));
    assert_eq!(
        kinds("每发现一起违规行为扣1分，最多扣5分。", ten),
        ["per_count"]
    );
}

#[test]
fn a_named_condition_becomes_one_check() {
    let mut units = UnitFacts::default();
    let r = read(
        "台账不齐全的扣2分。",
        Some(Decimal::from(4)),
        false,
        &mut units,
    );
    assert_eq!(r.inputs[0].label, "台账齐全");
    assert_eq!(r.rules[0].confidence, Confidence::Sure);
}

/// Declared once, checked from the declaration: every example of the table is read, by its
/// own phrasing, and drafts the kind of rule the table says.
#[test]
fn every_phrasing_reads_its_own_examples() {
    let mut failures = Vec::new();
    for p in PHRASINGS {
        for example in p.examples {
            let mut units = UnitFacts::default();
            let mut r = Reader::new(example, Some(Decimal::from(10)), false, &mut units);
            let read_by = r.read_clauses();
            let reading = r.finish();
            if !read_by.contains(&p.words) {
                failures.push(format!(
                    "「{example}」 read by {read_by:?}, not by {}",
                    p.words
                ));
            }
            if let Some(f) = reading.flags.iter().find(|f| f.kind == FlagKind::Unread) {
                failures.push(format!("「{example}」 left unread: {}", f.message));
            }
            let named = reading
                .rules
                .iter()
                .any(|r| p.drafts.contains(r.kind.name()));
            if !named && !p.drafts.starts_with("no rule") {
                failures.push(format!(
                    "「{example}」 drafts {:?}, not {}",
                    reading
                        .rules
                        .iter()
                        .map(|r| r.kind.name())
                        .collect::<Vec<_>>(),
                    p.drafts
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
