//! The crate's tests, linked as one binary (each file is a module).

mod beilun;
mod beilun_file;
mod gaps;
mod new_kinds;
mod other_rubric;
mod properties;
mod validation;
