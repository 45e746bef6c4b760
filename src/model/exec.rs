//! Execution facts: where `CommandExecutorConfig(...)` is built, which execution platforms the
//! build uses, whether the repository is RE-enabled (buck2-facts.md §2.1), and whether Rust
//! pipelining is on (§1.6).

use std::collections::HashMap;

use super::ir::{Call, FnDef, Module, walk_calls};
use super::value::{self, ModuleLookup, Scope, Val, Value};
use super::{Facts, Project};
use crate::source::{FileId, FileKind, Span};

/// One `CommandExecutorConfig(...)` call, possibly evaluated for one rule instance.
#[derive(Debug, Clone)]
pub struct ExecutorSite {
    pub file: FileId,
    /// The function containing the call.
    pub function: Option<String>,
    pub call: Call,
    /// `ctx.attrs` of the BUCK instantiation this evaluation is for.
    pub attrs: Option<HashMap<String, Val>>,
    /// The BUCK target that instantiates the platform rule, if known.
    pub instance: Option<usize>,
    /// Parameters of the helper function containing the call, bound from the call site in the
    /// rule implementation (`_executor(image = _IMAGE)`); `None` when not bound.
    pub bindings: Option<HashMap<String, Val>>,
    /// A test executor: the call is written in, or its function is called from, the
    /// `executor_overrides`/`default_executor` argument of a test provider
    /// (`ExternalRunnerTestInfo`). Buck2 runs only the test itself there, never a build
    /// action, so rules about how crates are built do not apply.
    pub test_executor: bool,
}

impl ExecutorSite {
    pub fn callee_span(&self) -> Span {
        Span { file: self.file, start: self.call.func.span.start, end: self.call.func.span.end }
    }

    /// Evaluate a keyword argument; `None` when absent.
    pub fn arg(&self, project: &Project, name: &str) -> Option<Val> {
        let a = self.call.kwarg(name)?;
        let m = project.module_of(self.file)?;
        let f = self.function.as_deref().and_then(|n| m.def(n));
        let scope = Scope {
            file: self.file,
            module: m,
            function: f,
            bindings: self.bindings.as_ref(),
            attrs: self.attrs.as_ref(),
        };
        Some(value::eval(&a.value, &scope, project))
    }

    pub fn arg_span(&self, name: &str) -> Option<Span> {
        let a = self.call.kwarg(name)?;
        Some(Span { file: self.file, start: a.span.start, end: a.span.end })
    }

    /// Is `name` literally `False`? (Anything else, including unknown, is "not False".)
    pub fn is_literal_false(&self, project: &Project, name: &str) -> bool {
        self.arg(project, name).and_then(|v| v.as_bool()) == Some(false)
    }

    pub fn remote_enabled(&self, project: &Project) -> bool {
        self.call.kwarg("remote_enabled").is_some() && !self.is_literal_false(project, "remote_enabled")
    }

    pub fn local_enabled(&self, project: &Project) -> bool {
        !self.is_literal_false(project, "local_enabled")
    }
}

#[derive(Debug, Clone)]
pub struct Pipelining {
    pub on: bool,
    /// A Rust toolchain definition that leaves `nightly_features` on.
    pub toolchain_without_switch: Option<Span>,
    /// No Rust toolchain definition was found at all.
    pub no_toolchain_found: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ExecFacts {
    pub executors: Vec<ExecutorSite>,
    /// Executors reachable from `[build] execution_platforms` (indices into `executors`).
    pub used: Vec<usize>,
    /// Where RE is enabled: the `remote_enabled` value (or callee) of an RE executor.
    pub re_evidence: Option<Span>,
    /// The `[build] execution_platforms` value, when it resolved.
    pub platforms_key: Option<Span>,
    /// Every address of the root `.buckconfig`'s `[buck2_re_client]` is this machine
    /// (loopback, a Unix socket): the "remote" workers are a local runner (a sandbox or a
    /// NativeLink/Buildbarn instance on the developer's machine). The first such address.
    pub local_endpoint: Option<Span>,
    /// The RE provider evident from the `[buck2_re_client]` addresses (a host name that
    /// names it: `*.buildbuddy.io`, `*.engflow.com`, `buildbarn.*`, `nativelink.*`).
    pub provider: Option<&'static str>,
    pub pipelining: Option<Pipelining>,
}

impl ExecFacts {
    pub fn re_enabled(&self) -> bool {
        self.re_evidence.is_some()
    }
    pub fn pipelining_on(&self) -> bool {
        self.pipelining.as_ref().is_none_or(|p| p.on)
    }
}

/// Is the call's callee `name` or `<anything>.name`? (No allocation: this runs on every call
/// of every module.)
fn callee_is(c: &Call, name: &str) -> bool {
    match &c.func.kind {
        super::ir::ExprKind::Ident(s) => s == name,
        super::ir::ExprKind::Dot(_, attr) => &**attr == name,
        _ => false,
    }
}

/// Rule definitions `X = rule(impl = f, ...)` in a module: name → impl function name.
pub fn rule_impls(m: &Module) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for g in &m.globals {
        if let super::ir::ExprKind::Call(c) = &g.value.kind {
            if callee_is(c, "rule") {
                if let Some(a) = c.kwarg("impl") {
                    if let super::ir::ExprKind::Ident(f) = &a.value.kind {
                        out.insert(g.name.clone(), f.to_string());
                    }
                }
            }
        }
    }
    out
}

