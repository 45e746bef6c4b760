//! The key tables of `fixups.toml` and `reindeer.toml` (types, required and removed keys).

use super::*;

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

pub(crate) const fn k(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec { name, ty, platform_ok: true, required: false }
}
/// A key restricted to the top level and version-only sections.
pub(crate) const fn r(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec { name, ty, platform_ok: false, required: false }
}
pub(crate) const fn req(name: &'static str, ty: Ty) -> KeySpec {
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

pub(crate) const fn rm(name: &'static str, what: &'static str) -> Removed {
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
