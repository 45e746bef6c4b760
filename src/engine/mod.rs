//! The pipeline: discover → parse (+ per-file rules, in parallel) → model → project rules →
//! suppressions → sorted diagnostics.

use std::collections::HashMap;

/// The engine's own maps (file ids, paths): hashed with FxHash, not SipHash.
type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{self, DiscoverOptions};
use crate::files::{Files, Restrict};
use crate::model::cells::Cells;
use crate::model::reindeer::Layout;
use crate::model::{Facts, Project};
use crate::parse::{self, Parsed};
use crate::rules::{self, FileCx, ProjectCx, Sink};
use crate::source::{FileId, FileKind, SourceFile, Span};
use crate::suppress::{self, Suppressions};

mod cache;
mod changed;
pub use cache::{CacheOutcome, run_cached};
mod file;
mod lookup;
mod projects;
mod select;
pub use changed::{ChangedSet, changed_since};

use file::*;
use select::*;
pub use select::{ReportedFile, reported_files};

#[derive(Clone)]
pub struct RunOptions {
    pub paths: Vec<PathBuf>,
    /// `(path, text)` of a buffer read from stdin that replaces that file.
    pub stdin: Option<(PathBuf, String)>,
    pub force_exclude: bool,
    /// In-memory texts that replace files on disk (the LSP's unsaved buffers, the fixer).
    pub overlays: HashMap<PathBuf, String>,
    /// Where the crate-source phase keeps each registry crate's facts, by checksum (`None`:
    /// read the sources every run). See `model::crate_scan`.
    pub crate_cache: Option<PathBuf>,
    /// Walk the project root on this thread (set for the runs of many projects, which run in
    /// parallel already: a parallel walk of a small tree costs more in thread start-up and
    /// idle waits than the walk itself).
    pub sequential_walk: bool,
    /// The project root of these paths when the caller already looked it up (`Some(None)`:
    /// they lie in no project); `None` lets discovery look it up. A run over many projects
    /// sets it for each project, so no project reads the configuration of the roots above it
    /// again to find its own.
    pub known_root: Option<Option<PathBuf>>,
    /// Walks and root configurations shared by the projects of a run over several, read
    /// before they start (see `discover::prewalk`); `None` outside such runs.
    pub prewalked: Option<Arc<discover::Prewalked>>,
    /// Named paths (absolute, normalized) the caller already found to be regular files (the
    /// CLI checks every named path): the project split and discovery take its word instead
    /// of asking the file system again. `None`: they look for themselves.
    pub regular_files: Option<Arc<discover::KnownFiles>>,
    /// When every path named is a file, look the context up instead of walking the project
    /// root: the root directory and its configuration, the packages that labels reference,
    /// the files that `load()` reaches, the toolchains cell, and the Reindeer projects of the
    /// named files and of the Reindeer-generated build files reached (walked whole). A
    /// pre-commit run over a few files of a large repository then reads what those files
    /// lead to, not the repository. `false`: the root is walked (the editor, `--full-context`).
    pub targeted_context: bool,
}

/// Receives the final findings of each reported file (filtered, suppressed, sorted) as soon as
/// that file and every reported file before it in path order are done. Cross-file findings
/// and `unused-suppression` come afterwards, in [`RunResult::diagnostics`].
pub trait FileSink: Sync {
    fn file_done(&self, files: &Files, diagnostics: Vec<Diagnostic>);
}

/// What remains of a finding handed to a [`FileSink`]: enough for the summary, the
/// statistics and the exit code.
#[derive(Clone, Copy, Debug)]
pub struct Streamed {
    pub rule: crate::rules::Rule,
    pub severity: Severity,
    pub fix: Option<crate::diagnostic::Applicability>,
}

impl Streamed {
    pub fn of(d: &Diagnostic) -> Streamed {
        Streamed { rule: d.rule, severity: d.severity, fix: d.fix.as_ref().map(|f| f.applicability) }
    }
}