/// Functions reachable from `f` in the same module (one level of helper calls, transitively
/// up to a small bound).
pub fn reachable_defs<'m>(m: &'m Module, f: &'m FnDef) -> Vec<&'m FnDef> {
    let mut out = vec![f];
    let mut i = 0;
    while i < out.len() && out.len() < 16 {
        let cur = out[i];
        for e in &cur.exprs {
            walk_calls(e, &mut |c| {
                if let Some(n) = c.callee_name() {
                    if let Some(d) = m.def(&n) {
                        if !out.iter().any(|x| std::ptr::eq(*x, d)) {
                            out.push(d);
                        }
                    }
                }
            });
        }
        i += 1;
    }
    out
}

/// The `kwarg` names of test providers that take executors only tests run on.
const TEST_EXECUTOR_KWARGS: [&str; 2] = ["executor_overrides", "default_executor"];

/// Where a module's test executors are written: the spans of the values of
/// [`TEST_EXECUTOR_KWARGS`] arguments, and the names of the functions called inside them
/// (`executor_overrides = _compute_executor_overrides(ctx)`).
fn test_executor_scopes(m: &super::ir::Module) -> (Vec<std::ops::Range<u32>>, Vec<String>) {
    let (mut spans, mut fns) = (Vec::new(), Vec::new());
    for d in &m.defs {
        for e in &d.exprs {
            walk_calls(e, &mut |c| {
                for k in TEST_EXECUTOR_KWARGS {
                    let Some(a) = c.kwarg(k) else { continue };
                    spans.push(a.value.span.start..a.value.span.end);
                    walk_calls(&a.value, &mut |inner| {
                        fns.extend(inner.callee_name());
                    });
                }
            });
        }
    }
    (spans, fns)
}

