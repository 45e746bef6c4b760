//! `env-path-macro-absolutized` (R04): a Rust library `env` value uses `$(location …)`,
//! `$(location_exec …)`, `$(exe …)`, `$(exe_target …)` or `$(source …)`.
//!
//! The prelude turns such values into absolute paths in the action's working directory.
//! That is fine for `include!`, but an `env!()` value then depends on the cwd. Info, or
//! warning when the repository runs actions remotely. The generated
//! `OUT_DIR = "$(location …[out_dir])"` entry is exempt (R01 covers crates that misuse it).
//! Where this machine has the crate's sources (vendored, or in Cargo's registry), they decide:
//! silent when every `env!("KEY")` sits inside `include!`/`include_str!`/`include_bytes!` (or
//! there is none), and the help names the first use as a value otherwise.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::EnvKind;
use crate::model::value::Value;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

use super::is_rust_lib;

declare_rule! {
    EnvPathMacroAbsolutized {
        id: "env-path-macro-absolutized",
        code: Some("R04"),
        category: Determinism,
        severity: Info,
        default: true,
        fix: None,
    }
}

const MACROS: &[&str] = &["$(location ", "$(location_exec ", "$(exe ", "$(exe_target ", "$(source "];

pub fn uses_path_macro(v: &str) -> bool {
    MACROS.iter().any(|m| v.contains(m))
}

/// What a crate's sources (when this machine has them) do with `env!("KEY")`.
pub enum KeyUse {
    /// No sources, or they could not be read.
    Unknown,
    /// Never as a value: only inside `include!`-family macros, or not at all.
    Harmless,
    /// As a value, first at this place (`src/lib.rs:157`).
    AsValue(String),
}

/// Read the sources of the locked versions of `pkg` (all of them must agree).
pub fn key_use(p: &crate::model::Project, pkg: &str, versions: &[semver::Version], key: &str) -> KeyUse {
    let mut harmless = false;
    for rp in &p.reindeer {
        for v in versions {
            let Some(dir) = crate::rules::fixups::vendored_dir(rp, pkg, v) else { continue };
            let Some(uses) = p.sources.env_uses(&dir) else { return KeyUse::Unknown };
            if let Some(u) = uses.iter().find(|u| u.key == key && !u.in_include) {
                if u.gated {
                    // compiled only under a `cfg` we cannot evaluate: unknown
                    return KeyUse::Unknown;
                }
                let rel = u.file.strip_prefix(&dir).unwrap_or(&u.file).to_string_lossy().replace('\\', "/");
                return KeyUse::AsValue(format!("{pkg} {v} {rel}:{}", u.line));
            }
            harmless = true;
        }
    }
    if harmless { KeyUse::Harmless } else { KeyUse::Unknown }
}

impl Check for EnvPathMacroAbsolutized {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let re = p.exec().re_evidence;
        let severity = if re.is_some() { Severity::Warning } else { Severity::Info };
        for t in &p.targets {
            if !cx.files.get(t.file).reported || !is_rust_lib(p, cx.settings, &t.rule) {
                continue;
            }
            // Reindeer copies a crate's fixups env into the BUCK file it generates; when that
            // fixups.toml is linted too and sets the key, the fixups hook reports the value
            // there (one finding, not one per generated copy)
            let fixups_text = reported_fixups_text(cx, t);
            let Some(env) = p.attr(t, "env") else { continue };
            for (_, alt) in env.alternatives() {
                let Value::Dict(items) = &alt.value else { continue };
                for (k, v) in items {
                    let (Some(key), Some(val)) = (k.as_str(), v.as_str()) else { continue };
                    if !uses_path_macro(val) || fixups_text.as_deref().is_some_and(|f| f.contains(key)) {
                        continue;
                    }
                    if key == "OUT_DIR" && val.starts_with("$(location ") && val.ends_with("[out_dir])") {
                        continue;
                    }
                    let Some(at) = v.origin else { continue };
                    // the crate's own sources settle it when this machine has them
                    let used = match crate::rules::util::split_versioned(p.name(t)) {
                        Some((pkg, ver)) => key_use(p, pkg, &[ver], key),
                        None => KeyUse::Unknown,
                    };
                    // that project's crate sources may settle it
                    if matches!(used, KeyUse::Unknown) && crate::rules::util::generated_without_project(cx, t.file) {
                        continue;
                    }
                    let help = match &used {
                        KeyUse::Harmless => continue,
                        KeyUse::AsValue(at) => format!("the crate uses it as a value ({at}): pass a relative path, or read it at run time"),
                        KeyUse::Unknown => "fine if the crate only uses it inside `include!`/`include_str!`; otherwise pass a relative path or read it at run time".to_string(),
                    };
                    let mut d = Diagnostic::new(
                        ID,
                        severity,
                        at,
                        format!("env `{key}` of `{}` becomes an absolute path in each action's working directory; an `env!(\"{key}\")` value then depends on where the action runs", p.name(t)),
                    )
                    .with_help(help);
                    if let Some(r) = re {
                        d = d.with_related(r, "remote execution is enabled here");
                    }
                    sink.push(d);
                }
            }
        }
    }

    /// The fixups part: a library `[env]` value in fixups.toml (any section) that uses a path macro.
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        if !cx.files.get(fx.file).reported {
            return;
        }
        let p = cx.project;
        let mut re = None;
        let f = fx.fixups;
        for s in &f.sections {
            for (kind, e) in s.env_entries() {
                if kind != EnvKind::Library || !uses_path_macro(e.value) {
                    continue;
                }
                if e.key == "OUT_DIR" && e.value.starts_with("$(location ") && e.value.ends_with("[out_dir])") {
                    continue;
                }
                let help = match fx.owner.map(|(rp, pkg)| {
                    key_use(p, pkg, &crate::rules::fixups::locked_versions(rp, pkg), e.key)
                }) {
                    Some(KeyUse::Harmless) => continue,
                    Some(KeyUse::AsValue(at)) => {
                        format!("the crate uses it as a value ({at}): pass a relative path, or read it at run time")
                    }
                    _ => "fine if the crate only uses it inside `include!`/`include_str!`; otherwise pass a relative path or read it at run time".to_string(),
                };
                let re = *re.get_or_insert_with(|| p.exec().re_evidence);
                let mut d = Diagnostic::new(
                    ID,
                    if re.is_some() { Severity::Warning } else { Severity::Info },
                    Span::new(fx.file, e.value_span.clone()),
                    format!(
                        "fixups `env.{}` becomes an absolute path in each action's working directory; an `env!(\"{}\")` value then depends on where the action runs",
                        e.key, e.key
                    ),
                )
                .with_label("absolutized path macro")
                .with_help(help);
                if let Some(r) = re {
                    d = d.with_related(r, "remote execution is enabled here");
                }
                sink.push(d);
            }
        }
    }
}

/// The text of the crate's fixups.toml when `t` is a library rule of the BUCK file Reindeer
/// generates and this run reports on that fixups file.
fn reported_fixups_text(cx: &ProjectCx<'_>, t: &crate::model::Target) -> Option<std::sync::Arc<str>> {
    let p = cx.project;
    let (pkg, _) = crate::rules::util::split_versioned(p.name(t))?;
    let id = p.reindeer.iter().filter(|rp| rp.buck_file == Some(t.file)).find_map(|rp| {
        rp.fixups.iter().find(|(dir, id)| dir == pkg && cx.files.get(*id).reported).map(|(_, id)| *id)
    })?;
    cx.files.text(id)
}
