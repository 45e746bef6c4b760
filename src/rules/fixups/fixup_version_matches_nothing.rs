//! `fixup-version-matches-nothing`: a section with `version` atoms (or a legacy `version = "…"`
//! key) that is definitely false for every locked version of its package, judged with
//! three-valued logic (platform atoms are unknown).
//!
//! Reindeer never reports such sections; they are silently dead, typically an exact pin
//! (`=0.48.0`) left behind by a patch upgrade. Skipped without a lock, for packages not in the
//! lock (R30) and in shared fixups libraries. The finding sits on the section key or the legacy
//! `version` key; the help lists the locked versions and the nearest requirement. No fix.
use super::locked_fixups;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::cfg_expr::version_mismatch_help;
use crate::model::fixups::SectionKind;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupVersionMatchesNothing {
        id: "fixup-version-matches-nothing",
        code: None,
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

impl Check for FixupVersionMatchesNothing {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some((pf, versions)) = locked_fixups(cx, fx) else { return };
        let f = fx.fixups;
        for s in &f.sections {
            if !s.has_version_condition() || s.parse_failed {
                continue;
            }
            if !versions.iter().all(|v| s.applies_to_version(v).is_false()) {
                continue;
            }
            let pred_versions = s.pred.as_ref().is_some_and(|p| p.has_version());
            let anchor = match (&s.legacy_version, pred_versions) {
                (Some(lv), false) => lv.key_span.clone(),
                _ => s.key_span.clone().unwrap_or(0..0),
            };
            let req = s
                .pred
                .as_ref()
                .and_then(|p| p.version_reqs().first().map(|r| (*r).clone()))
                .or_else(|| s.legacy_version.as_ref().and_then(|lv| lv.req.clone()));
            let what = match (s.kind, &s.legacy_version, pred_versions) {
                (SectionKind::Top, Some(lv), _) => format!("the top-level `version = \"{}\"`", lv.raw),
                (_, Some(lv), false) => format!("`version = \"{}\"` in `{}`", lv.raw, s.display()),
                _ => format!("`{}`", s.display()),
            };
            let mut d = Diagnostic::new(
                ID,
                Severity::Warning,
                Span::new(pf.file, anchor),
                format!("{what} matches none of the locked versions of {}, so it never applies", pf.dir),
            )
            .with_label("matches no locked version");
            if let Some(h) = version_mismatch_help(&versions, req.as_ref()) {
                d = d.with_help(h);
            }
            sink.push(d);
        }
    }
}
