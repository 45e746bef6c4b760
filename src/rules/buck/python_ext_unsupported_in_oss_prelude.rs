//! `python-ext-unsupported-in-oss-prelude` (R22): `python_ext` on `cargo.rust_library`.
//!
//! The OSS prelude's `cargo_package.bzl` does not pop `python_ext`, and `rust_library` has
//! no such attribute, so analysis fails on an unknown attribute. Fires on a `python_ext =`
//! kwarg in BUCK when reindeer.toml `[buck] rust_library` is unset or `cargo.rust_library`
//! (the fixups.toml `python_ext` key is checked by the fixups rules).
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::util::span;
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    PythonExtUnsupportedInOssPrelude {
        id: "python-ext-unsupported-in-oss-prelude",
        code: Some("R22"),
        category: Buck,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for PythonExtUnsupportedInOssPrelude {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let custom =
            p.reindeer.iter().any(|r| r.rust_library_rule.as_deref().is_some_and(|x| x != "cargo.rust_library"));
        // a run that looked its context up may not know the repository's Reindeer projects
        if custom || (p.partial_context && p.reindeer.is_empty()) {
            return;
        }
        for t in &p.targets {
            if &*t.rule != "cargo.rust_library" || !cx.files.get(t.file).reported {
                continue;
            }
            let Some(arg) = p.call_of(t).kwarg("python_ext") else { continue };
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    span(t.file, &arg.name_span()),
                    format!("`python_ext` on `cargo.rust_library` `{}` is not supported by the open-source prelude; analysis fails on an unknown attribute", p.name(t)),
                )
                .with_help("remove `python_ext` (and the fixup that sets it), or point reindeer.toml `[buck] rust_library` at a macro that handles it"),
            );
        }
    }
}
