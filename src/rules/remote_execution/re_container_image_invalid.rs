//! `re-container-image-invalid` (R08): a `container-image` platform property that the RE
//! backend cannot pull, or would pull the wrong image for.
//!
//! The value of `"container-image"` in `remote_execution_properties` (literals, constants,
//! literal concatenations, `ctx.attrs` bound from BUCK; anything else is left alone) is checked
//! against the distribution reference grammar after stripping `docker://`
//! (`buck2-facts.md` §5, [`crate::model::image_ref`]). Each problem is one finding on the
//! literal, with a related span at the use when the literal is a constant:
//! - **error**: an invalid reference (upper case or whitespace in the repository, bad tag,
//!   empty name, unsupported scheme) or a digest that is not 64 lower-case hex characters;
//! - **warning**: no `docker://` scheme (unless `[re] bare-image-names = true`), an empty
//!   value, a placeholder digest or name, or `host.tld:name@digest`, which Docker reads as a
//!   Docker Hub repository plus a tag.
//!
//! Example: `"container-image": "docker://registry.com:image_name@sha256:" + 64 * "a"` (two
//! warnings: registry read as repository, placeholder digest); `"docker://Ubuntu:22.04"`
//! (error). Fix (unsafe, some backends expect bare worker labels): prepend `docker://` when it
//! is missing and the rest is a valid reference.
use super::{Findings, check, part_label, replace_literal, with_use};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::registry::declare_rule;
use crate::rules::remote_execution::image_check::{ImageProblemKind, ImageSeverity, add_scheme_fix};
use crate::rules::{Check, ProjectCx, Sink};

declare_rule! {
    ReContainerImageInvalid {
        id: "re-container-image-invalid",
        code: Some("R08"),
        category: RemoteExecution,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

/// The consequence, appended to `image_ref`'s description of the problem.
fn why(kind: ImageProblemKind) -> &'static str {
    match kind {
        ImageProblemKind::InvalidReference | ImageProblemKind::BadDigest => {
            "; the RE backend cannot parse the reference, so every remote action fails"
        }
        ImageProblemKind::MissingScheme => "; RE backends such as EngFlow and BuildBuddy only pull `docker://` images",
        ImageProblemKind::Empty => "; the backend rejects the actions or runs them in a default image",
        ImageProblemKind::PlaceholderDigest | ImageProblemKind::PlaceholderName => {
            "; pulling it fails, so remote actions cannot run"
        }
        // Already says what Docker does instead.
        ImageProblemKind::RegistryReadAsRepository | ImageProblemKind::Unpinned => "",
    }
}

impl Check for ReContainerImageInvalid {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let mut out = Findings::new(cx.files);
        for u in super::image_uses(cx.project) {
            if !out.reported(u.origin) {
                continue;
            }
            let (_, problems) = check(cx, &u.value);
            for pr in problems {
                if pr.kind == ImageProblemKind::Unpinned {
                    continue; // re-container-image-unpinned
                }
                let severity = match pr.severity {
                    ImageSeverity::Error => Severity::Error,
                    ImageSeverity::Warning => Severity::Warning,
                };
                let mut d = Diagnostic::new(ID, severity, u.origin, format!("{}{}", pr.message, why(pr.kind)));
                if let Some(part) = part_label(&u.value, &pr.span) {
                    d = d.with_label(format!("problem in {part}"));
                }
                if let Some(h) = &pr.help {
                    d = d.with_help(h.clone());
                }
                if pr.kind == ImageProblemKind::MissingScheme {
                    if let Some(fixed) = add_scheme_fix(&u.value) {
                        if let Some(edit) = replace_literal(cx.files, u.origin, &u.value, &fixed) {
                            d = d.with_fix(Fix {
                                applicability: Applicability::Unsafe,
                                description: "Prefix the image with `docker://`".into(),
                                edits: vec![edit],
                            });
                        }
                    }
                }
                out.add(with_use(d, u.origin, u.use_span, "used as `container-image` here"));
            }
        }
        out.flush(sink);
    }
}
