//! Typed views of Reindeer's `fixups.toml` and `reindeer.toml` (`reindeer-schema.md` §2–§6)
//! over a `toml_edit::Document<String>`, keeping byte spans.
//!
//! [`FixupsDoc::analyze`] splits a fixups file into its sections (the top level, each
//! `['cfg(…)']` section and each legacy `[platform_fixup.'cfg(…)']` section) and checks every
//! key against the schema, collecting [`Issue`]s: unknown and removed keys, wrong types, keys
//! that may not be platform-specific, cfg syntax errors and the legacy build-script and
//! platform forms. A legacy construct yields exactly one issue and is not descended into, so
//! old files never produce a cascade of unknown-key noise. [`ReindeerDoc::analyze`] does the
//! same for `reindeer.toml`.
//!
//! Nothing here rejects a file: every shape seen in real repositories (§8) parses into a view,
//! and problems become issues that the rules in `rules/fixups` and `rules/reindeer` report.
//! The text helpers in `edits` compute the byte ranges that fixes edit. `reindeer.toml`
//! reading lives in [`crate::model::reindeer::config`] and the platform sets in
//! [`crate::model::reindeer::platforms`], re-exported here.

use std::ops::Range;

use semver::{Version, VersionReq};
use toml_edit::{Document, Item, Key, TableLike, Value};

use super::cfg_expr::{self, CfgNode, CfgParseError, PlatformCfg, Tri};

mod document;
mod edits;
mod issue;
mod schema;
mod walker;

pub use crate::model::reindeer::config::*;
pub use crate::model::reindeer::platforms::*;
pub use document::*;
pub use edits::*;
pub use issue::*;
pub use schema::*;
pub(crate) use walker::*;

#[cfg(test)]
mod tests;
