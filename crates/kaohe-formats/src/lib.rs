//! Files in and out of kaohe that are not the rubric itself: facts tables as a district
//! office keeps them (CSV from Excel, in UTF-8 or GBK; TOML; JSON), and the official
//! annex a rubric is imported from (.docx, .xlsx, text; see [`annex`]); and the official
//! documents made from results (tables, summary workbook, 通报 draft; see [`export`]).

pub mod annex;
pub mod export;
pub mod facts_file;
pub mod fill_in;
pub mod fuzzing;
pub mod import;
pub mod sheet;

pub use facts_file::{FactsFileError, FactsTable, Rows, UnitFacts, read_facts};
