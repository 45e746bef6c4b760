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
//! The text helpers at the end compute the byte ranges that fixes edit.

use std::collections::HashMap;
use std::ops::Range;

use semver::{Version, VersionReq};
use toml_edit::{Document, Item, Key, TableLike, Value};

use super::cfg_expr::{self, CfgNode, CfgParseError, PlatformCfg, Tri};
use super::data::Data;

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/// The TOML type a key accepts.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Bool,
    Str,
    StrArray,
    /// `cargo_env`: `true`/`false` or a list of names.
    BoolOrStrArray,
    /// Any array (the `targets` pairs of `[[cxx_library]]`).
    Array,
    /// A table (or inline table) of strings: `env`, `extra_mapped_srcs`.
    StrMap,
    /// Globs or a map (`exported_headers`).
    StrArrayOrStrMap,
    /// A table with a fixed set of keys.
    Table(&'static [KeySpec]),
    /// `buildscript.run`: a boolean or a table.
    BoolOrTable(&'static [KeySpec]),
    /// `[[cxx_library]]`: an array of tables (or an array of inline tables).
    ArrayOfTables(&'static [KeySpec]),
    /// `[[rustc_flags_select]]`: an array of tables mapping constraint labels to string arrays.
    SelectArray,
    /// A table with free keys, each of the given type (`resolver.dependencies`).
    MapOf(&'static Ty),
    /// `buildscript`: checked by its own walker (legacy forms).
    Buildscript,
    /// reindeer.toml `vendor`: a boolean, `"local-registry"` or a table.
    Vendor,
    /// reindeer.toml `[platform.<name>]` tables.
    Platforms,
}

impl Ty {
    /// "a boolean", "an array of strings", … for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Ty::Bool => "a boolean",
            Ty::Str => "a string",
            Ty::StrArray => "an array of strings",
            Ty::BoolOrStrArray => "a boolean or an array of strings",
            Ty::Array => "an array",
            Ty::StrMap => "a table of strings",
            Ty::StrArrayOrStrMap => "an array of strings or a table of strings",
            Ty::Table(_) | Ty::MapOf(_) | Ty::Buildscript | Ty::Platforms => "a table",
            Ty::BoolOrTable(_) => "a boolean or a table",
            Ty::ArrayOfTables(_) => "an array of tables (`[[…]]`)",
            Ty::SelectArray => "an array of tables (`[[…]]`) of string arrays",
            Ty::Vendor => "a boolean, \"local-registry\" or a table",
        }
    }
}

/// One key of a schema level.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub name: &'static str,
    pub ty: Ty,
    /// May appear in a `cfg(…)` section whose predicate uses more than `version`.
    pub platform_ok: bool,
    pub required: bool,
}

const fn k(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec { name, ty, platform_ok: true, required: false }
}
/// A key restricted to the top level and version-only sections.
const fn r(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec { name, ty, platform_ok: false, required: false }
}
const fn req(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec { name, ty, platform_ok: true, required: true }
}

pub const EXPORT_SOURCES_KEYS: &[KeySpec] =
    &[req("name", Ty::Str), req("srcs", Ty::StrArray), k("exclude", Ty::StrArray), k("visibility", Ty::StrArray)];

pub const NARROW_KEYS: &[KeySpec] = &[k("narrow_to", Ty::Str)];
pub const RESOLVER_KEYS: &[KeySpec] = &[k("dependencies", Ty::MapOf(&Ty::Table(NARROW_KEYS)))];

/// `[buildscript.build]`: settings for compiling the build script.
pub const BUILDSCRIPT_BUILD_KEYS: &[KeySpec] = &[
    k("env", Ty::StrMap),
    k("link_style", Ty::Str),
    k("extra_srcs", Ty::StrArray),
    k("extra_mapped_srcs", Ty::StrMap),
    k("extra_deps", Ty::StrArray),
    k("omit_deps", Ty::StrArray),
];
/// `[buildscript.run]`: running the build script.
pub const BUILDSCRIPT_RUN_KEYS: &[KeySpec] =
    &[k("env", Ty::StrMap), k("rustc_link_lib", Ty::Bool), k("rustc_link_search", Ty::Bool)];
pub const BUILDSCRIPT_KEYS: &[KeySpec] =
    &[k("build", Ty::Table(BUILDSCRIPT_BUILD_KEYS)), k("run", Ty::BoolOrTable(BUILDSCRIPT_RUN_KEYS))];

pub const CXX_LIBRARY_KEYS: &[KeySpec] = &[
    req("name", Ty::Str),
    req("srcs", Ty::StrArray),
    k("targets", Ty::Array),
    k("headers", Ty::StrArray),
    k("exported_headers", Ty::StrArrayOrStrMap),
    k("add_dep", Ty::Bool),
    k("public", Ty::Bool),
    k("include_paths", Ty::StrArray),
    k("fixup_include_paths", Ty::StrArray),
    k("exclude", Ty::StrArray),
    k("compiler_flags", Ty::StrArray),
    k("preprocessor_flags", Ty::StrArray),
    k("header_namespace", Ty::Str),
    k("deps", Ty::StrArray),
    k("compatible_with", Ty::StrArray),
    k("target_compatible_with", Ty::StrArray),
    k("preferred_linkage", Ty::Str),
    k("undefined_symbols", Ty::Bool),
];
pub const PREBUILT_CXX_LIBRARY_KEYS: &[KeySpec] = &[
    req("name", Ty::Str),
    req("static_libs", Ty::StrArray),
    k("add_dep", Ty::Bool),
    k("targets", Ty::Array),
    k("public", Ty::Bool),
    k("compatible_with", Ty::StrArray),
    k("target_compatible_with", Ty::StrArray),
    k("preferred_linkage", Ty::Str),
];

/// Every key of a fixups file's top level (and of its cfg sections).
pub const FIXUP_KEYS: &[KeySpec] = &[
    r("visibility", Ty::StrArray),
    r("omit_targets", Ty::StrArray),
    r("precise_srcs", Ty::Bool),
    r("python_ext", Ty::Str),
    r("export_sources", Ty::Table(EXPORT_SOURCES_KEYS)),
    r("compatible_with", Ty::StrArray),
    r("target_compatible_with", Ty::StrArray),
    r("target_compatible_with_select", Ty::SelectArray),
    r("resolver", Ty::Table(RESOLVER_KEYS)),
    k("extra_srcs", Ty::StrArray),
    k("omit_srcs", Ty::StrArray),
    k("rustc_flags", Ty::StrArray),
    k("rustc_flags_select", Ty::SelectArray),
    k("cfgs", Ty::StrArray),
    k("features", Ty::StrArray),
    k("omit_features", Ty::StrArray),
    k("extra_deps", Ty::StrArray),
    k("omit_deps", Ty::StrArray),
    k("cargo_env", Ty::BoolOrStrArray),
    k("overlay", Ty::Str),
    k("link_style", Ty::Str),
    k("preferred_linkage", Ty::Str),
    k("linker_flags", Ty::StrArray),
    k("env", Ty::StrMap),
    k("extra_mapped_srcs", Ty::StrMap),
    k("buildscript", Ty::Buildscript),
    k("cxx_library", Ty::ArrayOfTables(CXX_LIBRARY_KEYS)),
    k("prebuilt_cxx_library", Ty::ArrayOfTables(PREBUILT_CXX_LIBRARY_KEYS)),
];

/// The keys `restricted` to the top level and version-only sections, in Reindeer's order.
pub fn restricted_keys() -> impl Iterator<Item = &'static str> {
    FIXUP_KEYS.iter().filter(|s| !s.platform_ok).map(|s| s.name)
}

/// Names `cargo_env` may list (`reindeer-schema.md` §2).
pub const CARGO_ENV_NAMES: &[&str] = &[
    "CARGO_BIN_NAME",
    "CARGO_CRATE_NAME",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_LINKS",
    "CARGO_PKG_AUTHORS",
    "CARGO_PKG_DESCRIPTION",
    "CARGO_PKG_HOMEPAGE",
    "CARGO_PKG_NAME",
    "CARGO_PKG_README",
    "CARGO_PKG_REPOSITORY",
    "CARGO_PKG_RUST_VERSION",
    "CARGO_PKG_VERSION",
    "CARGO_PKG_VERSION_MAJOR",
    "CARGO_PKG_VERSION_MINOR",
    "CARGO_PKG_VERSION_PATCH",
    "CARGO_PKG_VERSION_PRE",
];

/// Sub-keys of the legacy `[[buildscript]]` forms (R23).
pub const LEGACY_BUILDSCRIPT_KEYS: &[&str] = &[
    "rustc_flags",
    "gen_srcs",
    "cxx_library",
    "prebuilt_cxx_library",
    "unresolved",
    "path_env",
    "args_env",
    "input_srcs",
    "files",
    "mapped",
    "targets",
];

/// A key that Reindeer used to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub name: &'static str,
    /// Sentence fragment naming the removal: "was renamed `omit_deps` in 2023".
    pub what: &'static str,
    /// Safe-to-rename replacement key (the rule's fix is still unsafe).
    pub rename: Option<&'static str>,
    /// A key from a Reindeer fork rather than a removed upstream key.
    pub fork: bool,
}

const fn rm(name: &'static str, what: &'static str) -> Removed {
    Removed { name, what, rename: None, fork: false }
}

/// Removed fixups keys (`reindeer-schema.md` §6.1, R25).
pub const FIXUP_REMOVED: &[Removed] = &[
    Removed { name: "filter_deps", what: "was renamed `omit_deps` in 2023", rename: Some("omit_deps"), fork: false },
    rm("src_referenced_dirs", "was removed (use `extra_srcs` globs instead)"),
];

/// The single-table form of `rustc_flags_select` (a sequence since 2025-07-14).
pub const RUSTC_FLAGS_SELECT_TABLE: Removed = rm(
    "rustc_flags_select",
    "must be an array of tables (`[[rustc_flags_select]]`) since 2025-07-14 (commit 8ca3b342), not a single table",
);
/// The version-map form of `visibility`.
pub const VISIBILITY_MAP: Removed = rm(
    "visibility",
    "no longer takes a version map (removed 2025-10-17, commit 1d91ee4b; use `visibility = [...]` in `['cfg(version = \"…\")']` sections)",
);

// reindeer.toml -------------------------------------------------------------------------------

pub const RT_CARGO_KEYS: &[KeySpec] = &[k("cargo", Ty::Str), k("rustc", Ty::Str), k("bindeps", Ty::Bool)];
pub const RT_BUCK_KEYS: &[KeySpec] = &[
    k("file_name", Ty::Str),
    k("split", Ty::Bool),
    k("platform_compatibility_on_all_targets", Ty::Bool),
    k("generated_file_header", Ty::Str),
    k("buckfile_imports", Ty::Str),
    k("alias", Ty::Str),
    k("alias_with_platforms", Ty::Str),
    k("rust_filegroup", Ty::Str),
    k("filegroup", Ty::Str),
    k("http_archive", Ty::Str),
    k("extract_archive", Ty::Str),
    k("git_fetch", Ty::Str),
    k("rust_library", Ty::Str),
    k("rust_binary", Ty::Str),
    k("cxx_library", Ty::Str),
    k("prebuilt_cxx_library", Ty::Str),
    k("buildscript_binary", Ty::Str),
    k("buildscript_genrule", Ty::Str),
];
pub const RT_VENDOR_KEYS: &[KeySpec] = &[k("gitignore_checksum_exclude", Ty::StrArray)];
pub const RT_EXTERN_CRATES_KEYS: &[KeySpec] = &[k("target", Ty::Str), k("vendored", Ty::StrArray)];
pub const RT_KEYS: &[KeySpec] = &[
    k("manifest_path", Ty::Str),
    k("third_party_dir", Ty::Str),
    k("fixups_dir", Ty::Str),
    k("precise_srcs", Ty::Bool),
    k("license_patterns", Ty::StrArray),
    k("unresolved_fixup_error", Ty::Bool),
    k("unresolved_fixup_error_message", Ty::Str),
    k("include_top_level", Ty::Bool),
    k("include_workspace_members", Ty::Bool),
    k("third_party_metadata", Ty::Bool),
    k("cargo_env", Ty::BoolOrStrArray),
    k("cargo", Ty::Table(RT_CARGO_KEYS)),
    k("buck", Ty::Table(RT_BUCK_KEYS)),
    k("vendor", Ty::Vendor),
    k("extern_crates", Ty::Table(RT_EXTERN_CRATES_KEYS)),
    k("platform", Ty::Platforms),
];

