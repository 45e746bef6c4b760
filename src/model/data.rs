//! Knowledge tables shipped as TOML under `data/` and embedded in the binary (rules.md §D),
//! merged with the user's `[data]` extensions from buck-lint.toml.

use crate::diagnostic::Severity;

pub const ENV_EMBEDDING: &str = include_str!("../../data/env-embedding-crates.toml");
pub const ESSENTIAL_BUILDSCRIPTS: &str = include_str!("../../data/essential-buildscripts.toml");
pub const REINDEER_PLATFORMS: &str = include_str!("../../data/reindeer-platforms.toml");
pub const BUCK2_BUILTINS: &str = include_str!("../../data/buck2-builtins.toml");

/// `[data]` extensions of the embedded knowledge tables, kept as TOML text fragments.
#[derive(Debug, Clone, Default)]
pub struct DataOptions {
    pub extra_env_embedding_crates: Vec<toml_edit::InlineTable>,
    pub extra_essential_buildscripts: Vec<toml_edit::InlineTable>,
    pub extra_reindeer_platforms: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct EnvEmbeddingCrate {
    pub name: String,
    pub versions: semver::VersionReq,
    pub features: Vec<String>,
    pub embeds: String,
    pub level: Severity,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct EssentialBuildscript {
    /// A crate name, or a `*-sys` style pattern.
    pub name: String,
    pub versions: semver::VersionReq,
    pub has_build_script: bool,
    pub level: Option<Severity>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub name: String,
    pub triple: String,
    pub reindeer_default: bool,
    /// `rustc --print=cfg` of the triple: key → values (empty for bare cfgs).
    pub cfg: Vec<(String, Vec<String>)>,
}

/// A feature that loads a crate's native library at run time instead of linking it.
#[derive(Debug, Clone)]
pub struct RuntimeLoading {
    pub name: String,
    pub feature: String,
    /// A dependency Cargo.lock lists for the crate only when the feature is on.
    pub lock_dependency: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Data {
    pub env_embedding: Vec<EnvEmbeddingCrate>,
    pub runtime_loading: Vec<RuntimeLoading>,
    pub essential: Vec<EssentialBuildscript>,
    pub harmless_when_disabled: Vec<String>,
    pub platforms: Vec<Platform>,
    pub extra_platform_names: Vec<String>,
    pub builtins: Vec<String>,
}

fn s(t: &dyn toml_edit::TableLike, k: &str) -> Option<String> {
    t.get(k).and_then(|v| v.as_str()).map(String::from)
}

fn req(t: &dyn toml_edit::TableLike) -> semver::VersionReq {
    s(t, "versions").and_then(|v| semver::VersionReq::parse(&v).ok()).unwrap_or(semver::VersionReq::STAR)
}

fn level(t: &dyn toml_edit::TableLike) -> Option<Severity> {
    s(t, "level").and_then(|l| Severity::parse(&l))
}

fn env_entry(t: &dyn toml_edit::TableLike) -> Option<EnvEmbeddingCrate> {
    Some(EnvEmbeddingCrate {
        name: s(t, "name").or_else(|| s(t, "crate"))?,
        versions: req(t),
        features: match t.get("features").or_else(|| t.get("feature")) {
            Some(v) if v.is_str() => {
                let f = v.as_str().unwrap_or_default();
                if f.is_empty() { vec![] } else { vec![f.to_string()] }
            }
            Some(v) => v
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            None => vec![],
        },
        embeds: s(t, "embeds").unwrap_or_default(),
        level: level(t).unwrap_or(Severity::Error),
        source: s(t, "source").unwrap_or_default(),
    })
}

fn essential_entry(t: &dyn toml_edit::TableLike) -> Option<EssentialBuildscript> {
    Some(EssentialBuildscript {
        name: s(t, "name").or_else(|| s(t, "pattern")).or_else(|| s(t, "crate"))?,
        versions: req(t),
        has_build_script: t.get("has_build_script").and_then(|v| v.as_bool()).unwrap_or(true),
        level: level(t),
        reason: s(t, "reason").unwrap_or_default(),
    })
}

impl Data {
    /// The embedded tables merged with the user's `[data]` extensions (`Settings::data`).
    pub fn load(extensions: &DataOptions) -> Data {
        let mut d = Data::default();
        if let Ok(doc) = ENV_EMBEDDING.parse::<toml_edit::DocumentMut>() {
            for key in ["crate", "watch"] {
                if let Some(arr) = doc.get(key).and_then(|v| v.as_array_of_tables()) {
                    for t in arr.iter() {
                        if let Some(mut e) = env_entry(t) {
                            if key == "watch" {
                                e.level = Severity::Info;
                            }
                            d.env_embedding.push(e);
                        }
                    }
                }
            }
        }
        if let Ok(doc) = ESSENTIAL_BUILDSCRIPTS.parse::<toml_edit::DocumentMut>() {
            if let Some(arr) = doc.get("crate").and_then(|v| v.as_array_of_tables()) {
                d.essential.extend(arr.iter().filter_map(|t| essential_entry(t)));
            }
            if let Some(arr) = doc.get("runtime_loading").and_then(|v| v.as_array_of_tables()) {
                d.runtime_loading.extend(arr.iter().filter_map(|t| {
                    Some(RuntimeLoading {
                        name: s(t, "name")?,
                        feature: s(t, "feature")?,
                        lock_dependency: s(t, "lock_dependency"),
                    })
                }));
            }
            if let Some(a) = doc.get("harmless_when_disabled").and_then(|v| v.as_array()) {
                d.harmless_when_disabled = a.iter().filter_map(|x| x.as_str().map(String::from)).collect();
            }
        }
        if let Ok(doc) = REINDEER_PLATFORMS.parse::<toml_edit::DocumentMut>() {
            if let Some(t) = doc.get("platform").and_then(|v| v.as_table()) {
                for (name, p) in t.iter() {
                    let Some(p) = p.as_table_like() else { continue };
                    let cfg = p
                        .get("cfg")
                        .and_then(|c| c.as_table_like())
                        .map(|c| {
                            c.iter()
                                .map(|(k, v)| {
                                    let vals = v
                                        .as_array()
                                        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                                        .unwrap_or_default();
                                    (k.to_string(), vals)
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    d.platforms.push(Platform {
                        name: name.to_string(),
                        triple: s(p, "triple").unwrap_or_default(),
                        reindeer_default: p.get("reindeer_default").and_then(|v| v.as_bool()).unwrap_or(false),
                        cfg,
                    });
                }
            }
        }
        if let Ok(doc) = BUCK2_BUILTINS.parse::<toml_edit::DocumentMut>() {
            if let Some(a) = doc.get("globals").and_then(|v| v.as_array()) {
                d.builtins = a.iter().filter_map(|x| x.as_str().map(String::from)).collect();
            }
        }
        // user extensions: merged over the embedded tables (same name replaces)
        for t in &extensions.extra_env_embedding_crates {
            if let Some(e) = env_entry(t) {
                d.env_embedding.retain(|x| x.name != e.name);
                d.env_embedding.push(e);
            }
        }
        for t in &extensions.extra_essential_buildscripts {
            if let Some(e) = essential_entry(t) {
                d.essential.retain(|x| !(x.name == e.name && x.versions == e.versions));
                d.essential.push(e);
            }
        }
        d.extra_platform_names = extensions.extra_reindeer_platforms.clone();
        d
    }

    /// Entries of the env-embedding table matching a crate version with its enabled features.
    pub fn env_embedding_for(
        &self,
        name: &str,
        version: &semver::Version,
        features: &[&str],
    ) -> Option<&EnvEmbeddingCrate> {
        self.env_embedding.iter().find(|e| {
            e.name == name && e.versions.matches(version) && e.features.iter().all(|f| features.contains(&f.as_str()))
        })
    }

    /// The essential-buildscript entry for a crate version (exact names before patterns).
    pub fn essential_for(&self, name: &str, version: Option<&semver::Version>) -> Option<&EssentialBuildscript> {
        let vmatch = |e: &&EssentialBuildscript| version.is_none_or(|v| e.versions.matches(v));
        self.essential.iter().filter(vmatch).find(|e| e.name == name).or_else(|| {
            self.essential
                .iter()
                .filter(vmatch)
                .find(|e| e.name.strip_prefix('*').is_some_and(|suffix| name.ends_with(suffix)))
        })
    }

    pub fn platform_names(&self) -> impl Iterator<Item = &str> {
        self.platforms.iter().map(|p| p.name.as_str()).chain(self.extra_platform_names.iter().map(|s| s.as_str()))
    }

    /// The effective tables as TOML, for `buck-lint data --dump`.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        out.push_str("# Effective buck-lint data tables (embedded + [data] extensions)\n\n");
        for e in &self.env_embedding {
            out.push_str(&format!(
                "[[env-embedding-crates]]\nname = {:?}\nversions = {:?}\nfeatures = {:?}\nembeds = {:?}\nlevel = {:?}\nsource = {:?}\n\n",
                e.name,
                e.versions.to_string(),
                e.features,
                e.embeds,
                e.level.as_str(),
                e.source
            ));
        }
        for e in &self.essential {
            out.push_str(&format!(
                "[[essential-buildscripts]]\nname = {:?}\nversions = {:?}\nhas_build_script = {}\nlevel = {:?}\nreason = {:?}\n\n",
                e.name,
                e.versions.to_string(),
                e.has_build_script,
                e.level.map(|l| l.as_str()).unwrap_or("none"),
                e.reason
            ));
        }
        for r in &self.runtime_loading {
            out.push_str(&format!(
                "[[runtime-loading]]\nname = {:?}\nfeature = {:?}\nlock_dependency = {:?}\n\n",
                r.name,
                r.feature,
                r.lock_dependency.as_deref().unwrap_or("")
            ));
        }
        out.push_str(&format!("harmless-when-disabled = {:?}\n\n", self.harmless_when_disabled));
        let names: Vec<&str> = self.platform_names().collect();
        out.push_str(&format!("reindeer-platforms = {names:?}\n"));
        out
    }
}
