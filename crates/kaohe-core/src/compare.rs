//! What-if of another rubric (a draft for next year): a unit's facts read for one rubric
//! carried to another by key, each value checked again against the new input (its type
//! and bounds), so the same facts can be scored under both. Pure, no I/O.

use crate::facts::{Facts, Value};
use crate::num::fmt as f;
use crate::rubric::{InputType, Rubric, Slot};

/// Facts carried from one rubric to another.
#[derive(Debug, Clone)]
pub struct Carried {
    /// The facts under the new rubric.
    pub facts: Facts,
    /// New facts with no value: the old rubric has no such key, or its value does not
    /// fit the new input (`Some(why)`).
    pub missing: Vec<(Slot, Option<String>)>,
    /// Old facts the new rubric does not read (slots of the old rubric).
    pub dropped: Vec<Slot>,
}

/// The old rubric's fact that a new one reads: the same key, else (a draft imported from
/// an annex has keys of its own) the fact of the same label in the item of the same id,
/// or the unit-level fact of the same label.
pub fn counterpart(old: &Rubric, new: &Rubric, slot: Slot) -> Option<Slot> {
    let input = new.input(slot);
    if let Some(s) = old.slot(&input.key) {
        return Some(s);
    }
    let item_id = input.item.map(|ii| new.items()[ii].id.as_str());
    old.inputs().iter().position(|o| {
        o.label == input.label && o.item.map(|ii| old.items()[ii].id.as_str()) == item_id
    })
}

/// Carries `facts` (for `old`) to `new`, by key, then by item and label.
pub fn carry(old: &Rubric, facts: &Facts, new: &Rubric) -> Carried {
    let mut out = Facts::new(new);
    let mut missing = Vec::new();
    let mut read = vec![false; old.inputs().len()];
    for (slot, input) in new.inputs().iter().enumerate() {
        let Some(from) = counterpart(old, new, slot) else {
            missing.push((slot, None));
            continue;
        };
        read[from] = true;
        let Some(value) = facts.get(from) else {
            continue;
        };
        let text = match (value, input.ty) {
            (Value::Number(n), InputType::Percent) => format!("{}%", f(*n)),
            (Value::Number(n), _) => f(*n),
            (Value::Bool(b), _) => if *b { "是" } else { "否" }.to_string(),
            (Value::Text(t), _) => t.to_string(),
        };
        match new.parse_value(slot, &text) {
            Ok(v) => out.set(slot, v),
            Err(e) => missing.push((slot, Some(e.message))),
        }
    }
    let dropped = (0..old.inputs().len()).filter(|s| !read[*s]).collect();
    Carried {
        facts: out,
        missing,
        dropped,
    }
}

/// One unit under both rubrics.
#[derive(Debug, Clone)]
pub struct UnitCompare {
    pub before: crate::engine::UnitScore,
    pub after: crate::engine::UnitScore,
    pub rank_before: usize,
    pub rank_after: usize,
    pub carried: Carried,
}

/// An item whose points moved across all units: in both rubrics (by id), only in the
/// new one (added) or only in the old one (dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMove {
    pub old_item: Option<usize>,
    pub new_item: Option<usize>,
    /// The new sum over units minus the old.
    pub delta: rust_decimal::Decimal,
}

/// Units' facts (for `old`) scored under both rubrics, in the given order, and the
/// items whose points moved, largest move first.
pub fn compare(old: &Rubric, new: &Rubric, facts: &[Facts]) -> (Vec<UnitCompare>, Vec<ItemMove>) {
    use crate::engine::score;
    use rust_decimal::Decimal;
    let before: Vec<_> = facts.iter().map(|f| score(old, f)).collect();
    let carried: Vec<Carried> = facts.iter().map(|f| carry(old, f, new)).collect();
    let after: Vec<_> = carried.iter().map(|c| score(new, &c.facts)).collect();
    let ranks_before = crate::rank(&before.iter().map(|s| s.total).collect::<Vec<_>>());
    let ranks_after = crate::rank(&after.iter().map(|s| s.total).collect::<Vec<_>>());
    let mut moves = Vec::new();
    let sum = |scores: &[crate::engine::UnitScore], ii: usize| -> Decimal {
        scores.iter().map(|s| s.items[ii].score).sum()
    };
    for (ni, item) in new.items().iter().enumerate() {
        let old_item = old.items().iter().position(|i| i.id == item.id);
        let delta = sum(&after, ni) - old_item.map_or(Decimal::ZERO, |oi| sum(&before, oi));
        if !delta.is_zero() || old_item.is_none() {
            moves.push(ItemMove {
                old_item,
                new_item: Some(ni),
                delta,
            });
        }
    }
    for (oi, item) in old.items().iter().enumerate() {
        if new.items().iter().all(|i| i.id != item.id) {
            moves.push(ItemMove {
                old_item: Some(oi),
                new_item: None,
                delta: -sum(&before, oi),
            });
        }
    }
    moves.sort_by_key(|m| std::cmp::Reverse(m.delta.abs()));
    let units = before
        .into_iter()
        .zip(after)
        .zip(carried)
        .enumerate()
        .map(|(k, ((before, after), carried))| UnitCompare {
            before,
            after,
            rank_before: ranks_before[k],
            rank_after: ranks_after[k],
            carried,
        })
        .collect();
    (units, moves)
}

impl ItemMove {
    /// The item as people name it (`管理工作第5项 网格化管理和信息登记`), said to be new
    /// or gone where it is.
    pub fn name(&self, old: &Rubric, new: &Rubric) -> String {
        let named = |r: &Rubric, ii: usize| {
            format!(
                "{} {}",
                r.item_ref(ii),
                r.items()[ii].name.clone().unwrap_or_default()
            )
        };
        match (self.old_item, self.new_item) {
            (None, Some(ni)) => format!("{}（新增项目）", named(new, ni)),
            (Some(_), Some(ni)) => named(new, ni),
            (Some(oi), None) => format!("{}（新细则中没有）", named(old, oi)),
            (None, None) => String::new(),
        }
    }
}
