//! The fix loop: lint, pick non-overlapping fixes, apply them in memory, re-lint with the new
//! texts as overlays, keep only the files whose fixes check out, repeat until nothing changes
//! (at most [`MAX_PASSES`] passes).
//!
//! A file's fixes are discarded for a pass when, after applying them,
//! - the file no longer parses (or buck-lint crashed on it),
//! - a fix did not remove its finding (same rule and message still reported where the fix
//!   edited), or
//! - the file has a finding of a rule it did not have before (other than
//!   `unused-suppression`, which a successful fix can cause and which has a fix itself, and
//!   `fixups-buck-out-of-sync`: a stale generated BUCK is reported, not a reason to keep
//!   legacy syntax).
//!
//! A fix that is to blame is never tried again. When a file with several fixes fails and the
//! culprit is unknown, the file is fixed one fix per pass from then on, so the culprit shows.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use crate::config::Settings;
use crate::diagnostic::Applicability;
use crate::engine::{self, RunOptions, RunResult};
use crate::files::FileEntry;
use crate::source::{FileKind, LineIndex};

use super::apply::{
    TextEdit, apply_edits, check_edit, conflicts, is_crlf, map_range, normalize_newlines, unmap_offset,
};

/// Lint-and-fix passes, including passes whose fixes were discarded.
pub const MAX_PASSES: usize = 10;

/// New findings that never make a fix fail: `unused-suppression` (a successful fix can cause
/// it, and it has a fix itself) and `fixups-buck-out-of-sync` (a fixups migration can show
/// that the generated BUCK is stale; that is reported, and the migration is kept).
const DO_NOT_BLOCK: &[&str] = &["unused-suppression", "fixups-buck-out-of-sync"];

/// One file the fixer looked at.
#[derive(Debug)]
pub struct FileState {
    /// The engine's (normalised, absolute) path.
    pub path: PathBuf,
    pub display: String,
    pub kind: FileKind,
    /// The file's bytes when first read (the stdin buffer for stdin).
    pub original_bytes: Vec<u8>,
    pub bom: bool,
    pub crlf: bool,
    /// BOM-less text before fixing.
    pub original: String,
    /// BOM-less text after the fixes accepted so far.
    pub current: String,
    /// Why this file is never fixed (unreadable, not UTF-8, or syntax errors before fixing).
    pub unfixable: Option<String>,
    /// The edits of each pass that changed the file, oldest first.
    history: Vec<Vec<TextEdit>>,
}

impl FileState {
    pub fn changed(&self) -> bool {
        self.unfixable.is_none() && self.current != self.original
    }

    /// The bytes to write: the BOM again if the original had one.
    pub fn output_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.current.len() + 3);
        if self.bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(self.current.as_bytes());
        out
    }
}

/// A fix that was applied (and kept).
#[derive(Debug, Clone)]
pub struct AppliedFix {
    /// Display path and 1-based position of the finding it fixed.
    pub display: String,
    pub line: u32,
    pub column: u32,
    pub rule: &'static str,
    pub description: String,
    /// The files it edited.
    pub files: Vec<PathBuf>,
}

/// Identity of a fix across passes (spans move, these do not).
type Sig = (PathBuf, &'static str, String, String);

struct Candidate {
    rule: &'static str,
    message: String,
    sig: Sig,
    diag_path: PathBuf,
    diag_span: (usize, usize),
    /// Per file, sorted, with line endings already adapted to the file.
    edits: BTreeMap<PathBuf, Vec<TextEdit>>,
    applied: AppliedFix,
}

struct Failure {
    files: Vec<PathBuf>,
    /// The candidate to blame, when known.
    fix: Option<usize>,
    reason: String,
}

/// How a pass lints: `engine::run` with the session's settings (tests substitute their own).
type Linter<'a> = Box<dyn Fn(&RunOptions) -> RunResult + 'a>;

pub struct Session<'a> {
    opts: &'a RunOptions,
    linter: Linter<'a>,
    allow_unsafe: bool,
    stdin_path: Option<PathBuf>,
    pub files: BTreeMap<PathBuf, FileState>,
    pub applied: Vec<AppliedFix>,
    /// Messages for stderr (discarded fixes, skipped files), in order.
    pub messages: Vec<String>,
    pub passes: usize,
    blocked: HashSet<Sig>,
    single: HashSet<PathBuf>,
    reported_unfixable: HashSet<PathBuf>,
}

