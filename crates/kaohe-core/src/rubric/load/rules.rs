//! The second pass: each item's rules, compiled once every input in the file is
//! declared. A rule names the inputs it reads; each name is resolved to a slot of the
//! right type here, so that scoring never looks anything up.

use std::collections::HashMap;
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use super::Ctx;
use super::checks::compile_checks;
use super::inputs::Inputs;
use super::raw::RawRule;
use crate::num::fmt as f;
use crate::rubric::{
    Apply, Direction, Input, InputType, Item, ItemMode, Round, Rule, RuleKind, Share, Slot, Term,
    Tier, TierCmp, VetoEffect, closest,
};

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
    "proportional",
    "tiers",
];

/// Compiles every item's rules (`rules[i]` are item `i`'s, as written) and records the
/// facts each item's score depends on. A refused rule is left out, with its problem
/// reported.
pub(super) fn compile(
    cx: &mut Ctx,
    items: &mut [Item],
    rules: Vec<Vec<Spanned<RawRule>>>,
    inputs: &Inputs,
) {
    for (index, rules) in rules.into_iter().enumerate() {
        let at = Scope {
            item: &items[index],
            inputs: inputs.list(),
            by_key: inputs.by_key(),
        };
        let mut compiled = Vec::new();
        for rule in rules {
            if let Some(r) = compile_rule(cx, &at, rule.get_ref()) {
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
}

/// The item whose rules are being compiled, and every declared input: where the input
/// names in a rule are looked up.
pub(super) struct Scope<'a> {
    pub(super) item: &'a Item,
    pub(super) inputs: &'a [Input],
    by_key: &'a HashMap<String, Slot>,
}

impl Scope<'_> {
    /// Finds an input named in a rule: first among the item's own inputs, then a full key
    /// (`basic.1.misses`) or a unit-level fact (`floating_population`).
    pub(super) fn resolve(&self, cx: &mut Ctx, name: &Spanned<String>) -> Option<Slot> {
        let item = self.item;
        let n = name.get_ref();
        let full = format!("{}.{n}", item.id);
        if let Some(slot) = self.by_key.get(&full) {
            return Some(*slot);
        }
        if let Some(slot) = self.by_key.get(n.as_str()) {
            return Some(*slot);
        }
        if cx.refused_inputs.contains(&full) || cx.refused_inputs.contains(n) {
            // The input's own declaration was refused, with its own message.
            return None;
        }
        let own = self.inputs[item.inputs.clone()]
            .iter()
            .map(|i| i.local.as_str());
        let unit = self
            .inputs
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

    /// Resolves an input that must be of one of the `allowed` types.
    pub(super) fn typed(
        &self,
        cx: &mut Ctx,
        name: &Spanned<String>,
        allowed: &[InputType],
    ) -> Option<Slot> {
        let slot = self.resolve(cx, name)?;
        let ty = self.inputs[slot].ty;
        if !allowed.contains(&ty) {
            let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
            cx.err(
                name.span(),
                format!(
                    "输入 {} 是 {}，这里需要 {}；请改正输入的 type 或换一个输入",
                    self.inputs[slot].key,
                    ty.name(),
                    names.join(" 或 ")
                ),
            );
            return None;
        }
        Some(slot)
    }
}

/// A discretionary rule's direction; `None` for an unknown word (reported where the
/// rule's inputs are declared).
pub(super) fn direction_of(rr: &RawRule, mode: ItemMode) -> Option<Direction> {
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

fn compile_rule(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<Rule> {
    let kind = rr.kind.get_ref().as_str();
    if !RULE_KINDS.contains(&kind) {
        let hint = closest(kind, RULE_KINDS.iter().copied())
            .map(|c| format!("是否指 \"{c}\"？"))
            .unwrap_or_default();
        cx.err(
            rr.kind.span(),
            format!(
                "项目 {} 的规则种类 \"{kind}\" 未知；{hint}可用：{}",
                at.item.id,
                RULE_KINDS.join(", ")
            ),
        );
        return None;
    }
    if !fields_fit_kind(cx, rr, kind) {
        return None;
    }
    let compiled = match kind {
        "per_count" => per_count(cx, at, rr)?,
        "checks" => checks(cx, at, rr)?,
        "shortfall" => shortfall(cx, at, rr)?,
        "below" => below(cx, at, rr)?,
        "award" | "tiered" => award(cx, at, rr, kind == "tiered")?,
        "discretionary" => discretionary(at, rr)?,
        "indicator" => RuleKind::Indicator {
            checks: compile_checks(cx, at, rr)?,
        },
        "veto" => veto(cx, at, rr)?,
        "proportional" => proportional(cx, at, rr)?,
        "tiers" => tiers(cx, at, rr)?,
        _ => unreachable!("kinds are checked against RULE_KINDS above"),
    };
    Some(Rule {
        kind: compiled,
        label: rr.label.clone(),
    })
}

/// Each kind takes its own fields; a field of another kind is a mistake worth naming.
/// Reports every such field; `false` when there was one.
fn fields_fit_kind(cx: &mut Ctx, rr: &RawRule, kind: &str) -> bool {
    let present: [(&str, Option<Range<usize>>); 19] = [
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
        ("step", rr.step.as_ref().map(|v| v.span())),
        ("round", rr.round.as_ref().map(|v| v.span())),
        ("target", rr.target.as_ref().map(|v| v.span())),
        ("ratio", rr.ratio.as_ref().map(|v| v.span())),
        (
            "tiers",
            rr.tiers.as_ref().and_then(|c| c.first()).map(|v| v.span()),
        ),
        ("label", None),
    ];
    let allowed: &[&str] = match kind {
        "per_count" => &["input", "each", "max"],
        "checks" => &["checks", "each", "apply"],
        "shortfall" => &["input", "required", "each", "step", "round", "max"],
        "proportional" => &["input", "ratio", "target", "max"],
        "tiers" => &["input", "tiers"],
        "below" => &["input", "reference", "deduct"],
        "award" => &["terms", "cap"],
        "tiered" => &["levels", "cap"],
        "discretionary" => &["input", "max", "direction"],
        "indicator" => &["checks"],
        "veto" => &["checks", "effect"],
        _ => &[],
    };
    let mut fit = true;
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
            fit = false;
        }
    }
    fit
}

/// Reports a field the rule's kind needs and the rule lacks.
fn need(cx: &mut Ctx, at: &Scope, rr: &RawRule, field: &str) {
    let kind = rr.kind.get_ref();
    cx.err(
        rr.kind.span(),
        format!(
            "项目 {} 的 {kind} 规则缺少 {field}；请加上 {field} = …",
            at.item.id
        ),
    );
}

fn per_count(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let (Some(input), Some(each)) = (&rr.input, &rr.each) else {
        need(
            cx,
            at,
            rr,
            if rr.input.is_none() { "input" } else { "each" },
        );
        return None;
    };
    let input = at.typed(cx, input, &[InputType::Count])?;
    let each = cx.positive(each, "each")?;
    let max = match &rr.max {
        Some(m) => Some(cx.positive(m, "max")?),
        None => None,
    };
    // Without points or max nothing bounds the deduction; an item whose points were
    // refused has had its message already.
    if at.item.points.is_none() && max.is_none() && !cx.items_without_points.contains(&at.item.id) {
        need(cx, at, rr, "max");
        return None;
    }
    Some(RuleKind::PerCount { input, each, max })
}

fn checks(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let Some(each) = &rr.each else {
        need(cx, at, rr, "each");
        return None;
    };
    let each = cx.positive(each, "each")?;
    let checks = compile_checks(cx, at, rr)?;
    let apply = match rr.apply.as_ref().map(|a| a.get_ref().as_str()) {
        None | Some("each") => Apply::Each,
        Some("once") => Apply::Once,
        Some(other) => {
            let span = rr.apply.as_ref().map(|a| a.span()).unwrap_or_default();
            cx.err(span, format!("apply = \"{other}\" 未知；可用 \"each\"（每项未达标各扣）或 \"once\"（有未达标只扣一次）"));
            return None;
        }
    };
    Some(RuleKind::Checks {
        checks,
        each,
        apply,
    })
}

fn shortfall(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let (Some(input), Some(required), Some(each)) = (&rr.input, &rr.required, &rr.each) else {
        let missing = if rr.input.is_none() {
            "input"
        } else if rr.required.is_none() {
            "required"
        } else {
            "each"
        };
        need(cx, at, rr, missing);
        return None;
    };
    let input = at.typed(cx, input, &NUMERIC)?;
    let required = cx.positive(required, "required")?;
    let each = cx.positive(each, "each")?;
    let step = match &rr.step {
        Some(s) => cx.positive(s, "step")?,
        None => Decimal::ONE,
    };
    let round = match rr.round.as_ref().map(|r| r.get_ref().as_str()) {
        None | Some("down") => Round::Down,
        Some("up") => Round::Up,
        Some("exact") => Round::Exact,
        Some(other) => {
            let span = rr.round.as_ref().map(|a| a.span()).unwrap_or_default();
            cx.err(span, format!("round = \"{other}\" 未知；可用 \"down\"（不足一个 step 的不扣，默认）、\"up\"（不足一个 step 的按一个计）或 \"exact\"（按比例）"));
            return None;
        }
    };
    let max = match &rr.max {
        Some(m) => Some(cx.positive(m, "max")?),
        None => None,
    };
    Some(RuleKind::Shortfall {
        input,
        required,
        each,
        step,
        round,
        max,
    })
}

const NUMERIC: [InputType; 3] = [InputType::Count, InputType::Percent, InputType::Decimal];

/// `proportional`: `input` and `target`, or `ratio = [num, den]` and a target percentage
/// (default 100); `max` (default the item's points) is the points at stake.
fn proportional(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let target = match &rr.target {
        Some(t) => Some(cx.positive(t, "target")?),
        None => None,
    };
    let of = match (&rr.input, &rr.ratio) {
        (Some(_), Some(r)) => {
            cx.err(r.span(), "proportional 规则只能有 input 或 ratio 之一");
            return None;
        }
        (None, None) => {
            need(cx, at, rr, "input（及 target）或 ratio");
            return None;
        }
        (Some(input), None) => {
            let input = at.typed(cx, input, &NUMERIC)?;
            let Some(target) = target else {
                need(cx, at, rr, "target");
                return None;
            };
            Share::Value { input, target }
        }
        (None, Some(ratio)) => {
            let names = ratio.get_ref();
            if names.len() != 2 {
                cx.err(
                    ratio.span(),
                    "ratio 应写成 [\"分子\", \"分母\"]，恰好两个输入",
                );
                return None;
            }
            let span = ratio.span();
            let name = |n: &String| Spanned::new(span.clone(), n.clone());
            let num = at.typed(cx, &name(&names[0]), &NUMERIC);
            let den = at.typed(cx, &name(&names[1]), &NUMERIC);
            let target = target.unwrap_or(Decimal::ONE_HUNDRED);
            Share::Ratio {
                num: num?,
                den: den?,
                target,
            }
        }
    };
    let max = match (&rr.max, at.item.points) {
        (Some(m), _) => cx.positive(m, "max")?,
        (None, Some(p)) => p,
        (None, None) => {
            if !cx.items_without_points.contains(&at.item.id) {
                need(cx, at, rr, "max");
            }
            return None;
        }
    };
    Some(RuleKind::Proportional { of, max })
}

/// `tiers`: bands all `below` or all `above`, each with its deduction.
fn tiers(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let Some(input) = &rr.input else {
        need(cx, at, rr, "input");
        return None;
    };
    let Some(list) = rr.tiers.as_ref().filter(|l| !l.is_empty()) else {
        need(cx, at, rr, "tiers");
        return None;
    };
    let input = at.typed(cx, input, &NUMERIC);
    let mut cmp = None;
    let mut out = Vec::new();
    for t in list {
        let span = t.span();
        let t = t.get_ref();
        let (this, bound) = match (&t.below, &t.above) {
            (Some(b), None) => (TierCmp::Below, b),
            (None, Some(a)) => (TierCmp::Above, a),
            _ => {
                cx.err(
                    span,
                    "每一档要有 below = N（低于N）或 above = N（高于N）之一，以及 deduct = 扣分",
                );
                return None;
            }
        };
        if cmp.is_some_and(|c| c != this) {
            cx.err(
                span,
                "同一条 tiers 规则的各档应都用 below 或都用 above；方向不同的请分成两条规则",
            );
            return None;
        }
        cmp = Some(this);
        let bound = cx.num(bound, "below/above")?;
        let deduct = cx.positive(&t.deduct, "deduct")?;
        if out.iter().any(|o: &Tier| o.bound == bound) {
            cx.err(span, format!("分档 {} 重复", f(bound)));
            return None;
        }
        out.push(Tier { bound, deduct });
    }
    Some(RuleKind::Tiers {
        input: input?,
        cmp: cmp?,
        tiers: out,
    })
}

fn below(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let (Some(input), Some(reference), Some(deduct)) = (&rr.input, &rr.reference, &rr.deduct)
    else {
        let missing = if rr.input.is_none() {
            "input"
        } else if rr.reference.is_none() {
            "reference"
        } else {
            "deduct"
        };
        need(cx, at, rr, missing);
        return None;
    };
    let input = at.typed(cx, input, &NUMERIC)?;
    let reference = at.typed(cx, reference, &NUMERIC)?;
    let deduct = cx.positive(deduct, "deduct")?;
    Some(RuleKind::Below {
        input,
        reference,
        deduct,
    })
}

/// `award` (its `terms`) and `tiered` (its `levels`): the same arithmetic.
fn award(cx: &mut Ctx, at: &Scope, rr: &RawRule, tiered: bool) -> Option<RuleKind> {
    let (list, field) = if tiered {
        (&rr.levels, "levels")
    } else {
        (&rr.terms, "terms")
    };
    let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
        need(cx, at, rr, field);
        return None;
    };
    let mut terms = Vec::new();
    for t in list {
        let t = t.get_ref();
        let slot = at.typed(cx, &t.input, &[InputType::Count, InputType::Decimal]);
        let each = cx.positive(&t.each, "each");
        if let (Some(slot), Some(each)) = (slot, each) {
            terms.push(Term {
                input: slot,
                each,
                label: t
                    .label
                    .clone()
                    .unwrap_or_else(|| at.inputs[slot].label.clone()),
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
    Some(RuleKind::Award { terms, cap, tiered })
}

/// The amount and reason inputs were declared in the first pass (`inputs.rs`), which
/// reported any problem with them; a rule whose inputs are missing is left out quietly.
fn discretionary(at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let iid = &at.item.id;
    let local = rr.discretionary_key();
    let input = *at.by_key.get(&format!("{iid}.{local}"))?;
    let reason = *at.by_key.get(&format!("{iid}.{local}_reason"))?;
    let max = at.inputs[input].max?;
    let direction = direction_of(rr, at.item.mode)?;
    Some(RuleKind::Discretionary {
        input,
        reason,
        max,
        direction,
    })
}

fn veto(cx: &mut Ctx, at: &Scope, rr: &RawRule) -> Option<RuleKind> {
    let effect = match rr.effect.as_ref().map(|e| e.get_ref().as_str()) {
        None | Some("veto") => VetoEffect::Veto,
        Some("downgrade") => VetoEffect::Downgrade,
        Some(other) => {
            let span = rr.effect.as_ref().map(|a| a.span()).unwrap_or_default();
            cx.err(
                span,
                format!(
                    "effect = \"{other}\" 未知；可用 \"veto\"（一票否决）或 \"downgrade\"（降一档）"
                ),
            );
            return None;
        }
    };
    Some(RuleKind::Veto {
        checks: compile_checks(cx, at, rr)?,
        effect,
    })
}