/// Removed or fork-only reindeer.toml keys, by dotted path (`reindeer-schema.md` §6.2).
pub const RT_REMOVED: &[Removed] = &[
    rm("universe", "was removed on 2025-07-08 (commit fb70f137)"),
    rm("fixup_templates", "was removed on 2025-04-28 (write fixups by hand)"),
    Removed {
        name: "vendor.checksum_exclude",
        what: "was removed on 2026-07-28 (commit d2950537; use `vendor.gitignore_checksum_exclude` or a `.gitignore`)",
        rename: Some("gitignore_checksum_exclude"),
        fork: false,
    },
    rm("emit_metadata", "was removed in 2023"),
    rm("extra_top_levels", "was removed in 2023"),
    rm("versioned_dirs", "was removed in 2023"),
    rm("cargo.versioned_dirs", "was removed in 2023"),
    rm("rustc_flags", "(a universal `rustc_flags`) was removed in 2023 (put flags in per-crate fixups)"),
    rm("buildscript_genrule_srcs", "was removed in 2023"),
    rm("buildscript_genrule_args", "was removed in 2023"),
    rm("buck.buildscript_genrule_args", "was removed in 2023"),
    rm("buck.buildscript_genrule_srcs", "was removed in 2023"),
    rm("buck.buildscript_genrule_args_srcs", "was removed in 2023"),
    rm("public_top_level", "was removed in 2022"),
    rm("targets_name", "was removed in 2022"),
    rm("buck.targets_name", "was removed in 2022"),
    rm("buildifier", "(buildifier settings) was removed in 2022"),
    rm("buck.buildifier", "(buildifier settings) was removed in 2022"),
    rm("buck.buildifier_path", "(buildifier settings) was removed in 2022"),
    Removed {
        name: "shared_fixups",
        what: "is not an upstream Reindeer key; it may come from a Reindeer fork",
        rename: None,
        fork: true,
    },
    Removed {
        name: "audit",
        what: "is not an upstream Reindeer key; it may come from a Reindeer fork",
        rename: None,
        fork: true,
    },
];

/// Description of a TOML item's type for "found …" messages.
pub fn describe_item(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => describe_value(v),
    }
}

pub fn describe_value(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

// ---------------------------------------------------------------------------------------------
// Issues
// ---------------------------------------------------------------------------------------------

/// A legacy build-script construct (R23).
#[derive(Clone, Copy)]
pub enum LegacyBuildscript<'d> {
    /// `buildscript = []` (`empty`), or an array value with elements.
    Array { empty: bool },
    /// One element of `[[buildscript]]` (`index` of `count`).
    Element { index: usize, count: usize, table: &'d dyn TableLike },
    /// A legacy sub-key of a `buildscript` table (`[buildscript.gen_srcs]`,
    /// `[[buildscript.cxx_library]]`, …).
    SubKey { name: &'d str, item: &'d Item },
}

impl std::fmt::Debug for LegacyBuildscript<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LegacyBuildscript::Array { empty } => write!(f, "Array {{ empty: {empty} }}"),
            LegacyBuildscript::Element { index, count, .. } => {
                write!(f, "Element {{ index: {index}, count: {count} }}")
            }
            LegacyBuildscript::SubKey { name, .. } => write!(f, "SubKey {{ name: {name:?} }}"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum IssueKind<'d> {
    /// Unknown key (R25 / R37). `suggestion`: the closest schema key (did-you-mean);
    /// `rename`: the key a fix may rename to (edit distance ≤ 2, or a removed key's rename);
    /// `removed`: a key Reindeer used to accept; `note`: extra explanation.
    UnknownKey {
        suggestion: Option<&'static str>,
        rename: Option<&'static str>,
        removed: Option<Removed>,
        note: Option<&'static str>,
    },
    /// A key with the wrong TOML type (R25 / R37).
    WrongType { expected: &'static str, found: &'static str },
    /// A value Reindeer does not accept (an unknown `cargo_env` name).
    BadValue { message: String },
    /// A required key is missing (anchored on the table header).
    MissingKey { key: &'static str },
    /// R23.
    LegacyBuildscript(LegacyBuildscript<'d>),
    /// R24: a `[platform_fixup.'…']` section (index into [`FixupsDoc::sections`]).
    LegacyPlatformSection { section: usize },
    /// R24: an empty `[platform_fixup]` header.
    LegacyPlatformEmpty,
    /// R24: a `version = "…"` key inside a section (index into sections).
    LegacyVersionKey { section: usize },
    /// R26: a restricted key in a section whose predicate uses more than `version`.
    Restricted { section: usize },
    /// R27 error: the section key does not parse. `span` is mapped into the file.
    CfgParse { section: usize, error: CfgParseError },
}

#[derive(Clone)]
pub struct Issue<'d> {
    pub kind: IssueKind<'d>,
    /// Dotted display path of the key (`buildscript.runs`, `['cfg(unix)'].filter_deps`).
    pub path: String,
    /// The key as written (last segment).
    pub key: String,
    /// Where the finding sits (byte range in the file).
    pub span: Range<usize>,
    /// The key token's span, when the issue is about a key.
    pub key_span: Option<Range<usize>>,
    /// The item the key holds.
    pub item: Option<&'d Item>,
    /// The table holding the key.
    pub parent: Option<&'d dyn TableLike>,
    /// Index of the section the key is in.
    pub section: usize,
}

// ---------------------------------------------------------------------------------------------
// Fixups document
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// The file's top level.
    Top,
    /// `['cfg(…)']`.
    Cfg,
    /// `[platform_fixup.'cfg(…)']` (legacy).
    LegacyPlatform,
}

/// A `version = "…"` key inside a section (legacy).
#[derive(Debug, Clone)]
pub struct LegacyVersion {
    pub raw: String,
    pub req: Option<VersionReq>,
    pub key_span: Range<usize>,
    pub value_span: Range<usize>,
}

/// One section of a fixups file.
pub struct Section<'d> {
    pub kind: SectionKind,
    /// The section key as written (`cfg(…)`); `None` for the top level.
    pub key: Option<String>,
    /// Span of the key token (quotes included).
    pub key_span: Option<Range<usize>>,
    /// File offset of the key's first character when the key maps 1:1 into the file (literal
    /// or escape-free basic strings).
    pub key_text_offset: Option<usize>,
    /// The explicit `[…]` header, if the section has one.
    pub header_span: Option<Range<usize>>,
    /// The parsed predicate (`None` for the top level, a parse error, or a non-`cfg(` key).
    pub pred: Option<CfgNode>,
    pub parse_failed: bool,
    pub table: &'d dyn TableLike,
    pub item: Option<&'d Item>,
    pub legacy_version: Option<LegacyVersion>,
}

impl<'d> Section<'d> {
    /// Where findings about the section sit: its header, or its key.
    pub fn anchor(&self) -> Range<usize> {
        self.header_span.clone().or_else(|| self.key_span.clone()).unwrap_or(0..0)
    }

    /// Map a byte range of the key string into the file.
    pub fn map_key_range(&self, r: &Range<usize>) -> Range<usize> {
        match (self.key_text_offset, &self.key_span) {
            (Some(o), _) => o + r.start..o + r.end,
            (None, Some(s)) => s.clone(),
            (None, None) => 0..0,
        }
    }

    /// Does the predicate use only `version` atoms? `None` when unknown (parse error or a
    /// non-cfg legacy key). The top level counts as version-only.
    pub fn version_only(&self) -> Option<bool> {
        match self.kind {
            SectionKind::Top => Some(true),
            _ => self.pred.as_ref().map(|p| p.uses_only_version()),
        }
    }

    /// Display form of the section for messages: `['cfg(unix)']`, `the top level`.
    pub fn display(&self) -> String {
        match (&self.kind, &self.key) {
            (SectionKind::Top, _) | (_, None) => "the top level".into(),
            (SectionKind::Cfg, Some(k)) => format!("['{k}']"),
            (SectionKind::LegacyPlatform, Some(k)) => format!("[platform_fixup.'{k}']"),
        }
    }

    /// Three-valued: does the section apply to this package version? Platform atoms are
    /// unknown; a legacy `version` key is taken into account.
    pub fn applies_to_version(&self, v: &Version) -> Tri {
        let pred = match (&self.kind, &self.pred) {
            (SectionKind::Top, _) => Tri::True,
            (_, Some(p)) => p.eval_version(v),
            (_, None) => Tri::Unknown,
        };
        pred.and(self.legacy_version_tri(v))
    }

    fn legacy_version_tri(&self, v: &Version) -> Tri {
        match &self.legacy_version {
            Some(LegacyVersion { req: Some(r), .. }) => Tri::from_bool(r.matches(v)),
            Some(_) => Tri::Unknown,
            None => Tri::True,
        }
    }

    /// Does the section apply on a platform (and optionally a version)?
    pub fn applies_on(&self, platform: &dyn PlatformCfg, v: Option<&Version>) -> Tri {
        let pred = match (&self.kind, &self.pred) {
            (SectionKind::Top, _) => Tri::True,
            (_, Some(p)) => p.eval(platform, v),
            (_, None) => Tri::Unknown,
        };
        match v {
            Some(v) => pred.and(self.legacy_version_tri(v)),
            None if self.legacy_version.is_some() => pred.and(Tri::Unknown),
            None => pred,
        }
    }

    /// The section has version atoms or a legacy `version` key.
    pub fn has_version_condition(&self) -> bool {
        self.legacy_version.is_some() || self.pred.as_ref().is_some_and(|p| p.has_version())
    }

    /// `(key, item)` of a key of this section.
    pub fn get(&self, key: &str) -> Option<(&'d Key, &'d Item)> {
        self.table.get_key_value(key).filter(|(_, i)| !i.is_none())
    }

