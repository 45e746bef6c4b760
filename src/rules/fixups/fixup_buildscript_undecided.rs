//! `fixup-buildscript-undecided` (R28): a locked third-party package known to have a build
//! script (vendored `build.rs` or `[package] build`, an exact entry of the essential-buildscripts
//! data table, or a `-build-script-run` target in the generated BUCK) whose fixups do not say
//! whether to run it, on some configured platform. With a generated BUCK file at hand, only
//! the versions it declares a library for count (Reindeer leaves out packages of platforms
//! reindeer.toml does not configure, and never asks about them).
//!
//! Reindeer only warns ("has a build script, but … does not say what to do with it") and
//! leaves the script out; missing cfgs, `OUT_DIR` files and link lines surface later. A
//! `[[buildscript]]` element holding an `unresolved = '…'` placeholder counts as undecided.
//! Severity: warning, error when reindeer.toml sets `unresolved_fixup_error = true`. The
//! finding sits on line 1 of the fixups file, or on the package entry in Cargo.lock when the
//! file is missing. Fix (unsafe): insert `buildscript.run = true  # TODO(buck-lint): confirm`.
use crate::rules::registry::declare_rule;
use std::collections::BTreeMap;

use super::{BuildScript, build_script, edit};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{Decision, FixupsDoc, Section, header_starts, root_insertion_point};
use crate::model::reindeer::{LockedPackage, ReindeerProject};
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    FixupBuildscriptUndecided {
        id: "fixup-buildscript-undecided",
        code: Some("R28"),
        category: Fixups,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

fn decides(s: &Section<'_>) -> bool {
    matches!(s.buildscript().and_then(|b| b.decision()), Some(Decision::Run(_)))
}

/// `[[package]]` entry of a locked package in Cargo.lock.
fn lock_entry(
    cx: &ProjectCx<'_>,
    lock: FileId,
    name: &str,
    version: &semver::Version,
) -> Option<std::ops::Range<usize>> {
    let doc = cx.project.toml(lock)?;
    let arr = doc.get("package")?.as_array_of_tables()?;
    let t = arr.iter().find(|t| {
        t.get("name").and_then(|v| v.as_str()) == Some(name)
            && t.get("version").and_then(|v| v.as_str()) == Some(version.to_string().as_str())
    })?;
    t.span()
}

/// `fixups/<name>/fixups.toml` as Reindeer names it (relative to reindeer.toml).
pub fn fixups_display(rp: &ReindeerProject, name: &str) -> String {
    let dir = rp.fixups_dir.strip_prefix(&rp.dir).unwrap_or(&rp.fixups_dir).to_string_lossy().replace('\\', "/");
    if dir.is_empty() { format!("{name}/fixups.toml") } else { format!("{dir}/{name}/fixups.toml") }
}

impl Check for FixupBuildscriptUndecided {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        // packages without a fixups file (the fixups hook covers the others)
        for rp in &cx.project.reindeer {
            let Some(lock) = rp.lock else { continue };
            let mut by_name: BTreeMap<&str, Vec<&LockedPackage>> = BTreeMap::new();
            for pkg in rp.packages.iter().filter(|x| x.source.is_some()) {
                by_name.entry(pkg.name.as_str()).or_default().push(pkg);
            }
            for (name, pkgs) in by_name {
                if rp.fixups_for(name).is_none() {
                    check_package(cx, rp, lock, name, &pkgs, None, sink);
                }
            }
        }
    }

    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        for rp in &cx.project.reindeer {
            let Some(lock) = rp.lock else { continue };
            for (name, _) in rp.fixups.iter().filter(|(_, id)| *id == fx.file) {
                if rp.fixups_for(name) != Some(fx.file) {
                    continue;
                }
                let pkgs: Vec<&LockedPackage> =
                    rp.packages.iter().filter(|x| x.source.is_some() && x.name == *name).collect();
                if !pkgs.is_empty() {
                    check_package(cx, rp, lock, name, &pkgs, Some((fx.file, fx.doc, fx.fixups)), sink);
                }
            }
        }
    }
}

