//! `buildscript-wiring-mismatch` (R18): a Rust library's `OUT_DIR` and its `rustc_flags`
//! argfile do not point at the same, existing, same-version `-build-script-run` target.
//!
//! Reindeer emits `env = {"OUT_DIR": "$(location :foo-1.2.3-build-script-run[out_dir])"}`
//! and `rustc_flags = ["@$(location :foo-1.2.3-build-script-run[rustc_flags])"]`; hand
//! edits and bad merges break the pair and the crate compiles without its cfgs or
//! `OUT_DIR` files. Fix (unsafe): point both at `<library>-build-script-run`.
//!
//! A library with only one of the two references is reported only when its fixups ask for
//! the build script in current syntax (`buildscript.run = true`), for which current Reindeer
//! always writes both: older Reindeer versions (legacy `[[buildscript]]` sections) and other
//! generators write one on purpose.
use crate::rules::registry::declare_rule;
use regex::Regex;
use std::sync::LazyLock;

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{Decision, SectionKind};
use crate::model::ir::ExprKind;
use crate::parse::Parsed;
use crate::rules::util::{is_rust_library_rule, replace_string_literal, span, split_versioned};
use crate::rules::{Check, FileCx, FixupsCx, ProjectCx, Sink};
use crate::source::{FileKind, Span};

