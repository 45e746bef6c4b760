//! `check --add-suppressions`: every finding gets a `# buck-lint: disable=ID` comment, written
//! through the fix loop ([`super::session`]) so that it inherits its guarantees: only files
//! that parsed are edited, each comment must remove its finding and add none, writes are
//! atomic, and a second run adds nothing.
//!
//! Placement: a trailing comment on the finding's first line (merged into a `buck-lint:
//! disable=` comment already there); a comment on a line of its own above, with the line's
//! indentation, where a trailing comment is impossible: `.buckconfig` (a `#` after a value is
//! part of the value), a line that ends inside a string, or a line that already ends with
//! another comment.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::engine::RunResult;
use crate::rules::Rule;
use crate::source::{FileKind, Span};

/// Rules that a comment cannot or should not silence: the file did not parse, buck-lint
/// failed, or the finding is about a suppression comment itself.
fn suppressible(rule: Rule) -> bool {
    !matches!(rule, Rule::SyntaxError | Rule::InternalError | Rule::UnusedSuppression)
}

/// Replace every finding's fix with the suppression comment that silences it (findings of the
/// same line share one comment naming all their rules); findings that cannot be suppressed
/// get no fix.
pub fn replace_fixes(run: &mut RunResult) {
    use std::collections::BTreeMap;
    // (file, line start) → rule ids found there
    let mut by_line: BTreeMap<(u32, usize), Vec<&'static str>> = BTreeMap::new();
    let mut texts: BTreeMap<u32, std::sync::Arc<str>> = BTreeMap::new();
    for d in &run.diagnostics {
        if !suppressible(d.rule) {
            continue;
        }
        let id = d.primary.file;
        let text = texts.entry(id.0).or_insert_with(|| run.files.text(id).unwrap_or_else(|| "".into())).clone();
        let start = (d.primary.start as usize).min(text.len());
        let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let ids = by_line.entry((id.0, ls)).or_default();
        if !ids.contains(&d.rule.id()) {
            ids.push(d.rule.id());
        }
    }
    for d in &mut run.diagnostics {
        d.fix = None;
        if !suppressible(d.rule) {
            continue;
        }
        let file = d.primary.file;
        let Some(text) = texts.get(&file.0) else { continue };
        let kind = run.files.get(file).kind;
        let start = (d.primary.start as usize).min(text.len());
        let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let Some(ids) = by_line.get(&(file.0, ls)) else { continue };
        d.fix = suppression_edit(text, kind, ls, ids).map(|(span, content, what)| Fix {
            applicability: Applicability::Safe,
            description: what,
            edits: vec![Edit { span: Span::new(file, span), content }],
        });
    }
}

/// The edit that adds `ids` to the suppressions of the line starting at `ls`: (range, new
/// text, description). `None` when the comment syntax of the file kind is unknown.
fn suppression_edit(
    text: &str,
    kind: FileKind,
    ls: usize,
    ids: &[&str],
) -> Option<(std::ops::Range<usize>, String, String)> {
    if !matches!(
        kind,
        FileKind::Build
            | FileKind::Bzl
            | FileKind::Package
            | FileKind::BuckConfig
            | FileKind::ReindeerToml
            | FileKind::Fixups
            | FileKind::CargoToml
            | FileKind::LintConfig
    ) {
        return None;
    }
    let le = text[ls..].find('\n').map_or(text.len(), |i| ls + i);
    let line = text[ls..le].trim_end_matches('\r');
    let le = ls + line.len();
    let list = ids.join(",");
    let toml_or_starlark = kind != FileKind::BuckConfig;
    let state = if toml_or_starlark { line_end_state(&text[..le], kind) } else { EndState::Code };
    if let EndState::Comment(c) = state {
        // an existing `buck-lint: disable=` comment at the end of the line: add the ids to it
        let comment = &text[c..le];
        let body = comment.trim_start_matches('#').trim_start();
        if let Some(rest) = body.strip_prefix("buck-lint:").map(str::trim_start) {
            if let Some(list_part) = rest.strip_prefix("disable=") {
                let existing: Vec<&str> = list_part.split(',').map(str::trim).collect();
                let missing: Vec<&str> = ids.iter().copied().filter(|i| !existing.contains(i)).collect();
                if missing.is_empty() {
                    return None;
                }
                let end = c + comment.trim_end().len();
                return Some((
                    end..end,
                    format!(",{}", missing.join(",")),
                    format!("Add {} to the suppression", missing.join(", ")),
                ));
            }
        }
    }
    if toml_or_starlark && state == EndState::Code && !line.trim().is_empty() {
        let code_end = ls + line.trim_end().len();
        return Some((
            code_end..code_end,
            format!("  # buck-lint: disable={list}"),
            format!("Add `# buck-lint: disable={list}`"),
        ));
    }
    // a line of its own above, indented like the line
    let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let nl = if text[ls..].contains("\r\n") || text.contains("\r\n") { "\r\n" } else { "\n" };
    Some((
        ls..ls,
        format!("{indent}# buck-lint: disable={list}{nl}"),
        format!("Add `# buck-lint: disable={list}` above"),
    ))
}

