//! `fixup-cfg-parse` (R27): `['cfg(…)']` section keys checked against Reindeer's cfg grammar
//! (`reindeer-schema.md` §4) and the configured platforms.
//!
//! Error: the key does not parse (unquoted values, unbalanced parentheses, trailing commas or
//! junk, non-ASCII in a string, an invalid semver requirement); buckify fails with "Bad
//! platform expression". Warning: the section can never apply, because of a `feature = "…"`
//! atom (always false in Reindeer), a cfg key no configured platform defines, or a predicate
//! that is false on every platform: the configured ones (the `[platform.*]` tables of
//! reindeer.toml, or Reindeer's six defaults, with the `rustc --print=cfg` data of their
//! triples) and every other triple buck-lint knows. A predicate that only the configured
//! platforms rule out is dead configuration, reported by `fixup-cfg-dead`. The finding sits
//! on the offending part of the key. No fix.
use super::owner_platforms;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::cfg_expr::{CfgExpr, PlatformCfg};
use crate::model::fixups::{IssueKind, SectionKind};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FileCx, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupCfgParse {
        id: "fixup-cfg-parse",
        code: Some("R27"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for FixupCfgParse {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(f) = cx.fixups() else { return };
        for issue in &f.issues {
            let IssueKind::CfgParse { error, .. } = &issue.kind else { continue };
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Error,
                    Span::new(cx.file.id, issue.span.clone()),
                    format!("bad platform expression `{}`: {}", issue.key, error.message),
                )
                .with_label(error.message.clone())
                .with_help("Reindeer's grammar: `all(…)`, `any(…)`, `not(…)`, `key = \"value\"` with double-quoted values, bare keys and `version = \"<semver requirement>\"`; no trailing commas"),
            );
        }
    }

    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        if !cx.files.get(fx.file).reported {
            return;
        }
        let Some(platforms) = owner_platforms(cx, fx) else { return };
        let known = cx.project.known_platforms();
        let names: Vec<&str> = platforms.iter().map(|x| x.name.as_str()).collect();
        let f = fx.fixups;
        for s in f.sections.iter().filter(|s| s.kind != SectionKind::Top) {
            let Some(pred) = &s.pred else { continue };
            let key = s.key.as_deref().unwrap_or_default();
            let mut atom_findings = 0;
            for atom in pred.atoms() {
                let span = Span::new(fx.file, s.map_key_range(&atom.span));
                if atom.expr.is_feature() {
                    atom_findings += 1;
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Warning,
                            span,
                            format!("`{}` in `{key}` is always false in Reindeer: Cargo never applies feature-conditional target dependencies", atom.expr),
                        )
                        .with_label("always false")
                        .with_help("use a plain top-level key, or `features` / `omit_features`, instead of `cfg(feature = …)`"),
                    );
                    continue;
                }
                let undefined = match &atom.expr {
                    CfgExpr::KeyValue { key, .. } | CfgExpr::Key { key, .. } => {
                        (!platforms.iter().any(|x| x.has_key(key))).then_some(key.as_str())
                    }
                    _ => None,
                };
                if let Some(k) = undefined {
                    atom_findings += 1;
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Warning,
                            span,
                            format!("no configured platform defines the cfg key `{k}`, so `{}` is never true", atom.expr),
                        )
                        .with_label("undefined cfg key")
                        .with_help(format!(
                            "the configured platforms are {}; declare custom keys in reindeer.toml `[platform.<name>]` tables",
                            names.join(", ")
                        )),
                    );
                }
            }
            if atom_findings > 0 {
                continue;
            }
            // false on every platform buck-lint knows: never true (a section that only the
            // configured platforms rule out is dead configuration, `fixup-cfg-dead`)
            if platforms.iter().chain(known).all(|x| pred.eval(x, None).is_false()) {
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Warning,
                        Span::new(fx.file, s.key_span.clone().unwrap_or(0..0)),
                        format!(
                            "`{key}` is false on every platform ({} and the other known targets), so this section never applies",
                            names.join(", ")
                        ),
                    )
                    .with_label("never true")
                    .with_help(
                        "declare the platforms you build for in reindeer.toml `[platform.*]`, or delete the section",
                    ),
                );
            }
        }
    }
}
