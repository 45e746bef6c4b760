//! buck-lint's own implementation of the starlark crate's default-on lints, on the crate's
//! syntax tree, in three cheap walks instead of the crate's pass (which walks the tree once per
//! lint family, and whose name analysis copies a map of hash sets at every branch).
//!
//! The findings are those of `AstModule::lint` for the default `starlark-*` rules — same short
//! names, spans and messages; the crate's `# starlark-lint-disable` comments apply — and the
//! crate's pass stays the reference: a test compares the two on every fixture (and on the
//! directories in `BUCK_LINT_PREFILTER_DIRS`), and the `starlark_lint` fuzz target compares
//! them on every input. Where this module does not model a construct exactly (a dictionary
//! key that is a float or a big integer literal) it returns `None` and the caller runs the
//! crate's pass. The off-by-default lints (`unused-*`, `using-undefined`, `redundant-*`,
//! `underscore-definition`, `using-ignored`) are not implemented here: when one of them is
//! enabled, the crate's pass runs.
//!
//! The lints, by family:
//! - flow: `missing-return`, `missing-return-expression` (a function that returns a value on
//!   some path, or declares a return type other than `None`, must return one on every path),
//!   `unreachable` (the statement after `return`, `break`, `continue` or `fail(…)`),
//!   `misplaced-load` (a `load` after a statement other than a load or a docstring),
//!   `no-effect` (an expression statement without a call, string or identifier in it);
//! - `incompatible-type-check` (`type(x) == str`), `duplicate-top-level-assign`;
//! - `duplicate-key` (two equal literal or identifier keys in one dict literal),
//!   `ident-as-statement`;
//! - names: `using-unassigned` (a name used in a scope before the scope assigns it) and
//!   `using-maybe-undefined` (a name assigned on some paths only), by the crate's flow
//!   approximation: both arms of an `if` joined, loop bodies run twice (once when more than
//!   five loops nest), `return`/`fail(…)` and `break`/`continue` end a path;
//! - performance: `dict-without-star-star`, `eager-and-inefficient-bool-check`,
//!   `inefficient-bool-check`.
use std::borrow::Cow;
use std::cmp;

use rustc_hash::{FxHashMap, FxHashSet};
use starlark::codemap::{Pos, Span};
use starlark::syntax::AstModule;
use starlark::syntax::ast::{
    ArgumentP, AssignP, AssignTargetP, AstAssignIdent, AstAssignTarget, AstExpr, AstLiteral, AstStmt, BinOp, Clause,
    ClauseP, DefP, Expr, ForClause, ForP, Stmt,
};
use starlark_syntax::lexer::TokenInt;

/// One lint: the crate's short name, where, and its message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub start: u32,
    pub end: u32,
    pub short: Cow<'static, str>,
    pub problem: String,
}

/// The default lints of a module, or `None` where the crate's pass must decide.
pub fn default_lints(ast: &AstModule) -> Option<Vec<Hit>> {
    let mut out = Lints { ast, hits: Vec::new(), exact: true };
    let module = ast.statement();
    out.flow(module);
    module.visit_expr(|e| out.expr_tree(e));
    out.top_level_assignments(module);
    out.ident_statements(module);
    let mut names = Names {
        scopes: Vec::new(),
        spare: Vec::new(),
        warned: FxHashSet::default(),
        loop_depth: 0,
        hits: Vec::new(),
        #[cfg(test)]
        by_copy: false,
    };
    names.module(module);
    for (span, short, name) in names.hits {
        let problem = match short {
            "using-unassigned" => format!("Use of unassigned variable `{name}`"),
            _ => format!("Use of potentially undefined variable `{name}`"),
        };
        out.push(short, span, problem);
    }
    if !out.exact {
        return None;
    }
    out.hits.retain(|h| !ast.is_suppressed(&h.short, Span::new(Pos::new(h.start), Pos::new(h.end))));
    Some(out.hits)
}

struct Lints<'a> {
    ast: &'a AstModule,
    hits: Vec<Hit>,
    /// false when the module has a construct this implementation does not model exactly
    exact: bool,
}

/// `fail(…)`: like a `return` (it ends the function with an error).
fn is_fail(e: &AstExpr) -> bool {
    matches!(&e.node, Expr::Call(f, _) if matches!(&f.node, Expr::Identifier(id) if id.node.ident == "fail"))
}

impl<'a> Lints<'a> {
    fn push(&mut self, short: &'static str, span: Span, problem: String) {
        self.hits.push(Hit { start: span.begin().get(), end: span.end().get(), short: Cow::Borrowed(short), problem });
    }

