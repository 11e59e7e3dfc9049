//! End-to-end tests of the `kaohe` command line: the real binary, real files.
//!
//! Every test works in its own fresh directory under the system temp dir (named after
//! the test and the process id), writes its input files there and runs the binary with
//! that directory as the working directory, so messages name files as `facts.csv`.
//! The directory is removed when the test passes and kept (its path printed) when it
//! fails, to look at.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

use kaohe_core::Decimal;
use serde_json::Value;

// ───────────────────────────── helpers ─────────────────────────────

const UNITS: [&str; 11] = [
    "新碶街道",
    "小港街道",
    "大碶街道",
    "霞浦街道",
    "柴桥街道",
    "戚家山街道",
    "春晓街道",
    "梅山街道",
    "白峰街道",
    "郭巨街道",
    "大榭街道",
];

const ITEM_IDS: [&str; 18] = [
    "basic.1",
    "basic.2",
    "basic.3",
    "basic.4",
    "management.1",
    "management.2",
    "management.3",
    "management.4",
    "management.5",
    "management.6",
    "management.7",
    "service.1",
    "service.2",
    "service.3",
    "service.4",
    "service.5",
    "innovation.1",
    "innovation.2",
];

const PERCENT_KEYS: [&str; 6] = [
    "management.5.registration_rate",
    "management.5.accuracy_rate",
    "management.5.rental_registration_rate",
    "management.6.pregnancy_service_rate",
    "service.1.enrolment_rate",
    "service.5.vaccination_rate",
];

/// The criteria text of service.2, as in the seed and the shipped rubric.
const SERVICE_2_CRITERIA: &str = "开展流动人口法治安全文明宣教培训活动，做好流动人口素质提升工程，组织开展流动人口文化再教育，加强技能培训和素质培训，做好志愿服务专项培训工作，培训人数达到区域流动人口数30%以上，举办一期“法治安全文明”为主题的知识竞赛活动；加强就业指导和服务，为流动人口提供一年2次以上的劳动就业招聘专场，加强劳动监察，维护流动人口的合法权益，未完成的每项扣3分，落实不力的酌情扣分。";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rubric_path() -> PathBuf {
    workspace().join("rubrics/beilun-2026.toml")
}

fn demo_path() -> PathBuf {
    workspace().join("examples/beilun-2026-demo.csv")
}

/// A fresh working directory for one test; removed on drop unless the test failed.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kaohe-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// Runs `kaohe ARGS…` in this directory.
    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_kaohe"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("run the kaohe binary");
        Run::new(args, output)
    }

    /// `kaohe score --rubric <shipped rubric> FACTS EXTRA…`
    fn score(&self, facts: &str, extra: &[&str]) -> Run {
        let rubric = rubric_path();
        let mut args = vec!["score", "--rubric", rubric.to_str().unwrap(), facts];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `kaohe score --rubric <shipped rubric> FACTS --json`, which must succeed.
    fn score_json(&self, facts: &str) -> Value {
        self.score(facts, &["--json"]).ok().json()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

struct Run {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(args: &[&str], output: Output) -> Run {
        let run = Run {
            args: args.join(" "),
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "kaohe {} panicked:\n{}",
            run.args,
            run.stderr
        );
        run
    }

    /// Asserts success and returns self.
    fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "kaohe {} failed:\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts a refusal: exit code 1 (not a panic's 101), nothing on stdout, and every
    /// fragment in the message on stderr.
    fn refused(&self, fragments: &[&str]) {
        assert_eq!(
            self.code,
            Some(1),
            "kaohe {} should fail with exit code 1:\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "kaohe {} failed but printed on stdout:\n{}",
            self.args,
            self.stdout
        );
        assert!(
            self.stderr.starts_with("错误："),
            "kaohe {}: message should start with 错误：\n{}",
            self.args,
            self.stderr
        );
        for f in fragments {
            assert!(
                self.stderr.contains(f),
                "kaohe {}: message should contain {f:?}:\n{}",
                self.args,
                self.stderr
            );
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "kaohe {}: --json output does not parse ({e}):\n{}",
                self.args, self.stdout
            )
        })
    }
}

/// The demo CSV as a table, to write variants of it. The demo has no quoted cells.
struct Csv {
    comments: Vec<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn demo() -> Csv {
        let text = std::fs::read_to_string(demo_path()).expect("read demo CSV");
        assert!(!text.contains('"'), "the demo CSV has no quoted cells");
        let mut comments = Vec::new();
        let mut lines = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') {
                comments.push(line.to_string());
            } else if !line.trim().is_empty() {
                lines.push(line.split(',').map(String::from).collect::<Vec<_>>());
            }
        }
        let header = lines.remove(0);
        Csv {
            comments,
            header,
            rows: lines,
        }
    }

    fn col(&self, key: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == key)
            .unwrap_or_else(|| panic!("no column {key} in the demo CSV"))
    }

    fn row_mut(&mut self, unit: &str) -> &mut Vec<String> {
        self.rows
            .iter_mut()
            .find(|r| r[0] == unit)
            .unwrap_or_else(|| panic!("no unit {unit} in the demo CSV"))
    }

    fn get(&self, unit: &str, key: &str) -> &str {
        let c = self.col(key);
        &self.rows.iter().find(|r| r[0] == unit).unwrap()[c]
    }

    fn set(&mut self, unit: &str, key: &str, value: &str) -> &mut Csv {
        let c = self.col(key);
        self.row_mut(unit)[c] = value.to_string();
        self
    }

    /// Rewrites every data cell (not the unit names) with `f(key, cell)`.
    fn map_cells(&mut self, f: impl Fn(&str, &str) -> String) -> &mut Csv {
        for row in &mut self.rows {
            for (i, cell) in row.iter_mut().enumerate().skip(1) {
                *cell = f(&self.header[i], cell);
            }
        }
        self
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(&self.header.join(","));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&r.join(","));
            out.push('\n');
        }
        out
    }

    /// The non-empty cells of each unit, as `(key, cell)`.
    fn units(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.rows
            .iter()
            .map(|r| {
                let facts = r
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(i, c)| (self.header[i].clone(), c.clone()))
                    .collect();
                (r[0].clone(), facts)
            })
            .collect()
    }
}

