//! `fixup-orphan-dir` (R30): a `<fixups_dir>/<dir>/fixups.toml` whose `<dir>` is not a package
//! name in Cargo.lock: a versioned name (`pyo3-0.26.0`), `_` where the package has `-` (or the
//! reverse), or a package that left the lock.
//!
//! Reindeer looks fixups up by the bare package name, spelled exactly as in Cargo.lock, so
//! these files are silently ignored. Off for `[reindeer] shared-fixups` directories and when
//! the lock cannot be found. The finding sits on line 1. No automatic fix: the remedy is a
//! directory rename, which byte-range edits cannot express; the help says what to do.
use crate::rules::registry::declare_rule;
use std::collections::BTreeSet;

use super::{is_shared, locked_versions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::split_versioned;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupOrphanDir {
        id: "fixup-orphan-dir",
        code: Some("R30"),
        category: Fixups,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

/// "; did you mean `x`?" for a locked name within a small edit distance (a quarter of the length).
fn near(dir: &str, names: &BTreeSet<&str>) -> String {
    let best = names.iter().map(|n| (strsim::damerau_levenshtein(dir, n), *n)).min_by_key(|(d, _)| *d);
    match best {
        Some((d, n)) if d <= (dir.len() / 4).max(1) => format!("; did you mean `{n}`?"),
        _ => String::new(),
    }
}

impl Check for FixupOrphanDir {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        for rp in &cx.project.reindeer {
            if rp.lock.is_none() || rp.packages.is_empty() {
                continue;
            }
            let names: BTreeSet<&str> = rp.packages.iter().map(|p| p.name.as_str()).collect();
            for (dir, id) in &rp.fixups {
                if names.contains(dir.as_str()) || !cx.files.get(*id).reported || is_shared(cx, *id) {
                    continue;
                }
                let span = Span::new(*id, 0..0);
                let versioned = split_versioned(dir).filter(|(n, _)| names.contains(n));
                let swapped = [dir.replace('_', "-"), dir.replace('-', "_")]
                    .into_iter()
                    .find(|s| s != dir && names.contains(s.as_str()));
                let (message, help) = if let Some((n, v)) = versioned {
                    let locked: Vec<String> = locked_versions(rp, n).iter().map(|v| v.to_string()).collect();
                    (
                        format!(
                            "fixups directory `{dir}` carries a version; Reindeer looks fixups up by the bare package name `{n}`, so this file is never read"
                        ),
                        format!(
                            "move it to `{n}/fixups.toml` and wrap its contents in `['cfg(version = \"={v}\")']` (Cargo.lock has {n} {})",
                            locked.join(", ")
                        ),
                    )
                } else if let Some(s) = swapped {
                    (
                        format!(
                            "fixups directory `{dir}` does not match the package name `{s}` in Cargo.lock (`-` and `_` are not interchangeable), so this file is never read"
                        ),
                        format!("rename the directory to `{s}`"),
                    )
                } else {
                    (
                        format!("fixups directory `{dir}` is not a package in Cargo.lock, so this file is never read{}", near(dir, &names)),
                        "delete the directory if the package left the lock, or list a shared fixups library in buck-lint.toml `[reindeer] shared-fixups`".to_string(),
                    )
                };
                sink.push(
                    Diagnostic::new(ID, Severity::Warning, span, message).with_label("orphan fixups").with_help(help),
                );
            }
        }
    }
}
