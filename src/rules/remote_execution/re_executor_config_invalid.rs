//! `re-executor-config-invalid` (R11): a `CommandExecutorConfig(...)` call Buck2 rejects at
//! analysis.
//!
//! Any of: a missing `local_enabled` or `remote_enabled` (both required, named-only);
//! `remote_enabled = True` without `remote_execution_properties` or without
//! `remote_execution_use_case`; `remote_output_paths` not `strict` / `compatibility` /
//! `output_paths`; `network_access` not `all` / `none` / `loopback` / `strict` / `private`;
//! `remote_execution_properties` that is not a dict; a positional argument; an unknown keyword
//! (the table of `buck2-facts.md` §3). Buck2 fails every build that uses the platform, e.g.
//! with "expected `remote_execution_properties` to be set".
//!
//! Example: `CommandExecutorConfig(local_enabled = False, remote_enabled = True,
//! remote_execution_properties = {...})` (no use case). Missing things sit on the
//! `CommandExecutorConfig` callee, wrong values on the value, unknown keywords on the keyword.
//! Fix (safe, partial): insert `remote_execution_use_case = "buck2-default"`; the other cases
//! are help text only.
use super::{Findings, arg_value_span, with_use};
use crate::config::did_you_mean;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::ir::ArgKind;
use crate::model::value::Value;
use crate::rules::registry::declare_rule;
use crate::rules::util::insert_kwarg;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    ReExecutorConfigInvalid {
        id: "re-executor-config-invalid",
        code: Some("R11"),
        category: RemoteExecution,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

/// Keyword arguments `CommandExecutorConfig` accepts (`command_executor_config.rs`).
pub const KNOWN_KWARGS: &[&str] = &[
    "local_enabled",
    "remote_enabled",
    "remote_cache_enabled",
    "remote_dep_file_cache_enabled",
    "remote_execution_properties",
    "remote_execution_use_case",
    "remote_execution_action_key",
    "remote_execution_max_input_files_mebibytes",
    "remote_execution_queue_time_threshold_s",
    "remote_execution_resource_units",
    "priority",
    "use_limited_hybrid",
    "allow_limited_hybrid_fallbacks",
    "allow_hybrid_fallbacks_on_failure",
    "experimental_low_pass_filter",
    "use_windows_path_separators",
    "use_persistent_workers",
    "use_bazel_protocol_remote_persistent_workers",
    "allow_cache_uploads",
    "max_cache_upload_mebibytes",
    "remote_output_paths",
    "network_access",
    "remote_execution_dependencies",
    "remote_execution_gang_workers",
    "remote_execution_dynamic_image",
    "remote_execution_custom_image",
    "meta_internal_extra_params",
];

const OUTPUT_PATHS: &[&str] = &["strict", "compatibility", "output_paths"];
const NETWORK_ACCESS: &[&str] = &["all", "none", "loopback", "strict", "private"];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Str(_) => "a string",
        Value::Int(_) => "an int",
        Value::Bool(_) => "a bool",
        Value::None => "None",
        Value::List(_) => "a list",
        Value::Dict(_) => "a dict",
        Value::Select(_) => "a select()",
        Value::Unknown => "unknown",
    }
}

