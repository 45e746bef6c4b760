//! `vendored-crate-build-file`: a crate in Reindeer's vendor directory
//! (`<third_party_dir>/vendor/`, when reindeer.toml vendors) ships a file with one of Buck2's
//! build-file names, and `.buckconfig [project] ignore` does not hide it.
//!
//! Buck2 then treats that directory as a package of its own, so the target Reindeer generated
//! in the third-party package cannot own the crate's sources ("Error coercing attribute
//! `srcs`", facebook/buck2#1226: `buck-resources` and `sorted_vector_map` were published with
//! a BUCK file). The build-file names are Buck2's: the cell's `[buildfile] name_v2`/`name`, else
//! `BUCK.v2` and `BUCK` (a `TARGETS` file is a build file only where configured). Files that
//! discovery skips (ignored, or `.gitignore`d and so not in a clean checkout) are never seen.
//! One finding per build file, on the file; a related span on reindeer.toml's `vendor` key.
//!
//! Fix (safe): add `<vendor dir>/**/<name>` for each such name to `[project] ignore` of the
//! root `.buckconfig`. Only the build files are hidden: ignoring the whole vendor directory
//! would hide the sources too ("Tried to read ignored dir"). No fix when `.buckconfig.local`
//! sets `[project] ignore` (it overrides the edited value). Silent when a file the root
//! `.buckconfig` includes sets `[project] ignore` (buck-lint's walk does not read includes).
use crate::rules::registry::declare_rule;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::parse::buckconfig::{self, BuckConfigFile};
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::{FileId, FileKind, Span};