fn dec(v: &Value) -> Decimal {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a decimal string, got {v}"));
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{s:?} is not an exact decimal: {e}"))
}

fn units(json: &Value) -> &Vec<Value> {
    json["units"].as_array().expect("units is an array")
}

fn unit<'a>(json: &'a Value, name: &str) -> &'a Value {
    units(json)
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("no unit {name} in the JSON output"))
}

fn item<'a>(unit: &'a Value, id: &str) -> &'a Value {
    unit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {}", unit["unit"]))
}

/// unit → (base, bonus, total, [item scores]) from `--json` output.
type Totals = BTreeMap<String, (Decimal, Decimal, Decimal, Vec<Decimal>)>;

fn totals(json: &Value) -> Totals {
    units(json)
        .iter()
        .map(|u| {
            let items = u["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| dec(&i["score"]))
                .collect();
            (
                u["unit"].as_str().unwrap().to_string(),
                (dec(&u["base"]), dec(&u["bonus"]), dec(&u["total"]), items),
            )
        })
        .collect()
}

/// Display width of a character in a terminal table (as comfy-table counts it):
/// East Asian wide and fullwidth characters take two columns.
fn width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// The part of a table line from display column `col` on.
fn from_column(line: &str, col: usize) -> String {
    let mut at = 0;
    let mut out = String::new();
    for c in line.chars() {
        if at >= col {
            out.push(c);
        }
        at += width(c);
    }
    out
}

fn display_column(line: &str, needle: &str) -> usize {
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    line[..byte].chars().map(width).sum()
}

fn strip_table(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '─' | '═' | '│' | '┆' | '┼' | '╪'))
        .collect()
}

// ───────────────────────────── rubric check / show ─────────────────────────────

#[test]
fn rubric_check_accepts_the_shipped_rubric_and_prints_its_hash() {
    let dir = TempDir::new("check_ok");
    let rubric = rubric_path();
    let run = dir.run(&["rubric", "check", rubric.to_str().unwrap()]).ok();
    assert!(run.stdout.contains("细则有效"), "{}", run.stdout);
    assert!(run.stdout.contains("18 个项目"), "{}", run.stdout);
    let hash = run
        .stdout
        .split("内容哈希 ")
        .nth(1)
        .expect("the hash is printed")
        .trim();
    assert_eq!(hash.len(), 64, "a SHA-256 in hex: {hash}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");

    // The same hash is what `rubric show` and `score --json` report.
    let show = dir.run(&["rubric", "show", rubric.to_str().unwrap()]).ok();
    assert!(show.stdout.contains(&format!("内容哈希：{hash}")));
    let demo = demo_path();
    let json = dir.score_json(demo.to_str().unwrap());
    assert_eq!(json["rubric"]["hash"], hash);
}

#[test]
fn rubric_check_reports_every_error_of_a_broken_rubric_with_file_and_line() {
    let dir = TempDir::new("check_broken");
    let shipped = std::fs::read_to_string(rubric_path()).unwrap();
    let broken = shipped
        .replacen("points = 6\n", "points = \"six\"\n", 1)
        .replacen("kind = \"per_count\"", "kind = \"per_counts\"", 1)
        .replacen("{ input = \"staff\" }", "{ input = \"staf\" }", 1);
    assert_ne!(broken, shipped);
    dir.write("broken.toml", &broken);

    let run = dir.run(&["rubric", "check", "broken.toml"]);
    run.refused(&["per_counts", "per_count", "staf", "six"]);
    let lines: Vec<&str> = broken.lines().collect();
    let mut messages = Vec::new();
    for message in run.stderr.lines().skip(1) {
        let rest = message
            .strip_prefix("broken.toml:")
            .unwrap_or_else(|| panic!("not a FILE:LINE: message: {message:?}"));
        let (line, text) = rest
            .split_once(": ")
            .unwrap_or_else(|| panic!("not a FILE:LINE: message: {message:?}"));
        let line: usize = line
            .parse()
            .unwrap_or_else(|_| panic!("no line number in {message:?}"));
        assert!(line >= 1 && line <= lines.len(), "{message}");
        messages.push((line, text));
    }
    // Each mistake is reported at the line that holds it.
    for (in_file, in_message) in [
        ("points = \"six\"", "six"),
        ("kind = \"per_counts\"", "per_counts"),
        ("{ input = \"staf\" }", "staf"),
    ] {
        let line = lines.iter().position(|l| l.contains(in_file)).unwrap() + 1;
        assert!(
            messages
                .iter()
                .any(|(l, text)| *l == line && text.contains(in_message)),
            "{in_message} should be reported at line {line}:\n{}",
            run.stderr
        );
    }

    // A rubric that is not TOML at all, and one that is not UTF-8.
    dir.write("not-toml.toml", "[rubric\nid = 1\n");
    dir.run(&["rubric", "check", "not-toml.toml"])
        .refused(&["not-toml.toml:1:"]);
    dir.write("binary.toml", [0xffu8, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    dir.run(&["rubric", "check", "binary.toml"])
        .refused(&["binary.toml", "UTF-8"]);
}

#[test]
fn rubric_show_prints_all_18_items_and_the_full_criteria_of_service_2() {
    let dir = TempDir::new("show");
    let rubric = rubric_path();
    let run = dir.run(&["rubric", "show", rubric.to_str().unwrap()]).ok();
    let out = &run.stdout;
    let source = std::fs::read_to_string(rubric_path()).unwrap();
    assert!(source.contains(SERVICE_2_CRITERIA), "the rubric's own text");

    let shown: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|t| ITEM_IDS.contains(t))
        .collect();
    assert_eq!(shown, ITEM_IDS, "every item, once, in rubric order");

    // The service table: the criteria column starts where its header 评分标准 does;
    // the service.2 row runs from its first line to the next rule line.
    let lines: Vec<&str> = out.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("服务工作"))
        .expect("服务工作 table");
    let header = lines[start..]
        .iter()
        .find(|l| l.contains("评分标准"))
        .unwrap();
    let col = display_column(header, "评分标准");
    let row_start = start
        + lines[start..]
            .iter()
            .position(|l| l.split_whitespace().next() == Some("service.2"))
            .unwrap();
    let criteria: String = lines[row_start..]
        .iter()
        .take_while(|l| !l.starts_with('─'))
        .map(|l| from_column(l, col))
        .collect();
    assert_eq!(strip_table(&criteria), strip_table(SERVICE_2_CRITERIA));
}

