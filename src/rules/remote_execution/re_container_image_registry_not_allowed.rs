//! `re-container-image-registry-not-allowed` (opt-in): a `container-image` from a registry
//! outside the organisation's allow-list.
//!
//! Each valid image reference is normalised to `<registry>/<repository>` (Docker Hub images as
//! `docker.io/library/<name>`) and matched against the globs of
//! `[rules.re-container-image-registry-not-allowed] allowed`, or `[re] allowed-registries` when
//! that is unset ([`super::image_check::registry_allowed`]). With neither set the rule does
//! nothing. Invalid references (R08's business) and scheme-less worker labels are skipped.
//! Remote workers run every action inside the image, so an image from a personal namespace or a
//! public registry bypasses the organisation's scanning and may not match the declared
//! toolchains.
//!
//! Example (with `allowed = ["ghcr.io/acme/*"]`):
//! `"container-image": "docker://gcr.io/flame-public/rbe-ubuntu22-04@sha256:<64 hex>"`. The
//! finding sits on the literal. No fix.
use super::{Findings, check, with_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::remote_execution::image_check::registry_allowed;
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ReContainerImageRegistryNotAllowed {
        id: "re-container-image-registry-not-allowed",
        code: None,
        category: RemoteExecution,
        severity: Warning,
        default: false,
        fix: None,
    }
}

impl Check for ReContainerImageRegistryNotAllowed {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let mut allowed = cx.settings.rule_option_strings(ID, "allowed");
        if allowed.is_empty() {
            allowed = cx.settings.re.allowed_registries.clone();
        }
        if allowed.iter().all(|a| a.trim().is_empty()) {
            return;
        }
        let mut out = Findings::new(cx.files);
        for u in super::image_uses(cx.project) {
            if !out.reported(u.origin) {
                continue;
            }
            let (parsed, _) = check(cx, &u.value);
            let Some(img) = parsed else { continue };
            if img.scheme.is_none() && super::bare_image_names(cx) {
                continue;
            }
            if registry_allowed(&img, &allowed) {
                continue;
            }
            let full = format!("{}/{}", img.registry, img.repository);
            let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            let d = Diagnostic::new(
                ID,
                Severity::Warning,
                u.origin,
                format!(
                    "image `{full}` does not come from an allowed registry, so remote actions run in an image outside your organisation's control"
                ),
            )
            .with_label(format!("`{full}`"))
            .with_help(format!(
                "mirror the image into an allowed registry ({}) and pin it by digest, or add its registry to `allowed` if it is legitimate",
                list.join(", ")
            ));
            out.add(with_use(d, u.origin, u.use_span, "used as `container-image` here"));
        }
        out.flush(sink);
    }
}
