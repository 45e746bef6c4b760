//! `buck-dialect`: a BUCK or PACKAGE file uses a construct Buck2 rejects there.
//!
//! buck-lint parses every Starlark file with one permissive dialect; this rule re-checks
//! build and package files against Buck2's stricter BUCK dialect: no `def`, no top-level
//! `if`/`for`, no type annotations, no keyword-only parameters (and no f-strings when
//! `[buck] f-strings = "forbid"`). Example: `def make_lib():` in a `BUCK` file.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ir::{Expr, ExprKind};
use crate::parse::Parsed;
use crate::rules::registry::declare_rule;
use crate::rules::util::span;
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    BuckDialect {
        id: "buck-dialect",
        code: None,
        category: Buck,
        severity: Error,
        default: true,
        fix: None,
    }
}

fn fstrings<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match &e.kind {
        ExprKind::FString(..) => out.push(e),
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().for_each(|x| fstrings(x, out)),
        ExprKind::Dict(v) => v.iter().for_each(|(k, x)| {
            fstrings(k, out);
            fstrings(x, out)
        }),
        ExprKind::Call(c) => c.args.iter().for_each(|a| fstrings(&a.value, out)),
        ExprKind::Bin(b) => {
            fstrings(&b.0, out);
            fstrings(&b.2, out)
        }
        _ => {}
    }
}

impl Check for BuckDialect {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if !matches!(cx.file.kind, FileKind::Build | FileKind::Package) {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let what_file = if cx.file.kind == FileKind::Build { "build file" } else { "PACKAGE file" };
        for issue in &module.dialect_issues {
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    span(cx.file.id, &issue.span),
                    format!(
                        "{} is not allowed in a {what_file}; Buck2 rejects this file when it evaluates it",
                        issue.what
                    ),
                )
                .with_help("move the code into a `.bzl` file and `load()` it from here"),
            );
        }
        if cx.settings.buck.forbid_f_strings {
            let mut found = Vec::new();
            for c in &module.calls {
                c.args.iter().for_each(|a| fstrings(&a.value, &mut found));
            }
            for g in &module.globals {
                fstrings(&g.value, &mut found);
            }
            for e in found {
                sink.push(
                    Diagnostic::new(ID, Severity::Error, span(cx.file.id, &e.span), "f-string in a build file, which this repository's Buck2 rejects ([buck] f-strings = \"forbid\")")
                        .with_help("use `\"...\".format(...)` or `%` formatting"),
                );
            }
        }
    }
}
