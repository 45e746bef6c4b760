//! The loading phase: what Buck2 would declare, known by evaluating build files.
//!
//! The project model reads build files by matching call shapes. That is exact for a call of a
//! prelude rule with literal arguments, and a guess for everything else: a call of the
//! project's own macro (which may declare `<name>-lib` and `<name>-image`, or route a
//! generated third-party target through two levels of shims), targets declared in `for` loops
//! and comprehensions. For such build files this phase does what Buck2's loading phase does:
//! it evaluates them with the [`super::eval`] evaluator (loads resolved through the project's
//! cells, prelude loads stubbed, `read_config` from the root `.buckconfig`), in parallel, with
//! per-file limits, and records every target declared.
//!
//! - Only build files the static reading is unsure of are evaluated ([`needs_evaluation`]); a
//!   generated BUCK file of prelude-rule calls costs nothing here.
//! - The phase runs only when an enabled rule reads its results ([`READERS`]).
//! - A file that fails to evaluate (an unknown global, a failed `load()`, a limit hit) keeps
//!   its static reading: rules never report on a guess because evaluation failed. The run
//!   says so once with `--verbose` ([`Loaded::fallback_note`]).
//! - What the rules get: [`Loaded::files`] (the declared targets of each evaluated build file,
//!   each with the span of the outermost call in the build file and of the macro line that
//!   declared it), and [`super::Project::targets`] whose rule is corrected through macros
//!   ([`apply`]).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::eval::{AttrValue, ConfigMap, EvalContext, EvalOptions, LoadResolver, Loc};
use super::ir::Module;
use super::value::ModuleLookup;
use super::{Facts, Project};
use crate::source::{FileId, FileKind, Span};

/// The rules that read the loading phase's results; the phase runs when one is enabled.
pub const READERS: &[&str] = &[
    "duplicate-target-name",
    "proc-macro-inner-target-dep",
    "edition-mismatch",
    "buildscript-wiring-mismatch",
    "fixups-buck-out-of-sync",
    "fixup-cargo-env-missing",
    "pipelined-nondeterministic-crate",
    "proc-macro-consumes-nondeterministic-rlib",
    "env-path-macro-absolutized",
    "cargo-env-all-under-re",
    // executors specialised by the attributes a macro passed to a platform rule
    "re-container-image-invalid",
    "re-container-image-missing",
    "re-container-image-registry-not-allowed",
    "re-container-image-unpinned",
    "re-exec-platform-host-derived",
    "re-executor-config-invalid",
    "re-full-hybrid-racing",
    "re-local-cache-upload",
    "re-platform-property-inconsistent",
];

/// A build file's syntax tree from the first parse, kept for the phase so that the file is
/// not parsed again (with the text it was parsed from).
pub struct KeptAst {
    pub text: Arc<str>,
    pub ast: Box<starlark::syntax::AstModule>,
}

/// Whether the phase may evaluate a build file that lowered to `m`: a superset of
/// [`needs_evaluation`] decided on the file alone (it calls a function defined in it or loaded
/// from outside the prelude cell, or declares targets in a `for`, `if` or comprehension).
pub fn may_evaluate(m: &Module) -> bool {
    m.flow_calls
        || m.calls.iter().any(|c| {
            let Some(head) = callee_head(c) else { return false };
            let head = head.as_str();
            m.def(head).is_some()
                || m.loads.iter().any(|l| {
                    let prelude = l.module.starts_with("@prelude//") || l.module.starts_with("prelude//");
                    !prelude && l.symbols.iter().any(|s| s.local == head)
                })
        })
}

/// The name a call's callee starts with: `cargo` of `cargo.rust_library(...)`.
fn callee_head(c: &super::ir::Call) -> Option<String> {
    let mut callee = c.callee_name()?;
    callee.truncate(callee.find('.').unwrap_or(callee.len()));
    Some(callee)
}

/// A target declared while evaluating a build file.
#[derive(Debug, Clone)]
pub struct EvalTarget {
    /// The rule (`rust_library`, `cargo.rust_library`, or a project `rule()`'s variable).
    pub kind: String,
    pub name: String,
    pub attrs: Vec<(String, AttrValue)>,
    /// The outermost call in the build file that declared it.
    pub call: Span,
    /// The callee of that call (`my_macro` of `my_macro(name = ...)`): where a finding points.
    pub callee: Span,
    /// The line of the macro (in a `.bzl` file) that called the rule, when not called directly.
    pub via: Option<Span>,
}

