//! `re-container-image-missing` (R10): a remote executor's properties name no container image.
//!
//! An executor whose `remote_enabled` is not literal `False` has a literal
//! `remote_execution_properties` dict (no merge with anything non-literal, no unresolved key)
//! without a `"container-image"` key. EngFlow and BuildBuddy need an image for Linux and
//! Windows remote execution; without one, actions are rejected or run in a default image whose
//! toolchain does not match the local build. Backends whose workers fix the image (Buildbarn,
//! NativeLink) set `[re] image-required = false`, which turns the rule off; so does a local
//! runner (every `[buck2_re_client]` address of the root `.buckconfig` is this machine). A dict
//! with a `platform` or `subplatform` key selects one of Meta's internal RE worker pools, whose
//! image is fixed: silent.
//!
//! Example: `remote_execution_properties = {"OSFamily": "Linux"}`. The finding sits on the dict
//! (where it is written, with a related span at the use when it is a constant), because the
//! dict is what should contain the key. No fix.
use super::{Findings, property_dicts, with_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ReContainerImageMissing {
        id: "re-container-image-missing",
        code: Some("R10"),
        category: RemoteExecution,
        severity: Warning,
        default: true,
        fix: None,
    }
}

/// Keys that choose the workers, and with them the image: `container-image` itself, and the
/// `platform`/`subplatform` capabilities of Meta's internal RE, whose worker pools fix the
/// image (the prelude's test executors and Buck2's own test platforms use them).
const SELECTS_WORKERS: [&str; 3] = ["container-image", "platform", "subplatform"];

impl Check for ReContainerImageMissing {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        if !cx.settings.re.image_required {
            return;
        }
        let p = cx.project;
        // a local runner (every RE address is this machine) runs actions without an image
        if p.exec().local_endpoint.is_some() {
            return;
        }
        let mut out = Findings::new(cx.files);
        for site in &p.exec().executors {
            if !site.remote_enabled(p) {
                continue;
            }
            let (dicts, use_span) = property_dicts(p, site);
            for d in dicts {
                let Some(items) = d.as_dict() else { continue };
                // A key we cannot read might be `container-image`.
                if items.iter().any(|(k, _)| k.as_str().is_none()) {
                    continue;
                }
                if items.iter().any(|(k, _)| k.as_str().is_some_and(|k| SELECTS_WORKERS.contains(&k))) {
                    continue;
                }
                let Some(origin) = d.origin else { continue };
                let diag = Diagnostic::new(
                    ID,
                    Severity::Warning,
                    origin,
                    "`remote_execution_properties` has no `container-image`, so backends such as EngFlow and BuildBuddy reject the remote actions or run them in a default image that does not match your toolchain",
                )
                .with_label("no `container-image` key")
                .with_help("add `\"container-image\": \"docker://<registry>/<repository>@sha256:<digest>\"`, or set `[re] image-required = false` in buck-lint.toml if your workers fix the image");
                out.add(with_use(diag, origin, use_span, "used as `remote_execution_properties` here"));
            }
        }
        out.flush(sink);
    }
}