pub fn compute(project: &Project) -> ExecFacts {
    let mut facts = ExecFacts::default();
    // 1. every CommandExecutorConfig call in .bzl functions, generic (no attrs)
    let mut generic: Vec<ExecutorSite> = Vec::new();
    for (id, m) in project.modules() {
        let mut scopes = None;
        for d in &m.defs {
            for e in &d.exprs {
                walk_calls(e, &mut |c| {
                    if callee_is(c, "CommandExecutorConfig") {
                        let (spans, fns) = scopes.get_or_insert_with(|| test_executor_scopes(m));
                        let test_executor = fns.contains(&d.name)
                            || spans.iter().any(|r| r.start <= c.span.start && c.span.end <= r.end);
                        generic.push(ExecutorSite {
                            file: id,
                            function: Some(d.name.clone()),
                            call: c.clone(),
                            attrs: None,
                            instance: None,
                            bindings: None,
                            test_executor,
                        });
                    }
                });
            }
        }
        for c in &m.calls {
            let call_expr =
                super::ir::Expr { span: c.span.clone(), kind: super::ir::ExprKind::Call(Box::new(c.clone())) };
            walk_calls(&call_expr, &mut |c| {
                if callee_is(c, "CommandExecutorConfig") {
                    generic.push(ExecutorSite {
                        file: id,
                        function: None,
                        call: c.clone(),
                        attrs: None,
                        instance: None,
                        bindings: None,
                        test_executor: false,
                    });
                }
            });
        }
    }
    // 2. specialise executors in rule impls per BUCK instantiation (ctx.attrs bindings)
    let mut executors: Vec<ExecutorSite> = Vec::new();
    let mut specialised_fns: Vec<(FileId, String)> = Vec::new();
    // many targets share a rule: its implementation, the functions it reaches and their
    // executor sites are worked out once per (.bzl, rule)
    struct RuleSites {
        impl_name: String,
        reach: Vec<String>,
        sites: Vec<usize>,
    }
    let mut by_rule: HashMap<(FileId, String), Option<RuleSites>> = HashMap::new();
    let mut impls_of: HashMap<FileId, HashMap<String, String>> = HashMap::new();
    for (ti, t) in project.targets.iter().enumerate() {
        // a target a macro declared: the rule and attributes the evaluation saw
        let evaluated = project.loaded.declared_by_macro(project, ti);
        let resolved = evaluated
            .and_then(|e| e.via.and_then(|v| resolve_rule(project, v.file, &e.kind)))
            .or_else(|| resolve_rule(project, t.file, &t.rule));
        let Some((bzl, rule_name)) = resolved else { continue };
        let Some(m) = project.module_of(bzl) else { continue };
        let entry = by_rule.entry((bzl, rule_name)).or_insert_with_key(|(_, rule_name)| {
            let impls = impls_of.entry(bzl).or_insert_with(|| rule_impls(m));
            let impl_name = impls.get(rule_name)?.clone();
            let f = m.def(&impl_name)?;
            let reach: Vec<String> = reachable_defs(m, f).iter().map(|d| d.name.clone()).collect();
            let sites: Vec<usize> = generic
                .iter()
                .enumerate()
                .filter(|(_, s)| s.file == bzl && s.function.as_ref().is_some_and(|n| reach.contains(n)))
                .map(|(i, _)| i)
                .collect();
            Some(RuleSites { impl_name, reach, sites })
        });
        let Some(RuleSites { impl_name, reach, sites }) = entry.as_ref() else { continue };
        if sites.is_empty() {
            continue;
        }
        let sites: Vec<&ExecutorSite> = sites.iter().map(|&i| &generic[i]).collect();
        let call = project.call_of(t);
        let tm = project.module_of(t.file).unwrap();
        let mut attrs = HashMap::new();
        if let Some(e) = evaluated {
            for (k, v) in &e.attrs {
                attrs.insert(k.clone(), super::loading::attr_val(project, e.call, v));
            }
        }
        for a in call.args().into_iter().filter(|_| evaluated.is_none()) {
            let v = || value::eval(&a.value().to_expr(), &Scope::module(t.file, tm), project);
            if let Some(n) = a.name() {
                attrs.insert(n.to_string(), v());
            } else if a.kind() == super::ir::ArgKind::KwArgs {
                // `**COMMON`: a dict of attributes written elsewhere
                if let Value::Dict(items) = v().value {
                    for (k, val) in items {
                        if let Some(k) = k.as_str() {
                            attrs.insert(k.to_string(), val);
                        }
                    }
                }
            }
        }
        for s in sites {
            specialised_fns.push((s.file, s.function.clone().unwrap_or_default()));
            for bindings in helper_bindings(project, bzl, m, impl_name, reach, s, &attrs) {
                executors.push(ExecutorSite { attrs: Some(attrs.clone()), instance: Some(ti), bindings, ..s.clone() });
            }
        }
    }
    // Generic sites not specialised by any instantiation stay as they are.
    for s in generic {
        let key = (s.file, s.function.clone().unwrap_or_default());
        if !executors.iter().any(|e| e.file == key.0 && e.call.span == s.call.span) {
            let _ = &specialised_fns;
            executors.push(s);
        }
    }
    facts.executors = executors;

    // 3. which executors does the build use?
    if let Some((cfg_id, e)) = project.config_entry("build", "execution_platforms") {
        facts.platforms_key = Some(Span::new(cfg_id, e.value_span.clone()));
        let root_cell = project.cells.root_cell.clone();
        if let Some(l) = super::label::Label::parse(&e.value, &root_cell, "") {
            let mut l = l;
            l.cell = project.canonical_cell(&l.cell);
            if let Some(ti) = project.target(&l) {
                facts.used = reachable_instances(project, ti)
                    .into_iter()
                    .flat_map(|t| {
                        facts.executors.iter().enumerate().filter(move |(_, s)| s.instance == Some(t)).map(|(i, _)| i)
                    })
                    .collect();
            }
        }
    }
    // Only the executors of the execution platforms the build uses are evidence: executor
    // configurations elsewhere (a vendored prelude's test-runner overrides, an unused
    // platform) say nothing about where this repository's actions run. No resolved
    // `[build] execution_platforms`, no evidence.
    for &i in &facts.used {
        let s = &facts.executors[i];
        if s.remote_enabled(project) {
            facts.re_evidence = Some(
                s.call
                    .kwarg("remote_enabled")
                    .map(|a| Span { file: s.file, start: a.span.start, end: a.span.end })
                    .unwrap_or_else(|| s.callee_span()),
            );
            break;
        }
    }
    facts.pipelining = Some(pipelining(project));
    facts.local_endpoint = local_endpoint(project);
    facts.provider = provider(project);
    facts
}

