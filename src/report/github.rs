//! `github`: GitHub Actions workflow commands, one per finding.
//!
//! `::error file=P,line=L,col=C,endLine=L2,endColumn=C2,title=buck-lint (rule-id)::message`
//! with `::warning` for warnings and `::notice` for infos. The help text, when present, is
//! appended to the message after a newline.

use std::io::Write;

use super::region;
use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Files;

pub(super) fn write(out: &mut dyn Write, diags: &[Diagnostic], files: &Files) -> std::io::Result<()> {
    for d in diags {
        writeln!(out, "{}", line(d, files))?;
    }
    Ok(())
}

pub(crate) fn line(d: &Diagnostic, files: &Files) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let r = region(files, d.primary);
    let mut message = d.message.clone();
    if let Some(help) = d.help.as_deref().filter(|h| !h.is_empty()) {
        message.push('\n');
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(files.display(d.primary.file)),
        r.line,
        r.column,
        r.end_line,
        r.end_column,
        escape_property(&format!("buck-lint ({})", d.rule)),
        escape_data(&message),
    )
}

/// Escape a workflow command's data (the message).
pub(crate) fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command's property value (`file`, `title`, …).
pub(crate) fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Files;
    use crate::report::test_support::*;
    use crate::source::{FileKind, Span};

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("100% a:b,c\r\nd"), "100%25 a%3Ab%2Cc%0D%0Ad");
        // `%` is escaped first, so an existing escape is not mistaken for one.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn lines() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let mut out = Vec::new();
        write(&mut out, &diags, &fx.files).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "::warning file=defs.bzl,line=3,col=26,endLine=3,endColumn=31,title=buck-lint (re-full-hybrid-racing)::\
             local and remote execution race for every action (use_limited_hybrid = False)%0Aset `use_limited_hybrid = True`"
        );
        assert_eq!(
            lines[1],
            "::error file=third_party/BUCK,line=2,col=21,endLine=2,endColumn=31,title=buck-lint (pipelined-nondeterministic-crate)::\
             café 0.1 compiles env!(\"OUT_DIR\") into the crate"
        );
    }

    #[test]
    fn notice_and_escaped_path_and_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a,b:c");
        std::fs::write(&path, "x = 1\n").unwrap();
        let mut files = Files::new();
        let id = files.add(path, "dir%/a,b:c".into(), FileKind::Bzl, true);
        let d = Diagnostic::new(
            crate::rules::Rule::ReLocalCacheUpload,
            Severity::Info,
            Span::new(id, 0..1),
            "50% done: a, b",
        )
        .with_help("line one\r\nline two");
        assert_eq!(
            line(&d, &files),
            "::notice file=dir%25/a%2Cb%3Ac,line=1,col=1,endLine=1,endColumn=2,title=buck-lint (re-local-cache-upload)::\
             50%25 done: a, b%0Aline one%0D%0Aline two"
        );
    }
}
