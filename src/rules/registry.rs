//! The rule registry: every rule's metadata in one table. The doc page of each rule lives
//! in `rules/<id>.md` and is embedded here; its first paragraph after the metadata line is
//! the rule's one-line summary.

use crate::diagnostic::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Determinism,
    RemoteExecution,
    Buck,
    Fixups,
    Reindeer,
    Starlark,
    Meta,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Determinism,
        Category::RemoteExecution,
        Category::Buck,
        Category::Fixups,
        Category::Reindeer,
        Category::Starlark,
        Category::Meta,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Determinism => "determinism",
            Category::RemoteExecution => "remote-execution",
            Category::Buck => "buck",
            Category::Fixups => "fixups",
            Category::Reindeer => "reindeer",
            Category::Starlark => "starlark",
            Category::Meta => "meta",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe => "unsafe",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    pub id: &'static str,
    pub code: Option<&'static str>,
    pub category: Category,
    pub severity: Severity,
    pub default_enabled: bool,
    pub fix: FixAvailability,
    /// The Markdown page `rules/<id>.md`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The one-line summary: the first paragraph after the page's metadata line.
    pub fn summary(&self) -> &'static str {
        let mut lines = self.doc.lines().filter(|l| !l.trim().is_empty());
        lines.next(); // "# id (code)"
        for l in lines {
            let t = l.trim();
            if t.starts_with("**") {
                continue;
            }
            return t;
        }
        ""
    }
    /// The rule's documentation URL.
    pub fn url(&self) -> String {
        format!("{}/blob/main/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), self.id)
    }
}

macro_rules! rule {
    ($id:literal, $code:expr, $cat:ident, $sev:ident, $on:expr, $fix:ident) => {
        RuleMeta {
            id: $id,
            code: $code,
            category: Category::$cat,
            severity: Severity::$sev,
            default_enabled: $on,
            fix: FixAvailability::$fix,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
        }
    };
}

