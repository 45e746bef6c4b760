//! `duplicate-target-name`: two target declarations in one build file share a name.
//!
//! Buck2 refuses to register a target twice. A `proc_macro = True` Rust library also
//! declares the hidden `_<name>` target. Example: `alias(name = "serde")` next to
//! `rust_library(name = "serde")`. Buildifier's `duplicated-name` is accepted as an alias.
//! Only calls known to declare exactly `name` count: prelude rules, not the project's own
//! macros (which may declare `<name>-suffix` targets).
use crate::rules::registry::declare_rule;
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ir::{Call, Module};
use crate::parse::Parsed;
use crate::rules::util::{is_literal_true, span};
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    DuplicateTargetName {
        id: "duplicate-target-name",
        code: None,
        category: Buck,
        severity: Error,
        default: true,
        fix: None,
    }
}

/// Does the call declare a target named by its `name` argument? True for prelude rules
/// (globals, `native.<rule>`, symbols loaded from the prelude cell). A macro defined in this
/// file or loaded from the project's own `.bzl` files may declare `<name>-lib` and
/// `<name>-image` instead: unknown, so not counted (a rule that is unsure stays silent).
fn declares_exactly_name(module: &Module, c: &Call) -> bool {
    let Some(callee) = c.callee_name() else { return false };
    let head = callee.split('.').next().unwrap_or(&callee);
    if head == "native" {
        return true;
    }
    if module.def(head).is_some() || module.global(head).is_some() {
        return false;
    }
    match module.loads.iter().find(|l| l.symbols.iter().any(|s| s.local == head)) {
        Some(load) => {
            let path = load.module.strip_prefix('@').unwrap_or(&load.module);
            path.starts_with("prelude//")
        }
        None => true,
    }
}

impl Check for DuplicateTargetName {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::Build {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let mut seen: HashMap<String, (std::ops::Range<u32>, bool)> = HashMap::default();
        for c in &module.calls {
            let Some((name, r)) = c.name_arg() else { continue };
            if !declares_exactly_name(module, c) {
                continue;
            }
            let mut names = vec![(name.to_string(), false)];
            if is_literal_true(c, "proc_macro") {
                names.push((format!("_{name}"), true));
            }
            for (n, implicit) in names {
                match seen.get(&n) {
                    Some((first, first_implicit)) => {
                        let how = if implicit || *first_implicit {
                            " (a `proc_macro = True` library also declares `_<name>`)"
                        } else {
                            ""
                        };
                        sink.push(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                span(cx.file.id, &r),
                                format!("target `{n}` is declared twice in this file{how}"),
                            )
                            .with_related(span(cx.file.id, first), "first declared here")
                            .with_help("rename or remove one of the declarations"),
                        );
                    }
                    None => {
                        seen.insert(n, (r.clone(), implicit));
                    }
                }
            }
        }
    }
}
