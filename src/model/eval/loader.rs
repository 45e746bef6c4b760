//! Evaluation of build files and `.bzl` files, the shared cache of frozen `.bzl` modules, and
//! load-cycle detection (within one evaluation and across threads).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use starlark::ErrorKind;
use starlark::environment::{FrozenModule, Module};
use starlark::eval::{Evaluator, FileLoader};
use starlark::syntax::AstModule;

use super::globals::{BuildInfo, Recorder, builtin, err, globals};
use super::values::{RuleStub, nests_deeper_than};
use super::{EvalContext, EvalError, EvalErrorKind, EvalLimits, EvalResult, Loc, cell_and_package};

/// Ids of evaluations in progress (one per build file), for the cross-thread cycle check.
static NEXT_TASK: AtomicU64 = AtomicU64::new(1);

/// Deepest value a `.bzl` file may export (freezing recurses).
const MAX_FREEZE_DEPTH: usize = 500;

/// Why a `.bzl` file could not be loaded.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    kind: EvalErrorKind,
    message: String,
}

type Loaded = Result<FrozenModule, Failure>;

/// A `.bzl` evaluation: the file, and the cell of the build file that loads it (as in Buck2,
/// where `get_cell_name()` at the top level of a `.bzl` file names that cell, a `.bzl` file
/// is evaluated once per loading cell).
type Key = (PathBuf, String);

#[derive(Default)]
struct CacheState {
    done: HashMap<Key, Loaded>,
    /// `.bzl` files being evaluated, and by which task.
    in_progress: HashMap<Key, u64>,
    /// The file each blocked task waits for.
    waiting: HashMap<u64, Key>,
}

/// Frozen `.bzl` modules by path and loading cell, each evaluated once. A task that needs a module another
/// task is evaluating waits for it, unless waiting would close a cycle of tasks (a load
/// cycle split across threads), which is reported as a load cycle.
#[derive(Default)]
pub(crate) struct ModuleCache {
    state: Mutex<CacheState>,
    cv: Condvar,
    evaluations: AtomicUsize,
}

/// Marks a `.bzl` file done when dropped, even on unwind, so that no waiter hangs.
struct InProgress<'a> {
    cache: &'a ModuleCache,
    key: Key,
    result: Option<Loaded>,
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        let result = self
            .result
            .take()
            .unwrap_or_else(|| Err(Failure { kind: EvalErrorKind::Eval, message: "evaluation panicked".to_owned() }));
        let mut st = self.cache.lock();
        st.in_progress.remove(&self.key);
        st.done.insert(self.key.clone(), result);
        drop(st);
        self.cache.cv.notify_all();
    }
}

impl ModuleCache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn evaluations(&self) -> usize {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// The frozen module of `path` loaded from a build file of `cell`, evaluating it if no
    /// task has. `chain` is the stack of `.bzl` files this task is evaluating.
    fn get(&self, ctx: &EvalContext, path: &Path, cell: &str, task: u64, chain: &mut Vec<PathBuf>) -> Loaded {
        let key: Key = (path.to_path_buf(), cell.to_owned());
        let mut st = self.lock();
        loop {
            if let Some(done) = st.done.get(&key) {
                return done.clone();
            }
            match st.in_progress.get(&key).copied() {
                None => {
                    st.in_progress.insert(key.clone(), task);
                    break;
                }
                Some(owner) if owner == task => return Err(cycle_failure(chain, path)),
                Some(owner) => {
                    if waits_on(&st, owner, task) {
                        return Err(Failure {
                            kind: EvalErrorKind::LoadCycle,
                            message: format!("load cycle through `{}`", path.display()),
                        });
                    }
                    st.waiting.insert(task, key.clone());
                    st = self.cv.wait(st).unwrap_or_else(PoisonError::into_inner);
                    st.waiting.remove(&task);
                }
            }
        }
        drop(st);
        let mut guard = InProgress { cache: self, key, result: None };
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        chain.push(path.to_path_buf());
        let result = eval_bzl(ctx, path, cell, task, chain);
        chain.pop();
        guard.result = Some(result.clone());
        result
    }
}

