//! `reindeer-precise-srcs-noop` (R39): reindeer.toml sets `precise_srcs = true`, crates come
//! from `http_archive`, `git_fetch` or `extract_archive` (not vendored, as the generated BUCK
//! shows) and no crate is built from local sources.
//!
//! Precise source detection only runs for vendored or local crates (the manual's "Included
//! files"), so the setting suggests that `include_str!` files are handled when they are not.
//! Info, on the `precise_srcs` key, with a related span on an archive rule. No fix.
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ir::ExprKind;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    ReindeerPreciseSrcsNoop {
        id: "reindeer-precise-srcs-noop",
        code: Some("R39"),
        category: Reindeer,
        severity: Info,
        default: true,
        fix: None,
    }
}

const ARCHIVES: &[&str] = &["http_archive", "git_fetch", "extract_archive"];

impl Check for ReindeerPreciseSrcsNoop {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        for rp in &p.reindeer {
            if rp.vendored || !cx.files.get(rp.config).reported {
                continue;
            }
            let Some(doc) = p.toml(rp.config) else { continue };
            let Some((key, value)) = doc.as_table().get_key_value("precise_srcs") else { continue };
            if value.as_bool() != Some(true) {
                continue;
            }
            let Some(buck) = rp.buck_file else { continue };
            let Some(module) = p.module_of(buck) else { continue };
            let overrides: Vec<String> = p
                .toml(rp.config)
                .and_then(|d| d.get("buck"))
                .and_then(|b| b.as_table_like())
                .map(|b| ARCHIVES.iter().filter_map(|k| b.get(k).and_then(|v| v.as_str()).map(String::from)).collect())
                .unwrap_or_default();
            let is_archive = |callee: &str| {
                ARCHIVES.iter().any(|a| callee == *a || callee.ends_with(&format!(".{a}")))
                    || overrides.iter().any(|o| o == callee)
            };
            let mut archive = None;
            let mut local = false;
            for call in &module.calls {
                let Some(callee) = call.callee_name() else { continue };
                if is_archive(&callee) {
                    if archive.is_none() {
                        archive = call.name_arg().map(|(_, r)| r);
                    }
                    continue;
                }
                // a crate built from local sources: `srcs` with plain paths
                if let Some(srcs) = call.kwarg("srcs") {
                    if let ExprKind::List(items) = &srcs.value.kind {
                        local |= items
                            .iter()
                            .any(|i| matches!(&i.kind, ExprKind::Str(s) if !s.starts_with(':') && !s.contains("//")));
                    }
                }
            }
            let Some(archive) = archive else { continue };
            if local {
                continue;
            }
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Info,
                    Span::new(rp.config, key.span().unwrap_or(0..0)),
                    "`precise_srcs = true` has no effect: crates are downloaded archives, and Reindeer only computes precise sources for vendored or local crates",
                )
                .with_label("no effect without vendored sources")
                .with_related(Span::new(buck, archive.start as usize..archive.end as usize), "crates come from archives like this one")
                .with_help("remove `precise_srcs = true`, or vendor the crates (`vendor = true` and `reindeer vendor`); list files the crates include with `extra_srcs` fixups"),
            );
        }
    }
}
