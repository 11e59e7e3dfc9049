//! Every class of mistake in a rubric file is refused with `file:line: message`, where
//! the line is the line of the mistake and the message says what is wrong.
//!
//! Each bad rubric is written out in full: a minimal valid rubric with one defect. The
//! defective line carries the comment `# ←`, and the helpers check that the expected
//! line number is that line, so a reader can trust the numbers below.

use kaohe_core::Rubric;

const FILE: &str = "bad.toml";
const MARK: &str = "# ←";

/// The base every test below starts from; it must load.
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

/// The problems of a source that must be refused, one `file:line: message` a line.
fn problems(src: &str) -> Vec<String> {
    match Rubric::from_toml(src, FILE) {
        Ok(_) => panic!("this rubric should be refused:\n{src}"),
        Err(e) => e.to_string().lines().map(str::to_string).collect(),
    }
}

#[track_caller]
fn check_mark(src: &str, line: usize) {
    let marked: Vec<usize> = src
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(MARK))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        marked,
        [line],
        "the test's expected line must be the one marked {MARK}"
    );
}

#[track_caller]
fn matches(problem: &str, line: usize, parts: &[&str]) -> bool {
    let prefix = format!("{FILE}:{line}: ");
    problem.starts_with(&prefix) && parts.iter().all(|p| problem.contains(p))
}

/// The defect is the only problem: exactly one line, at `line`, containing every part.
#[track_caller]
fn only(src: &str, line: usize, parts: &[&str]) -> String {
    check_mark(src, line);
    let found = problems(src);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one problem at line {line}, got:\n{}",
        found.join("\n")
    );
    assert!(
        matches(&found[0], line, parts),
        "expected `{FILE}:{line}: …{}…`, got:\n{}",
        parts.join("…"),
        found[0]
    );
    found.into_iter().next().unwrap()
}

/// The defect is among the problems reported (for defects with a follow-on problem).
#[track_caller]
fn among(src: &str, line: usize, parts: &[&str]) -> Vec<String> {
    check_mark(src, line);
    let found = problems(src);
    assert!(
        found.iter().any(|p| matches(p, line, parts)),
        "expected a problem `{FILE}:{line}: …{}…`, got:\n{}",
        parts.join("…"),
        found.join("\n")
    );
    found
}

#[test]
fn the_minimal_base_rubric_loads() {
    let r = Rubric::from_toml(MINIMAL, FILE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.items().len(), 1);
}

// ───────────────────────────── TOML and fields ─────────────────────────────

#[test]
fn toml_syntax_error() {
    only(
        r#"[rubric]
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
criteria = "未落实的每次扣1分。 # ←
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        14,
        &["TOML 格式错误", "string"],
    );
}

#[test]
fn toml_duplicate_key() {
    only(
        r#"[rubric]
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
points = 8 # ←
criteria = "未落实的每次扣1分。"
rules = [
  { kind = "discretionary" },
]
"#,
        14,
        &["TOML 格式错误", "duplicate key"],
    );
}

#[test]
fn unknown_field_typo() {
    let p = only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
ponts = 10 # ←
criteria = "未落实的每次扣1分。"
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        13,
        &["未知字段 ponts"],
    );
    // The message suggests the intended field and lists the allowed ones.
    assert!(p.contains("是否指 points？"), "{p}");
    assert!(p.contains("criteria"), "{p}");
}

#[test]
fn unknown_field_in_a_rule() {
    only(
        r#"[rubric]
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
  { kind = "per_count", inpt = "misses", each = 1 }, # ←
]
"#,
        19,
        &["未知字段 inpt", "是否指 input？"],
    );
}

#[test]
fn missing_field_item_without_criteria() {
    // serde names the table that lacks the field: the item's header.
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]] # ←
id = "a.1"
points = 10
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        11,
        &["缺少字段 criteria"],
    );
}

#[test]
fn missing_field_rule_without_kind() {
    only(
        r#"[rubric]
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
  { input = "misses", each = 1 }, # ←
]
"#,
        19,
        &["缺少字段 kind"],
    );
}

