//! `duplicate-target-name`: two target declarations in one build file share a name.
//!
//! Buck2 refuses to register a target twice. A `proc_macro = True` Rust library also
//! declares the hidden `_<name>` target. Example: `alias(name = "serde")` next to
//! `rust_library(name = "serde")`. Buildifier's `duplicated-name` is accepted as an alias.
//! Read statically, only calls known to declare exactly `name` count: prelude rules, not the
//! project's own macros (which may declare `<name>-suffix` targets). Build files that call
//! macros or declare targets in loops and comprehensions are evaluated by the loading phase
//! ([`crate::model::loading`]): there every target the evaluation declares counts, and a
//! finding names the macro line that declared it.
use crate::rules::registry::declare_rule;
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::CallRef;
use crate::model::eval::AttrValue;
use crate::model::ir::{Call, Module};
use crate::model::loading::EvalTarget;
use crate::parse::Parsed;
use crate::rules::util::{is_literal_true, span};
use crate::rules::{Check, FileCx, ProjectCx, Sink};
use crate::source::{FileKind, Span};

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
    /// Duplicates only the loading phase sees (through a macro, a loop or a comprehension).
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let mut files: Vec<_> = p.loaded.files.iter().filter(|(_, f)| f.ok()).collect();
        files.sort_by_key(|(id, _)| **id);
        for (&file, lf) in files {
            if !cx.files.get(file).reported {
                continue;
            }
            let Some(module) = p.module_of(file) else { continue };
            // (name, target, implicit, seen statically)
            let mut seen: HashMap<String, (&EvalTarget, bool, bool)> = HashMap::default();
            for t in &lf.targets {
                let model = p.targets_in(file).find(|&i| {
                    let mt = &p.targets[i];
                    p.call_of(mt).span().start == t.call.start && p.name(mt) == t.name
                });
                let call = model.map(|i| p.call_of(&p.targets[i]));
                let statically = call.as_ref().is_some_and(|c| match c {
                    CallRef::Ir(c) => declares_exactly_name(module, c),
                    CallRef::Packed(_) => true,
                });
                let mut names = vec![(t.name.clone(), false, statically)];
                if t.attr("proc_macro") == Some(&AttrValue::Bool(true)) {
                    let literal = call.as_ref().is_some_and(|c| c.is_literal_true("proc_macro"));
                    names.push((format!("_{}", t.name), true, statically && literal));
                }
                for (n, implicit, stat) in names {
                    let Some(&(first, first_implicit, first_stat)) = seen.get(&n) else {
                        seen.insert(n, (t, implicit, stat));
                        continue;
                    };
                    if stat && first_stat {
                        continue; // the per-file check reports it
                    }
                    let same_call = first.call == t.call;
                    let how = if implicit || first_implicit {
                        " (a `proc_macro = True` library also declares `_<name>`)"
                    } else if same_call && first.via == t.via {
                        " (this call runs more than once with the same name: a loop or comprehension)"
                    } else if same_call {
                        " (by two rule calls of the same macro call)"
                    } else {
                        ""
                    };
                    let primary = match model {
                        Some(i) if !implicit => p.targets[i].name_span(),
                        _ => t.callee,
                    };
                    let mut d = Diagnostic::new(
                        ID,
                        Severity::Error,
                        primary,
                        format!("target `{n}` is declared twice in this file{how}"),
                    );
                    if !same_call {
                        d = d.with_related(first.callee, "first declared by this call");
                    }
                    let mut vias: Vec<(&str, Span)> = Vec::new();
                    for (what, decl) in [("first", first), ("second", t)] {
                        if let Some(via) = decl.via.filter(|v| !vias.iter().any(|(_, s)| s == v)) {
                            vias.push((what, via));
                        }
                    }
                    let both = vias.len() == 1 && first.via.is_some() && t.via.is_some();
                    for (what, via) in vias {
                        let msg = if both {
                            "both declarations come from this macro line".to_string()
                        } else {
                            format!("the {what} declaration comes from this macro line")
                        };
                        d = d.with_related(via, msg);
                    }
                    sink.push(d.with_help(
                        "Buck2 refuses to load a package that declares a target twice; rename one of them (for a macro, change the name it derives)",
                    ));
                }
            }
        }
    }

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
