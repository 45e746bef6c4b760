//! Configuration: `buck-lint.toml` / `.buck-lint.toml` plus command-line overrides, resolved
//! into [`Settings`]. Precedence: command line over config file over defaults. Unknown keys,
//! rule ids and categories are errors that name the closest valid spelling.

pub mod selector;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Severity;
pub use crate::model::data::DataOptions;
use crate::rules::Rule;
use crate::rules::registry::{self, RULES};
pub use crate::text::did_you_mean;
pub use selector::{Selector, parse_selector};

#[derive(Debug, Clone)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[re]` options.
#[derive(Debug, Clone)]
pub struct ReOptions {
    pub provider: Option<String>,
    pub require_digest: bool,
    pub image_required: bool,
    pub bare_image_names: bool,
    pub allowed_registries: Vec<String>,
    pub allowed_properties: Option<Vec<String>>,
}

impl Default for ReOptions {
    fn default() -> Self {
        ReOptions {
            provider: None,
            require_digest: true,
            image_required: true,
            bare_image_names: false,
            allowed_registries: Vec::new(),
            allowed_properties: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReindeerOptions {
    pub configs: Vec<String>,
    pub shared_fixups: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct BuckOptions {
    pub rust_library_rules: Vec<String>,
    pub buildscript_run_rules: Vec<String>,
    pub forbid_f_strings: bool,
    pub prelude_forwards_exec_compatible_with: bool,
}

/// Per-file ignores: a glob and the rules it silences.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    pub glob: globset::GlobMatcher,
    pub pattern: String,
    pub rules: Vec<bool>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Indexed like [`RULES`].
    enabled: Vec<bool>,
    pub severity: HashMap<Rule, Severity>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    pub fail_on: Severity,
    pub exclude: Vec<String>,
    /// Cells that are dependencies (the prelude, external cells, `[lint] dependency-cells`):
    /// only `meta` findings are reported on their files unless `lint-dependency-cells`.
    pub dependency_cells: Vec<String>,
    pub lint_dependency_cells: bool,
    /// `--baseline` / `[lint] baseline`: findings it holds are not reported.
    pub baseline: Option<std::sync::Arc<crate::baseline::Baseline>>,
    /// `[lint] baseline` as written, resolved against the config file's directory.
    pub baseline_path: Option<PathBuf>,
    pub re: ReOptions,
    pub reindeer: ReindeerOptions,
    pub buck: BuckOptions,
    pub data: DataOptions,
    /// `[rules.<id>]` tables (besides `severity`), for rule-specific options.
    pub rule_options: HashMap<String, toml_edit::Table>,
    /// The config file that was used, if any.
    pub config_path: Option<PathBuf>,
    /// Where each value came from, for `check --show-settings`.
    pub origins: Origins,
}

/// Where the effective settings came from: `path:line` of the config file that set a value
/// (the last of an `extend` chain wins), `command line (--flag)`, or absent for a default.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// `section.key` (e.g. `lint.fail-on`, `re.provider`, `rules.<id>.severity`) → origin.
    pub values: std::collections::BTreeMap<String, String>,
    /// Indexed like [`RULES`]: what last enabled or disabled the rule (`None`: its default).
    pub rule_enabled: Vec<Option<String>>,
    /// What set a rule's severity (`None`: its default).
    pub rule_severity: HashMap<Rule, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: RULES.iter().map(|r| r.default_enabled).collect(),
            severity: HashMap::new(),
            per_file_ignores: Vec::new(),
            fail_on: Severity::Warning,
            exclude: Vec::new(),
            dependency_cells: vec!["prelude".into()],
            lint_dependency_cells: false,
            baseline: None,
            baseline_path: None,
            re: ReOptions::default(),
            reindeer: ReindeerOptions::default(),
            buck: BuckOptions::default(),
            data: DataOptions::default(),
            rule_options: HashMap::new(),
            config_path: None,
            origins: Origins { rule_enabled: vec![None; RULES.len()], ..Origins::default() },
        }
    }
}

impl Settings {
    pub fn is_enabled(&self, rule: Rule) -> bool {
        self.enabled[rule as usize]
    }

    /// Is the rule enabled for this file (per-file ignores applied)? `rel` is the path
    /// relative to the project root (or the current directory).
    pub fn is_enabled_for(&self, rule: Rule, rel: &str, display: &str) -> bool {
        let i = rule as usize;
        if !self.enabled[i] {
            return false;
        }
        !self.per_file_ignores.iter().any(|p| p.rules[i] && (p.glob.is_match(rel) || p.glob.is_match(display)))
    }