// ───────────────────────────── score ─────────────────────────────

#[test]
fn score_ranks_all_11_demo_units() {
    let dir = TempDir::new("rank");
    let demo = demo_path();
    let run = dir.score(demo.to_str().unwrap(), &[]).ok();
    for name in UNITS {
        assert!(run.stdout.contains(name), "{name} missing:\n{}", run.stdout);
    }
    // One table row per unit; the demo has one tie (戚家山街道 and 梅山街道, 91.5), which
    // shares rank 5 and skips rank 6.
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| UNITS.iter().any(|u| l.contains(u)))
        .collect();
    let ranks: Vec<usize> = rows
        .iter()
        .filter_map(|l| l.split_whitespace().next()?.split('(').next()?.parse().ok())
        .collect();
    assert_eq!(
        ranks,
        vec![1, 2, 3, 4, 5, 5, 7, 8, 9, 10, 11],
        "{}",
        run.stdout
    );
    let tied: Vec<&&str> = rows.iter().filter(|l| l.contains("(并列)")).collect();
    assert_eq!(tied.len(), 2, "{}", run.stdout);
}

#[test]
fn score_json_has_the_documented_shape_and_exact_totals() {
    let dir = TempDir::new("json");
    let demo = demo_path();
    let json = dir.score_json(demo.to_str().unwrap());
    let list = units(&json);
    assert_eq!(list.len(), 11);
    let mut names: Vec<&str> = list.iter().map(|u| u["unit"].as_str().unwrap()).collect();
    names.sort();
    let mut expected = UNITS.to_vec();
    expected.sort();
    assert_eq!(names, expected);

    let mut previous: Option<(u64, Decimal)> = None;
    for u in list {
        let name = u["unit"].as_str().unwrap();
        let rank = u["rank"].as_u64().expect("rank is a number");
        let (base, bonus, total) = (dec(&u["base"]), dec(&u["bonus"]), dec(&u["total"]));
        assert!(u["grade"].is_null() || u["grade"].is_string(), "{name}");
        assert_eq!(total, base + bonus, "{name}: total = base + bonus");
        assert!(base <= Decimal::from(100), "{name}: base ≤ 100");
        if let Some((prev_rank, prev_total)) = previous {
            assert!(rank >= prev_rank && total <= prev_total, "ranked order");
            assert_eq!(rank == prev_rank, total == prev_total, "ties share a rank");
        } else {
            assert_eq!(rank, 1);
        }
        previous = Some((rank, total));

        let items = u["items"].as_array().expect("items is an array");
        let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ITEM_IDS, "{name}");
        let mut sum = Decimal::ZERO;
        for i in items {
            let id = i["id"].as_str().unwrap();
            let score = dec(&i["score"]);
            sum += score;
            let explanation: Vec<&str> = i["explanation"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} {id}: explanation is an array"))
                .iter()
                .map(|e| e.as_str().expect("explanation lines are strings"))
                .collect();
            let missing = i["missing"].as_array().expect("missing is an array");
            assert!(missing.iter().all(Value::is_string), "{name} {id}");
            assert!(!explanation.is_empty(), "{name} {id}: no explanation");
            match &i["points"] {
                Value::Null => assert!(id.starts_with("innovation."), "{id} has points"),
                p => {
                    let points = dec(p);
                    assert!(
                        score >= Decimal::ZERO && score <= points,
                        "{name} {id}: 0 ≤ {score} ≤ {points}"
                    );
                    if score < points {
                        assert!(
                            explanation.iter().any(|e| e.contains('→')),
                            "{name} {id} lost {} points without an arrow: {explanation:?}",
                            points - score
                        );
                    }
                }
            }
        }
        assert_eq!(sum, base + bonus, "{name}: item scores add up to the total");
    }
}

/// The compact JSON has the same scores, totals and ranks without the explanations; the
/// CSV (for Excel and WPS) has the same ranking, a row per unit, and a byte-order mark.
#[test]
fn score_compact_json_and_csv_agree_with_the_full_json() {
    let dir = TempDir::new("compact_csv");
    let demo = demo_path();
    let demo = demo.to_str().unwrap();
    let full = dir.score_json(demo);
    let compact = dir.score(demo, &["--json", "--compact"]).ok().json();
    assert_eq!(totals(&full), totals(&compact));
    assert_eq!(compact["rubric"], full["rubric"]);
    let first = &units(&compact)[0]["items"][0];
    assert!(first.get("explanation").is_none() && first.get("missing").is_none());
    assert!(units(&full)[0]["items"][0].get("explanation").is_some());

    let csv = dir.score(demo, &["--csv"]).ok().stdout;
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 12, "a header and eleven units");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&header[..2], ["排名", "单位"]);
    let total_col = header.iter().position(|h| *h == "总分").unwrap();
    for (line, u) in lines[1..].iter().zip(units(&full)) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[1], u["unit"].as_str().unwrap());
        assert_eq!(
            dec(&Value::String(cells[total_col].into())),
            dec(&u["total"])
        );
        assert!(cells[0].starts_with(&u["rank"].to_string()), "{line}");
    }
}