impl EvalTarget {
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// The evaluation of one build file.
#[derive(Debug, Default)]
pub struct LoadedFile {
    /// In declaration order; complete only when [`LoadedFile::error`] is `None`.
    pub targets: Vec<EvalTarget>,
    /// Why the file did not evaluate (`file:line:col: message`), if it did not.
    pub error: Option<String>,
}

impl LoadedFile {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// What the phase did (`BUCK_LINT_TIMINGS`, `--verbose`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Build files the static reading is unsure of.
    pub candidates: usize,
    pub evaluated: usize,
    pub failed: usize,
    pub targets: usize,
    /// `.bzl` files evaluated (each once).
    pub bzl: usize,
    /// Build files evaluated from the syntax tree of the first parse (not parsed again).
    pub reused_trees: usize,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub files: HashMap<FileId, LoadedFile>,
    pub stats: Stats,
}

impl Loaded {
    /// The evaluation of a build file, when it evaluated completely.
    pub fn file(&self, id: FileId) -> Option<&LoadedFile> {
        self.files.get(&id).filter(|f| f.ok())
    }

    /// What the evaluation says model target `ti` is, when a macro declared it (the target
    /// of the same call with the same name, declared inside a `.bzl` function).
    pub fn declared_by_macro(&self, project: &Project, ti: usize) -> Option<&EvalTarget> {
        let t = project.targets.get(ti)?;
        if t.call & super::PACKED != 0 {
            return None;
        }
        let lf = self.file(t.file)?;
        let start = project.call_of(t).span().start;
        let name = project.name(t);
        let mut found = lf.targets.iter().filter(|e| e.call.start == start && e.name == name && e.via.is_some());
        match (found.next(), found.next()) {
            (Some(e), None) => Some(e),
            _ => None,
        }
    }

