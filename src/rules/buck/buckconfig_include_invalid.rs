//! `buckconfig-include-invalid`: a `<file:…>` include of a `.buckconfig` (or of a file it
//! includes) names a file that does not exist, or the includes form a cycle.
//!
//! Buck2 refuses to start on either ("Error reading config file", "include cycle"), but a
//! typo in an include is easy to miss: the file parses and every other setting looks right.
//! Optional includes (`<?file:…>`) may be missing. Paths are relative to the including file.
//! The finding sits on the include directive of the linted file; a cycle's message lists the
//! chain of files. Example: `.buckconfig` with `<file:config/base.bcfg>`, and
//! `config/base.bcfg` with `<file:../.buckconfig>`. No fix.
use crate::rules::registry::declare_rule;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::Parsed;
use crate::parse::buckconfig::{self, BuckConfigFile};
use crate::rules::util::span;
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

declare_rule! {
    BuckconfigIncludeInvalid {
        id: "buckconfig-include-invalid",
        code: None,
        category: Buck,
        severity: Error,
        default: true,
        fix: None,
    }
}

/// How deep includes are followed (Buck2's own limit is far beyond real configurations).
const MAX_DEPTH: usize = 32;

/// The file an include names, relative to the including file's directory.
fn resolve(from: &Path, include: &str) -> PathBuf {
    let dir = from.parent().unwrap_or(Path::new("/"));
    crate::discover::normalize(&dir.join(include))
}

fn read_config(path: &Path) -> Option<BuckConfigFile> {
    Some(buckconfig::parse(&std::fs::read_to_string(path).ok()?))
}

/// A cycle reachable from `path` through includes: the chain from `path` back to a file
/// already on `stack`.
fn find_cycle(path: &Path, stack: &mut Vec<PathBuf>) -> Option<Vec<PathBuf>> {
    if let Some(i) = stack.iter().position(|p| p == path) {
        let mut chain = stack[i..].to_vec();
        chain.push(path.to_path_buf());
        return Some(chain);
    }
    if stack.len() >= MAX_DEPTH {
        return None;
    }
    let cfg = read_config(path)?;
    stack.push(path.to_path_buf());
    let found = cfg.includes.iter().find_map(|inc| {
        let target = resolve(path, &inc.path);
        if target.is_file() { find_cycle(&target, stack) } else { None }
    });
    stack.pop();
    found
}

impl Check for BuckconfigIncludeInvalid {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::BuckConfig {
            return;
        }
        let Parsed::BuckConfig(cfg) = cx.parsed else { return };
        let here = &cx.file.path;
        let base = here.parent().unwrap_or(Path::new("/"));
        let show = |p: &Path| p.strip_prefix(base).unwrap_or(p).to_string_lossy().replace('\\', "/");
        for inc in &cfg.includes {
            let target = resolve(here, &inc.path);
            if !target.exists() {
                if !inc.optional {
                    sink.push(
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            span(cx.file.id, &(inc.path_span.start as u32..inc.path_span.end as u32)),
                            format!(
                                "included file `{}` does not exist, so Buck2 cannot read this configuration",
                                inc.path
                            ),
                        )
                        .with_label("no such file")
                        .with_help(
                            "fix the path (it is relative to this file), or make the include optional with `<?file:…>`",
                        ),
                    );
                }
                continue;
            }
            let mut stack = vec![here.clone()];
            if let Some(chain) = find_cycle(&target, &mut stack) {
                let names: Vec<String> = chain.iter().map(|p| format!("`{}`", show(p))).collect();
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Error,
                        span(cx.file.id, &(inc.span.start as u32..inc.span.end as u32)),
                        format!("include cycle: {}; Buck2 refuses to read the configuration", names.join(" includes ")),
                    )
                    .with_label("starts the cycle")
                    .with_help("remove the include that leads back to a file already being read"),
                );
            }
        }
    }
}
