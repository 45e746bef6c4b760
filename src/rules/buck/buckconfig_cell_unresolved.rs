//! `buckconfig-cell-unresolved`: a cell that Buck2 cannot resolve.
//!
//! - In a `.buckconfig`: a `[cell_aliases]`/`[repository_aliases]` entry whose target names no
//!   cell; in the root `.buckconfig`, a `[cells]`/`[repositories]` path that does not exist,
//!   for a cell the files below use (Buck2 minds a missing cell only when something loads
//!   from it). The `prelude` cell's path is not checked: buck-lint has the prelude's facts
//!   built in, and checkouts often get it from a submodule or a setup step.
//! - In a build file, `PACKAGE` or `.bzl` file of the root cell (or of a cell without a
//!   `.buckconfig` of its own): a `load("@cell//…")` or a
//!   `cell//pkg:target` label (as an argument of a target) whose cell the root `.buckconfig`
//!   does not name. Buck2 fails with "unknown cell alias" (facebook/buck2#380).
//!
//! Not reported: cells listed in `[external_cells]` (they have no directory), the `none = none`
//! placeholder and aliases to it, git submodule paths (empty until `git submodule update`),
//! paths outside the project, files of cells with their own `.buckconfig` (it may name other
//! cells), files in a Reindeer vendor directory (`vendored-crate-build-file` covers them), and
//! everything when an include of the configuration cannot be read. The finding sits on the
//! path, the alias target, or the label. No fix.
use crate::rules::registry::declare_rule;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Restrict;
use crate::model::value::ModuleLookup;
use crate::parse::Parsed;
use crate::parse::buckconfig::{self, BuckConfigFile};
use crate::rules::{Check, FileCx, ProjectCx, Sink};
use crate::source::{FileId, FileKind, Span};

declare_rule! {
    BuckconfigCellUnresolved {
        id: "buckconfig-cell-unresolved",
        code: None,
        category: Buck,
        severity: Error,
        default: true,
        fix: None,
    }
}

const CELL_SECTIONS: [&str; 2] = ["cells", "repositories"];
const ALIAS_SECTIONS: [&str; 2] = ["cell_aliases", "repository_aliases"];

/// How deep includes are followed.
const MAX_DEPTH: usize = 8;

/// Every name a configuration defines (cells, aliases, external cells), following its
/// includes; `None` when a required include cannot be read.
fn defined_names(path: &Path, cfg: &BuckConfigFile, depth: usize, out: &mut HashSet<String>) -> Option<()> {
    for section in CELL_SECTIONS.iter().chain(&ALIAS_SECTIONS).chain(&["external_cells"]) {
        out.extend(cfg.section_entries(section).map(|e| e.key.clone()));
    }
    if cfg.includes.is_empty() {
        return Some(());
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let dir = path.parent().unwrap_or(Path::new("/"));
    for inc in &cfg.includes {
        let target = crate::discover::normalize(&dir.join(&inc.path));
        match std::fs::read_to_string(&target) {
            Ok(text) => defined_names(&target, &buckconfig::parse(&text), depth + 1, out)?,
            Err(_) if inc.optional => {}
            Err(_) => return None,
        }
    }
    Some(())
}

/// [`defined_names`] of each configuration file in `layers` that exists: parsed by the model
/// (`model`) when it holds the file, else read from disk.
fn layer_names<'a>(
    layers: &[PathBuf],
    model: impl Fn(&Path) -> Option<&'a BuckConfigFile>,
    out: &mut HashSet<String>,
) -> Option<()> {
    for path in layers {
        match model(path) {
            Some(cfg) => defined_names(path, cfg, 0, out)?,
            None => {
                let Ok(text) = std::fs::read_to_string(path) else { continue };
                defined_names(path, &buckconfig::parse(&text), 0, out)?
            }
        }
    }
    Some(())
}

