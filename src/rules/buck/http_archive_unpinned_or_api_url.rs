//! `http-archive-unpinned-or-api-url` (R20): an `http_archive` without `sha256` or `sha1`, or one that
//! downloads from the crates.io API endpoint instead of the static download path.
//!
//! Checksum-less downloads are not reproducible, and Reindeer moved to static downloads in
//! 2024 (facebookincubator/reindeer#43). Fix (safe, URL only): rewrite
//! `https://crates.io/api/v1/crates/<name>/<ver>/download` to
//! `https://static.crates.io/crates/<name>/<ver>/download`.
use crate::rules::registry::declare_rule;
use regex::Regex;
use std::sync::LazyLock;

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::parse::Parsed;
use crate::rules::util::{list_string_literals, replace_string_literal, span};
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    HttpArchiveUnpinnedOrApiUrl {
        id: "http-archive-unpinned-or-api-url",
        code: Some("R20"),
        category: Buck,
        severity: Warning,
        default: true,
        fix: Safe,
    }
}

/// The digest attributes of the prelude's `http_archive` (`prelude/decls/core_rules.bzl`).
const DIGEST_ATTRS: &[&str] = &["sha256", "sha1"];

static API: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^https?://[^/]+/api/v1/crates/([^/]+)/([^/]+)/download$").unwrap());

impl Check for HttpArchiveUnpinnedOrApiUrl {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::Build {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let mut api_urls: Vec<(String, std::ops::Range<u32>, String)> = Vec::new();
        for c in &module.calls {
            let Some(callee) = c.callee_name() else { continue };
            if callee != "http_archive" && !callee.ends_with(".http_archive") {
                continue;
            }
            if c.has_kwargs_splat() {
                continue;
            }
            let name = c.name_arg().map(|(n, _)| n.to_string()).unwrap_or_default();
            // Any digest attribute the prelude's `http_archive` accepts pins the download.
            if !DIGEST_ATTRS.iter().any(|a| c.kwarg(a).is_some()) {
                let at = c.name_arg().map(|(_, r)| r).unwrap_or(c.func.span.clone());
                sink.push(
                    Diagnostic::new(ID, Severity::Warning, span(cx.file.id, &at), format!("http_archive `{name}` has no `sha256` (or `sha1`), so the download is not reproducible"))
                        .with_help("add `sha256 = \"<64 hex>\"` (the checksum from Cargo.lock for crates), or re-run `reindeer buckify`"),
                );
            }
            for attr in ["urls", "url"] {
                let Some(arg) = c.kwarg(attr) else { continue };
                for (u, r) in list_string_literals(&arg.value) {
                    let Some(m) = API.captures(u) else { continue };
                    let fixed = format!("https://static.crates.io/crates/{}/{}/download", &m[1], &m[2]);
                    api_urls.push((u.to_string(), r.clone(), fixed));
                }
            }
        }
        // A generated file holds one API URL per crate: one finding for the file (on the
        // first URL), with one fix that rewrites them all.
        let Some((u, r, fixed)) = api_urls.first() else { return };
        let more = match api_urls.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more URL in this file)".to_string(),
            n => format!(" (and {n} more URLs in this file)"),
        };
        let mut d = Diagnostic::new(
            ID,
            Severity::Warning,
            span(cx.file.id, r),
            format!("`{u}` is the crates.io API download endpoint, not the static download URL{more}"),
        )
        .with_help("Reindeer switched to static downloads in 2024 (facebookincubator/reindeer#43); re-run `reindeer buckify` or apply the fix");
        for (_, r, _) in api_urls.iter().skip(1).take(3) {
            d = d.with_related(span(cx.file.id, r), "also the API endpoint");
        }
        sink.push(
            d.with_fix(Fix {
                applicability: Applicability::Safe,
                description: if api_urls.len() == 1 {
                    format!("Use `{fixed}`")
                } else {
                    format!("Use the static download URL in all {} `http_archive`s", api_urls.len())
                },
                edits: api_urls
                    .iter()
                    .map(|(_, r, fixed)| replace_string_literal(cx.file.id, &cx.file.text, r, fixed))
                    .collect(),
            }),
        );
    }
}
