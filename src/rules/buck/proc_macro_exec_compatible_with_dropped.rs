//! `proc-macro-exec-compatible-with-dropped` (R17): `exec_compatible_with` on a proc macro.
//!
//! The prelude's proc-macro wrapper forwards only `default_target_platform` and
//! `visibility` to the public alias, so the constraint silently has no effect
//! (facebook/buck2#1202). Put it on the Rust toolchain instead, which reaches proc macros
//! since facebook/buck2#901. Off with `[buck] prelude-forwards-exec-compatible-with = true`.
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::util::{proc_macro_calls, span};
use crate::rules::{Check, FileCx, Sink};

declare_rule! {
    ProcMacroExecCompatibleWithDropped {
        id: "proc-macro-exec-compatible-with-dropped",
        code: Some("R17"),
        category: Buck,
        severity: Warning,
        default: true,
        fix: None,
    }
}

impl Check for ProcMacroExecCompatibleWithDropped {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.settings.buck.prelude_forwards_exec_compatible_with {
            return;
        }
        for c in proc_macro_calls(cx) {
            let Some(arg) = c.kwarg("exec_compatible_with") else { continue };
            let name = c.name_arg().map(|(n, _)| n.to_string()).unwrap_or_default();
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Warning,
                    span(cx.file.id, &arg.name_span()),
                    format!("`exec_compatible_with` on proc macro `{name}` is dropped by the prelude's proc-macro wrapper"),
                )
                .with_help("set the constraint on the Rust toolchain target instead (it reaches proc macros since facebook/buck2#901), or set `[buck] prelude-forwards-exec-compatible-with = true` once your prelude forwards it"),
            );
        }
    }
}