/// `kaohe score --gaps UNIT`: each improvement with its gain (computed alone, best
/// first), in words and the official numbering; what to provide; a wrong name refused.
#[test]
fn score_gaps_lists_what_would_raise_a_units_total() {
    let dir = TempDir::new("gaps");
    let demo = demo_path();
    let run = dir
        .score(demo.to_str().unwrap(), &["--gaps", "春晓街道"])
        .ok();
    let out = &run.stdout;
    assert!(out.starts_with("春晓街道　第 10 名"), "{out}");
    assert!(
        out.contains("最能提分的改进（每条单独计算，不能相加）"),
        "{out}"
    );
    assert!(
        out.contains("管理工作第5项 网格化管理和信息登记：信息登记率从 94.9%提高到 95% → +4 分"),
        "{out}"
    );
    assert!(out.contains("补填“一类疫苗接种率”"), "{out}");
    assert!(
        !out.contains("basic.") && !out.contains("management."),
        "no codes: {out}"
    );
    // Best first.
    let gains: Vec<u32> = out
        .lines()
        .filter_map(|l| l.split(" → +").nth(1))
        .map(|t| t.trim_end_matches(" 分").parse().unwrap())
        .collect();
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
    let bad = dir.score(demo.to_str().unwrap(), &["--gaps", "春晓"]);
    assert!(bad.stderr.contains("没有单位 “春晓”"), "{}", bad.stderr);
}

#[test]
fn score_detail_explains_every_item_of_a_unit() {
    let dir = TempDir::new("detail");
    let demo = demo_path();
    let json = dir.score_json(demo.to_str().unwrap());
    for name in ["新碶街道", "郭巨街道"] {
        let run = dir.score(demo.to_str().unwrap(), &["--detail", name]).ok();
        let u = unit(&json, name);
        let first = run.stdout.lines().next().unwrap();
        assert!(first.starts_with(name), "{first}");
        let summary = format!(
            "总分 {} = 基础分 {} + 加分 {}",
            u["total"].as_str().unwrap(),
            u["base"].as_str().unwrap(),
            u["bonus"].as_str().unwrap()
        );
        assert!(first.contains(&summary), "{first} should say {summary}");

        let lines: Vec<&str> = run.stdout.lines().collect();
        for id in ITEM_IDS {
            let at = lines
                .iter()
                .position(|l| l.split_whitespace().next() == Some(id))
                .unwrap_or_else(|| panic!("{name}: {id} not in --detail:\n{}", run.stdout));
            let score = u["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .unwrap()["score"]
                .as_str()
                .unwrap();
            assert!(
                lines[at].ends_with(&format!("得分 {score}"))
                    || lines[at].contains(&format!("得分 {score}　")),
                "{name}: {}",
                lines[at]
            );
            let explained = lines[at + 1..]
                .iter()
                .take_while(|l| l.starts_with("      "))
                .count();
            assert!(explained > 0, "{name}: {id} has no explanation lines");
        }
    }
    // 郭巨街道 loses points: the lines say how, with an arrow.
    let run = dir
        .score(demo.to_str().unwrap(), &["--detail", "郭巨街道"])
        .ok();
    assert!(run.stdout.contains('→'));
    assert!(run.stdout.contains("−"), "a deduction is shown as −N");
}

#[test]
fn score_detail_of_an_unknown_unit_fails_and_suggests_the_closest_name() {
    let dir = TempDir::new("detail_unknown");
    let demo = demo_path();
    dir.score(demo.to_str().unwrap(), &["--detail", "新碶"])
        .refused(&["新碶", "是否指 “新碶街道”"]);
    // With nothing close, the names in the file are listed.
    dir.score(demo.to_str().unwrap(), &["--detail", "北京市"])
        .refused(&["北京市", "新碶街道", "大榭街道"]);
}

// ───────────────────────────── CSV variants ─────────────────────────────

#[test]
fn csv_with_a_utf8_bom_scores_like_the_plain_file() {
    let dir = TempDir::new("bom");
    let demo = std::fs::read(demo_path()).unwrap();
    let expected = dir.score(demo_path().to_str().unwrap(), &["--json"]).ok();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&demo);
    dir.write("bom.csv", &bytes);
    let run = dir.score("bom.csv", &["--json"]).ok();
    assert_eq!(run.stdout, expected.stdout);

    // Also when the BOM stands right before the header (no comment lines).
    let mut csv = Csv::demo();
    csv.comments.clear();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(csv.text().as_bytes());
    dir.write("bom-header.csv", &bytes);
    let run = dir.score("bom-header.csv", &["--json"]).ok();
    assert_eq!(run.stdout, expected.stdout);
}

#[test]
fn gbk_csv_with_a_chinese_header_scores_like_the_utf8_file() {
    let dir = TempDir::new("gbk");
    let expected = dir.score(demo_path().to_str().unwrap(), &["--json"]).ok();
    let mut csv = Csv::demo();
    csv.header[0] = "单位".to_string();
    let text = csv.text();
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the demo CSV is all GBK characters");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the GBK bytes are not UTF-8"
    );
    dir.write("gbk.csv", &bytes);
    let run = dir.score("gbk.csv", &["--json"]).ok();
    assert_eq!(run.stdout, expected.stdout);
    let run = dir.score("gbk.csv", &["--detail", "新碶街道"]).ok();
    assert!(run.stdout.starts_with("新碶街道"));
}

