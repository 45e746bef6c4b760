//! `fixup-cfg-restricted-field` (R26): `visibility`, `omit_targets`, `precise_srcs`,
//! `python_ext`, `export_sources`, `compatible_with`, `target_compatible_with`,
//! `target_compatible_with_select` or `resolver` inside a `cfg(…)` section whose predicate uses
//! anything other than `version`.
//!
//! Reindeer's fixups loader rejects them ("the following fixups are not allowed to be
//! platform-specific"); version-only sections are allowed since 2025-10-17. No fix: move the
//! key to the top level or into a version-only section.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::{IssueKind, restricted_keys};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupCfgRestrictedField {
        id: "fixup-cfg-restricted-field",
        code: Some("R26"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for FixupCfgRestrictedField {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(f) = cx.fixups() else { return };
        for issue in &f.issues {
            let IssueKind::Restricted { section } = &issue.kind else { continue };
            let s = &f.sections[*section];
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    Span::new(cx.file.id, issue.span.clone()),
                    format!(
                        "`{}` is not allowed to be platform-specific, but `{}` depends on more than the package version",
                        issue.key,
                        s.display()
                    ),
                )
                .with_label("platform-specific restricted key")
                .with_help(format!(
                    "move it to the top level or into a version-only `['cfg(version = \"…\")']` section; Reindeer rejects these keys in platform sections: {}",
                    restricted_keys().collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }
}
