//! The crate-source phase, between the project model and the project rules: read the library
//! sources of every crate version that a Reindeer project's `Cargo.lock` references and this
//! machine has (vendored by Reindeer, or unpacked in Cargo's registry; never the network),
//! in parallel, and keep their `env!`/`option_env!` uses for the rules that judge them
//! (`pipelined-nondeterministic-crate`, `proc-macro-consumes-nondeterministic-rlib`,
//! `env-path-macro-absolutized`, `fixup-cargo-env-missing`).
//!
//! A registry crate's sources are fixed by its checksum, so with a cache directory each is read
//! once: its uses are kept in `<cache>/crates/<checksum>.json` (written atomically, ignored and
//! rewritten when unreadable or from another buck-lint version). Git and path crates have no
//! checksum and are read every run. The source files that hold a use join the run's file
//! table as [`FileKind::RustSource`] (never linted), so findings can point at the `env!`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::Project;
use super::crate_src::{self, EnvUse};
use crate::files::Files;
use crate::source::{FileId, FileKind, Span};

/// The crates' `env!` uses of one run.
#[derive(Debug, Default)]
pub struct CrateSources {
    /// Crate directory → its uses (`None`: a source file could not be read or tokenised, the
    /// facts are unknown).
    by_dir: rustc_hash::FxHashMap<PathBuf, Option<Arc<Vec<EnvUse>>>>,
    pub stats: ScanStats,
}

/// What the phase did (`BUCK_LINT_TIMINGS`, the benchmark).
#[derive(Debug, Default, Clone, Copy)]
pub struct ScanStats {
    /// Crate versions with sources on this machine.
    pub crates: usize,
    /// Of those, read from their sources in this run.
    pub read: usize,
    /// Of those, taken from the cache.
    pub cached: usize,
    /// Bytes of Rust source read.
    pub bytes: u64,
}

impl CrateSources {
    /// The `env!` uses of the crate in `dir`: from the phase, else read now (a directory no
    /// lockfile names, or a run without the phase).
    pub fn env_uses(&self, dir: &Path) -> Option<Arc<Vec<EnvUse>>> {
        match self.by_dir.get(dir) {
            Some(u) => u.clone(),
            None => crate_src::env_uses_cached(dir),
        }
    }
}

/// The rules that read crate sources: without one of them enabled the phase does nothing.
pub const READERS: &[&str] = &[
    "pipelined-nondeterministic-crate",
    "proc-macro-consumes-nondeterministic-rlib",
    "env-path-macro-absolutized",
    "fixup-cargo-env-missing",
];

/// Read (or take from `cache`) every locked crate version's sources; register the files that
/// hold a use (outside `include!`) in `files`, displayed relative to `cwd`.
pub fn scan(project: &Project, files: &mut Files, cache: Option<&Path>, cwd: &Path) -> CrateSources {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut todo: Vec<(PathBuf, Option<&str>)> = Vec::new();
    for rp in &project.reindeer {
        for p in &rp.packages {
            if let Some(dir) = crate_src::vendored_dir(rp, &p.name, &p.version) {
                if seen.insert(dir.clone()) {
                    todo.push((dir, p.checksum.as_deref()));
                }
            }
        }
    }
    let cache = cache.map(|c| c.join("crates"));
    let results: Vec<(PathBuf, Option<Vec<EnvUse>>, bool, u64)> = todo
        .par_iter()
        // one job per crate: their sizes differ by orders of magnitude
        .with_max_len(1)
        .map(|(dir, sum)| {
            let key = sum.filter(|s| is_checksum(s));
            if let Some(hit) = cache.as_deref().zip(key).and_then(|(c, s)| load(&c.join(format!("{s}.json")), dir)) {
                return (dir.clone(), hit, true, 0);
            }
            let (uses, bytes) = crate_src::env_uses_counted(dir);
            if let (Some(c), Some(s)) = (cache.as_deref(), key) {
                // a cache that cannot be written only costs speed
                let _ = store(c, &c.join(format!("{s}.json")), dir, uses.as_deref());
            }
            (dir.clone(), uses, false, bytes)
        })
        .collect();
    let mut out = CrateSources::default();
    let mut ids: rustc_hash::FxHashMap<PathBuf, FileId> = rustc_hash::FxHashMap::default();
    for (dir, uses, cached, bytes) in results {
        out.stats.crates += 1;
        if cached {
            out.stats.cached += 1;
        } else {
            out.stats.read += 1;
        }
        out.stats.bytes += bytes;
        let uses = uses.map(|mut uses| {
            for u in uses.iter_mut().filter(|u| !u.in_include) {
                let id = *ids.entry(u.file.clone()).or_insert_with(|| {
                    files.find(&u.file).unwrap_or_else(|| {
                        let display = crate::source::display_path(&u.file, cwd);
                        files.add(u.file.clone(), display, FileKind::RustSource, false)
                    })
                });
                u.span = Some(Span::new(id, u.range.clone()));
            }
            Arc::new(uses)
        });
        out.by_dir.insert(dir, uses);
    }
    out
}

/// A Cargo.lock checksum (64 hex digits): safe as a file name.
fn is_checksum(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

const FORMAT: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: u32,
    version: String,
    /// `None`: the sources could not be read (unknown facts are kept too).
    uses: Option<Vec<UseRec>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct UseRec {
    key: String,
    /// Relative to the crate directory, `/`-separated.
    file: String,
    line: usize,
    range: (usize, usize),
    in_include: bool,
    features: Vec<String>,
    optional: bool,
    gated: bool,
}

fn load(path: &Path, dir: &Path) -> Option<Option<Vec<EnvUse>>> {
    let e: Entry = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    if e.format != FORMAT || e.version != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let Some(uses) = e.uses else { return Some(None) };
    let mut out = Vec::with_capacity(uses.len());
    for u in uses {
        // a record pointing outside the crate is not ours: read the sources instead
        if u.file.split('/').any(|c| c == ".." || c.is_empty()) {
            return None;
        }
        out.push(EnvUse {
            key: u.key,
            file: dir.join(&u.file),
            line: u.line,
            range: u.range.0..u.range.1,
            span: None,
            in_include: u.in_include,
            features: u.features,
            optional: u.optional,
            gated: u.gated,
        });
    }
    Some(Some(out))
}

fn store(cache: &Path, path: &Path, dir: &Path, uses: Option<&[EnvUse]>) -> std::io::Result<()> {
    let uses = uses.map(|uses| {
        uses.iter()
            .map(|u| UseRec {
                key: u.key.clone(),
                file: u.file.strip_prefix(dir).unwrap_or(&u.file).to_string_lossy().replace('\\', "/"),
                line: u.line,
                range: (u.range.start, u.range.end),
                in_include: u.in_include,
                features: u.features.clone(),
                optional: u.optional,
                gated: u.gated,
            })
            .collect()
    });
    let entry = Entry { format: FORMAT, version: env!("CARGO_PKG_VERSION").into(), uses };
    std::fs::create_dir_all(cache)?;
    let mut tmp = tempfile::NamedTempFile::new_in(cache)?;
    serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), &entry)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
