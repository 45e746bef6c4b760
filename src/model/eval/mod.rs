//! The core of a Buck2 loading-phase evaluator: runs a build file (and the `.bzl` files it
//! loads) with the `starlark` crate and records the targets it declares.
//!
//! - [`EvalContext`] is shared by every build file of a run (it is `Send + Sync`; evaluate
//!   files in parallel with rayon, on threads with large stacks). It caches each `.bzl` file's
//!   frozen module, so a `.bzl` is evaluated once per context, as in Buck2.
//! - `load()` strings go through the caller's [`LoadResolver`]; loads it calls prelude loads
//!   are not evaluated: each requested symbol is a recording rule stub, except the type
//!   predicates of `@prelude//utils:type_defs.bzl` (`is_select`, `is_list`, ...), which are
//!   real type tests.
//! - A `.bzl` file is evaluated once per context and loading cell: `get_cell_name()` and
//!   `repository_name()` at its top level name the cell of the build file that loads it
//!   (Buck2 evaluates a `.bzl` file per loading cell for the same reason).
//! - Globals approximate Buck2's: every rule of Buck2's prelude (as globals and as
//!   `native.<anything>`), `glob`, `select`, `select_map`, `select_test`, `read_config`,
//!   `package_name`, `host_info`, `rule`, `provider`, `attrs`, ... (see `globals.rs`).
//! - Every failure is an [`EvalError`] in the result; evaluation never panics on bad input,
//!   and limits ([`EvalLimits`]) stop runaway loops and recursion.
//!
//! Approximations and limits, for the integrator:
//! - Locations ([`Loc`]) carry both byte offsets and 1-based line/column; `Loc::file` is the
//!   path as given to [`eval_build_file`] or returned by the resolver (`Path::display`).
//! - `select()` is an opaque value recording its branches; `+`/`|` with plain values are
//!   distributed over the branches, `select + select` is [`AttrValue::Concat`].
//!   `select_map(v, f)` applies `f` to each branch's value (plain operands included, which is
//!   the same as Buck2's part-by-part mapping for the element-wise functions macros pass). Tuples are
//!   recorded as lists, values other than None/bool/int/str/list/dict/select by `repr`.
//! - A build file whose loads fail is not evaluated (as in Buck2); one that fails part-way
//!   keeps the targets declared before the failure (Buck2 would drop the package).
//! - Rule calls at the top level of a `.bzl` file record nothing; build-file functions
//!   (`glob`, `package_name`, ...) fail there, as in Buck2.
//! - `provider()` returns `struct`; `rule()` returns a recording stub named by the variable it
//!   is assigned to (keeping its `impl` and its attributes' literal defaults, see below);
//!   `attrs.*` return attribute specs; `transition`, analysis types, ... return `None`.
//!   `host_info()` is Linux x86_64.
//! - Prelude stubs called without `name =` are helpers: they return an absorbing value
//!   (attributes, calls and indexing give another one; it is falsy, iterates as empty, has
//!   length 0; `+` and `|` with it give the other operand; `str()`, `==`, hashing work), so
//!   project macros built on prelude helpers evaluate, with the helpers' contributions
//!   missing. Starlark's dict refuses a custom value on the right of `|`, so a stub call whose
//!   text is the right operand of `|`/`|=`, or unpacked with `**`, returns an empty dict
//!   instead (read from the source before the call: `attrs = {...} | re_test_common.test_args()`
//!   and `**apply_platform_attrs(...)` in real repositories). A helper's result reaching `dict |`
//!   through a project function still fails. In recorded attributes the value is
//!   `AttrValue::Opaque("<helper()>")`.
//!
//! Rule implementations ([`EvalContext::run_rule_impl`], [`EvalContext::run_target_impl`]): the
//! implementation of a `rule()` of an evaluated `.bzl` file is called with a recording `ctx`,
//! so that values computed from attributes (helpers, dict merges, `read_config`) reach the
//! provider constructors, which record their keyword arguments and locations
//! ([`ProviderCall`]). `ctx.attrs.<a>`: the target's value (from its [`AttrValue`]), else the
//! attribute's default when it is a literal, else `None` (a required dependency: absorbing);
//! dependency attributes (`attrs.dep`, `exec_dep`, `configuration_label`, ... and wrappers of
//! them) are absorbing values shown as their label, so `dep[ConfigurationInfo].constraints`
//! is empty. `ctx.label` has `name`/`package`/`cell`/`raw_target()`; `ctx.actions` and every
//! other `ctx` member absorb. Recorded constructors: `CommandExecutorConfig`,
//! `ExecutionPlatformInfo`, `ExecutionPlatformRegistrationInfo`, `ConfigurationInfo`,
//! `PlatformInfo`, `DefaultInfo`; they return values whose fields are their arguments, shown
//! (and recorded when nested) as `<Kind #id>` ([`ImplResult::referenced`]). Limits apply as
//! to a file; `.bzl` modules come from the same cache. Not modelled: other providers
//! (`RunInfo`, ... are `None`), artifacts, `ctx.actions` results, configurations (selects in
//! attributes stay selects), analysis of dependencies.
//! - The garbage collector is off (its tracing recurses); [`EvalLimits::max_heap_bytes`]
//!   bounds each file's heap. Values nested deeper than 200 (`json.encode`) or 500 (a `.bzl`
//!   export being frozen) are refused; files whose syntax nests deeper than
//!   [`EvalLimits::max_nesting`] are refused before parsing.
//! - Not modelled: configurations (no `select` resolution), `existing_rules()`,
//!   `read_package_value` (always `None`), PACKAGE-file inheritance, per-cell configs (one
//!   [`EvalOptions::config`]), `load_symbols`, `sha256`; `warning()` is ignored.

