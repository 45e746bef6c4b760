//! `fixup-buildscript-unused` (R29): a `buildscript` key (including `buildscript.run = false`)
//! at the top level or in a section that applies to some locked version, when it is certain
//! that none of those versions has a build script (vendored sources, or the data table: for
//! example pyo3-build-config 0.29 and later).
//!
//! Since 2025-10-14 (commit c076127a) Reindeer fails with "unused buildscript fixup for a
//! package that has no build script". Without certain evidence the rule stays silent. The
//! finding sits on the `buildscript` key or header. Fix (safe): delete it.
use super::{BuildScript, build_script, deletions, locked_versions, project_fixups};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{header_span, header_starts, item_regions};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupBuildscriptUnused {
        id: "fixup-buildscript-unused",
        code: Some("R29"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

impl Check for FixupBuildscriptUnused {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some(pf) = project_fixups(cx, fx) else { return };
        let versions = locked_versions(pf.rp, pf.dir);
        if versions.is_empty() {
            return;
        }
        let f = fx.fixups;
        let headers = header_starts(pf.doc);
        for s in &f.sections {
            let Some(bs) = s.buildscript() else { continue };
            let applying: Vec<&semver::Version> =
                versions.iter().filter(|v| !s.applies_to_version(v).is_false()).collect();
            if applying.is_empty() {
                continue;
            }
            let reasons: Option<Vec<String>> = applying
                .iter()
                .map(|v| match build_script(cx.project, pf.rp, pf.dir, v) {
                    BuildScript::No(r) => Some(r),
                    _ => None,
                })
                .collect();
            let Some(mut reasons) = reasons else { continue };
            reasons.dedup();
            let anchor = match bs.item {
                toml_edit::Item::ArrayOfTables(a) => a.iter().next().and_then(|t| t.span()),
                item => header_span(item),
            }
            .unwrap_or_else(|| bs.key_span.clone());
            let vs: Vec<String> = applying.iter().map(|v| v.to_string()).collect();
            let mut d = Diagnostic::new(
                ID,
                Severity::Error,
                Span::new(pf.file, anchor),
                format!(
                    "unused buildscript fixup for a package that has no build script: {} {} has none",
                    pf.dir,
                    vs.join(", ")
                ),
            )
            .with_label("unused buildscript fixup")
            .with_help(format!(
                "delete the `buildscript` fixup; current Reindeer fails on it (since 2025-10-14). {}",
                reasons.join("; ")
            ));
            let regions = item_regions(f.text, &headers, &bs.key_span, bs.item);
            if !regions.is_empty() {
                d = d.with_fix(Fix {
                    applicability: Applicability::Safe,
                    description: "Delete the unused `buildscript` fixup".into(),
                    edits: deletions(pf.file, &regions),
                });
            }
            sink.push(d);
        }
    }
}