    pub fn severity_of(&self, rule: Rule, default: Severity) -> Severity {
        self.severity.get(&rule).copied().unwrap_or(default)
    }

    /// A string-list option of `[rules.<id>]`.
    pub fn rule_option_strings(&self, rule: Rule, key: &str) -> Vec<String> {
        self.rule_options
            .get(rule.id())
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }
}

/// Selection and overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<String>,
    pub per_file_ignores: Vec<String>,
    pub fail_on: Option<Severity>,
    pub exclude: Vec<String>,
}

pub const CONFIG_NAMES: [&str; 2] = ["buck-lint.toml", ".buck-lint.toml"];

/// Search upward from `start` for a config file, stopping at `stop` (the project root) or `.git`.
pub fn find_config(start: &Path, stop: Option<&Path>) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in CONFIG_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if stop.is_some_and(|s| s == d) || d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// The file-level configuration as written, before command-line overrides.
#[derive(Debug, Clone, Default)]
struct FileConfig {
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    fail_on: Option<Severity>,
    exclude: Vec<String>,
    per_file_ignores: Vec<(String, Vec<String>)>,
    severity: Vec<(Rule, Severity)>,
}

const TOP_KEYS: &[&str] = &["extend", "lint", "rules", "re", "reindeer", "buck", "data"];
const LINT_KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "exclude",
    "per-file-ignores",
    "dependency-cells",
    "lint-dependency-cells",
    "baseline",
];
const RE_KEYS: &[&str] =
    &["provider", "require-digest", "image-required", "bare-image-names", "allowed-registries", "allowed-properties"];
const REINDEER_KEYS: &[&str] = &["configs", "shared-fixups"];
const BUCK_KEYS: &[&str] =
    &["rust-library-rules", "buildscript-run-rules", "f-strings", "prelude-forwards-exec-compatible-with"];
const DATA_KEYS: &[&str] = &["extra-env-embedding-crates", "extra-essential-buildscripts", "extra-reindeer-platforms"];
const PROVIDERS: &[&str] = &["engflow", "buildbuddy", "buildbarn", "nativelink", "other"];

fn check_keys(table: &toml_edit::Table, allowed: &[&str], ctx: &str, path: &Path) -> Result<(), ConfigError> {
    for (k, _) in table.iter() {
        if !allowed.contains(&k) {
            return Err(ConfigError(format!(
                "{}: unknown key `{}` in {}{}",
                path.display(),
                k,
                ctx,
                did_you_mean(k, allowed.iter().copied())
            )));
        }
    }
    Ok(())
}

fn strings(v: &toml_edit::Item, what: &str, path: &Path) -> Result<Vec<String>, ConfigError> {
    let arr =
        v.as_array().ok_or_else(|| ConfigError(format!("{}: `{what}` must be an array of strings", path.display())))?;
    arr.iter()
        .map(|x| {
            x.as_str()
                .map(String::from)
                .ok_or_else(|| ConfigError(format!("{}: `{what}` must be an array of strings", path.display())))
        })
        .collect()
}

fn boolean(v: &toml_edit::Item, what: &str, path: &Path) -> Result<bool, ConfigError> {
    v.as_bool().ok_or_else(|| ConfigError(format!("{}: `{what}` must be true or false", path.display())))
}

fn severity(s: &str, what: &str) -> Result<Severity, ConfigError> {
    Severity::parse(s).ok_or_else(|| {
        ConfigError(format!(
            "{what}: unknown severity `{s}` (expected error, warning or info){}",
            did_you_mean(s, ["error", "warning", "info"])
        ))
    })
}