/// Whether task `owner` (transitively, through the files it waits for) waits on `task`.
fn waits_on(st: &CacheState, mut owner: u64, task: u64) -> bool {
    for _ in 0..=st.waiting.len() {
        let Some(file) = st.waiting.get(&owner) else { return false };
        let Some(&next) = st.in_progress.get(file) else { return false };
        if next == task {
            return true;
        }
        owner = next;
    }
    false
}

fn cycle_failure(chain: &[PathBuf], path: &Path) -> Failure {
    let start = chain.iter().position(|p| p == path).unwrap_or(0);
    let mut names: Vec<String> = chain[start..].iter().map(|p| p.display().to_string()).collect();
    names.push(path.display().to_string());
    Failure { kind: EvalErrorKind::LoadCycle, message: format!("load cycle: {}", names.join(" -> ")) }
}

/// The loader handed to starlark: every load of the file, resolved beforehand.
struct MapLoader(HashMap<String, FrozenModule>);

impl FileLoader for MapLoader {
    fn load(&self, path: &str) -> starlark::Result<FrozenModule> {
        self.0.get(path).cloned().ok_or_else(|| err(format!("cannot load `{path}`")))
    }
}

struct NoPrint;

impl starlark::PrintHandler for NoPrint {
    fn println(&self, _text: &str) -> starlark::Result<()> {
        Ok(())
    }
}

/// Resolve and load every `load()` of `ast` (written in `from`, loaded from a build file of
/// `cell`). Prelude loads become stub modules. Errors are located at the load's module string.
fn prepare_loads(
    ctx: &EvalContext,
    from: &Path,
    cell: &str,
    ast: &AstModule,
    task: u64,
    chain: &mut Vec<PathBuf>,
) -> (MapLoader, Vec<EvalError>) {
    let resolver = &ctx.options.resolver;
    let mut modules = HashMap::new();
    let mut prelude: Vec<(String, Vec<String>)> = Vec::new();
    let mut errors = Vec::new();
    for load in ast.loads() {
        let id = load.module_id;
        let loc = Some(Loc::of(&load.span));
        if resolver.is_prelude(from, id) {
            let symbols = load.symbols.values().map(|s| s.to_string());
            match prelude.iter_mut().find(|(m, _)| m == id) {
                Some((_, syms)) => syms.extend(symbols),
                None => prelude.push((id.to_owned(), symbols.collect())),
            }
            continue;
        }
        if modules.contains_key(id) {
            continue;
        }
        let Some(path) = resolver.resolve(from, id) else {
            let message = format!("cannot resolve load `{id}`");
            errors.push(EvalError { kind: EvalErrorKind::Load, message, loc, call_site: None });
            continue;
        };
        if chain.len() >= ctx.options.limits.max_load_depth {
            let message = format!("load chain deeper than {} files at `{id}`", ctx.options.limits.max_load_depth);
            errors.push(EvalError { kind: EvalErrorKind::Limit, message, loc, call_site: None });
            continue;
        }
        match ctx.cache.get(ctx, &path, cell, task, chain) {
            Ok(m) => {
                modules.insert(id.to_owned(), m);
            }
            Err(f) => {
                let kind = if f.kind == EvalErrorKind::LoadCycle { f.kind } else { EvalErrorKind::Load };
                let message = format!("cannot load `{id}`: {}", f.message);
                errors.push(EvalError { kind, message, loc, call_site: None });
            }
        }
    }
    for (id, symbols) in prelude {
        match ctx.stubs.get(&id, symbols) {
            Ok(m) => {
                modules.insert(id, m);
            }
            Err(message) => errors.push(EvalError { kind: EvalErrorKind::Eval, message, loc: None, call_site: None }),
        }
    }
    (MapLoader(modules), errors)
}

