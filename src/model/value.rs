//! Static evaluation of Starlark attribute values.
//!
//! Literals, lists, dicts, `+` concatenation, `|` dict merges, `%` and `.format()` on known
//! strings, f-strings with known parts, `dict(...)`, module-level constants (also across
//! `load()`), locals assigned once in a function, and `ctx.attrs.X` bound at a call site.
//! `select()` becomes a set of alternatives; `glob()` and anything else is `Unknown`, and an
//! unknown value never produces a finding.

use std::collections::HashMap;

use crate::model::ir::{ArgKind, BinOp, Expr, ExprKind, FnDef, Module};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    List(Vec<Val>),
    Dict(Vec<(Val, Val)>),
    /// `select({key: value, ...})`: one alternative per key.
    Select(Vec<(String, Val)>),
    Unknown,
}

/// A value plus where its literal is written (for anchoring findings on constants).
#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub value: Value,
    pub origin: Option<Span>,
}

impl Val {
    pub fn unknown() -> Val {
        Val { value: Value::Unknown, origin: None }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown)
    }
    /// Items of a known list; `None` when not a list.
    pub fn as_list(&self) -> Option<&[Val]> {
        match &self.value {
            Value::List(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_dict(&self) -> Option<&[(Val, Val)]> {
        match &self.value {
            Value::Dict(v) => Some(v),
            _ => None,
        }
    }
    /// Look up a string key in a known dict.
    pub fn dict_get(&self, key: &str) -> Option<&Val> {
        self.as_dict()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }
    /// The alternatives this value can take: itself, or each branch of a `select()`
    /// (with the select key that names it).
    pub fn alternatives(&self) -> Vec<(Option<&str>, &Val)> {
        match &self.value {
            Value::Select(alts) => alts.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
            _ => vec![(None, self)],
        }
    }
    /// All string items of a list value, including those inside `select()` branches.
    pub fn strings(&self) -> Vec<&Val> {
        let mut out = Vec::new();
        fn go<'a>(v: &'a Val, out: &mut Vec<&'a Val>) {
            match &v.value {
                Value::Str(_) => out.push(v),
                Value::List(items) => items.iter().for_each(|i| go(i, out)),
                Value::Select(alts) => alts.iter().for_each(|(_, i)| go(i, out)),
                _ => {}
            }
        }
        go(self, &mut out);
        out
    }
}

/// Resolves modules and `load()` targets for cross-file constants.
pub trait ModuleLookup {
    fn module(&self, file: FileId) -> Option<&Module>;
    /// The file a `load()` path refers to, when it exists in the project.
    fn resolve_load(&self, from: FileId, path: &str) -> Option<FileId>;
    /// What `read_config(section, key)` reads: the root `.buckconfig`'s value, with the span
    /// of the value as origin. `None`: unknown here (a per-file check sees no configuration).
    fn config(&self, _section: &str, _key: &str) -> Option<Option<Val>> {
        None
    }
}

/// Where identifiers are looked up.
pub struct Scope<'a> {
    pub file: FileId,
    pub module: &'a Module,
    /// The function whose locals are visible, if evaluating inside one.
    pub function: Option<&'a FnDef>,
    /// Values bound to names (function parameters, macro kwargs).
    pub bindings: Option<&'a HashMap<String, Val>>,
    /// Values of `ctx.attrs.<name>` (attributes given at the BUCK call site).
    pub attrs: Option<&'a HashMap<String, Val>>,
}

impl<'a> Scope<'a> {
    pub fn module(file: FileId, module: &'a Module) -> Self {
        Scope { file, module, function: None, bindings: None, attrs: None }
    }
}

const MAX_DEPTH: u32 = 48;

pub fn eval(e: &Expr, scope: &Scope<'_>, lookup: &dyn ModuleLookup) -> Val {
    eval_depth(e, scope, lookup, 0)
}

fn lit(v: Value, file: FileId, e: &Expr) -> Val {
    Val { value: v, origin: Some(Span { file, start: e.span.start, end: e.span.end }) }
}