/// The locked versions `pkgs` of package `name`, with its fixups file if it has one.
fn check_package(
    cx: &ProjectCx<'_>,
    rp: &ReindeerProject,
    lock: FileId,
    name: &str,
    pkgs: &[&LockedPackage],
    doc: Option<(FileId, &toml_edit::Document<String>, &FixupsDoc<'_>)>,
    sink: &mut Sink<'_>,
) {
    let p = cx.project;
    let severity = if rp.unresolved_fixup_error { Severity::Error } else { Severity::Warning };
    let platforms = rp.platforms(p);
    let use_platforms = !platforms.is_empty() && platforms.iter().all(|x| x.complete);
    let f = doc.map(|(_, _, f)| f);
    // (version, undecided platforms (empty = all), evidence)
    let mut undecided: Vec<(&semver::Version, Vec<&str>, String)> = Vec::new();
    // Reindeer asks only about the packages it buckifies: with a generated BUCK at hand, a
    // version it has no library rule for was left out (a platform reindeer.toml does not
    // configure, a dev-only dependency), so its build script is nobody's concern.
    let buckified = |v: &semver::Version| {
        let Some(buck) = rp.buck_file else { return true };
        let want = format!("{name}-{v}");
        p.targets_with_prefix(buck, &want).any(|i| p.name(&p.targets[i]) == want)
    };
    for pkg in pkgs {
        if !buckified(&pkg.version) {
            continue;
        }
        let BuildScript::Yes(evidence) = build_script(p, rp, name, &pkg.version) else { continue };
        let v = &pkg.version;
        match &f {
            None => undecided.push((v, Vec::new(), evidence)),
            Some(f) if use_platforms => {
                let missing: Vec<&str> = platforms
                    .iter()
                    .filter(|plat| !f.sections.iter().any(|s| !s.applies_on(*plat, Some(v)).is_false() && decides(s)))
                    .map(|plat| plat.name.as_str())
                    .collect();
                if missing.len() == platforms.len() {
                    undecided.push((v, Vec::new(), evidence));
                } else if !missing.is_empty() {
                    undecided.push((v, missing, evidence));
                }
            }
            Some(f) => {
                if !f.sections_for(v).any(decides) {
                    undecided.push((v, Vec::new(), evidence));
                }
            }
        }
    }
    let Some((first_v, _, evidence)) = undecided.first().cloned() else { return };
    let versions: Vec<String> = undecided.iter().map(|(v, _, _)| format!("v{v}")).collect();
    let partial: Vec<&str> = {
        let mut all: Vec<&str> = undecided.iter().flat_map(|(_, m, _)| m.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        if undecided.iter().any(|(_, m, _)| m.is_empty()) { Vec::new() } else { all }
    };
    let on = if partial.is_empty() { String::new() } else { format!(" on {}", partial.join(", ")) };
    let message = format!(
        "{name} {} has a build script, but {} does not say what to do with it{on}",
        versions.join(", "),
        fixups_display(rp, name)
    );
    let help = format!(
        "Add `buildscript.run = false` or `buildscript.run = true` after reading its build.rs (evidence: {evidence})"
    );
    let (file, span) = match doc {
        Some((id, _, _)) => (id, 0..0),
        None => match lock_entry(cx, lock, name, first_v) {
            Some(r) => (lock, r),
            None => (lock, 0..0),
        },
    };
    if !cx.files.get(file).reported {
        return;
    }
    let mut d = Diagnostic::new(ID, severity, Span::new(file, span), message)
        .with_label("undecided build script")
        .with_help(help);
    if let (Some((id, doc, f)), true) = (doc, partial.is_empty()) {
        let any_buildscript = f.sections.iter().any(|s| s.get("buildscript").is_some());
        if !any_buildscript {
            let headers = header_starts(doc);
            let at = root_insertion_point(doc, &headers);
            let line = "buildscript.run = true  # TODO(buck-lint): confirm";
            d = d.with_fix(Fix {
                applicability: Applicability::Unsafe,
                description: "Run the build script (`buildscript.run = true`)".into(),
                edits: vec![edit(id, at..at, crate::model::fixups::line_insertion(f.text, at, line))],
            });
        }
    }
    sink.push(d);
}
