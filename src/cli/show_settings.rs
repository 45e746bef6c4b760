//! `check --show-settings`: the effective configuration of a run, as TOML that could be
//! pasted into `buck-lint.toml`, with where each value came from in a trailing comment.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::Settings;
use crate::rules::registry::RULES;

/// How the config file was chosen, for the header.
pub enum ConfigSource<'a> {
    Isolated,
    Given(&'a Path),
    Found(&'a Path),
    NotFound { searched_from: &'a Path },
}

/// Render the effective settings.
pub fn render(settings: &Settings, source: ConfigSource<'_>, root: Option<&Path>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# buck-lint {} effective settings", env!("CARGO_PKG_VERSION"));
    let _ = match source {
        ConfigSource::Isolated => writeln!(out, "# config file: none (--isolated)"),
        ConfigSource::Given(p) => writeln!(out, "# config file: {} (--config)", p.display()),
        ConfigSource::Found(p) => writeln!(out, "# config file: {}", p.display()),
        ConfigSource::NotFound { searched_from } => writeln!(
            out,
            "# config file: none found (searched buck-lint.toml, .buck-lint.toml from {} up to the project root)",
            searched_from.display()
        ),
    };
    let _ = match root {
        Some(r) => writeln!(out, "# project root: {} (the outermost .buckconfig)", r.display()),
        None => writeln!(out, "# project root: none (no .buckconfig in or above the linted paths)"),
    };
    let o = &settings.origins.values;
    let line = |out: &mut String, section: &str, key: &str, value: String| {
        let origin = o.get(&format!("{section}.{key}")).map(String::as_str).unwrap_or("default");
        let _ = writeln!(out, "{key} = {value}  # {origin}");
    };
    out.push_str("\n[lint]\n");
    let enabled = RULES.iter().filter(|r| settings.is_enabled(r.rule)).count();
    let _ = writeln!(out, "# {enabled} of {} rules enabled: see [rules] below", RULES.len());
    line(&mut out, "lint", "fail-on", quote(settings.fail_on.as_str()));
    line(&mut out, "lint", "exclude", list(&settings.exclude));
    let pfi: Vec<String> = settings
        .per_file_ignores
        .iter()
        .map(|p| {
            let ids: Vec<String> =
                RULES.iter().enumerate().filter(|(i, _)| p.rules[*i]).map(|(_, r)| r.id.to_string()).collect();
            format!("{} = {}", quote(&p.pattern), list(&ids))
        })
        .collect();
    line(&mut out, "lint", "per-file-ignores", format!("{{ {} }}", pfi.join(", ")).replace("{  }", "{}"));
    line(&mut out, "lint", "dependency-cells", list(&settings.dependency_cells));
    line(&mut out, "lint", "lint-dependency-cells", settings.lint_dependency_cells.to_string());
    line(
        &mut out,
        "lint",
        "baseline",
        settings.baseline_path.as_ref().map(|p| quote(&p.display().to_string())).unwrap_or_else(|| "\"\"".into()),
    );

    out.push_str("\n[re]\n");
    let re = &settings.re;
    line(&mut out, "re", "provider", quote(re.provider.as_deref().unwrap_or("")));
    line(&mut out, "re", "require-digest", re.require_digest.to_string());
    line(&mut out, "re", "image-required", re.image_required.to_string());
    line(&mut out, "re", "bare-image-names", re.bare_image_names.to_string());
    line(&mut out, "re", "allowed-registries", list(&re.allowed_registries));
    match &re.allowed_properties {
        Some(p) => line(&mut out, "re", "allowed-properties", list(p)),
        None => out.push_str("# allowed-properties: not set (every executor property is accepted)\n"),
    }

    out.push_str("\n[reindeer]\n");
    line(&mut out, "reindeer", "configs", list(&settings.reindeer.configs));
    line(&mut out, "reindeer", "shared-fixups", list(&settings.reindeer.shared_fixups));

    out.push_str("\n[buck]\n");
    let b = &settings.buck;
    line(&mut out, "buck", "rust-library-rules", list(&b.rust_library_rules));
    line(&mut out, "buck", "buildscript-run-rules", list(&b.buildscript_run_rules));
    line(&mut out, "buck", "f-strings", quote(if b.forbid_f_strings { "forbid" } else { "allow" }));
    line(
        &mut out,
        "buck",
        "prelude-forwards-exec-compatible-with",
        b.prelude_forwards_exec_compatible_with.to_string(),
    );

    out.push_str("\n[data]\n");
    let d = &settings.data;
    let tables = |t: &[toml_edit::InlineTable]| {
        format!("[{}]", t.iter().map(|x| x.to_string().trim().to_string()).collect::<Vec<_>>().join(", "))
    };
    line(&mut out, "data", "extra-env-embedding-crates", tables(&d.extra_env_embedding_crates));
    line(&mut out, "data", "extra-essential-buildscripts", tables(&d.extra_essential_buildscripts));
    line(&mut out, "data", "extra-reindeer-platforms", list(&d.extra_reindeer_platforms));

    out.push_str("\n[rules]  # every rule: whether it runs, at which severity, and why\n");
    for (i, r) in RULES.iter().enumerate() {
        let on = settings.is_enabled(r.rule);
        let sev = settings.severity_of(r.rule, r.severity);
        let by = settings.origins.rule_enabled[i].as_deref().unwrap_or(if r.default_enabled {
            "default (on)"
        } else {
            "default (off)"
        });
        let sev_by = settings.origins.rule_severity.get(&r.rule).map(String::as_str).unwrap_or("default");
        let mut extra = String::new();
        let mut extra_by = String::new();
        if let Some(t) = settings.rule_options.get(r.id) {
            for (k, v) in t.iter().filter(|(k, _)| *k != "severity") {
                let _ = write!(extra, ", {k} = {}", v.to_string().trim());
                let at = o.get(&format!("rules.{}.{k}", r.id)).map(String::as_str).unwrap_or("default");
                let _ = write!(extra_by, "; {k}: {at}");
            }
        }
        let _ = writeln!(
            out,
            "{:<42} = {{ enabled = {on}, severity = {}{extra} }}  # enabled: {by}; severity: {sev_by}{extra_by}",
            r.id,
            quote(sev.as_str()),
        );
    }
    out
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}