fn eval_depth(e: &Expr, scope: &Scope<'_>, lookup: &dyn ModuleLookup, depth: u32) -> Val {
    if depth > MAX_DEPTH {
        return Val::unknown();
    }
    let d = depth + 1;
    let file = scope.file;
    match &e.kind {
        ExprKind::Str(s) => lit(Value::Str(s.to_string()), file, e),
        ExprKind::Int(i) => lit(Value::Int(*i), file, e),
        ExprKind::Bool(b) => lit(Value::Bool(*b), file, e),
        ExprKind::None => lit(Value::None, file, e),
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            lit(Value::List(items.iter().map(|i| eval_depth(i, scope, lookup, d)).collect()), file, e)
        }
        ExprKind::Dict(items) => lit(
            Value::Dict(
                items.iter().map(|(k, v)| (eval_depth(k, scope, lookup, d), eval_depth(v, scope, lookup, d))).collect(),
            ),
            file,
            e,
        ),
        ExprKind::Ident(name) => lookup_ident(name, scope, lookup, d),
        ExprKind::Dot(inner, attr) => {
            // ctx.attrs.X
            if let ExprKind::Dot(base, mid) = &inner.kind {
                if &**mid == "attrs" && matches!(&base.kind, ExprKind::Ident(_)) {
                    if let Some(attrs) = scope.attrs {
                        return attrs.get(&**attr).cloned().unwrap_or_else(Val::unknown);
                    }
                }
            }
            Val::unknown()
        }
        ExprKind::Bin(bin) => {
            let (a, op, b) = &**bin;
            let va = eval_depth(a, scope, lookup, d);
            let vb = eval_depth(b, scope, lookup, d);
            binop(va, *op, vb, file, e)
        }
        ExprKind::FString(fs) => {
            let (format, exprs) = &**fs;
            let parts: Vec<Val> = exprs.iter().map(|x| eval_depth(x, scope, lookup, d)).collect();
            let mut out = String::new();
            let mut it = parts.iter();
            let mut chars = format.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' && chars.peek() == Some(&'}') {
                    chars.next();
                    match it.next().and_then(to_display) {
                        Some(s) => out.push_str(&s),
                        None => return Val::unknown(),
                    }
                } else {
                    out.push(c);
                }
            }
            lit(Value::Str(out), file, e)
        }
        ExprKind::Call(c) => {
            let name = c.callee_name();
            match name.as_deref() {
                Some("select") => {
                    let Some(arg) = c.args.first() else { return Val::unknown() };
                    let v = eval_depth(&arg.value, scope, lookup, d);
                    match v.value {
                        Value::Dict(items) => {
                            let mut alts = Vec::new();
                            for (k, v) in items {
                                match k.value {
                                    Value::Str(k) => alts.push((k, v)),
                                    _ => return Val::unknown(),
                                }
                            }
                            lit(Value::Select(alts), file, e)
                        }
                        _ => Val::unknown(),
                    }
                }
                Some("read_config" | "native.read_config" | "read_root_config") => {
                    // read_config(section, key, default = None): the value when set, else the default
                    let arg = |i: usize, name: &str| {
                        c.args.iter().filter(|a| a.kind == ArgKind::Positional).nth(i).or_else(|| {
                            c.args.iter().find(|a| a.kind == ArgKind::Named && a.name.is_some_and(|n| &*n == name))
                        })
                    };
                    let (Some(sec), Some(key)) = (arg(0, "section"), arg(1, "key")) else { return Val::unknown() };
                    let (sec, key) =
                        (eval_depth(&sec.value, scope, lookup, d), eval_depth(&key.value, scope, lookup, d));
                    let (Some(sec), Some(key)) = (sec.as_str(), key.as_str()) else { return Val::unknown() };
                    match lookup.config(sec, key) {
                        None => Val::unknown(),
                        Some(Some(v)) => v,
                        // unset: the default; without one, `None` in Buck2, but `-c` flags and
                        // `.buckconfig.local` may set it where CI runs: unknown
                        Some(None) => match arg(2, "default") {
                            Some(a) => eval_depth(&a.value, scope, lookup, d),
                            None => Val::unknown(),
                        },
                    }
                }
                Some("dict") => {
                    let mut items = Vec::new();
                    for a in &c.args {
                        match a.kind {
                            ArgKind::Positional => match eval_depth(&a.value, scope, lookup, d).value {
                                Value::Dict(v) => items.extend(v),
                                _ => return Val::unknown(),
                            },
                            ArgKind::Named => {
                                let key = Val {
                                    value: Value::Str(a.name.as_deref().unwrap_or_default().to_string()),
                                    origin: Some(Span { file, start: a.name_span().start, end: a.name_span().end }),
                                };
                                items.push((key, eval_depth(&a.value, scope, lookup, d)));
                            }
                            _ => return Val::unknown(),
                        }
                    }
                    lit(Value::Dict(items), file, e)
                }
                _ => {
                    // "...".format(...)
                    if let ExprKind::Dot(recv, m) = &c.func.kind {
                        if &**m == "format" {
                            let base = eval_depth(recv, scope, lookup, d);
                            if let Value::Str(fmt) = &base.value {
                                let args: Option<Vec<String>> = c
                                    .args
                                    .iter()
                                    .map(|a| {
                                        if a.kind != ArgKind::Positional {
                                            return None;
                                        }
                                        to_display(&eval_depth(&a.value, scope, lookup, d))
                                    })
                                    .collect();
                                if let Some(args) = args {
                                    if let Some(s) = format_braces(fmt, &args) {
                                        return lit(Value::Str(s), file, e);
                                    }
                                }
                            }
                        }
                    }
                    Val::unknown()
                }
            }
        }
        _ => Val::unknown(),
    }
}