mod glob;
mod globals;
mod loader;
mod rule_impl;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use starlark::codemap::FileSpan;
use starlark::syntax::AstModule;

/// Maps `load()` strings to files, and says which loads are the prelude's.
pub trait LoadResolver: Send + Sync {
    /// The file that `load_string` (`cell//pkg:f.bzl`, `//pkg:f.bzl`, `:f.bzl`,
    /// `@cell//...`) names when written in `from_file`, or `None` if it cannot be resolved.
    fn resolve(&self, from_file: &Path, load_string: &str) -> Option<PathBuf>;

    /// Whether `load_string` loads from the prelude: such loads are not evaluated, every
    /// requested symbol is a recording rule stub of that name.
    fn is_prelude(&self, from_file: &Path, load_string: &str) -> bool;

    /// The text of a loaded file. Default: read it from disk.
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// A [`LoadResolver`] made of two closures; files are read from disk.
pub struct FnResolver<R, P> {
    pub resolve: R,
    pub is_prelude: P,
}

impl<R, P> LoadResolver for FnResolver<R, P>
where
    R: Fn(&Path, &str) -> Option<PathBuf> + Send + Sync,
    P: Fn(&Path, &str) -> bool + Send + Sync,
{
    fn resolve(&self, from_file: &Path, load_string: &str) -> Option<PathBuf> {
        (self.resolve)(from_file, load_string)
    }

    fn is_prelude(&self, from_file: &Path, load_string: &str) -> bool {
        (self.is_prelude)(from_file, load_string)
    }
}

/// Limits on one file's evaluation (each `.bzl` file gets its own budget).
#[derive(Debug, Clone)]
pub struct EvalLimits {
    /// Function calls plus loop iterations (starlark "ticks").
    pub max_ticks: u64,
    /// Starlark call-stack depth (recursion, deep macro nesting).
    pub max_callstack: usize,
    /// Wall time, checked every few thousand ticks.
    pub timeout: Duration,
    /// Starlark heap size in bytes (best effort, checked periodically).
    pub max_heap_bytes: usize,
    /// Length of a chain of `.bzl` files loading each other.
    pub max_load_depth: usize,
    /// Largest `range()` the evaluator creates.
    pub max_range_len: u64,
    /// Bound on syntax-tree depth (brackets, operator chains, indentation, `elif` runs) above
    /// which a file is not evaluated: the parser and compiler recurse. 1000 is safe on a
    /// 16 MiB stack in debug builds (5000 overflows for nested `lambda`, `elif`, blocks).
    pub max_nesting: usize,
}

impl Default for EvalLimits {
    fn default() -> Self {
        EvalLimits {
            max_ticks: 20_000_000,
            max_callstack: 256,
            timeout: Duration::from_secs(10),
            max_heap_bytes: 512 << 20,
            max_load_depth: 64,
            max_range_len: 10_000_000,
            max_nesting: 1000,
        }
    }
}

/// A buckconfig view: section → key → value.
pub type ConfigMap = HashMap<String, HashMap<String, String>>;

/// Everything an evaluation needs from the caller.
pub struct EvalOptions {
    /// Resolves `load()` strings; decides prelude loads.
    pub resolver: Arc<dyn LoadResolver>,
    /// Cells as (name, root directory). A build file's cell is the one with the longest root
    /// containing it; its package is its directory relative to that root.
    pub cells: Vec<(String, PathBuf)>,
    /// What `read_config` reads (the build file's cell config).
    pub config: ConfigMap,
    /// What `read_root_config` reads; `None`: the same as [`EvalOptions::config`].
    pub root_config: Option<ConfigMap>,
    /// More rule names visible as globals in build files (recording stubs), beyond the common
    /// ones built in (`KNOWN_RULES` in `globals.rs`): e.g. every rule of the repository's
    /// prelude. Any other unknown name in a build file is an error, as in Buck2.
    pub extra_rules: Vec<String>,
    /// Build file names: directories containing one are subpackages, which `glob` skips.
    pub build_file_names: Vec<String>,
    pub limits: EvalLimits,
}

impl EvalOptions {
    /// Options for one cell `root` at `root_dir`, no config, default limits.
    pub fn new(resolver: Arc<dyn LoadResolver>, root_dir: &Path) -> EvalOptions {
        EvalOptions {
            resolver,
            cells: vec![("root".to_owned(), root_dir.to_path_buf())],
            config: ConfigMap::new(),
            root_config: None,
            extra_rules: Vec::new(),
            build_file_names: vec!["BUCK".to_owned(), "BUCK.v2".to_owned()],
            limits: EvalLimits::default(),
        }
    }
}

/// An owned attribute value: what a rule call's argument evaluated to.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    /// A list or tuple.
    List(Vec<AttrValue>),
    /// Entries in insertion order.
    Dict(Vec<(AttrValue, AttrValue)>),
    /// `select({key: value})`, keys as written; arithmetic with plain values is distributed
    /// over the branches.
    Select(Vec<(String, AttrValue)>),
    /// `a + b` that could not be folded (`select(..) + select(..)`, or mismatched types).
    Concat(Vec<AttrValue>),
    /// Any other value (function, struct, float, ...), by its `repr` (truncated).
    Opaque(String),
}