/// The prelude's type predicates (`@prelude//utils:type_defs.bzl`), which macros call to
/// tell a `select()` or a list from a string: pure functions of the value's type, so they are
/// defined here rather than stubbed (a stub answers neither yes nor no). Type names as the
/// evaluator's values report them (`type(select({}))` is `"selector"`, as in Buck2).
const TYPE_DEFS: &[(&str, &str)] = &[
    ("is_select", "selector"),
    ("is_string", "string"),
    ("is_list", "list"),
    ("is_dict", "dict"),
    ("is_tuple", "tuple"),
    ("is_bool", "bool"),
    ("is_number", "int"),
    ("is_struct", "struct"),
    ("is_function", "function"),
];

/// The frozen module of [`TYPE_DEFS`], evaluated once per process.
fn type_defs() -> Option<&'static FrozenModule> {
    static MODULE: std::sync::OnceLock<Option<FrozenModule>> = std::sync::OnceLock::new();
    MODULE
        .get_or_init(|| {
            let dialect = crate::parse::starlark::permissive_dialect();
            let text: String =
                TYPE_DEFS.iter().map(|(f, t)| format!("def {f}(x):\n    return type(x) == \"{t}\"\n")).collect();
            let ast = AstModule::parse("@prelude//utils:type_defs.bzl", text, &dialect).ok()?;
            Module::with_temp_heap(|module| {
                {
                    let mut eval = Evaluator::new(&module);
                    eval.eval_module(ast, globals()).ok()?;
                }
                module.freeze().ok()
            })
        })
        .as_ref()
}

/// Frozen stub modules ([`stub_module`]) by module id and symbols, shared by a context's
/// evaluations (a frozen module is shared by reference).
#[derive(Default)]
pub(crate) struct StubCache(Mutex<HashMap<(String, Vec<String>), FrozenModule>>);

impl StubCache {
    fn get(&self, id: &str, symbols: Vec<String>) -> Result<FrozenModule, String> {
        let key = (id.to_owned(), symbols);
        if let Some(m) = self.0.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(m.clone());
        }
        let m = stub_module(&key.0, &key.1)?;
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(key, m.clone());
        Ok(m)
    }
}

/// A module whose every symbol is a recording rule stub of that name, except the type
/// predicates of `@prelude//utils:type_defs.bzl` ([`TYPE_DEFS`]).
fn stub_module(id: &str, symbols: &[String]) -> Result<FrozenModule, String> {
    let defs = if id.ends_with("utils:type_defs.bzl") { type_defs() } else { None };
    Module::with_temp_heap(|module| {
        for s in symbols {
            match defs.and_then(|d| d.get(s).ok()) {
                Some(f) => {
                    // SAFETY: the module's frozen heap now references the predicates' heap,
                    // and the value is stored in that module only.
                    let v = unsafe { f.owned_frozen_value(module.frozen_heap()) };
                    module.set(s, v.to_value())
                }
                None => module.set(s, module.heap().alloc(RuleStub::new(s))),
            }
        }
        module.freeze().map_err(|e| format!("cannot freeze prelude stubs: {e:?}"))
    })
}

