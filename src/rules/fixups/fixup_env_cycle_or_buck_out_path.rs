//! `fixup-env-cycle-or-buck-out-path` (R32): a build-script env table
//! (`[buildscript.build.env]`, `[buildscript.run.env]`) that references the crate's own
//! `-build-script-run` target, which is a dependency cycle; or any env value that hard-codes
//! the buck-out layout (`buck-out/`, `__<name>__/`, `/OUT_DIR/`, `$(location …)/..`).
//!
//! The env split of 2025-05-01 exists because of such cycles, and buck-out paths change with
//! the prelude's layout (content-based `OUT_DIR` paths). The finding sits on the value. No fix.
use crate::rules::registry::declare_rule;
use std::sync::OnceLock;

use regex::Regex;

use super::package_of;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::EnvKind;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupEnvCycleOrBuckOutPath {
        id: "fixup-env-cycle-or-buck-out-path",
        code: Some("R32"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: None,
    }
}

/// Why a value hard-codes the buck-out layout, if it does.
pub fn buck_out_layout(value: &str) -> Option<&'static str> {
    static MANGLED: OnceLock<Regex> = OnceLock::new();
    static CLIMB: OnceLock<Regex> = OnceLock::new();
    let mangled = MANGLED.get_or_init(|| Regex::new(r"__[A-Za-z0-9_.+-]+__/").expect("valid regex"));
    let climb = CLIMB.get_or_init(|| Regex::new(r"\$\(location[^)]*\)/\.\.").expect("valid regex"));
    if value.contains("buck-out/") {
        Some("a `buck-out/` path")
    } else if climb.is_match(value) {
        Some("a `$(location …)/..` path that climbs out of a target's output")
    } else if value.contains("/OUT_DIR/") {
        Some("a `/OUT_DIR/` path inside buck-out")
    } else if mangled.is_match(value) {
        Some("a `__<target>__/` directory of the buck-out layout")
    } else {
        None
    }
}

impl Check for FixupEnvCycleOrBuckOutPath {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let pkg = package_of(&cx.file.path).unwrap_or_default();
        // compiled only for files that have build-script env entries
        let own = std::cell::OnceCell::new();
        let own = || {
            own.get_or_init(|| {
                Regex::new(&format!(r"(?:^|[:/\s(]){}(?:-[0-9][^\s\[\])]*)?-build-script-run\b", regex::escape(pkg)))
                    .ok()
            })
        };
        let Some(f) = cx.fixups() else { return };
        for s in &f.sections {
            for (kind, e) in s.env_entries() {
                let span = Span::new(cx.file.id, e.value_span.clone());
                let cycle =
                    kind != EnvKind::Library && !pkg.is_empty() && own().as_ref().is_some_and(|r| r.is_match(e.value));
                if cycle {
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            span,
                            format!(
                                "`{}.{}` references {pkg}'s own `-build-script-run` target, which depends on this build script: a dependency cycle",
                                kind.table_name(),
                                e.key
                            ),
                        )
                        .with_label("dependency cycle")
                        .with_help("put references to the crate's own build-script output in the library `[env]`, not in the build-script tables"),
                    );
                    continue;
                }
                if let Some(why) = buck_out_layout(e.value) {
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            span,
                            format!("`{}.{}` hard-codes {why}; the buck-out layout changes between prelude versions", kind.table_name(), e.key),
                        )
                        .with_label("buck-out layout")
                        .with_help("refer to the producing target with `$(location …)` and a sub-target such as `[out_dir]`, never with `/..` or a buck-out path"),
                    );
                }
            }
        }
    }
}