impl RunResult {
    /// Every finding of the run: the streamed ones, then the others.
    pub fn findings(&self) -> impl Iterator<Item = Streamed> + '_ {
        self.streamed.iter().copied().chain(self.diagnostics.iter().map(Streamed::of))
    }
}

pub struct RunResult {
    pub files: Files,
    /// The findings not already handed to a [`FileSink`], sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The findings handed to a [`FileSink`] during the run, in the order they were handed.
    pub streamed: Vec<Streamed>,
    /// Number of files findings were reported for.
    pub files_checked: usize,
    pub root: Option<PathBuf>,
    /// Paths that could not be read at all (exit 2).
    pub io_errors: Vec<(String, String)>,
    /// Files skipped with a warning (broken or looping symbolic links).
    pub skipped: Vec<(String, String)>,
    /// What `--verbose` prints about the run (e.g. build files the loading phase could not
    /// evaluate).
    pub notes: Vec<String>,
}

/// With `BUCK_LINT_TIMINGS` set, print how long each phase took to stderr (for profiling).
struct Phase(Option<std::time::Instant>);

impl Phase {
    fn start() -> Phase {
        // looked up once: the project phase times every rule of every project
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let on = *ON.get_or_init(|| std::env::var_os("BUCK_LINT_TIMINGS").is_some());
        Phase(on.then(std::time::Instant::now))
    }
    fn done(&mut self, what: impl std::fmt::Display) {
        if let Some(t) = &mut self.0 {
            // and the resident memory so far (Linux), for finding which phase holds it
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l[6..].trim().to_string()))
                .map(|r| format!(", RSS {r}"))
                .unwrap_or_default();
            eprintln!("buck-lint timings: {what}: {:.0} ms{rss}", t.elapsed().as_secs_f64() * 1000.0);
            *t = std::time::Instant::now();
        }
    }
}

/// The engine's worker threads, with stacks for deeply nested Starlark ([`STACK_SIZE`]):
/// made on first use and kept for the life of the process. A pool per run let its threads
/// exit at the end of each run, and each exiting thread first collected its allocator heap:
/// work on the tail of every command, and again for every run of the language server.
pub(crate) fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).build().expect("thread pool"))
}

/// Free `value` on another thread: what a run leaves (its syntax trees, the project model,
/// the files' texts) takes milliseconds to free, and the caller has output to write. A
/// process that exits first lets the kernel reclaim it all at once.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    let keep = std::thread::Builder::new().spawn(move || drop(value));
    // no thread to be had: free it here
    if let Err(e) = keep {
        drop(e);
    }
}

/// Run buck-lint over the given paths.
pub fn run(opts: &RunOptions, settings: &Settings) -> RunResult {
    pool().install(|| run_inner(opts, settings, None))
}

/// [`run`], also returning the project model the cross-file rules ran on (the language
/// server answers navigation requests from the model of its last lint).
pub fn run_with_model(opts: &RunOptions, settings: &Settings) -> (RunResult, Project) {
    pool().install(|| run_model(opts, settings, None))
}

/// [`run`], handing each reported file's findings to `sink` as soon as they are final.
pub fn run_streaming(opts: &RunOptions, settings: &Settings, sink: &dyn FileSink) -> RunResult {
    pool().install(|| run_inner(opts, settings, Some(sink)))
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
    suppressions: FxMap<FileId, Suppressions>,
    cwd: PathBuf,
    streamed: Vec<Streamed>,
    /// The root's build-file names, as discovery read them (`[buildfile]`).
    build_file_names: Vec<String>,
    /// Syntax trees of build files the loading phase may evaluate ([`file::AST_BUDGET`]).
    eval_asts: FxMap<FileId, crate::model::loading::KeptAst>,
}

/// Load and model a project without running the project rules (for tests and tools).
pub fn analyze(opts: &RunOptions, settings: &Settings) -> Analysis {
    pool().install(|| analyze_inner(opts, settings, None))
}

/// Hands reported files' findings to a [`FileSink`] in path order.
struct Reorder<'a> {
    sink: &'a dyn FileSink,
    /// Position of each reported file in path order.
    order: FxMap<FileId, usize>,
    state: std::sync::Mutex<ReorderState>,
}

