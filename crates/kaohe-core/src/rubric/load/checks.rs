//! The checks of `checks`, `indicator` and `veto` rules: a yes/no fact that must be
//! yes, a number against a threshold, or a ratio of two numbers against a percentage.

use std::collections::HashSet;
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use super::Ctx;
use super::raw::{RawCheck, RawRule};
use super::rules::Scope;
use crate::num::fmt as f;
use crate::rubric::{Check, Cmp, InputType, Test};

/// The rule's checks; `None` if there are none or any is refused (each problem is
/// reported). Two checks may not share a label.
pub(super) fn compile_checks(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<Vec<Check>> {
    let Some(raw) = rr.checks.as_ref().filter(|c| !c.is_empty()) else {
        cx.err(
            rr.kind.span(),
            format!(
                "项目 {} 的 {} 规则缺少 checks；请加上 checks = [{{ input = \"…\" }}]",
                at.item.id,
                rr.kind.get_ref()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut ok = true;
    for rc in raw {
        match compile_check(cx, at, rc) {
            Some(c) => {
                if !seen.insert(c.label.clone()) {
                    cx.err(
                        rc.span(),
                        format!("项目 {} 的检查「{}」重复", at.item.id, c.label),
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

/// A check's `at_least` or `at_most`, with where it is written.
struct Threshold {
    cmp: Cmp,
    value: Decimal,
    span: Range<usize>,
}

/// A problem was found and reported.
struct Reported;

fn compile_check(cx: &mut Ctx, at: &Scope, rc: &Spanned<RawCheck>) -> Option<Check> {
    let span = rc.span();
    let rc = rc.get_ref();
    let threshold = threshold(cx, rc).ok()?;
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
        (None, Some(ratio)) => ratio_check(cx, at, rc, ratio, threshold),
        (Some(name), None) => input_check(cx, at, rc, name, threshold),
    }
}

/// The check's threshold, if it has one: one of `at_least` and `at_most`, a number, not
/// negative.
fn threshold(cx: &mut Ctx, rc: &RawCheck) -> Result<Option<Threshold>, Reported> {
    let threshold = match (&rc.at_least, &rc.at_most) {
        (Some(_), Some(v)) => {
            cx.err(v.span(), "一项检查只能有 at_least 或 at_most 之一");
            return Err(Reported);
        }
        (Some(v), None) => Threshold {
            cmp: Cmp::AtLeast,
            value: cx.num(v, "at_least").ok_or(Reported)?,
            span: v.span(),
        },
        (None, Some(v)) => Threshold {
            cmp: Cmp::AtMost,
            value: cx.num(v, "at_most").ok_or(Reported)?,
            span: v.span(),
        },
        (None, None) => return Ok(None),
    };
    if threshold.value.is_sign_negative() {
        cx.err(
            threshold.span,
            format!("阈值 {} 不能为负", f(threshold.value)),
        );
        return Err(Reported);
    }
    Ok(Some(threshold))
}

/// `ratio = ["num", "den"]`: two counts or decimals, and a percentage to compare with.
fn ratio_check(
    cx: &mut Ctx,
    at: &Scope,
    rc: &RawCheck,
    ratio: &Spanned<Vec<String>>,
    threshold: Option<Threshold>,
) -> Option<Check> {
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
    let Some(Threshold {
        cmp,
        value: percent,
        ..
    }) = threshold
    else {
        cx.err(
            ratio.span(),
            "比例检查需要 at_least = 百分比（如 10 表示 10%）或 at_most",
        );
        return None;
    };
    let numeric = [InputType::Count, InputType::Decimal];
    // Both names are resolved before either is given up on, so both are reported.
    let num = at.typed(cx, &Spanned::new(ratio.span(), names[0].clone()), &numeric);
    let den = at.typed(cx, &Spanned::new(ratio.span(), names[1].clone()), &numeric);
    let (num, den) = (num?, den?);
    let label = rc
        .label
        .clone()
        .unwrap_or_else(|| format!("{}/{}", at.inputs[num].label, at.inputs[den].label));
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

/// `input = "…"`: a yes/no fact takes no threshold; a number needs one (a percentage at
/// most 100); text cannot be checked.
fn input_check(
    cx: &mut Ctx,
    at: &Scope,
    rc: &RawCheck,
    name: &Spanned<String>,
    threshold: Option<Threshold>,
) -> Option<Check> {
    let slot = at.resolve(cx, name)?;
    let input = &at.inputs[slot];
    let label = rc.label.clone().unwrap_or_else(|| input.label.clone());
    match (input.ty, threshold) {
        (InputType::Bool, None) => Some(Check {
            label,
            test: Test::Yes { input: slot },
        }),
        (InputType::Bool, Some(t)) => {
            cx.err(
                t.span,
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
        (ty, Some(t)) => {
            if ty == InputType::Percent && t.value > Decimal::ONE_HUNDRED {
                cx.err(t.span, format!("百分比阈值 {} 超过 100", f(t.value)));
                return None;
            }
            Some(Check {
                label,
                test: Test::Value {
                    input: slot,
                    cmp: t.cmp,
                    threshold: t.value,
                },
            })
        }
    }
}