fn lookup_ident(name: &str, scope: &Scope<'_>, lookup: &dyn ModuleLookup, depth: u32) -> Val {
    if let Some(b) = scope.bindings.and_then(|b| b.get(name)) {
        return b.clone();
    }
    if let Some(f) = scope.function {
        if f.reassigned.iter().any(|n| n == name) {
            return Val::unknown();
        }
        if let Some(value) = f.local(name) {
            let inner = Scope {
                file: scope.file,
                module: scope.module,
                function: scope.function,
                bindings: scope.bindings,
                attrs: scope.attrs,
            };
            return eval_depth(value, &inner, lookup, depth);
        }
        if f.params.iter().any(|p| p.name == name) {
            return Val::unknown();
        }
    }
    global_value(scope.file, scope.module, name, lookup, depth)
}

/// The value of a module-level name (following `load()` into other project files).
pub fn global_value(file: FileId, module: &Module, name: &str, lookup: &dyn ModuleLookup, depth: u32) -> Val {
    if depth > MAX_DEPTH || module.reassigned_globals.iter().any(|n| n == name) {
        return Val::unknown();
    }
    if let Some(g) = module.global(name) {
        return eval_depth(&g.value, &Scope::module(file, module), lookup, depth + 1);
    }
    for load in &module.loads {
        for sym in &load.symbols {
            if sym.local == name {
                if let Some(target) = lookup.resolve_load(file, &load.module) {
                    if let Some(m) = lookup.module(target) {
                        return global_value(target, m, &sym.their, lookup, depth + 1);
                    }
                }
                return Val::unknown();
            }
        }
    }
    Val::unknown()
}

fn to_display(v: &Val) -> Option<String> {
    match &v.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        _ => None,
    }
}

