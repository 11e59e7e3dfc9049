//! Reading and validating a rubric file (TOML). Every problem found is reported with
//! its line, and loading goes on after a problem so that one run lists them all.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::{Spanned, Value};

use super::*;
use crate::num::{fmt as f, parse_decimal};

/// One problem in a rubric file, at a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Everything wrong with a rubric file; shown as `FILE:LINE: message`, one a line.
#[derive(Debug, Clone, thiserror::Error)]
pub struct RubricErrors {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for RubricErrors {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}:{}: {}", self.file, p.line, p.message)?;
        }
        Ok(())
    }
}

const RULE_KINDS: &[&str] = &[
    "per_count",
    "checks",
    "shortfall",
    "below",
    "award",
    "tiered",
    "discretionary",
    "indicator",
    "veto",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rubric: Spanned<RawMeta>,
    #[serde(default)]
    unit_facts: Vec<Spanned<RawInput>>,
    #[serde(default)]
    grades: Vec<Spanned<RawGrade>>,
    #[serde(default)]
    categories: Vec<Spanned<RawCategory>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Spanned<String>,
    title: Spanned<String>,
    year: Option<i64>,
    total: Option<Spanned<Value>>,
    max_bonus: Option<Spanned<Value>>,
    #[allow(dead_code)]
    source: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    name: Spanned<String>,
    min: Spanned<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    name: Spanned<String>,
    kind: Option<Spanned<String>>,
    points: Option<Spanned<Value>>,
    max_deduction: Option<Spanned<Value>>,
    cap: Option<Spanned<Value>>,
    #[serde(default)]
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    name: Option<String>,
    points: Option<Spanned<Value>>,
    mode: Option<Spanned<String>>,
    cap: Option<Spanned<Value>>,
    criteria: Spanned<String>,
    #[serde(default)]
    inputs: Vec<Spanned<RawInput>>,
    #[serde(default)]
    rules: Vec<Spanned<RawRule>>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    key: Spanned<String>,
    label: String,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    required: Option<bool>,
    min: Option<Spanned<Value>>,
    max: Option<Spanned<Value>>,
    unit: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    kind: Spanned<String>,
    label: Option<String>,
    input: Option<Spanned<String>>,
    each: Option<Spanned<Value>>,
    max: Option<Spanned<Value>>,
    checks: Option<Vec<Spanned<RawCheck>>>,
    apply: Option<Spanned<String>>,
    required: Option<Spanned<Value>>,
    reference: Option<Spanned<String>>,
    deduct: Option<Spanned<Value>>,
    terms: Option<Vec<Spanned<RawTerm>>>,
    levels: Option<Vec<Spanned<RawTerm>>>,
    cap: Option<Spanned<Value>>,
    direction: Option<Spanned<String>>,
    effect: Option<Spanned<String>>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    input: Option<Spanned<String>>,
    ratio: Option<Spanned<Vec<String>>>,
    at_least: Option<Spanned<Value>>,
    at_most: Option<Spanned<Value>>,
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    input: Spanned<String>,
    each: Spanned<Value>,
    label: Option<String>,
}

struct Ctx<'s> {
    src: &'s str,
    problems: Vec<Problem>,
    /// Full keys of inputs refused as declared: a rule using one gets no second message.
    refused_inputs: HashSet<String>,
    /// Base items whose points were refused: their rules need no second message.
    items_without_points: HashSet<String>,
}

impl Ctx<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.src.len());
        self.src.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.line(span);
        self.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    /// A number written as a TOML integer, float (`0.5`) or string (`"0.5"`).
    fn num(&mut self, v: &Spanned<Value>, what: &str) -> Option<Decimal> {
        let parsed = match v.get_ref() {
            Value::Integer(i) => Some(Decimal::from(*i)),
            // A TOML float prints back as the shortest text that reads as it, which is
            // the decimal the author wrote (0.5 → "0.5"); parse that text exactly.
            Value::Float(x) if x.is_finite() => parse_decimal(&x.to_string()),
            Value::String(s) => parse_decimal(s),
            _ => None,
        };
        if let Some(n) = parsed
            && n.abs() > Decimal::from(1_000_000_000)
        {
            self.err(
                v.span(),
                format!("{what} = {} 太大；细则里的数不超过 10 亿", f(n)),
            );
            return None;
        }
        if parsed.is_none() {
            self.err(
                v.span(),
                format!("{what} 应为数字（如 2 或 0.5），而不是 {}", v.get_ref()),
            );
        }
        parsed
    }

    fn positive(&mut self, v: &Spanned<Value>, what: &str) -> Option<Decimal> {
        let n = self.num(v, what)?;
        if n <= Decimal::ZERO {
            self.err(v.span(), format!("{what} 应大于 0，现为 {}", f(n)));
            return None;
        }
        Some(n)
    }
}

