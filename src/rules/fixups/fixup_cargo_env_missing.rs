//! `fixup-cargo-env-missing`: a third-party crate's sources read `env!("CARGO_…")` at compile
//! time, but the generated BUCK gives its library no such variable, so the crate does not
//! compile ("environment variable not defined at compile time").
//!
//! Cargo sets the `CARGO_PKG_*` family for every crate; Buck2 does not, and Reindeer writes
//! them into the rule's `env` only for the names `cargo_env` asks for (in the crate's fixups,
//! or as reindeer.toml's default). Only `env!` counts (`option_env!` copes with an unset
//! variable), only code the enabled features compile, and only crates whose sources this
//! machine has (vendored by Reindeer, or in Cargo's registry); `CARGO_PKG_NAME` and
//! `CARGO_PKG_VERSION`, which Reindeer always writes, and `CARGO_CRATE_NAME`, which the
//! prelude sets, are not reported. The finding sits on the crate's fixups file (or, when it
//! has none, on its library rule in the generated BUCK). No fix: `cargo_env = true` gives
//! every variable, including an absolute `CARGO_MANIFEST_DIR` (see `cargo-env-all-under-re`),
//! so the help lists the names to add.
use crate::rules::registry::declare_rule;
use std::collections::BTreeMap;

use super::vendored_dir;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::fixups::CARGO_ENV_NAMES;
use crate::rules::util::{is_rust_library_rule, split_versioned};
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupCargoEnvMissing {
        id: "fixup-cargo-env-missing",
        code: None,
        category: Fixups,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// Not reported: Reindeer writes the first two for every crate, the prelude sets the third, and
/// the fourth is for build scripts only (facebookincubator/reindeer#72).
const ALWAYS_SET: &[&str] = &["CARGO_PKG_NAME", "CARGO_PKG_VERSION", "CARGO_CRATE_NAME", "CARGO_MANIFEST_LINKS"];

impl Check for FixupCargoEnvMissing {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        for rp in &p.reindeer {
            let Some(buck) = rp.buck_file else { continue };
            for i in p.targets_in(buck) {
                let t = &p.targets[i];
                if !is_rust_library_rule(&t.rule, cx.settings, rp.rust_library_rule.as_deref()) {
                    continue;
                }
                let lib = p.name(t);
                let Some((pkg, version)) = split_versioned(lib) else { continue };
                let Some(dir) = vendored_dir(rp, pkg, &version) else { continue };
                let Some(uses) = p.sources.env_uses(&dir) else { continue };
                // what the rule's env sets (unknown: say nothing)
                let env = p.attr(t, "env");
                let have: Vec<String> = match env.as_ref() {
                    None => Vec::new(),
                    Some(v) => match v.as_dict() {
                        Some(items) => items.iter().filter_map(|(k, _)| k.as_str().map(String::from)).collect(),
                        None => continue,
                    },
                };
                let features: Vec<String> = match p.attr(t, "features") {
                    None => Vec::new(),
                    Some(v) if v.is_unknown() => continue,
                    Some(v) => v.strings().iter().filter_map(|s| s.as_str().map(String::from)).collect(),
                };
                let mut missing: BTreeMap<&str, (String, Option<Span>)> = BTreeMap::new();
                for u in uses.iter() {
                    let key = u.key.as_str();
                    if u.optional
                        || u.gated
                        || !CARGO_ENV_NAMES.contains(&key)
                        || ALWAYS_SET.contains(&key)
                        || have.iter().any(|h| h == key)
                        || !u.features.iter().all(|f| features.contains(f))
                    {
                        continue;
                    }
                    let rel = u.file.strip_prefix(&dir).unwrap_or(&u.file).to_string_lossy().replace('\\', "/");
                    missing
                        .entry(CARGO_ENV_NAMES.iter().find(|n| **n == key).copied().unwrap_or(""))
                        .or_insert((format!("{rel}:{}", u.line), u.span));
                }
                let Some((first, (at, at_span))) = missing.iter().next() else { continue };
                let names: Vec<String> = missing.keys().map(|k| format!("\"{k}\"")).collect();
                let (span, related) = match rp.fixups_for(pkg) {
                    Some(f) if cx.files.get(f).reported => (Span::new(f, 0..0), Some(t.name_span())),
                    Some(_) => continue,
                    None if cx.files.get(buck).reported => (t.name_span(), None),
                    None => continue,
                };
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Warning,
                    span,
                    format!(
                        "{pkg} {version} reads `env!(\"{first}\")` at compile time ({at}), but its generated library rule sets no `{first}`, so it does not compile under Buck2"
                    ),
                )
                .with_label("cargo_env missing")
                .with_help(format!("add `cargo_env = [{}]` to fixups/{pkg}/fixups.toml and re-run `reindeer buckify`", names.join(", ")));
                if let Some(r) = related {
                    d = d.with_related(r, format!("`{lib}` in the generated BUCK has no `{first}` in its `env`"));
                }
                if let Some(s) = at_span {
                    d = d.with_related(*s, format!("{pkg} {version} reads `{first}` here"));
                }
                sink.push(d);
            }
        }
    }
}
