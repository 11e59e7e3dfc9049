//! The rubric file as written: what serde reads before anything is checked. Every field
//! that a message may point at keeps its span.

use serde::Deserialize;
use toml::{Spanned, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) rubric: Spanned<RawMeta>,
    #[serde(default)]
    pub(super) records: Vec<Spanned<RawRecordKind>>,
    #[serde(default)]
    pub(super) unit_facts: Vec<Spanned<RawInput>>,
    #[serde(default)]
    pub(super) grades: Vec<Spanned<RawGrade>>,
    #[serde(default)]
    pub(super) categories: Vec<Spanned<RawCategory>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) id: Spanned<String>,
    pub(super) title: Spanned<String>,
    pub(super) year: Option<i64>,
    pub(super) total: Option<Spanned<Value>>,
    pub(super) max_bonus: Option<Spanned<Value>>,
    pub(super) source: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrade {
    pub(super) name: Spanned<String>,
    pub(super) min: Spanned<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCategory {
    pub(super) id: Spanned<String>,
    pub(super) name: Spanned<String>,
    pub(super) kind: Option<Spanned<String>>,
    pub(super) points: Option<Spanned<Value>>,
    pub(super) max_deduction: Option<Spanned<Value>>,
    pub(super) cap: Option<Spanned<Value>>,
    #[serde(default)]
    pub(super) items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub(super) id: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) number: Option<String>,
    pub(super) points: Option<Spanned<Value>>,
    pub(super) mode: Option<Spanned<String>>,
    pub(super) cap: Option<Spanned<Value>>,
    pub(super) criteria: Spanned<String>,
    #[serde(default)]
    pub(super) inputs: Vec<Spanned<RawInput>>,
    #[serde(default)]
    pub(super) rules: Vec<Spanned<RawRule>>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    pub(super) key: Spanned<String>,
    pub(super) label: String,
    #[serde(rename = "type")]
    pub(super) ty: Spanned<String>,
    pub(super) required: Option<bool>,
    pub(super) min: Option<Spanned<Value>>,
    pub(super) max: Option<Spanned<Value>>,
    pub(super) unit: Option<String>,
    pub(super) note: Option<String>,
    /// A fact kaohe computes instead of somebody typing it: a name
    /// (`"last_year_unrectified"`) or a table (`{ records = "info", where = {…} }`).
    pub(super) from: Option<Spanned<Value>>,
}

/// A kind of record kept during the year (`[[records]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecordKind {
    pub(super) id: Spanned<String>,
    pub(super) name: Spanned<String>,
    pub(super) unit: Option<String>,
    pub(super) fields: Vec<Spanned<RawRecordField>>,
    pub(super) title: Spanned<String>,
    #[serde(default)]
    pub(super) same: Vec<Spanned<String>>,
    pub(super) level: Option<Spanned<String>>,
    pub(super) entered_by: Option<Spanned<String>>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecordField {
    pub(super) key: Spanned<String>,
    pub(super) label: Spanned<String>,
    #[serde(rename = "type")]
    pub(super) ty: Spanned<String>,
    pub(super) options: Option<Vec<Spanned<String>>>,
}

/// One rule as written. Each kind uses some of these fields; which ones is checked in
/// `rules.rs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) kind: Spanned<String>,
    pub(super) label: Option<String>,
    pub(super) input: Option<Spanned<String>>,
    pub(super) each: Option<Spanned<Value>>,
    pub(super) max: Option<Spanned<Value>>,
    pub(super) checks: Option<Vec<Spanned<RawCheck>>>,
    pub(super) apply: Option<Spanned<String>>,
    pub(super) required: Option<Spanned<Value>>,
    pub(super) reference: Option<Spanned<String>>,
    pub(super) deduct: Option<Spanned<Value>>,
    pub(super) terms: Option<Vec<Spanned<RawTerm>>>,
    pub(super) levels: Option<Vec<Spanned<RawTerm>>>,
    pub(super) cap: Option<Spanned<Value>>,
    pub(super) direction: Option<Spanned<String>>,
    pub(super) effect: Option<Spanned<String>>,
    pub(super) step: Option<Spanned<Value>>,
    pub(super) round: Option<Spanned<String>>,
    pub(super) target: Option<Spanned<Value>>,
    pub(super) ratio: Option<Spanned<Vec<String>>>,
    pub(super) tiers: Option<Vec<Spanned<RawTier>>>,
    pub(super) note: Option<String>,
}

/// One band of a `tiers` rule: `{ below = 3, deduct = 2 }` or `{ above = 2, deduct = 2 }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTier {
    pub(super) below: Option<Spanned<Value>>,
    pub(super) above: Option<Spanned<Value>>,
    pub(super) deduct: Spanned<Value>,
}

impl RawRule {
    /// A discretionary rule's key for its amount inside the item: `input`, or
    /// `discretionary` when the rule names none.
    pub(super) fn discretionary_key(&self) -> String {
        self.input
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_else(|| "discretionary".to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub(super) input: Option<Spanned<String>>,
    pub(super) ratio: Option<Spanned<Vec<String>>>,
    pub(super) at_least: Option<Spanned<Value>>,
    pub(super) at_most: Option<Spanned<Value>>,
    pub(super) label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTerm {
    pub(super) input: Spanned<String>,
    pub(super) each: Spanned<Value>,
    pub(super) label: Option<String>,
}
