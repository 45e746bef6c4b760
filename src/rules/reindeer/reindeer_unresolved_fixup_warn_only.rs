//! `reindeer-unresolved-fixup-warn-only` (R38, off by default): `unresolved_fixup_error` is
//! absent from reindeer.toml or false, so an undecided build script (R28) only produces a log
//! line, and Reindeer's check stops after the first platform.
//!
//! The finding sits on the key when present, else on line 1. Fix (unsafe, future buckify runs
//! may fail): set `unresolved_fixup_error = true`.
use super::reindeer_toml;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{header_starts, line_insertion, root_insertion_point};
use crate::rules::fixups::edit;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

declare_rule! {
    ReindeerUnresolvedFixupWarnOnly {
        id: "reindeer-unresolved-fixup-warn-only",
        code: Some("R38"),
        category: Reindeer,
        severity: Info,
        default: false,
        fix: Unsafe,
    }
}

impl Check for ReindeerUnresolvedFixupWarnOnly {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(doc) = reindeer_toml(cx) else { return };
        let file = cx.file.id;
        let (span, message, edits) = match doc.as_table().get_key_value("unresolved_fixup_error") {
            Some((k, v)) => {
                if v.as_bool() != Some(false) {
                    return;
                }
                let vs = v.span().unwrap_or(0..0);
                (
                    k.span().unwrap_or(0..0),
                    "`unresolved_fixup_error = false`: an undecided build script only produces a log line during buckify",
                    vec![edit(file, vs, "true")],
                )
            }
            None => {
                let at = root_insertion_point(doc, &header_starts(doc));
                (
                    0..0,
                    "`unresolved_fixup_error` is not set: an undecided build script only produces a log line during buckify",
                    vec![edit(file, at..at, line_insertion(doc.raw(), at, "unresolved_fixup_error = true"))],
                )
            }
        };
        sink.push(
            Diagnostic::new(ID, Severity::Info, Span::new(file, span), message)
                .with_label("warn-only unresolved fixups")
                .with_help("set `unresolved_fixup_error = true` so that CI catches build scripts nobody decided about (see fixup-buildscript-undecided)")
                .with_fix(Fix {
                    applicability: Applicability::Unsafe,
                    description: "Set `unresolved_fixup_error = true`".into(),
                    edits,
                }),
        );
    }
}
