//! The pipeline: discover → parse (+ per-file rules, in parallel) → model → project rules →
//! suppressions → sorted diagnostics.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{self, DiscoverOptions};
use crate::files::Files;
use crate::model::{Facts, Project};
use crate::parse::{self, Parsed};
use crate::rules::{self, FileCx, ProjectCx, Sink};
use crate::source::{FileId, FileKind, SourceFile, Span};
use crate::suppress::{self, Suppressions};

pub struct RunOptions {
    pub paths: Vec<PathBuf>,
    /// `(path, text)` of a buffer read from stdin that replaces that file.
    pub stdin: Option<(PathBuf, String)>,
    pub force_exclude: bool,
    /// In-memory texts that replace files on disk (the LSP's unsaved buffers, the fixer).
    pub overlays: HashMap<PathBuf, String>,
}

pub struct RunResult {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files findings were reported for.
    pub files_checked: usize,
    pub root: Option<PathBuf>,
    /// Paths that could not be read at all (exit 2).
    pub io_errors: Vec<(String, String)>,
    /// Files skipped with a warning (broken or looping symbolic links).
    pub skipped: Vec<(String, String)>,
}

/// Stack size for worker threads: deeply nested Starlark is parsed and lowered recursively.
const STACK_SIZE: usize = 256 * 1024 * 1024;

struct FileOutput {
    diagnostics: Vec<Diagnostic>,
    facts: Option<Facts>,
    suppressions: Suppressions,
    keep_text: Option<Arc<str>>,
}

/// Run buck-lint over the given paths.
pub fn run(opts: &RunOptions, settings: &Settings) -> RunResult {
    let pool = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).build().expect("thread pool");
    pool.install(|| run_inner(opts, settings))
}

/// Discovery, parsing, per-file rules, and the project model built from the facts.
pub struct Analysis {
    pub files: Files,
    pub project: Project,
    /// Findings of the per-file rules (not yet filtered or suppressed).
    pub diagnostics: Vec<Diagnostic>,
    pub io_errors: Vec<(String, String)>,
    /// Files skipped with a warning (broken or looping symbolic links).
    pub skipped: Vec<(String, String)>,
    pub root: Option<PathBuf>,
    suppressions: HashMap<FileId, Suppressions>,
    cwd: PathBuf,
}

/// Load and model a project without running the project rules (for tests and tools).
pub fn analyze(opts: &RunOptions, settings: &Settings) -> Analysis {
    let pool = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).build().expect("thread pool");
    pool.install(|| analyze_inner(opts, settings))
}

