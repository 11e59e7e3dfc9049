//! Reading and validating a rubric file (TOML). Every problem found is reported with
//! its line, and loading goes on after a problem so that one run lists them all.
//!
//! Loading runs in steps, each in its own file: the file as serde reads it (`raw.rs`),
//! unit-level facts and every other input (`inputs.rs`), grade bands (`grades.rs`),
//! categories with their items (`categories.rs`), then, once every input is known,
//! each item's rules (`rules.rs`) and their checks (`checks.rs`). Every text is held to
//! a bound first (`lengths.rs`).

mod categories;
mod checks;
mod grades;
mod inputs;
mod lengths;
mod raw;
mod records;
mod rules;

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use toml::{Spanned, Value};

use super::{Rubric, closest};
use crate::num::{fmt as f, parse_decimal};
use raw::{RawFile, RawMeta};

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
            // A stable sort: problems on one line stay in the order they were found.
            cx.problems.sort_by_key(|p| p.line);
            Err(RubricErrors {
                file: file.to_string(),
                problems: cx.problems,
            })
        }
    }
}

/// What every step of loading shares: the source (to turn spans into lines), the
/// problems found so far, and what earlier steps refused, so that a later step does not
/// report the same mistake twice.
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

/// The steps of loading, in the order their problems are found (problems are sorted by
/// line afterwards, so the order matters only among problems on one line).
fn build(cx: &mut Ctx, raw: RawFile, source: &str) -> Rubric {
    lengths::check(cx, &raw);
    let meta = raw.rubric.into_inner();
    let (total, max_bonus) = check_meta(cx, &meta);
    let mut inputs = inputs::Inputs::default();
    inputs.kinds = records::load(cx, &raw.records);
    inputs.declare_unit_facts(cx, &raw.unit_facts);
    let grades = grades::load(cx, &raw.grades);
    // First pass: categories, items and every input they declare, so that rules may
    // refer to any input wherever it is declared.
    let mut declared = categories::declare(cx, raw.categories, &mut inputs);
    categories::check_total(cx, &declared.categories, total, meta.total.as_ref());
    // Second pass: rules.
    rules::compile(cx, &mut declared.items, declared.rules, &inputs);

    let digest = Sha256::digest(source.as_bytes());
    let hash = digest.iter().map(|b| format!("{b:02x}")).collect();
    let record_kinds = std::mem::take(&mut inputs.kinds);
    let (inputs, by_key) = inputs.into_parts();
    Rubric {
        id: meta.id.into_inner(),
        title: meta.title.into_inner(),
        year: meta.year,
        total,
        max_bonus,
        categories: declared.categories,
        items: declared.items,
        inputs,
        grades,
        record_kinds,
        hash,
        by_key,
    }
}

/// The `[rubric]` table: an id and a title, and the total and bonus cap if given.
fn check_meta(cx: &mut Ctx, meta: &RawMeta) -> (Option<Decimal>, Option<Decimal>) {
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
    (total, max_bonus)
}