    fn resolved(&self, span: Span) -> String {
        self.ast.file_span(span).resolve().to_string()
    }

    // ---- flow ----

    fn flow(&mut self, module: &AstStmt) {
        self.defs(module);
        self.reachable(module);
        self.misplaced_loads(module);
        self.no_effect(module);
    }

    /// `missing-return` and `missing-return-expression` of every `def`, nested ones too.
    fn defs(&mut self, x: &AstStmt) {
        if let Stmt::Def(DefP { name, return_type, body, .. }) = &x.node {
            let mut rets = Vec::new();
            returns(body, &mut rets);
            let declared = return_type.as_ref().and_then(|t| match &t.node.expr.node {
                Expr::Identifier(id) if id.node.ident == "None" => None,
                _ => Some(t.span),
            });
            if let Some(reason) = declared.or_else(|| rets.iter().find(|r| r.1).map(|r| r.0)) {
                if !final_return(body) {
                    let problem = format!(
                        "No `return` at the end, but function `{}` seems to want one due to {}",
                        name.node.ident.trim_end(),
                        self.resolved(reason)
                    );
                    self.push("missing-return", x.span, problem);
                }
                for (span, _) in rets.iter().filter(|r| !r.1) {
                    let problem = format!(
                        "`return` lacks expression, but function `{}` at {} seems to want one due to {}",
                        name.node.ident,
                        self.resolved(x.span),
                        self.resolved(reason)
                    );
                    self.push("missing-return-expression", *span, problem);
                }
            }
        }
        x.visit_stmt(|c| self.defs(c));
    }

    /// Does `x` always end its statement sequence early? Reports the first statement after
    /// one that does.
    fn reachable(&mut self, x: &AstStmt) -> bool {
        match &x.node {
            Stmt::Break | Stmt::Continue | Stmt::Return(_) => true,
            Stmt::Expression(e) => is_fail(e),
            Stmt::Statements(xs) => {
                let mut it = xs.iter();
                while let Some(s) = it.next() {
                    if self.reachable(s) {
                        if let Some(next) = it.next() {
                            let text = next.node.to_string();
                            self.push("unreachable", next.span, format!("Unreachable statement `{}`", text.trim()));
                        }
                        return true;
                    }
                }
                false
            }
            Stmt::IfElse(_, branches) => {
                let a = self.reachable(&branches.0);
                let b = self.reachable(&branches.1);
                a && b
            }
            _ => {
                x.visit_stmt(|c| {
                    self.reachable(c);
                });
                false
            }
        }
    }

