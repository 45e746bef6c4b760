//! `bxl-needs-execution-platforms`: a BXL script of the repository calls `bxl_actions()`, and
//! the root `.buckconfig` has no `[build] execution_platforms`.
//!
//! `ctx.bxl_actions()` needs an execution platform, and without that key Buck2 fails at the
//! call with "Execution platforms are not enabled" (facebook/buck2#451, #529; #975 added the
//! key to Buck2's own `.buckconfig` for the same reason). Regular builds work without it, so
//! the gap shows only when someone first runs the script. Only the repository's own `.bxl`
//! files count (not a dependency cell's, such as the prelude's). The key is looked for in the
//! root `.buckconfig`, `.buckconfig.local` and the files they include; silent when an include
//! cannot be read. The finding sits on the `[build]` header (line 1 when there is none), with
//! related spans on the calls. No fix: which platform to register is the user's choice
//! (`prelude//platforms:default` is the local one).
use crate::rules::registry::declare_rule;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Restrict;
use crate::model::ir::walk_calls;
use crate::parse::buckconfig;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::{FileKind, Span};

declare_rule! {
    BxlNeedsExecutionPlatforms {
        id: "bxl-needs-execution-platforms",
        code: None,
        category: Buck,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// How deep includes are followed.
const MAX_DEPTH: usize = 8;

/// `Some(true)` when the file or one it includes sets `[build] execution_platforms`;
/// `None` when a required include cannot be read (unknown).
fn sets_execution_platforms(path: &Path, depth: usize) -> Option<bool> {
    let text = std::fs::read_to_string(path).ok()?;
    let cfg = buckconfig::parse(&text);
    if cfg.get("build", "execution_platforms").is_some() {
        return Some(true);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut any = false;
    for inc in &cfg.includes {
        let target = crate::discover::normalize(&dir.join(&inc.path));
        if inc.optional && !target.exists() {
            continue;
        }
        any |= sets_execution_platforms(&target, depth + 1)?;
    }
    Some(any)
}

impl Check for BxlNeedsExecutionPlatforms {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let (Some(root), Some(cfg_id)) = (p.root.as_deref(), p.root_buckconfig) else { return };
        // `ctx.bxl_actions()` calls in the repository's own BXL scripts
        let mut uses: Vec<Span> = Vec::new();
        for f in cx.files.iter() {
            if f.kind != FileKind::Bzl || f.restrict != Restrict::None || f.path.extension().is_none_or(|e| e != "bxl")
            {
                continue;
            }
            let Some(m) = p.module_of(f.id) else { continue };
            let exprs = m.defs.iter().flat_map(|d| d.exprs.iter()).chain(m.globals.iter().map(|g| &g.value));
            for e in exprs {
                walk_calls(e, &mut |c| {
                    if c.callee_name().is_some_and(|n| n == "bxl_actions" || n.ends_with(".bxl_actions")) {
                        uses.push(Span::new(f.id, c.span.start as usize..c.span.end as usize));
                    }
                });
            }
        }
        if uses.is_empty() {
            return;
        }
        for path in crate::discover::config_layers_with_local(root) {
            if path.exists() && sets_execution_platforms(&path, 0) != Some(false) {
                return;
            }
        }
        let anchor = p
            .buckconfig(cfg_id)
            .and_then(|c| c.sections.iter().find(|s| s.name == "build"))
            .map_or(0..0, |h| h.span.clone());
        let mut d = Diagnostic::new(
            ID,
            Severity::Warning,
            Span::new(cfg_id, anchor),
            "no `[build] execution_platforms`: the repository's BXL scripts call `bxl_actions()`, which fails with \"Execution platforms are not enabled\"",
        )
        .with_label("`execution_platforms` belongs here")
        .with_help("register execution platforms, for example `[build]` `execution_platforms = prelude//platforms:default` (local execution), or a platform target of your own");
        uses.sort_by_key(|s| (s.file, s.start));
        for s in uses.iter().take(5) {
            d = d.with_related(*s, "needs an execution platform");
        }
        sink.push(d);
    }
}