/// Record `path:line` for every key of the known sections of a config file (called before
/// its `extend` base is loaded, so values the base sets keep the base's origin only where this
/// file does not set them: see the `or_insert` below).
fn record_origins(root: &toml_edit::Table, path: &Path, text: &str, settings: &mut Settings) {
    let line = |key: &toml_edit::Key| {
        let start = key.span().map(|s| s.start).unwrap_or(0).min(text.len());
        text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() + 1
    };
    let mut put = |name: String, key: &toml_edit::Key| {
        let here = format!("{}:{}", path.display(), line(key));
        // this file is read before its base: an accumulating key joins both origins
        let accumulates = ["lint.extend-select", "lint.ignore", "lint.exclude", "lint.per-file-ignores"];
        match settings.origins.values.get_mut(&name) {
            Some(o) if accumulates.contains(&name.as_str()) => *o = format!("{o}; {here}"),
            Some(_) => {}
            None => {
                settings.origins.values.insert(name, here);
            }
        }
    };
    for section in ["lint", "re", "reindeer", "buck", "data"] {
        let Some(t) = root.get(section).and_then(|i| i.as_table()) else { continue };
        for (k, _) in t.iter() {
            if let Some((key, _)) = t.get_key_value(k) {
                put(format!("{section}.{k}"), key);
            }
        }
    }
    if let Some(t) = root.get("rules").and_then(|i| i.as_table()) {
        for (id, opts) in t.iter() {
            let Some(opts) = opts.as_table() else { continue };
            for (k, _) in opts.iter() {
                if let Some((key, _)) = opts.get_key_value(k) {
                    put(format!("rules.{id}.{k}"), key);
                }
            }
        }
    }
}

