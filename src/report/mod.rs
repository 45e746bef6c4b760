//! Reporters: turn the run's (already filtered and sorted) diagnostics into one of the
//! output formats of `--output-format`.
//!
//! Every span is a byte range; the conversion to the unit each format needs happens here,
//! through [`crate::files::Files::line_cols`] (1-based Unicode scalar columns, end exclusive).
//! miette (`full`) takes the byte offsets directly.

mod concise;
mod full;
mod github;
mod json;
mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Files;
use crate::rules::registry;
use crate::source::Span;

/// The value of `--output-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// miette graphical reports with source snippets (the default on a terminal).
    Full,
    /// One line per finding: `path:line:col: severity[rule-id] message`.
    Concise,
    /// One JSON document with every finding and the summary.
    Json,
    /// One JSON object per finding and line, no summary.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::message`).
    Github,
}

impl Format {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Full => "full",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::JsonLines => "json-lines",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }

    /// Whether findings are written one by one as they are found (JSON and SARIF are single
    /// documents, written at the end).
    pub fn streams(self) -> bool {
        matches!(self, Format::Full | Format::Concise | Format::JsonLines | Format::Github)
    }

    /// Whether the caller should print [`summary_line`] (to stderr) after the report.
    pub fn wants_summary_line(self) -> bool {
        matches!(self, Format::Full | Format::Concise)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts of the run, after filtering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings whose fix the run's `--fix` would apply (safe ones; unsafe ones too with
    /// `--unsafe-fixes`).
    pub fixable: usize,
    /// Findings with an unsafe fix that only `--unsafe-fixes` applies (0 when given).
    pub unsafe_fixable: usize,
}

impl Summary {
    /// Count `diags` by severity, and their safe and unsafe fixes (callers that know the fix
    /// flags may overwrite the counts).
    pub fn from_diagnostics(files: usize, diags: &[Diagnostic]) -> Summary {
        let mut s = Summary { files, ..Summary::default() };
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(crate::diagnostic::Applicability::Safe) => s.fixable += 1,
                Some(_) => s.unsafe_fixable += 1,
                None => {}
            }
        }
        s
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

#[derive(Clone, Copy, Debug)]
pub struct ReportOptions {
    /// Use ANSI colours and terminal hyperlinks (`full` only).
    pub color: bool,
    /// Render each fix's edits as a mini diff (`full` only).
    pub show_fixes: bool,
    /// `env!("CARGO_PKG_VERSION")` of the binary.
    pub tool_version: &'static str,
    /// The run, for SARIF's `invocations`: exit code and start/end times.
    pub invocation: Option<Invocation>,
}

/// How the run went, for formats that record it (SARIF).
#[derive(Clone, Copy, Debug)]
pub struct Invocation {
    pub exit_code: i32,
    pub start: std::time::SystemTime,
    pub end: std::time::SystemTime,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { color: false, show_fixes: false, tool_version: env!("CARGO_PKG_VERSION"), invocation: None }
    }
}

/// Write all findings in `format`. Diagnostics are already filtered and sorted.
pub fn write_report(
    out: &mut dyn std::io::Write,
    format: Format,
    diags: &[Diagnostic],
    files: &Files,
    summary: &Summary,
    opts: &ReportOptions,
) -> std::io::Result<()> {
    files.preload(diags.iter().map(|d| d.primary.file));
    match format {
        Format::Full => full::write(out, diags, files, opts),
        Format::Concise => concise::write(out, diags, files),
        Format::Json => json::write_document(out, diags, files, summary, opts),
        Format::JsonLines => json::write_lines(out, diags, files),
        Format::Sarif => sarif::write(out, diags, files, opts),
        Format::Github => github::write(out, diags, files),
    }?;
    out.flush()
}

/// Writes a streaming format ([`Format::streams`]) a batch of findings at a time, flushing
/// after each batch; the output is the same as [`write_report`] of all batches at once.
pub struct StreamWriter<W: std::io::Write> {
    out: W,
    format: Format,
    opts: ReportOptions,
    written: bool,
}

impl<W: std::io::Write> StreamWriter<W> {
    pub fn new(out: W, format: Format, opts: ReportOptions) -> Self {
        debug_assert!(format.streams());
        StreamWriter { out, format, opts, written: false }
    }

