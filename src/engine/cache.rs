//! The result cache (`.buck-lint-cache/` at the project root, `--cache-dir`, `--no-cache`).
//!
//! An entry holds a whole run's findings, keyed by everything the run reads: the content hash
//! of every discovered file (xxh3-128) with its path and kind, buck-lint's version, the
//! effective settings, the baseline, the paths asked for, the working directory (display paths
//! depend on it) and `CARGO_HOME` (crate sources). A warm run of an unchanged tree costs the
//! walk plus hashing and replays the findings exactly (streamed in the same order); any change
//! re-runs everything, so cross-file findings are never stale.
//!
//! Safe under concurrent runs (an entry is written to a temporary file and renamed into place)
//! and under corruption (an entry that does not parse, or whose recorded key differs, is
//! ignored and rewritten). Besides the discovered files, the key holds the root's
//! `.buckversion` and `.gitmodules` and whether each cell's directory exists. Crate sources
//! that change without a change to any linted file (an edited vendored `.rs` with the same
//! `Cargo.lock`) are not in the key: run with `--no-cache` after such an edit.

use super::*;
use crate::files::FileEntry;
use crate::source::Span;

/// Entries kept in a cache directory (the oldest are removed beyond this).
const MAX_ENTRIES: usize = 16;
/// Bumped when the entry format changes.
const FORMAT: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: u32,
    version: String,
    key: String,
    files: Vec<FileRec>,
    /// The findings handed to the sink, one batch per call, in order.
    streamed: Vec<Vec<DiagRec>>,
    diagnostics: Vec<DiagRec>,
    files_checked: usize,
    root: Option<PathBuf>,
    skipped: Vec<(String, String)>,
    baseline: Option<Vec<crate::baseline::Remaining>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FileRec {
    path: PathBuf,
    display: String,
    kind: String,
    reported: bool,
    restrict: u8,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SpanRec(u32, u32, u32);

/// Safe?, description, edits.
type FixRec = (bool, String, Vec<(SpanRec, String)>);

#[derive(serde::Serialize, serde::Deserialize)]
struct DiagRec {
    rule: String,
    severity: Severity,
    message: String,
    primary: SpanRec,
    label: Option<String>,
    related: Vec<(SpanRec, String)>,
    help: Option<String>,
    fix: Option<FixRec>,
}

const KINDS: [FileKind; 10] = [
    FileKind::Build,
    FileKind::Package,
    FileKind::Bzl,
    FileKind::BuckConfig,
    FileKind::ReindeerToml,
    FileKind::Fixups,
    FileKind::CargoLock,
    FileKind::CargoToml,
    FileKind::LintConfig,
    FileKind::RustSource,
];

fn span_rec(s: Span) -> SpanRec {
    SpanRec(s.file.0, s.start, s.end)
}

fn span_of(s: &SpanRec, n: usize) -> Option<Span> {
    ((s.0 as usize) < n).then_some(Span { file: FileId(s.0), start: s.1, end: s.2 })
}

fn diag_rec(d: &Diagnostic) -> DiagRec {
    DiagRec {
        rule: d.rule.id().to_string(),
        severity: d.severity,
        message: d.message.clone(),
        primary: span_rec(d.primary),
        label: d.label.clone(),
        related: d.related.iter().map(|r| (span_rec(r.span), r.message.clone())).collect(),
        help: d.help.clone(),
        fix: d.fix.as_ref().map(|f| {
            (
                f.applicability == crate::diagnostic::Applicability::Safe,
                f.description.clone(),
                f.edits.iter().map(|e| (span_rec(e.span), e.content.clone())).collect(),
            )
        }),
    }
}

fn diag_of(r: DiagRec, n: usize) -> Option<Diagnostic> {
    use crate::diagnostic::{Applicability, Edit, Fix, Related};
    let rule = crate::rules::registry::get(&r.rule)?.rule;
    let mut related = Vec::new();
    for (s, message) in r.related {
        related.push(Related { span: span_of(&s, n)?, message });
    }
    let fix = match r.fix {
        None => None,
        Some((safe, description, edits)) => {
            let mut out = Vec::new();
            for (s, content) in edits {
                out.push(Edit { span: span_of(&s, n)?, content });
            }
            Some(Fix {
                applicability: if safe { Applicability::Safe } else { Applicability::Unsafe },
                description,
                edits: out,
            })
        }
    };
    Some(Diagnostic {
        rule,
        severity: r.severity,
        message: r.message,
        primary: span_of(&r.primary, n)?,
        label: r.label,
        related,
        help: r.help,
        fix,
    })
}

/// A canonical text of the settings (maps sorted), for the key.
fn settings_fingerprint(s: &Settings) -> String {
    let mut out = String::new();
    use std::fmt::Write as _;
    for r in crate::rules::registry::RULES {
        let _ = write!(out, "{}={}:{};", r.id, s.is_enabled(r.rule), s.severity_of(r.rule, r.severity).as_str());
    }
    for p in &s.per_file_ignores {
        let _ = write!(out, "pfi {} {:?};", p.pattern, p.rules);
    }
    let mut opts: Vec<(&String, String)> = s.rule_options.iter().map(|(k, v)| (k, v.to_string())).collect();
    opts.sort();
    let _ = write!(
        out,
        "{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.fail_on, s.exclude, s.dependency_cells, s.lint_dependency_cells, s.re, s.reindeer, s.buck, s.data, opts
    );
    out
}

/// The key of a run: see the module docs. `None` when a file cannot be read (the run reports
/// it; such runs are not cached).
fn key(opts: &RunOptions, settings: &Settings, cwd: &Path) -> Option<String> {
    let disc = discover::discover(&DiscoverOptions {
        paths: &opts.paths,
        exclude: &settings.exclude,
        force_exclude: opts.force_exclude,
        stdin_path: None,
        overlays: None,
        sequential: false,
        known_root: opts.known_root.as_ref().map(|r| r.as_deref()),
        prewalked: None,
        regular_files: None,
        targeted: false,
    });
    if !disc.errors.is_empty() {
        return None;
    }
    let hashes: Vec<Option<u128>> =
        disc.files.par_iter().map(|f| std::fs::read(&f.path).ok().map(|b| xxhash_rust::xxh3::xxh3_128(&b))).collect();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut put = |s: &[u8]| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s);
    };
    put(env!("CARGO_PKG_VERSION").as_bytes());
    put(cwd.as_os_str().as_encoded_bytes());
    for p in &opts.paths {
        put(p.as_os_str().as_encoded_bytes());
    }
    put(&[opts.force_exclude as u8, opts.targeted_context as u8]);
    put(std::env::var_os("CARGO_HOME").unwrap_or_default().as_encoded_bytes());
    put(settings_fingerprint(settings).as_bytes());
    if let Some(b) = &settings.baseline {
        put(&std::fs::read(&b.path).ok()?);
    }
    if let Some(root) = &disc.root {
        // files and directories rules read that the walk lists no file of: the pinned Buck2
        // version, the git submodules (a missing cell path there is not reported), and
        // whether each cell's directory exists (`buckconfig-cell-unresolved`)
        put(&std::fs::read(root.join(".buckversion")).unwrap_or_default());
        put(&std::fs::read(root.join(".gitmodules")).unwrap_or_default());
        let cells = crate::model::cells::Cells::read(Some(root), &HashMap::new());
        let mut dirs: Vec<(&String, &PathBuf)> = cells.roots.iter().collect();
        dirs.sort();
        for (name, dir) in dirs {
            put(name.as_bytes());
            put(&[dir.is_dir() as u8]);
        }
    }
    for (f, hash) in disc.files.iter().zip(hashes) {
        put(f.path.as_os_str().as_encoded_bytes());
        put(format!("{:?}{}", f.kind, f.reported).as_bytes());
        put(&hash?.to_le_bytes());
    }
    Some(format!("{:032x}", h.digest128()))
}

