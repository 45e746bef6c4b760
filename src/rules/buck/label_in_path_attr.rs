//! `label-in-path-attr`: a target label written in an attribute that takes plain paths
//! (`public_include_directories`, `public_system_include_directories`,
//! `include_directories`, `header_namespace`).
//!
//! Buck2 does not resolve labels there: `public_include_directories = [":archive[include]"]`
//! becomes `-Ipath/to/:archive[include]` on the compiler's command line, and the headers are
//! not found (facebook/buck2#318). The working form for a directory produced by another target
//! is `exported_preprocessor_flags = ["-I$(location :archive[include])"]`
//! (`preprocessor_flags` for `include_directories`). Labels are `:name`, `//pkg:name` and
//! `cell//pkg:name`, with an optional `[subtarget]`; plain paths and `$(…)` macros are not
//! reported. The finding sits on the string. No fix: the flag form changes how dependents see
//! the headers, which is the author's call.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ir::ExprKind;
use crate::model::label::Label;
use crate::parse::Parsed;
use crate::rules::registry::declare_rule;
use crate::rules::util::{list_string_literals, span};
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    LabelInPathAttr {
        id: "label-in-path-attr",
        code: None,
        category: Buck,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// Path attributes, and the flag attribute that takes `-I$(location …)` instead.
const PATH_ATTRS: &[(&str, &str)] = &[
    ("public_include_directories", "exported_preprocessor_flags"),
    ("public_system_include_directories", "exported_preprocessor_flags"),
    ("include_directories", "preprocessor_flags"),
    ("header_namespace", ""),
];

impl Check for LabelInPathAttr {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::Build {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        for c in &module.calls {
            for (attr, flags) in PATH_ATTRS {
                let Some(arg) = c.kwarg(attr) else { continue };
                let strings = match &arg.value.kind {
                    ExprKind::Str(_) if flags.is_empty() => list_string_literals(&arg.value),
                    _ if flags.is_empty() => Vec::new(),
                    _ => list_string_literals(&arg.value),
                };
                for (s, r) in strings {
                    if Label::parse(s, "", "").is_none() {
                        continue;
                    }
                    let help = if flags.is_empty() {
                        format!(
                            "`{attr}` is a plain path prefix for the headers; write the namespace itself, not a target"
                        )
                    } else {
                        format!(
                            "Buck2 passes `{attr}` entries to the compiler verbatim; for a directory another target produces, use `{flags} = [\"-I$(location {s})\"]`"
                        )
                    };
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Warning,
                            span(cx.file.id, r),
                            format!(
                                "`{s}` is a target label, but `{attr}` takes plain paths: Buck2 does not resolve it"
                            ),
                        )
                        .with_label("used as a literal path")
                        .with_help(help),
                    );
                }
            }
        }
    }
}
