//! Facts about one unpacked crate, read from the crate itself: its `Cargo.toml` (name,
//! version, `links`, `lib.proc-macro`, the build script) and its library's sources through
//! [`crate_src`] (which `env!`/`option_env!` keys it reads, and whether a path from
//! `env!("OUT_DIR")` / `env!("CARGO_MANIFEST_DIR")` is compiled in as a value).
//!
//! `buck-lint data scan` runs [`extract`] over a `cargo vendor` directory and prints
//! [`render`]'s TOML; `tools/crate-facts.py` writes that to `data/crate-facts.toml`, which
//! [`FactsTable::parse`] reads back (see `model::data`).

use std::collections::BTreeMap;
use std::path::Path;

use super::crate_src::{self, EnvUse};

/// Where the build script comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuildScript {
    /// No `package.build` and no `build.rs` at the root (or `autobuild = false`).
    None,
    /// `build = false`.
    Disabled,
    /// `build = "path"`, or the implicit `build.rs`.
    File(String),
}

/// One `env!`/`option_env!` use, relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub key: String,
    /// Relative to the crate root, `/`-separated.
    pub file: String,
    pub line: usize,
    /// Features that its `cfg`s require (all of them).
    pub features: Vec<String>,
    /// Also under a `cfg` that is not only features (a target, `not(…)`, `any(…)`).
    pub gated: bool,
}

impl Evidence {
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Everything [`extract`] learns about one crate version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateFacts {
    pub name: String,
    pub version: semver::Version,
    pub links: Option<String>,
    pub proc_macro: bool,
    /// The crate has a library target.
    pub library: bool,
    /// The library's sources could be read and tokenised (false: the env facts are unknown).
    pub sources_read: bool,
    pub build: BuildScript,
    /// `env!`/`option_env!("OUT_DIR" | "CARGO_MANIFEST_DIR")` used as a value (not inside
    /// `include!`/`include_str!`/`include_bytes!`, not `cfg(test)`).
    pub embeds_path: Vec<Evidence>,
    /// `env!("OUT_DIR")` inside `include!`/`include_str!`/`include_bytes!`: the build script's
    /// output is compiled in (its contents, not its path).
    pub includes_out_dir: Vec<Evidence>,
    /// `env!`/`option_env!("CARGO_*")` uses of the library.
    pub cargo_env: Vec<Evidence>,
}

impl CrateFacts {
    pub fn has_build_script(&self) -> bool {
        matches!(self.build, BuildScript::File(_))
    }

    /// The facts without evidence positions: versions with equal keys share one entry.
    fn key(&self) -> impl PartialEq + '_ {
        let strip = |v: &[Evidence]| {
            let mut v: Vec<_> =
                v.iter().map(|e| (e.key.clone(), e.file.clone(), e.features.clone(), e.gated)).collect();
            v.dedup();
            v
        };
        let mut env: Vec<&str> = self.cargo_env.iter().map(|e| e.key.as_str()).collect();
        env.dedup();
        (
            (&self.links, self.proc_macro, self.library, self.sources_read, &self.build),
            strip(&self.embeds_path),
            strip(&self.includes_out_dir),
            env,
        )
    }
}