declare_rule! {
    VendoredCrateBuildFile {
        id: "vendored-crate-build-file",
        code: None,
        category: Buck,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

fn read_config(path: &Path) -> Option<(String, BuckConfigFile)> {
    let text = std::fs::read_to_string(path).ok()?;
    let cfg = buckconfig::parse(&text);
    Some((text, cfg))
}

/// The build-file names Buck2 uses in a cell whose `.buckconfig` (and `.local`) says
/// `[buildfile]` `name_v2`/`name`, if it does.
fn configured_names(dir: &Path) -> Option<Vec<String>> {
    let (mut name, mut name_v2) = (None, None);
    for path in crate::discover::config_layers_with_local(dir) {
        let Some((text, cfg)) = read_config(&path) else { continue };
        let list = |key| cfg.get("buildfile", key).map(|e| buckconfig::split_list(e, &text));
        if let Some(l) = list("name") {
            name = Some(l.into_iter().map(|(s, _)| s).collect::<Vec<_>>());
        }
        if let Some(l) = list("name_v2") {
            name_v2 = Some(l.into_iter().map(|(s, _)| s).collect::<Vec<_>>());
        }
    }
    match (name_v2, name) {
        (Some(v2), _) => Some(v2),
        (None, Some(names)) => Some(names.iter().flat_map(|n| [format!("{n}.v2"), n.clone()]).collect()),
        (None, None) => None,
    }
}

/// Does a file included by the root `.buckconfig` (or `.local`) set `[project] ignore`?
fn ignore_in_include(root: &Path) -> bool {
    crate::discover::config_layers_with_local(root).iter().any(|f| {
        let Some((_, cfg)) = read_config(f) else { return false };
        cfg.includes.iter().any(|inc| {
            let path = crate::discover::normalize(&root.join(&inc.path));
            read_config(&path).is_some_and(|(_, c)| c.get("project", "ignore").is_some())
        })
    })
}

/// The edit that adds `globs` to `[project] ignore` of a `.buckconfig`, keeping its layout.
fn add_ignores(file: FileId, text: &str, cfg: &BuckConfigFile, globs: &[String]) -> Edit {
    let list = globs.join(", ");
    let at = |pos: usize, content: String| Edit { span: Span::new(file, pos..pos), content };
    if let Some(e) = cfg.get("project", "ignore") {
        let sep = if e.value.trim().is_empty() { "" } else { ", " };
        return at(e.value_span.end, format!("{sep}{list}"));
    }
    // indentation of the file's assignments, so the new line looks like its neighbours
    let indent = cfg
        .entries
        .first()
        .map(|e| text[e.line_span.start..e.key_span.start].to_string())
        .filter(|i| i.chars().all(|c| c == ' ' || c == '\t'))
        .unwrap_or_default();
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if let Some(h) = cfg.sections.iter().find(|s| s.name == "project") {
        let end = text[h.span.end..].find('\n').map_or(text.len(), |i| h.span.end + i);
        let end = if text[..end].ends_with('\r') { end - 1 } else { end };
        return at(end, format!("{nl}{indent}ignore = {list}"));
    }
    let lead = if text.is_empty() || text.ends_with('\n') { "" } else { nl };
    at(text.len(), format!("{lead}{nl}[project]{nl}{indent}ignore = {list}{nl}"))
}

impl Check for VendoredCrateBuildFile {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let (Some(root), Some(cfg_id)) = (p.root.as_deref(), p.root_buckconfig) else { return };
        let vendor_dirs: Vec<(PathBuf, &crate::model::reindeer::ReindeerProject)> =
            p.reindeer.iter().filter(|rp| rp.vendored).map(|rp| (rp.third_party_dir.join("vendor"), rp)).collect();
        if vendor_dirs.is_empty() || ignore_in_include(root) {
            return;
        }
        let root_names = configured_names(root);
        let local_ignore =
            read_config(&root.join(".buckconfig.local")).is_some_and(|(_, c)| c.get("project", "ignore").is_some());
        let cfg = p.buckconfig(cfg_id);
        let cfg_text = cx.files.text(cfg_id);
        for (vendor, rp) in vendor_dirs {
            // the names Buck2 uses in the vendor directory's cell
            let (cell, _) = p.cell_package_of(&vendor);
            let cell_root = p.cells.roots.get(&cell).map(PathBuf::as_path).unwrap_or(root);
            let names =
                (cell_root != root).then(|| configured_names(cell_root)).flatten().or_else(|| root_names.clone());
            let names = names.unwrap_or_else(|| vec!["BUCK.v2".into(), "BUCK".into()]);
            let found: Vec<(FileId, &Path)> = cx
                .files
                .iter()
                .filter(|f| f.kind == FileKind::Build && f.path.starts_with(&vendor) && f.path != vendor)
                .filter(|f| f.path.file_name().and_then(|n| n.to_str()).is_some_and(|n| names.iter().any(|x| x == n)))
                .map(|f| (f.id, f.path.as_path()))
                .collect();
            if found.is_empty() {
                continue;
            }
            let rel = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
            let vendor_rel = rel(&vendor);
            let globs: Vec<String> = found
                .iter()
                .filter_map(|(_, path)| path.file_name()?.to_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(|n| format!("{vendor_rel}/**/{n}"))
                .collect();
            let fix = match (cfg, &cfg_text) {
                (Some(cfg), Some(text)) if !local_ignore => Some(Fix {
                    applicability: Applicability::Safe,
                    description: format!("Add `{}` to `[project] ignore`", globs.join("`, `")),
                    edits: vec![add_ignores(cfg_id, text, cfg, &globs)],
                }),
                _ => None,
            };
            let vendor_key = rp.key_span(p, "vendor").map(|(k, _)| k);
            for (id, path) in found {
                let crate_dir = path.parent().map(&rel).unwrap_or_default();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Error,
                    Span::new(id, 0..0),
                    format!(
                        "vendored crate ships a `{name}` file: Buck2 treats `{crate_dir}` as a package of its own, so the Reindeer target cannot use the crate's sources (\"Error coercing attribute `srcs`\")"
                    ),
                )
                .with_label("a package boundary inside the vendor directory")
                .with_help(format!(
                    "hide the vendored build files from Buck2: add `{}` to `[project] ignore` in `.buckconfig` (a current `reindeer vendor` also deletes them)",
                    globs.join(", ")
                ));
                if let Some(k) = vendor_key {
                    d = d.with_related(k, "crates are vendored here");
                }
                if let Some(f) = &fix {
                    d = d.with_fix(f.clone());
                }
                sink.push(d);
            }
        }
    }
}
