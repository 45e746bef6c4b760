//! `reindeer-config-invalid` (R37): an unknown or removed reindeer.toml key (with the date it
//! was removed), `[platform.*]` tables of which only some set `execution-platform`, a platform
//! `features` entry with `/`, `[buck] split = true` together with `license_patterns`, and a
//! `vendor` string other than `"local-registry"`. Wrong types name the expected type.
//!
//! Each of these makes Reindeer abort. A top-level `error = "…"` string is a deliberate guard
//! and is reported at info. Fork-only keys (`shared_fixups`, `[audit]`) are reported as unknown
//! with a note. Fix (unsafe): `vendor.checksum_exclude` → `gitignore_checksum_exclude`;
//! otherwise help text only.
use super::reindeer_toml;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::{IssueKind, ReindeerDoc, RtIssueKind};
use crate::rules::fixups::fixup_unknown_key::schema_diagnostic;
use crate::rules::registry::declare_rule;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

declare_rule! {
    ReindeerConfigInvalid {
        id: "reindeer-config-invalid",
        code: Some("R37"),
        category: Reindeer,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

impl Check for ReindeerConfigInvalid {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(doc) = reindeer_toml(cx) else { return };
        let r = ReindeerDoc::analyze(doc);
        let file = cx.file.id;
        for issue in &r.issues {
            let Some(mut d) = schema_diagnostic(ID, r.text, doc, file, issue, "reindeer.toml") else { continue };
            // only removed keys with a known replacement get a fix; misspellings get help only
            if matches!(&issue.kind, IssueKind::UnknownKey { removed: None, .. }) {
                d.fix = None;
            }
            sink.push(d);
        }
        for i in &r.rt_issues {
            let span = Span::new(file, i.span.clone());
            let d = match &i.kind {
                RtIssueKind::Guard => Diagnostic::new(
                    ID,
                    Severity::Info,
                    span,
                    "`error = \"…\"` is a Reindeer guard: it makes `reindeer` fail when run with this file, on purpose",
                )
                .with_label("Reindeer guard")
                .with_help("this is intentional (it stops buckify from running in the wrong directory); suppress the finding if you want it silent"),
                RtIssueKind::ExecutionPlatformMissing { platform } => Diagnostic::new(
                    ID,
                    Severity::Error,
                    span,
                    format!("`[platform.{platform}]` does not set `execution-platform`, but other platforms do; Reindeer fails with \"Missing `execution-platform = true` or `execution-platform = false` for platform {platform}\""),
                )
                .with_label("missing execution-platform")
                .with_help("set `execution-platform = true` or `false` on every `[platform.*]` table"),
                RtIssueKind::FeatureSlash { platform, feature } => Diagnostic::new(
                    ID,
                    Severity::Error,
                    span,
                    format!("feature `{feature}` of `[platform.{platform}]` contains `/`; Reindeer rejects platform features that name a dependency's feature"),
                )
                .with_label("`/` in a platform feature")
                .with_help("list only the package's own features here"),
                RtIssueKind::SplitWithLicensePatterns => Diagnostic::new(
                    ID,
                    Severity::Error,
                    span,
                    "`license_patterns` cannot be combined with `[buck] split = true`; Reindeer rejects the configuration",
                )
                .with_label("incompatible with `split`")
                .with_help("choose between split BUCK files and `license_patterns`"),
                RtIssueKind::VendorString { value } => Diagnostic::new(
                    ID,
                    Severity::Error,
                    span,
                    format!("`vendor = \"{value}\"`: the only string Reindeer accepts is \"local-registry\""),
                )
                .with_label("unknown vendor mode")
                .with_help("use `vendor = true`, `vendor = false`, `vendor = \"local-registry\"` or a `[vendor]` table"),
            };
            let d = match &i.related {
                Some(r) => d.with_related(Span::new(file, r.clone()), "set here"),
                None => d,
            };
            sink.push(d);
        }
    }
}
