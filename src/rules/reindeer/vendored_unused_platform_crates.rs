//! `vendored-unused-platform-crates` (info, off by default): Reindeer's vendor directory holds
//! crates that only serve platforms its `reindeer.toml` does not configure.
//!
//! `reindeer vendor` copies every package of the Cargo resolve, whatever platforms are
//! configured: a Linux/macOS-only project still vendors `windows-sys`, the `windows_*`
//! import-library crates and `winapi-*-pc-windows-gnu` (tens of megabytes of `.lib`/`.a`
//! files), and `wasm-bindgen`/`js-sys`/`web-sys` when nothing targets wasm32. `reindeer buckify`
//! then generates no rule that uses them, but they sit in the repository. The rule sums their
//! size per Reindeer project and reports it once, on `reindeer.toml`. Only when every
//! configured platform's cfg set is known (a platform the data table does not know might be
//! Windows) and the vendor directory exists.
use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    VendoredUnusedPlatformCrates {
        id: "vendored-unused-platform-crates",
        code: None,
        category: Reindeer,
        severity: Info,
        default: false,
        fix: None,
    }
}

/// Which platform family a crate serves, by name.
fn family(name: &str) -> Option<&'static str> {
    let windows = name == "winapi"
        || name.starts_with("winapi-")
        || name.starts_with("windows-")
        || name.starts_with("windows_")
        || name == "windows";
    let wasm = name.starts_with("wasm-bindgen") || matches!(name, "js-sys" | "web-sys");
    if windows {
        Some("windows")
    } else if wasm {
        Some("wasm32")
    } else {
        None
    }
}

/// Total size of the files below `dir` (bounded walk).
fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            seen += 1;
            if seen > 200_000 {
                return total;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

fn mb(bytes: u64) -> String {
    if bytes >= 1_000_000 { format!("{:.1} MB", bytes as f64 / 1e6) } else { format!("{} KB", bytes.div_ceil(1000)) }
}

impl Check for VendoredUnusedPlatformCrates {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        for rp in &p.reindeer {
            if !cx.files.get(rp.config).reported {
                continue;
            }
            let vendor = rp.third_party_dir.join("vendor");
            if !vendor.is_dir() {
                continue;
            }
            let platforms = rp.platforms(p);
            if platforms.is_empty() || platforms.iter().any(|s| !s.complete) {
                continue;
            }
            let has = |key: &str, value: &str| {
                platforms.iter().any(|s| s.cfg.get(key).is_some_and(|v| v.iter().any(|x| x == value)))
            };
            let served = |fam: &str| match fam {
                "windows" => has("target_os", "windows"),
                _ => has("target_arch", "wasm32"),
            };
            let mut unused: Vec<(String, u64, &str)> = Vec::new();
            for pk in &rp.packages {
                let Some(fam) = family(&pk.name) else { continue };
                if served(fam) {
                    continue;
                }
                let dir = vendor.join(format!("{}-{}", pk.name, pk.version));
                if dir.is_dir() {
                    unused.push((format!("{} {}", pk.name, pk.version), dir_size(&dir), fam));
                }
            }
            if unused.is_empty() {
                continue;
            }
            unused.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let total: u64 = unused.iter().map(|u| u.1).sum();
            let mut fams: Vec<&str> = unused.iter().map(|u| u.2).collect();
            fams.sort();
            fams.dedup();
            let largest: Vec<String> = unused.iter().take(5).map(|(n, s, _)| format!("{n} ({})", mb(*s))).collect();
            let names: Vec<&str> = platforms.iter().map(|s| s.name.as_str()).collect();
            let at = rp.key_span(p, "vendor").map(|(k, _)| k).unwrap_or(Span::new(rp.config, 0..0));
            sink.push(
                Diagnostic::new(
                    ID,
                    Severity::Info,
                    at,
                    format!(
                        "the vendor directory holds {} crates ({}) that only serve {} targets, which no configured platform ({}) is; largest: {}",
                        unused.len(),
                        mb(total),
                        fams.join(" and "),
                        names.join(", "),
                        largest.join(", ")
                    ),
                )
                .with_label("vendors crates for unconfigured platforms")
                .with_help("`reindeer vendor` copies every package of the Cargo resolve; to keep them out, point them at empty stub crates with `[patch.crates-io]` in the Cargo.toml Reindeer reads (e.g. `windows-sys = { path = \"stubs/windows-sys\" }`), then re-run `reindeer vendor`"),
            );
        }
    }
}
