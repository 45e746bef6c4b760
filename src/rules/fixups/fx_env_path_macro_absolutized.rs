//! The fixups part of `env-path-macro-absolutized` (R04): a library `[env]` value in
//! fixups.toml (any section) that uses `$(location …)`, `$(location_exec …)`, `$(exe …)`,
//! `$(exe_target …)` or `$(source …)`.
//!
//! The prelude turns such values into absolute paths in the action's working directory: fine
//! for `include!`, but an `env!()` value then depends on the cwd. Info, or warning when the
//! repository runs actions remotely. The BUCK part of the rule lives in `rules/determinism`.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::EnvKind;
use crate::rules::determinism::env_path_macro_absolutized::{KeyUse, key_use, uses_path_macro};
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

pub struct FxEnvPathMacroAbsolutized;

const ID: &str = "env-path-macro-absolutized";

impl Check for FxEnvPathMacroAbsolutized {
    fn rules(&self) -> &'static [&'static str] {
        &[ID]
    }
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        if !sink.enabled(ID) || !cx.files.get(fx.file).reported {
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
