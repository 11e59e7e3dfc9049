//! Inputs: the facts a unit reports, declared as unit-level facts, in an item's
//! `inputs`, or by a discretionary rule (its amount and its reason). Each gets a slot,
//! and each full key may be declared once.

use std::collections::HashMap;

use rust_decimal::Decimal;
use toml::{Spanned, Value};

use super::Ctx;
use super::raw::{RawInput, RawRule};
use super::rules::direction_of;
use crate::num::fmt as f;
use crate::rubric::{CategoryKind, Direction, FactSource, Input, InputType, ItemMode, Slot};

/// Every input declared so far, in slot order, with the slot and the line of each key.
#[derive(Default)]
pub(super) struct Inputs {
    /// The kinds of record facts may count (`[[records]]`, loaded first).
    pub(super) kinds: Vec<crate::records::RecordKind>,
    list: Vec<Input>,
    by_key: HashMap<String, Slot>,
    lines: HashMap<String, usize>,
}

/// The item whose inputs are being declared: what its discretionary rules need to know.
pub(super) struct ItemHead<'a> {
    pub(super) index: usize,
    pub(super) id: &'a str,
    pub(super) kind: CategoryKind,
    pub(super) mode: ItemMode,
    pub(super) points: Option<Decimal>,
}

impl Inputs {
    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    pub(super) fn list(&self) -> &[Input] {
        &self.list
    }

    pub(super) fn by_key(&self) -> &HashMap<String, Slot> {
        &self.by_key
    }

    pub(super) fn into_parts(self) -> (Vec<Input>, HashMap<String, Slot>) {
        (self.list, self.by_key)
    }

    /// Unit-level facts (`[[unit_facts]]`), set by the district for each unit.
    pub(super) fn declare_unit_facts(&mut self, cx: &mut Ctx, raw: &[Spanned<RawInput>]) {
        for ri in raw {
            let line = cx.line(ri.span());
            let parsed = input_from_raw(cx, &self.kinds, ri.get_ref(), None, None);
            if parsed.is_none() {
                cx.refused_inputs.insert(ri.get_ref().key.get_ref().clone());
            }
            if let Some(input) = parsed {
                self.register(cx, input, line, &ri.get_ref().key);
            }
        }
    }

    /// The inputs an item declares in its `inputs` list.
    pub(super) fn declare_item_inputs(
        &mut self,
        cx: &mut Ctx,
        raw: &[Spanned<RawInput>],
        item: &ItemHead,
    ) {
        for input in raw {
            let line = cx.line(input.span());
            let parsed = input_from_raw(
                cx,
                &self.kinds,
                input.get_ref(),
                Some((item.index, item.id)),
                Some(item.kind),
            );
            if parsed.is_none() {
                cx.refused_inputs
                    .insert(format!("{}.{}", item.id, input.get_ref().key.get_ref()));
            }
            if let Some(parsed) = parsed {
                self.register(cx, parsed, line, &input.get_ref().key);
            }
        }
    }

    /// A discretionary rule declares its amount and reason inputs itself: the amount
    /// (`discretionary`, or the rule's `input`) within `[0, bound]` in steps of 0.1, and
    /// its reason (`discretionary_reason`). Other kinds of rule declare nothing.
    pub(super) fn declare_discretionary(
        &mut self,
        cx: &mut Ctx,
        rule: &Spanned<RawRule>,
        item: &ItemHead,
    ) {
        let rr = rule.get_ref();
        if rr.kind.get_ref() != "discretionary" {
            return;
        }
        let local = rr.discretionary_key();
        if !valid_key(&local) {
            let span = rr.input.as_ref().map(|i| i.span()).unwrap_or_default();
            cx.err(
                span,
                format!("输入 key \"{local}\" 只能用小写字母、数字和下划线，如 input = \"discretionary\""),
            );
            return;
        }
        let Some(direction) = direction_of(rr, item.mode) else {
            let span = rr.direction.as_ref().map(|d| d.span()).unwrap_or_default();
            let other = rr
                .direction
                .as_ref()
                .map(|d| d.get_ref().as_str())
                .unwrap_or("");
            cx.err(span, format!("direction = \"{other}\" 未知；可用 \"deduct\"（酌情扣分）或 \"add\"（适当加分）"));
            return;
        };
        let Some(bound) = discretionary_bound(cx, rr, item, direction) else {
            return;
        };
        let line = cx.line(rule.span());
        let word = match direction {
            Direction::Deduct => "酌情扣分",
            Direction::Add => "适当加分",
        };
        let label = rr.label.clone().unwrap_or_else(|| word.to_string());
        let key_span = rr.input.clone().unwrap_or_else(|| rr.kind.clone());
        let iid = item.id;
        let amount = Input {
            key: format!("{iid}.{local}"),
            local: local.clone(),
            label,
            ty: InputType::Decimal,
            required: false,
            min: Some(Decimal::ZERO),
            max: Some(bound),
            step: Some(Decimal::new(1, 1)),
            unit: Some("分".to_string()),
            item: Some(item.index),
            from: None,
        };
        self.register(cx, amount, line, &key_span);
        let reason_key = Spanned::new(key_span.span(), format!("{local}_reason"));
        let reason = Input {
            key: format!("{iid}.{local}_reason"),
            local: format!("{local}_reason"),
            label: format!("{word}理由"),
            ty: InputType::Text,
            required: false,
            min: None,
            max: None,
            step: None,
            unit: None,
            item: Some(item.index),
            from: None,
        };
        self.register(cx, reason, line, &reason_key);
    }

