//! `re-exec-platform-host-derived` (R12): a remote execution platform that claims the
//! developer's OS and CPU.
//!
//! Fires when a BUCK instantiation of an execution-platform rule passes
//! `host_configuration.cpu` / `.os` (loaded from `@prelude//platforms/defs.bzl`) in its
//! attributes, or the rule's implementation calls `host_info()`, and the executor it returns
//! has `remote_enabled` literally `True` (not an expression that turns RE off on non-Linux
//! hosts). Remote actions run in a Linux container, but build scripts and proc macros are
//! configured for the execution platform, so on a macOS or arm64 laptop they are built for the
//! wrong platform, or for a mix of platforms in hybrid mode. The Buck2 team recommends explicit
//! execution-platform constraints (https://github.com/facebook/buck2/issues/612).
//!
//! Example: `execution_platform(name = "host", cpu_configuration = host_configuration.cpu,
//! os_configuration = host_configuration.os)` whose rule builds
//! `CommandExecutorConfig(remote_enabled = True, ...)`. The finding sits on the first
//! host-derived attribute value in BUCK (or on the `host_info()` call in the `.bzl`), with
//! related spans on the other host-derived values and on the executor's `remote_enabled`.
//! Silent when every `[buck2_re_client]` address of the root `.buckconfig` is this machine
//! (loopback, a Unix socket): a local runner shares the host's OS and CPU. No fix.
use super::{Findings, is_true};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::model::exec::{reachable_defs, resolve_rule, rule_impls};
use crate::model::ir::{Call, Expr, ExprKind, Module, walk_calls};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    ReExecPlatformHostDerived {
        id: "re-exec-platform-host-derived",
        code: Some("R12"),
        category: RemoteExecution,
        severity: Warning,
        default: true,
        fix: None,
    }
}

const HELP: &str = "give the remote platform fixed constraints that describe the worker image (`prelude//os:linux`, `prelude//cpu:x86_64`), and keep host-derived platforms local-only (`remote_enabled = False`)";

/// Is this `load()` path the prelude's `platforms/defs.bzl`?
fn is_prelude_platform_defs(p: &Project, path: &str) -> bool {
    let s = path.strip_prefix('@').unwrap_or(path);
    let Some((cell, rest)) = s.split_once("//") else { return false };
    p.canonical_cell(cell) == "prelude" && rest.replace(':', "/") == "platforms/defs.bzl"
}

/// Local names bound to the prelude's `host_configuration` in a module.
fn host_configuration_names(p: &Project, m: &Module) -> Vec<String> {
    m.loads
        .iter()
        .filter(|l| is_prelude_platform_defs(p, &l.module))
        .flat_map(|l| l.symbols.iter().filter(|s| s.their == "host_configuration").map(|s| s.local.clone()))
        .collect()
}

/// Spans of `host_configuration.cpu` / `.os` inside `e`, following module constants.
fn host_uses(e: &Expr, names: &[String], m: &Module, depth: u32, out: &mut Vec<(std::ops::Range<u32>, String)>) {
    if depth > 8 {
        return;
    }
    let go = |x: &Expr, out: &mut Vec<_>| host_uses(x, names, m, depth + 1, out);
    match &e.kind {
        ExprKind::Dot(inner, attr) => {
            if let ExprKind::Ident(n) = &inner.kind {
                if names.iter().any(|x| **x == **n) && (&**attr == "cpu" || &**attr == "os") {
                    out.push((e.span.clone(), format!("{n}.{attr}")));
                    return;
                }
            }
            go(inner, out)
        }
        ExprKind::Ident(n) => {
            if let Some(g) = m.global(n) {
                go(&g.value, out)
            }
        }
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().for_each(|x| go(x, out)),
        ExprKind::FString(fs) => fs.1.iter().for_each(|x| go(x, out)),
        ExprKind::Dict(v) => v.iter().for_each(|(_, x)| go(x, out)),
        ExprKind::Bin(b) => {
            go(&b.0, out);
            go(&b.2, out)
        }
        ExprKind::Index(a, b) => {
            go(a, out);
            go(b, out)
        }
        ExprKind::Call(c) => c.args.iter().for_each(|a| go(&a.value, out)),
        _ => {}
    }
}

/// `host_info()` calls in the implementation of the rule a BUCK callee names.
fn host_info_calls(p: &Project, buck_file: FileId, rule: &str) -> Vec<Span> {
    let Some((bzl, rule_name)) = resolve_rule(p, buck_file, rule) else { return Vec::new() };
    let Some(m) = p.module_of(bzl) else { return Vec::new() };
    let Some(impl_name) = rule_impls(m).get(&rule_name).cloned() else { return Vec::new() };
    let Some(f) = m.def(&impl_name) else { return Vec::new() };
    let mut out = Vec::new();
    for d in reachable_defs(m, f) {
        for e in &d.exprs {
            walk_calls(e, &mut |c: &Call| {
                if c.callee_name().as_deref() == Some("host_info") {
                    let s = Span { file: bzl, start: c.span.start, end: c.span.end };
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            });
        }
    }
    out
}

impl Check for ReExecPlatformHostDerived {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        // workers on this machine share its OS and CPU: host-derived constraints are right
        if p.exec().local_endpoint.is_some() {
            return;
        }
        let mut out = Findings::new(cx.files);
        for site in &p.exec().executors {
            let Some(ti) = site.instance else { continue };
            if !is_true(p, site, "remote_enabled") {
                continue;
            }
            let t = &p.targets[ti];
            let Some(tm) = p.module_of(t.file) else { continue };
            let remote = site.arg_span("remote_enabled").unwrap_or_else(|| site.callee_span());
            let remote_origin = site.arg(p, "remote_enabled").and_then(|v| v.origin);

            // Host-derived attributes in the BUCK instantiation.
            let names = host_configuration_names(p, tm);
            let mut uses = Vec::new();
            if !names.is_empty() {
                for a in p.call_of(t).args() {
                    host_uses(&a.value().to_expr(), &names, tm, 0, &mut uses);
                }
            }
            uses.sort_by_key(|(r, _)| r.start);
            uses.dedup_by(|a, b| a.0 == b.0);
            if let Some(((first, what), rest)) = uses.split_first() {
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Warning,
                    Span {
                        file: t.file,
                        start: first.start,
                        end: first.end,
                    },
                    format!(
                        "execution platform `{}` takes its constraints from `{what}`, the machine running Buck2, but its executor runs actions remotely in the workers' container",
                        p.name(t)
                    ),
                )
                .with_label("the developer's machine, not the RE worker");
                for (r, w) in rest {
                    d = d.with_related(
                        Span { file: t.file, start: r.start, end: r.end },
                        format!("also host-derived: `{w}`"),
                    );
                }
                d = d.with_related(remote, "the executor has `remote_enabled = True`");
                if let Some(o) = remote_origin.filter(|o| !super::within(*o, remote)) {
                    d = d.with_related(o, "`remote_enabled = True` is set here");
                }
                out.add(d.with_help(HELP));
            }

            // host_info() in the rule implementation.
            for call in host_info_calls(p, t.file, &t.rule) {
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Warning,
                    call,
                    format!(
                        "execution platform rule `{}` derives its constraints from `host_info()`, the machine running Buck2, but its executor runs actions remotely in the workers' container",
                        t.rule
                    ),
                )
                .with_label("the developer's machine, not the RE worker")
                .with_related(t.name_span(), format!("instantiated as `{}`", p.name(t)));
                d = d.with_related(remote, "the executor has `remote_enabled = True`");
                out.add(d.with_help(HELP));
            }
        }
        out.flush(sink);
    }
}