fn analyze_inner(opts: &RunOptions, settings: &Settings) -> Analysis {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let stdin_path = opts.stdin.as_ref().map(|(p, _)| discover::normalize(&cwd.join(p)));
    let mut paths = opts.paths.clone();
    if let Some(p) = &stdin_path {
        paths.retain(|x| x.as_os_str() != "-");
        paths.push(p.clone());
    }
    let disc = discover::discover(&DiscoverOptions {
        paths: &paths,
        exclude: &settings.exclude,
        force_exclude: opts.force_exclude,
        stdin_path: stdin_path.as_deref(),
    });
    let mut files = Files::new();
    let mut overlays: HashMap<PathBuf, String> =
        opts.overlays.iter().map(|(p, t)| (discover::normalize(&cwd.join(p)), t.clone())).collect();
    if let (Some(p), Some((_, text))) = (&stdin_path, &opts.stdin) {
        overlays.insert(p.clone(), text.clone());
    }
    // Cargo.lock / Cargo.toml are only read next to a manifest a reindeer.toml names, or when asked for.
    let (lock_dirs, third_party_dirs) = reindeer_manifest_dirs(&disc.files, &overlays);
    for f in &disc.files {
        if matches!(f.kind, FileKind::CargoLock | FileKind::CargoToml)
            && !f.reported_explicitly(&paths, &cwd)
            && !lock_dirs.iter().any(|d| f.path.parent() == Some(d.as_path()))
        {
            continue;
        }
        let display = crate::source::display_path(&f.path, &cwd);
        files.add(f.path.clone(), display, f.kind, f.reported);
    }
    let mut io_errors: Vec<(String, String)> =
        disc.errors.iter().map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone())).collect();

    // Files are processed in waves: first everything asked for plus the context every
    // cross-file rule needs (configuration, Reindeer files, third-party build files, `.bzl`
    // files, `PACKAGE` files); then the build files of packages that processed build files
    // reference by label, until nothing new is referenced. A whole-repository run
    // processes everything in the first wave; a single-file run parses only what it needs.
    let mut processed = vec![false; files.len()];
    let mut wave: Vec<FileId> = files
        .iter()
        .filter(|f| f.reported || f.kind != FileKind::Build || third_party_dirs.iter().any(|d| f.path.starts_with(d)))
        .map(|f| f.id)
        .collect();
    let build_files: HashMap<&Path, FileId> =
        files.iter().filter(|f| f.kind == FileKind::Build).map(|f| (f.path.as_path(), f.id)).collect();
    let cells = cell_roots(disc.root.as_deref(), &overlays);
    let all_files: HashMap<&Path, FileId> = files.iter().map(|f| (f.path.as_path(), f.id)).collect();
    // Toolchains (e.g. `system_rust_toolchain(...)`) are declared, not referenced: load the
    // build files of the `toolchains` cell up front.
    if let Some(tc) = cells.get("toolchains").filter(|tc| Some(tc.as_path()) != disc.root.as_deref()) {
        wave.extend(build_files.iter().filter(|(p, _)| p.starts_with(tc)).map(|(_, id)| *id));
    }
    let mut outputs: Vec<(FileId, FileOutput)> = Vec::new();
    if let Some(id) = execution_platforms_build_file(disc.root.as_deref(), &cells, &build_files, &overlays) {
        wave.push(id);
    }
    let embedding_crates: Vec<String> =
        crate::model::data::Data::load(settings).env_embedding.iter().map(|e| e.name.clone()).collect();
    let mut first = true;
    for _ in 0..64 {
        wave.retain(|id| !std::mem::replace(&mut processed[id.0 as usize], true));
        if wave.is_empty() {
            break;
        }
        // Only the first wave skips `.bzl` files that cannot matter; files reached through
        // `load()` or labels are always kept.
        let shared = Shared {
            overlays: &overlays,
            settings,
            third_party_dirs: &third_party_dirs,
            prefilter: first,
            embedding_crates: embedding_crates.clone(),
        };
        first = false;
        let batch: Vec<(FileId, FileOutput)> =
            wave.par_iter().map(|&id| (id, process_isolated(files.get(id), &shared))).collect();
        let mut next = Vec::new();
        for (id, out) in &batch {
            if let Some(Facts::Starlark(m)) = &out.facts {
                let path = &files.get(*id).path;
                if files.get(*id).kind == FileKind::Build {
                    referenced_build_files(m, path, &cells, &build_files, &mut next);
                }
                loaded_files(m, path, &cells, &all_files, &mut next);
            }
        }
        outputs.extend(batch);
        wave = next;
    }

    let mut diagnostics = Vec::new();
    let mut facts = HashMap::new();
    let mut supps: HashMap<FileId, Suppressions> = HashMap::new();
    for (id, out) in outputs {
        if let Some(t) = out.keep_text {
            files.set_text(id, t);
        }
        diagnostics.extend(out.diagnostics);
        if let Some(f) = out.facts {
            facts.insert(id, f);
        }
        supps.insert(id, out.suppressions);
    }
    // io-error findings for unreadable files also mean exit 2
    for d in &diagnostics {
        if d.rule == "io-error" {
            io_errors.push((files.display(d.primary.file).to_string(), d.message.clone()));
        }
    }

    let project = Project::build(&files, facts, disc.root.clone(), settings);
    let skipped = disc.skipped.iter().map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone())).collect();
    Analysis { files, project, diagnostics, io_errors, skipped, root: disc.root.clone(), suppressions: supps, cwd }
}