/// Read the facts of the crate unpacked at `dir`.
pub fn extract(dir: &Path) -> Result<CrateFacts, String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| format!("{}: {}", manifest.display(), e.message()))?;
    let package = doc
        .get("package")
        .and_then(|p| p.as_table_like())
        .ok_or_else(|| format!("{}: no [package]", manifest.display()))?;
    let str_of = |t: &dyn toml_edit::TableLike, k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
    let name = str_of(package, "name").ok_or_else(|| format!("{}: no package.name", manifest.display()))?;
    let version = str_of(package, "version")
        .and_then(|v| semver::Version::parse(&v).ok())
        .ok_or_else(|| format!("{}: no valid package.version", manifest.display()))?;
    let links = str_of(package, "links");
    let auto = |k: &str| package.get(k).and_then(|v| v.as_bool()).unwrap_or(true);
    let build = match package.get("build") {
        Some(v) if v.as_bool() == Some(false) => BuildScript::Disabled,
        Some(v) if v.as_bool() == Some(true) => BuildScript::File("build.rs".into()),
        Some(v) => match v.as_str() {
            Some(p) => BuildScript::File(p.trim_start_matches("./").to_string()),
            None => BuildScript::None,
        },
        None if auto("autobuild") && dir.join("build.rs").is_file() => BuildScript::File("build.rs".into()),
        None => BuildScript::None,
    };
    let lib = doc.get("lib").and_then(|l| l.as_table_like());
    let proc_macro = lib
        .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let lib_path = lib.and_then(|l| str_of(l, "path")).unwrap_or_else(|| "src/lib.rs".into());
    let library = (lib.is_some() || auto("autolib")) && dir.join(&lib_path).is_file();
    let mut facts = CrateFacts {
        name,
        version,
        links,
        proc_macro,
        library,
        sources_read: false,
        build,
        embeds_path: Vec::new(),
        includes_out_dir: Vec::new(),
        cargo_env: Vec::new(),
    };
    if !library {
        return Ok(facts);
    }
    let Some(uses) = crate_src::env_uses_from(dir, &dir.join(&lib_path)) else { return Ok(facts) };
    facts.sources_read = true;
    for u in &uses {
        let ev = evidence(dir, u);
        if u.key.starts_with("CARGO_") {
            facts.cargo_env.push(ev.clone());
        }
        match u.key.as_str() {
            "OUT_DIR" | "CARGO_MANIFEST_DIR" if !u.in_include => facts.embeds_path.push(ev),
            "OUT_DIR" => facts.includes_out_dir.push(ev),
            _ => {}
        }
    }
    for v in [&mut facts.embeds_path, &mut facts.includes_out_dir] {
        v.sort_by(|a, b| (&a.file, a.line, &a.key).cmp(&(&b.file, b.line, &b.key)));
    }
    facts.cargo_env.sort_by(|a, b| (&a.key, &a.file, a.line).cmp(&(&b.key, &b.file, b.line)));
    Ok(facts)
}

fn evidence(dir: &Path, u: &EnvUse) -> Evidence {
    let rel = u.file.strip_prefix(dir).unwrap_or(&u.file);
    let file = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    Evidence { key: u.key.clone(), file, line: u.line, features: u.features.clone(), gated: u.gated }
}

/// How many positions of one `cargo_env` key are written (the rest are counted).
const MAX_AT: usize = 4;

fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string()
}