    fn misplaced_loads(&mut self, module: &AstStmt) {
        fn top<'s>(x: &'s AstStmt, out: &mut Vec<&'s AstStmt>) {
            match &x.node {
                Stmt::Statements(xs) => xs.iter().for_each(|x| top(x, out)),
                _ => out.push(x),
            }
        }
        let mut stmts = Vec::new();
        top(module, &mut stmts);
        let mut loads_allowed = true;
        for s in stmts {
            match &s.node {
                Stmt::Load(_) if !loads_allowed => {
                    self.push("misplaced-load", s.span, "A `load` statement not at the top of the file".into())
                }
                Stmt::Load(_) => {}
                // a docstring may come before the loads
                Stmt::Expression(e) if matches!(&e.node, Expr::Literal(AstLiteral::String(_))) => {}
                _ => loads_allowed = false,
            }
        }
    }

    fn no_effect(&mut self, x: &AstStmt) {
        match &x.node {
            Stmt::Expression(e) if !has_effect(e) => {
                self.push("no-effect", e.span, "Statement at has no effect".into())
            }
            _ => x.visit_stmt(|c| self.no_effect(c)),
        }
    }

    // ---- every expression: type checks, duplicate keys, performance ----

    fn expr_tree(&mut self, e: &AstExpr) {
        self.type_check(e);
        self.duplicate_keys(e);
        self.performance(e);
        e.visit_expr(|c| self.expr_tree(c));
    }

    fn type_check(&mut self, e: &AstExpr) {
        let Expr::Op(lhs, op, rhs) = &e.node else { return };
        if !matches!(op, BinOp::Equal | BinOp::NotEqual) {
            return;
        }
        let is_type_call = matches!(&lhs.node, Expr::Call(f, args)
            if args.args.len() == 1 && matches!(&f.node, Expr::Identifier(id) if id.node.ident == "type"));
        if !is_type_call {
            return;
        }
        let Expr::Identifier(ty) = &rhs.node else { return };
        let replacement = match ty.node.ident.as_str() {
            "bool" => "True",
            "tuple" => "()",
            "str" => "\"\"",
            "list" => "[]",
            "int" => "0",
            _ => return,
        };
        let problem = format!("Type check `{}` should be written `{}{}type({})`", e.node, lhs.node, op, replacement);
        self.push("incompatible-type-check", e.span, problem);
    }

    fn duplicate_keys(&mut self, e: &AstExpr) {
        let Expr::Dict(pairs) = &e.node else { return };
        let mut seen: FxHashMap<Key<'_>, Span> = FxHashMap::default();
        for (k, _) in pairs {
            let (key, span) = match &k.node {
                Expr::Literal(AstLiteral::Int(i)) => match &i.node {
                    TokenInt::I32(v) => (Key::Int(*v), i.span),
                    // a big integer (and a float below) compares by value with the other
                    // numbers: left to the crate
                    _ => {
                        self.exact = false;
                        continue;
                    }
                },
                Expr::Literal(AstLiteral::Float(_)) => {
                    self.exact = false;
                    continue;
                }
                Expr::Literal(AstLiteral::String(s)) => (Key::Str(&s.node), s.span),
                Expr::Literal(AstLiteral::Bytes(b)) => (Key::Bytes(&b.node), b.span),
                Expr::Identifier(id) => (Key::Ident(&id.node.ident), id.span),
                _ => continue,
            };
            if let Some(old) = seen.insert(key, span) {
                let problem =
                    format!("Duplicate dictionary key `{}`, also used at {}", k.node, self.ast.file_span(span));
                self.push("duplicate-key", old, problem);
            }
        }
    }

    fn performance(&mut self, e: &AstExpr) {
        let Expr::Call(f, args) = &e.node else { return };
        let Expr::Identifier(fun) = &f.node else { return };
        let [arg] = args.args.as_slice() else { return };
        match (fun.node.ident.as_str(), &arg.node) {
            ("dict", ArgumentP::KwArgs(x)) => {
                let problem = format!("Dict copy `{}` is more efficient as `dict({})`", e.node, x.node);
                self.push("dict-without-star-star", e.span, problem);
            }
            (name @ ("any" | "all"), ArgumentP::Positional(x)) => match &x.node {
                Expr::ListComprehension(..) | Expr::DictComprehension(..) => {
                    let problem = format!(
                        "`{name}` eagerly evaluates all items in the iterable, and allocates an array for the results. Prefer using a for-loop."
                    );
                    self.push("eager-and-inefficient-bool-check", e.span, problem);
                }
                Expr::Call(inner, _) => {
                    if let Expr::Identifier(id) = &inner.node {
                        if matches!(id.node.ident.as_str(), "dict" | "list") {
                            let problem = format!(
                                "`{}` allocates a new {} for the results. Prefer using a for-loop.",
                                e.node, id.node.ident
                            );
                            self.push("inefficient-bool-check", e.span, problem);
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    // ---- statements ----

    /// `duplicate-top-level-assign`: names bound twice outside any `def` (`if` and `for`
    /// bodies at the top level count). `x = x` once after `load(…, "x")` re-exports and is
    /// allowed.
    fn top_level_assignments(&mut self, module: &AstStmt) {
        let mut defined: FxHashMap<&str, (Span, bool)> = FxHashMap::default();
        let mut exported: FxHashSet<&str> = FxHashSet::default();
        self.top_level(module, &mut defined, &mut exported);
    }

    fn top_level<'s>(
        &mut self,
        x: &'s AstStmt,
        defined: &mut FxHashMap<&'s str, (Span, bool)>,
        exported: &mut FxHashSet<&'s str>,
    ) {
        match &x.node {
            Stmt::Assign(AssignP { lhs, rhs, .. }) => {
                if let (AssignTargetP::Identifier(l), Expr::Identifier(r)) = (&lhs.node, &rhs.node) {
                    let name = l.node.ident.as_str();
                    if name == r.node.ident && defined.get(name).is_some_and(|d| d.1) && !exported.contains(name) {
                        exported.insert(name);
                        return;
                    }
                }
                lhs.visit_lvalue(|id| self.bind(id, false, defined));
            }
            Stmt::AssignModify(lhs, _, _) => lhs.visit_lvalue(|id| self.bind(id, false, defined)),
            Stmt::Def(DefP { name, .. }) => self.bind(name, false, defined),
            Stmt::Load(load) => {
                for a in &load.args {
                    self.bind(&a.local, true, defined);
                }
            }
            _ => x.visit_stmt(|c| self.top_level(c, defined, exported)),
        }
    }

    fn bind<'s>(&mut self, id: &'s AstAssignIdent, is_load: bool, defined: &mut FxHashMap<&'s str, (Span, bool)>) {
        match defined.get(id.node.ident.as_str()) {
            Some((old, _)) => {
                let problem = format!(
                    "Duplicate top-level assignment of `{}`, first defined at {}",
                    id.node.ident,
                    self.ast.file_span(*old)
                );
                self.push("duplicate-top-level-assign", id.span, problem);
            }
            None => {
                defined.insert(&id.node.ident, (id.span, is_load));
            }
        }
    }

    fn ident_statements(&mut self, x: &AstStmt) {
        match &x.node {
            Stmt::Expression(e) => {
                if let Expr::Identifier(id) = &e.node {
                    let problem =
                        format!("Variable `{}` will either do nothing or fail if uninitialised", id.node.ident);
                    self.push("ident-as-statement", id.span, problem);
                }
            }
            _ => x.visit_stmt(|c| self.ident_statements(c)),
        }
    }
}

#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Int(i32),
    Str(&'a str),
    Bytes(&'a [u8]),
    Ident(&'a str),
}

/// The `return` statements of a function body (not of nested `def`s): span, has a value.
fn returns(x: &AstStmt, out: &mut Vec<(Span, bool)>) {
    match &x.node {
        Stmt::Return(v) => out.push((x.span, v.is_some())),
        Stmt::Def(..) => {}
        _ => x.visit_stmt(|c| returns(c, out)),
    }
}

/// Does the body end in `return` or `fail(…)` on every path?
fn final_return(x: &AstStmt) -> bool {
    match &x.node {
        Stmt::Return(_) => true,
        Stmt::Expression(e) => is_fail(e),
        Stmt::Statements(xs) => xs.last().is_some_and(final_return),
        Stmt::IfElse(_, b) => final_return(&b.0) && final_return(&b.1),
        _ => false,
    }
}

/// Could evaluating `e` as a statement do anything? (A string is documentation.)
fn has_effect(e: &AstExpr) -> bool {
    match &e.node {
        Expr::Literal(l) => matches!(l, AstLiteral::String(_)),
        Expr::Lambda(_) => false,
        Expr::If(_) | Expr::Tuple(_) | Expr::List(_) | Expr::Dict(_) => {
            let mut any = false;
            e.visit_expr(|c| any = any || has_effect(c));
            any
        }
        _ => true,
    }
}

// ---- names: using-unassigned, using-maybe-undefined ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Assigned {
    Definitely,
    Maybe,
}

/// How far a `return`/`fail` (the function) or `break`/`continue` (the loop) ends the path.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Abort {
    Loop,
    Function,
}

#[derive(Default)]
struct Scope<'a> {
    /// uses of names this scope had not assigned at that point (resolved in an outer scope)
    cant_set: Vec<(Span, &'a str)>,
    /// every name this scope assigns
    local: FxHashSet<&'a str>,
    /// the names assigned so far on the current path, and whether on every path
    last_set: FxHashMap<&'a str, Assigned>,
    abort: Option<Abort>,
    /// while a branch is open: each change to `last_set`, with the value before it (a branch
    /// rolls its first side back with these, instead of copying the whole map)
    undo: Vec<(&'a str, Option<Assigned>)>,
    /// branches open in this scope
    open: usize,
}

impl<'a> Scope<'a> {
    fn write(&mut self, name: &'a str, value: Assigned) {
        let prev = self.last_set.insert(name, value);
        if self.open > 0 && prev != Some(value) {
            self.undo.push((name, prev));
        }
    }

    /// Undo the changes logged after `mark`.
    fn roll_back(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let (name, prev) = self.undo.pop().expect("longer than mark");
            match prev {
                Some(v) => self.last_set.insert(name, v),
                None => self.last_set.remove(name),
            };
        }
    }

    /// The names changed after `mark`, each with its value before the first change, sorted.
    fn changed_since(&self, mark: usize) -> Vec<(&'a str, Option<Assigned>)> {
        let mut v = self.undo[mark..].to_vec();
        // stable: the first change of a name (its value before the branch) comes first
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.dedup_by(|later, first| later.0 == first.0);
        v
    }
}

/// A name's state after a branch, from its state at the end of the current side (`c`) and
/// of the other side (`o`): a side that ended the path does not count.
fn join(c: Assigned, current_abort: Option<Abort>, o: Assigned, other_abort: Option<Abort>) -> Assigned {
    match (current_abort.is_some(), other_abort.is_some()) {
        (true, true) => Assigned::Definitely,
        (true, false) => o,
        (false, true) => c,
        (false, false) if c == Assigned::Maybe => Assigned::Maybe,
        (false, false) => o,
    }
}

struct Names<'a> {
    scopes: Vec<Scope<'a>>,
    /// Scopes that were exited, emptied, for the next `def`, lambda or comprehension to
    /// reuse with their maps' capacity (a file of many functions allocated and grew a fresh
    /// set of maps for each).
    spare: Vec<Scope<'a>>,
    /// (start, end) of the identifiers already reported (loops are walked twice)
    warned: FxHashSet<(u32, u32)>,
    loop_depth: usize,
    hits: Vec<(Span, &'static str, &'a str)>,
    /// Tests: join branches the simple way (copy the scope's map), as the reference the
    /// undo log is compared with.
    #[cfg(test)]
    by_copy: bool,
}

impl<'a> Names<'a> {
    fn warn(&mut self, span: Span, short: &'static str, name: &'a str) {
        if self.warned.insert((span.begin().get(), span.end().get())) {
            self.hits.push((span, short, name));
        }
    }

    fn top(&mut self) -> &mut Scope<'a> {
        self.scopes.last_mut().expect("inside a scope")
    }

    fn enter(&mut self) {
        let scope = self.spare.pop().unwrap_or_default();
        self.scopes.push(scope);
    }

    fn exit(&mut self) {
        let mut scope = self.scopes.pop().expect("inside a scope");
        for &(span, name) in &scope.cant_set {
            if scope.local.contains(name) {
                self.warn(span, "using-unassigned", name);
            }
        }
        let Scope { cant_set, local, last_set, abort, undo, open } = &mut scope;
        cant_set.clear();
        local.clear();
        last_set.clear();
        *abort = None;
        // a scope's branches are closed before it is: their log is empty already
        debug_assert!(undo.is_empty() && *open == 0, "a branch left open");
        self.spare.push(scope);
    }

    fn set(&mut self, id: &'a AstAssignIdent) {
        let name = id.node.ident.as_str();
        let top = self.top();
        top.local.insert(name);
        top.write(name, Assigned::Definitely);
    }

    fn use_name(&mut self, span: Span, name: &'a str) {
        let n = self.scopes.len();
        for depth in 0..n {
            let scope = &mut self.scopes[n - 1 - depth];
            match scope.last_set.get(name) {
                None => {
                    if depth == 0 {
                        scope.cant_set.push((span, name));
                    }
                }
                Some(assigned) => {
                    if *assigned == Assigned::Maybe {
                        self.warn(span, "using-maybe-undefined", name);
                    }
                    return;
                }
            }
        }
    }

    /// Run `first` and `second` from the same state, then join: a name assigned on one side
    /// only is assigned maybe, unless the other side ends the path.
    fn branch(&mut self, first: impl Fn(&mut Self), second: impl Fn(&mut Self)) {
        #[cfg(test)]
        if self.by_copy {
            return self.branch_by_copy(first, second);
        }
        let top = self.top();
        let original_abort = top.abort;
        top.open += 1;
        let mark = top.undo.len();
        first(self);
        let top = self.top();
        let other_abort = top.abort;
        // what the first side assigned, then back to the state before it
        let mut other: Vec<(&'a str, Option<Assigned>)> = top.changed_since(mark);
        for (name, v) in &mut other {
            *v = top.last_set.get(name).copied();
        }
        top.roll_back(mark);
        top.abort = original_abort;
        second(self);
        let top = self.top();
        let current_abort = top.abort;
        top.abort = cmp::min(other_abort, current_abort);
        let joined = |c, o| join(c, current_abort, o, other_abort);
        // a name neither side changed keeps its value (joined with itself), unless both
        // sides end the path: then every name counts as assigned
        let second_changed = top.changed_since(mark);
        if current_abort.is_some() && other_abort.is_some() {
            let names: Vec<&'a str> = top.last_set.keys().copied().chain(other.iter().map(|(n, _)| *n)).collect();
            for name in names {
                top.write(name, Assigned::Definitely);
            }
        } else {
            let (mut i, mut j) = (0, 0);
            while i < other.len() || j < second_changed.len() {
                let (name, o) = match (other.get(i), second_changed.get(j)) {
                    (Some(a), Some(b)) if a.0 == b.0 => {
                        j += 1;
                        i += 1;
                        *a
                    }
                    (Some(a), Some(b)) if a.0 < b.0 => {
                        i += 1;
                        *a
                    }
                    (Some(a), None) => {
                        i += 1;
                        *a
                    }
                    // changed by the second side only: the first side left it as it was
                    (_, Some(b)) => {
                        j += 1;
                        *b
                    }
                    (None, None) => unreachable!("loop condition"),
                };
                let c = top.last_set.get(name).copied();
                if c.is_some() || o.is_some() {
                    top.write(name, joined(c.unwrap_or(Assigned::Maybe), o.unwrap_or(Assigned::Maybe)));
                }
            }
        }
        top.open -= 1;
        if top.open == 0 {
            top.undo.clear();
        }
    }

    /// [`Names::branch`] by copying the map: the reference for the tests.
    #[cfg(test)]
    fn branch_by_copy(&mut self, first: impl Fn(&mut Self), second: impl Fn(&mut Self)) {
        let original_abort = self.top().abort;
        let mut other = self.top().last_set.clone();
        first(self);
        let other_abort = self.top().abort;
        std::mem::swap(&mut other, &mut self.top().last_set);
        self.top().abort = original_abort;
        second(self);
        let current_abort = self.top().abort;
        let top = self.top();
        top.abort = cmp::min(other_abort, current_abort);
        let joined = |c, o| join(c, current_abort, o, other_abort);
        for (name, c) in top.last_set.iter_mut() {
            *c = match other.remove(name) {
                Some(o) => joined(*c, o),
                None => joined(*c, Assigned::Maybe),
            };
        }
        for (name, o) in other {
            top.last_set.insert(name, joined(Assigned::Maybe, o));
        }
    }

    fn loops(&mut self, body: impl Fn(&mut Self)) {
        self.loop_depth += 1;
        let runs = if self.loop_depth > 5 { 1 } else { 2 };
        for _ in 0..runs {
            self.branch(&body, |_| ());
            let top = self.top();
            if top.abort == Some(Abort::Loop) {
                top.abort = None;
            }
        }
        self.loop_depth -= 1;
    }

    fn assign(&mut self, target: &'a AstAssignTarget) {
        target.visit_expr(|e| self.expr(e));
        target.visit_lvalue(|id| self.set(id));
    }

    fn comprehension(
        &mut self,
        first: &'a AstExpr,
        second: Option<&'a AstExpr>,
        for_: &'a ForClause,
        clauses: &'a [Clause],
    ) {
        self.expr(&for_.over);
        self.enter();
        self.assign(&for_.var);
        for c in clauses {
            match c {
                ClauseP::For(f) => {
                    self.expr(&f.over);
                    self.assign(&f.var);
                }
                ClauseP::If(e) => self.expr(e),
            }
        }
        self.expr(first);
        if let Some(e) = second {
            self.expr(e);
        }
        self.exit();
    }

    fn expr(&mut self, e: &'a AstExpr) {
        match &e.node {
            Expr::Identifier(id) => self.use_name(id.span, &id.node.ident),
            Expr::Lambda(l) => {
                for p in &l.params {
                    p.node.visit_expr(|x| self.expr(x));
                }
                self.enter();
                for p in &l.params {
                    if let Some(id) = p.node.ident() {
                        self.set(id);
                    }
                }
                self.expr(&l.body);
                self.exit();
            }
            Expr::ListComprehension(x, for_, clauses) => self.comprehension(x, None, for_, clauses),
            Expr::DictComprehension(kv, for_, clauses) => self.comprehension(&kv.0, Some(&kv.1), for_, clauses),
            _ => e.visit_expr(|x| self.expr(x)),
        }
    }

    fn stmt(&mut self, s: &'a AstStmt) {
        match &s.node {
            Stmt::Expression(e) => {
                self.expr(e);
                if is_fail(e) {
                    self.top().abort = Some(Abort::Function);
                }
            }
            Stmt::Return(v) => {
                if let Some(e) = v {
                    self.expr(e);
                }
                self.top().abort = Some(Abort::Function);
            }
            Stmt::Assign(AssignP { lhs, ty, rhs }) => {
                if let Some(t) = ty {
                    self.expr(&t.node.expr);
                }
                self.expr(rhs);
                self.assign(lhs);
            }
            Stmt::AssignModify(lhs, _, rhs) => {
                self.expr(rhs);
                // the target is read first
                lhs.visit_expr(|e| self.expr(e));
                lhs.visit_lvalue(|id| self.use_name(id.span, &id.node.ident));
                self.assign(lhs);
            }
            Stmt::Statements(xs) => xs.iter().for_each(|x| self.stmt(x)),
            Stmt::If(cond, then) => {
                self.expr(cond);
                self.branch(|me| me.stmt(then), |_| ());
            }
            Stmt::IfElse(cond, branches) => {
                self.expr(cond);
                self.branch(|me| me.stmt(&branches.0), |me| me.stmt(&branches.1));
            }
            Stmt::For(ForP { var, over, body }) => {
                self.expr(over);
                self.loops(|me| {
                    me.assign(var);
                    me.stmt(body);
                });
            }
            Stmt::Def(DefP { name, params, return_type, body, .. }) => {
                for p in params {
                    p.node.visit_expr(|x| self.expr(x));
                }
                if let Some(t) = return_type {
                    self.expr(&t.node.expr);
                }
                self.set(name);
                self.enter();
                for p in params {
                    if let Some(id) = p.node.ident() {
                        self.set(id);
                    }
                }
                self.stmt(body);
                self.exit();
            }
            Stmt::Load(l) => {
                for a in &l.args {
                    self.set(&a.local);
                }
            }
            Stmt::Break | Stmt::Continue => self.top().abort = Some(Abort::Loop),
            Stmt::Pass => {}
        }
    }

    fn module(&mut self, module: &'a AstStmt) {
        self.enter();
        self.stmt(module);
        self.exit();
    }
}

#[cfg(test)]
mod tests {
    use super::default_lints;
    use proptest::prelude::*;

    /// Statements of random function bodies for the branch-join comparison.
    #[derive(Debug, Clone)]
    enum S {
        Assign(u8),
        Use(u8),
        Return,
        Fail,
        Break,
        Continue,
        If(u8, Vec<S>),
        IfElse(u8, Vec<S>, Vec<S>),
        For(u8, Vec<S>),
        Def(Vec<S>),
    }

    fn render(body: &[S], indent: usize, out: &mut String) {
        let pad = "    ".repeat(indent);
        if body.is_empty() {
            out.push_str(&format!("{pad}pass\n"));
        }
        let name = |n: &u8| ["a", "b", "c", "d"][*n as usize % 4];
        for s in body {
            match s {
                S::Assign(n) => out.push_str(&format!("{pad}{} = 1\n", name(n))),
                S::Use(n) => out.push_str(&format!("{pad}print({})\n", name(n))),
                S::Return => out.push_str(&format!("{pad}return\n")),
                S::Fail => out.push_str(&format!("{pad}fail(\"x\")\n")),
                S::Break => out.push_str(&format!("{pad}break\n")),
                S::Continue => out.push_str(&format!("{pad}continue\n")),
                S::If(n, b) => {
                    out.push_str(&format!("{pad}if {}:\n", name(n)));
                    render(b, indent + 1, out);
                }
                S::IfElse(n, b, c) => {
                    out.push_str(&format!("{pad}if {}:\n", name(n)));
                    render(b, indent + 1, out);
                    out.push_str(&format!("{pad}else:\n"));
                    render(c, indent + 1, out);
                }
                S::For(n, b) => {
                    out.push_str(&format!("{pad}for {} in p:\n", name(n)));
                    render(b, indent + 1, out);
                }
                S::Def(b) => {
                    out.push_str(&format!("{pad}def g():\n"));
                    render(b, indent + 1, out);
                }
            }
        }
    }

    fn body() -> impl Strategy<Value = Vec<S>> {
        let leaf = prop_oneof![
            4 => any::<u8>().prop_map(S::Assign),
            4 => any::<u8>().prop_map(S::Use),
            1 => Just(S::Return),
            1 => Just(S::Fail),
            1 => Just(S::Break),
            1 => Just(S::Continue),
        ];
        let stmt = leaf.prop_recursive(5, 64, 6, |inner| {
            let block = prop::collection::vec(inner, 0..5);
            prop_oneof![
                (any::<u8>(), block.clone()).prop_map(|(n, b)| S::If(n, b)),
                (any::<u8>(), block.clone(), block.clone()).prop_map(|(n, b, c)| S::IfElse(n, b, c)),
                (any::<u8>(), block.clone()).prop_map(|(n, b)| S::For(n, b)),
                block.prop_map(S::Def),
            ]
        });
        prop::collection::vec(stmt, 0..8)
    }

    fn names_hits(src: &str, by_copy: bool) -> Vec<(u32, u32, &'static str, String)> {
        let Ok(ast) = crate::parse::starlark::parse("t.bzl", src) else { return Vec::new() };
        let module = ast.statement();
        let mut names = super::Names {
            scopes: Vec::new(),
            spare: Vec::new(),
            warned: Default::default(),
            loop_depth: 0,
            hits: Vec::new(),
            by_copy,
        };
        names.module(module);
        names.hits.iter().map(|(sp, short, n)| (sp.begin().get(), sp.end().get(), *short, n.to_string())).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        /// The undo log joins branches exactly as copying the scope's map does.
        #[test]
        fn branch_joins_by_undo_log_match_joins_by_copy(top in body(), inner in body()) {
            let mut src = String::new();
            render(&top, 0, &mut src);
            src.push_str("def f(p):\n");
            render(&inner, 1, &mut src);
            let by_copy = names_hits(&src, true);
            prop_assert_eq!(names_hits(&src, false), by_copy, "{}", src);
        }
    }

    #[test]
    fn the_generated_bodies_reach_both_findings() {
        // the comparison above is only worth something if the reference finds things
        let src = "def f(p):\n    if p:\n        a = 1\n    print(a)\n    print(b)\n    b = 2\n";
        let hits = names_hits(src, true);
        assert!(hits.iter().any(|h| h.2 == "using-maybe-undefined"), "{hits:?}");
        assert!(hits.iter().any(|h| h.2 == "using-unassigned"), "{hits:?}");
        assert_eq!(names_hits(src, false), hits);
    }

    fn lints(src: &str) -> Option<Vec<(String, String)>> {
        let ast = crate::parse::starlark::parse("t.bzl", src).expect("parses");
        default_lints(&ast).map(|v| v.into_iter().map(|h| (h.short.into_owned(), h.problem)).collect())
    }

    #[test]
    fn numeric_keys_the_crate_compares_by_value_are_left_to_it() {
        // 1.0 and 1 are the same key to the crate; a big integer is compared as a number
        assert!(lints("x = {1.0: 1, 1: 2}\n").is_none());
        assert!(lints("x = {12345678901234567890: 1}\n").is_none());
        assert_eq!(
            lints("x = {1: 1, 1: 2}\n").unwrap(),
            vec![("duplicate-key".to_string(), "Duplicate dictionary key `1`, also used at t.bzl:1:12-13".to_string())]
        );
    }

    /// A function's scope starts empty, whatever the functions before it assigned, left
    /// open on a branch, or ended with (scopes are reused once exited).
    #[test]
    fn each_function_starts_from_an_empty_scope() {
        let unassigned = |n: &str| ("using-unassigned".to_string(), format!("Use of unassigned variable `{n}`"));
        let maybe =
            |n: &str| ("using-maybe-undefined".to_string(), format!("Use of potentially undefined variable `{n}`"));
        let src = "def f(b):\n    x = 1\n    if b:\n        y = 1\n    return [x, y]\n\ndef g():\n    print(x)\n    x = 2\n    return [x, y]\n";
        assert_eq!(lints(src).unwrap(), vec![maybe("y"), unassigned("x")]);
        // the same lambdas and comprehensions one after the other
        let src = "a = [z for z in [1]]\nb = [z for w in [1]]\nc = lambda: q\nd = lambda q: q\n";
        assert_eq!(lints(src).unwrap(), vec![]);
        let src = "def f():\n    return\n\ndef g():\n    x = 1\n    return x\n";
        assert_eq!(lints(src).unwrap(), vec![]);
        // a global read in one function, a local of the same name in the next (and back)
        let src = "def f():\n    return z\n\ndef g():\n    z = 1\n    return z\n\ndef h():\n    return z\n";
        assert_eq!(lints(src).unwrap(), vec![]);
        // a function that ended its path, then one whose branch assigns on one side only
        let src = "def f():\n    return 1\n\ndef g(b):\n    if b:\n        x = 1\n    return x\n";
        assert_eq!(lints(src).unwrap(), vec![maybe("x")]);
    }

    #[test]
    fn a_name_assigned_on_one_branch_only_is_maybe_undefined() {
        let src = "def f(b):\n    if b:\n        x = 1\n    return x\n";
        assert_eq!(
            lints(src).unwrap(),
            vec![("using-maybe-undefined".to_string(), "Use of potentially undefined variable `x`".to_string())]
        );
        // both branches assign, or the other one ends the function: no finding
        assert_eq!(
            lints("def f(b):\n    if b:\n        x = 1\n    else:\n        x = 2\n    return x\n").unwrap(),
            vec![]
        );
        assert_eq!(
            lints("def f(b):\n    if b:\n        x = 1\n    else:\n        fail(\"no\")\n    return x\n").unwrap(),
            vec![]
        );
    }

    #[test]
    fn suppression_comments_apply() {
        assert_eq!(lints("def f() -> str:  # starlark-lint-disable missing-return\n    pass\n").unwrap(), vec![]);
        assert_eq!(lints("def f() -> str:\n    pass\n").unwrap().len(), 1);
    }
}