fn run_inner(opts: &RunOptions, settings: &Settings) -> RunResult {
    let Analysis { files, project, mut diagnostics, io_errors, skipped, root, suppressions: supps, cwd } =
        analyze_inner(opts, settings);
    // Project phase.
    let cx = ProjectCx { project: &project, files: &files, settings };
    let all_checks: Vec<&'static dyn rules::Check> = rules::checks().collect();
    let project_diags: Vec<Diagnostic> = all_checks
        .par_iter()
        .flat_map_iter(|c| {
            let mut sink = Sink::new(settings);
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| c.check_project(&cx, &mut sink)));
            if let Err(p) = r {
                let first = files.iter().next().map(|f| f.id).unwrap_or(FileId(0));
                sink.diagnostics.push(Diagnostic::new(
                    "internal-error",
                    Severity::Error,
                    Span { file: first, start: 0, end: 0 },
                    format!("buck-lint crashed in the project rules {:?}: {}", c.rules(), panic_message(&p)),
                ));
            }
            sink.diagnostics
        })
        .collect();
    diagnostics.extend(project_diags);

    // Report only on asked-for files; apply per-file ignores and severity overrides.
    diagnostics.retain(|d| {
        let f = files.get(d.primary.file);
        if !f.reported {
            return false;
        }
        let rel = rel_to(&f.path, root.as_deref().unwrap_or(&cwd));
        settings.is_enabled_for(d.rule, &rel, &f.display)
    });
    for d in &mut diagnostics {
        if let Some(s) = settings.severity.get(d.rule) {
            d.severity = *s;
        }
    }
    // Suppressions (and unused-suppression).
    diagnostics = suppress::apply(diagnostics, &supps, &files, settings);
    diagnostics.sort_by(|a, b| {
        (files.display(a.primary.file), a.primary.start, a.rule, &a.message).cmp(&(
            files.display(b.primary.file),
            b.primary.start,
            b.rule,
            &b.message,
        ))
    });
    diagnostics.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
    let files_checked = files.iter().filter(|f| f.reported).count();
    RunResult { files, diagnostics, files_checked, root, io_errors, skipped }
}

impl discover::Found {
    fn reported_explicitly(&self, paths: &[PathBuf], cwd: &Path) -> bool {
        paths.iter().any(|p| discover::normalize(&cwd.join(p)) == self.path)
    }
}

