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
        let globals = cx.settings.is_enabled(Rule::StarlarkUsingUndefined).then(|| &*GLOBALS);
        ast.lint(globals)
    })
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
