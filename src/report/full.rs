//! `full`: miette graphical reports, one per finding, separated by a blank line.
//!
//! Each report shows the severity, message and `buck-lint::<rule-id>` (a hyperlink to the
//! rule's page when colour is on, the URL in parentheses otherwise), a snippet of the file
//! with the primary span and same-file related spans labelled, `help:` text with the fix
//! (and, with `--show-fixes`, a mini diff of its edits), and one nested report per related
//! span in another file.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan};

use super::{ReportOptions, region, rule_info};
use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Files;
use crate::source::{Span, clamp_to_char_boundary};

/// Terminal width used when `COLUMNS` is unset or invalid.
pub const DEFAULT_WIDTH: usize = 100;

pub(super) fn write(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    files: &Files,
    opts: &ReportOptions,
) -> std::io::Result<()> {
    let handler = handler(opts, terminal_width());
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let rendered = render(&handler, d, files, opts);
        out.write_all(rendered.as_bytes())?;
        if !rendered.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `COLUMNS`, or [`DEFAULT_WIDTH`].
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(DEFAULT_WIDTH)
}

fn handler(opts: &ReportOptions, width: usize) -> GraphicalReportHandler {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        // Terminal hyperlinks only with colour; otherwise print the URL after the code.
        .with_links(opts.color)
}

/// Render one finding as a miette report.
pub(crate) fn render(handler: &GraphicalReportHandler, d: &Diagnostic, files: &Files, opts: &ReportOptions) -> String {
    let report = Report::new(d, files, opts);
    let mut s = String::new();
    if handler.render_report(&mut s, &report).is_err() {
        // Formatting into a String only fails if a Display impl fails; fall back to one line.
        s = format!("{}: {}[{}] {}\n", files.display(d.primary.file), d.severity, d.rule, d.message);
    }
    // miette leaves trailing spaces on some lines (e.g. the `Advice: ` header of a related
    // report); drop them so the output is stable and diff-friendly.
    let mut trimmed = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        trimmed.push_str(body.trim_end_matches(' '));
        trimmed.push_str(nl);
    }
    trimmed
}

/// A finding (or one of its cross-file related spans) as a miette diagnostic.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    url: Option<String>,
    severity: miette::Severity,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, files: &Files, opts: &ReportOptions) -> Report {
        let file = d.primary.file;
        let source = named_source(files, file);
        let mut message = d.message.clone();
        let mut labels = Vec::new();
        let mut related = Vec::new();
        let line_of = |sp: Span| files.line_cols(sp).0.line;
        match &source {
            Some(src) => {
                let label = d.label.clone().unwrap_or_else(|| short_label(&d.message));
                labels.push(LabeledSpan::new_primary_with_span(
                    Some(label).filter(|l| !l.is_empty()),
                    source_span(src.inner(), clip(src.inner(), d.primary)),
                ));
            }
            None => message = format!("{message} ({})", location(files, d.primary)),
        }
        let primary_line = line_of(d.primary);
        for rel in &d.related {
            // a span far from the primary one gets a snippet of its own (miette would show
            // every line between them)
            let near = rel.span.file == file && line_of(rel.span).abs_diff(primary_line) <= NEAR_LINES;
            if near && let Some(src) = &source {
                labels.push(LabeledSpan::new_with_span(
                    Some(rel.message.clone()).filter(|m| !m.is_empty()),
                    source_span(src.inner(), rel.span),
                ));
            } else {
                related.push(Report::related(rel.span, &rel.message, files));
            }
        }
        let info = rule_info(d.rule.id());
        Report {
            message,
            code: Some(format!("buck-lint::{}", d.rule)),
            url: Some(info.url),
            severity: severity(d.severity),
            source,
            labels,
            help: help(d, files, opts),
            related,
        }
    }

    /// A related span in another file, or far away in the same one: its own source and a
    /// labelled span.
    fn related(span: Span, message: &str, files: &Files) -> Report {
        let source = named_source(files, span.file);
        let mut text = if message.is_empty() { "related location".to_string() } else { message.to_string() };
        let labels = match &source {
            Some(src) => {
                vec![LabeledSpan::new_primary_with_span(None, source_span(src.inner(), clip(src.inner(), span)))]
            }
            None => {
                text = format!("{text} ({})", location(files, span));
                Vec::new()
            }
        };
        Report {
            message: text,
            code: None,
            url: None,
            severity: miette::Severity::Advice,
            source,
            labels,
            help: None,
            related: Vec::new(),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url.as_ref().map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() { None } else { Some(Box::new(self.labels.iter().cloned())) }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
        }
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn named_source(files: &Files, file: crate::source::FileId) -> Option<NamedSource<Arc<str>>> {
    files.text(file).map(|text| NamedSource::new(files.display(file), text))
}

/// A byte span clamped to the text and to char boundaries, as miette wants it.
/// Related spans within this many lines of the primary one share its snippet.
const NEAR_LINES: u32 = 10;

/// Spans longer than this many lines are shown by their first line.
const MAX_SPAN_LINES: usize = 30;

/// A span cut to its first line when it covers more than [`MAX_SPAN_LINES`] lines, so that no
/// finding prints a whole large call or table.
fn clip(text: &str, span: Span) -> Span {
    let (start, end) = (span.start as usize, (span.end as usize).min(text.len()));
    let Some(body) = text.get(start..end) else { return span };
    if body.matches('\n').count() <= MAX_SPAN_LINES {
        return span;
    }
    let first = body.find('\n').unwrap_or(body.len());
    Span { end: (start + first) as u32, ..span }
}

fn source_span(text: &str, span: Span) -> SourceSpan {
    let start = clamp_to_char_boundary(text, span.start as usize);
    let end = clamp_to_char_boundary(text, span.end as usize).max(start);
    SourceSpan::from((start, end - start))
}

fn location(files: &Files, span: Span) -> String {
    let r = region(files, span);
    format!("{}:{}:{}", files.display(span.file), r.line, r.column)
}

/// The primary label when the rule gave none: the message's first clause, cut to ~60 chars.
fn short_label(message: &str) -> String {
    const MAX: usize = 60;
    let clause = message.split("; ").next().unwrap_or(message).trim();
    if clause.chars().count() <= MAX {
        return clause.to_string();
    }
    let mut cut = String::new();
    for word in clause.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > MAX {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        cut = clause.chars().take(MAX).collect();
    }
    cut.push('…');
    cut
}

/// The help text, plus the fix line and (with `--show-fixes`) its edits as a mini diff.
fn help(d: &Diagnostic, files: &Files, opts: &ReportOptions) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(h) = d.help.as_deref().filter(|h| !h.is_empty()) {
        lines.push(h.to_string());
    }
    if let Some(fix) = &d.fix {
        lines.push(format!("fix ({}): {}", fix.applicability.as_str(), fix.description));
        if opts.show_fixes {
            let located = fix.edits.len() > 1 || fix.edits.iter().any(|e| e.span.file != d.primary.file);
            for e in &fix.edits {
                if located {
                    lines.push(format!("  {}", location(files, e.span)));
                }
                let (old, new) = diff_lines(files, e.span, &e.content);
                for l in old {
                    lines.push(paint(opts, "31", &format!("  - {l}")));
                }
                for l in new {
                    lines.push(paint(opts, "32", &format!("  + {l}")));
                }
            }
        }
    }
    if lines.is_empty() { None } else { Some(lines.join("\n")) }
}

