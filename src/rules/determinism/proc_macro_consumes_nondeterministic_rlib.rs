//! `proc-macro-consumes-nondeterministic-rlib` (R02): a linked crate (proc macro, binary,
//! test, dylib/cdylib) transitively depends on a crate that R01 flags.
//!
//! Linked crate types are the first to consume the real rlibs of their whole dependency
//! tree, while their dependencies were compiled against hollow rlibs; with a mismatching
//! crate hash the build fails here, naming an innocent crate (E0463 "can't find crate for
//! `pyo3_macros_backend`"). The finding prints the chain, one related span per hop, and is
//! an error when RE and pipelining are both on, info otherwise. Only the nearest linked
//! crate is reported.
use crate::rules::registry::declare_rule;
use std::collections::{HashMap, VecDeque};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::rules::util::{is_rust_binary_rule, span};
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

use super::{flagged_crates, is_rust_lib};

declare_rule! {
    ProcMacroConsumesNondeterministicRlib {
        id: "proc-macro-consumes-nondeterministic-rlib",
        code: Some("R02"),
        category: Determinism,
        severity: Error,
        default: true,
        fix: None,
    }
}

fn is_linked(p: &Project, settings: &crate::config::Settings, ti: usize) -> Option<&'static str> {
    let t = &p.targets[ti];
    if is_rust_binary_rule(&t.rule) {
        return Some("binary");
    }
    if is_rust_lib(p, settings, &t.rule) {
        let c = p.call_of(t);
        if c.is_literal_true("proc_macro") {
            return Some("proc macro");
        }
        if let Some(ct) = p.attr(t, "crate_type").and_then(|v| v.as_str().map(String::from)) {
            if ct == "cdylib" || ct == "dylib" {
                return Some("dynamic library");
            }
        }
    }
    None
}

/// Direct deps of a target: (dep target index, span of the dep literal). Aliases are followed.
fn deps_of(p: &Project, ti: usize) -> Vec<(usize, Span)> {
    let t = &p.targets[ti];
    let call = p.call_of(t);
    let mut out = Vec::new();
    for arg in call.kwargs(["deps", "named_deps"]) {
        let Some(arg) = arg else { continue };
        for (s, lit) in arg.value().string_literals() {
            let Some(l) = p.resolve_label(t, s) else { continue };
            let Some(mut di) = p.target(&l) else { continue };
            // follow `alias(actual = ...)`
            for _ in 0..4 {
                let dt = &p.targets[di];
                if &*dt.rule != "alias" {
                    break;
                }
                let Some(next) = p.attr(dt, "actual").and_then(|v| v.as_str().and_then(|a| p.resolve_label(dt, a)))
                else {
                    break;
                };
                match p.target(&next) {
                    Some(n) => di = n,
                    None => break,
                }
            }
            out.push((di, span(t.file, &lit)));
        }
    }
    out
}

impl Check for ProcMacroConsumesNondeterministicRlib {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let flagged = flagged_crates(p, cx.settings);
        if flagged.is_empty() {
            return;
        }
        let by_target: HashMap<usize, &super::Flagged> = flagged.iter().map(|f| (f.target, f)).collect();
        let ex = p.exec();
        let full = ex.re_enabled() && ex.pipelining_on();
        for (ti, t) in p.targets.iter().enumerate() {
            let Some(kind) = is_linked(p, cx.settings, ti) else { continue };
            if !cx.files.get(t.file).reported {
                continue;
            }
            // BFS through non-linked libraries to the nearest flagged crate.
            let mut prev: HashMap<usize, (usize, Span)> = HashMap::new();
            let mut queue = VecDeque::from([ti]);
            let mut found = None;
            while let Some(cur) = queue.pop_front() {
                if cur != ti && by_target.contains_key(&cur) {
                    found = Some(cur);
                    break;
                }
                if cur != ti && is_linked(p, cx.settings, cur).is_some() {
                    continue;
                }
                for (d, s) in deps_of(p, cur) {
                    if d != ti && !prev.contains_key(&d) {
                        prev.insert(d, (cur, s));
                        queue.push_back(d);
                    }
                }
            }
            let Some(end) = found else { continue };
            let mut hops = Vec::new();
            let mut cur = end;
            while cur != ti {
                let (from, s) = prev[&cur];
                hops.push((from, cur, s));
                cur = from;
            }
            hops.reverse();
            let crate_of = |i: usize| {
                let n = &p.name(&p.targets[i]);
                crate::rules::util::split_versioned(n).map(|(c, _)| c.to_string()).unwrap_or_else(|| n.to_string())
            };
            let chain: Vec<String> =
                std::iter::once(crate_of(ti)).chain(hops.iter().map(|(_, to, _)| crate_of(*to))).collect();
            let f = by_target[&end];
            let severity = if full && f.level == Severity::Error { Severity::Error } else { Severity::Info };
            let context = if full {
                "under remote execution with pipelining, expect `error[E0460]`/`error[E0463]: can't find crate` here"
            } else {
                "this fails with E0460/E0463 as soon as remote execution and pipelining are both on"
            };
            let mut d = Diagnostic::new(
                ID,
                severity,
                t.name_span(),
                format!(
                    "{kind} `{}` links the nondeterministic rlib of {} {} through {}; {context}",
                    p.name(t),
                    f.package,
                    f.version,
                    chain.join(" → ")
                ),
            )
            .with_label("first linked crate that consumes the real rlibs");
            for (from, to, s) in &hops {
                d = d.with_related(
                    *s,
                    format!("`{}` depends on `{}`", p.name(&p.targets[*from]), p.name(&p.targets[*to])),
                );
            }
            d = d.with_related(
                p.targets[end].name_span(),
                format!(
                    "{} compiles `env!(\"{}\")` into its code (see pipelined-nondeterministic-crate)",
                    f.package, f.env_key
                ),
            );
            if let Some(s) = f.source_span {
                d = d.with_related(s, format!("the path is compiled in here ({} {})", f.package, f.version));
            }
            d = d.with_help(if f.package == "pyo3-build-config" {
                "the crate named in the compiler error is innocent: fix pyo3-build-config (upgrade PyO3 to 0.29 or later), or turn pipelining off with `nightly_features = False` on the Rust toolchain".to_string()
            } else {
                format!("the crate named in the compiler error is innocent: fix `{}` (see pipelined-nondeterministic-crate)", f.package)
            });
            sink.push(d);
        }
    }
}
