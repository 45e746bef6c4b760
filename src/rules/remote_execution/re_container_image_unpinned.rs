//! `re-container-image-unpinned` (R09): a valid `container-image` reference without a digest.
//!
//! A tag (`:latest`, `:22.04`) or no tag at all is mutable: when the image behind it changes,
//! action keys stay the same and results from different compilers and libcs share one cache.
//! Only `@sha256:<digest>` pins the content. Invalid references are left to
//! `re-container-image-invalid`; `[re] require-digest = false` turns the rule off.
//!
//! Example: `"container-image": "docker://gcr.io/acme/rbe:latest"`. Silent:
//! `"docker://ghcr.io/acme/ci:22.04@sha256:<64 hex>"`. No fix: buck-lint does not contact
//! registries to resolve the digest.
use super::{Findings, check, part_label, with_use};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::remote_execution::image_check::ImageProblemKind;
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ReContainerImageUnpinned {
        id: "re-container-image-unpinned",
        code: Some("R09"),
        category: RemoteExecution,
        severity: Warning,
        default: true,
        fix: None,
    }
}

impl Check for ReContainerImageUnpinned {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        if !cx.settings.re.require_digest {
            return;
        }
        let mut out = Findings::new(cx.files);
        for u in super::image_uses(cx.project) {
            if !out.reported(u.origin) {
                continue;
            }
            let (parsed, problems) = check(cx, &u.value);
            if parsed.is_none() {
                continue;
            }
            let Some(pr) = problems.iter().find(|p| p.kind == ImageProblemKind::Unpinned) else { continue };
            let mut d = Diagnostic::new(
                ID,
                Severity::Warning,
                u.origin,
                format!(
                    "{}; when the image behind it changes, cached results from different toolchains share the same action keys",
                    pr.message
                ),
            )
            .with_help(format!(
                "{}; resolve the digest with `docker buildx imagetools inspect <image>`",
                pr.help.as_deref().unwrap_or("pin the image by digest")
            ));
            if let Some(label) = part_label(&u.value, &pr.span) {
                d = d.with_label(format!("{label} is mutable"));
            }
            out.add(with_use(d, u.origin, u.use_span, "used as `container-image` here"));
        }
        out.flush(sink);
    }
}