    pub fn write(&mut self, diags: &[Diagnostic], files: &Files) -> std::io::Result<()> {
        if diags.is_empty() {
            return Ok(());
        }
        files.preload(diags.iter().map(|d| d.primary.file));
        let out: &mut dyn std::io::Write = &mut self.out;
        match self.format {
            Format::Full => {
                if self.written {
                    writeln!(out)?;
                }
                full::write(out, diags, files, &self.opts)
            }
            Format::Concise => concise::write(out, diags, files),
            Format::JsonLines => json::write_lines(out, diags, files),
            Format::Github => github::write(out, diags, files),
            Format::Json | Format::Sarif => {
                write_report(out, self.format, diags, files, &Summary::default(), &self.opts)
            }
        }?;
        self.written = true;
        self.out.flush()
    }
}

/// A fingerprint of a finding that is stable across line shifts: the rule, the file `path`,
/// the finding's own source text (whitespace-folded) and its message, hashed with 64-bit
/// FNV-1a. Used by SARIF's `partialFingerprints` and by baselines.
pub fn fingerprint(d: &Diagnostic, files: &Files, path: &str) -> String {
    let text = files.text(d.primary.file).unwrap_or_default();
    let own = text.get(d.primary.start as usize..d.primary.end as usize).unwrap_or("");
    let own: Vec<&str> = own.split_whitespace().collect();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [d.rule.id(), path, &own.join(" "), &d.message] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The one-line human summary, e.g.
/// "Found 3 errors, 2 warnings and 1 info in 12 files (2 fixable with `--fix`)." or
/// "All checks passed (12 files)."
pub fn summary_line(summary: &Summary) -> String {
    let files = plural(summary.files, "file", "files");
    if summary.total() == 0 {
        return format!("All checks passed ({files}).");
    }
    let mut parts = Vec::new();
    if summary.errors > 0 {
        parts.push(plural(summary.errors, "error", "errors"));
    }
    if summary.warnings > 0 {
        parts.push(plural(summary.warnings, "warning", "warnings"));
    }
    if summary.infos > 0 {
        parts.push(plural(summary.infos, "info", "infos"));
    }
    let counts = match parts.len() {
        1 => parts.pop().unwrap_or_default(),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {}", parts.join(", "), last)
        }
    };
    let mut line = format!("Found {counts} in {files}");
    match (summary.fixable, summary.unsafe_fixable) {
        (0, 0) => {}
        (n, 0) => line.push_str(&format!(" ({n} fixable with `--fix`)")),
        (0, m) => line.push_str(&format!(" ({m} fixable with `--fix --unsafe-fixes`)")),
        (n, m) => line.push_str(&format!(" ({n} fixable with `--fix`, {m} more with `--unsafe-fixes`)")),
    }
    line.push('.');
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the reporters.

/// Registry facts about a diagnostic's rule, with fallbacks for ids the registry does not
/// know (which should not happen, but a reporter must never panic).
pub(crate) struct RuleInfo {
    pub code: Option<&'static str>,
    pub category: &'static str,
    pub url: String,
}

pub(crate) fn rule_info(id: &str) -> RuleInfo {
    match registry::get(id) {
        Some(meta) => RuleInfo { code: meta.code, category: meta.category.as_str(), url: meta.url() },
        None => RuleInfo {
            code: None,
            category: "meta",
            url: format!("{}/blob/main/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), id),
        },
    }
}

/// A span converted to 1-based line/column (Unicode scalars), end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

pub(crate) fn region(files: &Files, span: Span) -> Region {
    let (s, e) = files.line_cols(span);
    // Never report an end before the start (a malformed span from a rule).
    let (end_line, end_column) =
        if (e.line, e.column) < (s.line, s.column) { (s.line, s.column) } else { (e.line, e.column) };
    Region { line: s.line, column: s.column, end_line, end_column }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small fixture shared by the reporters' tests.

    use std::path::PathBuf;
    use std::sync::Arc;

    use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
    use crate::files::Files;
    use crate::source::{FileId, FileKind, Span};

    pub const DEFS: &str = "x = 1\nexec = CommandExecutorConfig(\n    use_limited_hybrid = False,\n)\n";
    /// Non-ASCII before the span: "é" is 2 bytes, "€" 3 bytes, but one column each.
    pub const BUCK: &str = "# é€\nrust_library(name = \"café-0.1\", env = {\"OUT_DIR\": \"x\"})\n";

    pub struct Fixture {
        pub _dir: tempfile::TempDir,
        pub files: Files,
        pub defs: FileId,
        pub buck: FileId,
    }

    pub fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let defs_path: PathBuf = dir.path().join("defs.bzl");
        let buck_path: PathBuf = dir.path().join("third_party").join("BUCK");
        std::fs::create_dir_all(buck_path.parent().unwrap()).unwrap();
        std::fs::write(&defs_path, DEFS).unwrap();
        std::fs::write(&buck_path, BUCK).unwrap();
        let mut files = Files::new();
        let defs = files.add(defs_path, "defs.bzl".into(), FileKind::Bzl, true);
        let buck = files.add(buck_path, "third_party/BUCK".into(), FileKind::Build, true);
        // One file's text is kept in memory, the other is loaded from disk on demand.
        files.set_text(buck, Arc::from(BUCK));
        Fixture { _dir: dir, files, defs, buck }
    }

    pub fn span_of(file: FileId, text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
        Span::new(file, start..start + needle.len())
    }

    /// An R07 warning with help and an unsafe fix in `defs.bzl`, and an R01 error in
    /// `third_party/BUCK` whose related span is in `defs.bzl`.
    pub fn diagnostics(fx: &Fixture) -> Vec<Diagnostic> {
        let value = span_of(fx.defs, DEFS, "False");
        let r07 = Diagnostic::new(
            crate::rules::Rule::ReFullHybridRacing,
            Severity::Warning,
            value,
            "local and remote execution race for every action (use_limited_hybrid = False)",
        )
        .with_label("hybrid level Full")
        .with_help("set `use_limited_hybrid = True`")
        .with_fix(Fix {
            applicability: Applicability::Unsafe,
            description: "Set `use_limited_hybrid = True`".into(),
            edits: vec![Edit { span: value, content: "True".into() }],
        });
        let name = span_of(fx.buck, BUCK, "\"café-0.1\"");
        let r01 = Diagnostic::new(
            crate::rules::Rule::PipelinedNondeterministicCrate,
            Severity::Error,
            name,
            "café 0.1 compiles env!(\"OUT_DIR\") into the crate",
        )
        .with_related(span_of(fx.defs, DEFS, "CommandExecutorConfig"), "remote executor defined here")
        .with_related(span_of(fx.buck, BUCK, "\"OUT_DIR\""), "OUT_DIR set here");
        vec![r07, r01]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let s = Summary { files: 12, errors: 3, warnings: 2, infos: 1, fixable: 2, unsafe_fixable: 0 };
        assert_eq!(summary_line(&s), "Found 3 errors, 2 warnings and 1 info in 12 files (2 fixable with `--fix`).");
        let s = Summary { unsafe_fixable: 3, ..s };
        assert_eq!(
            summary_line(&s),
            "Found 3 errors, 2 warnings and 1 info in 12 files (2 fixable with `--fix`, 3 more with `--unsafe-fixes`)."
        );
        let s = Summary { fixable: 0, ..s };
        assert_eq!(
            summary_line(&s),
            "Found 3 errors, 2 warnings and 1 info in 12 files (3 fixable with `--fix --unsafe-fixes`)."
        );
        let s = Summary { files: 1, errors: 1, ..Summary::default() };
        assert_eq!(summary_line(&s), "Found 1 error in 1 file.");
        let s = Summary { files: 3, warnings: 1, infos: 2, ..Summary::default() };
        assert_eq!(summary_line(&s), "Found 1 warning and 2 infos in 3 files.");
        let s = Summary { files: 12, ..Summary::default() };
        assert_eq!(summary_line(&s), "All checks passed (12 files).");
    }

    #[test]
    fn summary_from_diagnostics() {
        let fx = test_support::fixture();
        let diags = test_support::diagnostics(&fx);
        let s = Summary::from_diagnostics(2, &diags);
        assert_eq!(s, Summary { files: 2, errors: 1, warnings: 1, infos: 0, fixable: 0, unsafe_fixable: 1 });
    }

    #[test]
    fn format_names_match_clap() {
        use clap::ValueEnum;
        for f in Format::value_variants() {
            let pv = f.to_possible_value().unwrap();
            assert_eq!(pv.get_name(), f.as_str());
        }
    }

    #[test]
    fn unknown_rule_does_not_panic() {
        let info = rule_info("no-such-rule");
        assert_eq!((info.code, info.category), (None, "meta"));
        assert!(info.url.ends_with("/rules/no-such-rule.md"));
    }
}
