//! `re-local-cache-upload` (R14): an executor that uploads locally built results to the shared
//! action cache.
//!
//! `allow_cache_uploads = True` with a `local_enabled` that is not literal `False` puts the
//! results of *local* actions into the remote action cache. Local Buck2 is not sandboxed, so
//! those results may embed host paths or use host tools, and one divergent artifact (a hollow
//! rlib whose crate hash differs from the remote real rlib) then reaches every user of the cache
//! (https://github.com/facebook/buck2/issues/478). Info; a warning when
//! `re-full-hybrid-racing` (R07) holds for the same executor, because racing makes such
//! one-off local results likely.
//!
//! Example: `CommandExecutorConfig(local_enabled = True, remote_enabled = True,
//! use_limited_hybrid = False, allow_cache_uploads = True, ...)` (warning). The finding sits on
//! the `allow_cache_uploads` value. No fix.
use super::{Findings, arg_value_span, full_hybrid, with_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    ReLocalCacheUpload {
        id: "re-local-cache-upload",
        code: Some("R14"),
        category: RemoteExecution,
        severity: Info,
        default: true,
        fix: None,
    }
}

/// One `allow_cache_uploads = True` literal and the worst case among the executors using it.
struct Upload {
    origin: Span,
    /// R07 holds for some executor using it.
    racing: bool,
    use_span: Option<Span>,
    hybrid_span: Option<Span>,
}

impl Check for ReLocalCacheUpload {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        // Findings are keyed by message, and a racing and a non-racing use of the same literal
        // give two messages: collect per literal first and keep the worst case.
        let mut per_origin: Vec<Upload> = Vec::new();
        for site in &p.exec().executors {
            if !site.local_enabled(p) {
                continue;
            }
            let Some(v) = site.arg(p, "allow_cache_uploads") else { continue };
            if v.as_bool() != Some(true) {
                continue;
            }
            let Some(origin) = v.origin.or_else(|| arg_value_span(site, "allow_cache_uploads")) else { continue };
            let racing = full_hybrid(p, site);
            let hybrid_span =
                if racing { site.arg_span("use_limited_hybrid").or_else(|| Some(site.callee_span())) } else { None };
            match per_origin.iter_mut().find(|e| e.origin == origin) {
                Some(e) => {
                    if racing && !e.racing {
                        e.racing = true;
                        e.hybrid_span = hybrid_span;
                    }
                }
                None => per_origin.push(Upload {
                    origin,
                    racing,
                    use_span: site.arg_span("allow_cache_uploads"),
                    hybrid_span,
                }),
            }
        }
        let mut out = Findings::new(cx.files);
        for Upload { origin, racing, use_span, hybrid_span } in per_origin {
            let mut d = if racing {
                Diagnostic::new(
                    ID,
                    Severity::Warning,
                    origin,
                    "`allow_cache_uploads = True` uploads locally built results to the shared action cache, and with full hybrid racing any local result can win and be cached for every user",
                )
            } else {
                Diagnostic::new(
                    ID,
                    Severity::Info,
                    origin,
                    "`allow_cache_uploads = True` uploads locally built results, which may embed host paths or tools, to the shared action cache",
                )
            }
            .with_label("local results reach the remote cache")
            .with_help("remove `allow_cache_uploads = True`, or enable it only on a local-only executor used by a trusted CI job whose environment matches the RE image");
            if let Some(h) = hybrid_span {
                d = d.with_related(h, "this executor races local and remote execution (re-full-hybrid-racing)");
            }
            out.add(with_use(d, origin, use_span, "used by this executor"));
        }
        out.flush(sink);
    }
}
