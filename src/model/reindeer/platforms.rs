//! The platforms Reindeer resolves fixups for: the known ones and a project's configured ones.

use std::collections::HashMap;

use crate::model::cfg_expr::PlatformCfg;
use crate::model::data::Data;
use crate::model::reindeer::config::{ReindeerDoc, RtPlatform};

// ---------------------------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------------------------

/// A configured Reindeer platform and its cfg set.
#[derive(Debug, Clone)]
pub struct PlatformSet {
    pub name: String,
    pub cfg: HashMap<String, Vec<String>>,
    /// The cfg set is known in full (the triple or name is in the data table).
    pub complete: bool,
}

impl PlatformCfg for PlatformSet {
    fn has_key(&self, key: &str) -> bool {
        self.cfg.contains_key(key)
    }
    fn has_value(&self, key: &str, value: &str) -> bool {
        self.cfg.get(key).is_some_and(|v| v.iter().any(|x| x == value))
    }
}

/// Every target buck-lint knows, whatever reindeer.toml configures: the data table's
/// platforms and rustc's built-in targets (from the `cfg-expr` crate's target list).
pub fn known_platforms(data: &Data) -> Vec<PlatformSet> {
    let mut out: Vec<PlatformSet> = data
        .platforms
        .iter()
        .map(|p| PlatformSet { name: p.name.clone(), cfg: p.cfg.iter().cloned().collect(), complete: true })
        .collect();
    for t in ::cfg_expr::targets::ALL_BUILTINS {
        let mut cfg: HashMap<String, Vec<String>> = HashMap::new();
        let mut put = |k: &str, v: Option<String>| {
            cfg.entry(k.to_string()).or_default().extend(v);
        };
        put("target_arch", Some(t.arch.as_str().to_string()));
        put("target_os", t.os.as_ref().map(|o| o.as_str().to_string()));
        put("target_env", t.env.as_ref().map(|e| e.as_str().to_string()));
        put("target_vendor", t.vendor.as_ref().map(|v| v.as_str().to_string()));
        put("target_abi", t.abi.as_ref().map(|a| a.as_str().to_string()));
        put("target_pointer_width", Some(t.pointer_width.to_string()));
        put("target_endian", Some(format!("{:?}", t.endian)));
        for f in t.families.iter() {
            put("target_family", Some(f.as_str().to_string()));
            if matches!(f.as_str(), "unix" | "windows") {
                put(f.as_str(), None);
            }
        }
        out.push(PlatformSet { name: t.triple.as_str().to_string(), cfg, complete: true });
    }
    out
}

/// The platforms a Reindeer project builds for: its `[platform.*]` tables (with the data
/// table's `rustc --print=cfg` of their triple), or Reindeer's six defaults.
pub fn configured_platforms(rt: Option<&ReindeerDoc<'_>>, data: &Data) -> Vec<PlatformSet> {
    let declared: Vec<&RtPlatform<'_>> = rt.map(|r| r.platforms.iter().collect()).unwrap_or_default();
    if declared.is_empty() {
        return data
            .platforms
            .iter()
            .filter(|p| p.reindeer_default)
            .map(|p| PlatformSet { name: p.name.clone(), cfg: p.cfg.iter().cloned().collect(), complete: true })
            .collect();
    }
    declared
        .iter()
        .map(|p| {
            let base = data
                .platforms
                .iter()
                .find(|d| p.target.as_ref().is_some_and(|(t, _)| *t == d.triple))
                .or_else(|| data.platforms.iter().find(|d| d.name == p.name));
            let mut cfg: HashMap<String, Vec<String>> =
                base.map(|b| b.cfg.iter().cloned().collect()).unwrap_or_default();
            for (k, v) in p.table.iter() {
                if matches!(k, "target" | "execution-platform" | "features") {
                    continue;
                }
                let vals: Vec<String> = v
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let e = cfg.entry(k.to_string()).or_default();
                for x in vals {
                    if !e.contains(&x) {
                        e.push(x);
                    }
                }
            }
            if let Some(fam) = cfg.get("target_family").cloned() {
                for f in fam {
                    if f == "unix" || f == "windows" {
                        cfg.entry(f).or_default();
                    }
                }
            }
            PlatformSet { name: p.name.to_string(), cfg, complete: base.is_some() }
        })
        .collect()
}
