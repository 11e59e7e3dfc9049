//! The crate's tests, linked as one binary (each file is a module).

mod cli;
mod export;
mod import;
mod serve;
mod servers;
