//! The crate's tests, linked as one binary (each file is a module).

mod audit_chain;
mod audit_search;
mod departments_migration;
mod mappings;
mod records;
mod review;
mod story;
