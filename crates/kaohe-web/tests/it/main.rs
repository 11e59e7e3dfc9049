//! The crate's tests, linked as one binary (each file is a module).

mod access;
mod admin;
mod admin_import;
mod appeals;
mod auth;
mod bounds;
mod common;
mod evidence;
mod exports;
mod fill_in;
mod history;
mod imports;
mod progress_lock;
mod records;
mod rectify;
mod results;
mod review;
mod review_findings;
mod scale;
mod selfcheck;
mod two_servers;
mod user_edit;
mod words;
mod year;