/// Collects what the run hands to the real sink.
struct Tee<'a> {
    sink: &'a dyn FileSink,
    batches: std::sync::Mutex<Vec<Vec<DiagRec>>>,
}

impl FileSink for Tee<'_> {
    fn file_done(&self, files: &Files, diagnostics: Vec<Diagnostic>) {
        self.batches.lock().unwrap_or_else(|e| e.into_inner()).push(diagnostics.iter().map(diag_rec).collect());
        self.sink.file_done(files, diagnostics);
    }
}

/// What the cache did, for `--verbose`.
pub enum CacheOutcome {
    Hit,
    Miss,
    /// Not cached: why.
    Skipped(&'static str),
}

/// [`run_streaming`] through the cache in `dir`.
pub fn run_cached(
    opts: &RunOptions,
    settings: &Settings,
    sink: &dyn FileSink,
    dir: &Path,
) -> (RunResult, CacheOutcome) {
    pool().install(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        if opts.stdin.is_some() || !opts.overlays.is_empty() {
            return (run_inner(opts, settings, Some(sink)), CacheOutcome::Skipped("unsaved input"));
        }
        let Some(key) = key(opts, settings, &cwd) else {
            return (run_inner(opts, settings, Some(sink)), CacheOutcome::Skipped("unreadable files"));
        };
        let path = dir.join(format!("{key}.json"));
        if let Some(r) = load(&path, &key, settings, sink) {
            return (r, CacheOutcome::Hit);
        }
        let tee = Tee { sink, batches: std::sync::Mutex::new(Vec::new()) };
        let result = run_inner(opts, settings, Some(&tee));
        let cacheable = result.io_errors.is_empty()
            && !result.diagnostics.iter().any(|d| d.rule == crate::rules::Rule::InternalError);
        if cacheable {
            let entry = Entry {
                format: FORMAT,
                version: env!("CARGO_PKG_VERSION").into(),
                key,
                files: result
                    .files
                    .iter()
                    .map(|f| FileRec {
                        path: f.path.clone(),
                        display: f.display.clone(),
                        kind: format!("{:?}", f.kind),
                        reported: f.reported,
                        restrict: f.restrict as u8,
                    })
                    .collect(),
                streamed: tee.batches.into_inner().unwrap_or_else(|e| e.into_inner()),
                diagnostics: result.diagnostics.iter().map(diag_rec).collect(),
                files_checked: result.files_checked,
                root: result.root.clone(),
                skipped: result.skipped.clone(),
                baseline: settings.baseline.as_ref().map(|b| b.remaining()),
            };
            // a cache that cannot be written only costs speed
            let _ = store(dir, &path, &entry);
        }
        (result, CacheOutcome::Miss)
    })
}