fn list(v: &[String]) -> String {
    format!("[{}]", v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

/// The facts of many crate versions as TOML: one `[[crate]]` per name and run of scanned
/// versions (in version order) with the same facts, sorted by name and version; the evidence
/// positions are those of the newest version of the run.
pub fn render(mut all: Vec<CrateFacts>) -> String {
    all.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    all.dedup_by(|a, b| a.name == b.name && a.version == b.version);
    let mut runs: Vec<Vec<&CrateFacts>> = Vec::new();
    for f in &all {
        match runs.last_mut() {
            Some(run) if run[0].name == f.name && run[0].key() == f.key() => run.push(f),
            _ => runs.push(vec![f]),
        }
    }
    let mut out = String::new();
    for run in runs {
        let newest = run[run.len() - 1];
        let versions = if run.len() == 1 {
            format!("={}", newest.version)
        } else {
            format!(">={}, <={}", run[0].version, newest.version)
        };
        let scanned: Vec<String> = run.iter().map(|f| f.version.to_string()).collect();
        out.push_str("[[crate]]\n");
        out.push_str(&format!("name = {}\n", q(&newest.name)));
        out.push_str(&format!("versions = {}\n", q(&versions)));
        out.push_str(&format!("scanned = {}\n", list(&scanned)));
        out.push_str(&format!("evidence_version = {}\n", q(&newest.version.to_string())));
        out.push_str(&format!("has_build_script = {}\n", newest.has_build_script()));
        match &newest.build {
            BuildScript::File(p) => out.push_str(&format!("build_script = {}\n", q(p))),
            BuildScript::Disabled => out.push_str("build_disabled = true\n"),
            BuildScript::None => {}
        }
        if let Some(l) = &newest.links {
            out.push_str(&format!("links = {}\n", q(l)));
        }
        out.push_str(&format!("proc_macro = {}\n", newest.proc_macro));
        if !newest.library {
            out.push_str("library = false\n");
        } else if !newest.sources_read {
            out.push_str("sources_read = false\n");
        }
        let uses = |name: &str, v: &[Evidence], out: &mut String| {
            if v.is_empty() {
                return;
            }
            out.push_str(&format!("{name} = [\n"));
            for e in v {
                out.push_str(&format!("  {{ key = {}, at = {}", q(&e.key), q(&e.at())));
                if !e.features.is_empty() {
                    out.push_str(&format!(", features = {}", list(&e.features)));
                }
                if e.gated {
                    out.push_str(", cfg_gated = true");
                }
                out.push_str(" },\n");
            }
            out.push_str("]\n");
        };
        uses("embeds_path", &newest.embeds_path, &mut out);
        uses("includes_out_dir", &newest.includes_out_dir, &mut out);
        if !newest.cargo_env.is_empty() {
            let mut by_key: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for e in &newest.cargo_env {
                by_key.entry(&e.key).or_default().push(e.at());
            }
            out.push_str("cargo_env = [\n");
            for (k, at) in by_key {
                let shown: Vec<String> = at.iter().take(MAX_AT).cloned().collect();
                out.push_str(&format!("  {{ key = {}, at = {}", q(k), list(&shown)));
                if at.len() > MAX_AT {
                    out.push_str(&format!(", more = {}", at.len() - MAX_AT));
                }
                out.push_str(" },\n");
            }
            out.push_str("]\n");
        }
        out.push('\n');
    }
    out
}

/// One `[[crate]]` of `data/crate-facts.toml`.
#[derive(Debug, Clone)]
pub struct FactEntry {
    pub name: String,
    pub versions: semver::VersionReq,
    pub scanned: Vec<semver::Version>,
    pub evidence_version: String,
    pub has_build_script: bool,
    pub build_script: Option<String>,
    pub build_disabled: bool,
    pub links: Option<String>,
    pub proc_macro: bool,
    pub library: bool,
    pub sources_read: bool,
    pub embeds_path: Vec<Evidence>,
    pub includes_out_dir: Vec<Evidence>,
    /// Key → positions (`file:line`, at most a few).
    pub cargo_env: Vec<(String, Vec<String>)>,
}

/// The generated facts table: name + version → facts.
#[derive(Debug, Clone, Default)]
pub struct FactsTable {
    pub entries: Vec<FactEntry>,
}

impl FactsTable {
    /// Parse the TOML [`render`] writes; entries that do not parse are skipped.
    pub fn parse(text: &str) -> FactsTable {
        let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return FactsTable::default() };
        let Some(arr) = doc.get("crate").and_then(|v| v.as_array_of_tables()) else { return FactsTable::default() };
        let s = |t: &toml_edit::Table, k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
        let b = |t: &toml_edit::Table, k: &str, d: bool| t.get(k).and_then(|v| v.as_bool()).unwrap_or(d);
        let strings = |v: Option<&toml_edit::Value>| -> Vec<String> {
            v.and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default()
        };
        let uses = |t: &toml_edit::Table, k: &str| -> Vec<Evidence> {
            let Some(a) = t.get(k).and_then(|v| v.as_array()) else { return Vec::new() };
            a.iter()
                .filter_map(|x| {
                    let x = x.as_inline_table()?;
                    let at = x.get("at")?.as_str()?;
                    let (file, line) = at.rsplit_once(':')?;
                    Some(Evidence {
                        key: x.get("key")?.as_str()?.to_string(),
                        file: file.to_string(),
                        line: line.parse().ok()?,
                        features: strings(x.get("features")),
                        gated: x.get("cfg_gated").and_then(|v| v.as_bool()).unwrap_or(false),
                    })
                })
                .collect()
        };
        let entries = arr
            .iter()
            .filter_map(|t| {
                Some(FactEntry {
                    name: s(t, "name")?,
                    versions: semver::VersionReq::parse(&s(t, "versions")?).ok()?,
                    scanned: strings(t.get("scanned").and_then(|i| i.as_value()))
                        .iter()
                        .filter_map(|v| semver::Version::parse(v).ok())
                        .collect(),
                    evidence_version: s(t, "evidence_version").unwrap_or_default(),
                    has_build_script: b(t, "has_build_script", false),
                    build_script: s(t, "build_script"),
                    build_disabled: b(t, "build_disabled", false),
                    links: s(t, "links"),
                    proc_macro: b(t, "proc_macro", false),
                    library: b(t, "library", true),
                    sources_read: b(t, "sources_read", true),
                    embeds_path: uses(t, "embeds_path"),
                    includes_out_dir: uses(t, "includes_out_dir"),
                    cargo_env: t
                        .get("cargo_env")
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| {
                                    let x = x.as_inline_table()?;
                                    Some((x.get("key")?.as_str()?.to_string(), strings(x.get("at"))))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect();
        FactsTable { entries }
    }

    /// The facts of a crate version: the entry that scanned exactly this version, else the
    /// entry whose `versions` range covers it (a version between scanned ones, assumed alike).
    pub fn get(&self, name: &str, version: &semver::Version) -> Option<&FactEntry> {
        let named = || self.entries.iter().filter(move |e| e.name == name);
        named().find(|e| e.scanned.contains(version)).or_else(|| named().find(|e| e.versions.matches(version)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (p, text) in files {
            let p = dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    fn manifest(name: &str, version: &str, extra: &str) -> String {
        format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n{extra}")
    }

    #[test]
    fn build_script_links_and_env_uses() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[
                ("Cargo.toml", &manifest("demo-sys", "0.3.1", "links = \"demo\"\n\n[features]\nresolve = []\n")),
                ("build.rs", "fn main() {}\n"),
                (
                    "src/lib.rs",
                    r#"include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
pub const NAME: &str = env!("CARGO_PKG_NAME");
#[cfg(feature = "resolve")]
pub fn out() -> &'static str {
    env!("OUT_DIR")
}
#[cfg(test)]
mod tests {
    const ROOT: &str = env!("CARGO_MANIFEST_DIR");
}
mod inner;
"#,
                ),
                (
                    "src/inner.rs",
                    "pub const V: Option<&str> = option_env!(\"CARGO_PKG_VERSION\");\n#[cfg(unix)]\npub const M: &str = env!(\"CARGO_MANIFEST_DIR\");\n",
                ),
            ],
        );
        let f = extract(d.path()).unwrap();
        assert_eq!((f.name.as_str(), f.version.to_string().as_str()), ("demo-sys", "0.3.1"));
        assert_eq!(f.links.as_deref(), Some("demo"));
        assert_eq!(f.build, BuildScript::File("build.rs".into()));
        assert!(f.library && f.sources_read && !f.proc_macro);
        let at =
            |v: &[Evidence]| v.iter().map(|e| (e.key.clone(), e.at(), e.features.clone(), e.gated)).collect::<Vec<_>>();
        let none: Vec<String> = vec![];
        assert_eq!(
            at(&f.embeds_path),
            [
                ("CARGO_MANIFEST_DIR".to_string(), "src/inner.rs:3".to_string(), none.clone(), true),
                ("OUT_DIR".to_string(), "src/lib.rs:5".to_string(), vec!["resolve".to_string()], false),
            ]
        );
        assert_eq!(at(&f.includes_out_dir), [("OUT_DIR".to_string(), "src/lib.rs:1".to_string(), none, false)]);
        // the cfg(test) use is not the library's
        let keys: Vec<String> = f.cargo_env.iter().map(|e| format!("{} {}", e.key, e.at())).collect();
        assert_eq!(
            keys,
            ["CARGO_MANIFEST_DIR src/inner.rs:3", "CARGO_PKG_NAME src/lib.rs:2", "CARGO_PKG_VERSION src/inner.rs:1"]
        );
    }

    #[test]
    fn build_key_forms() {
        let d = tempfile::tempdir().unwrap();
        // `build = false` wins over a build.rs on disk
        write(d.path(), &[("Cargo.toml", &manifest("a", "1.0.0", "build = false\n")), ("build.rs", "")]);
        assert_eq!(extract(d.path()).unwrap().build, BuildScript::Disabled);
        write(d.path(), &[("Cargo.toml", &manifest("a", "1.0.0", "build = \"tools/gen.rs\"\n"))]);
        assert_eq!(extract(d.path()).unwrap().build, BuildScript::File("tools/gen.rs".into()));
        write(d.path(), &[("Cargo.toml", &manifest("a", "1.0.0", "autobuild = false\n"))]);
        assert_eq!(extract(d.path()).unwrap().build, BuildScript::None);
        std::fs::remove_file(d.path().join("build.rs")).unwrap();
        write(d.path(), &[("Cargo.toml", &manifest("a", "1.0.0", ""))]);
        let f = extract(d.path()).unwrap();
        assert_eq!(f.build, BuildScript::None);
        // no src/lib.rs: no library, nothing read
        assert!(!f.library && !f.sources_read);
        // a proc-macro with its library somewhere else
        write(
            d.path(),
            &[
                ("Cargo.toml", &manifest("m", "0.1.0", "\n[lib]\nproc-macro = true\npath = \"lib.rs\"\n")),
                ("lib.rs", "mod x;\n"),
                ("x.rs", "const D: &str = env!(\"CARGO_MANIFEST_DIR\");\n"),
            ],
        );
        let f = extract(d.path()).unwrap();
        assert!(f.proc_macro && f.library && f.sources_read);
        assert_eq!(f.embeds_path.iter().map(Evidence::at).collect::<Vec<_>>(), ["x.rs:1"]);
    }

    #[test]
    fn render_groups_versions_and_parses_back() {
        let d = tempfile::tempdir().unwrap();
        let mut all = Vec::new();
        for (v, body) in [
            ("0.22.0", "\n\npub fn p() -> &'static str { env!(\"OUT_DIR\") }\n"),
            ("0.23.1", "pub fn p() -> &'static str { env!(\"OUT_DIR\") }\n"),
            ("0.24.0", "pub fn p() -> &'static str { \"\" }\n"),
        ] {
            let dir = d.path().join(format!("x-{v}"));
            write(&dir, &[("Cargo.toml", &manifest("x", v, "")), ("build.rs", ""), ("src/lib.rs", body)]);
            all.push(extract(&dir).unwrap());
        }
        let text = render(all);
        assert!(
            text.contains(
                "versions = \">=0.22.0, <=0.23.1\"\nscanned = [\"0.22.0\", \"0.23.1\"]\nevidence_version = \"0.23.1\""
            ),
            "{text}"
        );
        assert!(text.contains("embeds_path = [\n  { key = \"OUT_DIR\", at = \"src/lib.rs:1\" },\n]"), "{text}");
        assert!(text.contains("versions = \"=0.24.0\""), "{text}");
        let t = FactsTable::parse(&text);
        assert_eq!(t.entries.len(), 2);
        let v = |s: &str| semver::Version::parse(s).unwrap();
        let e = t.get("x", &v("0.22.0")).unwrap();
        assert_eq!((e.embeds_path.len(), e.has_build_script, e.build_script.as_deref()), (1, true, Some("build.rs")));
        // between two scanned versions of one run: covered by the range
        assert_eq!(t.get("x", &v("0.22.5")).unwrap().evidence_version, "0.23.1");
        assert!(t.get("x", &v("0.24.0")).unwrap().embeds_path.is_empty());
        assert!(t.get("x", &v("0.25.0")).is_none());
        assert!(t.get("y", &v("0.22.0")).is_none());
    }
}
