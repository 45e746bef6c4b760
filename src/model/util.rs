//! Small helpers over the model shared by the model and the rules.

use crate::model::ir::{Expr, ExprKind};

/// Split a Reindeer target name `foo-bar-1.2.3` into (`foo-bar`, `1.2.3`).
pub fn split_versioned(name: &str) -> Option<(&str, semver::Version)> {
    let mut idx = name.len();
    while let Some(i) = name[..idx].rfind('-') {
        if let Ok(v) = semver::Version::parse(&name[i + 1..]) {
            return Some((&name[..i], v));
        }
        idx = i;
    }
    None
}

/// String literals directly inside a list expression (not following constants).
pub fn list_string_literals(e: &Expr) -> Vec<(&str, &std::ops::Range<u32>)> {
    let mut out = Vec::new();
    fn go<'a>(e: &'a Expr, out: &mut Vec<(&'a str, &'a std::ops::Range<u32>)>) {
        match &e.kind {
            ExprKind::Str(s) => out.push((&**s, &e.span)),
            ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().for_each(|x| go(x, out)),
            ExprKind::Dict(v) => v.iter().for_each(|(_, x)| go(x, out)),
            ExprKind::Bin(b) => {
                go(&b.0, out);
                go(&b.2, out)
            }
            ExprKind::Call(c) if c.callee_name().as_deref() == Some("select") => {
                c.args.iter().for_each(|a| go(&a.value, out))
            }
            _ => {}
        }
    }
    go(e, &mut out);
    out
}