fn paint(opts: &ReportOptions, ansi: &str, s: &str) -> String {
    if opts.color { format!("\u{1b}[{ansi}m{s}\u{1b}[0m") } else { s.to_string() }
}

/// The whole lines an edit touches, before and after the edit.
fn diff_lines(files: &Files, span: Span, content: &str) -> (Vec<String>, Vec<String>) {
    let Some(text) = files.text(span.file) else {
        return (Vec::new(), content.lines().map(str::to_string).collect());
    };
    let start = clamp_to_char_boundary(&text, span.start as usize);
    let end = clamp_to_char_boundary(&text, span.end as usize).max(start);
    let ctx_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let ctx_end = if end > start && text.as_bytes()[end - 1] == b'\n' {
        end
    } else {
        text[end..].find('\n').map_or(text.len(), |i| end + i)
    };
    let old = &text[ctx_start..ctx_end];
    let new = format!("{}{}{}", &text[ctx_start..start], content, &text[end..ctx_end]);
    (old.lines().map(str::to_string).collect(), new.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::*;

    fn opts(show_fixes: bool) -> ReportOptions {
        ReportOptions { color: false, show_fixes, tool_version: "0.0.0", invocation: None }
    }

    fn render_all(diags: &[Diagnostic], fx: &Fixture, o: &ReportOptions) -> String {
        let h = handler(o, 100);
        diags.iter().map(|d| render(&h, d, &fx.files, o)).collect::<Vec<_>>().join("\n")
    }

    /// No finding prints a whole large call: a span over more than MAX_SPAN_LINES lines is
    /// shown by its first line, and a related span far away gets its own snippet.
    #[test]
    fn long_spans_and_far_labels_stay_short() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("platform(\n");
        for i in 0..180 {
            text.push_str(&format!("    \"k{i}\": \"v\",\n"));
        }
        text.push_str(")\n");
        for i in 0..40 {
            text.push_str(&format!("x{i} = {i}\n"));
        }
        let path = dir.path().join("BUCK");
        std::fs::write(&path, &text).unwrap();
        let mut files = Files::new();
        let id = files.add(path, "BUCK".into(), crate::source::FileKind::Build, true);
        let end_of_call = text.find(")\n").unwrap() as u32 + 1;
        let x39 = text.find("x39").unwrap() as u32;
        let d = Diagnostic::new(
            crate::rules::Rule::ReContainerImageMissing,
            Severity::Warning,
            Span { file: id, start: 0, end: end_of_call },
            "no container image",
        )
        .with_related(Span { file: id, start: x39, end: x39 + 3 }, "used here");
        let o = opts(false);
        let out = render(&handler(&o, 100), &d, &files, &o);
        let source_lines =
            out.lines().filter(|l| l.trim_start().split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok())).count();
        assert!(source_lines < 15, "{source_lines} source lines:\n{out}");
        assert!(out.contains("used here") && out.contains("222"), "{out}");
    }

    #[test]
    fn same_file_report() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let out = render_all(&diags[..1], &fx, &opts(false));
        assert!(out.contains("buck-lint::re-full-hybrid-racing ("), "{out}");
        assert!(out.contains("/rules/re-full-hybrid-racing.md)"), "{out}");
        assert!(out.contains("⚠ local and remote execution race"), "{out}");
        assert!(out.contains("[defs.bzl:3:26]"), "{out}");
        assert!(out.contains("use_limited_hybrid = False,"), "{out}");
        assert!(out.contains("hybrid level Full"), "{out}");
        assert!(out.contains("help: set `use_limited_hybrid = True`"), "{out}");
        assert!(out.contains("fix (unsafe): Set `use_limited_hybrid = True`"), "{out}");
        assert!(!out.contains("  - "), "no diff without --show-fixes: {out}");
        assert!(!out.contains('\u{1b}'), "no escapes without colour: {out}");
    }

    #[test]
    fn show_fixes_renders_a_mini_diff() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let out = render_all(&diags[..1], &fx, &opts(true));
        assert!(out.contains("  -     use_limited_hybrid = False,"), "{out}");
        assert!(out.contains("  +     use_limited_hybrid = True,"), "{out}");
    }

    #[test]
    fn cross_file_related_spans_show_every_file() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let out = render_all(&diags[1..], &fx, &opts(false));
        assert!(out.contains("× café 0.1 compiles"), "{out}");
        assert!(out.contains("[third_party/BUCK:2:21]"), "{out}");
        // Same-file related span is a secondary label in the main snippet.
        assert!(out.contains("OUT_DIR set here"), "{out}");
        // The cross-file one is a nested report with its own snippet.
        assert!(out.contains("remote executor defined here"), "{out}");
        assert!(out.contains("[defs.bzl:2:8]"), "{out}");
        assert!(out.contains("\nAdvice:\n"), "{out}");
        assert!(out.lines().all(|l| !l.ends_with(' ')), "{out}");
        assert!(out.contains("exec = CommandExecutorConfig("), "{out}");
        // No label given: the message's first clause labels the primary span.
        assert!(out.contains("café 0.1 compiles env!(\"OUT_DIR\") into the crate"), "{out}");
    }

    #[test]
    fn write_separates_findings_with_a_blank_line() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let mut out = Vec::new();
        super::write(&mut out, &diags, &fx.files, &opts(false)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("buck-lint::").count(), 2);
        assert!(text.contains("\n\nbuck-lint::pipelined-nondeterministic-crate"), "{text}");
    }

    #[test]
    fn color_uses_escapes_and_hyperlinks() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let o = ReportOptions { color: true, show_fixes: true, tool_version: "0.0.0", invocation: None };
        let out = render_all(&diags[..1], &fx, &o);
        assert!(out.contains("\u{1b}]8;;"), "hyperlink: {out:?}");
        assert!(out.contains("\u{1b}[31m  - "), "{out:?}");
    }

    #[test]
    fn unreadable_file_still_reports() {
        let mut files = Files::new();
        let id = files.add(
            "/nonexistent/buck-lint/BUCK".into(),
            "missing/BUCK".into(),
            crate::source::FileKind::Build,
            true,
        );
        let d = Diagnostic::new(crate::rules::Rule::IoError, Severity::Error, Span::new(id, 0..0), "cannot read");
        let o = opts(false);
        let out = render(&handler(&o, 100), &d, &files, &o);
        assert!(out.contains("cannot read (missing/BUCK:1:1)"), "{out}");
    }

    #[test]
    fn labels_are_shortened() {
        assert_eq!(short_label("short; rest"), "short");
        let long = "word ".repeat(30);
        let l = short_label(long.trim());
        assert!(l.ends_with('…') && l.chars().count() <= 61, "{l}");
    }

    #[test]
    fn diff_of_multiline_and_insertions() {
        let fx = fixture();
        // Delete the whole first line including its newline.
        let (old, new) = diff_lines(&fx.files, Span::new(fx.defs, 0..6), "");
        assert_eq!(old, vec!["x = 1"]);
        assert!(new.is_empty());
        // Insert at the start of line 2.
        let (old, new) = diff_lines(&fx.files, Span::new(fx.defs, 6..6), "# c\n");
        assert_eq!(old, vec!["exec = CommandExecutorConfig("]);
        assert_eq!(new, vec!["# c", "exec = CommandExecutorConfig("]);
    }
}
