//! `cargo-env-all-under-re` (R03): `cargo_env = true` (or a list containing
//! `CARGO_MANIFEST_DIR`) in a repository that runs actions remotely.
//!
//! Every crate then gets a `CARGO_MANIFEST_DIR` that the prelude makes absolute; any
//! `env!("CARGO_MANIFEST_DIR")` used as a value depends on the worker's working directory
//! (the R01 bug class). Fix (unsafe): list only the variables crates need, without
//! `CARGO_MANIFEST_DIR` and `CARGO_MANIFEST_LINKS`; crates that need the manifest dir get it
//! back in their own fixups.
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::fixups::CARGO_ENV_NAMES;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    CargoEnvAllUnderRe {
        id: "cargo-env-all-under-re",
        code: Some("R03"),
        category: Determinism,
        severity: Warning,
        default: true,
        fix: Unsafe,
    }
}

fn replacement() -> String {
    let names: Vec<String> = CARGO_ENV_NAMES
        .iter()
        .filter(|n| !matches!(**n, "CARGO_MANIFEST_DIR" | "CARGO_MANIFEST_LINKS"))
        .map(|n| format!("\"{n}\""))
        .collect();
    format!("[{}]", names.join(", "))
}

impl Check for CargoEnvAllUnderRe {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let Some(re) = p.exec().re_evidence else { return };
        for r in &p.reindeer {
            if cx.files.get(r.config).reported {
                if let Some(doc) = p.toml(r.config) {
                    check_doc(r.config, doc, re, sink);
                }
            }
        }
    }

    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        if fx.owner.is_none() || !cx.files.get(fx.file).reported {
            return;
        }
        let Some(re) = cx.project.exec().re_evidence else { return };
        check_doc(fx.file, fx.doc, re, sink);
    }
}

/// `cargo_env` at the top level of a reindeer.toml or an owned fixups file.
fn check_doc(id: FileId, doc: &toml_edit::Document<String>, re: Span, sink: &mut Sink<'_>) {
    let Some((k, v)) = doc.as_table().get_key_value("cargo_env") else { return };
    let (Some(ks), Some(vs)) = (k.span(), v.span()) else { return };
    let all = v.as_bool() == Some(true);
    let has_dir = v.as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some("CARGO_MANIFEST_DIR")));
    if !all && !has_dir {
        return;
    }
    let what = if all {
        "`cargo_env = true` gives every crate"
    } else {
        "listing `CARGO_MANIFEST_DIR` in `cargo_env` gives crates"
    };
    let mut d = Diagnostic::new(
            ID,
            Severity::Warning,
            Span::new(id, ks.start..vs.end),
            format!("{what} a `CARGO_MANIFEST_DIR` that becomes an absolute, per-worker path under remote execution"),
        )
        .with_label("absolute CARGO_MANIFEST_DIR for every crate")
        .with_related(re, "remote execution is enabled here")
        .with_help("list only the variables your crates read (the Reindeer manual recommends it); give `CARGO_MANIFEST_DIR` back only to crates that need it, in their own fixups");
    if all {
        d = d.with_fix(Fix {
            applicability: Applicability::Unsafe,
            description: "List the cargo_env variables explicitly, without CARGO_MANIFEST_DIR".into(),
            edits: vec![Edit { span: Span::new(id, vs), content: replacement() }],
        });
    }
    sink.push(d);
}