#[test]
fn yes_and_no_may_be_written_as_shi_fou_true_false_or_1_0() {
    let dir = TempDir::new("bools");
    // The demo must have both answers for this to mean anything.
    assert!(Csv::demo().rows.iter().flatten().any(|c| c == "否"));
    let expected = dir
        .score(demo_path().to_str().unwrap(), &["--json"])
        .ok()
        .stdout;
    for (yes, no) in [("true", "false"), ("1", "0"), ("TRUE", "FALSE")] {
        let mut variant = Csv::demo();
        variant.map_cells(|_, c| match c {
            "是" => yes.to_string(),
            "否" => no.to_string(),
            _ => c.to_string(),
        });
        let name = format!("bools-{yes}.csv");
        dir.write(&name, variant.text());
        let run = dir.score(&name, &["--json"]).ok();
        assert_eq!(run.stdout, expected, "{yes}/{no} reads as 是/否");
    }
}

#[test]
fn a_percent_may_be_written_with_or_without_the_percent_sign() {
    let dir = TempDir::new("percent");
    let expected = dir.score(demo_path().to_str().unwrap(), &["--json"]).ok();
    let mut csv = Csv::demo();
    // 大碶街道 sits exactly on the 95% line: 95 and 95% both meet it.
    assert_eq!(csv.get("大碶街道", "management.5.registration_rate"), "95");
    csv.map_cells(|key, c| {
        if PERCENT_KEYS.contains(&key) && !c.is_empty() {
            format!("{c}%")
        } else {
            c.to_string()
        }
    });
    assert_eq!(csv.get("大碶街道", "management.5.registration_rate"), "95%");
    dir.write("percent.csv", csv.text());
    let run = dir.score("percent.csv", &["--json"]).ok();
    assert_eq!(run.stdout, expected.stdout);
    let json = run.json();
    assert_eq!(item(unit(&json, "大碶街道"), "management.5")["score"], "7");
}

#[test]
fn an_empty_cell_is_a_fact_not_provided_and_is_listed_as_missing() {
    let dir = TempDir::new("empty_cell");
    let mut csv = Csv::demo();
    // The demo leaves one cell empty on purpose; fill it so this test's gap is the only one.
    assert_eq!(csv.get("春晓街道", "service.5.vaccination_rate"), "");
    csv.set("春晓街道", "service.5.vaccination_rate", "86.5");
    csv.set("新碶街道", "management.5.registration_rate", "");
    dir.write("facts.csv", csv.text());

    let json = dir.score_json("facts.csv");
    let u = unit(&json, "新碶街道");
    let m5 = item(u, "management.5");
    assert_eq!(
        m5["missing"],
        serde_json::json!(["management.5.registration_rate"])
    );
    assert_eq!(m5["score"], "3", "not provided reads as not met: 7 − 4");
    let others_missing: usize = units(&json)
        .iter()
        .flat_map(|u| u["items"].as_array().unwrap())
        .map(|i| i["missing"].as_array().unwrap().len())
        .sum();
    assert_eq!(others_missing, 1, "only that one fact is missing");

    // The ranking shows the count in the 缺项 column and says what it means.
    let run = dir.score("facts.csv", &[]).ok();
    let header = run.stdout.lines().find(|l| l.contains("排名")).unwrap();
    assert!(header.trim_end().ends_with("缺项"), "{header}");
    let row = run.stdout.lines().find(|l| l.contains("新碶街道")).unwrap();
    assert_eq!(row.split_whitespace().last(), Some("1"), "{row}");
    let full = run.stdout.lines().find(|l| l.contains("小港街道")).unwrap();
    assert_ne!(full.split_whitespace().last(), Some("1"), "{full}");
    assert!(run.stdout.contains("缺项：1 个单位"), "{}", run.stdout);

    // --detail names the missing fact under its item.
    let run = dir.score("facts.csv", &["--detail", "新碶街道"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.split_whitespace().next() == Some("management.5"))
        .unwrap();
    let block: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.starts_with("      "))
        .copied()
        .collect();
    assert!(
        block
            .iter()
            .any(|l| l.contains("缺项") && l.contains("management.5.registration_rate")),
        "{block:?}"
    );
    assert!(block.iter().any(|l| l.contains("→ −4")), "{block:?}");
}

// ───────────────────────────── TOML and JSON facts ─────────────────────────────

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A cell as a TOML or JSON value would naturally hold it: 是/否 as booleans, numbers
/// as numbers, everything else as text.
enum Cell {
    Bool(bool),
    Number(String),
    Text(String),
}

fn cell(c: &str) -> Cell {
    match c {
        "是" => Cell::Bool(true),
        "否" => Cell::Bool(false),
        _ if !c.ends_with('.') && c.parse::<f64>().is_ok() && !c.starts_with('+') => {
            Cell::Number(c.to_string())
        }
        _ => Cell::Text(c.to_string()),
    }
}

#[test]
fn a_toml_facts_file_scores_like_the_equivalent_csv() {
    let dir = TempDir::new("toml");
    let expected = totals(&dir.score_json(demo_path().to_str().unwrap()));
    let mut toml = String::from("# 演示数据：所有数字均为虚构。\n");
    for (unit, facts) in Csv::demo().units() {
        toml.push_str(&format!("\n[units.{}]\n", toml_string(&unit)));
        for (key, c) in facts {
            let value = match cell(&c) {
                Cell::Bool(b) => b.to_string(),
                Cell::Number(n) => n,
                Cell::Text(t) => toml_string(&t),
            };
            toml.push_str(&format!("{} = {value}\n", toml_string(&key)));
        }
    }
    assert!(toml.contains(
        "[units.\"新碶街道\"]\n\"floating_population\" = 98200\n\"basic.1.misses\" = 0\n"
    ));
    dir.write("facts.toml", &toml);
    assert_eq!(totals(&dir.score_json("facts.toml")), expected);

    // Values written as strings read the same as typed values.
    let mut strings = String::new();
    for (unit, facts) in Csv::demo().units() {
        strings.push_str(&format!("[units.{}]\n", toml_string(&unit)));
        for (key, c) in facts {
            strings.push_str(&format!("{} = {}\n", toml_string(&key), toml_string(&c)));
        }
    }
    dir.write("strings.toml", &strings);
    assert_eq!(totals(&dir.score_json("strings.toml")), expected);
}