/// An upper bound on the depth of the syntax tree of `text`: the parser and the compiler
/// recurse over it, so files deeper than the limit are refused rather than risking a stack
/// overflow. Counts, ignoring strings and comments: brackets, plus runs of operators and
/// keywords (`a + b + c`, `not not x`, `x.a.b`) not separated by `,` or a statement end, plus
/// indentation levels.
pub(crate) fn tree_depth_bound(text: &str) -> usize {
    struct Level {
        base: usize,
        ops: usize,
    }
    let bytes = text.as_bytes();
    let mut levels = vec![Level { base: 0, ops: 0 }];
    let mut indents: Vec<usize> = vec![0];
    let mut max = 0usize;
    let mut at_line_start = true;
    let mut elifs = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start && levels.len() == 1 {
            let mut width = 0;
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                width += 1;
                i += 1;
            }
            at_line_start = false;
            if i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r' | b'#') {
                while indents.len() > 1 && width < *indents.last().unwrap_or(&0) {
                    indents.pop();
                }
                if width > *indents.last().unwrap_or(&0) {
                    indents.push(width);
                }
                levels[0].base = indents.len();
            }
            continue;
        }
        let top = levels.len() - 1;
        match b {
            b'"' | b'\'' => {
                let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    if bytes[i] == b && (!triple || (bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b))) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' if levels.len() == 1 => {
                levels[0].ops = 0;
                at_line_start = true;
            }
            b';' | b',' => levels[top].ops = 0,
            b'(' | b'[' | b'{' => {
                levels[top].ops += 1;
                let base = levels[top].base + levels[top].ops;
                levels.push(Level { base, ops: 0 });
            }
            b')' | b']' | b'}' if levels.len() > 1 => {
                levels.pop();
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&' | b'^' | b'<' | b'>' | b'=' | b'!' | b'~' | b'.' | b':' => {
                levels[top].ops += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[s..i];
                if matches!(word, "and" | "or" | "not" | "if" | "else" | "lambda" | "in" | "for") {
                    levels[top].ops += 1;
                }
                // `elif` chains nest: count a run of them after an `if` statement.
                if levels.len() == 1 && levels[0].ops == 0 {
                    match word {
                        "if" => elifs = 0,
                        "elif" => elifs += 1,
                        _ => {}
                    }
                    max = max.max(levels[0].base + elifs);
                }
                let l = &levels[levels.len() - 1];
                max = max.max(l.base + l.ops);
                continue;
            }
            _ => {}
        }
        let l = &levels[levels.len() - 1];
        max = max.max(l.base + l.ops);
        i += 1;
    }
    max
}

fn parse(name: &str, text: &str, limits: &EvalLimits) -> Result<AstModule, EvalError> {
    let depth = tree_depth_bound(text);
    if depth > limits.max_nesting {
        return Err(EvalError {
            kind: EvalErrorKind::Syntax,
            message: format!(
                "expressions or blocks nest up to {depth} deep, over the evaluator's limit of {}",
                limits.max_nesting
            ),
            loc: None,
            call_site: None,
        });
    }
    let dialect = crate::parse::starlark::permissive_dialect();
    AstModule::parse(name, text.to_owned(), &dialect).map_err(|e| {
        let mut error = to_eval_error(&e, None);
        error.kind = EvalErrorKind::Syntax;
        error
    })
}

/// An [`EvalError`] from a starlark error; `build_file` names the build file, whose
/// outermost frame is the call site.
pub(crate) fn to_eval_error(e: &starlark::Error, build_file: Option<&str>) -> EvalError {
    let message = e.without_diagnostic().to_string();
    let kind = match e.kind() {
        ErrorKind::Fail(_) => EvalErrorKind::Fail,
        _ if is_limit(&message) => EvalErrorKind::Limit,
        _ => EvalErrorKind::Eval,
    };
    let call_site = build_file.and_then(|bf| {
        e.call_stack().frames.iter().filter_map(|f| f.location.as_ref()).map(Loc::of).find(|l| l.file.as_os_str() == bf)
    });
    EvalError { kind, message, loc: e.span().map(Loc::of), call_site }
}

