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

/// The crate's lints of this file, computed on first use.
pub fn lints_of<'c>(cx: &'c FileCx<'_>) -> &'c [starlark::analysis::Lint] {
    cx.starlark_lints.get_or_init(|| {
        // a large file parsed in pieces has no whole syntax tree to lint
        let Parsed::Starlark { ast: Some(ast), .. } = cx.parsed else { return Vec::new() };
        // a declarative file (loads, then rule calls with plain arguments) gives none of the
        // default lints: skip the crate's pass, which walks the tree once per lint family
        if !off_by_default_enabled(cx) && declarative::is_declarative(ast.statement()) {
            return Vec::new();
        }
        let globals = cx.settings.is_enabled(Rule::StarlarkUsingUndefined).then(|| &*GLOBALS);
        ast.lint(globals)
    })
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
    use std::collections::HashSet;

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
        let mut cx = Names { assigned, bound: HashSet::new() };
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
                    let mut keys: HashSet<String> = HashSet::new();
                    kv.iter().all(|(k, v)| {
                        let key = match &k.node {
                            Expr::Literal(AstLiteral::String(s)) => format!("s{}", s.node),
                            Expr::Literal(AstLiteral::Int(i)) => format!("i{}", i.node),
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
        if lint.short_name != short {
            continue;
        }
        let s = lint.location.span;
        let r = s.begin().get()..s.end().get();
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
        for src in [
            "f(name = x)\nx = 1\n",                               // a use before the assignment
            "x = 1\nx = 2\n",                                     // a name assigned twice
            "x: str = \"a\"\n",                                   // an annotated assignment
            "x += [1]\n",                                         // an augmented assignment
            "f(name = \"a\")\nload(\":a.bzl\", \"g\")\n",         // a misplaced load
            "load(\":a.bzl\", \"f\")\nload(\":b.bzl\", \"f\")\n", // a name loaded twice
            "f(env = {\"A\": 1, \"A\": 2})\n",                    // a duplicate key
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