impl Rubric {
    /// Parses and validates a rubric file. `file` names it in error messages.
    pub fn from_toml(source: &str, file: &str) -> Result<Rubric, RubricErrors> {
        let mut cx = Ctx {
            src: source,
            problems: Vec::new(),
            refused_inputs: HashSet::new(),
            items_without_points: HashSet::new(),
        };
        let raw: RawFile = match toml::from_str(source) {
            Ok(raw) => raw,
            Err(e) => {
                let line = e.span().map(|s| cx.line(s)).unwrap_or(1);
                return Err(RubricErrors {
                    file: file.to_string(),
                    problems: vec![Problem {
                        line,
                        message: toml_message(&e),
                    }],
                });
            }
        };
        let rubric = build(&mut cx, raw, source);
        if cx.problems.is_empty() {
            Ok(rubric)
        } else {
            cx.problems.sort_by_key(|p| p.line);
            Err(RubricErrors {
                file: file.to_string(),
                problems: cx.problems,
            })
        }
    }
}

/// The toml crate's message without its own position and excerpt (we add `file:line`).
fn toml_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    if let Some(field) = msg
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        // "unknown field `ponts`, expected one of `id`, `points`, …"
        let expected: Vec<&str> = msg
            .split("expected")
            .nth(1)
            .unwrap_or("")
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        let hint = closest(field, expected.iter().copied())
            .map(|c| format!("是否指 {c}？"))
            .unwrap_or_default();
        return format!(
            "未知字段 {field}；{hint}可用的字段：{}",
            expected.join(", ")
        );
    }
    if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        return format!("缺少字段 {field}；请补上");
    }
    format!("TOML 格式错误：{msg}")
}

