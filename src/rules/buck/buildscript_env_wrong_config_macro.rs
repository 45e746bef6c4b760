//! `buildscript-env-wrong-config-macro` (R19): a build-script env value runs a tool through
//! a target-configured macro.
//!
//! Build scripts run on the exec platform, but `$(location X)` and `$(exe_target X)` are
//! configured for the target platform, so cross and RE builds run a tool built for the
//! wrong machine. Example: `PYO3_PYTHON = "$(location toolchains//:cpython)"`. Fix
//! (unsafe): `$(location X)` → `$(location_exec X)`, `$(exe_target X)` → `$(exe X)`.
//! This file checks `buildscript_run(env = {...})` in BUCK files and the
//! `[buildscript.run.env]`/`[buildscript.build.env]` tables of fixups.toml.
use crate::model::fixups::EnvKind;
use crate::rules::fixups::replace_literal;
use crate::rules::registry::declare_rule;
use crate::source::Span;
use regex::Regex;
use std::sync::LazyLock;

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::ir::ExprKind;
use crate::parse::Parsed;
use crate::rules::util::{is_buildscript_run_rule, replace_string_literal, span};
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    BuildscriptEnvWrongConfigMacro {
        id: "buildscript-env-wrong-config-macro",
        code: Some("R19"),
        category: Buck,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

pub const TOOL_VARS: &[&str] = &[
    "PYO3_PYTHON",
    "PROTOC",
    "CC",
    "CXX",
    "AR",
    "CARGO",
    "RUSTC",
    "CMAKE",
    "PKG_CONFIG",
    "CLANG_PATH",
    "LLVM_CONFIG_PATH",
];

pub static MACRO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\((location|exe_target)\s+([^\)\s]+)\)").unwrap());

/// Does the label look like something runnable (a binary, command alias or interpreter)?
pub fn looks_runnable(label: &str) -> bool {
    let name = label.rsplit([':', '/']).next().unwrap_or(label);
    let name = name.split('[').next().unwrap_or(name);
    name.ends_with("_binary")
        || name.ends_with("-bin")
        || matches!(name, "cpython" | "python" | "python3" | "protoc" | "cc" | "cxx" | "clang" | "cmake")
}

/// The replacement value and description, when the value should change.
pub fn check_value(key: &str, value: &str) -> Option<(String, String)> {
    let m = MACRO.captures(value)?;
    let which = &m[1];
    let target = &m[2];
    if !(TOOL_VARS.contains(&key) || looks_runnable(target)) {
        return None;
    }
    let good = if which == "location" { "location_exec" } else { "exe" };
    let fixed = value.replacen(&format!("$({which} "), &format!("$({good} "), 1);
    Some((
        fixed,
        format!(
            "`$({which} …)` is configured for the target platform, but `{key}` is used by a build script on the exec platform; use `$({good} {target})`"
        ),
    ))
}

impl Check for BuildscriptEnvWrongConfigMacro {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        match cx.file.kind {
            FileKind::Build => buck_file(cx, sink),
            FileKind::Fixups => fixups_file(cx, sink),
            _ => {}
        }
    }
}

/// `buildscript_run(env = {...})` in a BUCK file.
fn buck_file(cx: &FileCx<'_>, sink: &mut Sink<'_>) {
    {
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        for c in &module.calls {
            let Some(callee) = c.callee_name() else { continue };
            if !is_buildscript_run_rule(&callee, cx.settings, None) {
                continue;
            }
            let Some(env) = c.kwarg("env") else { continue };
            let ExprKind::Dict(items) = &env.value.kind else { continue };
            for (k, v) in items {
                let (ExprKind::Str(key), ExprKind::Str(val)) = (&k.kind, &v.kind) else { continue };
                let Some((fixed, msg)) = check_value(key, val) else { continue };
                sink.push(
                    Diagnostic::new(ID, Severity::Warning, span(cx.file.id, &v.span), msg)
                        .with_help(
                            "string parameter macros: https://buck2.build/docs/rule_authors/string_parameter_macros",
                        )
                        .with_fix(Fix {
                            applicability: Applicability::Unsafe,
                            description: "Use the exec-configured macro".into(),
                            edits: vec![replace_string_literal(cx.file.id, &cx.file.text, &v.span, &fixed)],
                        }),
                );
            }
        }
    }
}

/// A `[buildscript.run.env]` or `[buildscript.build.env]` value (in any section) of a fixups.toml.
fn fixups_file(cx: &FileCx<'_>, sink: &mut Sink<'_>) {
    let Some(f) = cx.fixups() else { return };
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