/// Load a config file (following `extend`) into `settings` and return its lint section.
fn load_file(path: &Path, settings: &mut Settings, depth: u32) -> Result<FileConfig, ConfigError> {
    if depth > 8 {
        return Err(ConfigError(format!("{}: `extend` chain too long (cycle?)", path.display())));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: cannot read config file: {e}", path.display())))?;
    let doc = toml_edit::Document::parse(text.as_str())
        .map_err(|e: toml_edit::TomlError| ConfigError(format!("{}: invalid TOML: {}", path.display(), e.message())))?;
    let root = doc.as_table();
    check_keys(root, TOP_KEYS, "the config file", path)?;
    record_origins(root, path, &text, settings);
    let mut fc = FileConfig::default();
    if let Some(ext) = root.get("extend") {
        let p =
            ext.as_str().ok_or_else(|| ConfigError(format!("{}: `extend` must be a path string", path.display())))?;
        let base = path.parent().unwrap_or(Path::new(".")).join(p);
        fc = load_file(&base, settings, depth + 1)?;
    }
    if let Some(lint) = root.get("lint") {
        let t = lint.as_table().ok_or_else(|| ConfigError(format!("{}: `lint` must be a table", path.display())))?;
        check_keys(t, LINT_KEYS, "[lint]", path)?;
        if let Some(v) = t.get("select") {
            fc.select = Some(strings(v, "select", path)?);
        }
        if let Some(v) = t.get("extend-select") {
            fc.extend_select.extend(strings(v, "extend-select", path)?);
        }
        if let Some(v) = t.get("ignore") {
            fc.ignore.extend(strings(v, "ignore", path)?);
        }
        if let Some(v) = t.get("exclude") {
            fc.exclude.extend(strings(v, "exclude", path)?);
        }
        if let Some(v) = t.get("dependency-cells") {
            settings.dependency_cells = strings(v, "dependency-cells", path)?;
        }
        if let Some(v) = t.get("lint-dependency-cells") {
            settings.lint_dependency_cells = boolean(v, "lint-dependency-cells", path)?;
        }
        if let Some(v) = t.get("baseline") {
            let b = v
                .as_str()
                .ok_or_else(|| ConfigError(format!("{}: `baseline` must be a path string", path.display())))?;
            settings.baseline_path = Some(path.parent().unwrap_or(Path::new(".")).join(b));
        }
        if let Some(v) = t.get("fail-on") {
            let s = v.as_str().ok_or_else(|| ConfigError(format!("{}: `fail-on` must be a string", path.display())))?;
            fc.fail_on = Some(severity(s, &path.display().to_string())?);
        }
        if let Some(v) = t.get("per-file-ignores") {
            let tbl = v
                .as_table_like()
                .ok_or_else(|| ConfigError(format!("{}: `per-file-ignores` must be a table", path.display())))?;
            for (glob, sel) in tbl.iter() {
                fc.per_file_ignores.push((glob.to_string(), strings(sel, "per-file-ignores", path)?));
            }
        }
    }
    if let Some(rules) = root.get("rules") {
        let t = rules.as_table().ok_or_else(|| ConfigError(format!("{}: `rules` must be a table", path.display())))?;
        for (id, opts) in t.iter() {
            let meta = registry::get(id).ok_or_else(|| {
                ConfigError(format!(
                    "{}: unknown rule `{id}` in [rules]{}",
                    path.display(),
                    did_you_mean(id, RULES.iter().map(|r| r.id))
                ))
            })?;
            let opts = opts
                .as_table()
                .ok_or_else(|| ConfigError(format!("{}: `[rules.{id}]` must be a table", path.display())))?;
            let allowed: &[&str] = match meta.id {
                "re-container-image-registry-not-allowed" => &["severity", "allowed"],
                _ => &["severity"],
            };
            check_keys(opts, allowed, &format!("[rules.{id}]"), path)?;
            if let Some(s) = opts.get("severity") {
                let s =
                    s.as_str().ok_or_else(|| ConfigError(format!("{}: severity must be a string", path.display())))?;
                fc.severity.push((meta.rule, severity(s, &path.display().to_string())?));
            }
            settings.rule_options.insert(meta.id.to_string(), opts.clone());
        }
    }
    if let Some(re) = root.get("re") {
        let t = re.as_table().ok_or_else(|| ConfigError(format!("{}: `re` must be a table", path.display())))?;
        check_keys(t, RE_KEYS, "[re]", path)?;
        if let Some(v) = t.get("provider") {
            let s = v.as_str().unwrap_or_default();
            if !PROVIDERS.contains(&s) {
                return Err(ConfigError(format!(
                    "{}: unknown provider `{s}` (expected one of {}){}",
                    path.display(),
                    PROVIDERS.join(", "),
                    did_you_mean(s, PROVIDERS.iter().copied())
                )));
            }
            settings.re.provider = Some(s.to_string());
        }
        if let Some(v) = t.get("require-digest") {
            settings.re.require_digest = boolean(v, "require-digest", path)?;
        }
        if let Some(v) = t.get("image-required") {
            settings.re.image_required = boolean(v, "image-required", path)?;
        }
        if let Some(v) = t.get("bare-image-names") {
            settings.re.bare_image_names = boolean(v, "bare-image-names", path)?;
        }
        if let Some(v) = t.get("allowed-registries") {
            settings.re.allowed_registries = strings(v, "allowed-registries", path)?;
        }
        if let Some(v) = t.get("allowed-properties") {
            settings.re.allowed_properties = Some(strings(v, "allowed-properties", path)?);
        }
    }
    if let Some(r) = root.get("reindeer") {
        let t = r.as_table().ok_or_else(|| ConfigError(format!("{}: `reindeer` must be a table", path.display())))?;
        check_keys(t, REINDEER_KEYS, "[reindeer]", path)?;
        if let Some(v) = t.get("configs") {
            settings.reindeer.configs = strings(v, "configs", path)?;
        }
        if let Some(v) = t.get("shared-fixups") {
            settings.reindeer.shared_fixups = strings(v, "shared-fixups", path)?;
        }
    }
    if let Some(b) = root.get("buck") {
        let t = b.as_table().ok_or_else(|| ConfigError(format!("{}: `buck` must be a table", path.display())))?;
        check_keys(t, BUCK_KEYS, "[buck]", path)?;
        if let Some(v) = t.get("rust-library-rules") {
            settings.buck.rust_library_rules = strings(v, "rust-library-rules", path)?;
        }
        if let Some(v) = t.get("buildscript-run-rules") {
            settings.buck.buildscript_run_rules = strings(v, "buildscript-run-rules", path)?;
        }
        if let Some(v) = t.get("f-strings") {
            match v.as_str() {
                Some("allow") => settings.buck.forbid_f_strings = false,
                Some("forbid") => settings.buck.forbid_f_strings = true,
                _ => {
                    return Err(ConfigError(format!(
                        "{}: `f-strings` must be \"allow\" or \"forbid\"",
                        path.display()
                    )));
                }
            }
        }
        if let Some(v) = t.get("prelude-forwards-exec-compatible-with") {
            settings.buck.prelude_forwards_exec_compatible_with =
                boolean(v, "prelude-forwards-exec-compatible-with", path)?;
        }
    }
    if let Some(d) = root.get("data") {
        let t = d.as_table().ok_or_else(|| ConfigError(format!("{}: `data` must be a table", path.display())))?;
        check_keys(t, DATA_KEYS, "[data]", path)?;
        let tables = |key: &str| -> Result<Vec<toml_edit::InlineTable>, ConfigError> {
            let Some(v) = t.get(key) else { return Ok(Vec::new()) };
            let arr = v
                .as_array()
                .ok_or_else(|| ConfigError(format!("{}: `{key}` must be an array of inline tables", path.display())))?;
            arr.iter()
                .map(|x| {
                    x.as_inline_table().cloned().ok_or_else(|| {
                        ConfigError(format!("{}: `{key}` must be an array of inline tables", path.display()))
                    })
                })
                .collect()
        };
        settings.data.extra_env_embedding_crates = tables("extra-env-embedding-crates")?;
        settings.data.extra_essential_buildscripts = tables("extra-essential-buildscripts")?;
        if let Some(v) = t.get("extra-reindeer-platforms") {
            settings.data.extra_reindeer_platforms = strings(v, "extra-reindeer-platforms", path)?;
        }
    }
    Ok(fc)
}

/// Resolve settings from an optional config file and the command line.
pub fn resolve(config: Option<&Path>, cli: &CliOverrides) -> Result<Settings, ConfigError> {
    let mut settings = Settings::default();
    let fc = match config {
        Some(p) => {
            settings.config_path = Some(p.to_path_buf());
            load_file(p, &mut settings, 0)?
        }
        None => FileConfig::default(),
    };
    // Selection is computed in layers, config file first, then the command line; within a
    // layer: `select` (replaces the set), then `extend-select`, then `ignore`.
    let file_origin = |key: &str| settings.origins.values.get(&format!("lint.{key}")).cloned().unwrap_or_default();
    let layers = [
        (
            fc.select.clone(),
            fc.extend_select.clone(),
            fc.ignore.clone(),
            [file_origin("select"), file_origin("extend-select"), file_origin("ignore")],
        ),
        (
            cli.select.clone(),
            cli.extend_select.clone(),
            cli.ignore.clone(),
            [
                "command line (--select)".into(),
                "command line (--extend-select)".into(),
                "command line (--ignore)".into(),
            ],
        ),
    ];
    for (select, extend, ignore, [select_at, extend_at, ignore_at]) in layers {
        if let Some(sel) = select {
            let mut enabled = vec![false; RULES.len()];
            let mut by: Vec<Option<String>> = vec![Some(format!("not in `select` ({select_at})")); RULES.len()];
            for s in &sel {
                let m = parse_selector(s)?;
                for (i, r) in RULES.iter().enumerate() {
                    if m.matches(r) {
                        enabled[i] = true;
                        by[i] = Some(format!("`select` {s:?} ({select_at})"));
                    }
                }
            }
            settings.enabled = enabled;
            settings.origins.rule_enabled = by;
        }
        for (list, on, at, key) in
            [(&extend, true, &extend_at, "extend-select"), (&ignore, false, &ignore_at, "ignore")]
        {
            for s in list {
                let m = parse_selector(s)?;
                for (i, r) in RULES.iter().enumerate() {
                    if m.matches(r) {
                        settings.enabled[i] = on;
                        settings.origins.rule_enabled[i] = Some(format!("`{key}` {s:?} ({at})"));
                    }
                }
            }
        }
    }
    // 4. per-file ignores
    let mut pfi: Vec<(String, Vec<String>)> = fc.per_file_ignores.clone();
    for spec in &cli.per_file_ignores {
        let (glob, sels) = spec
            .rsplit_once(':')
            .ok_or_else(|| ConfigError(format!("--per-file-ignores `{spec}`: expected `GLOB:ID[,ID]`")))?;
        pfi.push((glob.to_string(), sels.split(',').map(|s| s.trim().to_string()).collect()));
    }
    for (glob, sels) in pfi {
        let g = globset::GlobBuilder::new(&glob)
            .literal_separator(false)
            .build()
            .map_err(|e| ConfigError(format!("per-file-ignores: invalid glob `{glob}`: {e}")))?
            .compile_matcher();
        let mut rules = vec![false; RULES.len()];
        for s in &sels {
            let m = parse_selector(s)?;
            for (i, r) in RULES.iter().enumerate() {
                if m.matches(r) {
                    rules[i] = true;
                }
            }
        }
        settings.per_file_ignores.push(PerFileIgnore { glob: g, pattern: glob, rules });
    }
    for (rule, sev) in fc.severity {
        settings.severity.insert(rule, sev);
        if let Some(o) = settings.origins.values.get(&format!("rules.{}.severity", rule.id())).cloned() {
            settings.origins.rule_severity.insert(rule, o);
        }
    }
    for spec in &cli.severity {
        let (sel, level) =
            spec.split_once('=').ok_or_else(|| ConfigError(format!("--severity `{spec}`: expected `ID=LEVEL`")))?;
        let sev = severity(level.trim(), "--severity")?;
        let m = parse_selector(sel.trim())?;
        for r in RULES.iter().filter(|r| m.matches(r)) {
            settings.severity.insert(r.rule, sev);
            settings.origins.rule_severity.insert(r.rule, format!("command line (--severity {spec})"));
        }
    }
    settings.fail_on = cli.fail_on.or(fc.fail_on).unwrap_or(Severity::Warning);
    if cli.fail_on.is_some() {
        settings.origins.values.insert("lint.fail-on".into(), "command line (--fail-on)".into());
    }
    settings.exclude = fc.exclude;
    settings.exclude.extend(cli.exclude.iter().cloned());
    for key in DATA_KEYS {
        let at = settings.origins.values.get(&format!("data.{key}")).cloned();
        if let Some(at) = at.or_else(|| settings.config_path.as_ref().map(|p| p.display().to_string())) {
            settings.data.origins.insert(key.to_string(), at);
        }
    }
    for (key, flag, given) in [
        ("lint.exclude", "--exclude", !cli.exclude.is_empty()),
        ("lint.per-file-ignores", "--per-file-ignores", !cli.per_file_ignores.is_empty()),
    ] {
        if given {
            let o = settings.origins.values.entry(key.into()).or_default();
            *o = if o.is_empty() { format!("command line ({flag})") } else { format!("{o}; command line ({flag})") };
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("buck-lint.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn cli_overrides_file() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "[lint]\nignore = [\"re-full-hybrid-racing\"]\nfail-on = \"error\"\n");
        let s = resolve(Some(&p), &CliOverrides::default()).unwrap();
        assert!(!s.is_enabled(crate::rules::Rule::ReFullHybridRacing));
        assert_eq!(s.fail_on, Severity::Error);
        let cli =
            CliOverrides { extend_select: vec!["R07".into()], fail_on: Some(Severity::Info), ..Default::default() };
        let s = resolve(Some(&p), &cli).unwrap();
        // the command line is the later layer: its extend-select wins over the file's ignore
        assert!(s.is_enabled(crate::rules::Rule::ReFullHybridRacing));
        assert_eq!(s.fail_on, Severity::Info);
        let cli = CliOverrides { select: Some(vec!["remote-execution".into()]), ..Default::default() };
        let s = resolve(None, &cli).unwrap();
        assert!(s.is_enabled(crate::rules::Rule::ReContainerImageUnpinned));
        assert!(!s.is_enabled(crate::rules::Rule::SyntaxError));
    }

    #[test]
    fn unknown_keys_and_rules_suggest() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "[lint]\nextend-selct = []\n");
        let e = resolve(Some(&p), &CliOverrides::default()).unwrap_err();
        assert!(e.0.contains("did you mean `extend-select`"), "{e}");
        let p = write(d.path(), "[rules.re-full-hybrid-racin]\nseverity = \"error\"\n");
        let e = resolve(Some(&p), &CliOverrides::default()).unwrap_err();
        assert!(e.0.contains("did you mean `re-full-hybrid-racing`"), "{e}");
        let cli = CliOverrides { ignore: vec!["remote-executon".into()], ..Default::default() };
        let e = resolve(None, &cli).unwrap_err();
        assert!(e.0.contains("remote-execution"), "{e}");
    }

    #[test]
    fn severity_and_per_file_ignores() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "[lint]\nper-file-ignores = { \"third_party/BUCK\" = [\"starlark-*\"] }\n[rules.re-container-image-invalid]\nseverity = \"info\"\n",
        );
        let s = resolve(Some(&p), &CliOverrides::default()).unwrap();
        assert_eq!(s.severity_of(crate::rules::Rule::ReContainerImageInvalid, Severity::Error), Severity::Info);
        assert!(!s.is_enabled_for(crate::rules::Rule::StarlarkDuplicateKey, "third_party/BUCK", "x"));
        assert!(s.is_enabled_for(crate::rules::Rule::StarlarkDuplicateKey, "BUCK", "BUCK"));
    }
}
