//! `re-full-hybrid-racing` (R07): a hybrid executor that races local against remote execution.
//!
//! A `CommandExecutorConfig(...)` where neither `local_enabled` nor `remote_enabled` is literal
//! `False` and `use_limited_hybrid` is absent or literal `False` runs at hybrid level *Full*:
//! every action runs both locally and remotely and the first result wins. The metadata (hollow
//! rlib) and codegen actions of one crate can then run on different machines, in different
//! directories, which turns any path-dependent output into a crate-hash mismatch. Every Buck2
//! remote-execution example sets `use_limited_hybrid = True`.
//!
//! Test executors (an `executor_overrides`/`default_executor` of a test provider) are left
//! alone: Buck2 runs only the test there, never a crate's build actions.
//!
//! Example: `CommandExecutorConfig(local_enabled = True, remote_enabled = True,
//! use_limited_hybrid = False, ...)`. The finding sits on the `use_limited_hybrid` value when it
//! is written, else on the `CommandExecutorConfig` callee. Fix (unsafe, it changes scheduling):
//! replace the `False` where it is written with `True`, or insert `use_limited_hybrid = True`.
use super::{Findings, arg_value_span, full_hybrid, with_use};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::util::insert_kwarg;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    ReFullHybridRacing {
        id: "re-full-hybrid-racing",
        code: Some("R07"),
        category: RemoteExecution,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

const HELP: &str = "set `use_limited_hybrid = True` so only the preferred executor runs each action, as every Buck2 remote-execution example does";

impl Check for ReFullHybridRacing {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let mut out = Findings::new(cx.files);
        for site in &p.exec().executors {
            // a test executor runs the test, not the crates' build actions
            if site.test_executor || !full_hybrid(p, site) {
                continue;
            }
            let d = match (site.arg(p, "use_limited_hybrid"), arg_value_span(site, "use_limited_hybrid")) {
                (Some(v), Some(value_span)) => {
                    let origin = v.origin.unwrap_or(value_span);
                    let d = Diagnostic::new(
                        ID,
                        Severity::Warning,
                        origin,
                        "`use_limited_hybrid = False` with both executors enabled races every action locally and remotely, so one crate's metadata and codegen actions can run on different machines",
                    )
                    .with_label("hybrid level Full");
                    // Rewrite the `False` where it is written (the kwarg, a constant or the BUCK
                    // attribute), else the kwarg's value expression.
                    let at_origin = cx
                        .files
                        .text(origin.file)
                        .is_some_and(|t| t.get(origin.start as usize..origin.end as usize) == Some("False"));
                    let literal = |s: Span| {
                        cx.files.text(s.file).is_some_and(|t| t.get(s.start as usize..s.end as usize) == Some("False"))
                    };
                    let mut d = with_use(d, origin, site.arg_span("use_limited_hybrid"), "used by this executor");
                    // a value computed for one platform (from its attributes): name that platform
                    if let (None, Some(ti)) = (v.origin, site.instance) {
                        let t = &p.targets[ti];
                        d = d.with_related(t.name_span(), format!("for the platform `{}` declared here", p.name(t)));
                    }
                    // rewrite only a `False` that is written somewhere; a computed value is the
                    // author's to change
                    let span = if at_origin { Some(origin) } else { Some(value_span).filter(|s| literal(*s)) };
                    match span {
                        Some(span) => d.with_fix(Fix {
                            applicability: Applicability::Unsafe,
                            description: "Set `use_limited_hybrid = True`".into(),
                            edits: vec![Edit { span, content: "True".into() }],
                        }),
                        None => d,
                    }
                }
                _ => {
                    let mut d = Diagnostic::new(
                        ID,
                        Severity::Warning,
                        site.callee_span(),
                        "`CommandExecutorConfig` enables both local and remote execution without `use_limited_hybrid = True`, so every action races locally and remotely and one crate's metadata and codegen actions can run on different machines",
                    )
                    .with_label("hybrid level Full");
                    if let Some(text) = cx.files.text(site.file) {
                        d = d.with_fix(Fix {
                            applicability: Applicability::Unsafe,
                            description: "Insert `use_limited_hybrid = True`".into(),
                            edits: vec![insert_kwarg(site.file, &text, &site.call, "use_limited_hybrid = True")],
                        });
                    }
                    d
                }
            };
            out.add(d.with_help(HELP));
        }
        out.flush(sink);
    }
}