fn format_braces(fmt: &str, args: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut idx = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let i = if spec.is_empty() {
                    idx += 1;
                    idx - 1
                } else {
                    spec.parse::<usize>().ok()?
                };
                out.push_str(args.get(i)?);
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

fn binop(a: Val, op: BinOp, b: Val, file: FileId, e: &Expr) -> Val {
    match (op, a.value, b.value) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => lit(Value::Str(x + &y), file, e),
        (BinOp::Add, Value::List(mut x), Value::List(y)) => {
            x.extend(y);
            lit(Value::List(x), file, e)
        }
        (BinOp::BitOr, Value::Dict(mut x), Value::Dict(y)) | (BinOp::Add, Value::Dict(mut x), Value::Dict(y)) => {
            x.extend(y);
            lit(Value::Dict(x), file, e)
        }
        // `unknown | {...}`: the right side's keys are known (they win); the rest is not, which
        // an unknown key says (readers that need every key give up on such a dict)
        (BinOp::BitOr, Value::Unknown, Value::Dict(y)) => {
            let mut x = vec![(Val::unknown(), Val::unknown())];
            x.extend(y);
            lit(Value::Dict(x), file, e)
        }
        (BinOp::Percent, Value::Str(fmt), arg) => {
            let args: Vec<Val> = match arg {
                Value::List(v) => v,
                other => vec![Val { value: other, origin: None }],
            };
            let mut out = String::new();
            let mut it = args.iter();
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%' {
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s') | Some('d') | Some('r') => match it.next().and_then(to_display) {
                            Some(s) => out.push_str(&s),
                            None => return Val::unknown(),
                        },
                        _ => return Val::unknown(),
                    }
                } else {
                    out.push(c);
                }
            }
            lit(Value::Str(out), file, e)
        }
        _ => Val::unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ir::lower;

    struct NoLoads;
    impl ModuleLookup for NoLoads {
        fn module(&self, _: FileId) -> Option<&Module> {
            None
        }
        fn resolve_load(&self, _: FileId, _: &str) -> Option<FileId> {
            None
        }
    }

    fn eval_global(src: &str, name: &str) -> Val {
        let ast = crate::parse::starlark::parse("t.bzl", src).unwrap();
        let m = lower(&ast);
        global_value(FileId(0), &m, name, &NoLoads, 0)
    }

    #[test]
    fn constants_and_concatenation() {
        let v = eval_global("A = \"x\"\nB = A + \"y\"\n", "B");
        assert_eq!(v.as_str(), Some("xy"));
        let v = eval_global("D = {\"a\": 1} | {\"b\": \"c\"}\n", "D");
        assert_eq!(v.dict_get("b").and_then(|v| v.as_str()), Some("c"));
        let v = eval_global("F = \"a%sb\" % \"X\"\nG = \"{}-{}\".format(\"p\", 2)\n", "F");
        assert_eq!(v.as_str(), Some("aXb"));
        let v = eval_global("G = \"{}-{}\".format(\"p\", 2)\n", "G");
        assert_eq!(v.as_str(), Some("p-2"));
        let v = eval_global("N = \"n\"\nH = f\"a{N}\"\n", "H");
        assert_eq!(v.as_str(), Some("an"));
        let v = eval_global("D = dict(x = \"1\")\n", "D");
        assert_eq!(v.dict_get("x").and_then(|v| v.as_str()), Some("1"));
    }

    #[test]
    fn select_gives_alternatives_and_glob_is_unknown() {
        let v = eval_global("S = select({\"//c:a\": [\"x\"], \"DEFAULT\": []})\n", "S");
        assert_eq!(v.alternatives().len(), 2);
        assert_eq!(v.alternatives()[0].0, Some("//c:a"));
        let v = eval_global("G = glob([\"*.rs\"])\n", "G");
        assert!(v.is_unknown());
        let v = eval_global("R = read_config(\"a\", \"b\")\n", "R");
        assert!(v.is_unknown());
    }

    #[test]
    fn reassigned_globals_are_unknown() {
        let v = eval_global("A = \"x\"\nA += \"y\"\n", "A");
        assert!(v.is_unknown());
    }

    #[test]
    fn origin_points_at_the_literal() {
        let src = "IMG = \"docker://x\"\nB = IMG\n";
        let v = eval_global(src, "B");
        let o = v.origin.unwrap();
        assert_eq!(&src[o.start as usize..o.end as usize], "\"docker://x\"");
    }
}