#[derive(Default)]
struct ReorderState {
    next: usize,
    pending: std::collections::BTreeMap<usize, Vec<Diagnostic>>,
    streamed: Vec<Streamed>,
}

impl Reorder<'_> {
    /// Hand over whatever is still waiting (a reported file that was never processed must not
    /// hold back the files after it).
    fn finish(self, files: &Files) -> Vec<Streamed> {
        let sink = self.sink;
        let mut st = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        for (_, ready) in std::mem::take(&mut st.pending) {
            hand_over(sink, &mut st.streamed, files, ready);
        }
        st.streamed
    }

    fn push(&self, files: &Files, id: FileId, diags: Vec<Diagnostic>) {
        let Some(&i) = self.order.get(&id) else { return };
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.pending.insert(i, diags);
        loop {
            let next = st.next;
            let Some(ready) = st.pending.remove(&next) else { break };
            hand_over(self.sink, &mut st.streamed, files, ready);
            st.next += 1;
        }
    }
}

fn hand_over(sink: &dyn FileSink, streamed: &mut Vec<Streamed>, files: &Files, ready: Vec<Diagnostic>) {
    streamed.extend(ready.iter().map(Streamed::of));
    sink.file_done(files, ready);
}

/// Keep findings of reported files that per-file ignores and the file's [`Restrict`] allow;
/// apply severity overrides.
fn finalize(diags: &mut Vec<Diagnostic>, files: &Files, settings: &Settings, base: &Path) {
    diags.retain(|d| {
        let f = files.get(d.primary.file);
        f.reported
            && f.restrict.allows(d.rule)
            && (!f.nolint.load(std::sync::atomic::Ordering::Relaxed) || Restrict::is_meta(d.rule))
            && settings.is_enabled_for(d.rule, &rel_to(&f.path, base), &f.display)
            && !settings.baseline.as_ref().is_some_and(|b| b.absorbs(d, files, base))
    });
    for d in diags.iter_mut() {
        if let Some(s) = settings.severity.get(&d.rule) {
            d.severity = *s;
        }
    }
}

fn sort_dedup(diags: &mut Vec<Diagnostic>, files: &Files) {
    diags.sort_by(|a, b| {
        (files.display(a.primary.file), a.primary.start, a.rule, &a.message).cmp(&(
            files.display(b.primary.file),
            b.primary.start,
            b.rule,
            &b.message,
        ))
    });
    diags.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
}