#[test]
fn a_json_facts_file_scores_like_the_equivalent_csv() {
    let dir = TempDir::new("json_facts");
    let expected = totals(&dir.score_json(demo_path().to_str().unwrap()));
    let mut map = serde_json::Map::new();
    let mut list = Vec::new();
    for (unit, facts) in Csv::demo().units() {
        let mut obj = serde_json::Map::new();
        for (key, c) in facts {
            let value = match cell(&c) {
                Cell::Bool(b) => Value::Bool(b),
                Cell::Number(n) => serde_json::from_str(&n).unwrap(),
                Cell::Text(t) => Value::String(t),
            };
            obj.insert(key, value);
        }
        let mut entry = serde_json::Map::new();
        entry.insert("unit".into(), Value::String(unit.clone()));
        entry.extend(obj.clone());
        list.push(Value::Object(entry));
        map.insert(unit, Value::Object(obj));
    }
    let by_name = serde_json::json!({ "units": map });
    dir.write(
        "facts.json",
        serde_json::to_string_pretty(&by_name).unwrap(),
    );
    assert_eq!(totals(&dir.score_json("facts.json")), expected);

    // The list form, {"units": [{"unit": …, …}]}, reads the same.
    let as_list = serde_json::json!({ "units": list });
    dir.write("list.json", serde_json::to_string(&as_list).unwrap());
    assert_eq!(totals(&dir.score_json("list.json")), expected);
}

// ───────────────────────────── errors ─────────────────────────────

#[test]
fn an_unknown_column_is_refused_with_the_closest_key_suggested() {
    let dir = TempDir::new("unknown_column");
    let mut csv = Csv::demo();
    let c = csv.col("basic.1.misses");
    csv.header[c] = "basic.1.mises".to_string();
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[]).refused(&[
        "facts.csv",
        "第 1 行第 3 列",
        "“basic.1.mises”",
        "是否指 “basic.1.misses”",
    ]);
    // The same in a TOML facts file.
    dir.write(
        "facts.toml",
        "[units.\"新碶街道\"]\nfloating_population = 98200\n\"basic.1.mises\" = 2\n",
    );
    dir.score("facts.toml", &[])
        .refused(&["新碶街道", "basic.1.mises", "是否指 “basic.1.misses”"]);
}

#[test]
fn a_bare_fraction_for_a_percent_is_refused_with_a_question() {
    let dir = TempDir::new("bare_fraction");
    let mut csv = Csv::demo();
    csv.set("新碶街道", "management.5.registration_rate", "0.95");
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[]).refused(&[
        "第 4 行",
        "新碶街道",
        "management.5.registration_rate",
        "“0.95”",
        "是否指 95%",
    ]);
    // 0.95% with the sign is what it says, and accepted.
    csv.set("新碶街道", "management.5.registration_rate", "0.95%");
    dir.write("facts.csv", csv.text());
    let json = dir.score_json("facts.csv");
    assert_eq!(item(unit(&json, "新碶街道"), "management.5")["score"], "3");
}

#[test]
fn a_non_number_in_a_count_column_is_refused() {
    let dir = TempDir::new("not_a_count");
    for bad in ["两次", "1.5", "-1"] {
        let mut csv = Csv::demo();
        csv.set("小港街道", "basic.1.misses", bad);
        dir.write("facts.csv", csv.text());
        dir.score("facts.csv", &[]).refused(&[
            "第 5 行",
            "小港街道",
            "basic.1.misses",
            &format!("“{bad}”"),
        ]);
    }
}

#[test]
fn a_discretionary_amount_out_of_bound_is_refused_not_clamped() {
    let dir = TempDir::new("discretionary_bound");
    // management.7 allows 0 to 4; innovation.2 (a bonus) 0 to 5.
    for (key, amount, bound) in [
        ("management.7", "5", "0 到 4"),
        ("management.7", "-1", ""),
        ("innovation.2", "6", "0 到 5"),
    ] {
        let mut csv = Csv::demo();
        csv.set("新碶街道", &format!("{key}.discretionary"), amount)
            .set("新碶街道", &format!("{key}.discretionary_reason"), "测试");
        dir.write("facts.csv", csv.text());
        dir.score("facts.csv", &["--json"]).refused(&[
            "第 4 行",
            "新碶街道",
            &format!("{key}.discretionary"),
            &format!("“{amount}”"),
            bound,
        ]);
    }
    // The bound itself is accepted.
    let mut csv = Csv::demo();
    csv.set("新碶街道", "management.7.discretionary", "4").set(
        "新碶街道",
        "management.7.discretionary_reason",
        "测试",
    );
    dir.write("facts.csv", csv.text());
    let json = dir.score_json("facts.csv");
    assert_eq!(item(unit(&json, "新碶街道"), "management.7")["score"], "0");
}

#[test]
fn a_discretionary_amount_without_a_reason_is_refused() {
    let dir = TempDir::new("discretionary_reason");
    let mut csv = Csv::demo();
    csv.set("新碶街道", "management.7.discretionary", "2");
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[]).refused(&[
        "第 4 行",
        "新碶街道",
        "management.7.discretionary",
        "management.7.discretionary_reason",
    ]);
    // An amount of 0 needs no reason.
    csv.set("新碶街道", "management.7.discretionary", "0");
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[]).ok();
}

