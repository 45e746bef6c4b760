//! Suppression comments (interfaces.md §5):
//! - `# buck-lint: disable=ID[,ID]` trailing a line: findings starting on that line;
//! - the same on a line of its own: the next statement (Starlark, a bracket-balanced logical
//!   line, so a whole multi-line call), the next key or table (TOML; a header covers its
//!   table), or the next key line (`.buckconfig`);
//! - `# buck-lint: disable-file=ID[,ID]`: the whole file;
//! - aliases: `# buildifier: disable=<name>` (mapped names only) and
//!   `# starlark-lint-disable <name>[, <name>]`. Aliases are never reported as unused.

use std::collections::HashMap;

use crate::config::{Selector, Settings, parse_selector};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::files::Files;
use crate::parse::Parsed;
use crate::rules::registry;
use crate::source::{FileId, FileKind, LineIndex, SourceFile, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Inclusive 0-based line range.
    Lines(usize, usize),
    File,
}

#[derive(Debug, Clone)]
struct Item {
    raw: String,
    selector: Option<Selector>,
    /// Byte span of the id inside the comment.
    span: std::ops::Range<usize>,
    used: bool,
}

#[derive(Debug, Clone)]
struct Directive {
    comment: std::ops::Range<usize>,
    /// The whole removable region (the comment and, for own-line comments, its line).
    removal: std::ops::Range<usize>,
    scope: Scope,
    alias: bool,
    items: Vec<Item>,
    /// `disable` without any id: reported as unused-suppression.
    malformed: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    file: Option<FileId>,
    directives: Vec<Directive>,
    line_starts: Vec<usize>,
}

impl Suppressions {
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }
}

const BUILDIFIER_ALIASES: &[(&str, &str)] = &[
    ("duplicated-name", "duplicate-target-name"),
    ("load", "starlark-unused-load"),
    ("unused-variable", "starlark-unused-assign"),
    ("no-effect", "starlark-no-effect"),
    ("unreachable", "starlark-unreachable"),
];

/// Comment spans of a file: from the Starlark parser, or scanned for TOML/.buckconfig.
fn comment_spans(file: &SourceFile, parsed: &Parsed) -> Vec<std::ops::Range<usize>> {
    if let Parsed::Starlark { module, .. } = parsed {
        return module.comments.iter().map(|r| r.start as usize..r.end as usize).collect();
    }
    let text = &file.text;
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if let Some(i) = find_comment(l, file.kind) {
            out.push(pos + i..pos + l.len());
        }
        pos += line.len();
    }
    out
}

