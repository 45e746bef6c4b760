//! `starlark-*`: the starlark crate's own lints (`AstModule::lint`), re-emitted as
//! `starlark-<short_name>` on BUCK, PACKAGE and .bzl files. The crate's
//! `# starlark-lint-disable` comments stay active. `starlark-using-undefined` is given the
//! Buck2 globals from `data/buck2-builtins.toml`. `starlark-unused-load` has a safe fix.
use std::collections::HashSet;
use std::sync::LazyLock;

use starlark::analysis::{AstModuleLint, EvalSeverity};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::parse::Parsed;
use crate::rules::registry;
use crate::rules::util::span;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

pub struct StarlarkPassthrough;

static GLOBALS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let doc: toml_edit::DocumentMut = crate::model::data::BUCK2_BUILTINS.parse().unwrap_or_default();
    doc.get("globals")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
});

impl Check for StarlarkPassthrough {
    fn rules(&self) -> &'static [&'static str] {
        &[]
    }
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        // a large file parsed in pieces has no whole syntax tree to lint
        let Parsed::Starlark { ast: Some(ast), module } = cx.parsed else { return };
        if !registry::RULES.iter().any(|r| r.id.starts_with("starlark-") && sink.enabled(r.id)) {
            return;
        }
        let globals = sink.enabled("starlark-using-undefined").then(|| &*GLOBALS);
        for lint in ast.lint(globals) {
            let id = format!("starlark-{}", lint.short_name);
            let Some(meta) = registry::get(&id) else { continue };
            if !sink.enabled(meta.id) || lint.severity == EvalSeverity::Disabled && !sink.enabled(meta.id) {
                continue;
            }
            let s = lint.location.span;
            let r = s.begin().get()..s.end().get();
            let mut d = Diagnostic::new(meta.id, meta.severity, span(cx.file.id, &r), lint.problem.clone());
            if meta.id == "starlark-unused-load" {
                if let Some(fix) = unused_load_fix(cx, module, &r) {
                    d = d.with_fix(fix);
                }
            }
            sink.push(d);
        }
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