#[test]
fn a_floating_population_of_zero_or_missing_is_refused() {
    let dir = TempDir::new("floating_population");
    for value in ["0", ""] {
        let mut csv = Csv::demo();
        csv.set("霞浦街道", "floating_population", value);
        dir.write("facts.csv", csv.text());
        dir.score("facts.csv", &[])
            .refused(&["第 7 行", "霞浦街道", "floating_population"]);
    }
    // A column left out altogether is the same as every cell empty.
    let mut csv = Csv::demo();
    let c = csv.col("floating_population");
    csv.header.remove(c);
    for r in &mut csv.rows {
        r.remove(c);
    }
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[])
        .refused(&["新碶街道", "floating_population"]);
}

#[test]
fn a_unit_twice_is_refused() {
    let dir = TempDir::new("duplicate_unit");
    let mut csv = Csv::demo();
    csv.rows[1][0] = "新碶街道".to_string();
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[])
        .refused(&["第 5 行", "新碶街道", "重复", "第 4 行"]);
}

#[test]
fn a_row_with_the_wrong_number_of_columns_is_refused() {
    let dir = TempDir::new("row_length");
    let mut csv = Csv::demo();
    let columns = csv.header.len();
    csv.rows[1].push("1".to_string());
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[]).refused(&[
        "第 5 行",
        &format!("{} 列", columns + 1),
        &format!("{columns} 列"),
    ]);
    let mut csv = Csv::demo();
    csv.rows[2].pop();
    dir.write("facts.csv", csv.text());
    dir.score("facts.csv", &[])
        .refused(&["第 6 行", &format!("{} 列", columns - 1)]);
}

#[test]
fn a_file_neither_utf8_nor_gbk_is_refused() {
    let dir = TempDir::new("bad_encoding");
    // Pseudo-random bytes, fixed seed; starts with an invalid UTF-8 sequence (no BOM)
    // and holds 0xFF, which no GBK sequence contains.
    let mut bytes = vec![0xC3, 0x28];
    let mut x: u32 = 0x1234_5678;
    for _ in 0..400 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    bytes.extend_from_slice(&[0xFF, 0x0A]);
    dir.write("facts.csv", &bytes);
    dir.score("facts.csv", &[])
        .refused(&["facts.csv", "UTF-8", "GBK"]);
}

#[test]
fn an_empty_facts_file_is_refused() {
    let dir = TempDir::new("empty_file");
    dir.write("empty.csv", "");
    dir.score("empty.csv", &[])
        .refused(&["empty.csv", "文件是空的"]);
    dir.write("bom-only.csv", "\u{feff}");
    dir.score("bom-only.csv", &[])
        .refused(&["bom-only.csv", "文件是空的"]);
    // A header and no rows is no data either.
    let mut csv = Csv::demo();
    csv.rows.clear();
    dir.write("header-only.csv", csv.text());
    dir.score("header-only.csv", &[])
        .refused(&["header-only.csv", "没有任何单位"]);
}

#[test]
fn a_missing_facts_file_is_refused() {
    let dir = TempDir::new("missing_facts");
    let run = dir.score("nope.csv", &[]);
    run.refused(&["找不到事实数据文件", "nope.csv", "请检查文件名"]);
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
}

#[test]
fn a_missing_rubric_file_is_refused() {
    let dir = TempDir::new("missing_rubric");
    let demo = demo_path();
    dir.run(&["score", "--rubric", "nope.toml", demo.to_str().unwrap()])
        .refused(&["找不到细则文件", "nope.toml"]);
    dir.run(&["rubric", "check", "nope.toml"])
        .refused(&["nope.toml"]);
    dir.run(&["rubric", "show", "nope.toml"])
        .refused(&["nope.toml"]);
}

// ───────────────────────────── determinism and rubric changes ─────────────────────────────

#[test]
fn scoring_the_same_files_twice_gives_identical_output() {
    let dir = TempDir::new("determinism");
    let demo = demo_path();
    let demo = demo.to_str().unwrap();
    for extra in [&[][..], &["--json"][..], &["--detail", "霞浦街道"][..]] {
        let a = dir.score(demo, extra).ok();
        let b = dir.score(demo, extra).ok();
        assert_eq!(a.stdout, b.stdout, "score {extra:?}");
        assert_eq!(a.stderr, b.stderr, "score {extra:?}");
    }
}

#[test]
fn raising_a_threshold_in_the_rubric_file_changes_the_score() {
    let dir = TempDir::new("threshold");
    let shipped = std::fs::read_to_string(rubric_path()).unwrap();
    let line = "{ input = \"registration_rate\", at_least = 95 },";
    assert_eq!(shipped.matches(line).count(), 1);
    let raised = shipped.replace(line, "{ input = \"registration_rate\", at_least = 97 },");
    dir.write("raised.toml", &raised);
    dir.run(&["rubric", "check", "raised.toml"]).ok();

    let mut csv = Csv::demo();
    csv.set("新碶街道", "management.5.registration_rate", "96%");
    dir.write("facts.csv", csv.text());

    let before = dir.score_json("facts.csv");
    let after = dir
        .run(&["score", "--rubric", "raised.toml", "facts.csv", "--json"])
        .ok()
        .json();
    assert_ne!(before["rubric"]["hash"], after["rubric"]["hash"]);

    let (b, a) = (unit(&before, "新碶街道"), unit(&after, "新碶街道"));
    let four = Decimal::from(4);
    let (m5_before, m5_after) = (
        dec(&item(b, "management.5")["score"]),
        dec(&item(a, "management.5")["score"]),
    );
    assert_eq!(m5_before - m5_after, four, "management.5 loses 4 points");
    assert_eq!(dec(&b["total"]) - dec(&a["total"]), four);
    let explanation = item(a, "management.5")["explanation"].to_string();
    assert!(explanation.contains("96% < 97%"), "{explanation}");
    // Nothing else moves.
    for id in ITEM_IDS.iter().filter(|id| **id != "management.5") {
        assert_eq!(item(b, id)["score"], item(a, id)["score"], "{id}");
    }
}

