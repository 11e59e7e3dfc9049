//! The crate's tests, linked as one binary (each file is a module).

mod annex;
mod corpus;
mod docs_example;
mod export;
mod facts_table;
mod fuzz_corpus;
mod import;
mod whatif_mapping;