impl AttrValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A position in a file: byte range and 1-based line and column (column in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: PathBuf,
    pub begin: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    pub(crate) fn of(span: &FileSpan) -> Loc {
        let r = span.resolve_span();
        Loc {
            file: PathBuf::from(span.filename()),
            begin: span.span.begin().get(),
            end: span.span.end().get(),
            line: r.begin.line as u32 + 1,
            col: r.begin.column as u32 + 1,
        }
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// A target declared by a rule call while evaluating a build file.
#[derive(Debug, Clone)]
pub struct DeclaredTarget {
    /// The rule: its name (`rust_library`), a dotted path for stubbed structs
    /// (`cargo.rust_library`), or the variable a `rule()` was assigned to.
    pub kind: String,
    pub name: String,
    /// Named arguments in call order (including `name`).
    pub attrs: Vec<(String, AttrValue)>,
    /// Positional arguments, if any (rules take none; recorded for diagnostics).
    pub positional: Vec<AttrValue>,
    /// The outermost call in the build file that led to this target.
    pub call_site: Option<Loc>,
    /// The innermost call, when it is in a `.bzl` file: the macro line that called the rule.
    pub macro_site: Option<Loc>,
    /// For a rule defined by `rule()` in an evaluated `.bzl` file: that file (the rule is
    /// exported there as [`DeclaredTarget::kind`]); see [`EvalContext::run_target_impl`].
    pub rule_file: Option<PathBuf>,
}

impl DeclaredTarget {
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalErrorKind {
    /// The file does not parse (or nests too deeply to evaluate).
    Syntax,
    /// A `load()` that does not resolve, names a missing file, or loads a file that failed.
    Load,
    /// A `load()` that is part of a cycle.
    LoadCycle,
    /// An explicit `fail()`.
    Fail,
    /// A limit of [`EvalLimits`] was hit (ticks, time, call stack, heap, load depth, range).
    Limit,
    /// Any other evaluation error (unknown variable, type error, ...).
    Eval,
}

/// An error of one build file's evaluation.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    /// The message, without location.
    pub message: String,
    /// Where the error is: the failing expression, possibly in a `.bzl` file; for load
    /// errors, the load's module string in the file that wrote it.
    pub loc: Option<Loc>,
    /// The outermost call in the build file that led to the error, when the error is inside a
    /// function called from it.
    pub call_site: Option<Loc>,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.loc {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The result of evaluating one build file.
#[derive(Debug, Default)]
pub struct EvalResult {
    /// Targets in declaration order. When evaluation fails part-way, the targets declared
    /// before the failure are kept (Buck2 would drop the package).
    pub targets: Vec<DeclaredTarget>,
    pub errors: Vec<EvalError>,
    /// Package-level values: `package(k = v)` gives `k`, `oncall("x")` gives `oncall`,
    /// `write_package_value("k", v)` gives `k`.
    pub package_values: Vec<(String, AttrValue)>,
}

/// The label a rule implementation sees as `ctx.label`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImplLabel {
    pub cell: String,
    pub package: String,
    pub name: String,
}

/// One keyword argument of a recorded provider-constructor call.
#[derive(Debug, Clone)]
pub struct ProviderArg {
    pub name: String,
    /// What the argument evaluated to. A provider value made by another recorded call is
    /// `AttrValue::Opaque("<Kind #id>")`; see [`ImplResult::referenced`].
    pub value: AttrValue,
    /// Where the argument's value expression is, when the call is written out
    /// (`CommandExecutorConfig(k = v)`); `None` for arguments passed through `**kwargs`.
    pub loc: Option<Loc>,
}

/// A call of a provider constructor (`CommandExecutorConfig`, `ExecutionPlatformInfo`,
/// `ExecutionPlatformRegistrationInfo`, `ConfigurationInfo`, `PlatformInfo`, `DefaultInfo`)
/// made while a rule implementation ran.
#[derive(Debug, Clone)]
pub struct ProviderCall {
    /// Index in [`ImplResult::calls`].
    pub id: usize,
    /// The constructor's name.
    pub kind: String,
    /// Keyword arguments in call order.
    pub args: Vec<ProviderArg>,
    pub positional: Vec<AttrValue>,
    /// The call expression (in the `.bzl` file, possibly inside a helper function).
    pub loc: Option<Loc>,
}

impl ProviderCall {
    pub fn arg(&self, name: &str) -> Option<&ProviderArg> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// What running a rule implementation recorded ([`EvalContext::run_rule_impl`]).
#[derive(Debug, Default)]
pub struct ImplResult {
    /// Provider-constructor calls in call order.
    pub calls: Vec<ProviderCall>,
    /// Why the implementation could not be run or failed part-way (calls made before a
    /// failure are kept).
    pub errors: Vec<EvalError>,
    /// What the implementation returned (usually a list of `<Kind #id>` opaque values).
    pub returned: Option<AttrValue>,
}

impl ImplResult {
    /// The calls of the constructor `kind`.
    pub fn calls_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a ProviderCall> + 'a {
        self.calls.iter().filter(move |c| c.kind == kind)
    }

    /// The recorded call that made the provider value `v` (`AttrValue::Opaque("<Kind #id>")`).
    pub fn referenced(&self, v: &AttrValue) -> Option<&ProviderCall> {
        let AttrValue::Opaque(s) = v else { return None };
        let (kind, id) = s.strip_prefix('<')?.strip_suffix('>')?.rsplit_once(" #")?;
        let call = self.calls.get(id.parse::<usize>().ok()?)?;
        (call.kind == kind).then_some(call)
    }
}

/// Shared state of a run: the options and the cache of frozen `.bzl` modules.
pub struct EvalContext {
    pub(crate) options: Arc<EvalOptions>,
    pub(crate) cache: loader::ModuleCache,
    /// Prelude stub modules by module id and requested symbols: build files load the same
    /// few, and each costs a heap, a stub per symbol and a freeze.
    pub(crate) stubs: loader::StubCache,
}

impl EvalContext {
    pub fn new(options: EvalOptions) -> EvalContext {
        EvalContext { options: Arc::new(options), cache: loader::ModuleCache::default(), stubs: Default::default() }
    }

    pub fn options(&self) -> &EvalOptions {
        &self.options
    }

    /// How many `.bzl` files this context has evaluated (each at most once).
    pub fn bzl_evaluations(&self) -> usize {
        self.cache.evaluations()
    }

    /// Evaluate one build file; see [`eval_build_file`].
    pub fn eval_build_file(&self, path: &Path, text: &str) -> EvalResult {
        loader::eval_build_file(self, path, text, None)
    }

    /// [`EvalContext::eval_build_file`] with the file's syntax tree when the caller has it
    /// (parsed from `text` with the dialect of [`crate::parse::starlark::permissive_dialect`],
    /// its code map named as the caller likes): the file is not parsed again. Locations in
    /// the file are reported under `path` all the same.
    pub fn eval_build_file_parsed(&self, path: &Path, text: &str, ast: Option<AstModule>) -> EvalResult {
        loader::eval_build_file(self, path, text, ast)
    }

    /// Run the implementation of the rule that the `.bzl` file `bzl` exports as `rule_var`
    /// (`rule_var = rule(impl = f, attrs = {...})`) for a target with attributes `attrs` (as
    /// in [`DeclaredTarget::attrs`]), recording the provider constructors it calls. `ctx.label`
    /// has the target's `name` attribute, no cell or package; see
    /// [`EvalContext::run_rule_impl_at`]. Call on a thread with a large stack, as
    /// [`eval_build_file`].
    pub fn run_rule_impl(&self, bzl: &Path, rule_var: &str, attrs: &[(String, AttrValue)]) -> ImplResult {
        let name = attrs.iter().find(|(k, _)| k == "name").and_then(|(_, v)| v.as_str()).unwrap_or_default();
        let label = ImplLabel { name: name.to_owned(), ..ImplLabel::default() };
        rule_impl::run(self, bzl, rule_var, &label, attrs)
    }

    /// [`EvalContext::run_rule_impl`] with the label `ctx.label` shows.
    pub fn run_rule_impl_at(
        &self,
        bzl: &Path,
        rule_var: &str,
        label: &ImplLabel,
        attrs: &[(String, AttrValue)],
    ) -> ImplResult {
        rule_impl::run(self, bzl, rule_var, label, attrs)
    }

    /// Run the implementation of `target`'s rule when it is a `rule()` of an evaluated `.bzl`
    /// file ([`DeclaredTarget::rule_file`]), with `ctx.label` from `build_file` (the file that
    /// declared it); `None` for prelude and built-in rules.
    pub fn run_target_impl(&self, build_file: &Path, target: &DeclaredTarget) -> Option<ImplResult> {
        let bzl = target.rule_file.as_ref()?;
        let label = self.label_of(build_file, target);
        Some(rule_impl::run(self, bzl, &target.kind, &label, &target.attrs))
    }

    /// The label of `target`, declared by the build file `build_file` (cell and package as in
    /// build-file evaluation).
    pub fn label_of(&self, build_file: &Path, target: &DeclaredTarget) -> ImplLabel {
        let (cell, package) = cell_and_package(&self.options, build_file);
        ImplLabel { cell, package, name: target.name.clone() }
    }
}

/// Evaluate the build file at `path` whose text is `text`, loading (and caching in `ctx`) the
/// `.bzl` files it loads. Never panics on bad input; every problem is in
/// [`EvalResult::errors`]. Call on a thread with a large stack (16 MiB): the parser and
/// compiler recurse, bounded by [`EvalLimits::max_nesting`] and
/// [`EvalLimits::max_callstack`]. Measured in a debug build: 256 nested Starlark calls fit
/// in 2 MiB, 400 nested `lambda`s need 4 MiB, the default limits 16 MiB.
pub fn eval_build_file(ctx: &EvalContext, path: &Path, text: &str) -> EvalResult {
    ctx.eval_build_file(path, text)
}

/// Whether `name` is a global of every evaluation (a built-in, a rule of the prelude,
/// `native`, ...).
pub fn is_global(name: &str) -> bool {
    globals::builtin(name).is_some()
}

/// The cell and package of a build file: the longest cell root containing it.
pub(crate) fn cell_and_package(options: &EvalOptions, build_file: &Path) -> (String, String) {
    let dir = build_file.parent().unwrap_or(Path::new(""));
    let best =
        options.cells.iter().filter(|(_, root)| dir.starts_with(root)).max_by_key(|(_, root)| root.as_os_str().len());
    match best {
        Some((cell, root)) => {
            let rel = dir.strip_prefix(root).unwrap_or(dir);
            let pkg: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            (cell.clone(), pkg.join("/"))
        }
        None => (String::new(), dir.to_string_lossy().replace('\\', "/")),
    }
}
