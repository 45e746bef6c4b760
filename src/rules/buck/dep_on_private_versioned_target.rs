//! `dep-on-private-versioned-target` (R21): a target outside the third-party package
//! depends on a private versioned crate target (`//third_party:pyo3-0.26.0`) that has a
//! public alias.
//!
//! The versioned target has `visibility = []`, so Buck2 reports a visibility error, and
//! every version bump would break the dependent anyway. Fix (safe): depend on the alias.
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::label::Label;
use crate::model::value::Value;
use crate::rules::registry::declare_rule;
use crate::rules::util::{for_each_dep_literal, replace_string_literal, span, split_versioned};
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    DepOnPrivateVersionedTarget {
        id: "dep-on-private-versioned-target",
        code: Some("R21"),
        category: Buck,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

impl Check for DepOnPrivateVersionedTarget {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        // a finding needs a target declared `visibility = []` under a versioned name: in a
        // project without one, no dependency needs looking at
        let private = |t: &crate::model::Target| {
            p.attr(t, "visibility").is_some_and(|v| matches!(&v.value, Value::List(items) if items.is_empty()))
        };
        if !p.targets.iter().any(|t| split_versioned(p.name(t)).is_some() && private(t)) {
            return;
        }
        for_each_dep_literal(cx, |t, s, lit| {
            // `:name` is in the same package (the common case: skip it before parsing)
            if s.trim_start().starts_with(':') {
                return;
            }
            let Some(mut l) = Label::parse(s, &t.cell, &t.package) else { return };
            l.cell = p.canonical_cell(&l.cell);
            if *l.package == *t.package && *l.cell == *t.cell {
                return;
            }
            let Some((crate_name, _)) = split_versioned(&l.name) else { return };
            let Some(ti) = p.target(&l) else { return };
            let target = &p.targets[ti];
            if !private(target) {
                return;
            }
            let alias_label = Label { name: crate_name.to_string(), subtarget: None, ..l.clone() };
            let Some(ai) = p.target(&alias_label) else { return };
            let alias = &p.targets[ai];
            let points_here = p
                .attr(alias, "actual")
                .and_then(|v| v.as_str().and_then(|a| p.resolve_label(alias, a)))
                .is_some_and(|a| a.name == l.name && a.package == l.package);
            if !points_here {
                return;
            }
            let Some(text) = cx.files.text(t.file) else { return };
            let fixed = s.replacen(&l.name, crate_name, 1);
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    span(t.file, &lit),
                    format!("`{s}` is a private versioned crate target; depend on its alias `{fixed}`"),
                )
                .with_related(target.name_span(), "declared with `visibility = []` here")
                .with_related(alias.name_span(), "public alias")
                .with_help("Buck2 rejects the dependency for visibility, and every version bump would break it")
                .with_fix(Fix {
                    applicability: Applicability::Safe,
                    description: format!("Depend on `{fixed}`"),
                    edits: vec![replace_string_literal(t.file, &text, &lit, &fixed)],
                }),
            );
        });
    }
}
