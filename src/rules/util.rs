//! Helpers shared by rules: recognising Rust rules, evaluating attributes in a single file,
//! and building minimal text edits that keep the author's formatting.

use crate::config::Settings;
use crate::diagnostic::Edit;
use crate::model::ir::{Call, ExprKind, Module};
use crate::model::value::{self, ModuleLookup, Scope, Val};
use crate::source::{FileId, Span};

pub use crate::model::util::{list_string_literals, split_versioned};

/// Callees that declare a Rust library (rules.md "Definitions").
pub fn is_rust_library_rule(callee: &str, settings: &Settings, reindeer_rule: Option<&str>) -> bool {
    matches!(callee, "rust_library" | "cargo.rust_library")
        || callee.ends_with(".rust_library")
        || callee.ends_with("_rust_library")
        || reindeer_rule == Some(callee)
        || settings.buck.rust_library_rules.iter().any(|r| r == callee)
}

pub fn is_rust_binary_rule(callee: &str) -> bool {
    matches!(callee, "rust_binary" | "cargo.rust_binary" | "rust_test" | "cargo.rust_test")
        || callee.ends_with(".rust_binary")
        || callee.ends_with(".rust_test")
}

pub fn is_buildscript_run_rule(callee: &str, settings: &Settings, reindeer_rule: Option<&str>) -> bool {
    callee == "buildscript_run"
        || callee.ends_with(".buildscript_run")
        || reindeer_rule == Some(callee)
        || settings.buck.buildscript_run_rules.iter().any(|r| r == callee)
}

/// A lookup for per-file checks: the file's own module, no `load()` resolution.
pub struct SingleModule;

impl ModuleLookup for SingleModule {
    fn module(&self, _: FileId) -> Option<&Module> {
        None
    }
    fn resolve_load(&self, _: FileId, _: &str) -> Option<FileId> {
        None
    }
}

/// Evaluate a call's keyword argument within one module.
pub fn kwarg_value(file: FileId, module: &Module, call: &Call, name: &str) -> Option<Val> {
    let a = call.kwarg(name)?;
    Some(value::eval(&a.value, &Scope::module(file, module), &SingleModule))
}

/// `proc_macro = True` written literally.
pub fn is_literal_true(call: &Call, name: &str) -> bool {
    call.kwarg(name).is_some_and(|a| matches!(a.value.kind, ExprKind::Bool(true)))
}

pub fn span(file: FileId, r: &std::ops::Range<u32>) -> Span {
    Span { file, start: r.start, end: r.end }
}

/// Insert `kw` (e.g. `use_limited_hybrid = True`) as the last keyword argument of `call`,
/// following the call's layout: one argument per line (with the same indentation and
/// trailing-comma style) or inline.
pub fn insert_kwarg(file: FileId, text: &str, call: &Call, kw: &str) -> Edit {
    let end = call.span.end as usize;
    let Some(last) = call.args.last() else {
        // `f()` → `f(kw)`
        let open = text[..end].rfind(')').unwrap_or(end);
        return Edit { span: Span { file, start: open as u32, end: open as u32 }, content: kw.to_string() };
    };
    let last_end = last.span.end as usize;
    let between = &text[last_end..end.saturating_sub(1).max(last_end)];
    let has_comma = between.trim_start().starts_with(',');
    let multiline = between.contains('\n');
    if multiline {
        let line_start = text[..last.span.start as usize].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let indent: String =
            text[line_start..last.span.start as usize].chars().take_while(|c| c.is_whitespace()).collect();
        if has_comma {
            let comma = last_end + between.find(',').unwrap_or(0) + 1;
            Edit { span: Span { file, start: comma as u32, end: comma as u32 }, content: format!("\n{indent}{kw},") }
        } else {
            Edit {
                span: Span { file, start: last_end as u32, end: last_end as u32 },
                content: format!(",\n{indent}{kw}"),
            }
        }
    } else {
        let at = if has_comma { last_end + between.find(',').unwrap_or(0) + 1 } else { last_end };
        let content = if has_comma { format!(" {kw}") } else { format!(", {kw}") };
        Edit { span: Span { file, start: at as u32, end: at as u32 }, content }
    }
}

