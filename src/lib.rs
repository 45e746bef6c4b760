//! buck-lint: a linter for Buck2 repositories that vendor Rust crates with Reindeer.
//!
//! The pipeline, one module per stage:
//! [`discover`] → [`parse`] → [`model`] → [`rules`] → [`report`] / [`fix`],
//! driven by [`engine`] and configured by [`config`]; [`suppress`] applies inline
//! suppression comments; [`lsp`] serves the same engine to editors.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod files;
pub mod fix;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod text;
