//! Determinism rules: crates whose compiled content depends on the action's working
//! directory, and the configuration that turns that into a build failure.
pub mod cargo_env_all_under_re;
pub mod env_path_macro_absolutized;
pub mod pipelined_nondeterministic_crate;
pub mod proc_macro_consumes_nondeterministic_rlib;

use crate::config::Settings;
use crate::diagnostic::Severity;
use crate::model::Project;
use crate::model::value::Value;
use crate::rules::util::{is_rust_library_rule, split_versioned};
use crate::source::Span;

/// A Rust library that compiles an env!() path into its code (R01 condition 1).
#[derive(Debug, Clone)]
pub struct Flagged {
    pub target: usize,
    pub package: String,
    pub version: semver::Version,
    pub env_key: &'static str,
    pub env_span: Option<Span>,
    pub feature_span: Option<Span>,
    pub embeds: String,
    pub versions: String,
    pub features: Vec<String>,
    pub level: Severity,
    pub source: String,
    /// The `env!` in the crate's own sources, where this machine has them.
    pub source_span: Option<Span>,
    /// The `select()` key the finding depends on, if any.
    pub when: Option<String>,
}

/// Is this target a Rust library rule (taking reindeer.toml `[buck] rust_library` into account)?
pub fn is_rust_lib(project: &Project, settings: &Settings, rule: &str) -> bool {
    is_rust_library_rule(rule, settings, None)
        || project.reindeer.iter().any(|r| r.rust_library_rule.as_deref() == Some(rule))
}

/// One `select()` alternative of `features`: its key and the feature names with spans.
type FeatureAlt = (Option<String>, Vec<(String, Option<Span>)>);

/// Why a crate version counts as embedding a path: a knowledge-table entry, or its sources.
struct Evidence {
    embeds: String,
    versions: String,
    features: Vec<String>,
    level: Severity,
    source: String,
    span: Option<Span>,
}

/// The crate's own sources, where this machine has them (vendored, or Cargo's registry): an
/// `env!(key)` used as a value (not inside `include!`-family macros) by code that the enabled
/// `features` compile.
fn source_evidence(
    project: &Project,
    package: &str,
    version: &semver::Version,
    key: &str,
    features: &[&str],
) -> Option<Evidence> {
    for rp in &project.reindeer {
        let Some(dir) = crate::rules::fixups::vendored_dir(rp, package, version) else { continue };
        let uses = project.sources.env_uses(&dir)?;
        let u = uses
            .iter()
            .find(|u| u.key == key && !u.in_include && u.features.iter().all(|f| features.contains(&f.as_str())))?;
        let rel = u.file.strip_prefix(&dir).unwrap_or(&u.file).to_string_lossy().replace('\\', "/");
        return Some(Evidence {
            embeds: format!("`env!(\"{key}\")` as a value at {rel}:{}", u.line),
            versions: format!("={version}, read from its sources"),
            features: u.features.clone(),
            level: Severity::Error,
            // inside the project: relative to its root (findings never print this machine's paths)
            source: match project.root.as_deref().and_then(|r| dir.strip_prefix(r).ok()) {
                Some(rel) => rel.to_string_lossy().replace('\\', "/"),
                None => dir.display().to_string(),
            },
            span: u.span,
        });
    }
    None
}

/// buck-lint's generated crate facts (`data/crate-facts.toml`, read from the crate versions'
/// sources when the table was made): `env!(key)` used as a value, under no `cfg` but
/// features that `features` enable.
fn generated_evidence(
    project: &Project,
    package: &str,
    version: &semver::Version,
    key: &str,
    features: &[&str],
) -> Option<Evidence> {
    let e = project.data.crate_facts().get(package, version)?;
    let u = e
        .embeds_path
        .iter()
        .find(|u| u.key == key && !u.gated && u.features.iter().all(|f| features.contains(&f.as_str())))?;
    Some(Evidence {
        embeds: format!("`env!(\"{key}\")` as a value at {} in {package} {}", u.at(), e.evidence_version),
        versions: e.versions.to_string(),
        features: u.features.clone(),
        level: Severity::Error,
        source: "buck-lint's generated crate facts (data/crate-facts.toml, read from the crate's sources)".into(),
        span: None,
    })
}

/// Every Rust library matching the env-embedding table, or whose sources embed the path.
pub fn flagged_crates(project: &Project, settings: &Settings) -> Vec<Flagged> {
    let mut out = Vec::new();
    for (ti, t) in project.targets.iter().enumerate() {
        if !is_rust_lib(project, settings, &t.rule) {
            continue;
        }
        let Some(env) = project.attr(t, "env") else { continue };
        // package name and version: from the versioned target name, else CARGO_PKG_* env
        let (package, version) = match split_versioned(project.name(t)) {
            Some((n, v)) => (n.to_string(), v),
            None => {
                let name = env.dict_get("CARGO_PKG_NAME").and_then(|v| v.as_str()).map(String::from);
                let ver = env
                    .dict_get("CARGO_PKG_VERSION")
                    .and_then(|v| v.as_str())
                    .and_then(|v| semver::Version::parse(v).ok());
                match (name, ver) {
                    (Some(n), Some(v)) => (n, v),
                    _ => continue,
                }
            }
        };
        for (key, env_alt) in env.alternatives() {
            let env_key = if env_alt.dict_get("OUT_DIR").is_some() {
                "OUT_DIR"
            } else if env_alt.dict_get("CARGO_MANIFEST_DIR").is_some() {
                "CARGO_MANIFEST_DIR"
            } else {
                continue;
            };
            let env_span = env_alt.dict_get(env_key).and_then(|v| v.origin);
            let features = project.attr(t, "features");
            let feature_alts: Vec<FeatureAlt> = match &features {
                Some(f) => f
                    .alternatives()
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k.map(String::from),
                            v.strings().iter().filter_map(|s| Some((s.as_str()?.to_string(), s.origin))).collect(),
                        )
                    })
                    .collect(),
                None => vec![(None, Vec::new())],
            };
            if features.as_ref().is_some_and(|f| matches!(f.value, Value::Unknown)) {
                continue;
            }
            for (fkey, feats) in feature_alts {
                let names: Vec<&str> = feats.iter().map(|(n, _)| n.as_str()).collect();
                let from_table = project.data.env_embedding_for(&package, &version, &names).map(|e| Evidence {
                    embeds: e.embeds.clone(),
                    versions: e.versions.to_string(),
                    features: e.features.clone(),
                    level: e.level,
                    source: e.source.clone(),
                    span: None,
                });
                let from_source = source_evidence(project, &package, &version, env_key, &names);
                let source_span = from_source.as_ref().and_then(|e| e.span);
                let Some(entry) = from_table
                    .or(from_source)
                    .or_else(|| generated_evidence(project, &package, &version, env_key, &names))
                else {
                    continue;
                };
                let feature_span =
                    entry.features.first().and_then(|f| feats.iter().find(|(n, _)| n == f).and_then(|(_, s)| *s));
                out.push(Flagged {
                    target: ti,
                    package: package.clone(),
                    version: version.clone(),
                    env_key,
                    env_span,
                    feature_span,
                    embeds: entry.embeds,
                    versions: entry.versions,
                    features: entry.features,
                    level: entry.level,
                    source: entry.source,
                    source_span,
                    when: fkey.or_else(|| key.map(String::from)),
                });
                break;
            }
            break;
        }
    }
    out
}