/// Replace a string literal's contents, keeping its quote style.
pub fn replace_string_literal(file: FileId, text: &str, lit: &std::ops::Range<u32>, new_value: &str) -> Edit {
    let raw = &text[lit.start as usize..lit.end as usize];
    let quote = if raw.starts_with('\'') { '\'' } else { '"' };
    let escaped = new_value.replace('\\', "\\\\").replace(quote, &format!("\\{quote}"));
    Edit { span: Span { file, start: lit.start, end: lit.end }, content: format!("{quote}{escaped}{quote}") }
}

/// Each string literal in the `deps`, `named_deps` and `exec_deps` of every target declared in
/// a reported file: `(target, the string, its span in the target's file)`.
pub fn for_each_dep_literal(
    cx: &crate::rules::ProjectCx<'_>,
    mut f: impl FnMut(&crate::model::Target, &str, crate::model::ir::Range),
) {
    let p = cx.project;
    for t in &p.targets {
        if !cx.files.get(t.file).reported {
            continue;
        }
        for arg in p.call_of(t).kwargs(["deps", "named_deps", "exec_deps"]).into_iter().flatten() {
            for (s, lit) in arg.value().string_literals() {
                f(t, s, lit);
            }
        }
    }
}

/// The Rust proc-macro library calls (`proc_macro = True`) of a build file.
pub fn proc_macro_calls<'m>(cx: &crate::rules::FileCx<'m>) -> impl Iterator<Item = &'m Call> {
    let module = match cx.parsed {
        crate::parse::Parsed::Starlark { module, .. } if cx.file.kind == crate::source::FileKind::Build => Some(module),
        _ => None,
    };
    let settings = cx.settings;
    module.into_iter().flat_map(|m| m.calls.iter()).filter(move |c| {
        c.callee_name().is_some_and(|callee| is_rust_library_rule(&callee, settings, None))
            && is_literal_true(c, "proc_macro")
    })
}

/// A Reindeer-generated build file that no Reindeer project the run knows holds, in a run that
/// looked its context up ([`crate::model::Project::partial_context`]): its `reindeer.toml`
/// (one beside its third-party directory, not above it) was not found, so what the project
/// would settle is unknown.
pub fn generated_without_project(cx: &crate::rules::ProjectCx<'_>, file: FileId) -> bool {
    let p = cx.project;
    p.partial_context
        && !p.reindeer.iter().any(|rp| rp.contains(p, file))
        && cx.files.text(file).is_some_and(|text| crate::model::reindeer::generated_header(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_of(src: &str) -> (String, Call) {
        let ast = crate::parse::starlark::parse("BUCK", src).unwrap();
        let m = crate::model::ir::lower(&ast);
        (src.to_string(), m.calls[0].clone())
    }

    fn apply(text: &str, e: &Edit) -> String {
        format!("{}{}{}", &text[..e.span.start as usize], e.content, &text[e.span.end as usize..])
    }

    #[test]
    fn insert_kwarg_keeps_layout() {
        let (t, c) = call_of("f(\n    a = 1,\n    b = 2,\n)\n");
        assert_eq!(
            apply(&t, &insert_kwarg(FileId(0), &t, &c, "x = True")),
            "f(\n    a = 1,\n    b = 2,\n    x = True,\n)\n"
        );
        let (t, c) = call_of("f(\n  a = 1\n)\n");
        assert_eq!(apply(&t, &insert_kwarg(FileId(0), &t, &c, "x = True")), "f(\n  a = 1,\n  x = True\n)\n");
        let (t, c) = call_of("f(a = 1)\n");
        assert_eq!(apply(&t, &insert_kwarg(FileId(0), &t, &c, "x = True")), "f(a = 1, x = True)\n");
        let (t, c) = call_of("f()\n");
        assert_eq!(apply(&t, &insert_kwarg(FileId(0), &t, &c, "x = True")), "f(x = True)\n");
    }

    #[test]
    fn versioned_names() {
        let (n, v) = split_versioned("pyo3-build-config-0.26.0").unwrap();
        assert_eq!((n, v.to_string().as_str()), ("pyo3-build-config", "0.26.0"));
        assert!(split_versioned("serde").is_none());
        let (n, _) = split_versioned("foo-1.0.0-alpha.1").unwrap();
        assert_eq!(n, "foo");
    }
}
