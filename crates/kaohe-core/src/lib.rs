//! kaohe's scoring core: a rubric (考核评分细则) read as typed rules, facts as typed
//! values, and exact scores with a readable reason for every point.
//!
//! This crate knows nothing of files, SQL, HTTP or HTML. It parses text it is given
//! (a rubric's TOML, a fact's string) and cannot fail once a rubric is validated.

pub mod compare;
pub mod engine;
pub mod explain;
pub mod facts;
pub mod gaps;
mod num;
pub mod rank;
pub mod records;
pub mod rubric;

pub use engine::{UnitScore, score};
pub use facts::{FactError, Facts, Value};
pub use num::{fmt as fmt_decimal, fmt_delta};
pub use rank::rank;
pub use rubric::{Rubric, RubricErrors};
pub use rust_decimal::Decimal;
