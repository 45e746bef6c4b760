//! Fixes: the lint → apply → re-lint passes in memory ([`session`]; texts go back into the
//! engine as overlays, so cross-file rules see them), applying a fix's edits to a text
//! ([`apply`]) and atomic writes of the changed files ([`write`]). Presenting the outcome
//! (`--diff`, the fixed stdin buffer, the summary) belongs to the command line
//! (`cli::fix_output`).
pub mod apply;
pub mod session;
pub mod suppressions;
pub mod write;