/// The provider that every `[buck2_re_client]` address names, if they agree on one.
fn provider(project: &Project) -> Option<&'static str> {
    let mut found = None;
    for (_, e) in RE_ADDRESS_KEYS.iter().filter_map(|k| project.config_entry("buck2_re_client", k)) {
        let v = e.value.to_ascii_lowercase();
        let p = ["buildbuddy", "engflow", "buildbarn", "nativelink"].into_iter().find(|p| v.contains(p))?;
        if found.is_some_and(|f| f != p) {
            return None;
        }
        found = Some(p);
    }
    found
}

/// The `[buck2_re_client]` address keys of Buck2's RE client.
const RE_ADDRESS_KEYS: &[&str] =
    &["address", "engine_address", "action_cache_address", "cas_address", "bytestream_address"];

/// The first RE address of the root configuration when every one of them is this machine.
fn local_endpoint(project: &Project) -> Option<Span> {
    let entries: Vec<_> = RE_ADDRESS_KEYS.iter().filter_map(|k| project.config_entry("buck2_re_client", k)).collect();
    let (id, first) = entries.first()?;
    entries.iter().all(|(_, e)| is_local_address(&e.value)).then(|| Span::new(*id, first.value_span.clone()))
}

/// `localhost:8980`, `grpc://127.0.0.1:8980`, `http://[::1]:50051`, `unix:///run/re.sock`.
pub fn is_local_address(addr: &str) -> bool {
    let a = addr.trim();
    if a.starts_with("unix:") {
        return true;
    }
    let rest = a.split_once("://").map_or(a, |(_, r)| r);
    let host = if let Some(v6) = rest.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        rest.split(['/', ':']).next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// When the executor call sits in a helper function with parameters (not the rule impl
/// itself), bind the parameters from each call of the helper in the functions reachable from
/// the impl: arguments are evaluated in the caller's scope with the instance's `ctx.attrs`,
/// missing ones take their defaults. One binding set per call site; `[None]` when there is
/// nothing to bind.
fn helper_bindings(
    project: &Project,
    file: FileId,
    m: &Module,
    impl_name: &str,
    reach: &[String],
    site: &ExecutorSite,
    attrs: &HashMap<String, Val>,
) -> Vec<Option<HashMap<String, Val>>> {
    let Some(helper) = site.function.as_deref().filter(|f| *f != impl_name).and_then(|f| m.def(f)) else {
        return vec![None];
    };
    if helper.params.is_empty() {
        return vec![None];
    }
    let mut out = Vec::new();
    for caller in reach.iter().filter(|n| n.as_str() != helper.name).filter_map(|n| m.def(n)) {
        let scope = Scope { file, module: m, function: Some(caller), bindings: None, attrs: Some(attrs) };
        for e in &caller.exprs {
            walk_calls(e, &mut |c| {
                if c.callee_name().as_deref() != Some(helper.name.as_str()) {
                    return;
                }
                let mut b = HashMap::new();
                let mut positional = helper.params.iter().filter(|p| p.kind == super::ir::ParamKind::Normal);
                // `*args` / `**kwargs` whose value is unknown: every parameter not bound
                // explicitly is unknown too (not its default)
                let mut opaque = false;
                for a in &c.args {
                    match a.kind {
                        super::ir::ArgKind::Positional => {
                            if let Some(p) = positional.next() {
                                b.insert(p.name.clone(), value::eval(&a.value, &scope, project));
                            }
                        }
                        super::ir::ArgKind::Named => {
                            if let Some(n) = &a.name {
                                b.insert(n.to_string(), value::eval(&a.value, &scope, project));
                            }
                        }
                        super::ir::ArgKind::Args => match value::eval(&a.value, &scope, project).value {
                            Value::List(items) => {
                                for v in items {
                                    if let Some(p) = positional.next() {
                                        b.insert(p.name.clone(), v);
                                    }
                                }
                            }
                            _ => opaque = true,
                        },
                        super::ir::ArgKind::KwArgs => match value::eval(&a.value, &scope, project).value {
                            Value::Dict(items) => {
                                for (k, v) in items {
                                    match k.as_str() {
                                        Some(k) => {
                                            b.insert(k.to_string(), v);
                                        }
                                        None => opaque = true,
                                    }
                                }
                            }
                            _ => opaque = true,
                        },
                    }
                }
                if opaque {
                    for p in &helper.params {
                        b.entry(p.name.clone()).or_insert_with(Val::unknown);
                    }
                }
                for p in &helper.params {
                    if let (false, Some(d)) = (b.contains_key(&p.name), &p.default) {
                        b.insert(p.name.clone(), value::eval(d, &Scope::module(file, m), project));
                    }
                }
                out.push(Some(b));
            });
        }
    }
    if out.is_empty() {
        out.push(None);
    }
    out
}

/// The target itself plus targets named by its `platforms` attribute (registration rules).
fn reachable_instances(project: &Project, ti: usize) -> Vec<usize> {
    let mut out = vec![ti];
    let t = &project.targets[ti];
    for attr in ["platforms", "platform", "actual"] {
        if let Some(v) = project.attr(t, attr) {
            for s in v.strings() {
                if let Some(l) = s.as_str().and_then(|s| project.resolve_label(t, s)) {
                    if let Some(x) = project.target(&l) {
                        if !out.contains(&x) {
                            out.push(x);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Resolve a callee name used in a BUCK file to (module file, global name) via `load()`.
pub fn resolve_rule(project: &Project, file: FileId, callee: &str) -> Option<(FileId, String)> {
    let m = project.module_of(file)?;
    let (head, tail) = match callee.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (callee, None),
    };
    for load in &m.loads {
        for sym in &load.symbols {
            if sym.local == head {
                let target = project.resolve_load(file, &load.module)?;
                return match tail {
                    None => Some((target, sym.their.clone())),
                    Some(_) => None,
                };
            }
        }
    }
    if m.global(head).is_some() || m.def(head).is_some() {
        return Some((file, head.to_string()));
    }
    None
}

fn pipelining(project: &Project) -> Pipelining {
    let mut found = 0usize;
    let mut without: Option<Span> = None;
    for (id, m) in project.modules() {
        let kind = project.kind_of(id);
        let mut visit = |c: &Call, function: Option<&FnDef>| {
            let is_info = callee_is(c, "RustToolchainInfo");
            let is_system = callee_is(c, "system_rust_toolchain") && kind != FileKind::Bzl;
            if !(is_info || is_system) {
                return;
            }
            found += 1;
            let off = match c.kwarg("nightly_features") {
                Some(a) => {
                    let scope = Scope { file: id, module: m, function, bindings: None, attrs: None };
                    value::eval(&a.value, &scope, project).value == Value::Bool(false)
                }
                None => false,
            };
            if !off && without.is_none() {
                without = Some(Span { file: id, start: c.func.span.start, end: c.func.span.end });
            }
        };
        for d in &m.defs {
            for e in &d.exprs {
                walk_calls(e, &mut |c| visit(c, Some(d)));
            }
        }
        for c in &m.calls {
            visit(c, None);
        }
    }
    let _ = Facts::Starlark;
    Pipelining {
        // no toolchain found: Buck2's defaults pipeline, unless the run did not look everywhere
        on: (found == 0 && !project.partial_context) || without.is_some(),
        toolchain_without_switch: without,
        no_toolchain_found: found == 0,
    }
}

#[allow(dead_code)]
fn _lookup_is_object_safe(_: &dyn ModuleLookup) {}

#[cfg(test)]
mod tests {
    #[test]
    fn local_addresses() {
        for a in ["localhost:8980", "grpc://127.0.0.1:8980", "http://[::1]:50051", "unix:///run/re.sock", "127.0.0.2:1"]
        {
            assert!(super::is_local_address(a), "{a}");
        }
        for a in ["bb.example.com:8980", "grpc://172.17.0.1:30051", "grpcs://remote.buildbuddy.io", "10.0.0.1:1"] {
            assert!(!super::is_local_address(a), "{a}");
        }
    }
}