#[test]
fn a_number_that_is_not_a_number() {
    only(
        r#"[rubric]
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
  { kind = "per_count", input = "misses", each = "一" }, # ←
]
"#,
        19,
        &["each 应为数字", "\"一\""],
    );
}

#[test]
fn a_number_that_must_be_positive() {
    only(
        r#"[rubric]
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
  { kind = "per_count", input = "misses", each = 0 }, # ←
]
"#,
        19,
        &["each 应大于 0，现为 0"],
    );
}

// ───────────────────────────── rules ─────────────────────────────

#[test]
fn unknown_rule_kind_with_suggestion() {
    only(
        r#"[rubric]
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
  { kind = "per_cont", input = "misses", each = 1 }, # ←
]
"#,
        19,
        &[
            "项目 a.1 的规则种类 \"per_cont\" 未知",
            "是否指 \"per_count\"？",
            "可用：per_count, checks, shortfall, below, award, tiered, discretionary, indicator, veto",
        ],
    );
}

#[test]
fn a_rule_field_its_kind_does_not_use() {
    only(
        r#"[rubric]
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
criteria = "未落实的扣5分。"
inputs = [
  { key = "done", label = "开展工作", type = "bool" },
]
rules = [
  { kind = "checks", each = 5, cap = 5, checks = [{ input = "done" }] }, # ←
]
"#,
        19,
        &[
            "checks 规则不用字段 cap",
            "checks 可用：checks, each, apply",
        ],
    );
}

#[test]
fn a_rule_missing_a_field_it_needs() {
    only(
        r#"[rubric]
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
  { kind = "per_count", input = "misses" }, # ←
]
"#,
        19,
        &["项目 a.1 的 per_count 规则缺少 each"],
    );
}

#[test]
fn a_bonus_per_count_without_max() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "创新工作"
kind = "bonus"

[[categories.items]]
id = "b.1"
criteria = "每次加1分，最多3分。"
inputs = [
  { key = "cases", label = "经验推广", type = "count" },
]
rules = [
  { kind = "per_count", input = "cases", each = 1 }, # ←
]
"#,
        17,
        &["项目 b.1 的 per_count 规则缺少 max"],
    );
}

#[test]
fn a_rule_referencing_an_undeclared_input() {
    only(
        r#"[rubric]
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
  { kind = "per_count", input = "mises", each = 1 }, # ←
]
"#,
        19,
        &["项目 a.1 的规则引用了未声明的输入 mises", "是否指 misses？"],
    );
}

#[test]
fn a_ratio_naming_a_misspelt_unit_fact() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[unit_facts]]
key = "population"
label = "人口数"
type = "count"
min = 1

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "会员数达10%以上，未达标的扣10分。"
inputs = [
  { key = "members", label = "会员数", type = "count" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { ratio = ["members", "populaton"], at_least = 10 }, # ←
  ] },
]
"#,
        26,
        &["未声明的输入 populaton", "是否指 population？"],
    );
}

#[test]
fn a_rule_input_of_the_wrong_type() {
    only(
        r#"[rubric]
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
criteria = "培训2次以上，每少一次扣2分。"
inputs = [
  { key = "rate", label = "参训率", type = "percent" },
]
rules = [
  { kind = "shortfall", input = "rate", required = 2, each = 2 }, # ←
]
"#,
        19,
        &["输入 a.1.rate 是 percent，这里需要 count"],
    );
}

// ───────────────────────────── checks ─────────────────────────────

#[test]
fn a_ratio_with_one_name_only() {
    only(
        r#"[rubric]
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
criteria = "会员数达10%以上，未达标的扣10分。"
inputs = [
  { key = "members", label = "会员数", type = "count" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { ratio = ["members"], at_least = 10 }, # ←
  ] },
]
"#,
        20,
        &["比例检查需要分子和分母两个输入，现有 1 个"],
    );
}

