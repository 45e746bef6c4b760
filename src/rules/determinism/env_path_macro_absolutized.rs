//! `env-path-macro-absolutized` (R04): a Rust library `env` value uses `$(location …)`,
//! `$(location_exec …)`, `$(exe …)`, `$(exe_target …)` or `$(source …)`.
//!
//! The prelude turns such values into absolute paths in the action's working directory.
//! That is fine for `include!`, but an `env!()` value then depends on the cwd. Info, or
//! warning when the repository runs actions remotely. The generated
//! `OUT_DIR = "$(location …[out_dir])"` entry is exempt (R01 covers crates that misuse it).
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::value::Value;
use crate::rules::{Check, ProjectCx, Sink};

use super::is_rust_lib;

pub struct EnvPathMacroAbsolutized;

const ID: &str = "env-path-macro-absolutized";
const MACROS: &[&str] = &["$(location ", "$(location_exec ", "$(exe ", "$(exe_target ", "$(source "];

pub fn uses_path_macro(v: &str) -> bool {
    MACROS.iter().any(|m| v.contains(m))
}

impl Check for EnvPathMacroAbsolutized {
    fn rules(&self) -> &'static [&'static str] {
        &[ID]
    }
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        if !sink.enabled(ID) {
            return;
        }
        let p = cx.project;
        let re = p.exec().re_evidence;
        let severity = if re.is_some() { Severity::Warning } else { Severity::Info };
        for t in &p.targets {
            if !cx.files.get(t.file).reported || !is_rust_lib(p, cx.settings, &t.rule) {
                continue;
            }
            let Some(env) = p.attr(t, "env") else { continue };
            for (_, alt) in env.alternatives() {
                let Value::Dict(items) = &alt.value else { continue };
                for (k, v) in items {
                    let (Some(key), Some(val)) = (k.as_str(), v.as_str()) else { continue };
                    if !uses_path_macro(val) {
                        continue;
                    }
                    if key == "OUT_DIR" && val.starts_with("$(location ") && val.ends_with("[out_dir])") {
                        continue;
                    }
                    let Some(at) = v.origin else { continue };
                    let mut d = Diagnostic::new(
                        ID,
                        severity,
                        at,
                        format!("env `{key}` of `{}` becomes an absolute path in each action's working directory; an `env!(\"{key}\")` value then depends on where the action runs", p.name(t)),
                    )
                    .with_help("fine if the crate only uses it inside `include!`/`include_str!`; otherwise pass a relative path or read it at run time");
                    if let Some(r) = re {
                        d = d.with_related(r, "remote execution is enabled here");
                    }
                    sink.push(d);
                }
            }
        }
    }
}
