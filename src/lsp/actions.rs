//! Code actions: "Fix: …" from a diagnostic's stored fix, "Disable <rule> for this line"
//! (a suppression comment) and `source.fixAll.buck-lint` (every safe fix in the document).

// `lsp_types::Uri` is the key type of `WorkspaceEdit.changes`; its hash is its string.
#![allow(clippy::mutable_key_type)]

use std::collections::{HashMap, HashSet};

use lsp_types::{
    CodeAction, CodeActionContext, CodeActionKind, CodeActionOrCommand, NumberOrString, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use super::convert::{Encoding, SOURCE, stored_fix};
use crate::source::{FileKind, LineIndex};

pub const FIX_ALL_KIND: &str = "source.fixAll.buck-lint";

/// What the actions need to know about the document they are computed for.
pub struct DocView<'a> {
    pub uri: &'a Uri,
    pub text: &'a str,
    pub kind: Option<FileKind>,
}

/// Rules a suppression comment cannot (or should not) silence.
const NOT_SUPPRESSIBLE: &[&str] = &["syntax-error", "io-error", "internal-error", "unused-suppression"];

pub fn code_actions(
    doc: &DocView<'_>,
    encoding: Encoding,
    range: Range,
    context: &CodeActionContext,
    published: &[lsp_types::Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &str| match &context.only {
        None => true,
        Some(only) => only.iter().any(|o| kind == o.as_str() || kind.starts_with(&format!("{}.", o.as_str()))),
    };
    let mut diags: Vec<&lsp_types::Diagnostic> =
        context.diagnostics.iter().filter(|d| d.source.as_deref() == Some(SOURCE)).collect();
    if diags.is_empty() {
        diags = published.iter().filter(|d| overlaps(d.range, range)).collect();
    }
    let mut out = Vec::new();
    if wanted(CodeActionKind::QUICKFIX.as_str()) {
        // A client may send back diagnostics without `data`; find the published twin.
        let with_fix = |d: &lsp_types::Diagnostic| {
            if d.data.is_some() {
                return Some(d.clone());
            }
            published.iter().find(|p| p.range == d.range && p.code == d.code && p.message == d.message).cloned()
        };
        for d in &diags {
            let Some(full) = with_fix(d) else { continue };
            let Some(fix) = stored_fix(&full) else { continue };
            let title = if fix.safe { format!("Fix: {}", fix.title) } else { format!("Fix: {} (unsafe)", fix.title) };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![(*d).clone()]),
                edit: Some(WorkspaceEdit { changes: Some(fix.changes), ..Default::default() }),
                is_preferred: Some(fix.safe),
                ..Default::default()
            }));
        }
        let mut seen: HashSet<(String, u32)> = HashSet::new();
        for d in &diags {
            let Some(NumberOrString::String(rule)) = &d.code else { continue };
            if NOT_SUPPRESSIBLE.contains(&rule.as_str()) || !seen.insert((rule.clone(), d.range.start.line)) {
                continue;
            }
            let Some(edit) = disable_edit(doc.text, doc.kind, d.range.start.line, rule, encoding) else { continue };
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), vec![edit]);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Disable {rule} for this line"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![(*d).clone()]),
                edit: Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }),
                is_preferred: Some(false),
                ..Default::default()
            }));
        }
    }
    if wanted(FIX_ALL_KIND) {
        if let Some(edit) = fix_all(published) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safely fixable buck-lint findings".into(),
                kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
                edit: Some(edit),
                ..Default::default()
            }));
        }
    }
    out
}

fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// All safe fixes of a document's findings, dropping fixes whose edits overlap an earlier one.
pub fn fix_all(published: &[lsp_types::Diagnostic]) -> Option<WorkspaceEdit> {
    let key = |p: Position| (p.line, p.character);
    let mut fixes: Vec<_> = published.iter().filter_map(stored_fix).filter(|f| f.safe).collect();
    fixes.sort_by_key(|f| f.changes.values().flatten().map(|e| key(e.range.start)).min().unwrap_or((0, 0)));
    let mut taken: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for f in fixes {
        let clashes = f.changes.iter().any(|(uri, edits)| {
            taken.get(uri).is_some_and(|have| {
                edits.iter().any(|e| {
                    have.iter().any(|h| {
                        // overlapping, or two insertions at one point
                        (key(e.range.start) < key(h.range.end) && key(h.range.start) < key(e.range.end))
                            || e.range == h.range
                    })
                })
            })
        });
        if clashes {
            continue;
        }
        for (uri, edits) in f.changes {
            taken.entry(uri).or_default().extend(edits);
        }
    }
    if taken.is_empty() {
        return None;
    }
    Some(WorkspaceEdit { changes: Some(taken), ..Default::default() })
}

