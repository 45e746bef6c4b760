//! A compact, owned lowering of a Starlark module: the parts static analysis needs
//! (loads, top-level assignments, function definitions, top-level calls), with byte spans.
//! Built once per file from the `starlark` AST, then the AST is dropped.

pub use super::sym::Sym;
use starlark_syntax::codemap::Span as SSpan;
use starlark_syntax::lexer::TokenInt;
use starlark_syntax::syntax::AstModule;
use starlark_syntax::syntax::ast::{
    ArgumentP, AssignTargetP, AstExpr, AstLiteral, AstStmt, BinOp as SBinOp, ExprP, ParameterP, StmtP,
};

pub type Range = std::ops::Range<u32>;

fn r(span: SSpan) -> Range {
    span.begin().get()..span.end().get()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    BitOr,
    Percent,
    Other,
}

/// An expression. Kept at 32 bytes (checked in the tests): every variant's payload fits in
/// 16 bytes, identifiers are interned, and nested or rare parts are boxed.
#[derive(Debug, Clone)]
pub enum ExprKind {
    Str(Box<str>),
    Int(i64),
    Bool(bool),
    None,
    List(Box<[Expr]>),
    Tuple(Box<[Expr]>),
    Dict(Box<[(Expr, Expr)]>),
    Ident(Sym),
    Dot(Box<Expr>, Sym),
    Call(Box<Call>),
    Bin(Box<(Expr, BinOp, Expr)>),
    /// `f"..."`: the format with `{}` markers and the interpolated expressions.
    FString(Box<(String, Vec<Expr>)>),
    Index(Box<Expr>, Box<Expr>),
    /// Anything static analysis does not look into (comprehensions, lambdas, `x if c else y`, …).
    Other,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub span: Range,
    pub kind: ExprKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Positional,
    Named,
    Args,
    KwArgs,
}

#[derive(Debug, Clone)]
pub struct Arg {
    pub kind: ArgKind,
    /// Keyword name (interned).
    pub name: Option<Sym>,
    /// Span of the whole argument (`name = value`).
    pub span: Range,
    pub value: Expr,
}