impl Check for ReExecutorConfigInvalid {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let mut out = Findings::new(cx.files);
        for site in &p.exec().executors {
            let call = &site.call;
            let callee = site.callee_span();
            let splat = call.has_kwargs_splat();
            // Positional and unknown keyword arguments.
            for a in &call.args {
                match a.kind {
                    ArgKind::Positional | ArgKind::Args => {
                        out.add(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                Span {
                                    file: site.file,
                                    start: a.span.start,
                                    end: a.span.end,
                                },
                                "`CommandExecutorConfig` takes only keyword arguments; Buck2 rejects this positional argument",
                            )
                            .with_help("write every argument as `name = value`"),
                        );
                    }
                    ArgKind::Named => {
                        let Some(name) = a.name.as_deref() else { continue };
                        if KNOWN_KWARGS.contains(&name) {
                            continue;
                        }
                        let hint = did_you_mean(name, KNOWN_KWARGS.iter().copied());
                        let help = if hint.is_empty() {
                            "remove it; `CommandExecutorConfig` does not accept it".to_string()
                        } else {
                            format!("remove it or fix the spelling{hint}")
                        };
                        out.add(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                crate::rules::util::span(site.file, &a.name_span()),
                                format!(
                                    "`{name}` is not an argument of `CommandExecutorConfig`; Buck2 fails at analysis"
                                ),
                            )
                            .with_label("unknown keyword")
                            .with_help(help),
                        );
                    }
                    ArgKind::KwArgs => {}
                }
            }
            // Required arguments.
            if !splat {
                for req in ["local_enabled", "remote_enabled"] {
                    if call.kwarg(req).is_none() {
                        out.add(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                callee,
                                format!("`CommandExecutorConfig` is missing the required argument `{req}`; Buck2 fails at analysis"),
                            )
                            .with_label(format!("no `{req}`"))
                            .with_help(format!("add `{req} = True` or `{req} = False`")),
                        );
                    }
                }
            }
            let remote_on = site.arg(p, "remote_enabled").and_then(|v| v.as_bool()) == Some(true);
            if remote_on {
                let re_span = site.arg_span("remote_enabled");
                for (req, help) in [
                    (
                        "remote_execution_properties",
                        "add `remote_execution_properties = {...}` with the platform properties your workers match, e.g. `\"OSFamily\"` and `\"container-image\"`",
                    ),
                    ("remote_execution_use_case", "add `remote_execution_use_case = \"buck2-default\"`"),
                ] {
                    let value = site.arg(p, req);
                    let missing = call.kwarg(req).is_none() && !splat;
                    let none = value.as_ref().is_some_and(|v| v.value == Value::None);
                    if !missing && !none {
                        continue;
                    }
                    let mut d = if missing {
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            callee,
                            format!("remote execution is enabled but `{req}` is not set; Buck2 fails at analysis (\"expected `{req}` to be set\")"),
                        )
                        .with_label(format!("no `{req}`"))
                    } else {
                        let v = value.as_ref().unwrap();
                        let origin = v.origin.or_else(|| arg_value_span(site, req)).unwrap_or(callee);
                        with_use(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                origin,
                                format!(
                                    "remote execution is enabled but `{req}` is `None`; Buck2 fails at analysis (\"expected `{req}` to be set\")"
                                ),
                            ),
                            origin,
                            site.arg_span(req),
                            "used by this executor",
                        )
                    };
                    if let Some(r) = re_span {
                        d = d.with_related(r, "remote execution enabled here");
                    }
                    d = d.with_help(help);
                    if missing && req == "remote_execution_use_case" {
                        if let Some(text) = cx.files.text(site.file) {
                            d = d.with_fix(Fix {
                                applicability: Applicability::Safe,
                                description: "Insert `remote_execution_use_case = \"buck2-default\"`".into(),
                                edits: vec![insert_kwarg(
                                    site.file,
                                    &text,
                                    call,
                                    "remote_execution_use_case = \"buck2-default\"",
                                )],
                            });
                        }
                    }
                    out.add(d);
                }
            }
            // Enumerated string values.
            for (kw, allowed) in [("remote_output_paths", OUTPUT_PATHS), ("network_access", NETWORK_ACCESS)] {
                let Some(v) = site.arg(p, kw) else { continue };
                for (_, alt) in v.alternatives() {
                    let (Some(s), Some(origin)) = (alt.as_str(), alt.origin) else { continue };
                    if allowed.contains(&s) {
                        continue;
                    }
                    let list: Vec<String> = allowed.iter().map(|a| format!("`\"{a}\"`")).collect();
                    let d = Diagnostic::new(
                        ID,
                        Severity::Error,
                        origin,
                        format!("`{kw} = \"{s}\"` is not one of {}; Buck2 fails at analysis", list.join(", ")),
                    )
                    .with_help(format!(
                        "use one of {}{}",
                        list.join(", "),
                        did_you_mean(s, allowed.iter().copied())
                    ));
                    out.add(with_use(d, origin, site.arg_span(kw), "used by this executor"));
                }
            }
            // remote_execution_properties must be a dict.
            if let Some(v) = site.arg(p, "remote_execution_properties") {
                for (_, alt) in v.alternatives() {
                    if matches!(alt.value, Value::Dict(_) | Value::None | Value::Unknown | Value::Select(_)) {
                        continue;
                    }
                    let Some(origin) = alt.origin else { continue };
                    let d = Diagnostic::new(
                        ID,
                        Severity::Error,
                        origin,
                        format!(
                            "`remote_execution_properties` is {}, not a dict; Buck2 fails at analysis",
                            type_name(&alt.value)
                        ),
                    )
                    .with_help("write the platform properties as a dict, e.g. `{\"OSFamily\": \"Linux\", \"container-image\": \"docker://…\"}`");
                    out.add(with_use(d, origin, site.arg_span("remote_execution_properties"), "used by this executor"));
                }
            }
        }
        out.flush(sink);
    }
}
