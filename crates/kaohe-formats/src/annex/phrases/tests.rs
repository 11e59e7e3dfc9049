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

/// A rule in words that compare: its kind and numbers.
fn sig(kind: &crate::annex::draft::DraftKind) -> String {
    use crate::annex::draft::{DraftKind as K, Threshold};
    let n = |d: &Decimal| d.normalize().to_string();
    let checks = |cs: &[crate::annex::draft::DraftCheck]| {
        cs.iter()
            .map(|c| match (c.threshold, c.ratio.is_some()) {
                (None, _) => "yes".to_string(),
                (Some(Threshold::AtLeast(v)), r) => {
                    format!("{}≥{}", if r { "ratio" } else { "" }, n(&v))
                }
                (Some(Threshold::AtMost(v)), r) => {
                    format!("{}≤{}", if r { "ratio" } else { "" }, n(&v))
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let opt = |d: &Option<Decimal>| d.as_ref().map(n).unwrap_or_else(|| "-".into());
    match kind {
        K::PerCount { each, max, .. } => format!("per_count {} max {}", n(each), opt(max)),
        K::Checks {
            checks: cs,
            each,
            once,
        } => {
            format!(
                "checks {} {} [{}]",
                n(each),
                if *once { "once" } else { "each" },
                checks(cs)
            )
        }
        K::Shortfall {
            required,
            each,
            step,
            round,
            max,
            ..
        } => format!(
            "shortfall {} per {} × {} {round} max {}",
            opt(required),
            n(step),
            n(each),
            opt(max)
        ),
        K::Proportional {
            ratio, target, max, ..
        } => format!(
            "proportional {} {} max {}",
            if ratio.is_some() { "ratio" } else { "value" },
            opt(target),
            opt(max)
        ),
        K::Tiers { above, tiers, .. } => format!(
            "tiers {} [{}]",
            if *above { "above" } else { "below" },
            tiers
                .iter()
                .map(|(b, d)| format!("{}:{}", n(b), n(d)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        K::Below { deduct, .. } => format!("below {}", n(deduct)),
        K::Award { terms, cap } => format!(
            "award [{}] cap {}",
            terms
                .iter()
                .map(|t| n(&t.each))
                .collect::<Vec<_>>()
                .join(","),
            opt(cap)
        ),
        K::Tiered { levels, cap } => format!(
            "tiered [{}] cap {}",
            levels
                .iter()
                .map(|t| n(&t.each))
                .collect::<Vec<_>>()
                .join(","),
            opt(cap)
        ),
        K::Discretionary { add, max, .. } => {
            format!(
                "discretionary {} max {}",
                if *add { "add" } else { "deduct" },
                opt(max)
            )
        }
        K::Indicator { checks: cs } => format!("indicator [{}]", checks(cs)),
        K::Veto {
            checks: cs,
            downgrade,
        } => {
            format!(
                "veto{} [{}]",
                if *downgrade { " downgrade" } else { "" },
                checks(cs)
            )
        }
    }
}

/// Issue 17's point 2, phrasing by phrasing: each worded as the issue words it, read into
/// the rules a careful person writes, with no ⚠ 请核对 where the reading is sure and the ⚠
/// where it is not.
#[test]
fn every_phrasing_of_issue_17_reads_into_its_rules() {
    let ten = Some(Decimal::from(10));
    // (criteria, item points (None: a bonus item), the rules, whether it is flagged)
    let cases: &[(&str, Option<Decimal>, &[&str], bool)] = &[
        // respective amounts by level
        (
            "获国家、省、市级表彰的依次加5、3、1分。",
            None,
            &["tiered [5,3,1] cap -"],
            false,
        ),
        (
            "工作经验在省级、市级媒体刊发的，分别计2分、1分。",
            None,
            &["tiered [2,1] cap -"],
            false,
        ),
        // a deduction per unit below a target
        (
            "任务完成率达到100%，完成率每低于目标值1个百分点扣0.5分。",
            ten,
            &["shortfall 100 per 1 × 0.5 down max -"],
            false,
        ),
        (
            "群众满意度测评得分（满分100分）每少1分扣1分。",
            ten,
            &["shortfall 100 per 1 × 1 down max -"],
            false,
        ),
        // tiered shortfalls
        (
            "开展专项行动，未开展的扣4分，开展不足3次的扣2分。",
            ten,
            &["tiers below [1:4,3:2]"],
            false,
        ),
        // all or nothing
        (
            "项目须于6月30日前全部开工，未按时完成的，本项不得分。",
            ten,
            &["checks 10 once [yes]"],
            false,
        ),
        (
            "监督抽检任务完成率低于80%的不得分。",
            ten,
            &["checks 10 once [≥80]"],
            false,
        ),
        // awards with a cap worded many ways
        (
            "每录用一篇加0.5分，累计加分不超过5分。",
            None,
            &["award [0.5] cap 5"],
            false,
        ),
        (
            "每获批示一次加1分，最高加3分。",
            None,
            &["award [1] cap 3"],
            false,
        ),
        (
            "每个加2分，加满为止。",
            Some(Decimal::from(4)),
            &["award [2] cap -"],
            false,
        ),
        // deductions per occurrence with a cap
        (
            "发生一般生产安全事故的，每起扣2分，最多扣6分。",
            ten,
            &["per_count 2 max 6"],
            false,
        ),
        // conditions joined by 且, 或, 、
        (
            "台账齐全且记录完整，未做到的扣2分。",
            ten,
            &["checks 2 each [yes,yes]"],
            true,
        ),
        (
            "未建立台账或台账不完整的扣2分。",
            ten,
            &["checks 2 once [yes,yes]"],
            false,
        ),
        (
            "成立领导小组、建立工作制度、明确专人负责，未落实的每项扣2分。",
            ten,
            &["checks 2 each [yes,yes,yes]"],
            false,
        ),
        // proportional scoring
        (
            "水质达标率按完成比例得分。",
            ten,
            &["proportional value 100 max -"],
            false,
        ),
        (
            "区里下达的检查任务，按完成比例得分。",
            ten,
            &["proportional ratio - max -"],
            true,
        ),
        (
            "抽样调查任务完成率按完成比例计8分。",
            ten,
            &["proportional value 100 max 8"],
            false,
        ),
        (
            "完成上级任务，按完成比例得分。",
            ten,
            &["proportional value 100 max -"],
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (text, points, want, flagged) in cases {
        let mut units = UnitFacts::default();
        let r = read(text, *points, points.is_none(), &mut units);
        let got: Vec<String> = r.rules.iter().map(|x| sig(&x.kind)).collect();
        let is_flagged = r
            .rules
            .iter()
            .flat_map(|x| &x.flags)
            .chain(&r.flags)
            .any(|f| {
                matches!(
                    f.kind,
                    FlagKind::Review | FlagKind::Unsettled | FlagKind::Unread
                )
            });
        if got != *want || is_flagged != *flagged {
            failures.push(format!(
                "「{text}」: {got:?} (flagged {is_flagged}), want {want:?} (flagged {flagged})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