    /// The build-script settings of this section.
    pub fn buildscript(&self) -> Option<Buildscript<'d>> {
        let (key, item) = self.get("buildscript")?;
        Some(Buildscript::new(key, item))
    }

    /// String entries of an array key (`rustc_flags`, `features`, …) with their spans.
    pub fn strings(&self, key: &str) -> Vec<StrEntry<'d>> {
        self.get(key).map(|(_, i)| strings_of(i)).unwrap_or_default()
    }

    /// `[buildscript.build]` string entries of an array key (`extra_deps`, `omit_deps`).
    pub fn build_strings(&self, key: &str) -> Vec<StrEntry<'d>> {
        self.table
            .get("buildscript")
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get("build"))
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get(key))
            .map(strings_of)
            .unwrap_or_default()
    }

    /// Every env table of the section: `env`, `buildscript.run.env`, `buildscript.build.env`.
    pub fn env_tables(&self) -> Vec<(EnvKind, &'d dyn TableLike)> {
        let mut out = Vec::new();
        if let Some(t) = self.table.get("env").and_then(|e| e.as_table_like()) {
            out.push((EnvKind::Library, t));
        }
        if let Some(b) = self.table.get("buildscript").and_then(|b| b.as_table_like()) {
            for (sub, kind) in [("run", EnvKind::Run), ("build", EnvKind::Build)] {
                if let Some(t) = b
                    .get(sub)
                    .and_then(|r| r.as_table_like())
                    .and_then(|r| r.get("env"))
                    .and_then(|e| e.as_table_like())
                {
                    out.push((kind, t));
                }
            }
        }
        out
    }

    /// Env entries of legacy `[[buildscript]]` elements (`[buildscript.gen_srcs]` and
    /// `[buildscript.rustc_flags]` with `env`/`path_env`), with the table they sit in
    /// (`buildscript.gen_srcs.env`).
    pub fn legacy_env_entries(&self) -> Vec<(String, EnvEntry<'d>)> {
        let mut out = Vec::new();
        let elements: Vec<&'d dyn TableLike> = match self.table.get("buildscript") {
            Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
            Some(Item::Value(Value::Array(a))) => {
                a.iter().filter_map(|v| v.as_inline_table()).map(|t| t as &dyn TableLike).collect()
            }
            _ => Vec::new(),
        };
        for el in elements {
            for sub in ["gen_srcs", "rustc_flags"] {
                let Some(t) = el.get(sub).and_then(|x| x.as_table_like()) else { continue };
                for key in ["env", "path_env"] {
                    if let Some(env) = t.get(key).and_then(|e| e.as_table_like()) {
                        out.extend(env_entries(env).into_iter().map(|e| (format!("buildscript.{sub}.{key}"), e)));
                    }
                }
            }
        }
        out
    }

    /// Every string env entry of the section.
    pub fn env_entries(&self) -> Vec<(EnvKind, EnvEntry<'d>)> {
        let mut out = Vec::new();
        for (kind, t) in self.env_tables() {
            for e in env_entries(t) {
                out.push((kind, e));
            }
        }
        out
    }

    /// A non-empty `[[cxx_library]]`, `[[prebuilt_cxx_library]]` or `extra_deps` in this
    /// section: something that may stand in for a native library.
    /// Does something in this section provide the native library that a build script's link
    /// lines would: a `[[cxx_library]]`, a `[[prebuilt_cxx_library]]`, `extra_deps`, or link
    /// flags in `rustc_flags` (`-lz`, `-l dylib=z`, `-L native=…`, `-Clink-arg=-lz`)?
    pub fn has_native_standin(&self) -> bool {
        ["cxx_library", "prebuilt_cxx_library", "extra_deps"].iter().any(|key| match self.get(key) {
            Some((_, Item::ArrayOfTables(a))) => !a.is_empty(),
            Some((_, Item::Value(Value::Array(a)))) => !a.is_empty(),
            Some((_, i)) => i.is_table_like(),
            None => false,
        }) || self.strings("rustc_flags").iter().any(|f| is_link_flag(f.value))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvKind {
    /// `env`: compiling the library.
    Library,
    /// `buildscript.run.env`: running the build script.
    Run,
    /// `buildscript.build.env`: compiling the build script.
    Build,
}

impl EnvKind {
    pub fn table_name(self) -> &'static str {
        match self {
            EnvKind::Library => "env",
            EnvKind::Run => "buildscript.run.env",
            EnvKind::Build => "buildscript.build.env",
        }
    }
}

/// A string in an array, with its literal's span.
#[derive(Debug, Clone)]
pub struct StrEntry<'d> {
    pub value: &'d str,
    pub span: Range<usize>,
}

/// `KEY = "value"` in an env table.
#[derive(Debug, Clone)]
pub struct EnvEntry<'d> {
    pub key: &'d str,
    pub key_span: Range<usize>,
    pub value: &'d str,
    pub value_span: Range<usize>,
}

/// A rustc flag that links a native library or adds a search path.
pub fn is_link_flag(f: &str) -> bool {
    let f = f.trim();
    f.starts_with("-l")
        || f.starts_with("-L")
        || f.starts_with("-Clink-arg")
        || f.starts_with("-C link-arg")
        || f.starts_with("-Clink-args")
        || f.starts_with("--library")
}

pub fn strings_of(item: &Item) -> Vec<StrEntry<'_>> {
    let Some(a) = item.as_array() else { return Vec::new() };
    a.iter().filter_map(|v| Some(StrEntry { value: v.as_str()?, span: v.span().unwrap_or(0..0) })).collect()
}

pub fn env_entries(t: &dyn TableLike) -> Vec<EnvEntry<'_>> {
    t.iter()
        .filter_map(|(k, v)| {
            let value = v.as_str()?;
            Some(EnvEntry {
                key: k,
                key_span: t.key(k).and_then(|k| k.span()).unwrap_or(0..0),
                value,
                value_span: v.span().unwrap_or(0..0),
            })
        })
        .collect()
}

/// What a section says about running the build script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run it (`true`) or not (`false`).
    Run(bool),
    /// An explicit placeholder (`unresolved = '…'`, `[buildscript.build]` templates).
    Undecided,
}

/// The `buildscript` key of a section.
#[derive(Debug, Clone)]
pub struct Buildscript<'d> {
    pub key_span: Range<usize>,
    pub item: &'d Item,
    /// `buildscript.run`: its key span and item.
    pub run: Option<(Range<usize>, &'d Item)>,
    pub legacy: bool,
}

impl<'d> Buildscript<'d> {
    fn new(key: &'d Key, item: &'d Item) -> Self {
        let key_span = key.span().unwrap_or(0..0);
        let legacy = !item.is_table_like();
        let run = item
            .as_table_like()
            .and_then(|t| t.get_key_value("run"))
            .filter(|(_, i)| !i.is_none())
            .map(|(k, i)| (k.span().unwrap_or(0..0), i));
        Buildscript { key_span, item, run, legacy }
    }

    /// The decision this key makes, if any.
    pub fn decision(&self) -> Option<Decision> {
        match self.item {
            Item::Value(Value::Array(a)) if a.is_empty() => Some(Decision::Run(false)),
            Item::Value(Value::Array(a)) => {
                legacy_decision(a.iter().filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike)))
            }
            Item::ArrayOfTables(a) => legacy_decision(a.iter().map(|t| t as &dyn TableLike)),
            Item::Value(Value::InlineTable(_)) | Item::Table(_) => match self.run {
                Some((_, Item::Value(Value::Boolean(b)))) => Some(Decision::Run(*b.value())),
                Some((_, i)) if i.is_table_like() => Some(Decision::Run(true)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The `run` value when it is a literal boolean: `(value, key span, value span)`.
    pub fn run_bool(&self) -> Option<(bool, Range<usize>, Range<usize>)> {
        let (ks, item) = self.run.clone()?;
        let b = item.as_bool()?;
        Some((b, ks, item.span().unwrap_or(0..0)))
    }

    /// The `run` table, when `run` is a table.
    pub fn run_table(&self) -> Option<&'d dyn TableLike> {
        self.run.as_ref().and_then(|(_, i)| i.as_table_like())
    }

    /// Where a finding about `buildscript.run` sits: `buildscript.run` of a dotted key, the
    /// `run` key, or the `buildscript` key.
    pub fn run_anchor(&self) -> Range<usize> {
        match &self.run {
            Some((rk, _)) if self.key_span.start < rk.start && self.key_span.end <= rk.start => {
                self.key_span.start..rk.end
            }
            Some((rk, _)) => rk.clone(),
            None => self.key_span.clone(),
        }
    }

    /// `rustc_link_lib` or `rustc_link_search` is set to true.
    pub fn forwards_link_lines(&self) -> bool {
        self.run_table().is_some_and(|t| {
            ["rustc_link_lib", "rustc_link_search"].iter().any(|k| t.get(k).and_then(|v| v.as_bool()) == Some(true))
        })
    }
}

fn legacy_decision<'a>(elements: impl Iterator<Item = &'a dyn TableLike>) -> Option<Decision> {
    let mut decided = None;
    for t in elements {
        if t.contains_key("unresolved") {
            return Some(Decision::Undecided);
        }
        if t.contains_key("rustc_flags") || t.contains_key("gen_srcs") {
            decided = Some(Decision::Run(true));
        } else if decided.is_none() && (t.contains_key("cxx_library") || t.contains_key("prebuilt_cxx_library")) {
            decided = Some(Decision::Run(false));
        }
    }
    Some(decided.unwrap_or(Decision::Undecided))
}

/// A fixups file: its sections and its schema issues.
pub struct FixupsDoc<'d> {
    pub doc: &'d Document<String>,
    pub text: &'d str,
    /// `sections[0]` is the top level.
    pub sections: Vec<Section<'d>>,
    pub issues: Vec<Issue<'d>>,
}

impl<'d> FixupsDoc<'d> {
    pub fn analyze(doc: &'d Document<String>) -> FixupsDoc<'d> {
        let text = doc.raw();
        let root = doc.as_table();
        let mut w = Walker { text, issues: Vec::new() };
        let mut sections = vec![Section {
            kind: SectionKind::Top,
            key: None,
            key_span: None,
            key_text_offset: None,
            header_span: None,
            pred: None,
            parse_failed: false,
            table: root,
            item: None,
            legacy_version: None,
        }];
        for (k, item) in root.iter() {
            if item.is_none() {
                continue;
            }
            let key = root.key(k).expect("key of an iterated entry");
            if k.starts_with("cfg(") {
                let Some(t) = item.as_table_like() else {
                    w.wrong_type(&format!("['{k}']"), key, item, "a table (a `['cfg(…)']` section)", root, 0);
                    continue;
                };
                let idx = sections.len();
                sections.push(w.section(SectionKind::Cfg, k, key, item, t, idx));
                w.check_section(&sections[idx], idx, &format!("['{k}']"));
            } else if k == "platform_fixup" {
                let Some(pf) = item.as_table_like() else {
                    w.wrong_type(k, key, item, "a table", root, 0);
                    continue;
                };
                let mut any = false;
                for (sk, sub) in pf.iter() {
                    if sub.is_none() {
                        continue;
                    }
                    let skey = pf.key(sk).expect("key of an iterated entry");
                    let Some(st) = sub.as_table_like() else {
                        w.unknown(&format!("platform_fixup.{sk}"), skey, sub, pf, 0, &[], None);
                        continue;
                    };
                    any = true;
                    let idx = sections.len();
                    sections.push(w.section(SectionKind::LegacyPlatform, sk, skey, sub, st, idx));
                    let s = &sections[idx];
                    w.issues.push(Issue {
                        kind: IssueKind::LegacyPlatformSection { section: idx },
                        path: format!("platform_fixup.'{sk}'"),
                        key: sk.to_string(),
                        span: s.anchor(),
                        key_span: skey.span(),
                        item: Some(sub),
                        parent: Some(pf),
                        section: idx,
                    });
                    w.check_section(&sections[idx], idx, &format!("[platform_fixup.'{sk}']"));
                }
                if !any {
                    w.issues.push(Issue {
                        kind: IssueKind::LegacyPlatformEmpty,
                        path: k.to_string(),
                        key: k.to_string(),
                        span: header_span(item).or_else(|| key.span()).unwrap_or(0..0),
                        key_span: key.span(),
                        item: Some(item),
                        parent: Some(root),
                        section: 0,
                    });
                }
            } else if k == "version" {
                let lv = legacy_version(key, item);
                w.issues.push(Issue {
                    kind: IssueKind::LegacyVersionKey { section: 0 },
                    path: k.to_string(),
                    key: k.to_string(),
                    span: key.span().unwrap_or(0..0),
                    key_span: key.span(),
                    item: Some(item),
                    parent: Some(root),
                    section: 0,
                });
                sections[0].legacy_version = lv;
            } else {
                w.check_key(k, key, item, root, FIXUP_KEYS, "", 0, false, true);
            }
        }
        // The top-level table of a dotted/inline document has no header.
        let mut issues = w.issues;
        issues.sort_by_key(|i| (i.span.start, i.span.end));
        FixupsDoc { doc, text, sections, issues }
    }

    /// Sections that may apply to a version (not definitely false).
    pub fn sections_for(&self, v: &Version) -> impl Iterator<Item = &Section<'d>> {
        self.sections.iter().filter(move |s| !s.applies_to_version(v).is_false())
    }

    /// Something stands in for a native library anywhere in the file.
    pub fn has_native_standin(&self) -> bool {
        self.sections.iter().any(|s| s.has_native_standin())
    }