fn analyze_inner(opts: &RunOptions, settings: &Settings, sink: Option<&dyn FileSink>) -> Analysis {
    let mut phase = Phase::start();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let Selected { disc, mut files, overlays, mut third_party_dirs, cells, root_config, mut lookup } =
        select(opts, settings, &cwd);
    phase.done("discovery");
    let mut io_errors: Vec<(String, String)> =
        disc.errors.iter().map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone())).collect();

    // Files are processed in waves: first everything asked for plus the context every
    // cross-file rule needs (configuration, Reindeer files, third-party build files, `.bzl`
    // files, `PACKAGE` files); then the build files of packages that processed build files
    // reference by label, until nothing new is referenced. A whole-repository run
    // processes everything in the first wave; a single-file run parses only what it needs.
    // A run that looks its context up ([`lookup`]) also adds the files it finds on the way.
    let mut processed = vec![false; files.len()];
    let mut wave: Vec<FileId> = files
        .iter()
        .filter(|f| f.reported || f.kind != FileKind::Build || third_party_dirs.iter().any(|d| f.path.starts_with(d)))
        .map(|f| f.id)
        .collect();
    let mut index = lookup::Index::of(&files);
    // Toolchains (e.g. `system_rust_toolchain(...)`) are declared, not referenced: load the
    // build files of the `toolchains` cell up front.
    if let Some(tc) = cells.root_of("toolchains").filter(|tc| Some(*tc) != disc.root.as_deref()) {
        wave.extend(files.iter().filter(|f| f.kind == FileKind::Build && f.path.starts_with(tc)).map(|f| f.id));
    }
    let mut outputs: Vec<(FileId, FileOutput)> = Vec::new();
    let ast_budget = std::sync::atomic::AtomicUsize::new(file::AST_BUDGET);
    let exec_platforms = execution_platforms_package(disc.root.as_deref(), &root_config, &cells);
    if let Some(dir) = &exec_platforms {
        match index.build_file_in(dir) {
            Some(id) => wave.push(id),
            None => {
                if let Some(l) = lookup.as_mut() {
                    let found: Vec<_> = l.package(dir).into_iter().collect();
                    wave.extend(l.add(&mut files, &mut index, found));
                }
            }
        }
    }
    // the knowledge tables, loaded once: pruning needs the env-embedding crates, the model all
    let data = crate::model::data::Data::load(&settings.data);
    let embedding_crates: Vec<String> = data.env_embedding.iter().map(|e| e.name.clone()).collect();
    let base = disc.root.clone().unwrap_or_else(|| cwd.clone());
    let reorder = sink.map(|sink| {
        let mut reported: Vec<&crate::files::FileEntry> = files.iter().filter(|f| f.reported).collect();
        reported.sort_by(|a, b| a.display.cmp(&b.display));
        Reorder {
            sink,
            order: reported.iter().enumerate().map(|(i, f)| (f.id, i)).collect(),
            state: Default::default(),
        }
    });
    // Stream a reported file's own findings as soon as it is done (they do not depend on
    // other files); its suppressions keep track of what they suppressed.
    let stream = |files: &Files, id: FileId, out: &mut FileOutput| {
        let Some(r) = &reorder else { return };
        if !files.get(id).reported {
            return;
        }
        if let Some(t) = &out.keep_text {
            files.set_text(id, t.clone());
        }
        let mut diags = std::mem::take(&mut out.diagnostics);
        out.streamed_io_error = diags.iter().find(|d| d.rule == crate::rules::Rule::IoError).map(|d| d.message.clone());
        finalize(&mut diags, files, settings, &base);
        diags.retain(|d| !out.suppressions.suppresses(d));
        sort_dedup(&mut diags, files);
        r.push(files, id, diags);
    };
    // where each processed file's output is; a build file processed again (its Reindeer
    // project was found after it) only renews its facts
    let mut output_of: FxMap<FileId, usize> = FxMap::default();
    let mut again: Vec<FileId> = Vec::new();
    let mut first = true;
    let checks = crate::rules::enabled_checks(settings);
    for _ in 0..64 {
        processed.resize(files.len(), false);
        wave.retain(|id| !std::mem::replace(&mut processed[id.0 as usize], true));
        wave.append(&mut again);
        if wave.is_empty() {
            break;
        }
        // Only the first wave skips `.bzl` files that cannot matter; files reached through
        // `load()` or labels are always kept, but in a run that looks its context up, where
        // every `.bzl` file not named is reached so (the walk's first wave held them all).
        let shared = Shared {
            overlays: &overlays,
            settings,
            third_party_dirs: &third_party_dirs,
            prefilter: first || lookup.is_some(),
            detect_generated: lookup.is_some(),
            embedding_crates: embedding_crates.clone(),
            ast_budget: &ast_budget,
            checks: &checks,
        };
        first = false;
        // what a job's references can add to the next wave: nothing, when every (build) file
        // is processed by now (a whole-repository run, or a list naming every build file)
        let any_build_left = lookup.is_some() || index.build_dirs.values().any(|id| !processed[id.0 as usize]);
        let any_file_left = lookup.is_some() || processed.iter().any(|p| !p);
        let (files_ref, index_ref, looking_up) = (&files, &index, lookup.is_some());
        // one job per file: files cost very different amounts and sit in path order, so the
        // costly ones cluster (a whole language's rules in the prelude); rayon's default
        // splitting would leave one thread with such a cluster while the other idles
        // each job also lists the files its file references (packages by label, `load()`s),
        // and the ones it references that the run does not know yet
        let batch: Vec<(FileId, FileOutput, Refs)> = wave
            .par_iter()
            .with_max_len(1)
            .map(|&id| {
                let entry = files_ref.get(id);
                let mut out = process_isolated(entry, &shared);
                if !output_of.contains_key(&id) {
                    stream(files_ref, id, &mut out);
                }
                let mut refs = Refs { record_misses: looking_up, ..Default::default() };
                if let Some(Facts::Starlark(m)) = &out.facts {
                    if any_build_left && entry.kind == FileKind::Build {
                        referenced_build_files(m, &entry.path, &cells, index_ref, &mut refs);
                    }
                    if any_file_left {
                        loaded_files(m, &entry.path, &cells, index_ref, &mut refs);
                    }
                }
                (id, out, refs)
            })
            .collect();
        let mut next = Vec::new();
        // files the run did not know: the packages and loads reached (processed next), the
        // Reindeer projects of generated build files (their context files and third-party
        // build files are)
        let mut reached = Vec::new();
        let mut generated = Vec::new();
        for (id, out, refs) in batch {
            next.extend(refs.known);
            if let Some(l) = lookup.as_mut() {
                reached.extend(refs.packages.iter().filter_map(|d| l.package(d)));
                reached.extend(refs.loads.iter().filter_map(|p| l.loaded(p)));
            }
            if out.reindeer_generated && !third_party_dirs.iter().any(|d| files.get(id).path.starts_with(d)) {
                generated.push(id);
            }
            match output_of.get(&id) {
                Some(&i) => outputs[i].1.facts = out.facts,
                None => {
                    output_of.insert(id, outputs.len());
                    outputs.push((id, out));
                }
            }
        }
        if let Some(l) = lookup.as_mut() {
            next.extend(l.add(&mut files, &mut index, reached));
            let mut projects = Vec::new();
            for id in generated {
                let path = files.get(id).path.clone();
                projects.extend(l.generated(&path, &overlays));
            }
            let added = l.add(&mut files, &mut index, projects);
            // the third-party build files of the Reindeer projects found keep their whole
            // model: the ones processed already are processed again
            let new: Vec<PathBuf> = l.third_party.iter().filter(|d| !third_party_dirs.contains(d)).cloned().collect();
            if !new.is_empty() {
                third_party_dirs.extend(new.iter().cloned());
                again.extend(
                    files
                        .iter()
                        .filter(|f| {
                            f.kind == FileKind::Build && processed.get(f.id.0 as usize).copied().unwrap_or(false)
                        })
                        .filter(|f| new.iter().any(|d| f.path.starts_with(d)))
                        .map(|f| f.id),
                );
            }
            next.extend(added.into_iter().filter(|id| {
                let f = files.get(*id);
                f.kind != FileKind::Build || third_party_dirs.iter().any(|d| f.path.starts_with(d))
            }));
        }
        wave = next;
    }

    phase.done("parse and per-file rules");
    let mut diagnostics = Vec::new();
    let mut facts = rustc_hash::FxHashMap::default();
    let mut supps: FxMap<FileId, Suppressions> = FxMap::default();
    let mut eval_asts = FxMap::default();
    for (id, out) in outputs {
        if let Some(t) = out.keep_text {
            files.set_text(id, t);
        }
        if let Some(a) = out.eval_ast {
            eval_asts.insert(id, a);
        }
        diagnostics.extend(out.diagnostics);
        if let Some(e) = out.streamed_io_error {
            io_errors.push((files.display(id).to_string(), e));
        }
        if let Some(f) = out.facts {
            facts.insert(id, f);
        }
        supps.insert(id, out.suppressions);
    }
    // io-error findings for unreadable files also mean exit 2
    for d in &diagnostics {
        if d.rule == crate::rules::Rule::IoError {
            io_errors.push((files.display(d.primary.file).to_string(), d.message.clone()));
        }
    }

    phase.done("collect");
    let root_layers = disc.root.as_deref().zip(opts.prewalked.as_deref()).map(|(r, p)| p.config_files.layers(r));
    let mut project = Project::build(&files, facts, disc.root.clone(), root_layers, data);
    project.partial_context = lookup.is_some();
    phase.done("project model");
    let looked_up = lookup.as_ref().map(|l| (&l.errors[..], &l.skipped[..])).unwrap_or_default();
    io_errors.extend(looked_up.0.iter().map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone())));
    let skipped = disc
        .skipped
        .iter()
        .chain(looked_up.1)
        .map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone()))
        .collect();
    let streamed = reorder.map(|r| r.finish(&files)).unwrap_or_default();
    Analysis {
        files,
        project,
        diagnostics,
        io_errors,
        skipped,
        root: disc.root.clone(),
        suppressions: supps,
        cwd,
        streamed,
        build_file_names: disc.root_config.build_file_names.clone(),
        eval_asts,
    }
}

