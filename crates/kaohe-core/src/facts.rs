//! Facts: the typed values a unit reports, parsed and checked at the edge.

use rust_decimal::Decimal;

use crate::num::{comma_hint, fmt as f, parse_decimal};
use crate::rubric::{InputType, Rubric, RuleKind, Slot};

/// A reported value, already checked against its input's type and bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Counts, percentages (0–100) and decimal amounts.
    Number(Decimal),
    Bool(bool),
    Text(Box<str>),
}

/// The facts of one unit for one rubric, one slot per input the rubric knows.
/// A slot left empty is a fact not provided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    values: Vec<Option<Value>>,
}

/// Why a value was refused; the caller adds where it came from (row, column, field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FactError {
    pub message: String,
}

/// The largest number a fact may hold: far above any real count, and small enough that
/// no product or sum in scoring can overflow.
pub const MAX_FACT: i64 = 1_000_000_000_000_000;

fn refuse<T>(message: String) -> Result<T, FactError> {
    Err(FactError { message })
}

impl Facts {
    /// Facts with nothing provided.
    pub fn new(rubric: &Rubric) -> Facts {
        Facts {
            values: vec![None; rubric.inputs().len()],
        }
    }

    pub fn get(&self, slot: Slot) -> Option<&Value> {
        self.values.get(slot).and_then(|v| v.as_ref())
    }

    pub fn set(&mut self, slot: Slot, value: Option<Value>) {
        self.values[slot] = value;
    }