    /// Byte offsets of every explicit table header (sorted).
    pub fn header_starts(&self) -> Vec<usize> {
        header_starts(self.doc)
    }
}

/// The explicit header span of a table item.
pub fn header_span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Table(t) if !t.is_implicit() && !t.is_dotted() => t.span(),
        _ => None,
    }
}

fn legacy_version(key: &Key, item: &Item) -> Option<LegacyVersion> {
    let raw = item.as_str()?;
    Some(LegacyVersion {
        raw: raw.to_string(),
        req: VersionReq::parse(raw.trim()).ok(),
        key_span: key.span().unwrap_or(0..0),
        value_span: item.span().unwrap_or(0..0),
    })
}

/// File offset of a key's first character when the key token maps 1:1 to its value.
pub fn key_text_offset(text: &str, key: &Key) -> Option<usize> {
    let span = key.span()?;
    let raw = text.get(span.clone())?;
    if raw.starts_with('\'') {
        return Some(span.start + 1);
    }
    if raw.starts_with('"') {
        return (raw.len() >= 2 && &raw[1..raw.len() - 1] == key.get()).then_some(span.start + 1);
    }
    (raw == key.get()).then_some(span.start)
}

struct Walker<'d> {
    text: &'d str,
    issues: Vec<Issue<'d>>,
}

