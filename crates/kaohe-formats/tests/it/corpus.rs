//! The importer against the annex corpus (`tests/corpus/*`): seventeen annexes of invented
//! districts in other domains, in table and prose layouts, as text, .docx and .xlsx, each
//! with the rubric a careful person wrote from it by hand (`expected.toml`), committed
//! before the reader was changed to read them.
//!
//! A drafted rule is **right** when it has the same kind, amounts, thresholds and checks
//! as the careful one (keys and labels aside), and neither it nor its item carries a flag
//! asking a person to check it; **flagged** when it, or what stands in its place, is
//! marked for a person (请核对, 必须处理, 未读出); **wrong** when it differs with no flag,
//! or is missing with nothing flagged in its place, or was invented. The targets, which
//! the test holds: no wrong rule, and at least 85% right. The figures printed here are the
//! ones in docs/annex-import.md.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use kaohe_core::rubric::{Cmp, Round, RuleKind, Share, Test, TierCmp};
use kaohe_core::{Decimal, Rubric};
use kaohe_formats::annex::{
    Confidence, Draft, DraftCheck, DraftItem, DraftKind, FlagKind, Threshold, import_annex,
};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn annex_file(dir: &Path) -> PathBuf {
    ["annex.txt", "annex.docx", "annex.xlsx"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{}: no annex file", dir.display()))
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A bound that equals the item's own (its points, or an award item's cap) says nothing
/// more than the item does.
fn bound(b: Option<Decimal>, item: Option<Decimal>) -> String {
    match b {
        Some(b) if Some(b) != item => n(b),
        _ => "-".to_string(),
    }
}

fn core_check(rubric: &Rubric, test: &Test) -> String {
    let cmp = |c: &Cmp| match c {
        Cmp::AtLeast => "≥",
        Cmp::AtMost => "≤",
    };
    match test {
        Test::Yes { .. } => "yes".to_string(),
        Test::Value {
            input,
            cmp: c,
            threshold,
        } => {
            let ty = rubric.input(*input).ty;
            // A count that must be at least 1 is a yes/no in other words (未新增的).
            if ty == kaohe_core::rubric::InputType::Count
                && *c == Cmp::AtLeast
                && *threshold == Decimal::ONE
            {
                "yes".to_string()
            } else {
                format!("{}{}", cmp(c), n(*threshold))
            }
        }
        Test::Ratio {
            cmp: c, percent, ..
        } => format!("ratio{}{}", cmp(c), n(*percent)),
    }
}

fn draft_check(c: &DraftCheck) -> String {
    let t = match c.threshold {
        None => return "yes".to_string(),
        Some(Threshold::AtLeast(v)) if v == Decimal::ONE && c.ratio.is_none() => {
            return "yes".to_string();
        }
        Some(Threshold::AtLeast(v)) => format!("≥{}", n(v)),
        Some(Threshold::AtMost(v)) => format!("≤{}", n(v)),
    };
    if c.ratio.is_some() {
        format!("ratio{t}")
    } else {
        t
    }
}

fn sorted(mut v: Vec<String>) -> String {
    v.sort();
    v.join(",")
}

/// The careful rule in words that compare: kind, amounts, thresholds, checks.
fn core_sig(rubric: &Rubric, ii: usize, kind: &RuleKind) -> String {
    let item = &rubric.items()[ii];
    let checks = |cs: &[kaohe_core::rubric::Check]| {
        sorted(cs.iter().map(|c| core_check(rubric, &c.test)).collect())
    };
    match kind {
        RuleKind::PerCount { each, max, .. } => {
            format!("per_count {} max {}", n(*each), bound(*max, item.points))
        }
        RuleKind::Checks {
            checks: cs,
            each,
            apply,
        } => {
            // One check: once and each are the same.
            let once = *apply == kaohe_core::rubric::Apply::Once && cs.len() > 1;
            format!("checks {} once {once} [{}]", n(*each), checks(cs))
        }
        RuleKind::Shortfall {
            required,
            each,
            step,
            round,
            max,
            ..
        } => format!(
            "shortfall {} per {} × {} {} max {}",
            n(*required),
            n(*step),
            n(*each),
            match round {
                Round::Down => "down",
                Round::Up => "up",
                Round::Exact => "exact",
            },
            bound(*max, item.points)
        ),
        RuleKind::Below { deduct, .. } => format!("below {}", n(*deduct)),
        RuleKind::Award { terms, cap, tiered } => {
            let eaches: Vec<String> = terms.iter().map(|t| n(t.each)).collect();
            let eaches = if *tiered {
                eaches.join(",")
            } else {
                sorted(eaches)
            };
            let word = if *tiered { "tiered" } else { "award" };
            format!(
                "{word} [{eaches}] cap {}",
                bound(*cap, item.cap.or(item.points))
            )
        }
        RuleKind::Discretionary { max, direction, .. } => format!(
            "discretionary {:?} max {}",
            direction,
            bound(Some(*max), item.points)
        ),
        RuleKind::Indicator { checks: cs } => format!("indicator [{}]", checks(cs)),
        RuleKind::Veto { checks: cs, effect } => {
            format!("veto {effect:?} [{}]", checks(cs))
        }
        RuleKind::Proportional { of, max } => {
            let what = match of {
                Share::Value { target, .. } => format!("value {}", n(*target)),
                Share::Ratio { target, .. } => format!("ratio {}", n(*target)),
            };
            format!("proportional {what} max {}", bound(Some(*max), item.points))
        }
        RuleKind::Tiers { cmp, tiers, .. } => {
            let bands: Vec<String> = tiers
                .iter()
                .map(|t| format!("{}:{}", n(t.bound), n(t.deduct)))
                .collect();
            let side = match cmp {
                TierCmp::Below => "below",
                TierCmp::Above => "above",
            };
            format!("tiers {side} [{}]", sorted(bands))
        }
    }
}

/// The drafted rule in the same words.
fn draft_sig(item: &DraftItem, kind: &DraftKind) -> String {
    let checks = |cs: &[DraftCheck]| sorted(cs.iter().map(draft_check).collect());
    match kind {
        DraftKind::PerCount { each, max, .. } => {
            format!("per_count {} max {}", n(*each), bound(*max, item.points))
        }
        DraftKind::Checks {
            checks: cs,
            each,
            once,
        } => {
            let once = *once && cs.len() > 1;
            format!("checks {} once {once} [{}]", n(*each), checks(cs))
        }
        DraftKind::Shortfall {
            required,
            each,
            step,
            round,
            max,
            ..
        } => format!(
            "shortfall {} per {} × {} {round} max {}",
            required.map(n).unwrap_or_else(|| "?".into()),
            n(*step),
            n(*each),
            bound(*max, item.points)
        ),
        DraftKind::Below { deduct, .. } => format!("below {}", n(*deduct)),
        DraftKind::Award { terms, cap } => {
            let eaches = sorted(terms.iter().map(|t| n(t.each)).collect());
            format!(
                "award [{eaches}] cap {}",
                bound(*cap, item.cap.or(item.points))
            )
        }
        DraftKind::Tiered { levels, cap } => {
            let eaches: Vec<String> = levels.iter().map(|t| n(t.each)).collect();
            format!(
                "tiered [{}] cap {}",
                eaches.join(","),
                bound(*cap, item.cap.or(item.points))
            )
        }
        DraftKind::Discretionary { add, max, .. } => format!(
            "discretionary {} max {}",
            if *add { "Add" } else { "Deduct" },
            bound(max.or(item.points), item.points)
        ),
        DraftKind::Indicator { checks: cs } => format!("indicator [{}]", checks(cs)),
        DraftKind::Veto {
            checks: cs,
            downgrade,
        } => format!(
            "veto {} [{}]",
            if *downgrade { "Downgrade" } else { "Veto" },
            checks(cs)
        ),
        DraftKind::Proportional {
            ratio, target, max, ..
        } => {
            let what = match ratio {
                Some(_) => format!("ratio {}", target.map(n).unwrap_or_else(|| "100".into())),
                None => format!("value {}", target.map(n).unwrap_or_else(|| "?".into())),
            };
            format!(
                "proportional {what} max {}",
                bound(max.or(item.points), item.points)
            )
        }
        DraftKind::Tiers { above, tiers, .. } => {
            let bands: Vec<String> = tiers
                .iter()
                .map(|(b, d)| format!("{}:{}", n(*b), n(*d)))
                .collect();
            let side = if *above { "above" } else { "below" };
            format!("tiers {side} [{}]", sorted(bands))
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    rules: usize,
    right: usize,
    flagged: usize,
    wrong: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.rules += o.rules;
        self.right += o.right;
        self.flagged += o.flagged;
        self.wrong += o.wrong;
    }
    fn share(&self, k: usize) -> String {
        if self.rules == 0 {
            return "-".into();
        }
        format!("{:.1}%", k as f64 * 100.0 / self.rules as f64)
    }
}

/// `KAOHE_CORPUS_VERBOSE=1`: also list the flagged rules with their flags.
fn verbose() -> bool {
    std::env::var_os("KAOHE_CORPUS_VERBOSE").is_some()
}

fn item_flagged(item: &DraftItem) -> bool {
    item.flags.iter().any(|f| {
        matches!(
            f.kind,
            FlagKind::Review | FlagKind::Unsettled | FlagKind::Unread
        )
    })
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The draft's item for a careful item: the one whose criteria hold the start of its own.
fn find_item<'d>(draft: &'d Draft, criteria: &str) -> Option<(usize, &'d DraftItem)> {
    let want = squeeze(criteria);
    let head: String = want.chars().take(14).collect();
    draft
        .items()
        .enumerate()
        .find(|(_, it)| squeeze(&it.criteria).contains(&head))
}

/// Scores one annex; `log` gets a line per rule not right.
fn score_annex(dir: &Path, log: &mut String) -> (Tally, Vec<String>) {
    let expected_text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let expected = Rubric::from_toml(&expected_text, "expected.toml")
        .unwrap_or_else(|e| panic!("{}: expected.toml does not load:\n{e}", dir.display()));
    let file = annex_file(dir);
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    let bytes = std::fs::read(&file).unwrap();
    let mut tally = Tally::default();
    let mut structure = Vec::new();
    let all: usize = expected.items().iter().map(|i| i.rules.len()).sum();
    tally.rules = all;
    let draft = match import_annex(&name, &bytes) {
        Ok(d) => d,
        Err(e) => {
            // Refused with a message: nothing misread, nothing read.
            tally.flagged = all;
            let _ = writeln!(log, "  refused: {e}");
            structure.push(format!("refused: {}", e.message));
            return (tally, structure);
        }
    };
    // Categories and points.
    let want: Vec<(String, Option<Decimal>)> = expected
        .categories()
        .iter()
        .map(|c| (c.name.clone(), c.points))
        .collect();
    let got: Vec<(String, Option<Decimal>)> = draft
        .categories
        .iter()
        .map(|c| (c.name.clone(), c.points))
        .collect();
    if want.len() != got.len() {
        structure.push(format!("categories {want:?} read as {got:?}"));
    } else {
        for ((wn, wp), (gn, gp)) in want.iter().zip(&got) {
            if !gn.contains(wn.as_str()) && !wn.contains(gn.as_str()) || wp != gp {
                structure.push(format!("category {wn} {wp:?} read as {gn} {gp:?}"));
            }
        }
    }
    if draft.items().count() != expected.items().len() {
        structure.push(format!(
            "{} items read as {}",
            expected.items().len(),
            draft.items().count()
        ));
    }
    // Rules, item by item; then what is left, across the document (a veto section the
    // careful reader put in an item).
    let drafted: Vec<&DraftItem> = draft.items().collect();
    let mut used: Vec<Vec<bool>> = drafted.iter().map(|i| vec![false; i.rules.len()]).collect();
    let mut left: Vec<(usize, String)> = Vec::new();
    for (ii, item) in expected.items().iter().enumerate() {
        let found = find_item(&draft, &item.criteria);
        if found.is_none() {
            structure.push(format!("item not found: {}", item.criteria));
        }
        if let Some((_, d)) = found
            && item.points != d.points
            && expected.categories()[item.category].kind == kaohe_core::rubric::CategoryKind::Base
        {
            structure.push(format!(
                "item points {:?} read as {:?}: {}",
                item.points, d.points, item.criteria
            ));
        }
        for rule in &item.rules {
            let sig = core_sig(&expected, ii, &rule.kind);
            let Some((di, d)) = found else {
                left.push((usize::MAX, sig));
                continue;
            };
            let hit = d
                .rules
                .iter()
                .enumerate()
                .find(|(ri, r)| !used[di][*ri] && draft_sig(d, &r.kind) == sig);
            match hit {
                Some((ri, r)) => {
                    used[di][ri] = true;
                    if r.confidence == Confidence::Sure && !item_flagged(d) {
                        tally.right += 1;
                    } else {
                        tally.flagged += 1;
                        if verbose() {
                            let why: Vec<&str> = r
                                .flags
                                .iter()
                                .chain(d.flags.iter())
                                .filter(|f| f.kind != FlagKind::Note)
                                .map(|f| f.message.as_str())
                                .collect();
                            let _ = writeln!(log, "  flagged: {sig} ({:?}): {why:?}", r.confidence);
                        }
                    }
                }
                None => left.push((di, sig)),
            }
        }
    }
    let matched: Vec<usize> = expected
        .items()
        .iter()
        .filter_map(|i| find_item(&draft, &i.criteria).map(|(di, _)| di))
        .collect();
    for (di, sig) in left {
        // The same rule drafted in another item: one no careful item stands for, or a
        // veto (a 一票否决 section the careful reader put in an item).
        let elsewhere = drafted.iter().enumerate().find_map(|(dj, d)| {
            d.rules
                .iter()
                .enumerate()
                .find(|(ri, r)| {
                    !used[dj][*ri]
                        && draft_sig(d, &r.kind) == sig
                        && (!matched.contains(&dj) || matches!(r.kind, DraftKind::Veto { .. }))
                })
                .map(|(ri, r)| (dj, ri, r.confidence == Confidence::Sure))
        });
        if let Some((dj, ri, sure)) = elsewhere {
            used[dj][ri] = true;
            if sure {
                tally.right += 1;
            } else {
                tally.flagged += 1;
            }
            continue;
        }
        // Something flagged in its item stands in its place: a flagged rule not matched,
        // or a flagged rule of the same reading (one rule drafted for two measures, its
        // flag asking for one per measure).
        let stand_in = (di != usize::MAX).then(|| {
            let d = drafted[di];
            let same_flagged = d
                .rules
                .iter()
                .any(|r| r.confidence != Confidence::Sure && draft_sig(d, &r.kind) == sig);
            if same_flagged {
                return true;
            }
            let rule = (0..d.rules.len())
                .find(|ri| !used[di][*ri] && d.rules[*ri].confidence != Confidence::Sure);
            if let Some(ri) = rule {
                used[di][ri] = true;
            }
            rule.is_some() || item_flagged(d)
        });
        if stand_in == Some(true) {
            tally.flagged += 1;
            if verbose() {
                let d = drafted[di];
                let why: Vec<&str> = d
                    .rules
                    .iter()
                    .flat_map(|r| r.flags.iter())
                    .chain(d.flags.iter())
                    .filter(|f| f.kind != FlagKind::Note)
                    .map(|f| f.message.as_str())
                    .collect();
                let got: Vec<String> = d.rules.iter().map(|r| draft_sig(d, &r.kind)).collect();
                let _ = writeln!(log, "  stand-in: want {sig}; drafted {got:?}: {why:?}");
                let _ = writeln!(log, "    in 「{}」", d.criteria);
            }
        } else {
            tally.wrong += 1;
            let got: Vec<String> = if di == usize::MAX {
                vec!["(item not found)".into()]
            } else {
                drafted[di]
                    .rules
                    .iter()
                    .map(|r| draft_sig(drafted[di], &r.kind))
                    .collect()
            };
            let _ = writeln!(log, "  wrong: want {sig}; drafted {got:?}");
            if verbose() && di != usize::MAX {
                let _ = writeln!(log, "    in 「{}」", drafted[di].criteria);
            }
        }
    }
    // Items drafted that no careful item matches.
    for (di, d) in drafted.iter().enumerate() {
        if !matched.contains(&di) {
            structure.push(format!("item drafted with no counterpart: {}", d.criteria));
        }
    }
    // Rules the careful reader has no counterpart for, drafted without a flag: invented.
    for (di, d) in drafted.iter().enumerate() {
        for (ri, r) in d.rules.iter().enumerate() {
            if !used[di][ri] && r.confidence == Confidence::Sure && !item_flagged(d) {
                tally.wrong += 1;
                tally.rules += 1;
                let _ = writeln!(
                    log,
                    "  invented: {} from 「{}」",
                    draft_sig(d, &r.kind),
                    r.source_text
                );
            }
        }
    }
    (tally, structure)
}

/// Prints the table of docs/annex-import.md: per annex and in total, the rules read right
/// with no flag, flagged, and wrong with no flag.
#[test]
fn the_corpus_imports_with_no_rule_misread_silently() {
    let mut total = Tally::default();
    let mut table = String::new();
    let mut log = String::new();
    let mut structure_problems = Vec::new();
    for dir in corpus() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let _ = writeln!(log, "{name}:");
        let (t, structure) = score_annex(&dir, &mut log);
        for s in &structure {
            let _ = writeln!(log, "  structure: {s}");
        }
        if !structure.is_empty() {
            structure_problems.push(format!("{name}: {}", structure.join("; ")));
        }
        let _ = writeln!(
            table,
            "| {name} | {} | {} ({}) | {} ({}) | {} ({}) |",
            t.rules,
            t.right,
            t.share(t.right),
            t.flagged,
            t.share(t.flagged),
            t.wrong,
            t.share(t.wrong)
        );
        total.add(t);
    }
    let _ = writeln!(
        table,
        "| **total** | {} | {} ({}) | {} ({}) | {} ({}) |",
        total.rules,
        total.right,
        total.share(total.right),
        total.flagged,
        total.share(total.flagged),
        total.wrong,
        total.share(total.wrong)
    );
    println!(
        "| annex | rules | right, no flag | flagged | wrong, no flag |\n|---|---|---|---|---|\n{table}\n{log}"
    );
    assert!(
        total.rules > 300,
        "the corpus has {} rules; it should have its seventeen annexes",
        total.rules
    );
    // Issue 17's targets: no rule misread without a flag, and at least 85% right without
    // one (docs/annex-import.md has the table).
    const LEAST_RIGHT_PERCENT: usize = 85;
    if std::env::var_os("KAOHE_CORPUS_REPORT_ONLY").is_none() {
        assert_eq!(total.wrong, 0, "rules misread with no flag:\n{log}");
        assert!(
            total.right * 100 >= total.rules * LEAST_RIGHT_PERCENT,
            "right without a flag: {} of {} ({}), under {LEAST_RIGHT_PERCENT}%",
            total.right,
            total.rules,
            total.share(total.right)
        );
        // Every annex, prose or table, read into the careful rubric's categories (names
        // and points), items and item points: none refused, none misplaced.
        assert!(
            structure_problems.is_empty(),
            "annexes read into other categories, items or points:\n{}",
            structure_problems.join("\n")
        );
    }
}