#[test]
fn a_ratio_without_threshold() {
    only(
        r#"[rubric]
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
criteria = "骨干会员达30%以上，未达标的扣10分。"
inputs = [
  { key = "members", label = "会员数", type = "count" },
  { key = "core", label = "骨干会员数", type = "count" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { ratio = ["core", "members"] }, # ←
  ] },
]
"#,
        21,
        &["比例检查需要 at_least"],
    );
}

#[test]
fn a_bool_check_with_a_threshold() {
    only(
        r#"[rubric]
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
criteria = "未开展的扣10分。"
inputs = [
  { key = "done", label = "开展工作", type = "bool" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "done", at_least = 1 }, # ←
  ] },
]
"#,
        20,
        &["a.1.done 是是/否输入，不设阈值"],
    );
}

#[test]
fn a_numeric_check_without_threshold() {
    only(
        r#"[rubric]
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
criteria = "登记率95%以上，未达到的扣10分。"
inputs = [
  { key = "rate", label = "登记率", type = "percent" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "rate" }, # ←
  ] },
]
"#,
        20,
        &["a.1.rate 是数值输入，检查需要 at_least = … 或 at_most = …"],
    );
}

#[test]
fn a_percent_threshold_above_100() {
    only(
        r#"[rubric]
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
criteria = "登记率95%以上，未达到的扣10分。"
inputs = [
  { key = "rate", label = "登记率", type = "percent" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "rate", at_least = 950 }, # ←
  ] },
]
"#,
        20,
        &["百分比阈值 950 超过 100"],
    );
}

#[test]
fn a_negative_threshold() {
    only(
        r#"[rubric]
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
criteria = "隐患不超过2处，超过的扣10分。"
inputs = [
  { key = "hazards", label = "未整改隐患", type = "count" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "hazards", at_most = -2 }, # ←
  ] },
]
"#,
        20,
        &["阈值 -2 不能为负"],
    );
}

#[test]
fn a_check_with_both_at_least_and_at_most() {
    only(
        r#"[rubric]
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
criteria = "登记率95%以上，未达到的扣10分。"
inputs = [
  { key = "rate", label = "登记率", type = "percent" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "rate", at_least = 95, at_most = 100 }, # ←
  ] },
]
"#,
        20,
        &["一项检查只能有 at_least 或 at_most 之一"],
    );
}

#[test]
fn a_check_of_a_text_input() {
    only(
        r#"[rubric]
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
criteria = "未说明的扣10分。"
inputs = [
  { key = "remark", label = "说明", type = "text" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { input = "remark" }, # ←
  ] },
]
"#,
        20,
        &["a.1.remark 是文字输入，不能作为检查"],
    );
}

#[test]
fn a_check_with_neither_input_nor_ratio() {
    only(
        r#"[rubric]
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
criteria = "登记率95%以上，未达到的扣10分。"
inputs = [
  { key = "rate", label = "登记率", type = "percent" },
]
rules = [
  { kind = "checks", each = 10, checks = [
    { at_least = 95 }, # ←
  ] },
]
"#,
        20,
        &["检查需要 input = \"…\"", "ratio = [\"分子\", \"分母\"]"],
    );
}

#[test]
fn a_rule_that_needs_checks_without_any() {
    only(
        r#"[rubric]
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
criteria = "发生重大事故的一票否决。"
inputs = [
  { key = "incidents", label = "重大事故", type = "count" },
]
rules = [
  { kind = "veto", effect = "veto" }, # ←
]
"#,
        19,
        &["项目 a.1 的 veto 规则缺少 checks"],
    );
}

#[test]
fn unknown_apply_value() {
    only(
        r#"[rubric]
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
criteria = "未开展的扣5分。"
inputs = [
  { key = "done", label = "开展工作", type = "bool" },
]
rules = [
  { kind = "checks", each = 5, apply = "any", checks = [{ input = "done" }] }, # ←
]
"#,
        19,
        &["apply = \"any\" 未知", "\"each\"", "\"once\""],
    );
}