fn build(cx: &mut Ctx, raw: RawFile, source: &str) -> Rubric {
    let meta = raw.rubric.into_inner();
    if meta.id.get_ref().trim().is_empty() {
        cx.err(
            meta.id.span(),
            "rubric.id 不能为空；请写如 id = \"beilun-2026\"",
        );
    }
    if meta.title.get_ref().trim().is_empty() {
        cx.err(meta.title.span(), "rubric.title 不能为空");
    }
    let total = meta
        .total
        .as_ref()
        .and_then(|v| cx.positive(v, "rubric.total"));
    let max_bonus = meta
        .max_bonus
        .as_ref()
        .and_then(|v| cx.positive(v, "rubric.max_bonus"));

    let mut inputs: Vec<Input> = Vec::new();
    let mut by_key: HashMap<String, Slot> = HashMap::new();
    let mut key_lines: HashMap<String, usize> = HashMap::new();

    // Unit-level facts.
    for ri in &raw.unit_facts {
        let line = cx.line(ri.span());
        let parsed = input_from_raw(cx, ri.get_ref(), None, None);
        if parsed.is_none() {
            cx.refused_inputs.insert(ri.get_ref().key.get_ref().clone());
        }
        if let Some(input) = parsed {
            register(
                cx,
                &mut inputs,
                &mut by_key,
                &mut key_lines,
                input,
                line,
                &ri.get_ref().key,
            );
        }
    }

    // Grades.
    let mut grades = Vec::new();
    for g in &raw.grades {
        let g = g.get_ref();
        let Some(min) = cx.num(&g.min, "grades.min") else {
            continue;
        };
        if let Some(prev) = grades.last() {
            let prev: &Grade = prev;
            if min >= prev.min {
                cx.err(
                    g.min.span(),
                    format!(
                        "等次 {} 的下限 {} 不低于上一等次 {} 的下限 {}；等次请按下限从高到低排列",
                        g.name.get_ref(),
                        f(min),
                        prev.name,
                        f(prev.min)
                    ),
                );
            }
        }
        if grades.iter().any(|x: &Grade| x.name == *g.name.get_ref()) {
            cx.err(g.name.span(), format!("等次名 {} 重复", g.name.get_ref()));
        }
        grades.push(Grade {
            name: g.name.get_ref().clone(),
            min,
        });
    }

    // First pass: categories, items and every input they declare, so that rules may
    // refer to any input wherever it is declared.
    let mut categories = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut category_ids: HashMap<String, usize> = HashMap::new();
    let mut item_ids: HashMap<String, usize> = HashMap::new();
    let mut pending_rules: Vec<Vec<Spanned<RawRule>>> = Vec::new();

    for (ci, rc) in raw.categories.into_iter().enumerate() {
        let rc = rc.into_inner();
        let cid = rc.id.get_ref().clone();
        if let Some(line) = category_ids.get(&cid) {
            cx.err(
                rc.id.span(),
                format!("类别 id {cid} 重复（第 {line} 行已有）；请改用另一个 id"),
            );
        } else {
            let line = cx.line(rc.id.span());
            category_ids.insert(cid.clone(), line);
        }
        let kind = match rc.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("base") => CategoryKind::Base,
            Some("bonus") => CategoryKind::Bonus,
            Some(other) => {
                let span = rc.kind.as_ref().map(|k| k.span()).unwrap_or_default();
                cx.err(span, format!("类别 {cid} 的 kind = \"{other}\" 未知；可用 \"base\"（基础分）或 \"bonus\"（加分项）"));
                CategoryKind::Base
            }
        };
        let points = match (&rc.points, kind) {
            (Some(p), CategoryKind::Base) => cx.positive(p, &format!("类别 {cid} 的 points")),
            (None, CategoryKind::Base) => {
                cx.err(
                    rc.id.span(),
                    format!(
                        "类别 {cid} 缺少分值；请加上 points = …（加分项请写 kind = \"bonus\"）"
                    ),
                );
                None
            }
            (Some(p), CategoryKind::Bonus) => {
                cx.err(
                    p.span(),
                    format!("加分类别 {cid} 不设 points；要限制加分总额请用 cap = …"),
                );
                None
            }
            (None, CategoryKind::Bonus) => None,
        };
        let max_deduction = match (&rc.max_deduction, kind) {
            (Some(v), CategoryKind::Base) => {
                cx.positive(v, &format!("类别 {cid} 的 max_deduction"))
            }
            (Some(v), CategoryKind::Bonus) => {
                cx.err(
                    v.span(),
                    format!("max_deduction 只用于基础类别；加分类别 {cid} 请用 cap"),
                );
                None
            }
            (None, _) => None,
        };
        let cap = match (&rc.cap, kind) {
            (Some(v), CategoryKind::Bonus) => cx.positive(v, &format!("类别 {cid} 的 cap")),
            (Some(v), CategoryKind::Base) => {
                cx.err(v.span(), format!("cap 只用于加分类别；基础类别 {cid} 的分值已是上限，限制扣分请用 max_deduction"));
                None
            }
            (None, _) => None,
        };
        if rc.items.is_empty() {
            cx.err(
                rc.id.span(),
                format!("类别 {cid} 没有项目；请加上 [[categories.items]]"),
            );
        }
        let first_item = items.len();
        let mut item_points_sum = Decimal::ZERO;
        let mut all_item_points = true;
        for ri in rc.items {
            let ri = ri.into_inner();
            let iid = ri.id.get_ref().clone();
            if iid.trim().is_empty() || iid.contains(char::is_whitespace) {
                cx.err(
                    ri.id.span(),
                    format!("项目 id \"{iid}\" 不可为空或含空格；请写如 id = \"{cid}.1\""),
                );
            }
            if let Some(line) = item_ids.get(&iid) {
                cx.err(
                    ri.id.span(),
                    format!("项目 id {iid} 重复（第 {line} 行已有）；每个项目要有自己的 id"),
                );
            } else {
                let line = cx.line(ri.id.span());
                item_ids.insert(iid.clone(), line);
            }
            let index = items.len();
            let mode = match ri.mode.as_ref().map(|m| m.get_ref().as_str()) {
                None => match kind {
                    CategoryKind::Base => ItemMode::Deduct,
                    CategoryKind::Bonus => ItemMode::Award,
                },
                Some("deduct") if kind == CategoryKind::Base => ItemMode::Deduct,
                Some("deduct") => {
                    let span = ri.mode.as_ref().map(|m| m.span()).unwrap_or_default();
                    cx.err(
                        span,
                        format!("加分项目 {iid} 不能用 mode = \"deduct\"；加分项从 0 起加"),
                    );
                    ItemMode::Award
                }
                Some("award") => ItemMode::Award,
                Some(other) => {
                    let span = ri.mode.as_ref().map(|m| m.span()).unwrap_or_default();
                    cx.err(span, format!("项目 {iid} 的 mode = \"{other}\" 未知；可用 \"deduct\"（从满分起扣）或 \"award\"（从 0 起加）"));
                    ItemMode::Deduct
                }
            };
            let points = match (&ri.points, kind) {
                (Some(p), CategoryKind::Base) => cx.positive(p, &format!("项目 {iid} 的 points")),
                (None, CategoryKind::Base) => {
                    cx.err(
                        ri.id.span(),
                        format!("项目 {iid} 缺少分值；请加上 points = …"),
                    );
                    cx.items_without_points.insert(iid.clone());
                    None
                }
                (Some(p), CategoryKind::Bonus) => {
                    cx.err(
                        p.span(),
                        format!("加分项目 {iid} 不设 points；要设上限请用 cap = …"),
                    );
                    None
                }
                (None, CategoryKind::Bonus) => None,
            };
            match points {
                Some(p) => item_points_sum += p,
                None => all_item_points = false,
            }
            let cap = match (&ri.cap, mode) {
                (Some(c), ItemMode::Award) => {
                    let c = cx.positive(c, &format!("项目 {iid} 的 cap"));
                    if let (Some(c), Some(p)) = (c, points)
                        && c > p
                    {
                        let span = ri.cap.as_ref().map(|c| c.span()).unwrap_or_default();
                        cx.err(
                            span,
                            format!("项目 {iid} 的 cap {} 超过其分值 {}", f(c), f(p)),
                        );
                    }
                    c.or(points)
                }
                (Some(c), ItemMode::Deduct) => {
                    cx.err(
                        c.span(),
                        format!("扣分项目 {iid} 的上限就是其分值，不设 cap"),
                    );
                    points
                }
                (None, _) => points,
            };
            if ri.criteria.get_ref().trim().is_empty() {
                cx.err(
                    ri.criteria.span(),
                    format!("项目 {iid} 的 criteria（评分标准原文）为空；请照录原文"),
                );
            }
            if ri.rules.is_empty() {
                cx.err(
                    ri.id.span(),
                    format!("项目 {iid} 没有规则；请加上 [[categories.items.rules]]"),
                );
            }
            let first_input = inputs.len();
            for input in &ri.inputs {
                let line = cx.line(input.span());
                let parsed = input_from_raw(cx, input.get_ref(), Some((index, &iid)), Some(kind));
                if parsed.is_none() {
                    cx.refused_inputs
                        .insert(format!("{iid}.{}", input.get_ref().key.get_ref()));
                }
                if let Some(parsed) = parsed {
                    register(
                        cx,
                        &mut inputs,
                        &mut by_key,
                        &mut key_lines,
                        parsed,
                        line,
                        &input.get_ref().key,
                    );
                }
            }
            // Discretionary rules declare their amount and reason inputs themselves.
            for rule in &ri.rules {
                let rr = rule.get_ref();
                if rr.kind.get_ref() != "discretionary" {
                    continue;
                }
                let local = rr
                    .input
                    .as_ref()
                    .map(|s| s.get_ref().clone())
                    .unwrap_or_else(|| "discretionary".to_string());
                if !valid_key(&local) {
                    let span = rr.input.as_ref().map(|i| i.span()).unwrap_or_default();
                    cx.err(
                        span,
                        format!("输入 key \"{local}\" 只能用小写字母、数字和下划线，如 input = \"discretionary\""),
                    );
                    continue;
                }
                let Some(direction) = direction_of(rr, mode) else {
                    let span = rr.direction.as_ref().map(|d| d.span()).unwrap_or_default();
                    let other = rr
                        .direction
                        .as_ref()
                        .map(|d| d.get_ref().as_str())
                        .unwrap_or("");
                    cx.err(span, format!("direction = \"{other}\" 未知；可用 \"deduct\"（酌情扣分）或 \"add\"（适当加分）"));
                    continue;
                };
                let bound = match (&rr.max, direction, points) {
                    (Some(m), _, _) => cx.positive(m, &format!("项目 {iid} 的酌情分上限 max")),
                    (None, Direction::Deduct, Some(p)) => Some(p),
                    (None, Direction::Deduct, None) => {
                        if kind == CategoryKind::Bonus {
                            cx.err(
                                rr.kind.span(),
                                format!("加分项目 {iid} 的酌情扣分需要上限；请加上 max = …"),
                            );
                        }
                        None
                    }
                    (None, Direction::Add, _) => {
                        cx.err(
                            rr.kind.span(),
                            format!("项目 {iid} 的适当加分需要上限；请加上 max = …"),
                        );
                        None
                    }
                };
                if bound.is_none() {
                    continue;
                }
                if let (Some(b), Some(p), Direction::Deduct) = (bound, points, direction)
                    && b > p
                {
                    let span = rr.max.as_ref().map(|m| m.span()).unwrap_or_default();
                    cx.err(
                        span,
                        format!("项目 {iid} 的酌情扣分上限 {} 超过项目分值 {}", f(b), f(p)),
                    );
                }
                let line = cx.line(rule.span());
                let word = match direction {
                    Direction::Deduct => "酌情扣分",
                    Direction::Add => "适当加分",
                };
                let label = rr.label.clone().unwrap_or_else(|| word.to_string());
                let key_span = rr.input.clone().unwrap_or_else(|| rr.kind.clone());
                register(
                    cx,
                    &mut inputs,
                    &mut by_key,
                    &mut key_lines,
                    Input {
                        key: format!("{iid}.{local}"),
                        local: local.clone(),
                        label,
                        ty: InputType::Decimal,
                        required: false,
                        min: Some(Decimal::ZERO),
                        max: Some(bound.unwrap_or(Decimal::ZERO)),
                        step: Some(Decimal::new(1, 1)),
                        unit: Some("分".to_string()),
                        item: Some(index),
                    },
                    line,
                    &key_span,
                );
                let reason_key = Spanned::new(key_span.span(), format!("{local}_reason"));
                register(
                    cx,
                    &mut inputs,
                    &mut by_key,
                    &mut key_lines,
                    Input {
                        key: format!("{iid}.{local}_reason"),
                        local: format!("{local}_reason"),
                        label: format!("{word}理由"),
                        ty: InputType::Text,
                        required: false,
                        min: None,
                        max: None,
                        step: None,
                        unit: None,
                        item: Some(index),
                    },
                    line,
                    &reason_key,
                );
            }
            items.push(Item {
                id: iid,
                name: ri.name,
                category: ci,
                points,
                mode,
                cap,
                criteria: ri.criteria.into_inner(),
                rules: Vec::new(),
                inputs: first_input..inputs.len(),
                uses: Vec::new(),
            });
            pending_rules.push(ri.rules);
        }
        if let (CategoryKind::Base, Some(p), true) = (kind, points, all_item_points)
            && p != item_points_sum
            && first_item != items.len()
        {
            let parts: Vec<String> = items[first_item..]
                .iter()
                .filter_map(|i| i.points.map(|p| format!("{} {}", i.id, f(p))))
                .collect();
            let span = rc.points.as_ref().map(|p| p.span()).unwrap_or_default();
            cx.err(
                span,
                format!(
                    "类别 {cid} 的分值 {} 与其项目分值之和 {} 不符（{}）；请改正类别或项目的 points",
                    f(p),
                    f(item_points_sum),
                    parts.join(" + ")
                ),
            );
        }
        categories.push(Category {
            id: cid,
            name: rc.name.into_inner(),
            kind,
            points,
            max_deduction,
            cap,
            items: first_item..items.len(),
        });
    }

    if categories.is_empty() {
        cx.err(0..0, "细则里没有类别；请加上 [[categories]]");
    }
    if let Some(total) = total {
        let sum: Decimal = categories.iter().filter_map(|c| c.points).sum();
        let all = categories
            .iter()
            .all(|c| c.kind == CategoryKind::Bonus || c.points.is_some());
        if all && sum != total {
            let span = meta.total.as_ref().map(|t| t.span()).unwrap_or_default();
            cx.err(
                span,
                format!(
                    "rubric.total = {} 与基础类别分值之和 {} 不符；请改正 total 或类别的 points",
                    f(total),
                    f(sum)
                ),
            );
        }
    }

    // Second pass: rules.
    for (index, rules) in pending_rules.into_iter().enumerate() {
        let mut compiled = Vec::new();
        for rule in rules {
            if let Some(r) = compile_rule(cx, &items[index], &inputs, &by_key, rule.get_ref()) {
                compiled.push(r);
            }
        }
        let mut uses: Vec<Slot> = items[index].inputs.clone().collect();
        for rule in &compiled {
            for slot in rule.kind.slots() {
                if !uses.contains(&slot) {
                    uses.push(slot);
                }
            }
        }
        items[index].rules = compiled;
        items[index].uses = uses;
    }

    let digest = Sha256::digest(source.as_bytes());
    let hash = digest.iter().map(|b| format!("{b:02x}")).collect();

    Rubric {
        id: meta.id.into_inner(),
        title: meta.title.into_inner(),
        year: meta.year,
        total,
        max_bonus,
        categories,
        items,
        inputs,
        grades,
        hash,
        by_key,
    }
}