fn run_inner(opts: &RunOptions, settings: &Settings, sink: Option<&dyn FileSink>) -> RunResult {
    let (result, project) = run_model(opts, settings, sink);
    drop_in_background(project);
    result
}

fn run_model(opts: &RunOptions, settings: &Settings, sink: Option<&dyn FileSink>) -> (RunResult, Project) {
    let mut phase = Phase::start();
    let groups = projects::split(opts, settings);
    phase.done(format_args!("projects ({})", groups.len()));
    if groups.len() <= 1 {
        return run_project(opts, settings, sink);
    }
    // paths in several Buck2 projects: one run per project, each with its own root (its
    // cells, configuration and remote-execution setup). The runs go in parallel (a repository
    // of many small test projects, such as facebook/buck2, has hundreds); what each hands to
    // the sink is kept and handed over afterwards in the order of the groups, so the output
    // is the same as one run after the other.
    // the projects nested in another share its walk, and each root's configuration is read once
    let prewalked = projects::prewalk(opts, &groups);
    phase.done("shared walk");
    let mut runs: Vec<(RunResult, Option<Project>, Vec<Vec<Diagnostic>>)> = groups
        .par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, (o, s))| {
            let buffer = projects::Buffer::default();
            let o = &RunOptions { sequential_walk: true, prewalked: prewalked.clone(), ..o.clone() };
            let (r, p) = run_project(o, s, sink.map(|_| &buffer as &dyn FileSink));
            // only the first project's model is returned; the others are dropped here
            (r, (i == 0).then_some(p), buffer.into_batches())
        })
        .collect();
    let hand_over = |r: &RunResult, batches: Vec<Vec<Diagnostic>>| {
        if let Some(sink) = sink {
            for b in batches {
                sink.file_done(&r.files, b);
            }
        }
    };
    let rest = runs.split_off(1);
    let (mut acc, first_project, batches) = runs.pop().expect("at least two groups");
    hand_over(&acc, batches);
    let mut known = FxMap::default();
    for (r, _, batches) in rest {
        hand_over(&r, batches);
        projects::absorb(&mut acc, r, &mut known);
    }
    // the groups' options and settings and the shared walk take a while to free, and the
    // caller has output to write
    drop_in_background((groups, prewalked));
    phase.done("runs of the projects");
    let p = first_project.expect("the first group keeps its project");
    sort_dedup(&mut acc.diagnostics, &acc.files);
    (acc, p)
}