fn rel_to(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Directories holding the manifests that reindeer.toml files name.
/// Directories of the manifests and the third-party directories that reindeer.toml files name.
fn reindeer_manifest_dirs(
    found: &[discover::Found],
    overlays: &HashMap<PathBuf, String>,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut out = Vec::new();
    let mut third_party = Vec::new();
    for f in found.iter().filter(|f| f.kind == FileKind::ReindeerToml) {
        let text = match overlays.get(&f.path) {
            Some(t) => t.clone(),
            None => std::fs::read_to_string(&f.path).unwrap_or_default(),
        };
        let dir = f.path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let doc = text.parse::<toml_edit::DocumentMut>().ok();
        let get = |k: &str| doc.as_ref().and_then(|d| d.get(k)).and_then(|v| v.as_str()).map(String::from);
        let tp = discover::normalize(&dir.join(get("third_party_dir").unwrap_or_else(|| ".".into())));
        let manifest = match get("manifest_path") {
            Some(m) => discover::normalize(&dir.join(m)),
            None => tp.join("Cargo.toml"),
        };
        if let Some(p) = manifest.parent() {
            out.push(p.to_path_buf());
        }
        third_party.push(tp);
    }
    (out, third_party)
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Is a Starlark file worth keeping as context for cross-file rules?
fn context_relevant(kind: FileKind, text: &str) -> bool {
    match kind {
        FileKind::Build | FileKind::Package => true,
        FileKind::Bzl => {
            ["CommandExecutorConfig", "RustToolchainInfo", "rust_toolchain", "ExecutionPlatform", "host_info"]
                .iter()
                .any(|k| text.contains(k))
        }
        _ => true,
    }
}

/// Process one file, turning a panic into an `internal-error` finding for that file.
fn process_isolated(entry: &crate::files::FileEntry, shared: &Shared<'_>) -> FileOutput {
    match std::panic::catch_unwind(AssertUnwindSafe(|| process_file(entry, shared))) {
        Ok(o) => o,
        Err(panic) => FileOutput {
            diagnostics: vec![
                Diagnostic::new(
                    "internal-error",
                    Severity::Error,
                    Span { file: entry.id, start: 0, end: 0 },
                    format!("buck-lint crashed while checking this file: {}", panic_message(&panic)),
                )
                .with_help("this is a bug in buck-lint; please report it with the file attached"),
            ],
            facts: None,
            suppressions: Suppressions::default(),
            keep_text: None,
        },
    }
}

/// Cell name → root directory, from the root `.buckconfig` (for finding referenced packages).
fn cell_roots(root: Option<&Path>, overlays: &HashMap<PathBuf, String>) -> HashMap<String, PathBuf> {
    let mut cells = HashMap::new();
    let Some(root) = root else { return cells };
    let path = root.join(".buckconfig");
    let text = overlays.get(&path).cloned().or_else(|| std::fs::read_to_string(&path).ok()).unwrap_or_default();
    let cfg = crate::parse::buckconfig::parse(&text);
    for section in ["repositories", "cells"] {
        for e in cfg.section_entries(section) {
            cells.insert(e.key.clone(), discover::normalize(&root.join(&e.value)));
        }
    }
    for section in ["repository_aliases", "cell_aliases"] {
        for e in cfg.section_entries(section) {
            if let Some(p) = cells.get(&e.value).cloned() {
                cells.insert(e.key.clone(), p);
            }
        }
    }
    cells.entry(String::new()).or_insert_with(|| root.to_path_buf());
    cells
}

/// The build file of a label's package, if it is one of the discovered build files.
fn package_build_file(
    label: &str,
    from_dir: &Path,
    cells: &HashMap<String, PathBuf>,
    build_files: &HashMap<&Path, FileId>,
) -> Option<FileId> {
    let dir = if label.starts_with(':') {
        from_dir.to_path_buf()
    } else {
        let l = crate::model::label::Label::parse(label, "", "")?;
        let root = cells.get(&l.cell).or_else(|| cells.get(""))?;
        root.join(&l.package)
    };
    build_files.iter().find(|(p, _)| p.parent() == Some(dir.as_path())).map(|(_, id)| *id)
}

/// Build files of the packages a build file's targets reference by label.
fn referenced_build_files(
    m: &crate::model::ir::Module,
    path: &Path,
    cells: &HashMap<String, PathBuf>,
    build_files: &HashMap<&Path, FileId>,
    out: &mut Vec<FileId>,
) {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut seen_dirs: Vec<String> = Vec::new();
    for c in &m.calls {
        for a in &c.args {
            for (s, _) in crate::rules::util::list_string_literals(&a.value) {
                if !(s.starts_with("//") || s.starts_with('@') || s.contains("//")) || s.contains("$(") {
                    continue;
                }
                let key = s.split(':').next().unwrap_or(s).to_string();
                if seen_dirs.contains(&key) {
                    continue;
                }
                seen_dirs.push(key);
                if let Some(id) = package_build_file(s, dir, cells, build_files) {
                    out.push(id);
                }
            }
        }
    }
}

/// Files a module `load()`s (so constants and macros they define are known in narrow runs).
fn loaded_files(
    m: &crate::model::ir::Module,
    path: &Path,
    cells: &HashMap<String, PathBuf>,
    all_files: &HashMap<&Path, FileId>,
    out: &mut Vec<FileId>,
) {
    let dir = path.parent().unwrap_or(Path::new("/"));
    for load in &m.loads {
        let target = if let Some(rest) = load.module.strip_prefix(':') {
            dir.join(rest)
        } else {
            let p = load.module.strip_prefix('@').unwrap_or(&load.module);
            let Some((cell, rest)) = p.split_once("//") else { continue };
            let Some(root) = cells.get(cell).or_else(|| cells.get("")) else { continue };
            let (pkg, file) = rest.split_once(':').unwrap_or_else(|| rest.rsplit_once('/').unwrap_or(("", rest)));
            root.join(pkg).join(file)
        };
        if let Some(id) = all_files.get(discover::normalize(&target).as_path()) {
            out.push(*id);
        }
    }
}

/// The build file declaring `[build] execution_platforms`, so RE detection works in narrow runs.
fn execution_platforms_build_file(
    root: Option<&Path>,
    cells: &HashMap<String, PathBuf>,
    build_files: &HashMap<&Path, FileId>,
    overlays: &HashMap<PathBuf, String>,
) -> Option<FileId> {
    let root = root?;
    let path = root.join(".buckconfig");
    let text = overlays.get(&path).cloned().or_else(|| std::fs::read_to_string(&path).ok())?;
    let cfg = crate::parse::buckconfig::parse(&text);
    let v = cfg.value("build", "execution_platforms")?.to_string();
    package_build_file(&v, root, cells, build_files)
}

/// What every per-file job shares.
struct Shared<'a> {
    overlays: &'a HashMap<PathBuf, String>,
    settings: &'a Settings,
    /// Reindeer third-party directories: their build files keep their whole model.
    third_party_dirs: &'a [PathBuf],
    /// Skip context-only `.bzl` files that contain nothing cross-file rules read.
    prefilter: bool,
    /// Crate names of the env-embedding table (their `env`/`features` are kept everywhere).
    embedding_crates: Vec<String>,
}

fn process_file(entry: &crate::files::FileEntry, shared: &Shared<'_>) -> FileOutput {
    let (id, path, display, kind, reported) =
        (entry.id, entry.path.as_path(), entry.display.as_str(), entry.kind, entry.reported);
    let (overlays, settings, third_party_dirs) = (shared.overlays, shared.settings, shared.third_party_dirs);
    let zero = Span { file: id, start: 0, end: 0 };
    // Test hook for the per-file panic isolation (tests/cli.rs).
    if let Some(p) = std::env::var_os("BUCK_LINT_TEST_PANIC_ON") {
        if !p.is_empty() && display == p.to_string_lossy() {
            panic!("BUCK_LINT_TEST_PANIC_ON");
        }
    }
    // Test hook: the file vanishes between discovery and reading (tests/hostile.rs).
    if let Some(p) = std::env::var_os("BUCK_LINT_TEST_DELETE_BEFORE_READ") {
        if !p.is_empty() && display == p.to_string_lossy() {
            let _ = std::fs::remove_file(path);
        }
    }
    let bytes = match overlays.get(path) {
        Some(t) => t.clone().into_bytes(),
        None => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                return FileOutput {
                    diagnostics: vec![
                        Diagnostic::new("io-error", Severity::Error, zero, format!("cannot read `{display}`: {e}"))
                            .with_help("check the file's permissions, or exclude it with `--exclude`"),
                    ],
                    facts: None,
                    suppressions: Suppressions::default(),
                    keep_text: Some(Arc::from("")),
                };
            }
        },
    };
    let text = match parse::decode(&bytes) {
        Ok((t, _bom)) => t,
        Err(e) => {
            // Report on the bytes decoded lossily so positions stay meaningful.
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(&bytes).into_owned());
            let start = e.span.start.min(lossy.len());
            return FileOutput {
                diagnostics: vec![Diagnostic::new(
                    "syntax-error",
                    Severity::Error,
                    Span { file: id, start: start as u32, end: (start + 1).min(lossy.len()) as u32 },
                    e.message,
                )],
                facts: None,
                suppressions: Suppressions::default(),
                keep_text: Some(lossy),
            };
        }
    };
    let text: Arc<str> = Arc::from(text);
    if !reported && shared.prefilter && kind.is_starlark() && !context_relevant(kind, &text) {
        return FileOutput {
            diagnostics: Vec::new(),
            facts: None,
            suppressions: Suppressions::default(),
            keep_text: None,
        };
    }
    let outcome = parse::parse(kind, display, &text);
    let source = SourceFile::new(id, path.to_path_buf(), display.to_string(), kind, text.clone());
    let mut diagnostics: Vec<Diagnostic> = outcome
        .errors
        .iter()
        .map(|e| {
            Diagnostic::new(
                "syntax-error",
                Severity::Error,
                Span::new(id, e.span.start.min(text.len())..e.span.end.min(text.len())),
                e.message.clone(),
            )
        })
        .collect();
    let suppressions = if reported { suppress::collect(&source, &outcome.parsed) } else { Suppressions::default() };
    if reported {
        let cx = FileCx { file: &source, parsed: &outcome.parsed, settings };
        let mut sink = Sink::new(settings);
        for c in rules::checks() {
            c.check_file(&cx, &mut sink);
        }
        diagnostics.extend(sink.diagnostics);
    }
    let facts = match outcome.parsed {
        Parsed::Starlark { mut module, ast } => {
            drop(ast);
            let keep_whole = third_party_dirs.iter().any(|d| path.starts_with(d));
            crate::model::prune::prune(&mut module, kind, keep_whole, &shared.embedding_crates);
            Some(Facts::Starlark(module))
        }
        Parsed::Toml(doc) => Some(Facts::Toml(doc)),
        Parsed::BuckConfig(c) => Some(Facts::BuckConfig(c)),
        Parsed::Failed => None,
    };
    let keep_text =
        if overlays.contains_key(path) || (reported && (!diagnostics.is_empty() || !suppressions.is_empty())) {
            Some(text)
        } else {
            None
        };
    FileOutput { diagnostics, facts, suppressions, keep_text }
}
