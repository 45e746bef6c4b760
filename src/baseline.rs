//! Baselines: the findings a team accepts when adopting buck-lint on an existing repository.
//! `check --write-baseline FILE` records every current finding; `check --baseline FILE` (or
//! `[lint] baseline = "FILE"`) then reports only findings that are not in it.
//!
//! An entry is the rule, the file (relative to the project root, `/` separators) and a
//! fingerprint of the finding's own source text and message — not its line — so a baseline
//! survives edits elsewhere in the file. Identical findings in one file are counted. Entries
//! that match nothing any more are reported after the run, so baselines only shrink. The file
//! is JSON, sorted, one entry per finding.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::Diagnostic;
use crate::files::Files;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    /// For people reading the file; not part of the match.
    pub message: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// (rule, path, fingerprint): what a baseline entry matches.
type Key = (String, String, String);

/// What is left of one entry: rule, path, fingerprint, count, message.
pub type Remaining = (String, String, String, usize, String);

/// A loaded baseline: how many findings of each key it still absorbs (and a message to show).
#[derive(Debug)]
pub struct Baseline {
    pub path: PathBuf,
    remaining: Mutex<BTreeMap<Key, (usize, String)>>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|e| format!("{}: not a buck-lint baseline: {e}", path.display()))?;
        if file.version != 1 {
            return Err(format!("{}: unsupported baseline version {}", path.display(), file.version));
        }
        let mut remaining = BTreeMap::new();
        for e in file.findings {
            remaining.entry((e.rule, e.path, e.fingerprint)).or_insert((0, e.message)).0 += 1;
        }
        Ok(Baseline { path: path.to_path_buf(), remaining: Mutex::new(remaining) })
    }

    /// Is the finding in the baseline? Each entry absorbs as many findings as it counts.
    pub fn absorbs(&self, d: &Diagnostic, files: &Files, root: &Path) -> bool {
        let e = entry(d, files, root);
        let mut r = self.remaining.lock().unwrap_or_else(|e| e.into_inner());
        match r.get_mut(&(e.rule, e.path, e.fingerprint)) {
            Some((n, _)) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// What is left of every entry: stored by the result cache with a run's findings, so that
    /// a replayed run reports the same stale entries.
    pub fn remaining(&self) -> Vec<Remaining> {
        let r = self.remaining.lock().unwrap_or_else(|e| e.into_inner());
        r.iter().map(|((a, b, c), (n, m))| (a.clone(), b.clone(), c.clone(), *n, m.clone())).collect()
    }

    /// Restore [`Baseline::remaining`] from a cached run.
    pub fn restore(&self, remaining: Vec<Remaining>) {
        let mut r = self.remaining.lock().unwrap_or_else(|e| e.into_inner());
        *r = remaining.into_iter().map(|(a, b, c, n, m)| ((a, b, c), (n, m))).collect();
    }

    /// Entries that absorbed nothing (rule, path, message), sorted.
    pub fn stale(&self) -> Vec<(String, String, String)> {
        let r = self.remaining.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for ((rule, path, _), (n, message)) in r.iter() {
            for _ in 0..*n {
                out.push((rule.clone(), path.clone(), message.clone()));
            }
        }
        out
    }
}

/// The baseline entry of a finding.
pub fn entry(d: &Diagnostic, files: &Files, root: &Path) -> Entry {
    let f = files.get(d.primary.file);
    let path = f.path.strip_prefix(root).unwrap_or(&f.path).to_string_lossy().replace('\\', "/");
    Entry {
        rule: d.rule.to_string(),
        fingerprint: crate::report::fingerprint(d, files, &path),
        path,
        message: d.message.clone(),
    }
}

/// Write every finding as a baseline (JSON, sorted).
pub fn write(path: &Path, diags: &[Diagnostic], files: &Files, root: &Path) -> std::io::Result<usize> {
    let mut findings: Vec<Entry> = diags.iter().map(|d| entry(d, files, root)).collect();
    findings.sort();
    let n = findings.len();
    let text = serde_json::to_string_pretty(&BaselineFile { version: 1, findings }).map_err(std::io::Error::other)?;
    // atomically: a temporary file beside it, renamed over it
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, format!("{text}\n").as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(n)
}
