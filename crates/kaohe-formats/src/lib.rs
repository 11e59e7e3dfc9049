//! Files in and out of kaohe that are not the rubric itself: for now, facts tables as
//! a district office keeps them (CSV from Excel, in UTF-8 or GBK; TOML; JSON).

pub mod facts_file;

pub use facts_file::{FactsFileError, UnitFacts, read_facts};