/// Files a project needs for its project rules to run as one job per rule (see
/// [`run_project`]).
const PARALLEL_PROJECT_RULES: usize = 64;

fn run_project(opts: &RunOptions, settings: &Settings, sink: Option<&dyn FileSink>) -> (RunResult, Project) {
    let Analysis {
        mut files,
        mut project,
        mut diagnostics,
        io_errors,
        skipped,
        root,
        suppressions: mut supps,
        cwd,
        streamed,
        build_file_names,
        eval_asts,
    } = analyze_inner(opts, settings, sink);
    // The crates' own sources, when an enabled rule reads them.
    let mut phase = Phase::start();
    let checks = rules::enabled_checks(settings);
    let mut notes = Vec::new();
    // The loading phase, when an enabled rule reads what it declares.
    if !(project.root.is_some() && checks.iter().any(|(r, _)| crate::model::loading::READERS.contains(&r.id()))) {
        drop(eval_asts);
    } else {
        let loaded =
            crate::model::loading::run(&project, &|id| files.text(id), &opts.overlays, build_file_names, eval_asts);
        let s = loaded.stats;
        notes.extend(loaded.fallback_note(&project, root.as_deref().unwrap_or(&cwd)));
        crate::model::loading::apply(&mut project, loaded);
        phase.done(format_args!(
            "loading phase ({} build files to evaluate: {} evaluated, {} kept the static reading; {} targets; {} .bzl; {} parsed once)",
            s.candidates, s.evaluated, s.failed, s.targets, s.bzl, s.reused_trees
        ));
    }
    if checks.iter().any(|(r, _)| crate::model::crate_scan::READERS.contains(&r.id())) {
        project.sources = crate::model::crate_scan::scan(&project, &mut files, opts.crate_cache.as_deref(), &cwd);
        let s = project.sources.stats;
        phase.done(format_args!(
            "crate sources ({} crates: {} read, {:.1} MB; {} cached)",
            s.crates,
            s.read,
            s.bytes as f64 / 1e6,
            s.cached
        ));
    }
    // Project phase.
    let cx = ProjectCx { project: &project, files: &files, settings };
    let check = |(rule, c): &(rules::Rule, &'static dyn rules::Check)| {
        let mut sink = Sink::new(settings);
        let mut timer = Phase::start();
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| c.check_project(&cx, &mut sink)));
        timer.done(format_args!("  {rule}"));
        if let Err(p) = r {
            let first = files.iter().next().map(|f| f.id).unwrap_or(FileId(0));
            sink.diagnostics.push(Diagnostic::new(
                crate::rules::Rule::InternalError,
                Severity::Error,
                Span { file: first, start: 0, end: 0 },
                format!("buck-lint crashed in the project rule {rule}: {}", panic_message(&p)),
            ));
        }
        sink.diagnostics
    };
    // One job per rule in a project of some size: most rules cost nothing, a few most of the
    // phase. A small project (a test fixture among hundreds in one run, which run in
    // parallel already) costs less on its own thread than in ~120 jobs.
    let project_diags: Vec<Diagnostic> = if files.len() >= PARALLEL_PROJECT_RULES {
        checks.par_iter().with_max_len(1).flat_map_iter(check).collect()
    } else {
        checks.iter().flat_map(check).collect()
    };
    diagnostics.extend(project_diags);
    phase.done("project rules");
    diagnostics.extend(fixups_phase(&cx, &checks));
    phase.done("fixups rules");

    // Report only on asked-for files; apply per-file ignores, severity overrides and
    // suppressions (and add unused-suppression).
    finalize(&mut diagnostics, &files, settings, root.as_deref().unwrap_or(&cwd));
    diagnostics.retain(|d| !supps.get_mut(&d.primary.file).is_some_and(|s| s.suppresses(d)));
    supps.retain(|_, s| !s.is_empty());
    diagnostics.extend(suppress::unused(&supps, &files, settings, project.partial_context));
    sort_dedup(&mut diagnostics, &files);
    let files_checked = files.iter().filter(|f| f.reported).count();
    (RunResult { files, diagnostics, streamed, files_checked, root, io_errors, skipped, notes }, project)
}

