//! `reindeer-platform-name-unmapped` (R06): a reindeer.toml `[platform.<name>]` whose name is
//! not a prelude Reindeer platform name (data table, plus `[data] extra-reindeer-platforms`) and
//! that no PACKAGE/BUCK_TREE file at or above the third-party directory maps with
//! `set_reindeer_platforms(...)`.
//!
//! The name is a `select()` key that never matches, so platform-specific deps silently
//! disappear (reindeer#50). Fix (unsafe): rename the table to the prelude name of its `target`
//! triple; otherwise the help shows a `set_reindeer_platforms` snippet. On the table header.
use super::super::util::list_string_literals;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::ReindeerDoc;
use crate::rules::fixups::edit;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::{FileKind, Span};

declare_rule! {
    ReindeerPlatformNameUnmapped {
        id: "reindeer-platform-name-unmapped",
        code: Some("R06"),
        category: Reindeer,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

impl Check for ReindeerPlatformNameUnmapped {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        for rp in &p.reindeer {
            if !cx.files.get(rp.config).reported {
                continue;
            }
            let Some(doc) = p.toml(rp.config) else { continue };
            let rt = ReindeerDoc::analyze(doc);
            if rt.platforms.is_empty() {
                continue;
            }
            // names mapped by set_reindeer_platforms in PACKAGE files at or above third_party_dir
            let mut mapped: Vec<String> = Vec::new();
            for (id, module) in p.modules() {
                if p.kind_of(id) != FileKind::Package {
                    continue;
                }
                let Some(dir) = p.path_of(id).parent() else { continue };
                if !rp.third_party_dir.starts_with(dir) {
                    continue;
                }
                for call in &module.calls {
                    let Some(callee) = call.callee_name() else { continue };
                    if callee != "set_reindeer_platforms" && !callee.ends_with(".set_reindeer_platforms") {
                        continue;
                    }
                    for a in &call.args {
                        mapped.extend(list_string_literals(&a.value).into_iter().map(|(s, _)| s.to_string()));
                    }
                }
            }
            let known: Vec<&str> = p.data.platform_names().collect();
            for plat in &rt.platforms {
                if known.contains(&plat.name) || mapped.iter().any(|m| m == plat.name) {
                    continue;
                }
                let by_triple = plat.target.as_ref().and_then(|(t, _)| {
                    let mut c: Vec<&crate::model::data::Platform> =
                        p.data.platforms.iter().filter(|d| d.triple == *t).collect();
                    c.sort_by_key(|d| !d.reindeer_default);
                    c.first().map(|d| d.name.clone())
                });
                let taken = |n: &str| rt.platforms.iter().any(|o| o.name == n);
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Error,
                    Span::new(rp.config, plat.anchor.clone()),
                    format!(
                        "Reindeer platform `{}` is not a prelude platform name and no PACKAGE file maps it with `set_reindeer_platforms`, so its `select()` key never matches and its platform-specific deps disappear",
                        plat.name
                    ),
                )
                .with_label("unmapped platform name");
                match by_triple {
                    Some(new) if !taken(&new) => {
                        let triple = plat.target.as_ref().map(|(t, _)| *t).unwrap_or_default();
                        d = d
                            .with_help(format!(
                                "the prelude calls {triple} `{new}`: rename the table to `[platform.{new}]`"
                            ))
                            .with_fix(Fix {
                                applicability: Applicability::Unsafe,
                                description: format!("Rename `[platform.{}]` to `[platform.{new}]`", plat.name),
                                edits: vec![edit(rp.config, plat.key_span.clone(), new.clone())],
                            });
                    }
                    _ => {
                        let dir = p
                            .root
                            .as_ref()
                            .and_then(|r| rp.third_party_dir.strip_prefix(r).ok())
                            .map(|d| d.to_string_lossy().replace('\\', "/"))
                            .unwrap_or_default();
                        d = d.with_help(format!(
                            "use one of {}, or map the name in a PACKAGE file at or above `{}`: `load(\"@prelude//rust:cargo_package.bzl\", \"DEFAULT_REINDEER_PLATFORMS\", \"set_reindeer_platforms\")` and `set_reindeer_platforms(select({{\"DEFAULT\": DEFAULT_REINDEER_PLATFORMS, \"<constraint>\": \"{}\"}}))`",
                            known.join(", "),
                            if dir.is_empty() { "." } else { dir.as_str() },
                            plat.name
                        ));
                    }
                }
                sink.push(d);
            }
        }
    }
}
