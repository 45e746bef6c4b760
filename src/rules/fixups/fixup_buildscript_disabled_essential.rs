//! `fixup-buildscript-disabled-essential` (R31): `buildscript.run = false` (or the legacy
//! `buildscript = []`), at the top level or in a section that applies to a locked version, on a
//! package of the essential-buildscripts data table (pyo3-ffi, pyo3, pyo3-build-config < 0.29,
//! proc-macro2, …), reported at that entry's level, or on a `*-sys` package with no
//! `[[cxx_library]]`, `[[prebuilt_cxx_library]]` or `extra_deps` standing in for its native
//! library.
//!
//! Silent where something stands in for the build script: link flags in `rustc_flags`
//! (`-lz`), a `[[cxx_library]]`/`[[prebuilt_cxx_library]]`/`extra_deps`, `cfgs` (for a crate
//! whose build script emits cfgs), an `OUT_DIR` supplied in `env` (pre-generated output), a feature that loads the library at run time (clang-sys
//! `runtime`), or locked versions that have no build script at all (vendored or registry
//! sources, the data table).
//!
//! The crate still builds, but wrongly: the cfgs and link lines its build script emits are
//! missing (for PyO3 this has caused segfaults). Packages commonly disabled without harm
//! (`quote`, `memoffset`) are never reported. The finding sits on `buildscript.run`. No fix.
use super::{locked_versions, no_build_script, project_fixups, runtime_loading};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::{Decision, EnvKind};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupBuildscriptDisabledEssential {
        id: "fixup-buildscript-disabled-essential",
        code: Some("R31"),
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

impl Check for FixupBuildscriptDisabledEssential {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let data = &cx.project.data;
        let Some(pf) = project_fixups(cx, fx) else { return };
        let name = pf.dir;
        if data.harmless_when_disabled.iter().any(|h| h == name) {
            return;
        }
        let versions = locked_versions(pf.rp, name);
        let f = fx.fixups;
        for s in &f.sections {
            let Some(bs) = s.buildscript() else { continue };
            // `buildscript.run = false`, or the legacy `buildscript = []` (an old
            // `[[buildscript]]` with cxx tables built the native code instead)
            let legacy_skip = matches!(bs.item, toml_edit::Item::Value(toml_edit::Value::Array(a)) if a.is_empty());
            if bs.decision() != Some(Decision::Run(false)) || (bs.legacy && !legacy_skip) {
                continue;
            }
            // the table entry for a version this section applies to
            let entry = if versions.is_empty() {
                data.essential_for(name, None)
            } else {
                versions
                    .iter()
                    .filter(|v| !s.applies_to_version(v).is_false())
                    .find_map(|v| data.essential_for(name, Some(v)))
            };
            let Some(entry) = entry.filter(|e| e.has_build_script) else { continue };
            let Some(level) = entry.level else { continue };
            let pattern = entry.name != name;
            // Stand-ins: what the fixups give the crate in place of its build script's
            // output (link flags, a C library, cfgs), a feature that loads the library at
            // run time, or locked versions that have no build script at all.
            if f.has_native_standin()
                || (!pattern && f.sections.iter().any(|s| !s.strings("cfgs").is_empty()))
                // the build script's output, supplied some other way
                || f.sections.iter().any(|s| {
                    s.env_entries().iter().any(|(k, e)| *k == EnvKind::Library && e.key == "OUT_DIR")
                })
                || runtime_loading(cx.project, pf.rp, name, f).is_some()
                || no_build_script(cx.project, pf.rp, name, &versions, |v| !s.applies_to_version(v).is_false())
            {
                continue;
            }
            let anchor = if bs.legacy { bs.key_span.clone() } else { bs.run_anchor() };
            let what = if bs.legacy { "`buildscript = []`" } else { "`buildscript.run = false`" };
            let why = if pattern {
                format!(
                    "as a `{}` package it normally emits the link lines for its native library, and no `[[cxx_library]]`, `[[prebuilt_cxx_library]]`, `extra_deps` or `-l` link flag stands in for it",
                    entry.name
                )
            } else {
                entry.reason.trim_end_matches('.').to_string()
            };
            let help = if name.starts_with("pyo3") {
                "run it and give it an interpreter: a `[buildscript.run.env]` table with `PYO3_PYTHON = \"$(exe …)\"` already means \"run\"".to_string()
            } else if pattern {
                "run it with `[buildscript.run] rustc_link_lib = true`, or build the library with a `[[cxx_library]]`"
                    .to_string()
            } else {
                "run it: `buildscript.run = true`".to_string()
            };
            let severity = match level {
                Severity::Info => Severity::Info,
                _ => Severity::Warning,
            };
            sink.push(
                Diagnostic::new(
                    ID,
                    severity,
                    Span::new(pf.file, anchor),
                    format!("{what} turns off {name}'s build script, which must run: {why}"),
                )
                .with_label("essential build script disabled")
                .with_help(help),
            );
        }
    }
}
