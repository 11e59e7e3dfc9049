//! What every page shares, and nothing about the year: errors as pages, forms and
//! uploads read at the edge, CSRF tokens, sessions stored in the database, the embedded
//! assets, and the page layout.

pub mod assets;
pub mod client;
pub mod csrf;
pub mod error;
pub mod form;
pub mod health;
pub mod layout;
pub mod request_id;
pub mod sessions;
pub mod upload;