fn register(
    cx: &mut Ctx,
    inputs: &mut Vec<Input>,
    by_key: &mut HashMap<String, Slot>,
    key_lines: &mut HashMap<String, usize>,
    input: Input,
    line: usize,
    key: &Spanned<String>,
) {
    if let Some(first) = key_lines.get(&input.key) {
        cx.err(
            key.span(),
            format!(
                "输入 {} 重复（第 {first} 行已有）；请改用另一个 key",
                input.key
            ),
        );
        return;
    }
    key_lines.insert(input.key.clone(), line);
    by_key.insert(input.key.clone(), inputs.len());
    inputs.push(input);
}

fn input_from_raw(
    cx: &mut Ctx,
    ri: &RawInput,
    item: Option<(usize, &str)>,
    kind: Option<CategoryKind>,
) -> Option<Input> {
    let local = ri.key.get_ref().clone();
    if !valid_key(&local) {
        cx.err(
            ri.key.span(),
            format!("输入 key \"{local}\" 只能用小写字母、数字和下划线，如 key = \"misses\""),
        );
        return None;
    }
    let ty = match ri.ty.get_ref().as_str() {
        "count" => InputType::Count,
        "percent" => InputType::Percent,
        "decimal" => InputType::Decimal,
        "bool" => InputType::Bool,
        "text" => InputType::Text,
        other => {
            cx.err(
                ri.ty.span(),
                format!("输入 {local} 的 type = \"{other}\" 未知；可用 count（次数/人数）、percent（百分比）、decimal（小数）、bool（是/否）、text（文字）"),
            );
            return None;
        }
    };
    let min = ri
        .min
        .as_ref()
        .and_then(|v| cx.num(v, &format!("输入 {local} 的 min")));
    let max = ri
        .max
        .as_ref()
        .and_then(|v| cx.num(v, &format!("输入 {local} 的 max")));
    if (min.is_some() || max.is_some()) && !ty.is_numeric() {
        let span = ri
            .min
            .as_ref()
            .or(ri.max.as_ref())
            .map(|v| v.span())
            .unwrap_or_default();
        cx.err(
            span,
            format!("输入 {local} 是 {}，不能设 min/max", ty.name()),
        );
    }
    let key = match item {
        Some((_, iid)) => format!("{iid}.{local}"),
        None => local.clone(),
    };
    // Facts of base items and unit-level facts are required; bonus facts are optional.
    let default_required = kind != Some(CategoryKind::Bonus) && ty != InputType::Text;
    Some(Input {
        key,
        local,
        label: ri.label.clone(),
        ty,
        required: ri.required.unwrap_or(default_required),
        min,
        max,
        step: None,
        unit: ri.unit.clone(),
        item: item.map(|(i, _)| i),
    })
}