    pub(crate) fn number(&self, slot: Slot) -> Option<Decimal> {
        match self.values[slot] {
            Some(Value::Number(n)) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn boolean(&self, slot: Slot) -> Option<bool> {
        match self.values[slot] {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        }
    }

    pub(crate) fn text(&self, slot: Slot) -> Option<&str> {
        match &self.values[slot] {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Problems that involve more than one fact, or a fact the district must set:
    /// a discretionary amount without its reason, a unit-level fact missing.
    /// Missing item facts are not problems here; scoring lists them.
    pub fn problems(&self, rubric: &Rubric) -> Vec<(Slot, String)> {
        let mut out = Vec::new();
        for (slot, input) in rubric.unit_inputs() {
            if input.required && self.get(slot).is_none() {
                out.push((
                    slot,
                    format!("缺少单位基础数据“{}”；由区里为每个单位填写", input.label),
                ));
            }
        }
        for item in rubric.items() {
            for rule in &item.rules {
                if let RuleKind::Discretionary { input, reason, .. } = rule.kind {
                    let amount = self.number(input).unwrap_or_default();
                    let given = self.text(reason).is_some_and(|r| !r.trim().is_empty());
                    if amount > Decimal::ZERO && !given {
                        out.push((
                            reason,
                            format!(
                                "{}的“{}”为 {} 分，须填写“{}”",
                                rubric
                                    .input(input)
                                    .item
                                    .map(|ii| rubric.item_ref(ii))
                                    .unwrap_or_default(),
                                rubric.input(input).label,
                                f(amount),
                                rubric.input(reason).label
                            ),
                        ));
                    }
                }
            }
        }
        out
    }
}

impl Rubric {
    /// Parses a value as a person types it into a form or a spreadsheet cell.
    /// An empty string is a fact not provided (`Ok(None)`).
    pub fn parse_value(&self, slot: Slot, raw: &str) -> Result<Option<Value>, FactError> {
        let raw = raw.trim();
        // Full-width digits and signs (９５．５％), as a Chinese input method types them.
        let halfwidth: String;
        let raw = if raw.chars().any(|c| ('０'..='９').contains(&c) || c == '．') {
            halfwidth = raw
                .chars()
                .map(|c| match c {
                    '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                    '．' => '.',
                    other => other,
                })
                .collect();
            halfwidth.as_str()
        } else {
            raw
        };
        if raw.is_empty() {
            return Ok(None);
        }
        let input = self.input(slot);
        if !matches!(input.ty, InputType::Text | InputType::Bool)
            && let Some(meant) = comma_hint(raw.trim_end_matches(['%', '％']).trim_end())
        {
            return refuse(format!(
                "“{raw}” 中的逗号不是千位分隔：是否指 {meant}？千位分隔须每三位一个（如 1,234）"
            ));
        }
        let value = match input.ty {
            InputType::Text => Value::Text(raw.into()),
            InputType::Bool => Value::Bool(parse_bool(raw)?),
            InputType::Count => {
                let n = parse_decimal(raw).filter(|n| n.fract().is_zero());
                match n {
                    Some(n) if !n.is_sign_negative() => Value::Number(n.normalize()),
                    _ => return refuse(format!("应为 0 或正整数，而不是 “{raw}”")),
                }
            }
            InputType::Percent => Value::Number(parse_percent(raw)?),
            InputType::Decimal => match parse_decimal(raw) {
                Some(n) => Value::Number(n.normalize()),
                None => return refuse(format!("应为数字（如 1.5），而不是 “{raw}”")),
            },
        };
        self.check_bounds(slot, &value)?;
        Ok(Some(value))
    }

    fn check_bounds(&self, slot: Slot, value: &Value) -> Result<(), FactError> {
        let input = self.input(slot);
        let Value::Number(n) = value else {
            return Ok(());
        };
        let n = *n;
        if n.abs() > Decimal::from(MAX_FACT) {
            return refuse(format!("{} 太大；请检查是否多打了数字", f(n)));
        }
        if input.min.is_some_and(|lo| n < lo) || input.max.is_some_and(|hi| n > hi) {
            let range = match (input.min, input.max) {
                (Some(lo), Some(hi)) => format!("应在 {} 到 {} 之间", f(lo), f(hi)),
                (Some(lo), None) => format!("应不小于 {}", f(lo)),
                (None, Some(hi)) => format!("应不大于 {}", f(hi)),
                (None, None) => String::new(),
            };
            return refuse(format!(
                "{range}，而不是 {}（超出范围的值不会被截断，请改正）",
                f(n)
            ));
        }
        if input.ty == InputType::Decimal && n.is_sign_negative() {
            return refuse(format!("不能为负数：{}", f(n)));
        }
        if let Some(step) = input.step
            && !(n % step).is_zero()
        {
            return refuse(format!("应为 {} 的整数倍，而不是 {}", f(step), f(n)));
        }
        Ok(())
    }
}

fn parse_bool(raw: &str) -> Result<bool, FactError> {
    match raw {
        "是" | "有" | "√" | "✓" | "已落实" | "已开展" => return Ok(true),
        "否" | "无" | "×" | "✗" | "未落实" | "未开展" => return Ok(false),
        _ => {}
    }
    match raw.to_lowercase().as_str() {
        "是" | "true" | "1" | "yes" | "y" | "t" => Ok(true),
        "否" | "false" | "0" | "no" | "n" | "f" => Ok(false),
        _ => refuse(format!(
            "应为 是 或 否（也可写 有/无、√/×、true/false、1/0），而不是 “{raw}”"
        )),
    }
}

/// `95` and `95%` both mean 95 percent. A bare number in (0, 1] is what a spreadsheet
/// cell formatted as a percentage holds; it is refused with a question, not guessed.
fn parse_percent(raw: &str) -> Result<Decimal, FactError> {
    let (number, with_sign) = match raw.strip_suffix('%').or_else(|| raw.strip_suffix('％')) {
        Some(n) => (n.trim(), true),
        None => (raw, false),
    };
    let Some(n) = parse_decimal(number) else {
        return refuse(format!("应为百分比（如 95 或 95%），而不是 “{raw}”"));
    };
    if n.is_sign_negative() || n > Decimal::ONE_HUNDRED {
        return refuse(format!("百分比应在 0 到 100 之间，而不是 {raw}"));
    }
    if !with_sign && n > Decimal::ZERO && n <= Decimal::ONE {
        let as_percent = f(n * Decimal::ONE_HUNDRED);
        return refuse(format!(
            "“{raw}” 像是小数形式的比例：是否指 {as_percent}%？请写 {as_percent} 或 {as_percent}%；若确是 {raw}%，请写 {raw}%"
        ));
    }
    Ok(n.normalize())
}