fn load(path: &Path, key: &str, settings: &Settings, sink: &dyn FileSink) -> Option<RunResult> {
    let text = std::fs::read(path).ok()?;
    let e: Entry = serde_json::from_slice(&text).ok()?;
    if e.format != FORMAT || e.version != env!("CARGO_PKG_VERSION") || e.key != key {
        return None;
    }
    let n = e.files.len();
    let mut files = Files::new();
    let mut restricted: [Vec<FileId>; 2] = [Vec::new(), Vec::new()];
    for f in &e.files {
        let kind = *KINDS.iter().find(|k| format!("{k:?}") == f.kind)?;
        let id = files.add(f.path.clone(), f.display.clone(), kind, f.reported);
        match f.restrict {
            0 => {}
            1 => restricted[0].push(id),
            2 => restricted[1].push(id),
            _ => return None,
        }
    }
    files.restrict(&restricted[0], Restrict::Dependency);
    files.restrict(&restricted[1], Restrict::OrphanFixups);
    let streamed: Vec<Vec<Diagnostic>> = e
        .streamed
        .into_iter()
        .map(|b| b.into_iter().map(|d| diag_of(d, n)).collect::<Option<Vec<_>>>())
        .collect::<Option<_>>()?;
    let diagnostics: Vec<Diagnostic> = e.diagnostics.into_iter().map(|d| diag_of(d, n)).collect::<Option<_>>()?;
    // the texts the reporters show snippets from
    let mut wanted: Vec<FileId> = Vec::new();
    for d in streamed.iter().flatten().chain(&diagnostics) {
        wanted.push(d.primary.file);
        wanted.extend(d.related.iter().map(|r| r.span.file));
    }
    wanted.sort_by_key(|f| f.0);
    wanted.dedup();
    for id in wanted {
        let FileEntry { path, .. } = files.get(id);
        let (text, _) = crate::parse::decode_shared(&std::fs::read(path).ok()?).ok()?;
        files.set_text(id, text);
    }
    if let (Some(b), Some(rem)) = (&settings.baseline, e.baseline) {
        b.restore(rem);
    }
    let mut out_streamed = Vec::new();
    for batch in streamed {
        out_streamed.extend(batch.iter().map(Streamed::of));
        sink.file_done(&files, batch);
    }
    Some(RunResult {
        files,
        diagnostics,
        streamed: out_streamed,
        files_checked: e.files_checked,
        root: e.root,
        io_errors: Vec::new(),
        skipped: e.skipped,
        notes: Vec::new(),
    })
}

fn store(dir: &Path, path: &Path, entry: &Entry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Written by buck-lint: its result cache is never committed.\n*\n")?;
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), entry)?;
    tmp.persist(path).map_err(|e| e.error)?;
    // keep the newest entries
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if entries.len() > MAX_ENTRIES {
        entries.sort();
        for (_, p) in &entries[..entries.len() - MAX_ENTRIES] {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}