    /// Gives `input` the next slot, unless its full key is taken.
    fn register(&mut self, cx: &mut Ctx, input: Input, line: usize, key: &Spanned<String>) {
        if let Some(first) = self.lines.get(&input.key) {
            cx.err(
                key.span(),
                format!(
                    "输入 {} 重复（第 {first} 行已有）；请改用另一个 key",
                    input.key
                ),
            );
            return;
        }
        self.lines.insert(input.key.clone(), line);
        self.by_key.insert(input.key.clone(), self.list.len());
        self.list.push(input);
    }
}

/// The most a discretionary amount may be: its `max`, or for a deduction the item's
/// points. `None` when there is no bound (reported, unless the item's own points were).
fn discretionary_bound(
    cx: &mut Ctx,
    rr: &RawRule,
    item: &ItemHead,
    direction: Direction,
) -> Option<Decimal> {
    let iid = item.id;
    let bound = match (&rr.max, direction, item.points) {
        (Some(m), _, _) => cx.positive(m, &format!("项目 {iid} 的酌情分上限 max")),
        (None, Direction::Deduct, Some(p)) => Some(p),
        (None, Direction::Deduct, None) => {
            if item.kind == CategoryKind::Bonus {
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
    }?;
    if let (Some(p), Direction::Deduct) = (item.points, direction)
        && bound > p
    {
        let span = rr.max.as_ref().map(|m| m.span()).unwrap_or_default();
        cx.err(
            span,
            format!(
                "项目 {iid} 的酌情扣分上限 {} 超过项目分值 {}",
                f(bound),
                f(p)
            ),
        );
    }
    Some(bound)
}

/// One declared input, checked; `item` is the item's index and id (`None` for a
/// unit-level fact), `kind` its category's kind.
fn input_from_raw(
    cx: &mut Ctx,
    kinds: &[crate::records::RecordKind],
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
    let from = match &ri.from {
        None => None,
        Some(from) => {
            let source = match from.get_ref() {
                Value::String(name) if name == "last_year_unrectified" => {
                    if item.is_some() {
                        cx.err(
                            from.span(),
                            format!("输入 {local}：上年度整改未到位的问题数是单位事实，请把它移到 [[unit_facts]]"),
                        );
                        return None;
                    }
                    FactSource::LastYearUnrectified
                }
                Value::Table(_) => {
                    let count = super::records::count_of(cx, kinds, &local, from)?;
                    if item.is_none() {
                        cx.err(
                            from.span(),
                            format!("输入 {local}：记录属于各单位的项目，计数记录的输入应写在项目的 inputs 里，而不是 [[unit_facts]]"),
                        );
                        return None;
                    }
                    FactSource::Records(count)
                }
                other => {
                    let shown = match other {
                        Value::String(s) => format!("\"{s}\""),
                        v => v.to_string(),
                    };
                    cx.err(
                        from.span(),
                        format!("输入 {local} 的 from = {shown} 未知；可用 \"last_year_unrectified\"（上年度整改未到位的问题数）或 {{ records = \"记录种类\" }}（记录条数）"),
                    );
                    return None;
                }
            };
            if ty != InputType::Count {
                cx.err(
                    from.span(),
                    format!("输入 {local}：from 计算的是个数，type 应为 count"),
                );
                return None;
            }
            Some(source)
        }
    };
    // Facts of base items and unit-level facts are required; bonus facts are optional.
    // Last year's unrectified problems are always there (0 without last year's data);
    // in a facts file, a missing column reads as none. A count of records is required as typed facts are: kaohe always has it (0 without
    // records), but a facts file that leaves it out is told, not read as 0.
    let default_required = kind != Some(CategoryKind::Bonus)
        && ty != InputType::Text
        && from != Some(FactSource::LastYearUnrectified);
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
        from,
    })
}

pub(super) fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