impl<'a> Session<'a> {
    pub fn new(opts: &'a RunOptions, settings: &'a Settings, allow_unsafe: bool) -> Session<'a> {
        Session::with_linter(opts, allow_unsafe, Box::new(move |o| engine::run(o, settings)))
    }

    pub fn with_linter(opts: &'a RunOptions, allow_unsafe: bool, linter: Linter<'a>) -> Session<'a> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let stdin_path = opts.stdin.as_ref().map(|(p, _)| crate::discover::normalize(&cwd.join(p)));
        Session {
            opts,
            linter,
            allow_unsafe,
            stdin_path,
            files: BTreeMap::new(),
            applied: Vec::new(),
            messages: Vec::new(),
            passes: 0,
            blocked: HashSet::new(),
            single: HashSet::new(),
            reported_unfixable: HashSet::new(),
        }
    }

    pub fn stdin_path(&self) -> Option<&PathBuf> {
        self.stdin_path.as_ref()
    }

    /// Run the passes; returns the lint result of the final texts.
    pub fn run(&mut self) -> RunResult {
        let mut baseline = self.lint(&BTreeMap::new());
        for _ in 0..MAX_PASSES {
            let cands = self.candidates(&baseline);
            let (mut accepted, per_file) = self.select(&cands);
            if accepted.is_empty() {
                break;
            }
            self.passes += 1;
            let mut tentative: BTreeMap<PathBuf, String> =
                per_file.iter().map(|(p, edits)| (p.clone(), apply_edits(&self.files[p].current, edits))).collect();
            loop {
                if tentative.is_empty() {
                    break;
                }
                let run = self.lint(&tentative);
                let failures = self.verify(&baseline, &run, &cands, &accepted, &per_file, &tentative);
                if failures.is_empty() {
                    for (p, t) in tentative {
                        if let Some(s) = self.files.get_mut(&p) {
                            s.current = t;
                            s.history.push(per_file.get(&p).cloned().unwrap_or_default());
                        }
                    }
                    self.applied.extend(accepted.iter().map(|&i| cands[i].applied.clone()));
                    baseline = run;
                    break;
                }
                let dropped = self.discard(&failures, &cands, &accepted);
                accepted.retain(|&i| !cands[i].edits.keys().any(|p| dropped.contains(p)));
                tentative.retain(|p, _| !dropped.contains(p));
            }
        }
        baseline
    }

    /// Lint with every accepted text plus `extra` as overlays.
    fn lint(&self, extra: &BTreeMap<PathBuf, String>) -> RunResult {
        let mut opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: self.opts.targeted_context,
            known_root: None,
            prewalked: None,
            paths: self.opts.paths.clone(),
            stdin: self.opts.stdin.clone(),
            force_exclude: self.opts.force_exclude,
            overlays: self.opts.overlays.clone(),
        };
        let texts = self.files.iter().filter(|(_, s)| s.changed()).map(|(p, s)| (p, &s.current)).chain(extra.iter());
        for (p, t) in texts {
            if Some(p) == self.stdin_path.as_ref() {
                if let Some((_, text)) = &mut opts.stdin {
                    *text = t.clone();
                }
            } else {
                opts.overlays.insert(p.clone(), t.clone());
            }
        }
        (self.linter)(&opts)
    }

    /// Read a file the first time a fix touches it.
    fn load(&mut self, e: &FileEntry) {
        if !self.files.contains_key(&e.path) {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let overlay = self.opts.overlays.iter().find(|(p, _)| crate::discover::normalize(&cwd.join(p)) == e.path);
            let bytes = match (&self.stdin_path, &self.opts.stdin, overlay) {
                (Some(sp), Some((_, text)), _) if *sp == e.path => Ok(text.clone().into_bytes()),
                // an in-memory buffer replaces the file on disk (found by the `fixer` fuzz target)
                (_, _, Some((_, text))) => Ok(text.clone().into_bytes()),
                _ => std::fs::read(&e.path),
            };
            let mut state = FileState {
                path: e.path.clone(),
                display: e.display.clone(),
                kind: e.kind,
                original_bytes: Vec::new(),
                bom: false,
                crlf: false,
                original: String::new(),
                current: String::new(),
                unfixable: None,
                history: Vec::new(),
            };
            match bytes {
                Err(err) => state.unfixable = Some(format!("it cannot be read: {err}")),
                Ok(bytes) => {
                    match crate::parse::decode(&bytes) {
                        Err(err) => state.unfixable = Some(format!("it cannot be decoded: {}", err.message)),
                        Ok((text, bom)) => {
                            let outcome = crate::parse::parse(e.kind, &e.display, &text);
                            if !outcome.errors.is_empty() {
                                state.unfixable = Some("it has syntax errors".into());
                            }
                            state.bom = bom;
                            state.crlf = is_crlf(&text);
                            state.current = text.clone();
                            state.original = text;
                        }
                    }
                    state.original_bytes = bytes;
                }
            }
            self.files.insert(e.path.clone(), state);
        }
    }

    /// The applicable fixes of a run, in the run's (sorted) order.
    fn candidates(&mut self, run: &RunResult) -> Vec<Candidate> {
        let mut out = Vec::new();
        'diag: for d in &run.diagnostics {
            let Some(fix) = &d.fix else { continue };
            if fix.applicability == Applicability::Unsafe && !self.allow_unsafe || fix.edits.is_empty() {
                continue;
            }
            let dentry = run.files.get(d.primary.file);
            let sig: Sig = (dentry.path.clone(), d.rule.id(), d.message.clone(), fix.description.clone());
            if self.blocked.contains(&sig) {
                continue;
            }
            let mut edits: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
            for e in &fix.edits {
                let entry = run.files.get(e.span.file);
                if !entry.reported || self.stdin_path.as_ref().is_some_and(|sp| *sp != entry.path) {
                    continue 'diag;
                }
                self.load(entry);
                let state = &self.files[&entry.path];
                if let Some(why) = state.unfixable.clone() {
                    if self.reported_unfixable.insert(entry.path.clone()) {
                        self.messages.push(format!("fixes in {} skipped: {why}", entry.display));
                    }
                    continue 'diag;
                }
                let te = TextEdit::new(
                    e.span.start as usize,
                    e.span.end as usize,
                    normalize_newlines(&e.content, state.crlf),
                );
                let noop = match check_edit(&state.current, &te) {
                    Ok(()) => state.current[te.start..te.end] == te.content,
                    Err(why) => {
                        self.block(sig, d.rule.id(), &dentry.display, &why);
                        continue 'diag;
                    }
                };
                // edits that change nothing are dropped
                if !noop {
                    edits.entry(entry.path.clone()).or_default().push(te);
                }
            }
            if edits.is_empty() {
                continue;
            }
            for v in edits.values_mut() {
                v.sort();
                v.dedup();
                if v.windows(2).any(|w| conflicts(&w[0], &w[1])) {
                    self.block(sig, d.rule.id(), &dentry.display, "its edits overlap each other");
                    continue 'diag;
                }
            }
            let (line, column) = self.original_position(run, d.primary);
            out.push(Candidate {
                rule: d.rule.id(),
                message: d.message.clone(),
                diag_path: dentry.path.clone(),
                diag_span: (d.primary.start as usize, d.primary.end as usize),
                applied: AppliedFix {
                    display: dentry.display.clone(),
                    line,
                    column,
                    rule: d.rule.id(),
                    description: fix.description.clone(),
                    files: edits.keys().cloned().collect(),
                },
                edits,
                sig,
            });
        }
        out
    }

    /// 1-based line and column of a span's start in the file as it was before fixing.
    fn original_position(&self, run: &RunResult, span: crate::source::Span) -> (u32, u32) {
        let path = &run.files.get(span.file).path;
        match self.files.get(path) {
            Some(s) if !s.history.is_empty() => {
                let mut o = span.start as usize;
                for edits in s.history.iter().rev() {
                    o = unmap_offset(edits, o);
                }
                let lc = LineIndex::new(&s.original).line_col(&s.original, o);
                (lc.line, lc.column)
            }
            _ => {
                let (lc, _) = run.files.line_cols(span);
                (lc.line, lc.column)
            }
        }
    }

    fn block(&mut self, sig: Sig, rule: &str, display: &str, why: &str) {
        self.blocked.insert(sig);
        let msg = format!("fix for {rule} in {display} discarded: {why}");
        if !self.messages.contains(&msg) {
            self.messages.push(msg);
        }
    }

    /// Greedily accept fixes whose edits do not overlap those already accepted. A fix whose
    /// edits all equal already accepted edits (the same fix reported twice) rides along.
    #[allow(clippy::type_complexity)]
    fn select(&self, cands: &[Candidate]) -> (Vec<usize>, BTreeMap<PathBuf, Vec<TextEdit>>) {
        let mut accepted = Vec::new();
        let mut per_file: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
        let mut single_used: HashSet<&PathBuf> = HashSet::new();
        for (i, c) in cands.iter().enumerate() {
            let duplicate =
                c.edits.iter().all(|(p, es)| es.iter().all(|e| per_file.get(p).is_some_and(|v| v.contains(e))));
            if duplicate {
                accepted.push(i);
                continue;
            }
            if c.edits.keys().any(|p| self.single.contains(p) && single_used.contains(p)) {
                continue;
            }
            let clash = c
                .edits
                .iter()
                .any(|(p, es)| es.iter().any(|e| per_file.get(p).is_some_and(|v| v.iter().any(|a| conflicts(a, e)))));
            if clash {
                continue;
            }
            for (p, es) in &c.edits {
                per_file.entry(p.clone()).or_default().extend(es.iter().cloned());
                single_used.insert(p);
            }
            accepted.push(i);
        }
        (accepted, per_file)
    }

    fn verify(
        &self,
        baseline: &RunResult,
        run: &RunResult,
        cands: &[Candidate],
        accepted: &[usize],
        per_file: &BTreeMap<PathBuf, Vec<TextEdit>>,
        tentative: &BTreeMap<PathBuf, String>,
    ) -> Vec<Failure> {
        let mut out = Vec::new();
        let rules_in = |r: &RunResult, p: &PathBuf| -> BTreeSet<&'static str> {
            r.diagnostics.iter().filter(|d| r.files.get(d.primary.file).path == *p).map(|d| d.rule.id()).collect()
        };
        for (p, text) in tentative {
            let s = &self.files[p];
            let outcome = crate::parse::parse(s.kind, &s.display, text);
            if let Some(e) = outcome.errors.first() {
                let lc = LineIndex::new(text).line_col(text, e.span.start);
                out.push(Failure {
                    files: vec![p.clone()],
                    fix: None,
                    reason: format!("the fixed file no longer parses ({} at line {})", e.message, lc.line),
                });
                continue;
            }
            let before = rules_in(baseline, p);
            let after = rules_in(run, p);
            // A new finding whose every occurrence in this file carries a fix applicable with
            // the current flags is fixed by the next pass (an unused suppression, or a
            // migration that brings a follow-up setting to light), so it does not count.
            let fixable_next_pass = |rule: &str| {
                run.diagnostics.iter().filter(|d| d.rule.id() == rule && run.files.get(d.primary.file).path == *p).all(
                    |d| {
                        d.fix.as_ref().is_some_and(|f| {
                            !f.edits.is_empty() && (self.allow_unsafe || f.applicability == Applicability::Safe)
                        })
                    },
                )
            };
            if let Some(rule) = after.difference(&before).find(|r| !DO_NOT_BLOCK.contains(*r) && !fixable_next_pass(r))
            {
                let reason = match *rule {
                    "syntax-error" => "the fixed file no longer parses".to_string(),
                    "internal-error" => "buck-lint crashed on the fixed file".to_string(),
                    r => format!("the fixed file has a new `{r}` finding"),
                };
                out.push(Failure { files: vec![p.clone()], fix: None, reason });
            }
        }
        for &i in accepted {
            let c = &cands[i];
            let regions: Vec<(usize, usize)> = match per_file.get(&c.diag_path) {
                Some(all) if tentative.contains_key(&c.diag_path) => {
                    let mut r = vec![map_range(all, c.diag_span.0, c.diag_span.1)];
                    for e in c.edits.get(&c.diag_path).into_iter().flatten() {
                        r.push(map_range(all, e.start, e.end));
                    }
                    r
                }
                _ => vec![c.diag_span],
            };
            let still = run.diagnostics.iter().any(|d| {
                d.rule.id() == c.rule
                    && d.message == c.message
                    && run.files.get(d.primary.file).path == c.diag_path
                    && regions.iter().any(|&(s, e)| (d.primary.start as usize) <= e && s <= d.primary.end as usize)
            });
            if still {
                out.push(Failure {
                    files: c.edits.keys().cloned().collect(),
                    fix: Some(i),
                    reason: "it did not remove the finding".into(),
                });
            }
        }
        out
    }

    /// Block or isolate the fixes to blame; returns the files whose fixes are dropped this pass.
    fn discard(&mut self, failures: &[Failure], cands: &[Candidate], accepted: &[usize]) -> HashSet<PathBuf> {
        let mut dropped: HashSet<PathBuf> = HashSet::new();
        for f in failures {
            dropped.extend(f.files.iter().cloned());
            match f.fix {
                Some(i) => {
                    let c = &cands[i];
                    self.block(c.sig.clone(), c.rule, &c.applied.display, &f.reason);
                }
                None => {
                    let Some(p) = f.files.first() else { continue };
                    let touching: Vec<usize> =
                        accepted.iter().copied().filter(|&i| cands[i].edits.contains_key(p)).collect();
                    let distinct: BTreeSet<&BTreeMap<PathBuf, Vec<TextEdit>>> =
                        touching.iter().map(|&i| &cands[i].edits).collect();
                    if distinct.len() <= 1 {
                        let display = self.files[p].display.clone();
                        for i in touching {
                            let c = &cands[i];
                            let reason = f.reason.clone();
                            let (sig, rule) = (c.sig.clone(), c.rule);
                            self.blocked.insert(sig);
                            let msg = format!("fix for {rule} in {display} discarded: {reason}");
                            if !self.messages.contains(&msg) {
                                self.messages.push(msg);
                            }
                        }
                    } else {
                        self.single.insert(p.clone());
                    }
                }
            }
        }
        // a fix's edits are all-or-nothing: dropping one of its files drops all of them
        loop {
            let before = dropped.len();
            for &i in accepted {
                if cands[i].edits.keys().any(|p| dropped.contains(p)) {
                    dropped.extend(cands[i].edits.keys().cloned());
                }
            }
            if dropped.len() == before {
                break;
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    //! The safety net, with a fake linter whose "rules" carry deliberately bad fixes.
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
    use crate::files::Files;
    use crate::rules::Rule;
    use crate::source::Span;

    /// `(rule, needle, replacement)`: every `needle` is a finding fixed by `replacement`.
    const FAKE: &[(Rule, &str, &str)] = &[
        (Rule::StarlarkNoEffect, "GOOD", "fine"),
        (Rule::StarlarkUnreachable, "BAD", "("),
        (Rule::StarlarkMissingReturn, "STUCK", "STUCK "),
        (Rule::StarlarkDuplicateKey, "NEW", "OLD"),
        (Rule::StarlarkUnusedAssign, "DUP", "ok"),
    ];

    /// Lints every file of `dir` (as BUCK files) with the [`FAKE`] rules, plus `starlark-ident-as-statement`
    /// (no fix) on each `OLD`, plus `starlark-unused-argument` on `PAIR` in file `A`, whose fix also
    /// rewrites `MATE` in file `B` (into a syntax error). `DUP` is reported twice with the
    /// same fix.
    fn fake_lint(dir: &Path, o: &RunOptions) -> RunResult {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        let mut files = Files::new();
        let mut texts = Vec::new();
        for n in &names {
            let path = dir.join(n);
            let text = o.overlays.get(&path).cloned().unwrap_or_else(|| std::fs::read_to_string(&path).unwrap());
            let id = files.add(path, n.clone(), FileKind::Build, true);
            files.set_text(id, Arc::from(text.as_str()));
            texts.push((id, n.clone(), text));
        }
        let mut diags = Vec::new();
        let fix =
            |desc: &str, edits: Vec<Edit>| Fix { applicability: Applicability::Safe, description: desc.into(), edits };
        for (id, name, text) in &texts {
            for (rule, needle, repl) in FAKE {
                for (i, _) in text.match_indices(needle) {
                    let span = Span::new(*id, i..i + needle.len());
                    let d = Diagnostic::new(*rule, Severity::Warning, span, format!("`{needle}` here")).with_fix(fix(
                        &format!("Replace with `{repl}`"),
                        vec![Edit { span, content: repl.to_string() }],
                    ));
                    if *rule == Rule::StarlarkUnusedAssign {
                        let mut twin = d.clone();
                        twin.message = "`DUP` again".into();
                        diags.push(twin);
                    }
                    diags.push(d);
                }
            }
            for (i, _) in text.match_indices("OLD") {
                diags.push(Diagnostic::new(
                    Rule::StarlarkIdentAsStatement,
                    Severity::Warning,
                    Span::new(*id, i..i + 3),
                    "old",
                ));
            }
            if name == "A" {
                if let (Some(i), Some((bid, _, btext))) = (text.find("PAIR"), texts.iter().find(|t| t.1 == "B")) {
                    if let Some(j) = btext.find("MATE") {
                        let span = Span::new(*id, i..i + 4);
                        diags.push(
                            Diagnostic::new(Rule::StarlarkUnusedArgument, Severity::Warning, span, "pair").with_fix(
                                fix(
                                    "Fix the pair",
                                    vec![
                                        Edit { span, content: "paired".into() },
                                        Edit { span: Span::new(*bid, j..j + 4), content: "(".into() },
                                    ],
                                ),
                            ),
                        );
                    }
                }
            }
        }
        diags.sort_by(|a, b| {
            (files.display(a.primary.file), a.primary.start, a.rule).cmp(&(
                files.display(b.primary.file),
                b.primary.start,
                b.rule,
            ))
        });
        RunResult {
            files_checked: names.len(),
            files,
            diagnostics: diags,
            streamed: Vec::new(),
            root: None,
            io_errors: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    struct Outcome {
        texts: BTreeMap<String, String>,
        applied: Vec<String>,
        messages: Vec<String>,
        remaining: Vec<&'static str>,
    }

    fn fix_tree(files: &[(&str, &str)]) -> Outcome {
        let d = tempfile::tempdir().unwrap();
        for (n, t) in files {
            std::fs::write(d.path().join(n), t).unwrap();
        }
        let opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: Vec::new(),
            stdin: None,
            force_exclude: false,
            overlays: Default::default(),
        };
        let dir = d.path().to_path_buf();
        let mut s = Session::with_linter(&opts, true, Box::new(move |o| fake_lint(&dir, o)));
        let run = s.run();
        Outcome {
            texts: s.files.values().map(|f| (f.display.clone(), f.current.clone())).collect(),
            applied: s.applied.iter().map(|a| format!("{}:{}:{} {}", a.display, a.line, a.column, a.rule)).collect(),
            messages: s.messages.clone(),
            remaining: run.diagnostics.iter().map(|d| d.rule.id()).collect(),
        }
    }

    #[test]
    fn good_fixes_apply() {
        let o = fix_tree(&[("BUCK", "a = GOOD\nb = GOOD\n")]);
        assert_eq!(o.texts["BUCK"], "a = fine\nb = fine\n");
        assert_eq!(o.applied, vec!["BUCK:1:5 starlark-no-effect", "BUCK:2:5 starlark-no-effect"]);
        assert!(o.messages.is_empty(), "{:?}", o.messages);
        assert!(o.remaining.is_empty());
    }

    #[test]
    fn a_fix_that_breaks_parsing_is_discarded() {
        let o = fix_tree(&[("BUCK", "b = BAD\n")]);
        assert_eq!(o.texts["BUCK"], "b = BAD\n");
        assert!(o.applied.is_empty());
        assert_eq!(o.messages.len(), 1, "{:?}", o.messages);
        assert!(
            o.messages[0]
                .starts_with("fix for starlark-unreachable in BUCK discarded: the fixed file no longer parses"),
            "{:?}",
            o.messages
        );
        assert_eq!(o.remaining, vec!["starlark-unreachable"]);
    }

    #[test]
    fn the_culprit_is_isolated_and_the_other_fixes_kept() {
        // the good fixes and the bad one fail together first; then one fix per pass
        let o = fix_tree(&[("BUCK", "a = GOOD\nb = BAD\nc = GOOD\n")]);
        assert_eq!(o.texts["BUCK"], "a = fine\nb = BAD\nc = fine\n");
        assert_eq!(o.applied, vec!["BUCK:1:5 starlark-no-effect", "BUCK:3:5 starlark-no-effect"]);
        assert_eq!(o.messages.len(), 1, "{:?}", o.messages);
        assert!(o.messages[0].starts_with("fix for starlark-unreachable in BUCK discarded"), "{:?}", o.messages);
    }

    #[test]
    fn a_fix_that_keeps_its_finding_is_discarded() {
        let o = fix_tree(&[("BUCK", "a = GOOD\ns = STUCK\n")]);
        assert_eq!(o.texts["BUCK"], "a = fine\ns = STUCK\n");
        assert_eq!(
            o.messages,
            vec!["fix for starlark-missing-return in BUCK discarded: it did not remove the finding"]
        );
        assert_eq!(o.applied, vec!["BUCK:1:5 starlark-no-effect"]);
    }

    #[test]
    fn a_fix_that_adds_a_new_rule_is_discarded() {
        let o = fix_tree(&[("BUCK", "n = NEW\n")]);
        assert_eq!(o.texts["BUCK"], "n = NEW\n");
        assert_eq!(
            o.messages,
            vec![
                "fix for starlark-duplicate-key in BUCK discarded: the fixed file has a new `starlark-ident-as-statement` finding"
            ]
        );
    }

    #[test]
    fn multi_file_fixes_are_all_or_nothing() {
        let o = fix_tree(&[("A", "p = PAIR\ng = GOOD\n"), ("B", "m = MATE\n")]);
        // the pair's edit in B breaks B, so A's half is dropped as well; A's other fix stays
        assert_eq!(o.texts["A"], "p = PAIR\ng = fine\n");
        assert_eq!(o.texts["B"], "m = MATE\n");
        assert_eq!(o.messages.len(), 1, "{:?}", o.messages);
        assert!(
            o.messages[0]
                .starts_with("fix for starlark-unused-argument in B discarded: the fixed file no longer parses"),
            "{:?}",
            o.messages
        );
    }

    /// Regression (fuzz/README.md): the fixer read a file from disk although an overlay
    /// replaced it, so the edits of the overlay's findings landed outside the file.
    #[test]
    fn overlays_replace_the_file_on_disk() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("BUCK");
        std::fs::write(&path, "x = 1\n").unwrap();
        let opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: Vec::new(),
            stdin: None,
            force_exclude: false,
            overlays: [(path.clone(), "a = GOOD\nb = GOOD\n".to_string())].into_iter().collect(),
        };
        let dir = d.path().to_path_buf();
        let mut s = Session::with_linter(&opts, true, Box::new(move |o| fake_lint(&dir, o)));
        let run = s.run();
        assert!(run.diagnostics.is_empty() && s.messages.is_empty(), "{:?}", s.messages);
        assert_eq!(s.files[&path].current, "a = fine\nb = fine\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x = 1\n", "the session itself writes nothing");
    }

    #[test]
    fn the_same_fix_reported_twice_is_applied_once() {
        let o = fix_tree(&[("BUCK", "d = DUP\n")]);
        assert_eq!(o.texts["BUCK"], "d = ok\n");
        assert_eq!(o.applied.len(), 2, "{:?}", o.applied);
        assert!(o.messages.is_empty(), "{:?}", o.messages);
    }
}
