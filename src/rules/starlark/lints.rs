//! `starlark-*`: the starlark crate's own lints (`AstModule::lint`), re-emitted as
//! `starlark-<short_name>` on BUCK, PACKAGE and .bzl files, one rule per lint. The crate
//! runs all its lints in one pass, so the pass runs once per file (the first enabled
//! `starlark-*` rule asks for it through [`FileCx::starlark_lints`]) and each rule takes its
//! own. The crate's `# starlark-lint-disable` comments stay active. `starlark-using-undefined`
//! is given the Buck2 globals from `data/buck2-builtins.toml`. `starlark-unused-load` has a
//! safe fix.
use std::collections::HashSet;
use std::sync::LazyLock;

use starlark::analysis::AstModuleLint;

use super::own_lints::{self, Hit};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::parse::Parsed;
use crate::rules::registry::declare_rule;
use crate::rules::util::span;
use crate::rules::{Check, FileCx, Rule, Sink};
use crate::source::Span;

declare_rule! {
    StarlarkMissingReturnExpression {
        id: "starlark-missing-return-expression",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkMissingReturn {
        id: "starlark-missing-return",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkUnreachable {
        id: "starlark-unreachable",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkRedundantReturn {
        id: "starlark-redundant-return",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkRedundantContinue {
        id: "starlark-redundant-continue",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkMisplacedLoad {
        id: "starlark-misplaced-load",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkNoEffect {
        id: "starlark-no-effect",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkIncompatibleTypeCheck {
        id: "starlark-incompatible-type-check",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkDuplicateTopLevelAssign {
        id: "starlark-duplicate-top-level-assign",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkDuplicateKey {
        id: "starlark-duplicate-key",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkIdentAsStatement {
        id: "starlark-ident-as-statement",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkUnusedLoad {
        id: "starlark-unused-load",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: Safe,
    }
    StarlarkUnusedAssign {
        id: "starlark-unused-assign",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkUnusedArgument {
        id: "starlark-unused-argument",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkUsingUnassigned {
        id: "starlark-using-unassigned",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkUsingUndefined {
        id: "starlark-using-undefined",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkUsingMaybeUndefined {
        id: "starlark-using-maybe-undefined",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkUnderscoreDefinition {
        id: "starlark-underscore-definition",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkUsingIgnored {
        id: "starlark-using-ignored",
        code: None,
        category: Starlark,
        severity: Info,
        default: false,
        fix: None,
    }
    StarlarkDictWithoutStarStar {
        id: "starlark-dict-without-star-star",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkEagerAndInefficientBoolCheck {
        id: "starlark-eager-and-inefficient-bool-check",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    StarlarkInefficientBoolCheck {
        id: "starlark-inefficient-bool-check",
        code: None,
        category: Starlark,
        severity: Warning,
        default: true,
        fix: None,
    }
    ; family
}

macro_rules! lint_check {
    ($name:ident) => {
        impl Check for $name {
            fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
                emit(cx, sink, Rule::$name);
            }
        }
    };
}

lint_check!(StarlarkMissingReturnExpression);
lint_check!(StarlarkMissingReturn);
lint_check!(StarlarkUnreachable);
lint_check!(StarlarkRedundantReturn);
lint_check!(StarlarkRedundantContinue);
lint_check!(StarlarkMisplacedLoad);
lint_check!(StarlarkNoEffect);
lint_check!(StarlarkIncompatibleTypeCheck);
lint_check!(StarlarkDuplicateTopLevelAssign);
lint_check!(StarlarkDuplicateKey);
lint_check!(StarlarkIdentAsStatement);
lint_check!(StarlarkUnusedLoad);
lint_check!(StarlarkUnusedAssign);
lint_check!(StarlarkUnusedArgument);
lint_check!(StarlarkUsingUnassigned);
lint_check!(StarlarkUsingUndefined);
lint_check!(StarlarkUsingMaybeUndefined);
lint_check!(StarlarkUnderscoreDefinition);
lint_check!(StarlarkUsingIgnored);
lint_check!(StarlarkDictWithoutStarStar);
lint_check!(StarlarkEagerAndInefficientBoolCheck);
lint_check!(StarlarkInefficientBoolCheck);

static GLOBALS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let doc: toml_edit::DocumentMut = crate::model::data::BUCK2_BUILTINS.parse().unwrap_or_default();
    doc.get("globals")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
});

/// The `starlark-*` lints of this file, computed on first use: by [`own_lints`] when only
/// default rules are on and it models the file exactly, else by the crate's pass.
pub fn lints_of<'c>(cx: &'c FileCx<'_>) -> &'c [Hit] {
    cx.starlark_lints.get_or_init(|| {
        // a large file parsed in pieces has no whole syntax tree to lint
        let Parsed::Starlark { ast: Some(ast), .. } = cx.parsed else { return Vec::new() };
        if !off_by_default_enabled(cx) {
            // a declarative file (loads, then rule calls with plain arguments) gives none of
            // the default lints
            if declarative::is_declarative(ast.statement()) {
                return Vec::new();
            }
            if let Some(hits) = own_lints::default_lints(ast) {
                return hits;
            }
        }
        let globals = cx.settings.is_enabled(Rule::StarlarkUsingUndefined).then(|| &*GLOBALS);
        crate_lints(ast, globals)
    })
}

/// The crate's own pass, as [`Hit`]s.
pub fn crate_lints(ast: &starlark::syntax::AstModule, globals: Option<&HashSet<String>>) -> Vec<Hit> {
    ast.lint(globals)
        .into_iter()
        .map(|l| Hit {
            start: l.location.span.begin().get(),
            end: l.location.span.end().get(),
            short: l.short_name.into(),
            problem: l.problem,
        })
        .collect()
}

/// Our own default lints of a module and the crate's (its default ones only), both sorted:
/// they must be equal (checked by the tests and the `starlark_lint` fuzz target). `None`
/// when [`own_lints`] leaves the module to the crate.
pub fn own_and_crate_default_lints(ast: &starlark::syntax::AstModule) -> Option<(Vec<Hit>, Vec<Hit>)> {
    let mut own = own_lints::default_lints(ast)?;
    let defaults: Vec<&str> = crate::rules::list::RULES
        .iter()
        .filter(|m| m.default_enabled)
        .filter_map(|m| m.id.strip_prefix("starlark-"))
        .collect();
    let mut theirs: Vec<Hit> = crate_lints(ast, None).into_iter().filter(|h| defaults.contains(&&*h.short)).collect();
    own.sort();
    theirs.sort();
    Some((own, theirs))
}

/// Is a `starlark-*` rule that is off by default enabled? (`unused-load`, `using-undefined`
/// and the others read names that a declarative file has too.)
fn off_by_default_enabled(cx: &FileCx<'_>) -> bool {
    crate::rules::list::RULES
        .iter()
        .any(|m| m.id.starts_with("starlark-") && !m.default_enabled && cx.settings.is_enabled(m.rule))
}

/// Which files the crate's default lints cannot fire on, decided from the syntax tree in one
/// walk. A file qualifies when it is only `load()` statements, followed only by call
/// statements and plain assignments `NAME = …` (every name bound once, by a load or an
/// assignment, and used only after its assignment), and every expression in it is a literal, an identifier,
/// an attribute, a list, tuple or dict (dict keys distinct string or integer literals), a
/// call (not of `any`, `all`, `dict` or `type`), indexing, `not`/unary minus, an
/// if-expression, or `+`, `*`, `%`, `|`. Then:
/// - flow lints (`missing-return*`, `unreachable`, `redundant-*`) need a `def`;
/// - `misplaced-load` needs a load after another statement;
/// - `no-effect` and `ident-as-statement` need a statement that is not a call;
/// - `duplicate-top-level-assign` needs a name bound twice, `duplicate-key` two equal keys;
/// - `using-unassigned`/`using-maybe-undefined` need an assignment (or a comprehension or
///   lambda, which bind names);
/// - `incompatible-type-check` needs a comparison with `type(…)`; the performance lints need
///   a call of `any`, `all` or `dict`.
///
/// The off-by-default lints are not covered (see [`off_by_default_enabled`]). Tested against
/// the crate's own pass on every fixture (`tests/starlark_prefilter.rs`).
pub(crate) mod declarative {
    use rustc_hash::FxHashSet as HashSet;

    use starlark::syntax::ast::{ArgumentP, AssignTargetP, AstExpr, AstLiteral, AstStmt, BinOp, Expr, Stmt};

    pub fn is_declarative(module: &AstStmt) -> bool {
        let stmts: &[AstStmt] = match &module.node {
            Stmt::Statements(v) => v,
            _ => std::slice::from_ref(module),
        };
        // every name the module assigns, to tell a use before its assignment
        let assigned: HashSet<&str> = stmts
            .iter()
            .filter_map(|st| match &st.node {
                Stmt::Assign(a) => match &a.lhs.node {
                    AssignTargetP::Identifier(id) => Some(id.node.ident.as_str()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let mut cx = Names { assigned, bound: HashSet::default() };
        let mut loads_done = false;
        for st in stmts {
            match &st.node {
                Stmt::Load(l) if !loads_done => {
                    for a in &l.args {
                        if !cx.bound.insert(a.local.node.ident.as_str()) {
                            return false;
                        }
                    }
                }
                Stmt::Expression(e) if matches!(e.node, Expr::Call(..)) => {
                    loads_done = true;
                    if !cx.plain(e) {
                        return false;
                    }
                }
                Stmt::Assign(a) if a.ty.is_none() => {
                    loads_done = true;
                    let AssignTargetP::Identifier(id) = &a.lhs.node else { return false };
                    if !cx.plain(&a.rhs) || !cx.bound.insert(id.node.ident.as_str()) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }

    /// The module's names: assigned anywhere, and bound so far (loads, earlier assignments).
    struct Names<'a> {
        assigned: HashSet<&'a str>,
        bound: HashSet<&'a str>,
    }

    impl Names<'_> {
        fn plain(&self, e: &AstExpr) -> bool {
            let plain = |x: &AstExpr| self.plain(x);
            match &e.node {
                Expr::Literal(AstLiteral::Ellipsis) => false,
                Expr::Literal(_) => true,
                // a name the module assigns later is used before its assignment
                Expr::Identifier(id) => {
                    let n = id.node.ident.as_str();
                    !self.assigned.contains(n) || self.bound.contains(n)
                }
                Expr::Dot(x, _) | Expr::Not(x) | Expr::Minus(x) | Expr::Plus(x) => plain(x),
                Expr::Tuple(v) | Expr::List(v) => v.iter().all(plain),
                Expr::Dict(kv) => {
                    #[derive(PartialEq, Eq, Hash)]
                    enum Key<'k> {
                        Str(&'k str),
                        Int(String),
                    }
                    let mut keys: HashSet<Key<'_>> = HashSet::default();
                    kv.iter().all(|(k, v)| {
                        let key = match &k.node {
                            Expr::Literal(AstLiteral::String(s)) => Key::Str(s.node.as_str()),
                            Expr::Literal(AstLiteral::Int(i)) => Key::Int(i.node.to_string()),
                            _ => return false,
                        };
                        keys.insert(key) && plain(v)
                    })
                }
                Expr::Call(f, args) => {
                    let banned = matches!(&f.node, Expr::Identifier(id)
                        if matches!(id.node.ident.as_str(), "any" | "all" | "dict" | "type"));
                    !banned
                        && plain(f)
                        && args.args.iter().all(|a| match &a.node {
                            ArgumentP::Positional(x)
                            | ArgumentP::Named(_, x)
                            | ArgumentP::Args(x)
                            | ArgumentP::KwArgs(x) => plain(x),
                        })
                }
                Expr::Index(b) => plain(&b.0) && plain(&b.1),
                Expr::If(b) => plain(&b.0) && plain(&b.1) && plain(&b.2),
                Expr::Op(l, op, r) => {
                    matches!(op, BinOp::Add | BinOp::Multiply | BinOp::Percent | BinOp::BitOr) && plain(l) && plain(r)
                }
                _ => false,
            }
        }
    }
}

/// Report this rule's lints of the file.
fn emit(cx: &FileCx<'_>, sink: &mut Sink<'_>, rule: Rule) {
    let meta = rule.meta();
    let short = &meta.id["starlark-".len()..];
    for lint in lints_of(cx) {
        if lint.short != short {
            continue;
        }
        let r = lint.start..lint.end;
        let mut d = Diagnostic::new(rule, meta.severity, span(cx.file.id, &r), lint.problem.clone());
        if rule == Rule::StarlarkUnusedLoad {
            if let Parsed::Starlark { module, .. } = cx.parsed {
                if let Some(fix) = unused_load_fix(cx, module, &r) {
                    d = d.with_fix(fix);
                }
            }
        }
        sink.push(d);
    }
}

/// Delete the unused symbol, or the whole `load` when it is the only one.
fn unused_load_fix(cx: &FileCx<'_>, module: &crate::model::ir::Module, r: &std::ops::Range<u32>) -> Option<Fix> {
    let text: &str = &cx.file.text;
    for load in &module.loads {
        let Some(i) = load.symbols.iter().position(|s| {
            s.span.start <= r.start
                && r.end <= s.span.end.max(r.end)
                && s.span.start >= load.span.start
                && r.start < s.span.end
        }) else {
            continue;
        };
        let edit = if load.symbols.len() == 1 {
            let start = load.span.start as usize;
            let mut end = load.span.end as usize;
            if text[end..].starts_with('\n') {
                end += 1;
            }
            Edit { span: Span::new(cx.file.id, start..end), content: String::new() }
        } else {
            let sym = &load.symbols[i];
            let (start, end) = if i + 1 < load.symbols.len() {
                (sym.span.start as usize, load.symbols[i + 1].span.start as usize)
            } else {
                let prev = &load.symbols[i - 1];
                (prev.span.end as usize, sym.span.end as usize)
            };
            Edit { span: Span::new(cx.file.id, start..end), content: String::new() }
        };
        return Some(Fix {
            applicability: Applicability::Safe,
            description: "Remove the unused load".into(),
            edits: vec![edit],
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::declarative::is_declarative;
    use starlark::analysis::AstModuleLint;

    /// The default `starlark-*` lints' short names.
    fn default_short_names() -> Vec<&'static str> {
        crate::rules::list::RULES
            .iter()
            .filter(|m| m.default_enabled)
            .filter_map(|m| m.id.strip_prefix("starlark-"))
            .collect()
    }

    fn starlark_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != ".git" && name != "buck-out" {
                    starlark_files(&p, out);
                }
            } else if crate::discover::classify(&p, &["BUCK".into(), "BUCK.v2".into(), "TARGETS".into()])
                .is_some_and(|k| k.is_starlark())
            {
                out.push(p);
            }
        }
    }

    /// The prefilter against the crate's own pass: no file it lets skip the pass has a default
    /// lint. Runs over every Starlark file of `testdata/` and the dirs in
    /// `BUCK_LINT_PREFILTER_DIRS` (colon-separated; for checking real checkouts by hand).
    #[test]
    fn declarative_files_have_no_default_lints() {
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        if let Ok(extra) = std::env::var("BUCK_LINT_PREFILTER_DIRS") {
            dirs.extend(extra.split(':').filter(|s| !s.is_empty()).map(std::path::PathBuf::from));
        }
        let names = default_short_names();
        let (mut files, mut skipped) = (Vec::new(), 0);
        for d in &dirs {
            starlark_files(d, &mut files);
        }
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            let Ok(ast) = crate::parse::starlark::parse(&f.to_string_lossy(), &text) else { continue };
            if !is_declarative(ast.statement()) {
                continue;
            }
            skipped += 1;
            let lints: Vec<String> = ast
                .lint(None)
                .into_iter()
                .filter(|l| names.contains(&l.short_name.as_str()))
                .map(|l| format!("{}: {}", l.short_name, l.problem))
                .collect();
            assert!(lints.is_empty(), "{} is declarative but has {lints:?}", f.display());
        }
        eprintln!("{skipped} of {} Starlark files skip the lint pass", files.len());
        assert!(skipped > 0, "the fixtures include declarative files");
    }

    /// Our own default lints against the crate's pass: the same findings (short name, span,
    /// message) on every Starlark file of `testdata/` and of the dirs in
    /// `BUCK_LINT_PREFILTER_DIRS`, and on the snippets below, which exercise every lint and
    /// the flow constructs the name analysis follows.
    #[test]
    fn own_lints_match_the_crate() {
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        if let Ok(extra) = std::env::var("BUCK_LINT_PREFILTER_DIRS") {
            dirs.extend(extra.split(':').filter(|s| !s.is_empty()).map(std::path::PathBuf::from));
        }
        let mut files = Vec::new();
        for d in &dirs {
            starlark_files(d, &mut files);
        }
        let (mut compared, mut with_lints) = (0, 0);
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            if let Some(n) = compare_with_crate(&f.to_string_lossy(), &text) {
                compared += 1;
                with_lints += usize::from(n > 0);
            }
        }
        for (i, src) in SNIPPETS.iter().enumerate() {
            if let Err(e) = crate::parse::starlark::parse("snippet.bzl", src) {
                panic!("snippet {i} does not parse: {e:?}");
            }
            let n = compare_with_crate(&format!("snippet{i}.bzl"), src);
            assert!(n.is_some_and(|n| n > 0), "snippet {i} has no default lint:\n{src}");
        }
        eprintln!("{compared} of {} Starlark files compared, {with_lints} with lints", files.len());
        assert!(compared > 0);
    }

    /// Compare on one file; the number of lints, or `None` when it does not parse or our
    /// implementation leaves it to the crate.
    fn compare_with_crate(name: &str, text: &str) -> Option<usize> {
        let ast = crate::parse::starlark::parse(name, text).ok()?;
        let (own, theirs) = super::own_and_crate_default_lints(&ast)?;
        assert_eq!(own, theirs, "{name}");
        Some(own.len())
    }

    /// Each has at least one default lint.
    const SNIPPETS: &[&str] = &[
        // flow: missing returns, unreachable code, misplaced loads, no effect
        r#""doc"
load(":a.bzl", "a")
x = 1
load(":b.bzl", "b")
def f(v) -> str:
    if v:
        return
    elif a:
        fail("no")
def g(v):
    if v:
        return 1
    return
def h(v):
    for i in v:
        continue
        i
    return v
    pass
def k() -> None:
    return
def m(v):
    def inner():
        return 2
    if v:
        return inner()
    else:
        fail("x")
    v = 1
1
(1, [2], {3: "s"})
(x if b else 1)
lambda: 1
"docs"
b
"#,
        // expressions: type checks, duplicate keys, performance
        r#"def f(x, y):
    if type(x) == str or type(x) != list or type(y, 1) == int or type(x) == dict:
        pass
    d = {"a": 1, "a": 2, "a": 3, 1: 0, 1: 1, x: 1, x: 2, True: 0, (1,): 0, (1,): 1}
    e = dict(**d)
    g = dict(z = 1, **d)
    return any([v for v in x]) or all({k: 1 for k in y}) or any(list(y)) or all(dict(y)) or any(x) or all(set(x))
z = [type(q) == tuple for q in [1]]
w = lambda t = type(1) == bool: t
"#,
        // top-level assignments
        r#"load(":a.bzl", "a", "b", c = "d")
a = a
a = a
b = 2
c += 1
x, (y, z) = 1, (2, 3)
x = 4
def y():
    q = 1
    q = 2
    return q
if x:
    w = 1
else:
    w = 2
for i in [1]:
    v = i
v = 3
def y(): pass
"#,
        // names: unassigned and maybe undefined, through branches, loops, scopes
        r#"a = no1
no1 = 9
t = no3()
def no3(): pass
def f(b, xs):
    if b:
        m1 = xs
    for x in m1:
        return x
    for m2 in xs:
        print(m2)
    print(m2)
    if b:
        ok = 1
    else:
        ok = 2
    print(ok)
    if b:
        ok2 = 1
    elif xs:
        return
    else:
        fail("x")
    print(ok2)
    for x in xs:
        if x:
            c = 1
        else:
            continue
        print(c)
    for x in xs:
        if x:
            break
        d = 1
    print(d)
    n = 0
    for x in xs:
        n += 1
        u2 += 1
        r = [y for y in xs if y > late]
        late = 1
    print(n, r)
    lam = lambda q = m3: q + cap
    cap = 1
    m3 = 2
    g = [z for z in xs for w in z if w]
    h = {k: v for k, v in xs}
    print(g, h, lam)
def nest(xs):
    for a in xs:
        for b in a:
            for c in b:
                for d in c:
                    for e in d:
                        for f in e:
                            if f:
                                g1 = 1
                            print(g1)
def aug():
    s += 1
    s[0] += 1
    t.x = 1
    (p, [q1, q2]) = 1, [2, 3]
    return p, q1, q2
def uses_later():
    return later_global + m4
later_global = 1
if t:
    m4 = 1
print(m4)
"#,
        // suppressions apply
        "def f() -> str:  # starlark-lint-disable missing-return\n    pass\ndef g() -> str:\n    pass\n",
    ];

    #[test]
    fn what_is_not_declarative() {
        let decl = |src: &str| is_declarative(crate::parse::starlark::parse("BUCK", src).unwrap().statement());
        assert!(decl(
            "load(\":a.bzl\", \"f\")\nf(name = \"x\", deps = [\":y\"], env = {\"A\": \"1\"} | {\"B\": \"2\"})\n"
        ));
        assert!(decl(
            "rust_library(name = \"x\", srcs = glob([\"src/**/*.rs\"]), features = select({\"DEFAULT\": []}))\n"
        ));
        assert!(decl("_V = \"1.0\"\nrust_library(name = \"x\", version = _V)\n"));
        // a string key and an int key of the same text are different keys
        assert!(decl("f(env = {\"1\": 1, 1: 2})\n"));
        for src in [
            "f(name = x)\nx = 1\n",                               // a use before the assignment
            "x = 1\nx = 2\n",                                     // a name assigned twice
            "x: str = \"a\"\n",                                   // an annotated assignment
            "x += [1]\n",                                         // an augmented assignment
            "f(name = \"a\")\nload(\":a.bzl\", \"g\")\n",         // a misplaced load
            "load(\":a.bzl\", \"f\")\nload(\":b.bzl\", \"f\")\n", // a name loaded twice
            "f(env = {\"A\": 1, \"A\": 2})\n",                    // a duplicate key
            "f(env = {1: 1, 1: 2})\n",                            // a duplicate int key
            "f(x = [y for y in z])\n",                            // a comprehension binds names
            "f(x = type(y) == \"string\")\n",                     // a comparison
            "f(x = any([1]))\n",                                  // a performance lint's call
            "\"docstring\"\n",                                    // not a call
            "def f():\n    pass\n",                               // a def
        ] {
            assert!(!decl(src), "{src}");
        }
    }
}