impl Arg {
    /// Span of the keyword, for named arguments (the argument starts with it); the whole
    /// argument otherwise.
    pub fn name_span(&self) -> Range {
        match &self.name {
            Some(n) => self.span.start..self.span.start + n.len() as u32,
            None => self.span.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub func: Expr,
    pub args: Vec<Arg>,
    /// Span of the whole call expression.
    pub span: Range,
}

impl Call {
    /// `cargo.rust_library` for `cargo.rust_library(...)`, `rule` for `rule(...)`.
    pub fn callee_name(&self) -> Option<String> {
        dotted_name(&self.func)
    }
    pub fn kwarg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().rev().find(|a| a.kind == ArgKind::Named && a.name.as_deref() == Some(name))
    }
    pub fn has_kwargs_splat(&self) -> bool {
        self.args.iter().any(|a| a.kind == ArgKind::KwArgs)
    }
    /// The literal string `name = "..."` argument, if any.
    pub fn name_arg(&self) -> Option<(&str, Range)> {
        // the hottest keyword lookup (target names): compare interned symbols
        static NAME: std::sync::LazyLock<Sym> = std::sync::LazyLock::new(|| Sym::new("name"));
        let name = *NAME;
        let a = self.args.iter().rev().find(|a| a.kind == ArgKind::Named && a.name == Some(name))?;
        match &a.value.kind {
            ExprKind::Str(s) => Some((&**s, a.value.span.clone())),
            _ => None,
        }
    }
}

pub fn dotted_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Ident(s) => Some(s.to_string()),
        ExprKind::Dot(inner, attr) => Some(format!("{}.{}", dotted_name(inner)?, attr)),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct LoadSymbol {
    pub local: String,
    pub their: String,
    pub span: Range,
}

#[derive(Debug, Clone)]
pub struct Load {
    pub module: String,
    pub module_span: Range,
    pub symbols: Vec<LoadSymbol>,
    pub span: Range,
}

#[derive(Debug, Clone)]
pub struct Assign {
    pub name: String,
    pub name_span: Range,
    pub value: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Normal,
    Args,
    KwArgs,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct FnDef {
    pub name: String,
    pub name_span: Range,
    pub span: Range,
    pub params: Vec<Param>,
    /// Simple `name = expr` assignments anywhere in the body, in order (the value is
    /// `exprs[value]`).
    pub assigns: Vec<LocalAssign>,
    /// Names assigned more than once, or through augmented assignment / loops.
    pub reassigned: Vec<String>,
    /// Every expression evaluated in the body (expression statements, returns, assignment
    /// right-hand sides, conditions), for finding calls.
    pub exprs: Vec<Expr>,
}

/// A `name = expr` assignment in a function body; the value is in [`FnDef::exprs`].
#[derive(Debug, Clone)]
pub struct LocalAssign {
    pub name: String,
    pub name_span: Range,
    /// Index of the value in [`FnDef::exprs`].
    pub value: usize,
}

/// A top-level statement kind that the BUCK dialect forbids, for `buck-dialect`.
#[derive(Debug, Clone)]
pub struct DialectIssue {
    pub what: &'static str,
    pub span: Range,
}

#[derive(Debug, Clone, Default)]
pub struct Module {
    pub loads: Vec<Load>,
    /// Top-level `name = expr` assignments in order (later ones shadow earlier ones).
    pub globals: Vec<Assign>,
    pub reassigned_globals: Vec<String>,
    pub defs: Vec<FnDef>,
    /// Top-level call statements (target declarations and macro calls in build files).
    pub calls: Vec<Call>,
    /// Prelude-rule target declarations of a first-party build file, packed after the
    /// per-file rules ran (see [`super::prune`]); `calls` holds the others.
    pub packed: super::packed::PackedCalls,
    /// Constructs a BUCK/PACKAGE file may not contain.
    pub dialect_issues: Vec<DialectIssue>,
    /// Comment spans (including the leading `#`).
    pub comments: Vec<Range>,
    /// Spans of top-level statements, for own-line suppressions.
    pub statements: Vec<Range>,
    /// A top-level `for`, `if` or list statement holds a call: it may declare targets the
    /// static reading cannot count (set by [`crate::parse::parse`], see [`flow_calls`]).
    pub flow_calls: bool,
}

/// Whether a top-level statement of `m` starting with `for `, `if ` or `[` contains a `(`
/// in `text` (the file `m` was lowered from).
pub fn flow_calls(m: &Module, text: &str) -> bool {
    m.statements
        .iter()
        .filter_map(|r| text.get(r.start as usize..r.end as usize))
        .any(|s| (s.starts_with("for ") || s.starts_with("if ") || s.starts_with('[')) && s.contains('('))
}

impl Module {
    pub fn global(&self, name: &str) -> Option<&Assign> {
        self.globals.iter().rev().find(|g| g.name == name)
    }
    pub fn def(&self, name: &str) -> Option<&FnDef> {
        self.defs.iter().rev().find(|d| d.name == name)
    }
}

impl FnDef {
    /// The value of a local assigned once (not reassigned, not in a loop).
    pub fn local(&self, name: &str) -> Option<&Expr> {
        if self.reassigned.iter().any(|n| n == name) {
            return None;
        }
        self.assigns.iter().find(|a| a.name == name).and_then(|a| self.exprs.get(a.value))
    }
}

/// Lower a parsed module.
pub fn lower(ast: &AstModule) -> Module {
    let mut m = Module { comments: ast.comments().iter().map(|s| r(*s)).collect(), ..Module::default() };
    let stmt = ast.statement();
    let top: Vec<&AstStmt> = match &stmt.node {
        StmtP::Statements(v) => v.iter().collect(),
        _ => vec![stmt],
    };
    let mut seen_globals: Vec<String> = Vec::new();
    for s in top {
        lower_top(s, &mut m, &mut seen_globals);
    }
    m
}

fn lower_top(s: &AstStmt, m: &mut Module, seen: &mut Vec<String>) {
    m.statements.push(r(s.span));
    match &s.node {
        StmtP::Statements(v) => {
            m.statements.pop();
            for x in v {
                lower_top(x, m, seen);
            }
        }
        StmtP::Load(load) => m.loads.push(Load {
            module: load.module.node.clone(),
            module_span: r(load.module.span),
            symbols: load
                .args
                .iter()
                .map(|a| LoadSymbol {
                    local: a.local.node.ident.clone(),
                    their: a.their.node.clone(),
                    span: r(a.span()),
                })
                .collect(),
            span: r(s.span),
        }),
        StmtP::Assign(a) => {
            if let Some(ty) = &a.ty {
                m.dialect_issues.push(DialectIssue { what: "type annotation", span: r(ty.span) });
            }
            if let AssignTargetP::Identifier(id) = &a.lhs.node {
                let name = id.node.ident.clone();
                if seen.contains(&name) {
                    m.reassigned_globals.push(name.clone());
                } else {
                    seen.push(name.clone());
                }
                m.globals.push(Assign { name, name_span: r(id.span), value: lower_expr(&a.rhs) });
            } else {
                // Tuple assignments etc.: record the value for call discovery only.
                let e = lower_expr(&a.rhs);
                if let ExprKind::Call(c) = e.kind {
                    m.calls.push(*c);
                }
            }
        }
        StmtP::AssignModify(target, _, _) => {
            if let AssignTargetP::Identifier(id) = &target.node {
                m.reassigned_globals.push(id.node.ident.clone());
            }
        }
        StmtP::Expression(e) => {
            let e = lower_expr(e);
            if let ExprKind::Call(c) = e.kind {
                m.calls.push(*c);
            }
        }
        StmtP::Def(d) => {
            m.dialect_issues.push(DialectIssue { what: "`def`", span: r(d.name.span) });
            for p in &d.params {
                match &p.node {
                    ParameterP::NoArgs => {
                        m.dialect_issues.push(DialectIssue { what: "keyword-only (`*`) parameter", span: r(p.span) })
                    }
                    ParameterP::Normal(_, Some(_), _)
                    | ParameterP::Args(_, Some(_))
                    | ParameterP::KwArgs(_, Some(_)) => {
                        m.dialect_issues.push(DialectIssue { what: "type annotation", span: r(p.span) })
                    }
                    _ => {}
                }
            }
            if let Some(rt) = &d.return_type {
                m.dialect_issues.push(DialectIssue { what: "type annotation", span: r(rt.span) });
            }
            m.defs.push(lower_def(d));
        }
        StmtP::If(cond, body) => {
            m.dialect_issues.push(DialectIssue { what: "top-level `if`", span: r(s.span.begin_span()) });
            let _ = cond;
            lower_nested_top(body, m);
        }
        StmtP::IfElse(_, bodies) => {
            m.dialect_issues.push(DialectIssue { what: "top-level `if`", span: r(s.span.begin_span()) });
            lower_nested_top(&bodies.0, m);
            lower_nested_top(&bodies.1, m);
        }
        StmtP::For(f) => {
            m.dialect_issues.push(DialectIssue { what: "top-level `for`", span: r(s.span.begin_span()) });
            let _ = f;
        }
        _ => {}
    }
}

/// Calls inside a top-level `if` still declare targets; collect them.
fn lower_nested_top(s: &AstStmt, m: &mut Module) {
    match &s.node {
        StmtP::Statements(v) => v.iter().for_each(|x| lower_nested_top(x, m)),
        StmtP::Expression(e) => {
            let e = lower_expr(e);
            if let ExprKind::Call(c) = e.kind {
                m.calls.push(*c);
            }
        }
        _ => {}
    }
}

trait BeginSpan {
    fn begin_span(self) -> SSpan;
}
impl BeginSpan for SSpan {
    fn begin_span(self) -> SSpan {
        let b = self.begin();
        SSpan::new(b, starlark_syntax::codemap::Pos::new(b.get() + 2.min(self.end().get() - b.get())))
    }
}

fn lower_def(d: &starlark_syntax::syntax::ast::DefP<starlark_syntax::syntax::ast::AstNoPayload>) -> FnDef {
    let mut f = FnDef {
        name: d.name.node.ident.clone(),
        name_span: r(d.name.span),
        span: r(d.name.span.merge(d.body.span)),
        params: d
            .params
            .iter()
            .filter_map(|p| match &p.node {
                ParameterP::Normal(id, _, def) => Some(Param {
                    name: id.node.ident.clone(),
                    kind: ParamKind::Normal,
                    default: def.as_ref().map(|e| lower_expr(e)),
                }),
                ParameterP::Args(id, _) => {
                    Some(Param { name: id.node.ident.clone(), kind: ParamKind::Args, default: None })
                }
                ParameterP::KwArgs(id, _) => {
                    Some(Param { name: id.node.ident.clone(), kind: ParamKind::KwArgs, default: None })
                }
                _ => None,
            })
            .collect(),
        assigns: Vec::new(),
        reassigned: Vec::new(),
        exprs: Vec::new(),
    };
    let mut seen = Vec::new();
    lower_body(&d.body, &mut f, &mut seen, false);
    f
}

fn lower_body(s: &AstStmt, f: &mut FnDef, seen: &mut Vec<String>, in_loop: bool) {
    match &s.node {
        StmtP::Statements(v) => v.iter().for_each(|x| lower_body(x, f, seen, in_loop)),
        StmtP::Expression(e) => f.exprs.push(lower_expr(e)),
        StmtP::Return(Some(e)) => f.exprs.push(lower_expr(e)),
        StmtP::Assign(a) => {
            let value = lower_expr(&a.rhs);
            match &a.lhs.node {
                AssignTargetP::Identifier(id) => {
                    let name = id.node.ident.clone();
                    if seen.contains(&name) || in_loop {
                        f.reassigned.push(name.clone());
                    }
                    seen.push(name.clone());
                    f.assigns.push(LocalAssign { name, name_span: r(id.span), value: f.exprs.len() });
                }
                AssignTargetP::Tuple(ts) => {
                    for t in ts {
                        if let AssignTargetP::Identifier(id) = &t.node {
                            f.reassigned.push(id.node.ident.clone());
                        }
                    }
                }
                _ => {}
            }
            f.exprs.push(value);
        }
        StmtP::AssignModify(t, _, e) => {
            if let AssignTargetP::Identifier(id) = &t.node {
                f.reassigned.push(id.node.ident.clone());
            }
            f.exprs.push(lower_expr(e));
        }
        StmtP::If(c, b) => {
            f.exprs.push(lower_expr(c));
            lower_body(b, f, seen, in_loop);
        }
        StmtP::IfElse(c, bs) => {
            f.exprs.push(lower_expr(c));
            lower_body(&bs.0, f, seen, in_loop);
            lower_body(&bs.1, f, seen, in_loop);
        }
        StmtP::For(fo) => {
            if let AssignTargetP::Identifier(id) = &fo.var.node {
                f.reassigned.push(id.node.ident.clone());
            }
            f.exprs.push(lower_expr(&fo.over));
            lower_body(&fo.body, f, seen, true);
        }
        StmtP::Def(inner) => {
            // Nested functions: their calls still count for discovery.
            let d = lower_def(inner);
            f.exprs.extend(d.exprs);
        }
        _ => {}
    }
}

pub fn lower_expr(e: &AstExpr) -> Expr {
    let span = r(e.span);
    let kind = match &e.node {
        ExprP::Literal(AstLiteral::String(s)) => ExprKind::Str(s.node.as_str().into()),
        ExprP::Literal(AstLiteral::Int(i)) => match &i.node {
            TokenInt::I32(v) => ExprKind::Int(*v as i64),
            _ => ExprKind::Other,
        },
        ExprP::Literal(_) => ExprKind::Other,
        ExprP::Identifier(id) => match id.node.ident.as_str() {
            "True" => ExprKind::Bool(true),
            "False" => ExprKind::Bool(false),
            "None" => ExprKind::None,
            s => ExprKind::Ident(Sym::new(s)),
        },
        ExprP::Dot(inner, attr) => ExprKind::Dot(Box::new(lower_expr(inner)), Sym::new(attr.node.as_str())),
        ExprP::Call(func, args) => ExprKind::Call(Box::new(Call {
            func: lower_expr(func),
            args: args
                .args
                .iter()
                .map(|a| {
                    let (kind, name) = match &a.node {
                        ArgumentP::Positional(_) => (ArgKind::Positional, None),
                        ArgumentP::Named(n, _) => (ArgKind::Named, Some(Sym::new(&n.node))),
                        ArgumentP::Args(_) => (ArgKind::Args, None),
                        ArgumentP::KwArgs(_) => (ArgKind::KwArgs, None),
                    };
                    Arg { kind, name, span: r(a.span), value: lower_expr(a.node.expr()) }
                })
                .collect(),
            span: span.clone(),
        })),
        ExprP::List(v) => ExprKind::List(v.iter().map(lower_expr).collect()),
        ExprP::Tuple(v) => ExprKind::Tuple(v.iter().map(lower_expr).collect()),
        ExprP::Dict(v) => ExprKind::Dict(v.iter().map(|(k, v)| (lower_expr(k), lower_expr(v))).collect()),
        ExprP::Op(a, op, b) => {
            let op = match op {
                SBinOp::Add => BinOp::Add,
                SBinOp::BitOr => BinOp::BitOr,
                SBinOp::Percent => BinOp::Percent,
                _ => BinOp::Other,
            };
            ExprKind::Bin(Box::new((lower_expr(a), op, lower_expr(b))))
        }
        ExprP::FString(fs) => ExprKind::FString(Box::new((
            fs.node.format.node.clone(),
            fs.node.expressions.iter().map(lower_expr).collect(),
        ))),
        ExprP::Index(pair) => ExprKind::Index(Box::new(lower_expr(&pair.0)), Box::new(lower_expr(&pair.1))),
        _ => ExprKind::Other,
    };
    Expr { span, kind }
}

/// Visit every call expression inside `e` (pre-order).
pub fn walk_calls<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Call)) {
    match &e.kind {
        ExprKind::Call(c) => {
            f(c);
            walk_calls(&c.func, f);
            for a in &c.args {
                walk_calls(&a.value, f);
            }
        }
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().for_each(|x| walk_calls(x, f)),
        ExprKind::FString(fs) => fs.1.iter().for_each(|x| walk_calls(x, f)),
        ExprKind::Dict(v) => v.iter().for_each(|(k, x)| {
            walk_calls(k, f);
            walk_calls(x, f)
        }),
        ExprKind::Dot(x, _) => walk_calls(x, f),
        ExprKind::Bin(b) => {
            walk_calls(&b.0, f);
            walk_calls(&b.2, f)
        }
        ExprKind::Index(a, b) => {
            walk_calls(a, f);
            walk_calls(b, f)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Retained build-file facts are mostly these nodes: keep them small (see `prune`).
    #[test]
    fn node_sizes() {
        assert_eq!(std::mem::size_of::<Expr>(), 32);
        assert_eq!(std::mem::size_of::<Arg>(), 56);
        assert_eq!(std::mem::size_of::<Call>(), 64);
    }

    #[test]
    fn keyword_span_is_derived_from_the_argument() {
        let m = lower(&crate::parse::starlark::parse("x", "f(name = \"a\", **kw)\n").unwrap());
        let args = &m.calls[0].args;
        assert_eq!(args[0].name_span(), 2..6);
        assert_eq!(args[1].name_span(), args[1].span);
    }
}