#[test]
fn unknown_effect_value() {
    only(
        r#"[rubric]
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
criteria = "发生重大事故的一票否决。"
inputs = [
  { key = "incidents", label = "重大事故", type = "count" },
]
rules = [
  { kind = "veto", effect = "fail", checks = [{ input = "incidents", at_most = 0 }] }, # ←
]
"#,
        19,
        &["effect = \"fail\" 未知", "\"veto\"", "\"downgrade\""],
    );
}

#[test]
fn unknown_direction_value() {
    only(
        r#"[rubric]
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
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary", direction = "minus" }, # ←
]
"#,
        16,
        &["direction = \"minus\" 未知", "\"deduct\"", "\"add\""],
    );
}

// ───────────────────────────── discretionary ─────────────────────────────

#[test]
fn a_discretionary_deduction_bound_above_the_item_points() {
    only(
        r#"[rubric]
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
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary", max = 12 }, # ←
]
"#,
        16,
        &["项目 a.1 的酌情扣分上限 12 超过项目分值 10"],
    );
}

#[test]
fn a_bonus_discretionary_add_without_max() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "创新工作"
kind = "bonus"

[[categories.items]]
id = "b.1"
criteria = "经验推广的适当加分。"
rules = [
  { kind = "discretionary" }, # ←
]
"#,
        14,
        &["项目 b.1 的适当加分需要上限", "max = …"],
    );
}

// ───────────────────────────── sums ─────────────────────────────

#[test]
fn category_points_that_do_not_add_up_to_its_items() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10 # ←

[[categories.items]]
id = "a.1"
points = 6
criteria = "未落实的每次扣1分。"
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]

[[categories.items]]
id = "a.2"
points = 3
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        9,
        &[
            "类别 a 的分值 10 与其项目分值之和 9 不符",
            "（a.1 6 + a.2 3）",
        ],
    );
}

#[test]
fn a_rubric_total_that_does_not_match_the_categories() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 100 # ←

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
"#,
        4,
        &["rubric.total = 100 与基础类别分值之和 10 不符"],
    );
}

// ───────────────────────────── duplicates ─────────────────────────────

#[test]
fn duplicate_item_id() {
    // The second item's inputs collide too (a.1.misses); the item id is the first problem.
    let found = among(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 20

[[categories]]
id = "a"
name = "基础工作"
points = 20

[[categories.items]]
id = "a.1"
points = 10
criteria = "未落实的每次扣1分。"
rules = [
  { kind = "discretionary" },
]

[[categories.items]]
id = "a.1" # ←
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary", max = 5 },
]
"#,
        20,
        &["项目 id a.1 重复（第 12 行已有）"],
    );
    assert!(
        found[0].starts_with("bad.toml:20: 项目 id a.1 重复"),
        "{found:?}"
    );
}

#[test]
fn duplicate_category_id() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 20

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]

[[categories]]
id = "a" # ←
name = "管理工作"
points = 10

[[categories.items]]
id = "a.2"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        20,
        &["类别 id a 重复（第 7 行已有）"],
    );
}

#[test]
fn duplicate_input_key() {
    only(
        r#"[rubric]
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
  { key = "misses", label = "缺席次数", type = "count" }, # ←
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        17,
        &["输入 a.1.misses 重复（第 16 行已有）"],
    );
}

#[test]
fn duplicate_grade_name() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[grades]]
name = "合格"
min = 60

[[grades]]
name = "合格" # ←
min = 0

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        11,
        &["等次名 合格 重复"],
    );
}

// ───────────────────────────── inputs ─────────────────────────────

#[test]
fn an_input_with_an_unknown_type() {
    only(
        r#"[rubric]
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
  { key = "hours", label = "时长", type = "number" }, # ←
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        17,
        &["输入 hours 的 type = \"number\" 未知", "count", "percent"],
    );
}

#[test]
fn a_bad_input_key() {
    only(
        r#"[rubric]
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
  { key = "Late", label = "迟到次数", type = "count" }, # ←
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        17,
        &["输入 key \"Late\" 只能用小写字母、数字和下划线"],
    );
}

