//! `fixup-link-directives-dropped` (R36): `buildscript.run = true` (or a run table) on a
//! package with a `links` key (vendored manifest) or a `-sys` name, when neither
//! `rustc_link_lib` nor `rustc_link_search` is set and no `[[cxx_library]]`,
//! `[[prebuilt_cxx_library]]`, `extra_deps` or link flags in `rustc_flags` (`-lz`) provide
//! the library, no feature loads it at run time (clang-sys `runtime`), and the locked
//! versions are not known to lack a build script.
//!
//! The prelude drops `cargo:rustc-link-*` unless asked to forward them, so link errors show up
//! later, in some binary. The finding sits on `buildscript.run`. Fix (unsafe): ask for the link
//! lines with `rustc_link_lib = true`. (The `DEP_<LINKS>_*` part of the rule, which needs
//! dependents' build scripts, is not implemented.)
use super::{edit, locked_versions, no_build_script, project_fixups, runtime_loading, vendored_links};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{Decision, header_span, line_end};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupLinkDirectivesDropped {
        id: "fixup-link-directives-dropped",
        code: Some("R36"),
        category: Fixups,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

impl Check for FixupLinkDirectivesDropped {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some(pf) = project_fixups(cx, fx) else { return };
        let name = pf.dir;
        let versions = locked_versions(pf.rp, name);
        let links = versions.iter().find_map(|v| vendored_links(pf.rp, name, v));
        if links.is_none() && !name.ends_with("-sys") {
            return;
        }
        let f = fx.fixups;
        if f.has_native_standin()
            || runtime_loading(cx.project, pf.rp, name, f).is_some()
            || no_build_script(cx.project, pf.rp, name, &versions, |_| true)
        {
            return;
        }
        for s in &f.sections {
            let Some(bs) = s.buildscript() else { continue };
            if bs.legacy || bs.decision() != Some(Decision::Run(true)) || bs.forwards_link_lines() {
                continue;
            }
            if !versions.is_empty() && versions.iter().all(|v| s.applies_to_version(v).is_false()) {
                continue;
            }
            let why = match &links {
                Some(l) => format!("declares `links = \"{l}\"`"),
                None => "is a `-sys` package".to_string(),
            };
            let mut d = Diagnostic::new(
                ID,
                Severity::Warning,
                Span::new(pf.file, bs.run_anchor()),
                format!("{name} {why}, but its build script's `cargo:rustc-link-lib`/`-search` lines are dropped: `rustc_link_lib` is not set and nothing provides the native library"),
            )
            .with_label("link lines dropped")
            .with_help("set `rustc_link_lib = true` (and `rustc_link_search = true`) under `[buildscript.run]`, or build the library with a `[[cxx_library]]`");
            let fix = match &bs.run {
                Some((_, item @ toml_edit::Item::Value(toml_edit::Value::Boolean(_)))) => {
                    item.span().map(|vs| vec![edit(pf.file, vs, "{ rustc_link_lib = true }")])
                }
                Some((_, item)) => header_span(item).map(|h| {
                    let at = line_end(f.text, h.end.saturating_sub(1));
                    vec![edit(
                        pf.file,
                        at..at,
                        crate::model::fixups::line_insertion(f.text, at, "rustc_link_lib = true"),
                    )]
                }),
                None => None,
            };
            if let Some(edits) = fix {
                d = d.with_fix(Fix {
                    applicability: Applicability::Unsafe,
                    description: "Forward the build script's link lines (`rustc_link_lib = true`)".into(),
                    edits,
                });
            }
            sink.push(d);
        }
    }
}