impl<'d> Walker<'d> {
    fn section(
        &mut self,
        kind: SectionKind,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        t: &'d dyn TableLike,
        idx: usize,
    ) -> Section<'d> {
        let mut s = Section {
            kind,
            key: Some(k.to_string()),
            key_span: key.span(),
            key_text_offset: key_text_offset(self.text, key),
            header_span: header_span(item),
            pred: None,
            parse_failed: false,
            table: t,
            item: Some(item),
            legacy_version: None,
        };
        match cfg_expr::parse_section_key(k) {
            Ok(Some(p)) => s.pred = Some(p),
            Ok(None) => {}
            Err(e) => {
                s.parse_failed = true;
                let span = s.map_key_range(&e.span);
                self.issues.push(Issue {
                    kind: IssueKind::CfgParse { section: idx, error: e },
                    path: k.to_string(),
                    key: k.to_string(),
                    span,
                    key_span: key.span(),
                    item: Some(item),
                    parent: None,
                    section: idx,
                });
            }
        }
        if let Some((vk, vi)) = t.get_key_value("version").filter(|(_, i)| !i.is_none()) {
            s.legacy_version = legacy_version(vk, vi);
            if kind == SectionKind::Cfg {
                self.issues.push(Issue {
                    kind: IssueKind::LegacyVersionKey { section: idx },
                    path: format!("['{k}'].version"),
                    key: "version".into(),
                    span: vk.span().unwrap_or(0..0),
                    key_span: vk.span(),
                    item: Some(vi),
                    parent: Some(t),
                    section: idx,
                });
            }
        }
        s
    }

    fn check_section(&mut self, s: &Section<'d>, idx: usize, path: &str) {
        let restricted = s.version_only() == Some(false);
        for (k, item) in s.table.iter() {
            if item.is_none() || k == "version" {
                continue;
            }
            let key = s.table.key(k).expect("key of an iterated entry");
            if k.starts_with("cfg(") {
                self.unknown(
                    &format!("{path}.'{k}'"),
                    key,
                    item,
                    s.table,
                    idx,
                    &[],
                    Some("cfg sections cannot be nested"),
                );
                continue;
            }
            if k == "platform_fixup" {
                self.unknown(
                    &format!("{path}.{k}"),
                    key,
                    item,
                    s.table,
                    idx,
                    &[],
                    Some("`platform_fixup` sections were removed on 2025-06-30 and cannot be nested"),
                );
                continue;
            }
            self.check_key(k, key, item, s.table, FIXUP_KEYS, path, idx, restricted, true);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_key(
        &mut self,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        specs: &'static [KeySpec],
        path: &str,
        section: usize,
        restricted: bool,
        section_root: bool,
    ) {
        let full = join(path, k);
        let Some(spec) = specs.iter().find(|s| s.name == k) else {
            let note = (section_root && path.is_empty() && item.is_table_like() && !k.starts_with("cfg"))
                .then_some("only top-level keys that start with `cfg(` are conditional sections");
            let removed = if section_root { FIXUP_REMOVED.iter().find(|r| r.name == k).copied() } else { None };
            self.unknown_with(&full, key, item, parent, section, specs, note, removed);
            return;
        };
        if restricted && !spec.platform_ok {
            self.issues.push(Issue {
                kind: IssueKind::Restricted { section },
                path: full.clone(),
                key: k.to_string(),
                span: key.span().unwrap_or(0..0),
                key_span: key.span(),
                item: Some(item),
                parent: Some(parent),
                section,
            });
        }
        if section_root
            && k == "rustc_flags_select"
            && matches!(item, Item::Table(_) | Item::Value(Value::InlineTable(_)))
        {
            self.unknown_with(&full, key, item, parent, section, &[], None, Some(RUSTC_FLAGS_SELECT_TABLE));
            return;
        }
        if section_root && k == "visibility" && item.is_table_like() {
            self.unknown_with(&full, key, item, parent, section, &[], None, Some(VISIBILITY_MAP));
            return;
        }
        if section_root && k == "cargo_env" {
            if let Some(a) = item.as_array() {
                for v in a.iter() {
                    if let Some(name) = v.as_str() {
                        if !CARGO_ENV_NAMES.contains(&name) {
                            let message = format!(
                                "`{name}` is not a variable `cargo_env` can set{}",
                                crate::text::did_you_mean(name, CARGO_ENV_NAMES.iter().copied())
                            );
                            self.issues.push(Issue {
                                kind: IssueKind::BadValue { message },
                                path: full.clone(),
                                key: k.to_string(),
                                span: v.span().unwrap_or(0..0),
                                key_span: key.span(),
                                item: Some(item),
                                parent: Some(parent),
                                section,
                            });
                        }
                    }
                }
            }
        }
        self.check_type(&full, k, key, item, parent, spec.ty, section);
    }

    #[allow(clippy::too_many_arguments)]
    fn check_type(
        &mut self,
        full: &str,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        ty: Ty,
        section: usize,
    ) {
        let ok = match ty {
            Ty::Bool => item.as_bool().is_some(),
            Ty::Str => item.as_str().is_some(),
            Ty::StrArray => is_str_array(item),
            Ty::BoolOrStrArray => item.as_bool().is_some() || is_str_array(item),
            Ty::Array => item.as_array().is_some(),
            Ty::StrMap => return self.check_map(full, key, item, parent, &Ty::Str, section, ty),
            Ty::StrArrayOrStrMap => {
                if is_str_array(item) {
                    true
                } else {
                    return self.check_map(full, key, item, parent, &Ty::Str, section, ty);
                }
            }
            Ty::MapOf(inner) => return self.check_map(full, key, item, parent, inner, section, ty),
            Ty::Table(specs) => match item.as_table_like() {
                Some(t) => {
                    self.check_table(t, specs, full, section);
                    true
                }
                None => false,
            },
            Ty::BoolOrTable(specs) => match item.as_table_like() {
                Some(t) => {
                    self.check_table(t, specs, full, section);
                    true
                }
                None => item.as_bool().is_some(),
            },
            Ty::ArrayOfTables(specs) => {
                let tables = tables_of(item);
                match tables {
                    Some(ts) => {
                        for (t, span) in ts {
                            for s in specs.iter().filter(|s| s.required) {
                                if !t.contains_key(s.name) {
                                    self.issues.push(Issue {
                                        kind: IssueKind::MissingKey { key: s.name },
                                        path: full.to_string(),
                                        key: k.to_string(),
                                        span: span.clone().or_else(|| key.span()).unwrap_or(0..0),
                                        key_span: key.span(),
                                        item: Some(item),
                                        parent: Some(parent),
                                        section,
                                    });
                                }
                            }
                            self.check_table(t, specs, full, section);
                        }
                        true
                    }
                    None => false,
                }
            }
            Ty::SelectArray => match tables_of(item) {
                Some(ts) => {
                    for (t, _) in ts {
                        for (ck, cv) in t.iter() {
                            if cv.is_none() || is_str_array(cv) {
                                continue;
                            }
                            let ckey = t.key(ck).expect("key of an iterated entry");
                            self.wrong_type(
                                &format!("{full}.{}", quote_key(ck)),
                                ckey,
                                cv,
                                "an array of strings",
                                t,
                                section,
                            );
                        }
                    }
                    true
                }
                None => false,
            },
            Ty::Buildscript => return self.check_buildscript(full, k, key, item, parent, section),
            Ty::Vendor => match item {
                Item::Value(Value::Boolean(_)) | Item::Value(Value::String(_)) => true,
                _ => match item.as_table_like() {
                    Some(t) => {
                        self.check_table(t, RT_VENDOR_KEYS, full, section);
                        true
                    }
                    None => false,
                },
            },
            Ty::Platforms => match item.as_table_like() {
                Some(t) => {
                    for (pk, pv) in t.iter() {
                        if pv.is_none() {
                            continue;
                        }
                        let pkey = t.key(pk).expect("key of an iterated entry");
                        match pv.as_table_like() {
                            Some(pt) => self.check_platform(&format!("{full}.{}", quote_key(pk)), pt, section),
                            None => {
                                self.wrong_type(&format!("{full}.{}", quote_key(pk)), pkey, pv, "a table", t, section)
                            }
                        }
                    }
                    true
                }
                None => false,
            },
        };
        if !ok {
            self.wrong_type(full, key, item, ty.describe(), parent, section);
        }
    }

    fn check_platform(&mut self, path: &str, t: &'d dyn TableLike, section: usize) {
        for (k, v) in t.iter() {
            if v.is_none() {
                continue;
            }
            let key = t.key(k).expect("key of an iterated entry");
            let expected = match k {
                "target" => Ty::Str,
                "execution-platform" => Ty::Bool,
                _ => Ty::StrArray,
            };
            let ok = match expected {
                Ty::Str => v.as_str().is_some(),
                Ty::Bool => v.as_bool().is_some(),
                _ => is_str_array(v),
            };
            if !ok {
                self.wrong_type(&format!("{path}.{}", quote_key(k)), key, v, expected.describe(), t, section);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_map(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        inner: &Ty,
        section: usize,
        outer: Ty,
    ) {
        let Some(t) = item.as_table_like() else {
            self.wrong_type(full, key, item, outer.describe(), parent, section);
            return;
        };
        for (ck, cv) in t.iter() {
            if cv.is_none() {
                continue;
            }
            let ckey = t.key(ck).expect("key of an iterated entry");
            self.check_type(&format!("{full}.{}", quote_key(ck)), ck, ckey, cv, t, *inner, section);
        }
    }

    fn check_table(&mut self, t: &'d dyn TableLike, specs: &'static [KeySpec], path: &str, section: usize) {
        for (k, item) in t.iter() {
            if item.is_none() {
                continue;
            }
            let key = t.key(k).expect("key of an iterated entry");
            self.check_key(k, key, item, t, specs, path, section, false, false);
        }
    }

    fn check_buildscript(
        &mut self,
        full: &str,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
    ) {
        let legacy = |w: &mut Self, lb: LegacyBuildscript<'d>, span: Range<usize>| {
            w.issues.push(Issue {
                kind: IssueKind::LegacyBuildscript(lb),
                path: full.to_string(),
                key: k.to_string(),
                span,
                key_span: key.span(),
                item: Some(item),
                parent: Some(parent),
                section,
            });
        };
        match item {
            Item::Value(Value::Array(a)) => {
                let span = key.span().unwrap_or(0..0);
                legacy(self, LegacyBuildscript::Array { empty: a.is_empty() }, span);
            }
            Item::ArrayOfTables(a) => {
                let count = a.len();
                for (index, t) in a.iter().enumerate() {
                    let span = t.span().or_else(|| key.span()).unwrap_or(0..0);
                    legacy(self, LegacyBuildscript::Element { index, count, table: t }, span);
                }
            }
            _ => match item.as_table_like() {
                Some(t) => {
                    for (sk, sub) in t.iter() {
                        if sub.is_none() {
                            continue;
                        }
                        let skey = t.key(sk).expect("key of an iterated entry");
                        if LEGACY_BUILDSCRIPT_KEYS.contains(&sk) {
                            let span = match sub {
                                Item::ArrayOfTables(a) => a.iter().next().and_then(|t| t.span()),
                                _ => header_span(sub),
                            }
                            .or_else(|| skey.span())
                            .unwrap_or(0..0);
                            self.issues.push(Issue {
                                kind: IssueKind::LegacyBuildscript(LegacyBuildscript::SubKey { name: sk, item: sub }),
                                path: format!("{full}.{sk}"),
                                key: sk.to_string(),
                                span,
                                key_span: skey.span(),
                                item: Some(sub),
                                parent: Some(t),
                                section,
                            });
                            continue;
                        }
                        self.check_key(sk, skey, sub, t, BUILDSCRIPT_KEYS, full, section, false, false);
                    }
                }
                None => self.wrong_type(full, key, item, "a table (`buildscript.run = true/false`)", parent, section),
            },
        }
    }

    fn wrong_type(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        expected: &'static str,
        parent: &'d dyn TableLike,
        section: usize,
    ) {
        self.issues.push(Issue {
            kind: IssueKind::WrongType { expected, found: describe_item(item) },
            path: full.to_string(),
            key: key.get().to_string(),
            span: key.span().unwrap_or(0..0),
            key_span: key.span(),
            item: Some(item),
            parent: Some(parent),
            section,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn unknown(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
        specs: &'static [KeySpec],
        note: Option<&'static str>,
    ) {
        self.unknown_with(full, key, item, parent, section, specs, note, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn unknown_with(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
        specs: &'static [KeySpec],
        note: Option<&'static str>,
        removed: Option<Removed>,
    ) {
        let name = key.get();
        let (suggestion, mut rename) = if removed.is_some() { (None, None) } else { closest(name, specs) };
        if let Some(r) = removed.and_then(|r| r.rename) {
            rename = Some(r);
        }
        // never rename onto a key that is already there
        if rename.is_some_and(|r| parent.contains_key(r)) {
            rename = None;
        }
        self.issues.push(Issue {
            kind: IssueKind::UnknownKey { suggestion, rename, removed, note },
            path: full.to_string(),
            key: name.to_string(),
            span: key.span().unwrap_or(0..0),
            key_span: key.span(),
            item: Some(item),
            parent: Some(parent),
            section,
        });
    }
}

/// The closest schema key (did-you-mean), and the same key when it is within edit distance 2
/// (a rename candidate).
pub fn closest(name: &str, specs: &[KeySpec]) -> (Option<&'static str>, Option<&'static str>) {
    match crate::text::closest(name, specs.iter().map(|s| s.name)) {
        Some((d, c)) => (Some(c), (d <= 2).then_some(c)),
        None => (None, None),
    }
}

fn is_str_array(item: &Item) -> bool {
    item.as_array().is_some_and(|a| a.iter().all(|v| v.is_str()))
}

/// The tables of an array of tables, or of an array of inline tables, with their headers.
/// A table of an array of tables, with its header span.
type TableWithSpan<'a> = (&'a dyn TableLike, Option<Range<usize>>);

fn tables_of(item: &Item) -> Option<Vec<TableWithSpan<'_>>> {
    match item {
        Item::ArrayOfTables(a) => Some(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect()),
        Item::Value(Value::Array(a)) => {
            a.iter().map(|v| v.as_inline_table().map(|t| (t as &dyn TableLike, v.span()))).collect()
        }
        _ => None,
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() { quote_key(k) } else { format!("{path}.{}", quote_key(k)) }
}

/// A key as TOML source: bare when possible, else literal or basic string.
pub fn quote_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else if !k.contains('\'') && !k.contains('\n') && !k.contains('\r') {
        format!("'{k}'")
    } else {
        toml_string(k)
    }
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// reindeer.toml
// ---------------------------------------------------------------------------------------------

/// A `[platform.<name>]` table.
pub struct RtPlatform<'d> {
    pub name: &'d str,
    pub key_span: Range<usize>,
    /// The explicit header, or the key.
    pub anchor: Range<usize>,
    pub table: &'d dyn TableLike,
    pub target: Option<(&'d str, Range<usize>)>,
    pub execution_platform: Option<bool>,
}

/// Problems specific to reindeer.toml (besides unknown keys and wrong types).
#[derive(Debug, Clone)]
pub enum RtIssueKind {
    /// `error = "…"`: a deliberate guard.
    Guard,
    /// Some platforms set `execution-platform`, this one does not.
    ExecutionPlatformMissing { platform: String },
    /// A platform `features` entry contains `/`.
    FeatureSlash { platform: String, feature: String },
    /// `buck.split = true` together with `license_patterns`.
    SplitWithLicensePatterns,
    /// `vendor` is a string other than `"local-registry"`.
    VendorString { value: String },
}

#[derive(Debug, Clone)]
pub struct RtIssue {
    pub kind: RtIssueKind,
    pub span: Range<usize>,
    pub related: Option<Range<usize>>,
}

/// A reindeer.toml file.
pub struct ReindeerDoc<'d> {
    pub doc: &'d Document<String>,
    pub text: &'d str,
    /// Unknown/removed keys and wrong types.
    pub issues: Vec<Issue<'d>>,
    pub rt_issues: Vec<RtIssue>,
    pub platforms: Vec<RtPlatform<'d>>,
}

impl<'d> ReindeerDoc<'d> {
    pub fn analyze(doc: &'d Document<String>) -> ReindeerDoc<'d> {
        let text = doc.raw();
        let root = doc.as_table();
        let mut w = Walker { text, issues: Vec::new() };
        let mut rt_issues = Vec::new();
        for (k, item) in root.iter() {
            if item.is_none() {
                continue;
            }
            let key = root.key(k).expect("key of an iterated entry");
            if k == "error" && item.is_str() {
                rt_issues.push(RtIssue { kind: RtIssueKind::Guard, span: key.span().unwrap_or(0..0), related: None });
                continue;
            }
            rt_check_key(&mut w, k, key, item, root, RT_KEYS, "");
        }
        // platforms
        let mut platforms = Vec::new();
        if let Some((_, pitem)) = root.get_key_value("platform") {
            if let Some(pt) = pitem.as_table_like() {
                for (name, item) in pt.iter() {
                    let Some(t) = item.as_table_like() else { continue };
                    let key_span = pt.key(name).and_then(|k| k.span()).unwrap_or(0..0);
                    let anchor = header_span(item).unwrap_or_else(|| key_span.clone());
                    let target = t.get("target").and_then(|v| Some((v.as_str()?, v.span().unwrap_or(0..0))));
                    platforms.push(RtPlatform {
                        name,
                        key_span,
                        anchor,
                        table: t,
                        target,
                        execution_platform: t.get("execution-platform").and_then(|v| v.as_bool()),
                    });
                }
            }
        }
        let some_exec = platforms.iter().find(|p| p.table.contains_key("execution-platform"));
        if let Some(with) = some_exec {
            for p in platforms.iter().filter(|p| !p.table.contains_key("execution-platform")) {
                rt_issues.push(RtIssue {
                    kind: RtIssueKind::ExecutionPlatformMissing { platform: p.name.to_string() },
                    span: p.anchor.clone(),
                    related: Some(with.anchor.clone()),
                });
            }
        }
        for p in &platforms {
            if let Some(f) = p.table.get("features") {
                for e in strings_of(f) {
                    if e.value.contains('/') {
                        rt_issues.push(RtIssue {
                            kind: RtIssueKind::FeatureSlash {
                                platform: p.name.to_string(),
                                feature: e.value.to_string(),
                            },
                            span: e.span.clone(),
                            related: None,
                        });
                    }
                }
            }
        }
        let split = root
            .get("buck")
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get_key_value("split"))
            .filter(|(_, v)| v.as_bool() == Some(true));
        let license =
            root.get_key_value("license_patterns").filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()));
        if let (Some((sk, _)), Some((lk, _))) = (split, license) {
            rt_issues.push(RtIssue {
                kind: RtIssueKind::SplitWithLicensePatterns,
                span: lk.span().unwrap_or(0..0),
                related: sk.span(),
            });
        }
        if let Some((_, v)) = root.get_key_value("vendor") {
            if let Some(s) = v.as_str() {
                if s != "local-registry" {
                    rt_issues.push(RtIssue {
                        kind: RtIssueKind::VendorString { value: s.to_string() },
                        span: v.span().unwrap_or(0..0),
                        related: None,
                    });
                }
            }
        }
        let mut issues = w.issues;
        issues.sort_by_key(|i| (i.span.start, i.span.end));
        rt_issues.sort_by_key(|i| (i.span.start, i.span.end));
        ReindeerDoc { doc, text, issues, rt_issues, platforms }
    }

    /// A top-level key and its item.
    pub fn get(&self, key: &str) -> Option<(&'d Key, &'d Item)> {
        self.doc.as_table().get_key_value(key).filter(|(_, i)| !i.is_none())
    }
}

fn rt_check_key<'d>(
    w: &mut Walker<'d>,
    k: &'d str,
    key: &'d Key,
    item: &'d Item,
    parent: &'d dyn TableLike,
    specs: &'static [KeySpec],
    path: &str,
) {
    let full = join(path, k);
    if let Some(removed) = RT_REMOVED.iter().find(|r| r.name == full) {
        w.unknown_with(&full, key, item, parent, 0, &[], None, Some(*removed));
        return;
    }
    let Some(spec) = specs.iter().find(|s| s.name == k) else {
        w.unknown_with(&full, key, item, parent, 0, specs, None, None);
        return;
    };
    // Nested tables are walked here so that removed nested keys are recognised.
    let nested: Option<&'static [KeySpec]> = match spec.ty {
        Ty::Table(s) => Some(s),
        Ty::Vendor if item.is_table_like() => Some(RT_VENDOR_KEYS),
        _ => None,
    };
    match (nested, item.as_table_like()) {
        (Some(s), Some(t)) => {
            for (ck, ci) in t.iter() {
                if ci.is_none() {
                    continue;
                }
                let ckey = t.key(ck).expect("key of an iterated entry");
                rt_check_key(w, ck, ckey, ci, t, s, &full);
            }
        }
        _ => w.check_type(&full, k, key, item, parent, spec.ty, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------------------------

/// A configured Reindeer platform and its cfg set.
#[derive(Debug, Clone)]
pub struct PlatformSet {
    pub name: String,
    pub cfg: HashMap<String, Vec<String>>,
    /// The cfg set is known in full (the triple or name is in the data table).
    pub complete: bool,
}

impl PlatformCfg for PlatformSet {
    fn has_key(&self, key: &str) -> bool {
        self.cfg.contains_key(key)
    }
    fn has_value(&self, key: &str, value: &str) -> bool {
        self.cfg.get(key).is_some_and(|v| v.iter().any(|x| x == value))
    }
}

/// Every target buck-lint knows, whatever reindeer.toml configures: the data table's
/// platforms and rustc's built-in targets (from the `cfg-expr` crate's target list).
pub fn known_platforms(data: &Data) -> Vec<PlatformSet> {
    let mut out: Vec<PlatformSet> = data
        .platforms
        .iter()
        .map(|p| PlatformSet { name: p.name.clone(), cfg: p.cfg.iter().cloned().collect(), complete: true })
        .collect();
    for t in ::cfg_expr::targets::ALL_BUILTINS {
        let mut cfg: HashMap<String, Vec<String>> = HashMap::new();
        let mut put = |k: &str, v: Option<String>| {
            cfg.entry(k.to_string()).or_default().extend(v);
        };
        put("target_arch", Some(t.arch.as_str().to_string()));
        put("target_os", t.os.as_ref().map(|o| o.as_str().to_string()));
        put("target_env", t.env.as_ref().map(|e| e.as_str().to_string()));
        put("target_vendor", t.vendor.as_ref().map(|v| v.as_str().to_string()));
        put("target_abi", t.abi.as_ref().map(|a| a.as_str().to_string()));
        put("target_pointer_width", Some(t.pointer_width.to_string()));
        put("target_endian", Some(format!("{:?}", t.endian)));
        for f in t.families.iter() {
            put("target_family", Some(f.as_str().to_string()));
            if matches!(f.as_str(), "unix" | "windows") {
                put(f.as_str(), None);
            }
        }
        out.push(PlatformSet { name: t.triple.as_str().to_string(), cfg, complete: true });
    }
    out
}

/// The platforms a Reindeer project builds for: its `[platform.*]` tables (with the data
/// table's `rustc --print=cfg` of their triple), or Reindeer's six defaults.
pub fn configured_platforms(rt: Option<&ReindeerDoc<'_>>, data: &Data) -> Vec<PlatformSet> {
    let declared: Vec<&RtPlatform<'_>> = rt.map(|r| r.platforms.iter().collect()).unwrap_or_default();
    if declared.is_empty() {
        return data
            .platforms
            .iter()
            .filter(|p| p.reindeer_default)
            .map(|p| PlatformSet { name: p.name.clone(), cfg: p.cfg.iter().cloned().collect(), complete: true })
            .collect();
    }
    declared
        .iter()
        .map(|p| {
            let base = data
                .platforms
                .iter()
                .find(|d| p.target.as_ref().is_some_and(|(t, _)| *t == d.triple))
                .or_else(|| data.platforms.iter().find(|d| d.name == p.name));
            let mut cfg: HashMap<String, Vec<String>> =
                base.map(|b| b.cfg.iter().cloned().collect()).unwrap_or_default();
            for (k, v) in p.table.iter() {
                if matches!(k, "target" | "execution-platform" | "features") {
                    continue;
                }
                let vals: Vec<String> = v
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let e = cfg.entry(k.to_string()).or_default();
                for x in vals {
                    if !e.contains(&x) {
                        e.push(x);
                    }
                }
            }
            if let Some(fam) = cfg.get("target_family").cloned() {
                for f in fam {
                    if f == "unix" || f == "windows" {
                        cfg.entry(f).or_default();
                    }
                }
            }
            PlatformSet { name: p.name.to_string(), cfg, complete: base.is_some() }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Text helpers for fixes
// ---------------------------------------------------------------------------------------------

/// Start of the line containing `off`.
pub fn line_start(text: &str, off: usize) -> usize {
    text[..off.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Offset just after the newline ending the line containing `off` (or the text's end).
pub fn line_end(text: &str, off: usize) -> usize {
    let off = off.min(text.len());
    text[off..].find('\n').map(|i| off + i + 1).unwrap_or(text.len())
}

/// Byte offsets of every explicit table header and array-of-tables element, sorted.
pub fn header_starts(doc: &Document<String>) -> Vec<usize> {
    fn go(t: &dyn TableLike, out: &mut Vec<usize>) {
        for (_, item) in t.iter() {
            match item {
                Item::Table(tt) => {
                    if let Some(h) = header_span(item) {
                        out.push(h.start);
                    }
                    go(tt, out);
                }
                Item::ArrayOfTables(a) => {
                    for tt in a.iter() {
                        if let Some(s) = tt.span() {
                            out.push(s.start);
                        }
                        go(tt, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    go(doc.as_table(), &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// End of the body of the table whose header starts at `start`: the next header, moved back
/// over the comment and blank lines directly above it (they belong to that header).
pub fn body_end(text: &str, headers: &[usize], start: usize) -> usize {
    let next = headers.iter().copied().find(|&h| h > start);
    match next {
        None => text.len(),
        Some(h) => back_over_comments(text, line_start(text, h), start),
    }
}

/// Move `pos` (a line start) back over whole comment and blank lines, not before `floor`.
fn back_over_comments(text: &str, mut pos: usize, floor: usize) -> usize {
    while pos > floor {
        let prev = line_start(text, pos - 1);
        if prev < floor {
            break;
        }
        let line = text[prev..pos].trim();
        if line.is_empty() || line.starts_with('#') {
            pos = prev;
        } else {
            break;
        }
    }
    pos
}

/// The whole lines of a key/value pair (from its key's line to its value's line).
pub fn kv_lines(text: &str, key_span: &Range<usize>, value_span: &Range<usize>) -> Range<usize> {
    line_start(text, key_span.start)..line_end(text, value_span.end.max(key_span.end).saturating_sub(1))
}

/// The byte ranges that make up an item in the text: a key/value's lines, an explicit table's
/// header and body, and (recursively) the pieces of implicit and dotted tables. Deleting all of
/// them deletes the item.
pub fn item_regions(text: &str, headers: &[usize], key_span: &Range<usize>, item: &Item) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    fn go(text: &str, headers: &[usize], key_span: &Range<usize>, item: &Item, out: &mut Vec<Range<usize>>) {
        match item {
            Item::None => {}
            Item::Value(v) => {
                let vs = v.span().unwrap_or(key_span.clone());
                out.push(kv_lines(text, key_span, &vs));
            }
            Item::Table(t) => {
                if let Some(h) = header_span(item) {
                    out.push(line_start(text, h.start)..body_end(text, headers, h.start));
                }
                for (k, sub) in t.iter() {
                    let ks = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                    if header_span(item).is_some() && sub.is_value() {
                        continue; // inside the body already
                    }
                    go(text, headers, &ks, sub, out);
                }
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    if let Some(h) = t.span() {
                        out.push(line_start(text, h.start)..body_end(text, headers, h.start));
                    }
                    for (k, sub) in t.iter() {
                        if sub.is_value() {
                            continue;
                        }
                        let ks = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                        go(text, headers, &ks, sub, out);
                    }
                }
            }
        }
    }
    go(text, headers, key_span, item, &mut out);
    out.sort_by_key(|r| (r.start, r.end));
    // merge overlapping pieces (a key/value line inside an already covered body)
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Where a new top-level key/value line can be inserted: after the last top-level key/value
/// line, or before the first table header (and the comments directly above it), or at the end.
pub fn root_insertion_point(doc: &Document<String>, headers: &[usize]) -> usize {
    let text = doc.raw();
    let root = doc.as_table();
    let mut last_end = None;
    for (k, item) in root.iter() {
        let in_root = match item {
            Item::Value(v) => Some(v.span()),
            Item::Table(t) if t.is_dotted() => Some(dotted_end(t)),
            _ => None,
        };
        if let Some(Some(span)) = in_root {
            let ks = root.key(k).and_then(|k| k.span()).unwrap_or(span.clone());
            let end = line_end(text, span.end.max(ks.end).saturating_sub(1));
            last_end = Some(last_end.map_or(end, |e: usize| e.max(end)));
        }
    }
    if let Some(e) = last_end {
        return e;
    }
    match headers.first() {
        Some(&h) => back_over_comments(text, line_start(text, h), 0).max(leading_comment_end(text, h)),
        None => text.len(),
    }
}

/// End of the file's leading comment block (a licence header), when it is followed by a blank
/// line; 0 otherwise. Keeps inserted keys below licence headers.
fn leading_comment_end(text: &str, limit: usize) -> usize {
    let mut pos = 0;
    let mut saw_comment = false;
    while pos < limit {
        let end = line_end(text, pos);
        let line = text[pos..end].trim();
        if line.starts_with('#') {
            saw_comment = true;
            pos = end;
        } else if line.is_empty() && saw_comment {
            return end;
        } else {
            break;
        }
    }
    0
}

fn dotted_end(t: &toml_edit::Table) -> Option<Range<usize>> {
    let mut best: Option<Range<usize>> = None;
    for (_, item) in t.iter() {
        let s = match item {
            Item::Value(v) => v.span(),
            Item::Table(tt) if tt.is_dotted() => dotted_end(tt),
            _ => None,
        };
        if let Some(s) = s {
            if best.as_ref().is_none_or(|b| s.end > b.end) {
                best = Some(s);
            }
        }
    }
    best
}

/// Insert `line` (without newline) at `at`, which is a line start or the text's end.
pub fn line_insertion(text: &str, at: usize, line: &str) -> String {
    if at > 0 && at == text.len() && !text.ends_with('\n') { format!("\n{line}\n") } else { format!("{line}\n") }
}

/// `r` (whole lines to delete) widened over the blank lines that would be left doubled: the
/// blank lines after it when a blank line (or the file's start) precedes it, or the blank
/// lines before it when it runs to the end of the file.
pub fn deletion_with_blank_lines(text: &str, r: Range<usize>) -> Range<usize> {
    let blank = |s: &str| s.trim().is_empty();
    if r.end >= text.len() {
        let mut start = r.start;
        while start > 0 {
            let prev = line_start(text, start - 1);
            if !blank(&text[prev..start]) {
                break;
            }
            start = prev;
        }
        return start..r.end;
    }
    let preceded = r.start == 0 || blank(&text[line_start(text, r.start - 1)..r.start]);
    if !preceded {
        return r;
    }
    let mut end = r.end;
    while end < text.len() {
        let next = line_end(text, end);
        if !blank(&text[end..next]) {
            break;
        }
        end = next;
    }
    r.start..end
}

/// The range to delete to remove one element of an inline array, with its separator.
pub fn array_element_removal(text: &str, array: &toml_edit::Array, index: usize) -> Option<Range<usize>> {
    let spans: Vec<Range<usize>> = array.iter().map(|v| v.span()).collect::<Option<Vec<_>>>()?;
    let this = spans.get(index)?.clone();
    if let Some(next) = spans.get(index + 1) {
        // up to the next element
        return Some(this.start..next.start);
    }
    if index > 0 {
        // from the end of the previous element (its comma) to the end of this one
        let prev = &spans[index - 1];
        return Some(prev.end..this.end);
    }
    // the only element: also a trailing comma
    let rest = &text[this.end..];
    let trimmed = rest.trim_start();
    let end = if trimmed.starts_with(',') { this.end + (rest.len() - trimmed.len()) + 1 } else { this.end };
    Some(this.start..end)
}

/// Token span of the first key of a table header (`[a.b]` → `a`) starting at `header_start`.
pub fn header_first_key(text: &str, header_start: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = header_start;
    while i < bytes.len() && bytes[i] == b'[' {
        i += 1;
    }
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    key_token_end(text, i).map(|e| i..e)
}

/// End of the key token starting at `i` (bare, basic or literal).
fn key_token_end(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.get(i)? {
        b'\'' => text[i + 1..].find('\'').map(|j| i + 1 + j + 1),
        b'"' => {
            let mut j = i + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b'"' => return Some(j + 1),
                    b'\n' => return None,
                    _ => j += 1,
                }
            }
            None
        }
        _ => {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] == b'-') {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Span of `first` `.` `second` key tokens at the start of a header (for `platform_fixup.'…'`).
pub fn header_two_keys(text: &str, header_start: usize) -> Option<Range<usize>> {
    let first = header_first_key(text, header_start)?;
    let bytes = text.as_bytes();
    let mut i = first.end;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'.') {
        return None;
    }
    i += 1;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    let end = key_token_end(text, i)?;
    Some(first.start..end)
}

/// Headers (table and array-of-tables element starts) inside an item's subtree, including its
/// own. `None` when part of the subtree is written without a header (dotted keys).
pub fn subtree_headers(item: &Item) -> Option<Vec<usize>> {
    fn go(item: &Item, out: &mut Vec<usize>) -> bool {
        match item {
            Item::Table(t) => {
                if t.is_dotted() {
                    return false;
                }
                if let Some(h) = header_span(item) {
                    out.push(h.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, out),
                    _ => true,
                })
            }
            Item::ArrayOfTables(a) => a.iter().all(|t| {
                if let Some(s) = t.span() {
                    out.push(s.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, out),
                    _ => true,
                })
            }),
            _ => false,
        }
    }
    let mut out = Vec::new();
    go(item, &mut out).then(|| {
        out.sort_unstable();
        out
    })
}

/// Headers inside a section's subtree, like [`subtree_headers`], but dotted keys and inline
/// tables written in the body of one of the subtree's own headers are accepted: their key
/// paths are relative to that header, so renaming the headers renames them too
/// (`[platform_fixup.'cfg(P)']` + `buildscript.run = true`). `None` when a part of the
/// subtree is written with a dotted key outside its headers (or the item is not a table).
pub fn section_headers(item: &Item) -> Option<Vec<usize>> {
    fn go(item: &Item, under_header: bool, out: &mut Vec<usize>) -> bool {
        match item {
            Item::Table(t) => {
                let under = if t.is_dotted() {
                    if !under_header {
                        return false;
                    }
                    true
                } else if let Some(h) = header_span(item) {
                    out.push(h.start);
                    true
                } else {
                    false // implicit: only headers below it can hold its keys
                };
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, under, out),
                    _ => true,
                })
            }
            Item::ArrayOfTables(a) => a.iter().all(|t| {
                if let Some(s) = t.span() {
                    out.push(s.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, true, out),
                    _ => true,
                })
            }),
            _ => false,
        }
    }
    let mut out = Vec::new();
    go(item, false, &mut out).then(|| {
        out.sort_unstable();
        out.dedup();
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document<String> {
        Document::parse(s.to_string()).expect("valid TOML")
    }

    fn kinds(d: &FixupsDoc<'_>) -> Vec<String> {
        d.issues
            .iter()
            .map(|i| {
                let k = match &i.kind {
                    IssueKind::UnknownKey { .. } => "unknown",
                    IssueKind::WrongType { .. } => "type",
                    IssueKind::BadValue { .. } => "value",
                    IssueKind::MissingKey { .. } => "missing",
                    IssueKind::LegacyBuildscript(_) => "legacy-bs",
                    IssueKind::LegacyPlatformSection { .. } => "legacy-pf",
                    IssueKind::LegacyPlatformEmpty => "legacy-pf-empty",
                    IssueKind::LegacyVersionKey { .. } => "legacy-version",
                    IssueKind::Restricted { .. } => "restricted",
                    IssueKind::CfgParse { .. } => "cfg-parse",
                };
                format!("{k}:{}", i.path)
            })
            .collect()
    }

    fn issues_of(src: &str) -> Vec<String> {
        let d = doc(src);
        let f = FixupsDoc::analyze(&d);
        kinds(&f)
    }

    #[test]
    fn bool_keys() {
        assert!(issues_of("precise_srcs = true\n").is_empty());
        assert_eq!(issues_of("precise_srcs = \"yes\"\n"), ["type:precise_srcs"]);
        assert!(issues_of("[buildscript.run]\nrustc_link_lib = true\n").is_empty());
        assert_eq!(issues_of("[buildscript.run]\nrustc_link_lib = 1\n"), ["type:buildscript.run.rustc_link_lib"]);
    }

    #[test]
    fn string_keys() {
        assert!(issues_of("python_ext = \"m\"\noverlay = \"o\"\nlink_style = \"static\"\n").is_empty());
        assert_eq!(issues_of("overlay = [\"o\"]\n"), ["type:overlay"]);
    }

    #[test]
    fn string_array_keys() {
        assert!(issues_of("extra_srcs = []\nrustc_flags = [\"-x\"]\nfeatures = ['a']\n").is_empty());
        assert_eq!(issues_of("features = \"a\"\n"), ["type:features"]);
        assert_eq!(issues_of("rustc_flags = [1]\n"), ["type:rustc_flags"]);
        let d = doc("features = \"a\"\n");
        let f = FixupsDoc::analyze(&d);
        match &f.issues[0].kind {
            IssueKind::WrongType { expected, found } => {
                assert_eq!(*expected, "an array of strings");
                assert_eq!(*found, "a string");
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn bool_or_string_array_keys() {
        assert!(issues_of("cargo_env = true\n").is_empty());
        assert!(issues_of("cargo_env = [\"CARGO_PKG_VERSION\", \"CARGO_PKG_VERSION_PATCH\"]\n").is_empty());
        assert_eq!(issues_of("cargo_env = \"all\"\n"), ["type:cargo_env"]);
        assert_eq!(issues_of("cargo_env = [\"CARGO_PKG_VERSON\"]\n"), ["value:cargo_env"]);
    }

    #[test]
    fn string_map_keys() {
        // table, inline table, dotted key, empty template table
        assert!(issues_of("[env]\nFOO = \"1\"\n").is_empty());
        assert!(issues_of("env = { FOO = \"1\" }\n").is_empty());
        assert!(issues_of("env.FOO = \"1\"\n").is_empty());
        assert!(issues_of("[env]\n[extra_mapped_srcs]\n").is_empty());
        assert_eq!(issues_of("[env]\nFOO = 1\n"), ["type:env.FOO"]);
        assert_eq!(issues_of("env = [\"FOO=1\"]\n"), ["type:env"]);
    }

    #[test]
    fn array_of_tables_keys() {
        assert!(
            issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = [\"a.c\"]\nexported_headers = { \"a.h\" = \"b.h\" }\n")
                .is_empty()
        );
        assert!(issues_of("[['cfg(unix)'.prebuilt_cxx_library]]\nname = \"x\"\nstatic_libs = [\"a.a\"]\n").is_empty());
        assert_eq!(issues_of("[[cxx_library]]\nname = \"x\"\n"), ["missing:cxx_library"]);
        assert_eq!(
            issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\nheader = []\n"),
            ["unknown:cxx_library.header"]
        );
        assert_eq!(issues_of("[cxx_library]\nname = \"x\"\nsrcs = []\n"), ["type:cxx_library"]);
    }

    #[test]
    fn select_array_keys() {
        assert!(issues_of("[[rustc_flags_select]]\n\"//os:linux\" = [\"-x\"]\n").is_empty());
        assert_eq!(
            issues_of("[[rustc_flags_select]]\n\"//os:linux\" = \"-x\"\n"),
            ["type:rustc_flags_select.'//os:linux'"]
        );
        // the single-table form is a removed shape, even when empty
        let d = doc("[rustc_flags_select]\n");
        let f = FixupsDoc::analyze(&d);
        assert!(matches!(
            &f.issues[0].kind,
            IssueKind::UnknownKey { removed: Some(r), .. } if r.name == "rustc_flags_select"
        ));
    }

    #[test]
    fn nested_tables() {
        assert!(issues_of("[resolver.dependencies.foo]\nnarrow_to = \"1\"\n").is_empty());
        assert_eq!(
            issues_of("[resolver.dependencies.foo]\nnarow_to = \"1\"\n"),
            ["unknown:resolver.dependencies.foo.narow_to"]
        );
        assert!(issues_of("[export_sources]\nname = \"a\"\nsrcs = [\"x\"]\nvisibility = []\n").is_empty());
        assert!(issues_of("[buildscript.build]\nenv = { A = \"1\" }\nextra_deps = [\"//x:y\"]\n").is_empty());
    }

    #[test]
    fn unknown_keys_suggest_and_rename() {
        let d = doc("extra_src = []\nbuildscript.runs = true\nfilter_deps = [\"a\"]\n[linux]\nrustc_flags = []\n");
        let f = FixupsDoc::analyze(&d);
        let got: Vec<(String, Option<&str>, Option<&str>)> = f
            .issues
            .iter()
            .map(|i| match &i.kind {
                IssueKind::UnknownKey { suggestion, rename, .. } => (i.path.clone(), *suggestion, *rename),
                k => panic!("{k:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("extra_src".to_string(), Some("extra_srcs"), Some("extra_srcs")),
                ("buildscript.runs".to_string(), Some("run"), Some("run")),
                ("filter_deps".to_string(), None, Some("omit_deps")),
                ("linux".to_string(), None, None),
            ]
        );
        // the finding sits on the key
        assert_eq!(&d.raw()[f.issues[1].span.clone()], "runs");
    }

    #[test]
    fn any_array_keys() {
        assert!(
            issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\ntargets = [[\"bin\", \"cargo\"], [\"lib\"]]\n")
                .is_empty()
        );
        assert_eq!(
            issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\ntargets = \"bin\"\n"),
            ["type:cxx_library.targets"]
        );
    }

    #[test]
    fn string_array_or_map_keys() {
        let ok = "[[cxx_library]]\nname = \"x\"\nsrcs = []\nexported_headers = [\"*.h\"]\n";
        assert!(issues_of(ok).is_empty());
        let ok = "[[cxx_library]]\nname = \"x\"\nsrcs = []\n[cxx_library.exported_headers]\n\"a.h\" = \"src/a.h\"\n";
        assert!(issues_of(ok).is_empty());
        let bad = "[[cxx_library]]\nname = \"x\"\nsrcs = []\nexported_headers = true\n";
        assert_eq!(issues_of(bad), ["type:cxx_library.exported_headers"]);
    }

    #[test]
    fn bool_or_table_keys() {
        assert!(issues_of("buildscript.run = true\n").is_empty());
        assert!(issues_of("[buildscript.run]\nenv = { A = \"1\" }\nrustc_link_search = true\n").is_empty());
        assert_eq!(issues_of("buildscript.run = \"yes\"\n"), ["type:buildscript.run"]);
        assert_eq!(issues_of("[buildscript.run]\nenvs = {}\n"), ["unknown:buildscript.run.envs"]);
        assert_eq!(issues_of("buildscript = true\n"), ["type:buildscript"]);
    }

    fn rt_paths(src: &str) -> Vec<String> {
        let d = doc(src);
        let r = ReindeerDoc::analyze(&d);
        r.issues.iter().map(|i| i.path.clone()).collect()
    }

    #[test]
    fn vendor_key() {
        assert!(rt_paths("vendor = true\n").is_empty());
        assert!(rt_paths("vendor = \"local-registry\"\n").is_empty());
        assert!(rt_paths("[vendor]\ngitignore_checksum_exclude = [\"a\"]\n").is_empty());
        assert_eq!(rt_paths("vendor = 1\n"), ["vendor"]);
        assert_eq!(rt_paths("[vendor]\nchecksum_exclude = []\n"), ["vendor.checksum_exclude"]);
    }

    #[test]
    fn platform_tables() {
        let ok = "[platform.linux-x86_64]\ntarget = \"x86_64-unknown-linux-gnu\"\nexecution-platform = true\nfeatures = [\"a\"]\ntarget_os = [\"linux\"]\nworkspace = [\"x\"]\n";
        assert!(rt_paths(ok).is_empty());
        assert_eq!(rt_paths("[platform.a]\nexecution-platform = \"yes\"\n"), ["platform.a.execution-platform"]);
        assert_eq!(rt_paths("[platform.a]\ntarget_os = \"linux\"\n"), ["platform.a.target_os"]);
        assert_eq!(rt_paths("platform = 1\n"), ["platform"]);
    }

    #[test]
    fn restricted_in_platform_sections_only() {
        let src = "visibility = []\n['cfg(version = \">=2\")']\nvisibility = [\"//a/...\"]\n['cfg(target_os = \"linux\")']\nvisibility = [\"//foo/...\"]\nomit_targets = []\nrustc_flags = []\n";
        assert_eq!(
            issues_of(src),
            [
                "restricted:['cfg(target_os = \"linux\")'].visibility",
                "restricted:['cfg(target_os = \"linux\")'].omit_targets"
            ]
        );
        for key in restricted_keys() {
            let v = match key {
                "precise_srcs" => "true",
                "python_ext" => "\"m\"",
                "export_sources" | "resolver" => "{}",
                _ => "[]",
            };
            let got = issues_of(&format!("['cfg(unix)']\n{key} = {v}\n"));
            assert!(got.iter().any(|g| g.starts_with("restricted:")), "{key}: {got:?}");
            let got = issues_of(&format!("['cfg(all(version = \">=1\", not(version = \"=1.2.0\")))']\n{key} = {v}\n"));
            assert!(!got.iter().any(|g| g.starts_with("restricted:")), "{key}: {got:?}");
        }
        // unrestricted keys are fine anywhere
        assert!(issues_of("['cfg(unix)']\nrustc_flags = []\nenv = {}\nbuildscript.run = true\n").is_empty());
    }

    /// One test per restricted key: an error in a platform section, silent at the top level
    /// and in version-only sections.
    fn restricted(key: &str, value: &str) {
        let kinds = |src: String| issues_of(&src).into_iter().filter(|k| k.starts_with("restricted:")).count();
        assert_eq!(
            kinds(format!("['cfg(target_os = \"linux\")']\n{key} = {value}\n")),
            1,
            "{key} in a platform section"
        );
        assert_eq!(
            kinds(format!("['cfg(all(unix, version = \">=1\"))']\n{key} = {value}\n")),
            1,
            "{key} mixed section"
        );
        assert_eq!(kinds(format!("[platform_fixup.'cfg(unix)']\n{key} = {value}\n")), 1, "{key} legacy section");
        assert_eq!(kinds(format!("{key} = {value}\n")), 0, "{key} at the top level");
        assert_eq!(kinds(format!("['cfg(version = \">=1\")']\n{key} = {value}\n")), 0, "{key} version-only");
        assert_eq!(
            kinds(format!("['cfg(not(version = \"=1.2.0\"))']\n{key} = {value}\n")),
            0,
            "{key} version-only not()"
        );
    }

    #[test]
    fn restricted_visibility() {
        restricted("visibility", "[\"//foo/...\"]");
    }
    #[test]
    fn restricted_omit_targets() {
        restricted("omit_targets", "[\"bench\"]");
    }
    #[test]
    fn restricted_precise_srcs() {
        restricted("precise_srcs", "true");
    }
    #[test]
    fn restricted_python_ext() {
        restricted("python_ext", "\"m\"");
    }
    #[test]
    fn restricted_export_sources() {
        restricted("export_sources", "{ name = \"s\", srcs = [\"*.rs\"] }");
    }
    #[test]
    fn restricted_compatible_with() {
        restricted("compatible_with", "[\"//c:x\"]");
    }
    #[test]
    fn restricted_target_compatible_with() {
        restricted("target_compatible_with", "[\"//c:x\"]");
    }
    #[test]
    fn restricted_target_compatible_with_select() {
        restricted("target_compatible_with_select", "[{ \"//os:linux\" = [\"//c:x\"] }]");
    }
    #[test]
    fn restricted_resolver() {
        restricted("resolver", "{ dependencies = { rand = { narrow_to = \"0.8\" } } }");
    }

    #[test]
    fn cfg_parse_error_maps_into_key() {
        let src = "['cfg(target_os = linux)']\nrustc_flags = []\n";
        let d = doc(src);
        let f = FixupsDoc::analyze(&d);
        assert_eq!(kinds(&f), ["cfg-parse:cfg(target_os = linux)"]);
        let span = f.issues[0].span.clone();
        assert!(src[span.clone()].starts_with("linux"), "{:?}", &src[span]);
        // double-quoted keys without escapes map too
        let src = "[\"cfg(all(unix,))\"]\n";
        let d = doc(src);
        let f = FixupsDoc::analyze(&d);
        assert_eq!(kinds(&f).len(), 1);
        assert!(f.issues[0].span.start > 1);
    }

    #[test]
    fn legacy_forms_give_one_issue_each() {
        let src = "buildscript = []\n";
        assert_eq!(issues_of(src), ["legacy-bs:buildscript"]);
        let src = "[[buildscript]]\n[buildscript.gen_srcs]\nfiles = [\"a\"]\npath_env = {}\n";
        assert_eq!(issues_of(src), ["legacy-bs:buildscript"]);
        let src = "[[buildscript]]\n[buildscript.build]\n[[buildscript]]\nunresolved = 'x'\n";
        assert_eq!(issues_of(src), ["legacy-bs:buildscript", "legacy-bs:buildscript"]);
        let src = "buildscript.run = true\n[buildscript.prebuilt_cxx_library]\nname = \"x\"\n";
        assert_eq!(issues_of(src), ["legacy-bs:buildscript.prebuilt_cxx_library"]);
        let src = "[platform_fixup]\n";
        assert_eq!(issues_of(src), ["legacy-pf-empty:platform_fixup"]);
        let src = "[platform_fixup.'cfg(all())']\nversion = \">=3.2\"\nfilter_deps = []\n[[platform_fixup.'cfg(unix)'.buildscript]]\n[platform_fixup.'cfg(unix)'.buildscript.rustc_flags]\n";
        assert_eq!(
            issues_of(src),
            [
                "legacy-pf:platform_fixup.'cfg(all())'",
                "unknown:[platform_fixup.'cfg(all())'].filter_deps",
                "legacy-bs:[platform_fixup.'cfg(unix)'].buildscript",
                "legacy-pf:platform_fixup.'cfg(unix)'",
            ]
        );
        let src = "['cfg(target_os = \"windows\")']\nversion = \"=0.48.0\"\n";
        assert_eq!(issues_of(src), ["legacy-version:['cfg(target_os = \"windows\")'].version"]);
    }

    #[test]
    fn decisions() {
        let dec = |src: &str| {
            let d = doc(src);
            let f = FixupsDoc::analyze(&d);
            f.sections[0].buildscript().and_then(|b| b.decision())
        };
        assert_eq!(dec("buildscript.run = false\n"), Some(Decision::Run(false)));
        assert_eq!(dec("[buildscript.run.env]\nA = \"1\"\n"), Some(Decision::Run(true)));
        assert_eq!(dec("buildscript = []\n"), Some(Decision::Run(false)));
        assert_eq!(dec("[[buildscript]]\n[buildscript.rustc_flags]\n"), Some(Decision::Run(true)));
        assert_eq!(dec("[[buildscript]]\nunresolved = 'x'\n"), Some(Decision::Undecided));
        assert_eq!(dec("[buildscript.build.env]\nA = \"1\"\n"), None);
        assert_eq!(dec("rustc_flags = []\n"), None);
    }

    #[test]
    fn real_world_shapes_are_quiet() {
        let src = "# Copyright\n# licence\n";
        assert!(issues_of(src).is_empty());
        assert!(issues_of("").is_empty());
        let src = "omit_targets = []\nextra_srcs = []\n[env]\n[extra_mapped_srcs]\n";
        assert!(issues_of(src).is_empty());
        let src = "cargo_env = true\n['cfg(all())']\nrustc_flags = []\n['cfg(any(all(target_os = \"linux\")))']\nextra_srcs = []\n[[\"cfg(unix)\".cxx_library]]\nname = \"c\"\nsrcs = []\n['cfg(unix)'.env]\nA = \"$(location //x:y)\"\n";
        assert!(issues_of(src).is_empty(), "{:?}", issues_of(src));
    }

    #[test]
    fn reindeer_toml_schema() {
        let src = "precise_srcs = true\ncargo_env = [\"CARGO_PKG_NAME\"]\nvendor = { gitignore_checksum_exclude = [] }\n[buck]\nfile_name = \"BUCK\"\nsplit = false\n[platform.linux-x86_64]\ntarget = \"x86_64-unknown-linux-gnu\"\ntarget_os = [\"linux\"]\n";
        let d = doc(src);
        let r = ReindeerDoc::analyze(&d);
        assert!(r.issues.is_empty(), "{:?}", r.issues.iter().map(|i| &i.path).collect::<Vec<_>>());
        assert!(r.rt_issues.is_empty());
        let src = "error = \"run from the repo root\"\nfixup_templates = true\nprecise_src = true\n[vendor]\nchecksum_exclude = []\n[buck]\nsplit = true\n[cargo]\nversioned_dirs = true\n";
        let d = doc(src);
        let r = ReindeerDoc::analyze(&d);
        let paths: Vec<&str> = r.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["fixup_templates", "precise_src", "vendor.checksum_exclude", "cargo.versioned_dirs"]);
        assert!(matches!(r.issues[2].kind, IssueKind::UnknownKey { rename: Some("gitignore_checksum_exclude"), .. }));
        assert!(matches!(r.rt_issues[0].kind, RtIssueKind::Guard));
        let src = "license_patterns = [\"x\"]\nvendor = \"yes\"\n[buck]\nsplit = true\n[platform.a]\nexecution-platform = true\nfeatures = [\"a/b\"]\n[platform.b]\ntarget = 1\n";
        let d = doc(src);
        let r = ReindeerDoc::analyze(&d);
        let kinds: Vec<String> = r.rt_issues.iter().map(|i| format!("{:?}", i.kind)).collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert_eq!(r.issues.len(), 1, "platform.b.target must be a string");
    }

    #[test]
    fn section_headers_accept_dotted_keys_in_bodies() {
        let src = "[platform_fixup.'cfg(w)']\nbuildscript.run = true\nenv = { A = \"1\" }\n[platform_fixup.'cfg(w)'.x]\ny.z = 1\n[[platform_fixup.'cfg(w)'.cxx_library]]\nname = \"c\"\n";
        let d = doc(src);
        let item = d.as_table().get("platform_fixup").and_then(|p| p.get("cfg(w)")).unwrap();
        assert_eq!(subtree_headers(item), None);
        let h = section_headers(item).unwrap();
        assert_eq!(h.len(), 3);
        assert!(
            h.iter().all(|&o| src[o..].starts_with("[platform_fixup.") || src[o..].starts_with("[[platform_fixup."))
        );
        // keys written with a dotted key outside the section's headers
        let d = doc("[platform_fixup]\n'cfg(w)'.env.A = \"1\"\n");
        let item = d.as_table().get("platform_fixup").and_then(|p| p.get("cfg(w)")).unwrap();
        assert_eq!(section_headers(item), None);
    }

    #[test]
    fn deletions_do_not_leave_doubled_blank_lines() {
        let src = "a = 1\n\n[platform_fixup]\n\n[b]\n";
        let r = src.find("[platform_fixup]").unwrap()..src.find("\n[b]").unwrap();
        let w = deletion_with_blank_lines(src, r);
        assert_eq!(format!("{}{}", &src[..w.start], &src[w.end..]), "a = 1\n\n[b]\n");
        let src = "# licence\n\n[platform_fixup]\n";
        let r = src.find('[').unwrap()..src.len();
        let w = deletion_with_blank_lines(src, r);
        assert_eq!(&src[..w.start], "# licence\n");
        let src = "a = 1\n[platform_fixup]\n\n[b]\n";
        let r = src.find('[').unwrap()..src.find("\n[b]").unwrap();
        assert_eq!(deletion_with_blank_lines(src, r.clone()), r);
    }

    #[test]
    fn regions_and_insertion() {
        let src = "# licence\n\ncargo_env = false\nextra_srcs = []\n\n# run env\n[buildscript.run.env]\nA = \"1\"\n\n[env]\nB = \"2\"\n";
        let d = doc(src);
        let headers = header_starts(&d);
        let f = FixupsDoc::analyze(&d);
        let _ = f;
        let root = d.as_table();
        let (k, item) = root.get_key_value("env").unwrap();
        let regions = item_regions(src, &headers, &k.span().unwrap(), item);
        assert_eq!(regions.len(), 1);
        assert_eq!(&src[regions[0].clone()], "[env]\nB = \"2\"\n");
        assert_eq!(
            &src[root_insertion_point(&d, &headers)..],
            "\n# run env\n[buildscript.run.env]\nA = \"1\"\n\n[env]\nB = \"2\"\n"
        );
        let src = "# licence\n\n# about this table\n[env]\nB = \"2\"\n";
        let d = doc(src);
        let headers = header_starts(&d);
        assert_eq!(root_insertion_point(&d, &headers), "# licence\n\n".len());
    }
}