#[test]
fn min_max_on_a_bool_input() {
    only(
        r#"[rubric]
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
criteria = "未开展的扣10分。"
inputs = [
  { key = "done", label = "开展工作", type = "bool", min = 0 }, # ←
]
rules = [
  { kind = "checks", each = 10, checks = [{ input = "done" }] },
]
"#,
        16,
        &["输入 done 是 bool，不能设 min/max"],
    );
}

// ───────────────────────────── grades, categories, items ─────────────────────────────

#[test]
fn grades_not_descending() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[grades]]
name = "合格"
min = 6

[[grades]]
name = "优秀"
min = 9 # ←

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        12,
        &[
            "等次 优秀 的下限 9 不低于上一等次 合格 的下限 6",
            "从高到低",
        ],
    );
}

#[test]
fn a_bonus_category_with_points() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "创新工作"
kind = "bonus"
points = 5 # ←

[[categories.items]]
id = "b.1"
criteria = "经验推广的适当加分。"
rules = [
  { kind = "discretionary", max = 5 },
]
"#,
        9,
        &["加分类别 b 不设 points", "cap = …"],
    );
}

#[test]
fn a_bonus_category_with_max_deduction() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "创新工作"
kind = "bonus"
max_deduction = 5 # ←

[[categories.items]]
id = "b.1"
criteria = "经验推广的适当加分。"
rules = [
  { kind = "discretionary", max = 5 },
]
"#,
        9,
        &["max_deduction 只用于基础类别"],
    );
}

#[test]
fn a_base_category_with_cap() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10
cap = 8 # ←

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        10,
        &["cap 只用于加分类别", "max_deduction"],
    );
}

#[test]
fn an_unknown_category_kind() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
kind = "extra" # ←
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        9,
        &["类别 a 的 kind = \"extra\" 未知", "\"base\"", "\"bonus\""],
    );
}

#[test]
fn a_base_item_without_points() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1" # ←
criteria = "未开展的扣10分。"
inputs = [
  { key = "done", label = "开展工作", type = "bool" },
]
rules = [
  { kind = "checks", each = 10, checks = [{ input = "done" }] },
]
"#,
        12,
        &["项目 a.1 缺少分值；请加上 points = …"],
    );
}

#[test]
fn a_bonus_item_with_points() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "创新工作"
kind = "bonus"

[[categories.items]]
id = "b.1"
points = 5 # ←
criteria = "经验推广的适当加分。"
rules = [
  { kind = "discretionary", max = 5 },
]
"#,
        12,
        &["加分项目 b.1 不设 points"],
    );
}

#[test]
fn an_unknown_item_mode() {
    only(
        r#"[rubric]
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
mode = "add" # ←
criteria = "每篇加1分，最高得10分。"
inputs = [
  { key = "articles", label = "录用信息", type = "count" },
]
rules = [
  { kind = "award", terms = [{ input = "articles", each = 1 }] },
]
"#,
        14,
        &["项目 a.1 的 mode = \"add\" 未知", "\"deduct\"", "\"award\""],
    );
}

#[test]
fn a_cap_on_a_deduct_item() {
    only(
        r#"[rubric]
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
cap = 8 # ←
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]
"#,
        14,
        &["扣分项目 a.1 的上限就是其分值，不设 cap"],
    );
}

#[test]
fn an_award_item_cap_above_its_points() {
    only(
        r#"[rubric]
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
mode = "award"
cap = 12 # ←
criteria = "每篇加1分，最高得10分。"
inputs = [
  { key = "articles", label = "录用信息", type = "count" },
]
rules = [
  { kind = "award", terms = [{ input = "articles", each = 1 }] },
]
"#,
        15,
        &["项目 a.1 的 cap 12 超过其分值 10"],
    );
}

#[test]
fn a_category_without_items() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 20

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary" },
]

[[categories]]
id = "m" # ←
name = "管理工作"
points = 10
"#,
        20,
        &["类别 m 没有项目", "[[categories.items]]"],
    );
}

#[test]
fn an_item_without_rules() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 10

