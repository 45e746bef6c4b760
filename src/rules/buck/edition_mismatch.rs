//! `edition-mismatch`: a first-party `rust_library`/`rust_binary`/`rust_test` whose literal
//! `edition` differs from the edition of the `Cargo.toml` in the same directory.
//!
//! Repositories that build with both Cargo and Buck2 keep two descriptions of each crate; when
//! the editions drift apart, code that compiles under one build system fails under the other
//! (`async fn` in 2015, `gen` and `unsafe extern` in 2024, prelude and closure-capture changes
//! between 2018 and 2021). The Cargo edition is `[package] edition`, or the workspace's
//! `[workspace.package] edition` for `edition.workspace = true` (the nearest ancestor
//! `Cargo.toml` with a `[workspace]`, within the project). Silent when either edition is not a
//! literal, when `Cargo.toml` gives no edition (Cargo's 2015 default is rarely what a
//! manifest means), sets a per-target edition, or names its workspace with
//! `package.workspace`; and for Reindeer's third-party directories and dependency cells. The
//! finding sits on the `edition` value. No fix: which side is right is the author's call.
use crate::rules::registry::declare_rule;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Restrict;
use crate::rules::util::{is_rust_binary_rule, is_rust_library_rule};
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    EditionMismatch {
        id: "edition-mismatch",
        code: None,
        category: Buck,
        severity: Warning,
        default: true,
        fix: None,
    }
}

fn read_manifest(path: &Path) -> Option<toml_edit::DocumentMut> {
    std::fs::read_to_string(path).ok()?.parse().ok()
}

/// `[workspace.package] edition` of the nearest ancestor workspace of `dir` (within `root`).
fn workspace_edition(dir: &Path, root: &Path) -> Option<String> {
    let mut d = dir.parent();
    while let Some(cur) = d.filter(|c| c.starts_with(root)) {
        if let Some(doc) = read_manifest(&cur.join("Cargo.toml")) {
            if let Some(ws) = doc.get("workspace") {
                return ws.get("package")?.get("edition")?.as_str().map(String::from);
            }
        }
        d = cur.parent();
    }
    None
}

/// The edition Cargo compiles the package in `dir` with, when the manifest says it plainly.
fn cargo_edition(dir: &Path, root: &Path) -> Option<String> {
    let doc = read_manifest(&dir.join("Cargo.toml"))?;
    let package = doc.get("package")?;
    if package.get("workspace").is_some() {
        return None;
    }
    // a per-target edition makes "the" edition ambiguous
    let per_target = ["lib", "bin", "test", "example", "bench"].iter().any(|k| match doc.get(k) {
        Some(toml_edit::Item::Table(t)) => t.contains_key("edition"),
        Some(toml_edit::Item::ArrayOfTables(a)) => a.iter().any(|t| t.contains_key("edition")),
        _ => false,
    });
    if per_target {
        return None;
    }
    let edition = package.get("edition")?;
    if let Some(s) = edition.as_str() {
        return Some(s.to_string());
    }
    let inherited = edition.get("workspace").and_then(|w| w.as_bool()) == Some(true);
    if inherited { workspace_edition(dir, root) } else { None }
}

impl Check for EditionMismatch {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let Some(root) = p.root.as_deref() else { return };
        let mut cache: std::collections::HashMap<&Path, Option<String>> = Default::default();
        for t in &p.targets {
            let f = cx.files.get(t.file);
            if f.restrict != Restrict::None || p.reindeer.iter().any(|rp| rp.contains(p, t.file)) {
                continue;
            }
            if !(is_rust_library_rule(&t.rule, cx.settings, None) || is_rust_binary_rule(&t.rule)) {
                continue;
            }
            let Some(arg) = p.call_of(t).kwarg("edition") else { continue };
            let value = arg.value();
            let Some(buck) = value.as_str() else { continue };
            let Some(dir) = f.path.parent() else { continue };
            let cargo = cache.entry(dir).or_insert_with(|| cargo_edition(dir, root));
            let Some(cargo) = cargo.as_deref() else { continue };
            if cargo == buck {
                continue;
            }
            // a third-party file whose project a run that looked its context up did not find
            if crate::rules::util::generated_without_project(cx, t.file) {
                continue;
            }
            let name = p.name(t);
            let r = value.span();
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Warning,
                    Span::new(t.file, r.start as usize..r.end as usize),
                    format!(
                        "`{name}` is built with edition {buck} by Buck2 but edition {cargo} by Cargo (`Cargo.toml` in this directory)"
                    ),
                )
                .with_label(format!("Cargo.toml says {cargo}"))
                .with_help("use the same edition in both files, so that code that builds with one build system builds with the other"),
            );
        }
    }
}