    /// One note for `--verbose` naming the build files that kept their static reading, or
    /// `None` when every evaluated file succeeded.
    pub fn fallback_note(&self, project: &Project, base: &Path) -> Option<String> {
        let mut failed: Vec<(String, &str)> = self
            .files
            .iter()
            .filter_map(|(id, f)| {
                let p = project.path_of(*id);
                f.error.as_deref().map(|e| (p.strip_prefix(base).unwrap_or(p).display().to_string(), e))
            })
            .collect();
        if failed.is_empty() {
            return None;
        }
        failed.sort();
        let mut s = format!(
            "loading phase: {} of {} build files did not evaluate; their targets are read statically (macros and loops in them are not followed):",
            failed.len(),
            self.stats.candidates
        );
        const SHOWN: usize = 10;
        let base = format!("{}/", base.display());
        for (f, e) in failed.iter().take(SHOWN) {
            let e = e.lines().next().unwrap_or("").replace(&base, "");
            match e.strip_prefix(f.as_str()) {
                Some(rest) if rest.starts_with(':') => s.push_str(&format!("\n  {e}")),
                _ => s.push_str(&format!("\n  {f}: {e}")),
            }
        }
        if failed.len() > SHOWN {
            s.push_str(&format!("\n  ... and {} more", failed.len() - SHOWN));
        }
        Some(s)
    }
}

/// Whether the static reading of a build file may miss or misname what it declares: it calls
/// a function that is not a prelude rule (a macro defined in the file or loaded from the
/// project's `.bzl` files), or declares targets in a top-level `for` loop, `if` block or
/// comprehension.
pub fn needs_evaluation(project: &Project, file: FileId, m: &Module) -> bool {
    m.flow_calls || m.calls.iter().any(|c| {
        let Some(head) = callee_head(c) else { return false };
        let head = head.as_str();
        if m.def(head).is_some() {
            return true;
        }
        let Some((load, sym)) = m.loads.iter().find_map(|l| l.symbols.iter().find(|s| s.local == head).map(|s| (l, s)))
        else {
            return false;
        };
        if is_prelude_load(project, &load.module) {
            return false;
        }
        // a `rule()` of the project declares exactly `name`; a function or struct may not
        match project.resolve_load(file, &load.module).and_then(|f| project.module_of(f)) {
            Some(lm) => match lm.global(&sym.their) {
                Some(g) => {
                    !matches!(&g.value.kind, super::ir::ExprKind::Call(c) if c.callee_name().as_deref() == Some("rule"))
                }
                None => true,
            },
            None => true,
        }
    })
}

/// A top-level call whose callee no statement of the file binds and that is no global of the
/// evaluator (a rule of the prelude, a built-in): its name and offset. Only when no
/// occurrence of the name in `text` can bind it ([`only_called`]) and the file has no
/// top-level `for`/`if`: the evaluation would stop with `Variable ... not found`.
fn unbound_callee(m: &Module, text: &str) -> Option<(String, usize)> {
    if m.flow_calls {
        return None;
    }
    let bound = |name: &str| {
        m.def(name).is_some()
            || m.global(name).is_some()
            || m.reassigned_globals.iter().any(|g| g == name)
            || m.loads.iter().any(|l| l.symbols.iter().any(|s| s.local == name))
            || super::eval::is_global(name)
    };
    m.calls.iter().find_map(|c| {
        let head = callee_head(c)?;
        if bound(&head) || !only_called(text, &head) {
            return None;
        }
        Some((head, c.span.start as usize))
    })
}

/// Whether no occurrence of the identifier `name` in `text` can bind it: each is a call
/// (`name(`, maybe with blanks before the parenthesis) or an attribute access's head
/// (`name.x`), or sits in a string (a quote, `:`, `/` or `@` before it, or a quote after it:
/// `"name"`, `":name"`), where no assignment, loop, parameter or load puts it.
fn only_called(text: &str, name: &str) -> bool {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = text.as_bytes();
    let mut found = false;
    for (at, _) in text.match_indices(name) {
        let end = at + name.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(|c| ident(c) || c == b'.') || after.is_some_and(ident) {
            continue;
        }
        if before.is_some_and(|c| matches!(c, b'"' | b'\'' | b':' | b'/' | b'@')) || matches!(after, Some(b'"' | b'\''))
        {
            continue;
        }
        let rest = text[end..].trim_start_matches([' ', '\t']);
        if !(rest.starts_with('(') || rest.starts_with('.')) {
            return false;
        }
        found = true;
    }
    found
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn is_prelude_load(project: &Project, module: &str) -> bool {
    let s = module.strip_prefix('@').unwrap_or(module);
    match s.split_once("//") {
        Some((cell, _)) if !cell.is_empty() => project.cells.canonical(cell) == project.cells.canonical("prelude"),
        _ => false,
    }
}

/// Resolves loads through the project's cells; reads files through the run's overlays.
struct Resolver {
    cells: Arc<super::cells::Cells>,
    prelude: Option<PathBuf>,
    overlays: Arc<std::collections::HashMap<PathBuf, String>>,
}

impl LoadResolver for Resolver {
    fn resolve(&self, from: &Path, s: &str) -> Option<PathBuf> {
        self.cells.load_path(from, s)
    }

    fn is_prelude(&self, from: &Path, s: &str) -> bool {
        let cell = s.strip_prefix('@').unwrap_or(s).split_once("//").map(|(c, _)| c);
        cell.is_some_and(|c| !c.is_empty() && self.cells.canonical(c) == self.cells.canonical("prelude"))
            || self.prelude.as_ref().is_some_and(|p| self.cells.load_path(from, s).is_some_and(|f| f.starts_with(p)))
    }

    fn read(&self, path: &Path) -> std::io::Result<String> {
        match self.overlays.get(path) {
            Some(t) => Ok(t.clone()),
            None => std::fs::read_to_string(path),
        }
    }
}

/// Evaluation options for a project: its cells, the prelude stubbed, `read_config` from the
/// root `.buckconfig` (and `.buckconfig.local`).
pub fn options(
    cells: Arc<super::cells::Cells>,
    root: &Path,
    config: ConfigMap,
    build_file_names: Vec<String>,
    overlays: Arc<std::collections::HashMap<PathBuf, String>>,
) -> EvalOptions {
    let prelude = cells.root_of("prelude").map(Path::to_path_buf);
    let roots: Vec<(String, PathBuf)> = cells.roots.iter().map(|(n, r)| (n.clone(), r.clone())).collect();
    let mut opts = EvalOptions::new(Arc::new(Resolver { cells, prelude, overlays }), root);
    opts.cells = roots;
    opts.config = config;
    if !build_file_names.is_empty() {
        opts.build_file_names = build_file_names;
    }
    opts
}

/// `section → key → value` of the project's root configuration files
/// ([`crate::discover::config_layers_with_local`]), later entries winning.
fn config_of(project: &Project) -> ConfigMap {
    let mut map = ConfigMap::new();
    for path in project.root_layers_with_local() {
        let Some(id) = project.file_at(&path) else { continue };
        if let Some(Facts::BuckConfig(cfg)) = project.facts.get(&id) {
            for e in &cfg.entries {
                map.entry(e.section.clone()).or_default().insert(e.key.clone(), e.value.clone());
            }
        }
    }
    map
}

/// Evaluate the project's build files that need it (see the module doc). `texts` gives a
/// build file's text as parsed (so spans agree with the model), `overlays` the unsaved
/// buffers that replace files on disk.
pub fn run(
    project: &Project,
    texts: &dyn Fn(FileId) -> Option<Arc<str>>,
    overlays: &std::collections::HashMap<PathBuf, String>,
    build_file_names: Vec<String>,
    mut asts: HashMap<FileId, KeptAst>,
) -> Loaded {
    let Some(root) = project.root.clone() else { return Loaded::default() };
    let mut candidates: Vec<(FileId, Arc<str>, Option<Box<starlark::syntax::AstModule>>)> = Vec::new();
    let mut refused: Vec<(FileId, LoadedFile)> = Vec::new();
    // the prelude's own build files are a dependency's, not the project's
    let prelude = project.cells.root_of("prelude").filter(|p| *p != root.as_path());
    for (id, facts) in &project.facts {
        let Facts::Starlark(m) = facts else { continue };
        if project.kind_of(*id) != FileKind::Build || prelude.is_some_and(|p| project.path_of(*id).starts_with(p)) {
            continue;
        }
        // decided on the facts: only the files to evaluate are read (a tree of 20,000
        // generated BUCK files would otherwise be read again, and kept, to evaluate none)
        if !needs_evaluation(project, *id, m) {
            continue;
        }
        // the tree of the first parse, with the text it came from; else the text, read again
        let (text, ast) = match asts.remove(id) {
            Some(k) => (k.text, Some(k.ast)),
            None => match texts(*id) {
                Some(t) => (t, None),
                None => match std::fs::read_to_string(project.path_of(*id)) {
                    Ok(t) => (Arc::from(t), None),
                    Err(_) => continue,
                },
            },
        };
        // a call of a name nothing defines fails the evaluation before it starts (Buck2
        // refuses the file the same way): say so without parsing, loading and compiling it
        if let Some((name, at)) = unbound_callee(m, &text) {
            let (line, col) = line_col(&text, at);
            let error = format!("{}:{line}:{col}: Variable `{name}` not found", project.path_of(*id).display());
            refused.push((*id, LoadedFile { targets: Vec::new(), error: Some(error) }));
            continue;
        }
        candidates.push((*id, text, ast));
    }
    drop(asts);
    let reused_trees = candidates.iter().filter(|(_, _, ast)| ast.is_some()).count();
    let mut loaded = Loaded::default();
    loaded.stats.candidates = candidates.len() + refused.len();
    loaded.stats.failed = refused.len();
    loaded.files.extend(refused);
    if candidates.is_empty() {
        return loaded;
    }
    // the largest first, so that no thread is left with a big file at the end
    candidates.sort_by_key(|(id, t, _)| (std::cmp::Reverse(t.len()), *id));
    let opts = options(
        Arc::new(project.cells.clone()),
        &root,
        config_of(project),
        build_file_names,
        Arc::new(overlays.clone()),
    );
    let ctx = EvalContext::new(opts);
    // the parser and compiler recurse: at least 16 MiB stacks, as the evaluator asks. The
    // engine's own pool has them (256 MiB); a caller outside any pool gets a pool of its own.
    let own_pool = match rayon::current_thread_index() {
        Some(_) => None,
        None => match rayon::ThreadPoolBuilder::new().stack_size(16 << 20).build() {
            Ok(p) => Some(p),
            Err(_) => return loaded,
        },
    };
    let install = |f: &(dyn Fn() -> Vec<(FileId, LoadedFile)> + Sync)| match &own_pool {
        Some(p) => p.install(f),
        None => f(),
    };
    let candidates: Vec<_> = candidates.into_iter().map(|c| Mutex::new(Some(c))).collect();
    let results: Vec<(FileId, LoadedFile)> = install(&|| {
        candidates
            .par_iter()
            // one job per file: evaluations cost very different amounts
            .with_max_len(1)
            .filter_map(|c| c.lock().unwrap_or_else(|e| e.into_inner()).take())
            .map(|(id, text, ast)| {
                let path = project.path_of(id);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    ctx.eval_build_file_parsed(path, &text, ast.map(|a| *a))
                }));
                let file = match r {
                    Ok(r) => {
                        let span =
                            |l: &Loc| project.file_at(&l.file).map(|f| Span::new(f, l.begin as usize..l.end as usize));
                        let targets = r
                            .targets
                            .into_iter()
                            .map(|t| {
                                let call = t.call_site.as_ref().and_then(span).unwrap_or(Span::new(id, 0..0));
                                EvalTarget {
                                    callee: callee_of(&text, call),
                                    call,
                                    via: t.macro_site.as_ref().and_then(span),
                                    kind: t.kind,
                                    name: t.name,
                                    attrs: t.attrs,
                                }
                            })
                            .collect();
                        LoadedFile { targets, error: r.errors.first().map(|e| e.to_string()) }
                    }
                    Err(_) => LoadedFile { targets: Vec::new(), error: Some("the evaluator crashed".into()) },
                };
                (id, file)
            })
            .collect()
    });
    // the macro lines: only their callee (`native.rust_library`), read once per `.bzl` file
    let mut texts: HashMap<FileId, Option<String>> = HashMap::default();
    let mut results = results;
    for (_, f) in &mut results {
        for t in &mut f.targets {
            if let Some(via) = &mut t.via {
                let text = texts.entry(via.file).or_insert_with(|| {
                    let path = project.path_of(via.file);
                    overlays.get(path).cloned().or_else(|| std::fs::read_to_string(path).ok())
                });
                if let Some(text) = text {
                    *via = callee_of(text, *via);
                }
            }
        }
    }
    for (id, f) in results {
        if f.ok() {
            loaded.stats.evaluated += 1;
            loaded.stats.targets += f.targets.len();
        } else {
            loaded.stats.failed += 1;
        }
        loaded.files.insert(id, f);
    }
    loaded.stats.bzl = ctx.bzl_evaluations();
    loaded.stats.reused_trees = reused_trees;
    loaded
}

