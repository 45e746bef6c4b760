//! `proc-macro-missing-crate-attr` (R15): a proc-macro Rust library without `crate` whose
//! name is not a valid crate name.
//!
//! The prelude's wrapper derives the crate name from the target name (`-` → `_`), so
//! `cargo.rust_library(name = "my-macros-0.1.0", proc_macro = True)` gets the crate name
//! `my_macros_0.1.0`, which rustc rejects. Fix (unsafe, a guess): add `crate = "my_macros"`.
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::util::{insert_kwarg, proc_macro_calls, span, split_versioned};
use crate::rules::{Check, FileCx, Sink};

declare_rule! {
    ProcMacroMissingCrateAttr {
        id: "proc-macro-missing-crate-attr",
        code: Some("R15"),
        category: Buck,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch == '_' || ch.is_alphabetic()) && c.all(|ch| ch == '_' || ch.is_alphanumeric())
}

impl Check for ProcMacroMissingCrateAttr {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        for c in proc_macro_calls(cx) {
            if c.kwarg("crate").is_some() || c.kwarg("crate_dynamic").is_some() || c.has_kwargs_splat() {
                continue;
            }
            let Some((name, r)) = c.name_arg() else { continue };
            let derived = name.replace('-', "_");
            if is_ident(&derived) {
                continue;
            }
            let guess = split_versioned(name).map(|(n, _)| n).unwrap_or(name).replace(['-', '.'], "_");
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    span(cx.file.id, &r),
                    format!("proc macro `{name}` has no `crate` attribute, so its crate name becomes `{derived}`, which is not a valid Rust identifier"),
                )
                .with_label("crate name derived from this target name")
                .with_help(format!("add `crate = \"{guess}\"` (check the crate's `[lib] name`)"))
                .with_fix(Fix {
                    applicability: Applicability::Unsafe,
                    description: format!("Add `crate = \"{guess}\"`"),
                    edits: vec![insert_kwarg(cx.file.id, &cx.file.text, c, &format!("crate = \"{guess}\""))],
                }),
            );
        }
    }
}