/// Every rule buck-lint knows, in catalogue order. Ids are stable public API.
pub static RULES: &[RuleMeta] = &[
    rule!("pipelined-nondeterministic-crate", Some("R01"), Determinism, Error, true, None),
    rule!("proc-macro-consumes-nondeterministic-rlib", Some("R02"), Determinism, Error, true, None),
    rule!("cargo-env-all-under-re", Some("R03"), Determinism, Warning, true, Unsafe),
    rule!("env-path-macro-absolutized", Some("R04"), Determinism, Info, true, None),
    rule!("fixups-buck-out-of-sync", Some("R05"), Reindeer, Warning, true, None),
    rule!("reindeer-platform-name-unmapped", Some("R06"), Reindeer, Error, true, Unsafe),
    rule!("re-full-hybrid-racing", Some("R07"), RemoteExecution, Warning, true, Unsafe),
    rule!("re-container-image-invalid", Some("R08"), RemoteExecution, Error, true, Unsafe),
    rule!("re-container-image-unpinned", Some("R09"), RemoteExecution, Warning, true, None),
    rule!("re-container-image-missing", Some("R10"), RemoteExecution, Warning, true, None),
    rule!("re-executor-config-invalid", Some("R11"), RemoteExecution, Error, true, Safe),
    rule!("re-exec-platform-host-derived", Some("R12"), RemoteExecution, Warning, true, None),
    rule!("re-platform-property-inconsistent", Some("R13"), RemoteExecution, Info, true, Unsafe),
    rule!("re-local-cache-upload", Some("R14"), RemoteExecution, Info, true, None),
    rule!("proc-macro-missing-crate-attr", Some("R15"), Buck, Error, true, Unsafe),
    rule!("proc-macro-inner-target-dep", Some("R16"), Buck, Error, true, Safe),
    rule!("proc-macro-exec-compatible-with-dropped", Some("R17"), Buck, Warning, true, None),
    rule!("buildscript-wiring-mismatch", Some("R18"), Buck, Error, true, Unsafe),
    rule!("buildscript-env-wrong-config-macro", Some("R19"), Buck, Warning, true, Unsafe),
    rule!("http-archive-unpinned-or-api-url", Some("R20"), Buck, Warning, true, Safe),
    rule!("dep-on-private-versioned-target", Some("R21"), Buck, Error, true, Safe),
    rule!("python-ext-unsupported-in-oss-prelude", Some("R22"), Buck, Error, true, None),
    rule!("fixup-legacy-buildscript-syntax", Some("R23"), Fixups, Error, true, Safe),
    rule!("fixup-legacy-platform-fixup", Some("R24"), Fixups, Error, true, Safe),
    rule!("fixup-unknown-key", Some("R25"), Fixups, Error, true, Unsafe),
    rule!("fixup-cfg-restricted-field", Some("R26"), Fixups, Error, true, None),
    rule!("fixup-cfg-parse", Some("R27"), Fixups, Error, true, None),
    rule!("fixup-buildscript-undecided", Some("R28"), Fixups, Warning, true, Unsafe),
    rule!("fixup-buildscript-unused", Some("R29"), Fixups, Error, true, Safe),
    rule!("fixup-orphan-dir", Some("R30"), Fixups, Warning, true, Unsafe),
    rule!("fixup-buildscript-disabled-essential", Some("R31"), Fixups, Warning, true, None),
    rule!("fixup-env-cycle-or-buck-out-path", Some("R32"), Fixups, Error, true, None),
    rule!("fixup-env-absolute-host-path", Some("R33"), Fixups, Warning, true, None),
    rule!("fixup-cfg-via-rustc-flags", Some("R34"), Fixups, Info, true, Unsafe),
    rule!("fixup-dep-shape", Some("R35"), Fixups, Error, true, Unsafe),
    rule!("fixup-link-directives-dropped", Some("R36"), Fixups, Warning, true, Unsafe),
    rule!("reindeer-config-invalid", Some("R37"), Reindeer, Error, true, Unsafe),
    rule!("reindeer-unresolved-fixup-warn-only", Some("R38"), Reindeer, Info, false, Unsafe),
    rule!("reindeer-precise-srcs-noop", Some("R39"), Reindeer, Info, true, None),
    rule!("syntax-error", None, Meta, Error, true, None),
    rule!("buck-dialect", None, Buck, Error, true, None),
    rule!("duplicate-target-name", None, Buck, Error, true, None),
    rule!("unused-suppression", None, Meta, Warning, true, Safe),
    rule!("fixup-version-matches-nothing", None, Fixups, Warning, true, None),
    rule!("fixup-cfg-dead", None, Fixups, Info, true, None),
    rule!("buckconfig-include-invalid", None, Buck, Error, true, None),
    rule!("fixup-cargo-env-missing", None, Fixups, Warning, true, None),
    rule!("re-container-image-registry-not-allowed", None, RemoteExecution, Warning, false, None),
    rule!("vendored-crate-build-file", None, Buck, Error, true, Safe),
    rule!("bxl-needs-execution-platforms", None, Buck, Warning, true, None),
    rule!("buckconfig-cell-unresolved", None, Buck, Error, true, None),
    rule!("edition-mismatch", None, Buck, Warning, true, None),
    rule!("label-in-path-attr", None, Buck, Warning, true, None),
    rule!("internal-error", None, Meta, Error, true, None),
    rule!("io-error", None, Meta, Error, true, None),
    rule!("starlark-missing-return-expression", None, Starlark, Warning, true, None),
    rule!("starlark-missing-return", None, Starlark, Warning, true, None),
    rule!("starlark-unreachable", None, Starlark, Warning, true, None),
    rule!("starlark-redundant-return", None, Starlark, Info, false, None),
    rule!("starlark-redundant-continue", None, Starlark, Info, false, None),
    rule!("starlark-misplaced-load", None, Starlark, Warning, true, None),
    rule!("starlark-no-effect", None, Starlark, Warning, true, None),
    rule!("starlark-incompatible-type-check", None, Starlark, Warning, true, None),
    rule!("starlark-duplicate-top-level-assign", None, Starlark, Warning, true, None),
    rule!("starlark-duplicate-key", None, Starlark, Warning, true, None),
    rule!("starlark-ident-as-statement", None, Starlark, Warning, true, None),
    rule!("starlark-unused-load", None, Starlark, Info, false, Safe),
    rule!("starlark-unused-assign", None, Starlark, Info, false, None),
    rule!("starlark-unused-argument", None, Starlark, Info, false, None),
    rule!("starlark-using-unassigned", None, Starlark, Warning, true, None),
    rule!("starlark-using-undefined", None, Starlark, Info, false, None),
    rule!("starlark-using-maybe-undefined", None, Starlark, Warning, true, None),
    rule!("starlark-underscore-definition", None, Starlark, Info, false, None),
    rule!("starlark-using-ignored", None, Starlark, Info, false, None),
    rule!("starlark-dict-without-star-star", None, Starlark, Warning, true, None),
    rule!("starlark-eager-and-inefficient-bool-check", None, Starlark, Warning, true, None),
    rule!("starlark-inefficient-bool-check", None, Starlark, Warning, true, None),
];

pub fn get(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// Look a rule up by id or by code (`R07`).
pub fn by_id_or_code(s: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == s || r.code.is_some_and(|c| c.eq_ignore_ascii_case(s)))
}

pub fn index_of(id: &str) -> Option<usize> {
    RULES.iter().position(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert!(r.doc.starts_with(&format!("# {}", r.id)), "page of {} must start with its id", r.id);
            assert!(!r.summary().is_empty(), "{} has no summary", r.id);
            assert!(!r.summary().contains('\n'));
        }
    }
}