/// The edit adding `# buck-lint: disable=<rule>` for findings on `line0`:
/// - extend an existing trailing `# buck-lint: disable=` list on that line;
/// - otherwise append `  # buck-lint: disable=<rule>` to the line (Starlark, TOML);
/// - or, where a trailing comment is impossible (`.buckconfig`, a line that already ends
///   in another comment, a line continued by `\` or ending inside a multi-line string), put
///   the comment on its own line above, which covers the next statement/key.
pub fn disable_edit(
    text: &str,
    kind: Option<FileKind>,
    line0: u32,
    rule: &str,
    encoding: Encoding,
) -> Option<TextEdit> {
    let kind = kind?;
    if kind == FileKind::CargoLock {
        return None; // generated by Cargo; configure per-file-ignores instead
    }
    let idx = LineIndex::new(text);
    let line0 = line0 as usize;
    if line0 >= idx.line_count() {
        return None;
    }
    let ls = idx.line_start(line0);
    let nl = text[ls..].find('\n').map(|i| ls + i);
    let crlf = nl.is_some_and(|n| n > ls && text.as_bytes()[n - 1] == b'\r');
    let le = match nl {
        Some(n) if crlf => n - 1,
        Some(n) => n,
        None => text.len(),
    };
    let line = &text[ls..le];
    let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let newline = if crlf { "\r\n" } else { "\n" };
    let insert = |at: usize, new_text: String| {
        let pos = encoding.position(text, &idx, at);
        Some(TextEdit { range: Range { start: pos, end: pos }, new_text })
    };
    let above = |ls: usize| {
        if (kind.is_starlark() || kind.is_toml()) && in_multiline_string(text, ls) {
            return None;
        }
        insert(ls, format!("{indent}# buck-lint: disable={rule}{newline}"))
    };
    if kind == FileKind::BuckConfig {
        return above(ls);
    }
    if line.trim().is_empty() {
        return None;
    }
    if let Some(c) = comment_start(line) {
        let comment = &line[c..];
        let body = comment.trim_start_matches('#').trim_start();
        let body_off = c + (comment.len() - body.len());
        if let Some(rest) = body.strip_prefix("buck-lint:") {
            let r = rest.trim_start();
            if let Some(list) = r.strip_prefix("disable=") {
                let list_off = body_off + "buck-lint:".len() + (rest.len() - r.len()) + "disable=".len();
                let end = list.find(char::is_whitespace).unwrap_or(list.len());
                if list[..end].split(',').any(|x| x.trim() == rule) {
                    return None;
                }
                let sep = if list[..end].trim().is_empty() || list[..end].ends_with(',') { "" } else { "," };
                return insert(ls + list_off + end, format!("{sep}{rule}"));
            }
        }
        return above(ls);
    }
    if line.trim_end().ends_with('\\') || in_multiline_string(text, le) {
        return above(ls);
    }
    insert(le, format!("  # buck-lint: disable={rule}"))
}

/// Start of a `#` comment on a line (outside single-line strings).
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'#') => return Some(i),
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(_), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Is `offset` inside a triple-quoted string? (Counts `"""`/`'''` before it; a heuristic
/// that ignores comments, which is enough to avoid writing a comment into a string.)
fn in_multiline_string(text: &str, offset: usize) -> bool {
    let b = &text.as_bytes()[..offset.min(text.len())];
    let mut open: Option<&[u8]> = None;
    let mut i = 0;
    while i + 3 <= b.len() {
        let t = &b[i..i + 3];
        let triple = t == b"\"\"\"" || t == b"'''";
        match open {
            None if triple => {
                open = Some(t);
                i += 3;
                continue;
            }
            Some(q) if t == q => {
                open = None;
                i += 3;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    open.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: &TextEdit) -> String {
        let idx = LineIndex::new(text);
        let s = Encoding::Utf16.offset(text, &idx, e.range.start);
        let t = Encoding::Utf16.offset(text, &idx, e.range.end);
        format!("{}{}{}", &text[..s], e.new_text, &text[t..])
    }

    fn disable(text: &str, kind: FileKind, line: u32) -> Option<String> {
        disable_edit(text, Some(kind), line, "r-x", Encoding::Utf16).map(|e| apply(text, &e))
    }

    #[test]
    fn trailing_comment() {
        assert_eq!(
            disable("a(\n    deps = [\":_m\"],\n)\n", FileKind::Build, 1).unwrap(),
            "a(\n    deps = [\":_m\"],  # buck-lint: disable=r-x\n)\n"
        );
        assert_eq!(
            disable("k = \"v\"\r\nx = 1\r\n", FileKind::Fixups, 0).unwrap(),
            "k = \"v\"  # buck-lint: disable=r-x\r\nx = 1\r\n"
        );
        assert_eq!(disable("x = 1", FileKind::Bzl, 0).unwrap(), "x = 1  # buck-lint: disable=r-x");
    }

    #[test]
    fn extends_an_existing_list() {
        assert_eq!(
            disable("x = 1  # buck-lint: disable=a-b because\n", FileKind::Bzl, 0).unwrap(),
            "x = 1  # buck-lint: disable=a-b,r-x because\n"
        );
        assert_eq!(disable("x = 1  # buck-lint: disable=r-x\n", FileKind::Bzl, 0), None);
    }

    #[test]
    fn own_line_comment_above() {
        // another comment already ends the line
        assert_eq!(
            disable("    x = \"#\"  # note\n", FileKind::Bzl, 0).unwrap(),
            "    # buck-lint: disable=r-x\n    x = \"#\"  # note\n"
        );
        // .buckconfig has no trailing comments
        assert_eq!(
            disable("[a]\n  k = v\n", FileKind::BuckConfig, 1).unwrap(),
            "[a]\n  # buck-lint: disable=r-x\n  k = v\n"
        );
        // a line that opens a multi-line string
        assert_eq!(
            disable("x = \"\"\"a\nb\"\"\"\n", FileKind::Bzl, 0).unwrap(),
            "# buck-lint: disable=r-x\nx = \"\"\"a\nb\"\"\"\n"
        );
        // non-ASCII text before the line does not confuse the scan
        assert_eq!(
            disable("a = \"\u{1F600}\"\nb = 1\n", FileKind::Bzl, 1).unwrap(),
            "a = \"\u{1F600}\"\nb = 1  # buck-lint: disable=r-x\n"
        );
        // inside a multi-line string there is nowhere to put it
        assert_eq!(disable("x = \"\"\"a\nb\nc\"\"\"\n", FileKind::Bzl, 1), None);
        assert_eq!(disable("[[package]]\n", FileKind::CargoLock, 0), None);
    }
}
