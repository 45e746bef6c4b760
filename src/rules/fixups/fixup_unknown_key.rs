//! `fixup-unknown-key` (R25): a key that is not in the `fixups.toml` schema at its level, a
//! removed key (`filter_deps`, `src_referenced_dirs`, a single `[rustc_flags_select]` table,
//! the version-map form of `visibility`), a top-level table that is not a `cfg(…)` section,
//! and values of the wrong type.
//!
//! Every fixups struct in Reindeer is `deny_unknown_fields`, so buckify aborts. Keys reported
//! as legacy by R23/R24 are not reported again. Fix (unsafe): rename a removed key
//! (`filter_deps` → `omit_deps`) or a misspelt key within edit distance 2, and delete an empty
//! `[rustc_flags_select]`.
use super::{deletions, edit};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{FixupsDoc, Issue, IssueKind, header_starts, item_regions, subtree_headers};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FileCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    FixupUnknownKey {
        id: "fixup-unknown-key",
        code: Some("R25"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

impl Check for FixupUnknownKey {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(f) = cx.fixups() else { return };
        for issue in &f.issues {
            if let Some(d) = diagnostic(ID, f, cx.file.id, issue, "fixups.toml") {
                sink.push(d);
            }
        }
    }
}

/// The finding for an unknown-key, wrong-type, bad-value or missing-key issue (shared with
/// `reindeer-config-invalid`); `None` for other issues.
pub fn diagnostic(
    id: crate::rules::Rule,
    f: &FixupsDoc<'_>,
    file: FileId,
    issue: &Issue<'_>,
    what: &str,
) -> Option<Diagnostic> {
    schema_diagnostic(id, f.text, f.doc, file, issue, what)
}

pub fn schema_diagnostic(
    id: crate::rules::Rule,
    text: &str,
    doc: &toml_edit::Document<String>,
    file: FileId,
    issue: &Issue<'_>,
    what: &str,
) -> Option<Diagnostic> {
    let span = Span::new(file, issue.span.clone());
    let path = &issue.path;
    let d = match &issue.kind {
        IssueKind::UnknownKey { suggestion, rename, removed, note } => {
            let mut message = match removed {
                Some(r) if r.fork => format!("unknown key `{path}` in {what}: it {}", r.what),
                Some(r) => format!("`{path}` {}; current Reindeer rejects it", r.what),
                None if path.starts_with("buildscript.") || path.contains("].buildscript.") => {
                    format!("unknown key `{path}` in {what}: `buildscript` takes only `build` and `run`")
                }
                None => format!("unknown key `{path}` in {what}"),
            };
            if let Some(n) = note.filter(|_| suggestion.is_none() || removed.is_some()) {
                message.push_str(&format!(" ({n})"));
            }
            if removed.is_none() {
                if let Some(s) = suggestion {
                    message.push_str(&format!("; did you mean `{s}`?"));
                }
            }
            let mut d = Diagnostic::new(id, Severity::Error, span, message)
                .with_label(if removed.is_some() { "removed key" } else { "unknown key" })
                .with_help(
                    "Reindeer rejects unknown keys (`deny_unknown_fields`), so `reindeer buckify` aborts on this file",
                );
            if let (Some(new), Some(ks), Some(item)) = (rename, issue.key_span.clone(), issue.item) {
                // a table written with several headers would need every header renamed
                let single = item.is_value() || subtree_headers(item).is_some_and(|h| h.len() <= 1);
                if single {
                    d = d.with_fix(Fix {
                        applicability: Applicability::Unsafe,
                        description: format!("Rename `{}` to `{new}`", issue.key),
                        edits: vec![edit(file, ks, *new)],
                    });
                }
            } else if removed.is_some_and(|r| r.name == "rustc_flags_select")
                && issue.item.and_then(|i| i.as_table_like()).is_some_and(|t| t.is_empty())
            {
                if let (Some(ks), Some(item)) = (issue.key_span.clone(), issue.item) {
                    let regions = item_regions(text, &header_starts(doc), &ks, item);
                    if !regions.is_empty() {
                        d = d.with_fix(Fix {
                            applicability: Applicability::Unsafe,
                            description: "Delete the empty `[rustc_flags_select]` table".into(),
                            edits: deletions(
                                file,
                                &regions
                                    .iter()
                                    .map(|r| crate::model::fixups::deletion_with_blank_lines(text, r.clone()))
                                    .collect::<Vec<_>>(),
                            ),
                        });
                    }
                }
            }
            d
        }
        IssueKind::WrongType { expected, found } => {
            Diagnostic::new(id, Severity::Error, span, format!("`{path}` must be {expected}, not {found}"))
                .with_label(format!("expected {expected}"))
                .with_help("Reindeer fails to parse the file when a key has the wrong type")
        }
        IssueKind::BadValue { message } => Diagnostic::new(id, Severity::Error, span, message.clone())
            .with_label("not accepted by Reindeer")
            .with_help("Reindeer fails to parse the file when a value is not one it knows"),
        IssueKind::MissingKey { key } => Diagnostic::new(
            id,
            Severity::Error,
            span,
            format!("`[[{path}]]` entry has no `{key}`, which Reindeer requires"),
        )
        .with_label(format!("missing `{key}`"))
        .with_help(format!("add `{key} = …` to this table")),
        _ => return None,
    };
    Some(d)
}
