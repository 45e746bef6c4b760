//! `fixup-glob-matches-nothing`: a glob in a fixups.toml that matches no file of the crate
//! versions it applies to.
//!
//! Since 2025-10 Reindeer tracks every glob it reads from fixups (`extra_srcs`, `omit_srcs`,
//! `[buildscript.build] extra_srcs`, `export_sources` `srcs`/`exclude`, and a
//! `[[cxx_library]]`'s `srcs`, `headers`, `exported_headers` and `exclude`, a
//! `[[prebuilt_cxx_library]]`'s `static_libs`) and ends `reindeer buckify` with "Unused
//! globs: … matches no files" when one matched nothing — typically after a crate upgrade moved
//! the C sources. The check needs the crate's files: each locked version's source directory
//! (Reindeer's vendor directory, or Cargo's unpacked registry sources under
//! `$CARGO_HOME/registry/src`); without the sources of every locked version it stays silent.
//! Globs are matched as Reindeer matches them (globset with `literal_separator`, relative to
//! the crate's manifest directory, files a `.gitignore` of the crate ignores left out); a glob
//! that leaves the crate (`../`, an absolute path) is not judged. Sections whose version
//! condition matches no locked version are `fixup-version-matches-nothing`'s. No fix.
use std::path::Path;

use globset::GlobBuilder;

use super::{CrateTree, crate_trees, locked_fixups, native_libraries};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::{Section, StrEntry, strings_of};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupGlobMatchesNothing {
        id: "fixup-glob-matches-nothing",
        code: None,
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// How many files of one crate version are listed at most (a crate is far smaller).
const MAX_FILES: usize = 50_000;

impl Check for FixupGlobMatchesNothing {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some((pf, versions)) = locked_fixups(cx, fx) else { return };
        // every locked version's sources, or no verdict
        let Some(trees) = crate_trees(&pf, &versions) else { return };
        for s in &fx.fixups.sections {
            if s.parse_failed {
                continue;
            }
            let applies: Vec<&CrateTree> =
                trees.iter().filter(|(v, _, _)| !s.applies_to_version(v).is_false()).collect();
            if applies.is_empty() {
                continue;
            }
            for (what, entries) in globs_of(s) {
                for e in entries {
                    if matches_some(e.value, &applies) {
                        continue;
                    }
                    let vs: Vec<String> = applies.iter().map(|(v, _, _)| v.to_string()).collect();
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Warning,
                            Span::new(fx.file, e.span.clone()),
                            format!(
                                "`{}` in {what} matches no file of {} {}; `reindeer buckify` stops with \"Unused globs\"",
                                e.value,
                                pf.dir,
                                vs.join(", ")
                            ),
                        )
                        .with_label("matches nothing")
                        .with_help(format!(
                            "the crate's files are in `{}`: correct the glob for this version, or remove it",
                            applies[0].1.display()
                        )),
                    );
                }
            }
        }
    }
}

/// The glob arrays Reindeer tracks in a section, with where they sit.
fn globs_of<'d>(s: &Section<'d>) -> Vec<(String, Vec<StrEntry<'d>>)> {
    let mut out = Vec::new();
    for key in ["extra_srcs", "omit_srcs"] {
        out.push((format!("`{key}`"), s.strings(key)));
    }
    out.push(("`[buildscript.build] extra_srcs`".to_string(), s.build_strings("extra_srcs")));
    let t = s.table;
    if let Some(es) = t.get("export_sources").and_then(|e| e.as_table_like()) {
        for key in ["srcs", "exclude"] {
            if let Some(i) = es.get(key) {
                out.push((format!("`export_sources.{key}`"), strings_of(i)));
            }
        }
    }
    for (table, keys) in [
        ("cxx_library", &["srcs", "headers", "exported_headers", "exclude"][..]),
        ("prebuilt_cxx_library", &["static_libs"][..]),
    ] {
        for lib in native_libraries(s, table) {
            let name = lib.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            for key in keys {
                // `exported_headers` may also be a map (header name → path): not globs
                if let Some(i) = lib.get(key) {
                    out.push((format!("`{key}` of `[[{table}]]` `{name}`"), strings_of(i)));
                }
            }
        }
    }
    out
}

/// Does the glob match a file of one of the versions? `true` (no verdict) for a glob that
/// leaves the crate or does not compile (Reindeer reports that itself).
fn matches_some(glob: &str, trees: &[&CrateTree]) -> bool {
    let g = glob.trim_start_matches("./");
    if g.starts_with('/') || g.split('/').any(|c| c == "..") {
        return true;
    }
    let Ok(m) = GlobBuilder::new(g).literal_separator(true).build().map(|g| g.compile_matcher()) else {
        return true;
    };
    trees.iter().any(|(_, _, files)| files.iter().any(|f| m.is_match(f)))
}

/// The files of a crate directory, relative to it, `/`-separated; what the crate's
/// `.gitignore` files ignore is left out (as Reindeer's walk does).
pub(super) fn crate_files(dir: &Path) -> Vec<String> {
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .build();
    walk.flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
        .take(MAX_FILES)
        .collect()
}
