//! `fixups-buck-out-of-sync` (R05): a fixups file and the generated BUCK disagree, for some
//! version `<pkg>-<ver>` of the package in BUCK. Compared are the top level and the
//! version-only sections that apply to that version:
//! - `buildscript.run = true` (or a run table) but no `<pkg>-<ver>-build-script-run`, or
//!   `run = false` but that target exists;
//! - a `[buildscript.run.env]` key missing from that target's `env`;
//! - an `[env]` key, a `features` entry, a `cfgs` entry (as `--cfg=X`) or a `rustc_flags`
//!   entry missing from the library rule (its `platform = {…}` blocks count too).
//!
//! Platform-dependent sections are not compared. Only the project's generated BUCK file is
//! read (the BUCK in `third_party_dir`, or one with a "generated" header). The finding sits in
//! the fixups file with a related span on the BUCK rule. No fix: run `reindeer buckify`.
use super::has_generated_header;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::model::fixups::{Decision, Section, SectionKind, env_entries};
use crate::model::value::Val;
use crate::rules::fixups::{
    BuildScript, build_script, buildscript_run_target, fixup_buildscript_undecided::fixups_display, project_fixups,
};
use crate::rules::registry::declare_rule;
use crate::rules::util::{is_rust_library_rule, split_versioned};
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupsBuckOutOfSync {
        id: "fixups-buck-out-of-sync",
        code: Some("R05"),
        category: Reindeer,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// Apply `collect` to an attribute and to the same attribute inside `platform = {...}`
/// blocks; `None` when `collect` gives up (some part cannot be evaluated).
fn with_platforms(p: &Project, t: usize, attr: &str, mut collect: impl FnMut(&Val) -> Option<()>) -> Option<()> {
    let target = &p.targets[t];
    if let Some(v) = p.attr(target, attr) {
        collect(&v)?;
    }
    if let Some(plat) = p.attr(target, "platform") {
        for (_, block) in plat.as_dict().unwrap_or_default() {
            if let Some(v) = block.dict_get(attr) {
                collect(v)?;
            }
        }
    }
    Some(())
}

/// String items of a list attribute (and of the same list in `platform` blocks).
fn strings_with_platforms(p: &Project, t: usize, attr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    with_platforms(p, t, attr, |v| {
        if v.is_unknown() {
            return None;
        }
        for s in v.strings() {
            out.push(s.as_str()?.to_string());
        }
        Some(())
    })?;
    Some(out)
}

/// Keys of a dict attribute (and of the same dict in `platform` blocks).
fn keys_with_platforms(p: &Project, t: usize, attr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    with_platforms(p, t, attr, |v| {
        for (_, alt) in v.alternatives() {
            if alt.is_unknown() {
                return None;
            }
            for (k, _) in alt.as_dict()? {
                out.push(k.as_str()?.to_string());
            }
        }
        Some(())
    })?;
    Some(out)
}

/// A fixups list key, the BUCK values it is compared with, and how an entry appears there.
type Comparison<'a> = (&'a str, &'a Option<Vec<String>>, fn(&str) -> String);

/// "key `A` is" / "keys `A`, `B` are".
/// The keys of a fixups `env` table that `have` lacks: the first one's span, and the keys
/// listed for a message ("key `A` is" / "keys `A` and `B` are").
fn missing_env_keys(env: &dyn toml_edit::TableLike, have: &[String]) -> Option<(std::ops::Range<usize>, String)> {
    let missing: Vec<_> = env_entries(env).into_iter().filter(|e| !have.iter().any(|h| h == e.key)).collect();
    let first = missing.first()?;
    let names: Vec<String> = missing.iter().map(|e| format!("`{}`", e.key)).collect();
    Some((first.key_span.clone(), listed("key", &names)))
}

fn listed(noun: &str, names: &[String]) -> String {
    match names {
        [one] => format!("{noun} {one} is"),
        _ => {
            let plural = if noun == "entry" { "entries".to_string() } else { format!("{noun}s") };
            format!("{plural} {} are", names.join(", "))
        }
    }
}

impl Check for FixupsBuckOutOfSync {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let Some(pf) = project_fixups(cx, fx) else { return };
        let rp = pf.rp;
        let Some(buck) = rp.buck_file else { return };
        // the BUCK in third_party_dir is Reindeer's output by definition; the header check
        // only matters for files found some other way
        let generated = p.path_of(buck).starts_with(&rp.third_party_dir)
            || cx.files.text(buck).is_some_and(|t| has_generated_header(&t));
        if !generated {
            return;
        }
        let f = fx.fixups;
        let display = fixups_display(rp, pf.dir);
        // versions of the package that have a library rule in BUCK
        let mut libs: Vec<(semver::Version, usize)> = p
            .targets_in(buck)
            .filter(|i| is_rust_library_rule(&p.targets[*i].rule, cx.settings, rp.rust_library_rule.as_deref()))
            .filter_map(|i| {
                let (n, v) = split_versioned(p.name(&p.targets[i]))?;
                (n == pf.dir).then_some((v, i))
            })
            .collect();
        libs.sort();
        for (v, lib) in libs {
            let sections: Vec<&Section<'_>> = f
                .sections
                .iter()
                .filter(|s| match s.kind {
                    SectionKind::Top => s.legacy_version.is_none(),
                    SectionKind::Cfg => s.version_only() == Some(true) && s.applies_to_version(&v).is_true(),
                    SectionKind::LegacyPlatform => false,
                })
                .collect();
            let lib_t = &p.targets[lib];
            let run_t = buildscript_run_target(p, rp, pf.dir, &v);
            let run_name = match run_t {
                Some(t) => p.name(&p.targets[t]).to_string(),
                None => format!("{}-{v}-build-script-run", pf.dir),
            };
            // a platform section that decides otherwise explains a run target (or its absence)
            let platform_runs = |want: bool| {
                f.sections.iter().any(|s| {
                    s.kind == SectionKind::Cfg
                        && s.version_only() == Some(false)
                        && s.buildscript().and_then(|b| b.decision()) == Some(Decision::Run(want))
                })
            };
            let push = |sink: &mut Sink<'_>, span: std::ops::Range<usize>, what: String, related: usize| {
                let t = &p.targets[related];
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Warning,
                        Span::new(pf.file, span),
                        format!("{display} and the generated BUCK disagree: {what}"),
                    )
                    .with_label("not in the generated BUCK")
                    .with_related(t.name_span(), format!("`{}` in the generated BUCK", p.name(t)))
                    .with_help("run `reindeer buckify` (from the directory holding reindeer.toml) and commit the regenerated BUCK"),
                );
            };
            // build script decision
            for s in &sections {
                let Some(bs) = s.buildscript() else { continue };
                if bs.legacy {
                    continue;
                }
                match (bs.decision(), run_t) {
                    // Reindeer ignores `run = true` for a version without a build script
                    // (`fixup-buildscript-unused`'s finding): only a version known to have one
                    // makes the missing target a stale BUCK.
                    (Some(Decision::Run(true)), None)
                        if matches!(build_script(p, rp, pf.dir, &v), BuildScript::Yes(_)) && !platform_runs(false) =>
                    {
                        push(
                            sink,
                            bs.run_anchor(),
                            format!("the fixups run {}'s build script, but BUCK has no `{run_name}`", pf.dir),
                            lib,
                        )
                    }
                    (Some(Decision::Run(false)), Some(rt)) if !platform_runs(true) => push(
                        sink,
                        bs.run_anchor(),
                        format!("`buildscript.run = false`, but BUCK still declares `{run_name}`"),
                        rt,
                    ),
                    (Some(Decision::Run(true)), Some(rt)) => {
                        let Some(env) = bs.run_table().and_then(|t| t.get("env")).and_then(|e| e.as_table_like())
                        else {
                            continue;
                        };
                        let Some(have) = keys_with_platforms(p, rt, "env") else { continue };
                        if let Some((at, keys)) = missing_env_keys(env, &have) {
                            let what = format!("`[buildscript.run.env]` {keys} missing from the env of `{run_name}`");
                            push(sink, at, what, rt);
                        }
                    }
                    _ => {}
                }
            }
            // library attributes
            let env_have = keys_with_platforms(p, lib, "env");
            let features_have = strings_with_platforms(p, lib, "features");
            let flags_have = strings_with_platforms(p, lib, "rustc_flags");
            for s in &sections {
                if let (Some(have), Some(env)) = (&env_have, s.get("env").and_then(|(_, i)| i.as_table_like())) {
                    if let Some((at, keys)) = missing_env_keys(env, have) {
                        push(sink, at, format!("`env` {keys} missing from the env of `{}`", p.name(lib_t)), lib);
                    }
                }
                let checks: [Comparison<'_>; 3] = [
                    ("features", &features_have, |x| x.to_string()),
                    ("cfgs", &flags_have, |x| format!("--cfg={x}")),
                    ("rustc_flags", &flags_have, |x| x.to_string()),
                ];
                for (key, have, expect) in checks {
                    let Some(have) = have else { continue };
                    let missing: Vec<_> =
                        s.strings(key).into_iter().filter(|e| !have.contains(&expect(e.value))).collect();
                    if let Some(first) = missing.first() {
                        let names: Vec<String> = missing.iter().map(|e| format!("`{}`", expect(e.value))).collect();
                        let attr = if key == "features" { "features" } else { "rustc_flags" };
                        push(
                            sink,
                            first.span.clone(),
                            format!(
                                "`{key}` {} missing from the {attr} of `{}`",
                                listed("entry", &names),
                                p.name(lib_t)
                            ),
                            lib,
                        );
                    }
                }
            }
        }
    }
}