/// An evaluated attribute as the model's value. Evaluation keeps no spans; a string gets the
/// span of the one place it is written, when there is exactly one: a string literal of the
/// declaring call in the build file, or a value in the root `.buckconfig` (`read_config`).
pub fn attr_val(project: &Project, call: Span, v: &AttrValue) -> super::value::Val {
    use super::value::{Val, Value};
    let value = match v {
        AttrValue::None => Value::None,
        AttrValue::Bool(b) => Value::Bool(*b),
        AttrValue::Int(i) => Value::Int(*i),
        AttrValue::Str(s) => {
            return Val { value: Value::Str(s.clone()), origin: origin_of(project, call, s) };
        }
        AttrValue::List(items) => Value::List(items.iter().map(|i| attr_val(project, call, i)).collect()),
        AttrValue::Dict(items) => {
            Value::Dict(items.iter().map(|(k, v)| (attr_val(project, call, k), attr_val(project, call, v))).collect())
        }
        AttrValue::Select(alts) => {
            Value::Select(alts.iter().map(|(k, v)| (k.clone(), attr_val(project, call, v))).collect())
        }
        AttrValue::Concat(_) | AttrValue::Opaque(_) => Value::Unknown,
    };
    Val { value, origin: None }
}

fn origin_of(project: &Project, call: Span, s: &str) -> Option<Span> {
    let mut found: Vec<Span> = Vec::new();
    if let Some(m) = project.module_of(call.file) {
        if let Some(c) = m.calls.iter().find(|c| c.span.start == call.start) {
            let e = super::ir::Expr { span: c.span.clone(), kind: super::ir::ExprKind::Call(Box::new(c.clone())) };
            collect_strings(&e, s, call.file, &mut found);
        }
    }
    for &id in &project.root_configs {
        for e in project.buckconfig(id).iter().flat_map(|c| c.entries.iter()).filter(|e| e.value == s) {
            found.push(Span::new(id, e.value_span.clone()));
        }
    }
    (found.len() == 1).then(|| found[0])
}