/// Paths of the git submodules declared in `<dir>/.gitmodules`.
fn submodule_paths(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join(".gitmodules")) else { return Vec::new() };
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "path").then(|| crate::discover::normalize(&dir.join(v.trim())))
        })
        .collect()
}

/// The cell of a label-like string (`cell//…`, `@cell//…`), when it names one.
fn label_cell(s: &str) -> Option<&str> {
    let s = s.strip_prefix('@').unwrap_or(s);
    let (cell, rest) = s.split_once("//")?;
    let ok = !cell.is_empty()
        && cell.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !rest.contains(char::is_whitespace)
        && !rest.contains("$(");
    ok.then_some(cell)
}

fn unknown_cell(span: Span, cell: &str, what: &str) -> Diagnostic {
    Diagnostic::new(
        ID,
        Severity::Error,
        span,
        format!("unknown cell `{cell}` in {what}: the root `.buckconfig` names no such cell or alias (Buck2: \"unknown cell alias\")"),
    )
    .with_label("no such cell")
    .with_help("fix the cell name, or add the cell to `[cells]` (or an alias to `[cell_aliases]`, e.g. `fbcode = none` for code that is never built here)")
}

impl Check for BuckconfigCellUnresolved {
    /// Cell paths and alias targets of a `.buckconfig`.
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::BuckConfig || cx.file.path.file_name().is_none_or(|n| n != ".buckconfig") {
            return;
        }
        let Parsed::BuckConfig(cfg) = cx.parsed else { return };
        let mut names = HashSet::new();
        if defined_names(&cx.file.path, cfg, 0, &mut names).is_none() {
            return;
        }
        // the `.buckconfig.d/` files beside it are layered under it (and may define the cell)
        let dir = cx.file.path.parent().unwrap_or(Path::new("/"));
        let layers: Vec<PathBuf> =
            crate::discover::config_layers(dir).into_iter().filter(|p| *p != cx.file.path).collect();
        if layer_names(&layers, |_| None, &mut names).is_none() {
            return;
        }
        let at = |r: &std::ops::Range<usize>| Span::new(cx.file.id, r.clone());
        for section in ALIAS_SECTIONS {
            for e in cfg.section_entries(section) {
                if e.value == "none" || e.value.is_empty() || names.contains(&e.value) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Error,
                        at(&e.value_span),
                        format!("alias `{}` names `{}`, which is not a cell of this configuration", e.key, e.value),
                    )
                    .with_label("no such cell")
                    .with_help(
                        "point the alias at a cell of `[cells]` (or at `none` for code that is never built here)",
                    ),
                );
            }
        }
    }

    /// `load()` paths and labels of the root cell's Starlark files.
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let (Some(root), Some(cfg_id)) = (p.root.as_deref(), p.root_buckconfig) else { return };
        if p.buckconfig(cfg_id).is_none() {
            return;
        }
        // every configuration file Buck2 reads here: `.buckconfig.d/*`, `.buckconfig`, `.local`
        let mut names = HashSet::new();
        let layers = p.root_layers_with_local();
        if layer_names(&layers, |path| p.file_at(path).and_then(|id| p.buckconfig(id)), &mut names).is_none() {
            return;
        }
        if names.is_empty() {
            return;
        }
        let vendor_dirs: Vec<PathBuf> =
            p.reindeer.iter().filter(|rp| rp.vendored).map(|rp| rp.third_party_dir.join("vendor")).collect();
        // the root cell, and the cells without a configuration of their own (one look each)
        let judged_cells: HashSet<&str> = p
            .cells
            .roots
            .iter()
            .filter(|(_, r)| r.as_path() == root || !r.join(".buckconfig").exists())
            .map(|(c, _)| c.as_str())
            .collect();
        let in_scope = |id: FileId| {
            let f = cx.files.get(id);
            f.restrict == Restrict::None
                && f.kind.is_starlark()
                && judged_cells.contains(p.cell_package_of(f.path.parent().unwrap_or(root)).0.as_str())
                && !vendor_dirs.iter().any(|v| f.path.starts_with(v))
        };
        let known = |cell: &str| names.contains(cell);
        // `.bzl` files count only when Buck2 loads them: a repository that also builds with
        // Bazel keeps `.bzl` files that load Bazel's repositories
        let mut loaded: HashSet<FileId> = HashSet::new();
        let mut todo: Vec<FileId> = p
            .modules()
            .map(|(id, _)| id)
            .filter(|id| {
                let f = cx.files.get(*id);
                f.kind != FileKind::Bzl || f.path.extension().is_some_and(|e| e == "bxl")
            })
            .collect();
        // a cell-qualified load (`@prelude//…`, `cell//…`) names the same file from every file
        let mut qualified: rustc_hash::FxHashMap<&str, Option<FileId>> = Default::default();
        while let Some(id) = todo.pop() {
            for l in p.module_of(id).map(|m| &m.loads[..]).unwrap_or_default() {
                let s = l.module.as_str();
                let resolved = match s.strip_prefix('@').unwrap_or(s).split_once("//") {
                    Some((cell, _)) if !cell.is_empty() => *qualified.entry(s).or_insert_with(|| p.resolve_load(id, s)),
                    _ => p.resolve_load(id, s),
                };
                if let Some(to) = resolved {
                    if loaded.insert(to) {
                        todo.push(to);
                    }
                }
            }
        }
        // canonical cell → its first use, for the path check
        let mut used: std::collections::BTreeMap<String, Span> = Default::default();
        let mut note = |cell: &str, span: Span, what: &str, sink: &mut Sink<'_>| {
            if known(cell) {
                used.entry(p.canonical_cell(cell)).or_insert(span);
            } else {
                sink.push(unknown_cell(span, cell, what));
            }
        };
        for (id, m) in p.modules() {
            let f = cx.files.get(id);
            let entry = f.kind != FileKind::Bzl || f.path.extension().is_some_and(|e| e == "bxl");
            if !(entry || loaded.contains(&id)) || !in_scope(id) {
                continue;
            }
            for l in &m.loads {
                if let Some(cell) = label_cell(&l.module) {
                    let span = Span::new(id, l.module_span.start as usize..l.module_span.end as usize);
                    note(cell, span, "this load()", sink);
                }
            }
            for t in &p.targets[p.targets_in(id)] {
                for arg in p.call_of(t).args() {
                    for (s, r) in arg.value().string_literals() {
                        if let Some(cell) = label_cell(s) {
                            note(cell, Span::new(id, r.start as usize..r.end as usize), "this label", sink);
                        }
                    }
                }
            }
        }
        // cell paths that do not exist, for cells the files above use
        // read only when a cell's path is missing (most projects have none)
        let submodules = std::cell::OnceCell::new();
        let layers = p.root_configs.iter().filter_map(|id| Some((*id, p.buckconfig(*id)?)));
        for ((cfg_id, cfg), section) in layers.flat_map(|l| CELL_SECTIONS.map(|s| (l, s))) {
            for e in cfg.section_entries(section) {
                let Some(first_use) = used.get(&e.key) else { continue };
                if e.key == "prelude"
                    || e.value == "none"
                    || p.cells.external.contains_key(&e.key)
                    || e.value.contains('$')
                {
                    continue;
                }
                let path = crate::discover::normalize(&root.join(&e.value));
                if !path.starts_with(root)
                    || path.exists()
                    || submodules.get_or_init(|| submodule_paths(root)).iter().any(|s| path.starts_with(s))
                {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Error,
                        Span::new(cfg_id, e.value_span.clone()),
                        format!("cell `{}` points at `{}`, which does not exist", e.key, e.value),
                    )
                    .with_label("no such directory")
                    .with_related(*first_use, format!("`{}` is used here", e.key))
                    .with_help("fix the path (it is relative to the root `.buckconfig`), or remove the cell; a cell built into Buck2 belongs in `[external_cells]`"),
                );
            }
        }
    }
}