/// The fixups hook: parse each fixups file again (the project keeps only its text), analyse
/// it once, and hand it to every check; files in parallel, a panic caught per file.
fn fixups_phase(cx: &ProjectCx<'_>, checks: &[(rules::Rule, &'static dyn rules::Check)]) -> Vec<Diagnostic> {
    // no rule enabled: parse nothing
    if checks.is_empty() {
        return Vec::new();
    }
    let project = cx.project;
    let mut owners: FxMap<FileId, (&crate::model::reindeer::ReindeerProject, &str)> = FxMap::default();
    for rp in &project.reindeer {
        for (dir, id) in &rp.fixups {
            owners.entry(*id).or_insert((rp, dir.as_str()));
        }
    }
    project
        .fixups_texts()
        .par_iter()
        .flat_map_iter(|(id, text)| {
            let mut sink = Sink::new(cx.settings);
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let Ok(doc) = toml_edit::Document::parse(text.to_string()) else { return };
                let analyzed = crate::model::fixups::FixupsDoc::analyze(&doc);
                let fx = rules::FixupsCx { file: *id, owner: owners.get(id).copied(), doc: &doc, fixups: &analyzed };
                for (_, c) in checks {
                    c.check_fixups(cx, &fx, &mut sink);
                }
            }));
            if let Err(p) = r {
                sink.diagnostics.push(Diagnostic::new(
                    crate::rules::Rule::InternalError,
                    Severity::Error,
                    Span { file: *id, start: 0, end: 0 },
                    format!(
                        "buck-lint crashed in the fixups rules on `{}`: {}",
                        cx.files.display(*id),
                        panic_message(&p)
                    ),
                ));
            }
            sink.diagnostics
        })
        .collect()
}