/// Start of a `#` comment on a TOML or .buckconfig line (outside strings).
fn find_comment(line: &str, kind: FileKind) -> Option<usize> {
    if kind == FileKind::BuckConfig {
        let t = line.trim_start();
        return (t.starts_with('#') || t.starts_with(';')).then(|| line.len() - t.len());
    }
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'#') => return Some(i),
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parse the directives of one file.
pub fn collect(file: &SourceFile, parsed: &Parsed) -> Suppressions {
    let text: &str = &file.text;
    let mut directives = Vec::new();
    for c in comment_spans(file, parsed) {
        let comment = &text[c.clone()];
        let body = comment.trim_start_matches(['#', ';']).trim_start();
        let body_off = c.start + (comment.len() - body.len());
        let (alias, file_scope, list, list_off) = if let Some(rest) = body.strip_prefix("buck-lint:") {
            let r = rest.trim_start();
            let off = body_off + "buck-lint:".len() + (rest.len() - r.len());
            if let Some(l) = r.strip_prefix("disable-file=") {
                (false, true, l, off + "disable-file=".len())
            } else if let Some(l) = r.strip_prefix("disable=") {
                (false, false, l, off + "disable=".len())
            } else if r.starts_with("disable") {
                let line = file.lines().line_of(c.start);
                directives.push(Directive {
                    comment: c.clone(),
                    removal: removal_range(text, file.lines(), c.clone()),
                    scope: Scope::Lines(line, line),
                    alias: false,
                    items: vec![],
                    malformed: Some(format!(
                        "`{}` names no rule; write `# buck-lint: disable=<rule-id>`",
                        comment.trim()
                    )),
                });
                continue;
            } else {
                continue;
            }
        } else if let Some(l) = body.strip_prefix("buildifier: disable=") {
            (true, false, l, body_off + "buildifier: disable=".len())
        } else if let Some(l) = body.strip_prefix("starlark-lint-disable") {
            let t = l.trim_start();
            (true, false, t, body_off + "starlark-lint-disable".len() + (l.len() - t.len()))
        } else {
            continue;
        };
        let buildifier = alias && body.starts_with("buildifier");
        let mut items = Vec::new();
        // ids end at whitespace followed by non-list text (a trailing explanation)
        let list_end = list.find(|ch: char| ch.is_whitespace() && !alias).unwrap_or(list.len());
        let mut off = list_off;
        for raw in list[..list_end].split(',') {
            let trimmed = raw.trim();
            let start = off + (raw.len() - raw.trim_start().len());
            off += raw.len() + 1;
            if trimmed.is_empty() {
                continue;
            }
            let selector = if alias {
                let mapped = if buildifier {
                    BUILDIFIER_ALIASES.iter().find(|(a, _)| *a == trimmed).map(|(_, b)| b.to_string())
                } else {
                    let id = format!("starlark-{trimmed}");
                    registry::get(&id).map(|r| r.id.to_string())
                };
                match mapped {
                    Some(m) => parse_selector(&m).ok(),
                    None => continue,
                }
            } else {
                parse_selector(trimmed).ok()
            };
            items.push(Item { raw: trimmed.to_string(), selector, span: start..start + trimmed.len(), used: false });
        }
        if items.is_empty() && alias {
            continue;
        }
        let line = file.lines().line_of(c.start);
        let own_line = text[file.lines().line_start(line)..c.start].trim().is_empty();
        let scope = if file_scope {
            Scope::File
        } else if own_line {
            next_statement_lines(text, file.lines(), line, file.kind)
        } else {
            Scope::Lines(line, line)
        };
        directives.push(Directive {
            comment: c.clone(),
            removal: removal_range(text, file.lines(), c.clone()),
            scope,
            alias,
            items,
            malformed: if list_end == 0 && !alias { Some("suppression comment names no rule".into()) } else { None },
        });
    }
    if directives.is_empty() {
        return Suppressions::default();
    }
    Suppressions {
        file: Some(file.id),
        directives,
        line_starts: (0..file.lines().line_count()).map(|l| file.lines().line_start(l)).collect(),
    }
}

/// The bytes to delete to remove a comment: its whole line when it stands alone, else the
/// comment and the whitespace before it.
fn removal_range(text: &str, idx: &LineIndex, c: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let line = idx.line_of(c.start);
    let ls = idx.line_start(line);
    if text[ls..c.start].trim().is_empty() {
        let le = text[c.end..].find('\n').map(|i| c.end + i + 1).unwrap_or(text.len());
        ls..le
    } else {
        let before = text[..c.start].trim_end_matches([' ', '\t']).len();
        before..c.end
    }
}

/// Lines covered by the statement, key or table that follows an own-line comment.
fn next_statement_lines(text: &str, idx: &LineIndex, comment_line: usize, kind: FileKind) -> Scope {
    // first following line that is not blank and not a comment
    let mut l = comment_line + 1;
    while l < idx.line_count() {
        let s = idx.line_start(l);
        let e = text[s..].find('\n').map(|i| s + i).unwrap_or(text.len());
        let t = text[s..e].trim();
        if !(t.is_empty() || t.starts_with('#') || kind == FileKind::BuckConfig && t.starts_with(';')) {
            break;
        }
        l += 1;
    }
    if l >= idx.line_count() {
        return Scope::Lines(comment_line, comment_line);
    }
    let start = idx.line_start(l);
    if kind.is_toml() {
        let first = text[start..].lines().next().unwrap_or("").trim();
        if first.starts_with('[') {
            // a header covers its table, up to the next header
            let mut end = l;
            let mut k = l + 1;
            while k < idx.line_count() {
                let s = idx.line_start(k);
                if text[s..].trim_start().starts_with('[') {
                    break;
                }
                end = k;
                k += 1;
            }
            return Scope::Lines(l, end);
        }
    }
    // a bracket-balanced logical line (Starlark statements, multi-line TOML arrays)
    let end = logical_end(text, start);
    Scope::Lines(l, idx.line_of(end.saturating_sub(1).max(start)))
}

fn logical_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut depth: i64 = 0;
    let mut i = start;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'\n' if depth <= 0 => return i,
                _ => {}
            },
        }
        i += 1;
    }
    b.len()
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    match starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    }
}

