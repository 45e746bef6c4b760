//! `fixup-cfg-dead`: a `['cfg(…)']` section that parses and could be true on some target, but
//! is false on every platform reindeer.toml configures (its `[platform.*]` tables, or
//! Reindeer's six defaults), so Reindeer never applies it.
//!
//! That is dead configuration, not an error: a section for `target_arch = "arm"` in a
//! repository that builds only for x86_64 and aarch64 is harmless, and becomes live when the
//! platform is added. Reported at `info` so it can be cleaned up. Sections false on every
//! known target, and keys that do not parse, are `fixup-cfg-parse`'s. Example:
//! `['cfg(target_arch = "arm")']` with Reindeer's default platforms. No fix.
use super::owner_platforms;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::cfg_expr::{CfgExpr, PlatformCfg};
use crate::model::fixups::SectionKind;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FixupsCx, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupCfgDead {
        id: "fixup-cfg-dead",
        code: None,
        category: Fixups,
        severity: Info,
        default: true,
        fix: None,
    }
}

impl Check for FixupCfgDead {
    fn check_fixups(&self, cx: &ProjectCx<'_>, fx: &FixupsCx<'_>, sink: &mut Sink<'_>) {
        if !cx.files.get(fx.file).reported {
            return;
        }
        let Some(platforms) = owner_platforms(cx, fx) else { return };
        let known = cx.project.known_platforms();
        let names: Vec<&str> = platforms.iter().map(|x| x.name.as_str()).collect();
        for s in fx.fixups.sections.iter().filter(|s| s.kind != SectionKind::Top) {
            let Some(pred) = &s.pred else { continue };
            // a `feature` atom, or a key the platforms do not define, is fixup-cfg-parse's finding
            let undefined = pred.atoms().iter().any(|a| match &a.expr {
                CfgExpr::KeyValue { key, .. } | CfgExpr::Key { key, .. } => {
                    key == "feature" || !platforms.iter().any(|x| x.has_key(key))
                }
                _ => false,
            });
            if undefined {
                continue;
            }
            if !platforms.iter().all(|x| pred.eval(x, None).is_false()) {
                continue;
            }
            let Some(live) = known.iter().find(|x| !pred.eval(*x, None).is_false()) else { continue };
            let key = s.key.as_deref().unwrap_or_default();
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Info,
                    Span::new(fx.file, s.key_span.clone().unwrap_or(0..0)),
                    format!(
                        "`{key}` is false on every configured platform ({}), so Reindeer never applies this section",
                        names.join(", ")
                    ),
                )
                .with_label("dead on the configured platforms")
                .with_help(format!(
                    "it would apply on {} (`{}`); keep it for when you add that platform in reindeer.toml `[platform.*]`, or delete it",
                    live.name,
                    key
                )),
            );
        }
    }
}
