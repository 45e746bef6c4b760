//! One view over a target's call, whether it is kept as IR (third-party build files, macro
//! calls, custom rules) or packed (prelude rules in first-party build files, see
//! [`super::packed`]). Cross-file rules read targets through these.

use std::borrow::Cow;

use super::ir::{Arg, ArgKind, Call, Expr, ExprKind, Range};
use super::packed::{PackedArg, PackedCall, PackedExpr};

/// The call declaring a target.
#[derive(Clone, Copy)]
pub enum CallRef<'a> {
    Ir(&'a Call),
    Packed(PackedCall<'a>),
}

/// An argument of a [`CallRef`].
#[derive(Clone)]
pub enum ArgRef<'a> {
    Ir(&'a Arg),
    Packed(PackedArg<'a>),
    /// The `name = "..."` argument of a packed call (its span is that of the string).
    Name(&'a str, Range),
}

/// An expression of a [`CallRef`].
#[derive(Clone)]
pub enum ExprRef<'a> {
    Ir(&'a Expr),
    Packed(PackedExpr<'a>),
    Str(&'a str, Range),
}

impl<'a> CallRef<'a> {
    /// The IR call, when the target is not packed.
    pub fn as_ir(&self) -> Option<&'a Call> {
        match self {
            CallRef::Ir(c) => Some(c),
            CallRef::Packed(_) => None,
        }
    }
    /// The callee as written (`cargo.rust_library`).
    pub fn callee_name(&self) -> Option<String> {
        match self {
            CallRef::Ir(c) => c.callee_name(),
            CallRef::Packed(c) => Some(c.callee().to_string()),
        }
    }
    pub fn span(&self) -> Range {
        match self {
            CallRef::Ir(c) => c.span.clone(),
            CallRef::Packed(call) => call.span(),
        }
    }
    /// Every argument, in source order (a packed call's `name` first).
    pub fn args(&self) -> Vec<ArgRef<'a>> {
        match self {
            CallRef::Ir(c) => c.args.iter().map(ArgRef::Ir).collect(),
            CallRef::Packed(call) => std::iter::once(ArgRef::Name(call.name(), call.name_span()))
                .chain(call.args().map(ArgRef::Packed))
                .collect(),
        }
    }
    /// The last keyword argument called `name`.
    pub fn kwarg(&self, name: &str) -> Option<ArgRef<'a>> {
        match self {
            CallRef::Ir(c) => c.kwarg(name).map(ArgRef::Ir),
            CallRef::Packed(call) if name == "name" => Some(ArgRef::Name(call.name(), call.name_span())),
            CallRef::Packed(call) => call
                .args()
                .filter(|a| a.kind == ArgKind::Named && a.name.as_deref() == Some(name))
                .last()
                .map(ArgRef::Packed),
        }
    }
    /// The last keyword argument of each of `names`, in one pass over the arguments (the
    /// cross-file rules read `deps`, `named_deps` and `exec_deps` of every target).
    pub fn kwargs<const N: usize>(&self, names: [&str; N]) -> [Option<ArgRef<'a>>; N] {
        let mut out: [Option<ArgRef<'a>>; N] = std::array::from_fn(|_| None);
        // a name never interned is no argument's name
        let syms: [Option<super::sym::Sym>; N] = names.map(super::sym::Sym::existing);
        let slot = |n: Option<super::sym::Sym>| n.and_then(|n| syms.iter().position(|s| *s == Some(n)));
        match self {
            CallRef::Ir(c) => {
                for a in c.args.iter().filter(|a| a.kind == ArgKind::Named) {
                    if let Some(i) = slot(a.name) {
                        out[i] = Some(ArgRef::Ir(a));
                    }
                }
            }
            CallRef::Packed(c) => {
                for a in c.args().filter(|a| a.kind == ArgKind::Named) {
                    if let Some(i) = slot(a.name) {
                        out[i] = Some(ArgRef::Packed(a));
                    }
                }
                if let Some(i) = names.iter().position(|n| *n == "name") {
                    out[i] = Some(ArgRef::Name(c.name(), c.name_span()));
                }
            }
        }
        out
    }
    /// `attr = True` written literally.
    pub fn is_literal_true(&self, name: &str) -> bool {
        self.kwarg(name).is_some_and(|a| a.value().as_bool() == Some(true))
    }
}

impl<'a> ArgRef<'a> {
    pub fn kind(&self) -> ArgKind {
        match self {
            ArgRef::Ir(a) => a.kind,
            ArgRef::Packed(a) => a.kind,
            ArgRef::Name(..) => ArgKind::Named,
        }
    }
    pub fn name(&self) -> Option<&'a str> {
        match self {
            ArgRef::Ir(a) => a.name.map(|s| s.as_str()),
            ArgRef::Packed(a) => a.name.map(|s| s.as_str()),
            ArgRef::Name(..) => Some("name"),
        }
    }
    /// Span of the whole argument (`name = value`).
    pub fn span(&self) -> Range {
        match self {
            ArgRef::Ir(a) => a.span.clone(),
            ArgRef::Packed(a) => a.span.clone(),
            ArgRef::Name(_, r) => r.clone(),
        }
    }
    /// Span of the keyword (the whole argument when it has none).
    pub fn name_span(&self) -> Range {
        match (self.name(), self) {
            (_, ArgRef::Name(_, r)) => r.clone(),
            (Some(n), _) => self.span().start..self.span().start + n.len() as u32,
            (None, _) => self.span(),
        }
    }
    pub fn value(&self) -> ExprRef<'a> {
        match self {
            ArgRef::Ir(a) => ExprRef::Ir(&a.value),
            ArgRef::Packed(a) => ExprRef::Packed(a.value),
            ArgRef::Name(s, r) => ExprRef::Str(s, r.clone()),
        }
    }
}

impl<'a> ExprRef<'a> {
    pub fn span(&self) -> Range {
        match self {
            ExprRef::Ir(e) => e.span.clone(),
            ExprRef::Packed(e) => e.span(),
            ExprRef::Str(_, r) => r.clone(),
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ExprRef::Ir(e) => match e.kind {
                ExprKind::Bool(b) => Some(b),
                _ => None,
            },
            ExprRef::Packed(e) => e.as_bool(),
            ExprRef::Str(..) => None,
        }
    }
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            ExprRef::Ir(e) => match &e.kind {
                ExprKind::Str(s) => Some(s),
                _ => None,
            },
            ExprRef::Packed(e) => e.as_str(),
            ExprRef::Str(s, _) => Some(s),
        }
    }
    /// String literals directly inside (list items, dict values, `+` operands, `select()`
    /// branches), with their spans; see [`crate::model::util::list_string_literals`].
    pub fn string_literals(&self) -> Vec<(&'a str, Range)> {
        match self {
            ExprRef::Ir(e) => {
                crate::model::util::list_string_literals(e).into_iter().map(|(s, r)| (s, r.clone())).collect()
            }
            ExprRef::Packed(e) => {
                let mut out = Vec::new();
                e.string_literals(&mut out);
                out
            }
            ExprRef::Str(s, r) => vec![(*s, r.clone())],
        }
    }
    /// The expression as IR (unpacked when packed).
    pub fn to_expr(&self) -> Cow<'a, Expr> {
        match self {
            ExprRef::Ir(e) => Cow::Borrowed(e),
            ExprRef::Packed(e) => Cow::Owned(e.to_expr()),
            ExprRef::Str(s, r) => Cow::Owned(Expr { span: r.clone(), kind: ExprKind::Str((*s).into()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::packed::PackedCalls;

    #[test]
    fn kwargs_finds_each_name_in_ir_and_packed_calls() {
        let src = "rust_library(name = \"a\", deps = [\":b\", \":c\"], visibility = [], srcs = [])\n";
        let m = crate::model::ir::lower(&crate::parse::starlark::parse("BUCK", src).unwrap());
        let packed = PackedCalls::pack(&m.calls);
        let calls = [CallRef::Ir(&m.calls[0]), CallRef::Packed(packed.calls().next().unwrap())];
        for c in calls {
            let [deps, name, missing] = c.kwargs(["deps", "name", "never_interned_attribute_xyz"]);
            let deps: Vec<&str> = deps.unwrap().value().string_literals().into_iter().map(|(s, _)| s).collect();
            assert_eq!(deps, vec![":b", ":c"]);
            assert_eq!(name.unwrap().value().as_str(), Some("a"));
            assert!(missing.is_none());
            assert_eq!(c.kwarg("visibility").map(|a| a.span()), c.kwargs(["visibility"])[0].as_ref().map(|a| a.span()));
        }
    }
}
