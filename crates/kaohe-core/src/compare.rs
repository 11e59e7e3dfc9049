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

/// Carries `facts` (for `old`) to `new`, by key.
pub fn carry(old: &Rubric, facts: &Facts, new: &Rubric) -> Carried {
    let mut out = Facts::new(new);
    let mut missing = Vec::new();
    for (slot, input) in new.inputs().iter().enumerate() {
        let Some(from) = old.slot(&input.key) else {
            missing.push((slot, None));
            continue;
        };
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
    let dropped = old
        .inputs()
        .iter()
        .enumerate()
        .filter(|(_, i)| new.slot(&i.key).is_none())
        .map(|(s, _)| s)
        .collect();
    Carried {
        facts: out,
        missing,
        dropped,
    }
}