#[test]
fn a_mistyped_unit_name_in_detail_gets_the_closest_name() {
    let dir = TempDir::new("mistyped_unit");
    let demo = demo_path();
    let demo = demo.to_str().unwrap();
    let rubric = rubric_path();
    let rubric = rubric.to_str().unwrap();
    dir.run(&["score", "--rubric", rubric, demo, "--detail", "新契街道"])
        .refused(&["新契街道", "是否指 “新碶街道”"]);
    let empty = dir.run(&["score", "--rubric", rubric, demo, "--detail", ""]);
    empty.refused(&["文件里的单位"]);
}

#[test]
fn a_refused_floating_population_is_reported_once() {
    let dir = TempDir::new("fp_once");
    let mut csv = Csv::demo();
    csv.set("新碶街道", "floating_population", "0");
    dir.write("facts.csv", csv.text());
    let run = dir.score("facts.csv", &[]);
    run.refused(&["floating_population", "“0”"]);
    assert!(!run.stderr.contains("缺少单位基础数据"), "{}", run.stderr);
}

/// `kaohe score --rubric NEW --compare OLD FACTS`: the demo's facts under the 2027 draft
/// (信息登记率 95% → 97%, a new bonus item): each unit's totals and ranks side by side,
/// the item that moved, the new fact the data lacks.
#[test]
fn score_compare_shows_what_a_draft_rubric_would_change() {
    let dir = TempDir::new("compare");
    let demo = demo_path();
    let repo = demo.parent().unwrap().parent().unwrap();
    let draft = repo.join("rubrics/beilun-2027-draft.toml");
    let current = repo.join("rubrics/beilun-2026.toml");
    let run = dir
        .run(&[
            "score",
            "--rubric",
            draft.to_str().unwrap(),
            "--compare",
            current.to_str().unwrap(),
            demo.to_str().unwrap(),
        ])
        .ok();
    let out = &run.stdout;
    assert!(
        out.contains("（2026 年度）与新") && out.contains("（2027 年度）"),
        "{out}"
    );
    // 大榭街道's 信息登记率 is below 97%: −4 under the draft.
    let daxie = out.lines().find(|l| l.contains("大榭街道")).unwrap();
    let cells: Vec<&str> = daxie.split_whitespace().collect();
    assert_eq!(
        &cells[..7],
        &["大榭街道", "101", "2", "97", "2", "−4", "—"],
        "{daxie}"
    );
    assert!(out.contains("↓1"), "some unit moves: {out}");
    assert!(
        out.contains("管理工作第5项 网格化管理和信息登记：−22"),
        "{out}"
    );
    assert!(
        out.contains("创新工作第3项 e乡北仑平台推广（新增项目）"),
        "{out}"
    );
    assert!(out.contains("平台推广活动（数据里没有）"), "{out}");
}

/// A draft imported from the annex has keys of its own: the compare lists the facts it
/// lacks with the likely counterpart and prints the suggested mapping as a file to
/// check; `--map` with that file carries them; a wrong row is refused by its line.
#[test]
fn score_compare_takes_a_mapping_file_for_an_imported_draft() {
    let dir = TempDir::new("compare-map");
    let demo = demo_path();
    let repo = demo.parent().unwrap().parent().unwrap();
    let annex = repo.join("rubrics/source/beilun-2027-draft-annex.txt");
    let draft = dir.0.join("draft.toml");
    dir.run(&[
        "rubric",
        "import",
        annex.to_str().unwrap(),
        "-o",
        draft.to_str().unwrap(),
    ])
    .ok();
    let current = repo.join("rubrics/beilun-2026.toml");
    let compare = |extra: &[&str]| {
        let mut args = vec![
            "score",
            "--rubric",
            draft.to_str().unwrap(),
            "--compare",
            current.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(demo.to_str().unwrap());
        dir.run(&args)
    };
    let run = compare(&[]).ok();
    let out = &run.stdout;
    assert!(
        out.contains("信息登记率（数据里没有；可能对应现行细则的“信息登记率”）"),
        "{out}"
    );
    let suggested: Vec<&str> = out
        .split("往年没有的留空）：\n")
        .nth(1)
        .expect("the suggested mapping")
        .lines()
        .collect();
    assert!(
        suggested.contains(&"glgz.5.xxdjl,management.5.registration_rate"),
        "{suggested:?}"
    );
    let mut file = String::from("新细则的数据代码,现行细则的数据代码\n");
    for line in &suggested {
        file.push_str(line);
        file.push('\n');
    }
    file.push_str("cxgz.3.kztghd,\n");
    let map = dir.write("map.csv", &file);
    let run = compare(&["--map", map.to_str().unwrap()]).ok();
    let out = &run.stdout;
    assert!(out.contains("开展推广活动（新增数据，往年没有）"), "{out}");
    assert!(
        !out.contains("可能对应"),
        "every suggestion is taken: {out}"
    );
    // The draft's 97% moves 管理工作第5项 once the rate is carried.
    assert!(out.contains("管理工作第5项："), "{out}");

    let bad = dir.write(
        "bad.csv",
        "glgz.5.xxdjl,basic.1.misses\nglgz.9.nope,basic.1.misses\n",
    );
    compare(&["--map", bad.to_str().unwrap()]).refused(&[
        "数据对应文件",
        "第 1 行：“信息登记率”与“未落实次数”类型不同",
        "第 2 行：新细则里没有数据代码“glgz.9.nope”",
    ]);
}