#[derive(Debug, PartialEq, Eq)]
enum EndState {
    /// The line ends in code (a trailing comment can follow).
    Code,
    /// The line ends inside a string literal.
    String,
    /// The line ends with a comment starting at this byte.
    Comment(usize),
}

/// Where the end of `text` falls for Starlark or TOML: scans string literals (`'`, `"`, their
/// triple forms, backslash escapes except in TOML literal strings) and `#` comments from the
/// start of the file.
fn line_end_state(text: &str, kind: FileKind) -> EndState {
    let toml = matches!(kind, FileKind::ReindeerToml | FileKind::Fixups | FileKind::CargoToml | FileKind::LintConfig);
    let b = text.as_bytes();
    let mut i = 0;
    let mut comment: Option<usize> = None;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                comment = None;
                i += 1;
            }
            _ if comment.is_some() => i += 1,
            b'#' => {
                comment = Some(i);
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                let triple = b[i..].starts_with(&[q, q, q]);
                let escapes = !(toml && q == b'\'');
                let mut j = i + if triple { 3 } else { 1 };
                let mut closed = false;
                while j < b.len() {
                    if b[j] == b'\\' && escapes {
                        // also in raw strings: a backslash keeps the quote after it
                        j += 2;
                        continue;
                    }
                    if triple {
                        if b[j..].starts_with(&[q, q, q]) {
                            j += 3;
                            closed = true;
                            break;
                        }
                    } else if b[j] == q {
                        j += 1;
                        closed = true;
                        break;
                    } else if b[j] == b'\n' {
                        break;
                    }
                    j += 1;
                }
                if !closed && (triple || j >= b.len()) {
                    return EndState::String;
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    match comment {
        Some(c) => EndState::Comment(c),
        None => EndState::Code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_end_states() {
        let s = |t: &str| line_end_state(t, FileKind::Build);
        assert_eq!(s("x = 1"), EndState::Code);
        assert_eq!(s("x = '#'"), EndState::Code);
        assert_eq!(s("x = 1  # hi"), EndState::Comment(7));
        assert_eq!(s("x = \"\"\"a\nb"), EndState::String);
        assert_eq!(s("x = \"\"\"a\nb\"\"\" + y"), EndState::Code);
        assert_eq!(s("x = \"a\\\"#\""), EndState::Code);
        assert_eq!(s("x = r'\\'#'"), EndState::Code);
        let t = |x: &str| line_end_state(x, FileKind::Fixups);
        assert_eq!(t("a = 'C:\\'  # c"), EndState::Comment(11));
        assert_eq!(t("a = '''x\ny"), EndState::String);
    }

    #[test]
    fn edits_by_placement() {
        let e = |t: &str, k, ids: &[&str]| suppression_edit(t, k, 0, ids).map(|(r, c, _)| (r, c));
        assert_eq!(e("x = 1\n", FileKind::Build, &["a"]), Some((5..5, "  # buck-lint: disable=a".into())));
        assert_eq!(e("x = 1  # buck-lint: disable=a\n", FileKind::Build, &["a", "b"]), Some((29..29, ",b".into())));
        assert_eq!(e("x = 1  # buck-lint: disable=a\n", FileKind::Build, &["a"]), None);
        assert_eq!(e("  x = 1  # note\n", FileKind::Build, &["a"]), Some((0..0, "  # buck-lint: disable=a\n".into())));
        assert_eq!(e("[rust]\r\n", FileKind::BuckConfig, &["a"]), Some((0..0, "# buck-lint: disable=a\r\n".into())));
        assert_eq!(e("x = 1\n", FileKind::CargoLock, &["a"]), None);
    }
}