fn collect_strings(e: &super::ir::Expr, s: &str, file: FileId, out: &mut Vec<Span>) {
    use super::ir::ExprKind;
    match &e.kind {
        ExprKind::Str(v) if &**v == s => out.push(Span::new(file, e.span.start as usize..e.span.end as usize)),
        ExprKind::Call(c) => {
            for a in &c.args {
                collect_strings(&a.value, s, file, out);
            }
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| collect_strings(i, s, file, out)),
        ExprKind::Dict(items) => items.iter().for_each(|(k, v)| {
            collect_strings(k, s, file, out);
            collect_strings(v, s, file, out);
        }),
        _ => {}
    }
}

/// The callee part of a call span: up to the opening parenthesis.
fn callee_of(text: &str, call: Span) -> Span {
    let (s, e) = (call.start as usize, call.end as usize);
    let end = text.get(s..e).and_then(|t| t.find('(')).map_or(e, |i| s + text[s..s + i].trim_end().len());
    Span { file: call.file, start: call.start, end: end as u32 }
}

/// Correct the model's targets by the evaluation: a target declared through a macro gets the
/// rule the macro finally called (the static reading follows `**kwargs` one level only).
pub fn apply(project: &mut Project, loaded: Loaded) {
    let mut updates: Vec<(usize, super::sym::Sym)> = Vec::new();
    for (file, lf) in &loaded.files {
        if !lf.ok() {
            continue;
        }
        for i in project.targets_in(*file) {
            let t = &project.targets[i];
            if t.call & super::PACKED != 0 {
                continue; // a prelude rule called directly: already exact
            }
            let start = project.call_of(t).span().start;
            let name = project.name(t);
            let mut found = lf.targets.iter().filter(|e| e.call.start == start && e.name == name);
            if let (Some(e), None) = (found.next(), found.next()) {
                if e.via.is_some() && *e.kind != *t.rule {
                    updates.push((i, super::sym::Sym::new(&e.kind)));
                }
            }
        }
    }
    for (i, rule) in updates {
        project.targets[i].rule = rule;
    }
    project.loaded = loaded;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_called_sees_every_binding() {
        // only calls, attribute heads and strings: nothing binds the name
        assert!(only_called("m(name = \"m\")\nx = m.attr(\":m\")\ny = \"@m//x:y\"\n", "m"));
        assert!(only_called("stub (\n    name = 'stub',\n)\n", "stub"));
        // a binding anywhere: an assignment, a parameter, a loop, a keyword, a tuple target
        for text in [
            "m = rule()\nm(name = \"a\")\n",
            "def f(m):\n    pass\nm(name = \"a\")\n",
            "def f(x, m = 1):\n    pass\nm(name = \"a\")\n",
            "for m in []:\n    pass\nm(name = \"a\")\n",
            "a, m = 1, 2\nm(name = \"a\")\n",
            "m += 1\nm(name = \"a\")\n",
            "f(m = 1)\nm(name = \"a\")\n",
        ] {
            assert!(!only_called(text, "m"), "{text}");
        }
        // other identifiers that contain the name do not count
        assert!(only_called("my_m = 1\nm_x = 2\nm()\n", "m"));
        // no occurrence at all
        assert!(!only_called("x()\n", "m"));
    }

    #[test]
    fn line_col_of_offsets() {
        let t = "ab\ncd€f\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('f').unwrap()), (2, 4));
    }
}