declare_rule! {
    BuildscriptWiringMismatch {
        id: "buildscript-wiring-mismatch",
        code: Some("R18"),
        category: Buck,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\(location\s+:([^\[\)\s]+)\[(out_dir|rustc_flags)\]\)").unwrap());

impl Check for BuildscriptWiringMismatch {
    /// Only one of the two references: a fault only where the generator always writes both.
    /// Current Reindeer does for `buildscript.run = true`; older Reindeer (legacy
    /// `[[buildscript]]` sections asking for `rustc_flags` or `gen_srcs` alone) and other
    /// generators write what was asked for, and those crates build. So this runs per fixups
    /// file: a package whose top-level fixups say `buildscript.run = true` in current syntax
    /// must have both references on each of its library rules in the generated BUCK.
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let Some((rp, pkg)) = fx.owner else { return };
        let Some(buck) = rp.buck_file else { return };
        let Some(top) = fx.fixups.sections.iter().find(|s| s.kind == SectionKind::Top && s.legacy_version.is_none())
        else {
            return;
        };
        let Some(bs) = top.buildscript().filter(|b| !b.legacy) else { return };
        if bs.decision() != Some(Decision::Run(true)) {
            return;
        }
        let p = cx.project;
        for i in p.targets_in(buck) {
            let t = &p.targets[i];
            if !is_rust_library_rule(&t.rule, cx.settings, rp.rust_library_rule.as_deref()) {
                continue;
            }
            let lib = p.name(t);
            if split_versioned(lib).is_none_or(|(n, _)| n != pkg) {
                continue;
            }
            let refs = |attr: &str, kind: &str| -> Option<(String, Span)> {
                let v = p.attr(t, attr)?;
                let items: Vec<&crate::model::value::Val> = match attr {
                    "env" => v.dict_get("OUT_DIR").into_iter().collect(),
                    _ => v.strings(),
                };
                items.into_iter().find_map(|s| {
                    let m = LOCATION.captures(s.as_str()?)?;
                    (&m[2] == kind).then(|| (m[1].to_string(), s.origin.unwrap_or(t.name_span())))
                })
            };
            let (out_dir, flags) = (refs("env", "out_dir"), refs("rustc_flags", "rustc_flags"));
            let ((target, at), have, missing) = match (out_dir, flags) {
                (Some(o), None) => (o, "OUT_DIR", "rustc_flags argfile"),
                (None, Some(f)) => (f, "rustc_flags argfile", "OUT_DIR"),
                _ => continue,
            };
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    at,
                    format!("`{lib}` takes its {have} from `:{target}` but has no {missing} from it"),
                )
                .with_related(
                    Span::new(fx.file, bs.run_anchor()),
                    "`buildscript.run = true`: current Reindeer wires both references",
                )
                .with_help("restore the missing reference or re-run `reindeer buckify`"),
            );
        }
    }
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::Build {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let declared: rustc_hash::FxHashSet<&str> =
            module.calls.iter().filter_map(|c| c.name_arg().map(|(n, _)| n)).collect();
        for c in &module.calls {
            let Some(callee) = c.callee_name() else { continue };
            if !is_rust_library_rule(&callee, cx.settings, None) {
                continue;
            }
            let Some((lib, _)) = c.name_arg() else { continue };
            // OUT_DIR literal in env
            let mut out_dir = None;
            if let Some(env) = c.kwarg("env") {
                if let ExprKind::Dict(items) = &env.value.kind {
                    for (k, v) in items {
                        if matches!(&k.kind, ExprKind::Str(s) if &**s == "OUT_DIR") {
                            if let ExprKind::Str(s) = &v.kind {
                                if let Some(m) = LOCATION.captures(s) {
                                    if &m[2] == "out_dir" {
                                        out_dir = Some((m[1].to_string(), v.span.clone(), s.to_string()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let mut flags = None;
            if let Some(rf) = c.kwarg("rustc_flags") {
                if let ExprKind::List(items) = &rf.value.kind {
                    for v in items {
                        if let ExprKind::Str(s) = &v.kind {
                            if let Some(m) = LOCATION.captures(s) {
                                if &m[2] == "rustc_flags" {
                                    flags = Some((m[1].to_string(), v.span.clone(), s.to_string()));
                                }
                            }
                        }
                    }
                }
            }
            let expected = format!("{lib}-build-script-run");
            let expected_exists = declared.contains(&expected.as_str());
            let fix_for = |refs: &[&(String, std::ops::Range<u32>, String)]| -> Option<Fix> {
                if !expected_exists {
                    return None;
                }
                let edits = refs
                    .iter()
                    .filter(|(t, _, _)| *t != expected)
                    .map(|(t, r, s)| {
                        replace_string_literal(
                            cx.file.id,
                            &cx.file.text,
                            r,
                            &s.replace(&format!(":{t}["), &format!(":{expected}[")),
                        )
                    })
                    .collect::<Vec<_>>();
                (!edits.is_empty()).then(|| Fix {
                    applicability: Applicability::Unsafe,
                    description: format!("Point both references at `:{expected}`"),
                    edits,
                })
            };
            let lib_version = split_versioned(lib).map(|(_, v)| v);
            match (&out_dir, &flags) {
                (Some(o), Some(f)) if o.0 != f.0 => {
                    let mut d = Diagnostic::new(
                        ID,
                        Severity::Error,
                        span(cx.file.id, &o.1),
                        format!("`OUT_DIR` of `{lib}` points at `:{}` but its rustc_flags argfile at `:{}`", o.0, f.0),
                    )
                    .with_related(span(cx.file.id, &f.1), "rustc_flags argfile from a different build script run")
                    .with_help("both must name the same `-build-script-run` target; re-run `reindeer buckify` or fix the hand edit");
                    if let Some(fx) = fix_for(&[o, f]) {
                        d = d.with_fix(fx);
                    }
                    sink.push(d);
                    continue;
                }
                _ => {}
            }
            for r in [&out_dir, &flags].into_iter().flatten() {
                if !declared.contains(&r.0.as_str()) {
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            span(cx.file.id, &r.1),
                            format!("`:{}` is not declared in this file", r.0),
                        )
                        .with_help(format!("`{lib}` expects the build script run `:{expected}`")),
                    );
                    continue;
                }
                if let (Some(lv), Some((_, rv))) =
                    (&lib_version, r.0.strip_suffix("-build-script-run").and_then(split_versioned))
                {
                    if *lv != rv {
                        let mut d = Diagnostic::new(
                            ID,
                            Severity::Error,
                            span(cx.file.id, &r.1),
                            format!(
                                "`{lib}` is version {lv} but uses the build script output of version {rv} (`:{}`)",
                                r.0
                            ),
                        );
                        if let Some(fx) = fix_for(&[r]) {
                            d = d.with_fix(fx);
                        }
                        sink.push(d);
                    }
                }
            }
        }
    }
}
