//! `fixup-cxx-include-undeclared`: a `[[cxx_library]]` fixup compiles C/C++ files whose
//! quoted `#include`s resolve to headers of the crate that the library does not declare.
//!
//! Buck2 gives a C/C++ compile action exactly the files the rule declares (`srcs`, `headers`,
//! `exported_headers`). Locally, the compiler reads the crate directory anyway and finds any
//! header next to the source or under an include path, so the build works; under remote
//! execution, or after a clean in a sandbox, the header is not among the action's inputs and
//! the compile fails with "file not found". The check reads the sources (and the declared
//! headers) of each `[[cxx_library]]`, resolves every `#include "…"` against the including
//! file's directory and the library's `include_paths`, and reports a header that exists in the
//! crate but that no `srcs`/`headers`/`exported_headers` glob matches (minus `exclude`).
//! Includes that resolve nowhere in the crate (system or generated headers) and `<…>`
//! includes are not judged; without the sources of every locked version the rule is silent.
//! The finding sits on the library's `headers` (or its `name` when it has none). No fix.
use std::collections::BTreeMap;
use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::{crate_trees, locked_fixups, native_libraries};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::strings_of;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupCxxIncludeUndeclared {
        id: "fixup-cxx-include-undeclared",
        code: None,
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// How many bytes of one C/C++ file are scanned for `#include` lines.
const MAX_SCAN: usize = 4 << 20;

fn globset(globs: &[&str]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = GlobBuilder::new(g.trim_start_matches("./")).literal_separator(true).build() {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The quoted includes of a C/C++ file: `#include "x.h"` (whitespace allowed around `#`).
fn quoted_includes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        let Some(rest) = l.strip_prefix('#') else { continue };
        let Some(rest) = rest.trim_start().strip_prefix("include") else { continue };
        let Some(rest) = rest.trim_start().strip_prefix('"') else { continue };
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// `a/b/../c` → `a/c`; `None` when it climbs out of the crate.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

impl Check for FixupCxxIncludeUndeclared {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some((pf, versions)) = locked_fixups(cx, fx) else { return };
        let Some(trees) = crate_trees(&pf, &versions) else { return };
        for s in &fx.fixups.sections {
            if s.parse_failed {
                continue;
            }
            for lib in native_libraries(s, "cxx_library") {
                let strings = |key: &str| lib.get(key).map(strings_of).unwrap_or_default();
                let (srcs, headers, exported, exclude) =
                    (strings("srcs"), strings("headers"), strings("exported_headers"), strings("exclude"));
                let include_paths: Vec<String> = strings("include_paths").iter().map(|e| e.value.to_string()).collect();
                let src_set = globset(&srcs.iter().map(|e| e.value).collect::<Vec<_>>());
                let declared =
                    globset(&srcs.iter().chain(&headers).chain(&exported).map(|e| e.value).collect::<Vec<_>>());
                let excluded = globset(&exclude.iter().map(|e| e.value).collect::<Vec<_>>());
                // header → (the file including it, version)
                let mut undeclared: BTreeMap<String, (String, String)> = BTreeMap::new();
                for (v, dir, files) in &trees {
                    if s.applies_to_version(v).is_false() {
                        continue;
                    }
                    let in_crate: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
                    let is_declared = |f: &str| declared.is_match(f) && !excluded.is_match(f);
                    // the compiled files and the declared headers they (and those) include
                    let scan: Vec<&String> = files
                        .iter()
                        .filter(|f| (src_set.is_match(f.as_str()) || is_declared(f)) && !excluded.is_match(f.as_str()))
                        .collect();
                    for f in scan {
                        let Ok(bytes) = std::fs::read(dir.join(f)) else { continue };
                        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_SCAN)]);
                        let base =
                            Path::new(f).parent().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
                        for inc in quoted_includes(&text) {
                            let candidates = std::iter::once(format!("{base}/{inc}"))
                                .chain(include_paths.iter().map(|p| format!("{p}/{inc}")));
                            let Some(found) =
                                candidates.filter_map(|c| normalize(&c)).find(|c| in_crate.contains(c.as_str()))
                            else {
                                continue;
                            };
                            if !is_declared(&found) {
                                undeclared.entry(found).or_insert_with(|| (f.clone(), v.to_string()));
                            }
                        }
                    }
                }
                if undeclared.is_empty() {
                    continue;
                }
                let name = lib.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                let anchor =
                    lib.get("headers").or_else(|| lib.get("name")).and_then(|i| i.span()).unwrap_or_else(|| s.anchor());
                let shown: Vec<String> =
                    undeclared.iter().take(3).map(|(h, (by, _))| format!("`{h}` (included by `{by}`)")).collect();
                let more =
                    if undeclared.len() > 3 { format!(" and {} more", undeclared.len() - 3) } else { String::new() };
                let (_, (_, version)) = undeclared.iter().next().expect("not empty");
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Warning,
                        Span::new(fx.file, anchor),
                        format!(
                            "`[[cxx_library]]` `{name}` of {} {version} compiles files that include headers it does not declare: {}{more}; the compile finds them locally but fails under remote execution",
                            pf.dir,
                            shown.join(", ")
                        ),
                    )
                    .with_label("headers not declared")
                    .with_help("add the headers (or a glob covering them) to `headers`, so Buck2 makes them inputs of the compile actions"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_and_paths() {
        assert_eq!(
            quoted_includes("#include \"a.h\"\n  #  include \"sub/b.h\"\n#include <stdio.h>\n// #include \"c.h\"\n"),
            ["a.h", "sub/b.h"]
        );
        assert_eq!(normalize("lib/common/../zstd.h").as_deref(), Some("lib/zstd.h"));
        assert_eq!(normalize("../x.h"), None);
    }
}