[[categories]]
id = "a"
name = "基础工作"
points = 10

[[categories.items]]
id = "a.1" # ←
points = 10
criteria = "未落实的每次扣1分。"
inputs = [
  { key = "misses", label = "未落实次数", type = "count" },
]
"#,
        12,
        &["项目 a.1 没有规则"],
    );
}

#[test]
fn an_item_with_empty_criteria() {
    only(
        r#"[rubric]
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
criteria = " " # ←
rules = [
  { kind = "discretionary" },
]
"#,
        14,
        &["项目 a.1 的 criteria（评分标准原文）为空"],
    );
}

#[test]
fn a_rubric_without_categories() {
    // No line to point at: the whole file lacks them, line 1.
    let p = Rubric::from_toml("[rubric]\nid = \"t\"\ntitle = \"测试细则\"\n", FILE)
        .unwrap_err()
        .to_string();
    assert_eq!(p, "bad.toml:1: 细则里没有类别；请加上 [[categories]]");
}

// ───────────────────────────── all problems, in line order ─────────────────────────────

#[test]
fn several_problems_are_all_reported_sorted_by_line() {
    // Found in this order: category problems (first pass), then the total (line 4),
    // then rules (second pass); reported in line order.
    let found = problems(
        r#"[rubric]
id = "t"
title = "测试细则"
total = 30

[[grades]]
name = "合格"
min = 60

[[grades]]
name = "优秀"
min = 90

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
  { key = "Rate", label = "登记率", type = "percent" },
]
rules = [
  { kind = "per_count", input = "mises", each = 1 },
  { kind = "checks", each = 2, apply = "both", checks = [{ input = "misses", at_least = 1 }] },
]

[[categories]]
id = "m"
name = "管理工作"
points = 15

[[categories.items]]
id = "m.1"
points = 10
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary", max = 11 },
]
"#,
    );
    let lines: Vec<usize> = found
        .iter()
        .map(|p| {
            p.strip_prefix("bad.toml:")
                .and_then(|r| r.split(':').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not `file:line: message`: {p}"))
        })
        .collect();
    assert_eq!(lines, [4, 12, 25, 28, 29, 35, 42], "{found:#?}");
    let expect = [
        "rubric.total = 30 与基础类别分值之和 25 不符",
        "等次 优秀 的下限 90 不低于上一等次 合格 的下限 60",
        "输入 key \"Rate\" 只能用小写字母",
        "未声明的输入 mises；是否指 misses？",
        "apply = \"both\" 未知",
        "类别 m 的分值 15 与其项目分值之和 10 不符（m.1 10）",
        "项目 m.1 的酌情扣分上限 11 超过项目分值 10",
    ];
    for (p, e) in found.iter().zip(expect) {
        assert!(p.contains(e), "expected {e:?} in {p:?}");
    }
}

// ───────────────────────────── hash ─────────────────────────────

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

#[test]
fn a_discretionary_deduction_in_a_bonus_item_needs_a_bound() {
    only(
        r#"[rubric]
id = "t"
title = "测试细则"

[[categories]]
id = "b"
name = "加分"
kind = "bonus"

[[categories.items]]
id = "b.1"
criteria = "酌情扣分。"
rules = [
  { kind = "discretionary", direction = "deduct" }, # ←
]
"#,
        14,
        &["b.1", "需要上限", "max"],
    );
}

#[test]
fn a_discretionary_input_name_follows_the_key_rules() {
    only(
        r#"[rubric]
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
criteria = "落实不力的酌情扣分。"
rules = [
  { kind = "discretionary", input = "Amount Due" }, # ←
]
"#,
        16,
        &["Amount Due", "小写字母"],
    );
}

#[test]
fn a_rule_using_a_refused_input_gets_no_second_message() {
    only(
        r#"[rubric]
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
  { key = "misses", label = "未落实次数", type = "number" }, # ←
]
rules = [
  { kind = "per_count", input = "misses", each = 1 },
]
"#,
        16,
        &["type = \"number\" 未知"],
    );
}
