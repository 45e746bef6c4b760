//! `proc-macro-inner-target-dep` (R16): a dependency on the hidden `_X` target of a proc macro.
//!
//! `rust_library(proc_macro = True, name = "X")` declares the real library as `_X` and a
//! public alias `X`. Depending on `:_X` bypasses the alias and the plugin wiring. Example:
//! `deps = [":_serde_derive-1.0.200"]`. Fix (safe): drop the underscore.
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::label::Label;
use crate::rules::registry::declare_rule;
use crate::rules::util::{for_each_dep_literal, is_rust_library_rule, replace_string_literal, span};
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ProcMacroInnerTargetDep {
        id: "proc-macro-inner-target-dep",
        code: Some("R16"),
        category: Buck,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

impl Check for ProcMacroInnerTargetDep {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        for_each_dep_literal(cx, |t, s, lit| {
            // only `_<name>` targets can be inner targets (checked before parsing)
            let name = match s.rfind(':') {
                Some(i) => &s[i + 1..],
                None => s.rsplit('/').next().unwrap_or(s),
            };
            if !name.starts_with('_') {
                return;
            }
            let Some(l) = Label::parse(s, &t.cell, &t.package) else { return };
            let Some(inner) = l.name.strip_prefix('_') else { return };
            let mut outer = l.clone();
            outer.cell = p.canonical_cell(&outer.cell);
            outer.name = inner.to_string();
            let Some(ti) = p.target(&outer) else { return };
            let target = &p.targets[ti];
            let tc = p.call_of(target);
            if !is_rust_library_rule(&target.rule, cx.settings, None) || !tc.is_literal_true("proc_macro") {
                return;
            }
            let Some(text) = cx.files.text(t.file) else { return };
            let fixed = s.replacen(&format!(":_{inner}"), &format!(":{inner}"), 1);
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    span(t.file, &lit),
                    format!("`{s}` is the private inner target of proc macro `{inner}`; depend on `{inner}` instead"),
                )
                .with_related(target.name_span(), "proc macro declared here")
                .with_help(
                    "the prelude renames proc-macro libraries to `_<name>` and puts the public alias at `<name>`",
                )
                .with_fix(Fix {
                    applicability: Applicability::Safe,
                    description: format!("Depend on `{fixed}`"),
                    edits: vec![replace_string_literal(t.file, &text, &lit, &fixed)],
                }),
            );
        });
    }
}
