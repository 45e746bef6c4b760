//! The fixups part of `buildscript-env-wrong-config-macro` (R19): a `[buildscript.run.env]` or
//! `[buildscript.build.env]` value (in any section) that runs a tool through `$(location X)` or
//! `$(exe_target X)`, when X looks runnable or the key is a known tool variable
//! (`PYO3_PYTHON`, `PROTOC`, `CC`, …).
//!
//! Build scripts run on the exec platform, but those macros are configured for the target
//! platform. Fix (unsafe): `$(location X)` → `$(location_exec X)`, `$(exe_target X)` →
//! `$(exe X)`. The BUCK part of the rule lives in `rules/buck`.
use super::{fixups_doc, replace_literal};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::{EnvKind, FixupsDoc};
use crate::rules::buck::buildscript_env_wrong_config_macro::check_value;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

pub struct FxBuildscriptEnvWrongConfigMacro;

const ID: &str = "buildscript-env-wrong-config-macro";

impl Check for FxBuildscriptEnvWrongConfigMacro {
    fn rules(&self) -> &'static [&'static str] {
        &[ID]
    }
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if !sink.enabled(ID) {
            return;
        }
        let Some(doc) = fixups_doc(cx) else { return };
        let f = FixupsDoc::analyze(doc);
        for s in &f.sections {
            for (kind, e) in s.env_entries() {
                if kind == EnvKind::Library {
                    continue;
                }
                let Some((fixed, message)) = check_value(e.key, e.value) else { continue };
                sink.push(
                    Diagnostic::new(ID, Severity::Warning, Span::new(cx.file.id, e.value_span.clone()), message)
                        .with_label("target-configured macro in build-script env")
                        .with_help(format!(
                            "`{}` is read by the build script, which runs on the exec platform",
                            kind.table_name()
                        ))
                        .with_fix(Fix {
                            applicability: Applicability::Unsafe,
                            description: "Use the exec-configured macro".into(),
                            edits: vec![replace_literal(cx.file.id, f.text, &e.value_span, &fixed)],
                        }),
                );
            }
        }
    }
}