/// A discretionary rule's direction; `None` for an unknown word (reported where the
/// rule's inputs are declared).
fn direction_of(rr: &RawRule, mode: ItemMode) -> Option<Direction> {
    match rr.direction.as_ref().map(|d| d.get_ref().as_str()) {
        None => Some(match mode {
            ItemMode::Deduct => Direction::Deduct,
            ItemMode::Award => Direction::Add,
        }),
        Some("deduct") => Some(Direction::Deduct),
        Some("add") => Some(Direction::Add),
        Some(_) => None,
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Finds an input named in a rule: first among the item's own inputs, then a full key
/// (`basic.1.misses`) or a unit-level fact (`floating_population`).
fn resolve(
    cx: &mut Ctx,
    item: &Item,
    inputs: &[Input],
    by_key: &HashMap<String, Slot>,
    name: &Spanned<String>,
) -> Option<Slot> {
    let n = name.get_ref();
    let full = format!("{}.{n}", item.id);
    if let Some(slot) = by_key.get(&full) {
        return Some(*slot);
    }
    if let Some(slot) = by_key.get(n.as_str()) {
        return Some(*slot);
    }
    if cx.refused_inputs.contains(&full) || cx.refused_inputs.contains(n) {
        // The input's own declaration was refused, with its own message.
        return None;
    }
    let own = inputs[item.inputs.clone()].iter().map(|i| i.local.as_str());
    let unit = inputs
        .iter()
        .filter(|i| i.item.is_none())
        .map(|i| i.key.as_str());
    let known: Vec<&str> = own.chain(unit).collect();
    let hint = match closest(n, known.iter().copied()) {
        Some(c) => format!("是否指 {c}？"),
        None if known.is_empty() => format!("项目 {} 还没有声明输入；", item.id),
        None => format!("可用：{}；", known.join(", ")),
    };
    cx.err(
        name.span(),
        format!(
            "项目 {} 的规则引用了未声明的输入 {n}；{hint}请在 [[categories.items.inputs]] 中声明它",
            item.id
        ),
    );
    None
}

fn compile_rule(
    cx: &mut Ctx,
    item: &Item,
    inputs: &[Input],
    by_key: &HashMap<String, Slot>,
    rr: &RawRule,
) -> Option<Rule> {
    let kind = rr.kind.get_ref().as_str();
    let iid = &item.id;
    if !RULE_KINDS.contains(&kind) {
        let hint = closest(kind, RULE_KINDS.iter().copied())
            .map(|c| format!("是否指 \"{c}\"？"))
            .unwrap_or_default();
        cx.err(
            rr.kind.span(),
            format!(
                "项目 {iid} 的规则种类 \"{kind}\" 未知；{hint}可用：{}",
                RULE_KINDS.join(", ")
            ),
        );
        return None;
    }

    // Each kind takes its own fields; a field of another kind is a mistake worth naming.
    let present: [(&str, Option<Range<usize>>); 14] = [
        ("input", rr.input.as_ref().map(|v| v.span())),
        ("each", rr.each.as_ref().map(|v| v.span())),
        ("max", rr.max.as_ref().map(|v| v.span())),
        (
            "checks",
            rr.checks.as_ref().and_then(|c| c.first()).map(|v| v.span()),
        ),
        ("apply", rr.apply.as_ref().map(|v| v.span())),
        ("required", rr.required.as_ref().map(|v| v.span())),
        ("reference", rr.reference.as_ref().map(|v| v.span())),
        ("deduct", rr.deduct.as_ref().map(|v| v.span())),
        (
            "terms",
            rr.terms.as_ref().and_then(|c| c.first()).map(|v| v.span()),
        ),
        (
            "levels",
            rr.levels.as_ref().and_then(|c| c.first()).map(|v| v.span()),
        ),
        ("cap", rr.cap.as_ref().map(|v| v.span())),
        ("direction", rr.direction.as_ref().map(|v| v.span())),
        ("effect", rr.effect.as_ref().map(|v| v.span())),
        ("label", None),
    ];
    let allowed: &[&str] = match kind {
        "per_count" => &["input", "each", "max"],
        "checks" => &["checks", "each", "apply"],
        "shortfall" => &["input", "required", "each"],
        "below" => &["input", "reference", "deduct"],
        "award" => &["terms", "cap"],
        "tiered" => &["levels", "cap"],
        "discretionary" => &["input", "max", "direction"],
        "indicator" => &["checks"],
        "veto" => &["checks", "effect"],
        _ => &[],
    };
    let mut bad_field = false;
    for (name, span) in &present {
        if let Some(span) = span
            && !allowed.contains(name)
        {
            cx.err(
                span.clone(),
                format!(
                    "{kind} 规则不用字段 {name}；{kind} 可用：{}",
                    allowed.join(", ")
                ),
            );
            bad_field = true;
        }
    }
    if bad_field {
        return None;
    }

    let need = |cx: &mut Ctx, field: &str| {
        cx.err(
            rr.kind.span(),
            format!("项目 {iid} 的 {kind} 规则缺少 {field}；请加上 {field} = …"),
        );
    };

    let compiled = match kind {
        "per_count" => {
            let (Some(input), Some(each)) = (&rr.input, &rr.each) else {
                need(cx, if rr.input.is_none() { "input" } else { "each" });
                return None;
            };
            let input = typed(cx, item, inputs, by_key, input, &[InputType::Count])?;
            let each = cx.positive(each, "each")?;
            let max = match &rr.max {
                Some(m) => Some(cx.positive(m, "max")?),
                None => None,
            };
            if item.points.is_none() && max.is_none() && !cx.items_without_points.contains(iid) {
                need(cx, "max");
                return None;
            }
            RuleKind::PerCount { input, each, max }
        }
        "checks" => {
            let Some(each) = &rr.each else {
                need(cx, "each");
                return None;
            };
            let each = cx.positive(each, "each")?;
            let checks = compile_checks(cx, item, inputs, by_key, rr)?;
            let apply = match rr.apply.as_ref().map(|a| a.get_ref().as_str()) {
                None | Some("each") => Apply::Each,
                Some("once") => Apply::Once,
                Some(other) => {
                    let span = rr.apply.as_ref().map(|a| a.span()).unwrap_or_default();
                    cx.err(span, format!("apply = \"{other}\" 未知；可用 \"each\"（每项未达标各扣）或 \"once\"（有未达标只扣一次）"));
                    return None;
                }
            };
            RuleKind::Checks {
                checks,
                each,
                apply,
            }
        }
        "shortfall" => {
            let (Some(input), Some(required), Some(each)) = (&rr.input, &rr.required, &rr.each)
            else {
                let missing = if rr.input.is_none() {
                    "input"
                } else if rr.required.is_none() {
                    "required"
                } else {
                    "each"
                };
                need(cx, missing);
                return None;
            };
            let input = typed(cx, item, inputs, by_key, input, &[InputType::Count])?;
            let required = cx.positive(required, "required")?;
            let each = cx.positive(each, "each")?;
            RuleKind::Shortfall {
                input,
                required,
                each,
            }
        }
        "below" => {
            let (Some(input), Some(reference), Some(deduct)) =
                (&rr.input, &rr.reference, &rr.deduct)
            else {
                let missing = if rr.input.is_none() {
                    "input"
                } else if rr.reference.is_none() {
                    "reference"
                } else {
                    "deduct"
                };
                need(cx, missing);
                return None;
            };
            let numeric = [InputType::Count, InputType::Decimal, InputType::Percent];
            let input = typed(cx, item, inputs, by_key, input, &numeric)?;
            let reference = typed(cx, item, inputs, by_key, reference, &numeric)?;
            let deduct = cx.positive(deduct, "deduct")?;
            RuleKind::Below {
                input,
                reference,
                deduct,
            }
        }
        "award" | "tiered" => {
            let list = if kind == "award" {
                &rr.terms
            } else {
                &rr.levels
            };
            let field = if kind == "award" { "terms" } else { "levels" };
            let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
                need(cx, field);
                return None;
            };
            let mut terms = Vec::new();
            for t in list {
                let t = t.get_ref();
                let slot = typed(
                    cx,
                    item,
                    inputs,
                    by_key,
                    &t.input,
                    &[InputType::Count, InputType::Decimal],
                );
                let each = cx.positive(&t.each, "each");
                if let (Some(slot), Some(each)) = (slot, each) {
                    terms.push(Term {
                        input: slot,
                        each,
                        label: t
                            .label
                            .clone()
                            .unwrap_or_else(|| inputs[slot].label.clone()),
                    });
                }
            }
            if terms.len() != list.len() {
                return None;
            }
            let cap = match &rr.cap {
                Some(c) => Some(cx.positive(c, "cap")?),
                None => None,
            };
            RuleKind::Award {
                terms,
                cap,
                tiered: kind == "tiered",
            }
        }
        "discretionary" => {
            // The inputs were declared in the first pass.
            let local = rr
                .input
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_else(|| "discretionary".to_string());
            let input = *by_key.get(&format!("{iid}.{local}"))?;
            let reason = *by_key.get(&format!("{iid}.{local}_reason"))?;
            let max = inputs[input].max?;
            let direction = direction_of(rr, item.mode)?;
            RuleKind::Discretionary {
                input,
                reason,
                max,
                direction,
            }
        }
        "indicator" => RuleKind::Indicator {
            checks: compile_checks(cx, item, inputs, by_key, rr)?,
        },
        "veto" => {
            let effect = match rr.effect.as_ref().map(|e| e.get_ref().as_str()) {
                None | Some("veto") => VetoEffect::Veto,
                Some("downgrade") => VetoEffect::Downgrade,
                Some(other) => {
                    let span = rr.effect.as_ref().map(|a| a.span()).unwrap_or_default();
                    cx.err(span, format!("effect = \"{other}\" 未知；可用 \"veto\"（一票否决）或 \"downgrade\"（降一档）"));
                    return None;
                }
            };
            RuleKind::Veto {
                checks: compile_checks(cx, item, inputs, by_key, rr)?,
                effect,
            }
        }
        _ => unreachable!("kinds are checked against RULE_KINDS above"),
    };
    Some(Rule {
        kind: compiled,
        label: rr.label.clone(),
    })
}

fn typed(
    cx: &mut Ctx,
    item: &Item,
    inputs: &[Input],
    by_key: &HashMap<String, Slot>,
    name: &Spanned<String>,
    allowed: &[InputType],
) -> Option<Slot> {
    let slot = resolve(cx, item, inputs, by_key, name)?;
    let ty = inputs[slot].ty;
    if !allowed.contains(&ty) {
        let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
        cx.err(
            name.span(),
            format!(
                "输入 {} 是 {}，这里需要 {}；请改正输入的 type 或换一个输入",
                inputs[slot].key,
                ty.name(),
                names.join(" 或 ")
            ),
        );
        return None;
    }
    Some(slot)
}

fn compile_checks(
    cx: &mut Ctx,
    item: &Item,
    inputs: &[Input],
    by_key: &HashMap<String, Slot>,
    rr: &RawRule,
) -> Option<Vec<Check>> {
    let Some(raw) = rr.checks.as_ref().filter(|c| !c.is_empty()) else {
        cx.err(
            rr.kind.span(),
            format!(
                "项目 {} 的 {} 规则缺少 checks；请加上 checks = [{{ input = \"…\" }}]",
                item.id,
                rr.kind.get_ref()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut ok = true;
    for rc in raw {
        match compile_check(cx, item, inputs, by_key, rc) {
            Some(c) => {
                if !seen.insert(c.label.clone()) {
                    cx.err(
                        rc.span(),
                        format!("项目 {} 的检查「{}」重复", item.id, c.label),
                    );
                    ok = false;
                }
                out.push(c)
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn compile_check(
    cx: &mut Ctx,
    item: &Item,
    inputs: &[Input],
    by_key: &HashMap<String, Slot>,
    rc: &Spanned<RawCheck>,
) -> Option<Check> {
    let span = rc.span();
    let rc = rc.get_ref();
    let threshold = match (&rc.at_least, &rc.at_most) {
        (Some(_), Some(v)) => {
            cx.err(v.span(), "一项检查只能有 at_least 或 at_most 之一");
            return None;
        }
        (Some(v), None) => Some((Cmp::AtLeast, cx.num(v, "at_least")?, v.span())),
        (None, Some(v)) => Some((Cmp::AtMost, cx.num(v, "at_most")?, v.span())),
        (None, None) => None,
    };
    if let Some((_, t, tspan)) = &threshold
        && t.is_sign_negative()
    {
        cx.err(tspan.clone(), format!("阈值 {} 不能为负", f(*t)));
        return None;
    }
    match (&rc.input, &rc.ratio) {
        (Some(_), Some(r)) => {
            cx.err(r.span(), "一项检查只能有 input 或 ratio 之一");
            None
        }
        (None, None) => {
            cx.err(
                span,
                "检查需要 input = \"…\"（是/否、次数或百分比）或 ratio = [\"分子\", \"分母\"]",
            );
            None
        }
        (None, Some(ratio)) => {
            let names = ratio.get_ref();
            if names.len() != 2 {
                cx.err(
                    ratio.span(),
                    format!(
                        "比例检查需要分子和分母两个输入，现有 {} 个；请写 ratio = [\"分子\", \"分母\"]",
                        names.len()
                    ),
                );
                return None;
            }
            let Some((cmp, percent, _)) = threshold else {
                cx.err(
                    ratio.span(),
                    "比例检查需要 at_least = 百分比（如 10 表示 10%）或 at_most",
                );
                return None;
            };
            let numeric = [InputType::Count, InputType::Decimal];
            let num = typed(
                cx,
                item,
                inputs,
                by_key,
                &Spanned::new(ratio.span(), names[0].clone()),
                &numeric,
            );
            let den = typed(
                cx,
                item,
                inputs,
                by_key,
                &Spanned::new(ratio.span(), names[1].clone()),
                &numeric,
            );
            let (num, den) = (num?, den?);
            let label = rc
                .label
                .clone()
                .unwrap_or_else(|| format!("{}/{}", inputs[num].label, inputs[den].label));
            Some(Check {
                label,
                test: Test::Ratio {
                    num,
                    den,
                    cmp,
                    percent,
                },
            })
        }
        (Some(name), None) => {
            let slot = resolve(cx, item, inputs, by_key, name)?;
            let input = &inputs[slot];
            let label = rc.label.clone().unwrap_or_else(|| input.label.clone());
            match (input.ty, threshold) {
                (InputType::Bool, None) => Some(Check {
                    label,
                    test: Test::Yes { input: slot },
                }),
                (InputType::Bool, Some((_, _, tspan))) => {
                    cx.err(
                        tspan,
                        format!("{} 是是/否输入，不设阈值；检查的是它为“是”", input.key),
                    );
                    None
                }
                (InputType::Text, _) => {
                    cx.err(
                        name.span(),
                        format!("{} 是文字输入，不能作为检查", input.key),
                    );
                    None
                }
                (_, None) => {
                    cx.err(
                        name.span(),
                        format!(
                            "{} 是数值输入，检查需要 at_least = … 或 at_most = …",
                            input.key
                        ),
                    );
                    None
                }
                (ty, Some((cmp, threshold, tspan))) => {
                    if ty == InputType::Percent && threshold > Decimal::ONE_HUNDRED {
                        cx.err(tspan, format!("百分比阈值 {} 超过 100", f(threshold)));
                        return None;
                    }
                    Some(Check {
                        label,
                        test: Test::Value {
                            input: slot,
                            cmp,
                            threshold,
                        },
                    })
                }
            }
        }
    }
}
