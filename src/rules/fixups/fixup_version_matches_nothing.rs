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
use crate::model::fixups::SectionKind;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;
use semver::{Version, VersionReq};

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

// ---------------------------------------------------------------------------------------------
// Version suggestions
// ---------------------------------------------------------------------------------------------

/// Requirements to suggest when a `version = "..."` atom matches no locked version, e.g.
/// `["=0.48.5", "^0.48"]`.
///
/// Picks the locked version nearest to `req`'s first comparator (by major, then minor, then
/// patch distance; ties go to the newer version), or the newest locked version when `req` is
/// `None` or has no comparator. Returns an exact pin and, for non-prerelease versions, the caret
/// requirement of its compatibility range (omitted for `0.0.x`, where it equals the pin).
/// Empty when `locked` is empty.
pub fn suggest_requirement(locked: &[Version], req: Option<&VersionReq>) -> Vec<String> {
    let Some(best) = nearest_locked(locked, req) else {
        return Vec::new();
    };
    let mut out = vec![format!("={best}")];
    if best.pre.is_empty() {
        if best.major > 0 {
            out.push(format!("^{}", best.major));
        } else if best.minor > 0 {
            out.push(format!("^0.{}", best.minor));
        }
    }
    out
}

/// The locked version nearest to `req` (see [`suggest_requirement`]).
pub fn nearest_locked<'v>(locked: &'v [Version], req: Option<&VersionReq>) -> Option<&'v Version> {
    let target = req.and_then(|r| r.comparators.first()).map(|c| (c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)));
    match target {
        None => locked.iter().max(),
        Some((ma, mi, pa)) => {
            let dist = |v: &Version| (v.major.abs_diff(ma), v.minor.abs_diff(mi), v.patch.abs_diff(pa));
            locked.iter().min_by(|a, b| dist(a).cmp(&dist(b)).then_with(|| b.cmp(a)))
        }
    }
}

/// Help text for `fixup-version-matches-nothing`, e.g.
/// "lock has 0.48.5, 0.52.6; did you mean `=0.48.5` or `^0.48`?". `None` when `locked` is empty.
pub fn version_mismatch_help(locked: &[Version], req: Option<&VersionReq>) -> Option<String> {
    let suggestions = suggest_requirement(locked, req);
    if suggestions.is_empty() {
        return None;
    }
    let mut versions: Vec<&Version> = locked.iter().collect();
    versions.sort();
    versions.dedup();
    let versions: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
    Some(format!("lock has {}; did you mean {}?", versions.join(", "), quoted.join(" or ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn suggestions() {
        let locked = [v("0.48.5"), v("0.52.6")];
        let req = VersionReq::parse("=0.48.0").unwrap();
        assert_eq!(suggest_requirement(&locked, Some(&req)), ["=0.48.5", "^0.48"]);
        assert_eq!(
            version_mismatch_help(&locked, Some(&req)).unwrap(),
            "lock has 0.48.5, 0.52.6; did you mean `=0.48.5` or `^0.48`?"
        );
        assert_eq!(
            version_mismatch_help(&[v("0.48.5")], Some(&req)).unwrap(),
            "lock has 0.48.5; did you mean `=0.48.5` or `^0.48`?"
        );
        let req = VersionReq::parse("=0.52.0").unwrap();
        assert_eq!(suggest_requirement(&locked, Some(&req)), ["=0.52.6", "^0.52"]);
        // Without a requirement: the newest locked version.
        assert_eq!(suggest_requirement(&locked, None), ["=0.52.6", "^0.52"]);
        // Major > 0 and 0.0.x.
        assert_eq!(
            suggest_requirement(&[v("1.9.0"), v("3.0.1")], Some(&VersionReq::parse("=1.2.3").unwrap())),
            ["=1.9.0", "^1"]
        );
        assert_eq!(suggest_requirement(&[v("0.0.7")], None), ["=0.0.7"]);
        assert_eq!(suggest_requirement(&[v("1.0.0-beta.2")], None), ["=1.0.0-beta.2"]);
        // Ties prefer the newer version.
        let req = VersionReq::parse("=1.5.0").unwrap();
        assert_eq!(nearest_locked(&[v("1.4.0"), v("1.6.0")], Some(&req)), Some(&v("1.6.0")));
        assert!(suggest_requirement(&[], Some(&req)).is_empty());
        assert_eq!(version_mismatch_help(&[], None), None);
        // Every suggestion matches the chosen version.
        for s in suggest_requirement(&locked, Some(&VersionReq::parse("<0.29").unwrap())) {
            assert!(VersionReq::parse(&s).unwrap().matches(&v("0.48.5")), "{s}");
        }
    }
}