fn rel_to(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder(std::sync::Mutex<Vec<String>>);
    impl FileSink for Recorder {
        fn file_done(&self, files: &Files, diagnostics: Vec<Diagnostic>) {
            let mut v = self.0.lock().unwrap();
            for d in diagnostics {
                v.push(format!("{}:{}", files.display(d.primary.file), d.message));
            }
            v.push("|".into());
        }
    }

    /// Files finish in any order; the sink sees them in path order, each as soon as every
    /// earlier file is done.
    #[test]
    fn streamed_files_arrive_in_path_order() {
        let mut files = Files::new();
        let ids: Vec<FileId> = ["c/BUCK", "a/BUCK", "b/BUCK"]
            .iter()
            .map(|p| files.add(p.into(), p.to_string(), FileKind::Build, true))
            .collect();
        let rec = Recorder(Default::default());
        let r = Reorder {
            sink: &rec,
            order: [(ids[1], 0), (ids[2], 1), (ids[0], 2)].into_iter().collect(),
            state: Default::default(),
        };
        let diag = |id: FileId, m: &str| {
            Diagnostic::new(crate::rules::Rule::SyntaxError, Severity::Info, Span { file: id, start: 0, end: 0 }, m)
        };
        r.push(&files, ids[0], vec![diag(ids[0], "c1")]);
        assert!(rec.0.lock().unwrap().is_empty(), "c waits for a and b");
        r.push(&files, ids[1], vec![diag(ids[1], "a1"), diag(ids[1], "a2")]);
        assert_eq!(*rec.0.lock().unwrap(), ["a/BUCK:a1", "a/BUCK:a2", "|"], "a is written at once");
        r.push(&files, ids[2], vec![]);
        assert_eq!(*rec.0.lock().unwrap(), ["a/BUCK:a1", "a/BUCK:a2", "|", "|", "c/BUCK:c1", "|"]);
        assert_eq!(r.finish(&files).len(), 3);
    }

    #[test]
    fn a_file_never_done_does_not_hold_back_the_others() {
        let mut files = Files::new();
        let a = files.add("a".into(), "a".into(), FileKind::Build, true);
        let b = files.add("b".into(), "b".into(), FileKind::Build, true);
        let rec = Recorder(Default::default());
        let r = Reorder { sink: &rec, order: [(a, 0), (b, 1)].into_iter().collect(), state: Default::default() };
        r.push(
            &files,
            b,
            vec![Diagnostic::new(
                crate::rules::Rule::SyntaxError,
                Severity::Info,
                Span { file: b, start: 0, end: 0 },
                "b1",
            )],
        );
        assert!(rec.0.lock().unwrap().is_empty());
        assert_eq!(r.finish(&files).len(), 1);
        assert_eq!(*rec.0.lock().unwrap(), ["b:b1", "|"]);
    }
}