impl Suppressions {
    /// Does a directive of this file suppress `d`? Marks the directive's item used.
    pub fn suppresses(&mut self, d: &Diagnostic) -> bool {
        if self.directives.is_empty() {
            return false;
        }
        let line = line_of(&self.line_starts, d.primary.start as usize);
        let meta = Some(d.rule.meta());
        let mut suppressed = false;
        for dir in &mut self.directives {
            let in_scope = match dir.scope {
                Scope::File => true,
                Scope::Lines(a, b) => line >= a && line <= b,
            };
            if !in_scope {
                continue;
            }
            for item in &mut dir.items {
                if let (Some(sel), Some(m)) = (&item.selector, meta) {
                    if sel.matches(m) {
                        item.used = true;
                        suppressed = true;
                    }
                }
            }
        }
        suppressed
    }
}

/// `unused-suppression` findings for the directives that suppressed nothing. `partial`: the
/// run looked its context up ([`crate::model::Project::partial_context`]), so a rule other
/// than a Starlark lint or a meta rule may have stayed silent for want of context: its
/// suppressions are not judged.
pub fn unused<S: std::hash::BuildHasher>(
    supps: &HashMap<FileId, Suppressions, S>,
    files: &Files,
    settings: &Settings,
    partial: bool,
) -> Vec<Diagnostic> {
    use registry::Category;
    let judged = |r: &registry::RuleMeta| !partial || matches!(r.category, Category::Starlark | Category::Meta);
    let mut out = Vec::new();
    if !settings.is_enabled(crate::rules::Rule::UnusedSuppression) {
        return out;
    }
    for s in supps.values() {
        let Some(file) = s.file else { continue };
        let entry = files.get(file);
        // a dependency cell's file keeps none of its findings: nothing there is "unused"
        if !entry.reported || !entry.restrict.allows(crate::rules::Rule::UnusedSuppression) {
            continue;
        }
        for dir in &s.directives {
            if dir.alias {
                continue;
            }
            if let Some(msg) = &dir.malformed {
                out.push(
                    Diagnostic::new(
                        crate::rules::Rule::UnusedSuppression,
                        Severity::Warning,
                        Span::new(file, dir.comment.clone()),
                        msg.clone(),
                    )
                    .with_help("name the rules to suppress, e.g. `# buck-lint: disable=re-full-hybrid-racing`")
                    .with_fix(Fix {
                        applicability: Applicability::Safe,
                        description: "Remove the suppression comment".into(),
                        edits: vec![Edit { span: Span::new(file, dir.removal.clone()), content: String::new() }],
                    }),
                );
                continue;
            }
            let unused: Vec<&Item> = dir
                .items
                .iter()
                .filter(|i| {
                    !i.used
                        && match &i.selector {
                            None => true,
                            // only report rules that actually ran on this file
                            Some(sel) => {
                                let ran = |r: &&registry::RuleMeta| sel.matches(r) && settings.is_enabled(r.rule);
                                registry::RULES.iter().any(|r| ran(&r))
                                    && registry::RULES.iter().filter(ran).all(judged)
                            }
                        }
                })
                .collect();
            for item in &unused {
                let all_unused = unused.len() == dir.items.len();
                let fix = if all_unused {
                    Edit { span: Span::new(file, dir.removal.clone()), content: String::new() }
                } else {
                    // remove this id and one adjacent comma
                    let text = files.text(file).unwrap_or_default();
                    let mut r = item.span.clone();
                    if text[r.end..].starts_with(',') {
                        r.end += 1;
                        while text[r.end..].starts_with(' ') {
                            r.end += 1;
                        }
                    } else if let Some(i) = text[..r.start].rfind(',') {
                        r.start = i;
                    }
                    Edit { span: Span::new(file, r), content: String::new() }
                };
                let msg = match &item.selector {
                    None => format!("unknown rule `{}` in suppression comment", item.raw),
                    Some(_) => format!("suppression of `{}` suppresses nothing", item.raw),
                };
                let mut d = Diagnostic::new(
                    crate::rules::Rule::UnusedSuppression,
                    Severity::Warning,
                    Span::new(file, item.span.clone()),
                    msg,
                )
                .with_help("remove it, so that it does not hide future findings")
                .with_fix(Fix {
                    applicability: Applicability::Safe,
                    description: if all_unused {
                        "Remove the suppression comment".into()
                    } else {
                        format!("Remove `{}` from the suppression comment", item.raw)
                    },
                    edits: vec![fix],
                });
                if item.selector.is_none() {
                    let names = registry::RULES.iter().map(|r| r.id);
                    let hint = crate::config::did_you_mean(&item.raw, names);
                    if !hint.is_empty() {
                        d.help = Some(format!("unknown rule{hint}").replace("; ", ": "));
                    }
                }
                out.push(d);
            }
        }
    }
    out
}
