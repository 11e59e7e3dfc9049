//! Every class of mistake in a rubric file is refused with `file:line: message`, where
//! the line is the line of the mistake and the message says what is wrong.
//!
//! The cases are files in `tests/data/validation/`, two for each case:
//!
//! - `NAME.toml`: a rubric written out in full, usually a minimal valid rubric with one
//!   defect. Each line a problem is expected on carries the comment `# ←`, and the
//!   runner checks that the marked lines are the expected ones, so a reader can trust
//!   the numbers.
//! - `NAME.expected`: the problems it must give, in the order reported (by line), one a
//!   line: `LINE: fragment | fragment`. The problem must be at `LINE` and its message
//!   must contain every fragment; a fragment that starts with `^` must begin the
//!   message, one that ends with `$` must end it. A last line `...` lets other problems
//!   follow those listed (for defects with a follow-on problem); without it the listed
//!   problems are all there may be. Lines starting with `#` say why the case is there.
//!
//! To add a case, add both files; one test checks every case and lists all failures.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use kaohe_core::Rubric;

const MARK: &str = "# ←";

/// A valid rubric, the base most cases start from.
const MINIMAL: &str = r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "未落实的每次扣1分。"
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#;

#[test]
fn the_minimal_base_rubric_loads() {
    let r = Rubric::from_toml(MINIMAL, "minimal.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.items().len(), 1);
}

#[test]
fn every_validation_case_gives_the_problems_it_expects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/validation");
    let (cases, mut failures) = cases(&dir);
    assert!(
        !cases.is_empty(),
        "no validation cases in {}; each case is NAME.toml with NAME.expected",
        dir.display()
    );
    for toml in &cases {
        if let Err(why) = check_case(toml) {
            failures.push(format!("{}: {why}", toml.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures among {} validation cases:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The `.toml` files of the folder, sorted, and a failure for every file that is not one
/// half of a case.
fn cases(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") if path.with_extension("expected").is_file() => cases.push(path),
            Some("toml") => failures.push(format!(
                "{}: no {} beside it; write the problems it must give there",
                path.display(),
                path.with_extension("expected").display()
            )),
            Some("expected") if path.with_extension("toml").is_file() => {}
            _ => failures.push(format!(
                "{}: not a case; a case is NAME.toml with NAME.expected",
                path.display()
            )),
        }
    }
    cases.sort();
    (cases, failures)
}

/// One expected problem: its line and the fragments its message must contain.
struct Expected {
    line: usize,
    fragments: Vec<String>,
}

/// What a case's `.expected` file says: the problems in order, and whether others may
/// follow them.
fn parse_expected(text: &str) -> Result<(Vec<Expected>, bool), String> {
    let mut problems = Vec::new();
    let mut more_may_follow = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if more_may_follow {
            return Err("`...` must be the last line of the .expected file".to_string());
        }
        if line == "..." {
            more_may_follow = true;
            continue;
        }
        let parsed = line.split_once(": ").and_then(|(n, rest)| {
            let fragments: Vec<String> = rest.split(" | ").map(str::to_string).collect();
            Some(Expected {
                line: n.parse().ok()?,
                fragments,
            })
        });
        match parsed {
            Some(p) => problems.push(p),
            None => return Err(format!("cannot read `{line}`; write `LINE: fragment | …`")),
        }
    }
    if problems.is_empty() {
        return Err("the .expected file lists no problem; write `LINE: fragment`".to_string());
    }
    Ok((problems, more_may_follow))
}

fn check_case(toml: &Path) -> Result<(), String> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let source = read(toml)?;
    let expected_text = read(&toml.with_extension("expected"))?;
    let (expected, more_may_follow) = parse_expected(&expected_text)?;

    let marked: BTreeSet<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(MARK))
        .map(|(i, _)| i + 1)
        .collect();
    let listed: BTreeSet<usize> = expected.iter().map(|e| e.line).collect();
    if marked != listed {
        return Err(format!(
            "the lines marked {MARK} are {marked:?}, the expected problems are on {listed:?}; \
             they must be the same"
        ));
    }

    let file = toml.file_name().unwrap().to_string_lossy().into_owned();
    let found: Vec<String> =
        match catch_unwind(AssertUnwindSafe(|| Rubric::from_toml(&source, &file))) {
            Err(_) => return Err("loading the rubric panicked".to_string()),
            Ok(Ok(_)) => return Err("the rubric was accepted; it should be refused".to_string()),
            Ok(Err(e)) => e.to_string().lines().map(str::to_string).collect(),
        };
    let count_fits = if more_may_follow {
        found.len() >= expected.len()
    } else {
        found.len() == expected.len()
    };
    let all_match = expected
        .iter()
        .zip(&found)
        .all(|(e, p)| matches(&file, e, p));
    if count_fits && all_match {
        return Ok(());
    }
    let wanted: Vec<String> = expected
        .iter()
        .map(|e| format!("  {file}:{}: …{}…", e.line, e.fragments.join("…")))
        .collect();
    Err(format!(
        "expected{}:\n{}\ngot:\n  {}",
        if more_may_follow { " first" } else { "" },
        wanted.join("\n"),
        found.join("\n  ")
    ))
}

/// Whether a reported `file:line: message` is the expected problem.
fn matches(file: &str, expected: &Expected, problem: &str) -> bool {
    let Some(message) = problem.strip_prefix(&format!("{file}:{}: ", expected.line)) else {
        return false;
    };
    expected.fragments.iter().all(|fragment| {
        let (at_start, rest) = match fragment.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, fragment.as_str()),
        };
        let (at_end, text) = match rest.strip_suffix('$') {
            Some(text) => (true, text),
            None => (false, rest),
        };
        match (at_start, at_end) {
            (true, true) => message == text,
            (true, false) => message.starts_with(text),
            (false, true) => message.ends_with(text),
            (false, false) => message.contains(text),
        }
    })
}

#[test]
fn the_hash_follows_the_text() {
    let a = Rubric::from_toml(MINIMAL, "a.toml").unwrap();
    let b = Rubric::from_toml(MINIMAL, "b.toml").unwrap();
    assert_eq!(
        a.hash(),
        b.hash(),
        "same text, same hash, whatever the file name"
    );
    let changed = MINIMAL.replace("each = 1 }", "each = 2 }");
    assert_ne!(changed, MINIMAL);
    let c = Rubric::from_toml(&changed, "a.toml").unwrap();
    assert_ne!(a.hash(), c.hash(), "a changed rule changes the hash");
    // Even a change that means nothing to the rules (a comment) changes the hash: the
    // hash freezes the file as written.
    let commented = format!("{MINIMAL}# 备注\n");
    let d = Rubric::from_toml(&commented, "a.toml").unwrap();
    assert_ne!(a.hash(), d.hash());
    assert_eq!(a.hash().len(), 64);
    assert!(a.hash().chars().all(|c| c.is_ascii_hexdigit()));
}