fn is_limit(message: &str) -> bool {
    [
        "ticks has been exceeded",
        "Evaluation cancelled",
        "Starlark call stack overflow",
        "Heap memory limit of",
        "the evaluator's limit of",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// Apply `limits` to `eval` (call stack, ticks, heap, wall time from now). The garbage
/// collector is turned off: its tracing recurses, so a deeply nested value would overflow the
/// stack; evaluations are short-lived and the heap limit bounds what they allocate.
pub(crate) fn apply_limits(eval: &mut Evaluator<'_, '_, '_>, limits: &EvalLimits) {
    eval.disable_gc();
    let _ = eval.set_max_callstack_size(limits.max_callstack.max(1));
    let _ = eval.set_max_tick_count(limits.max_ticks.max(1));
    let _ = eval.set_max_heap_size(limits.max_heap_bytes.max(1));
    let deadline = Instant::now() + limits.timeout;
    eval.set_check_cancelled(Box::new(move || Instant::now() > deadline));
}

/// The frozen module of the `.bzl` file `path`, evaluated once per context (shared with
/// build-file evaluation).
pub(crate) fn load_bzl(ctx: &EvalContext, path: &Path) -> Result<FrozenModule, EvalError> {
    let task = NEXT_TASK.fetch_add(1, Ordering::Relaxed);
    let cell = cell_and_package(&ctx.options, path).0;
    ctx.cache.get(ctx, path, &cell, task, &mut Vec::new()).map_err(|f| EvalError {
        kind: f.kind,
        message: format!("cannot load `{}`: {}", path.display(), f.message),
        loc: None,
        call_site: None,
    })
}

/// The message of a starlark error, `Evaluation cancelled` replaced by the timeout.
pub(crate) fn limit_message(mut error: EvalError, limits: &EvalLimits) -> EvalError {
    if error.message.contains("Evaluation cancelled") {
        error.message = format!("evaluation took longer than the limit of {:?}", limits.timeout);
    }
    error
}

/// Run `ast` in a fresh module with the limits of `ctx`; `finish` sees the module afterwards.
fn run<R>(
    ctx: &EvalContext,
    ast: AstModule,
    loader: &MapLoader,
    recorder: &Recorder,
    finish: impl for<'v> FnOnce(Module<'v>) -> Result<R, EvalError>,
) -> Result<R, EvalError> {
    let limits = &ctx.options.limits;
    Module::with_temp_heap(|module| {
        if recorder.build.is_some() {
            for rule in &ctx.options.extra_rules {
                if builtin(rule).is_none() {
                    module.set(rule, module.heap().alloc(RuleStub::new(rule)));
                }
            }
        }
        {
            let mut eval = Evaluator::new(&module);
            eval.set_loader(loader);
            eval.extra = Some(recorder);
            eval.set_print_handler(&NoPrint);
            // Starlark's collector traces recursively: a deeply nested value would overflow
            // the stack. Files are short-lived; the heap limit bounds what they allocate.
            apply_limits(&mut eval, limits);
            let build_file = recorder.build.as_ref().map(|_| recorder.file_name.as_str());
            eval.eval_module(ast, globals()).map_err(|e| limit_message(to_eval_error(&e, build_file), limits))?;
        }
        finish(module)
    })
}

/// Evaluate a `.bzl` file (once per context: called by [`ModuleCache::get`]).
fn eval_bzl(ctx: &EvalContext, path: &Path, cell: &str, task: u64, chain: &mut Vec<PathBuf>) -> Loaded {
    let fail = |kind, message| Failure { kind, message };
    let text = ctx
        .options
        .resolver
        .read(path)
        .map_err(|e| fail(EvalErrorKind::Load, format!("cannot read `{}`: {e}", path.display())))?;
    let name = path.display().to_string();
    let ast = parse(&name, &text, &ctx.options.limits).map_err(|e| fail(e.kind, in_file(&e, &name)))?;
    let (loader, errors) = prepare_loads(ctx, path, cell, &ast, task, chain);
    if let Some(e) = errors.into_iter().next() {
        return Err(fail(e.kind, in_file(&e, &name)));
    }
    let mut recorder = Recorder::new(ctx.options.clone(), None, name.clone());
    recorder.loading_cell = Some(cell.to_owned());
    run(ctx, ast, &loader, &recorder, |module| {
        // Freezing recurses through values: refuse deeply nested ones.
        for name in module.names() {
            let deep = module.get(name.as_str()).is_some_and(|v| nests_deeper_than(v, MAX_FREEZE_DEPTH));
            if deep {
                return Err(EvalError {
                    kind: EvalErrorKind::Limit,
                    message: format!(
                        "`{}` nests deeper than the evaluator's limit of {MAX_FREEZE_DEPTH}",
                        name.as_str()
                    ),
                    loc: None,
                    call_site: None,
                });
            }
        }
        module.freeze().map_err(|e| EvalError {
            kind: EvalErrorKind::Eval,
            message: format!("cannot freeze: {e:?}"),
            loc: None,
            call_site: None,
        })
    })
    .map_err(|e| fail(e.kind, in_file(&e, &name)))
}

/// The error with its location, or with the file name when it has none.
fn in_file(e: &EvalError, name: &str) -> String {
    match &e.loc {
        Some(_) => e.to_string(),
        None => format!("{name}: {}", e.message),
    }
}

/// Evaluate a build file; see [`super::eval_build_file`].
pub(crate) fn eval_build_file(ctx: &EvalContext, path: &Path, text: &str, parsed: Option<AstModule>) -> EvalResult {
    let name = path.display().to_string();
    // a tree the caller parsed is used unless the text nests deeper than the limit (the
    // compiler recurses too); its code map may have another name than `path`, under which
    // the locations in the file come back: they are put under `path`
    let reuse = parsed.filter(|_| tree_depth_bound(text) <= ctx.options.limits.max_nesting);
    let Some(ast) = reuse else { return eval_parsed(ctx, path, text, None) };
    let own = ast.file_span(starlark::codemap::Span::default()).filename().to_owned();
    let mut result = eval_parsed(ctx, path, text, Some(ast));
    if own != name {
        let fix = |l: &mut Option<Loc>| {
            if let Some(l) = l.as_mut().filter(|l| l.file.as_os_str() == own.as_str()) {
                l.file = path.to_path_buf();
            }
        };
        for t in &mut result.targets {
            fix(&mut t.call_site);
            fix(&mut t.macro_site);
        }
        for e in &mut result.errors {
            fix(&mut e.loc);
            fix(&mut e.call_site);
        }
    }
    result
}

fn eval_parsed(ctx: &EvalContext, path: &Path, text: &str, parsed: Option<AstModule>) -> EvalResult {
    let task = NEXT_TASK.fetch_add(1, Ordering::Relaxed);
    let mut result = EvalResult::default();
    let parsed_here = match parsed {
        Some(a) => Ok(a),
        None => parse(&path.display().to_string(), text, &ctx.options.limits),
    };
    let ast = match parsed_here {
        Ok(ast) => ast,
        Err(mut e) => {
            if e.loc.is_none() {
                e.loc = Some(Loc { file: path.to_path_buf(), begin: 0, end: 0, line: 1, col: 1 });
            }
            result.errors.push(e);
            return result;
        }
    };
    // the name the tree's locations carry: the build file's frames are told by it
    let name = ast.file_span(starlark::codemap::Span::default()).filename().to_owned();
    let (cell, package) = cell_and_package(&ctx.options, path);
    let (loader, errors) = prepare_loads(ctx, path, &cell, &ast, task, &mut Vec::new());
    if !errors.is_empty() {
        // As in Buck2, a package whose loads fail is not evaluated.
        result.errors = errors;
        return result;
    }
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let build = BuildInfo { dir, cell, package };
    let recorder = Recorder::new(ctx.options.clone(), Some(build), name);
    if let Err(e) = run(ctx, ast, &loader, &recorder, |_| Ok(())) {
        result.errors.push(e);
    }
    result.targets = recorder.targets.into_inner();
    result.package_values = recorder.package_values.into_inner();
    result
}
