//! `pipelined-nondeterministic-crate` (R01): a Rust library compiles an absolute
//! `OUT_DIR`/`CARGO_MANIFEST_DIR` path into its code, the repository runs actions remotely,
//! and pipelining is on.
//!
//! The prelude makes those env values absolute against each action's working directory.
//! On RE workers the metadata-only (hollow) and the full rlib of one crate are built in
//! different directories, so the compiled-in path differs, the two crate hashes (SVH)
//! differ, and the first linked consumer fails with E0460/E0463 — the PyO3 0.26 failure
//! (facebook/buck2#1206). Example: `cargo.rust_library(name = "pyo3-build-config-0.26.0",
//! features = ["resolve-config"], env = {"OUT_DIR": "$(location …[out_dir])"})` with an
//! executor that has `remote_enabled = True` and a `RustToolchainInfo` without
//! `nightly_features = False`.
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};

use super::flagged_crates;

declare_rule! {
    PipelinedNondeterministicCrate {
        id: "pipelined-nondeterministic-crate",
        code: Some("R01"),
        category: Determinism,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for PipelinedNondeterministicCrate {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let flagged = flagged_crates(p, cx.settings);
        if flagged.is_empty() {
            return;
        }
        let ex = p.exec();
        let Some(re) = ex.re_evidence else { return };
        if !ex.pipelining_on() {
            return;
        }
        let pipe = ex.pipelining.clone().unwrap();
        for f in flagged {
            let t = &p.targets[f.target];
            let features =
                if f.features.is_empty() { String::new() } else { format!(" with `{}`", f.features.join("`, `")) };
            let when = f.when.as_ref().map(|w| format!(" (when `{w}` is selected)")).unwrap_or_default();
            let mut d = Diagnostic::new(
                ID,
                if f.level == Severity::Error { Severity::Error } else { Severity::Info },
                t.name_span(),
                format!(
                    "{} {} compiles `env!(\"{}\")` into the crate ({} {}{}); under remote execution its pipelined metadata-only and full rlibs are built in different directories and get different crate hashes{when}",
                    f.package, f.version, f.env_key, f.package, f.versions, features
                ),
            )
            .with_label(format!("embeds {}", f.embeds));
            if let Some(s) = f.feature_span {
                d = d.with_related(
                    s,
                    format!("feature `{}` enables the embedding", f.features.first().cloned().unwrap_or_default()),
                );
            }
            if let Some(s) = f.source_span {
                d = d.with_related(s, format!("{} {} compiles the path in here, as a value", f.package, f.version));
            }
            if let Some(s) = f.env_span {
                d = d.with_related(
                    s,
                    format!("`{}` becomes an absolute path in each action's working directory", f.env_key),
                );
            }
            d = d.with_related(
                re,
                "remote execution is enabled here, so hollow and real rlibs can be built on different workers",
            );
            if let Some(k) = ex.platforms_key {
                d = d.with_related(k, "the build uses this execution platform");
            }
            if let Some(s) = pipe.toolchain_without_switch {
                d = d.with_related(
                    s,
                    "pipelining stays on: this Rust toolchain does not set `nightly_features = False`",
                );
            }
            let upgrade = if f.package == "pyo3-build-config" {
                "upgrade PyO3 to 0.29 or later (pyo3-build-config no longer embeds OUT_DIR, PyO3/pyo3#5862) and then delete the pyo3-build-config build-script fixup; "
            } else {
                "upgrade to a release that does not embed the path; "
            };
            d = d.with_help(format!(
                "{upgrade}or patch the crate to read the path at run time with a Reindeer `overlay`; or turn pipelining off with `nightly_features = False` on the Rust toolchain (prelude from 2026-07-30 or later). Source: {}",
                f.source
            ));
            sink.push(d);
        }
    }
}
