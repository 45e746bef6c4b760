//! `fixup-dep-shape` (R35): an `extra_deps` entry that is not a Buck label (neither `:` nor
//! `//`), or an `omit_deps` entry that looks like a label or carries a `-x.y.z` version, at the
//! top level, in a section or under `[buildscript.build]`.
//!
//! `extra_deps` must be Buck targets and `omit_deps` bare crate names; the wrong shape fails
//! analysis or silently omits nothing. Fix (unsafe): strip the label and version decoration
//! from `omit_deps` entries.
use super::replace_literal;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::fixups::StrEntry;
use crate::rules::registry::declare_rule;
use crate::rules::util::split_versioned;
use crate::rules::{Check, FileCx, Sink};
use crate::source::Span;

declare_rule! {
    FixupDepShape {
        id: "fixup-dep-shape",
        code: Some("R35"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: Unsafe,
    }
}

/// The bare crate name inside a decorated `omit_deps` entry.
pub fn bare_name(entry: &str) -> String {
    let mut s = entry.trim();
    if let Some(i) = s.rfind(':') {
        s = &s[i + 1..];
    } else if let Some(i) = s.rfind('/') {
        s = &s[i + 1..];
    }
    match split_versioned(s) {
        Some((n, _)) => n.to_string(),
        None => s.to_string(),
    }
}

impl Check for FixupDepShape {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(f) = cx.fixups() else { return };
        let file = cx.file.id;
        for s in &f.sections {
            let extra: Vec<(StrEntry<'_>, &str)> = s
                .strings("extra_deps")
                .into_iter()
                .map(|e| (e, "extra_deps"))
                .chain(s.build_strings("extra_deps").into_iter().map(|e| (e, "buildscript.build.extra_deps")))
                .collect();
            for (e, key) in extra {
                if e.value.contains(':') || e.value.contains("//") {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        ID,
                        Severity::Error,
                        Span::new(file, e.span.clone()),
                        format!("`{key}` entry `{}` is not a Buck label", e.value),
                    )
                    .with_label("not a label")
                    .with_help("`extra_deps` takes Buck targets: `//path:name`, `cell//path:name` or `:name`"),
                );
            }
            let omit: Vec<(StrEntry<'_>, &str)> = s
                .strings("omit_deps")
                .into_iter()
                .map(|e| (e, "omit_deps"))
                .chain(s.build_strings("omit_deps").into_iter().map(|e| (e, "buildscript.build.omit_deps")))
                .collect();
            for (e, key) in omit {
                let label = e.value.contains(':') || e.value.contains("//");
                let versioned = split_versioned(e.value).is_some();
                if !label && !versioned {
                    continue;
                }
                let bare = bare_name(e.value);
                let what = if label { "a label" } else { "a versioned name" };
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Error,
                    Span::new(file, e.span.clone()),
                    format!(
                        "`{key}` entry `{}` is {what}; `omit_deps` takes bare crate names, so this omits nothing",
                        e.value
                    ),
                )
                .with_label("not a bare crate name")
                .with_help(format!("write the crate's (local or renamed) name: `{bare}`"));
                if !bare.is_empty() && bare != e.value {
                    d = d.with_fix(Fix {
                        applicability: Applicability::Unsafe,
                        description: format!("Replace `{}` with `{bare}`", e.value),
                        edits: vec![replace_literal(file, f.text, &e.span, &bare)],
                    });
                }
                sink.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bare_names() {
        assert_eq!(super::bare_name(":windows_aarch64_gnullvm-0.52.6"), "windows_aarch64_gnullvm");
        assert_eq!(super::bare_name("//third-party:serde"), "serde");
        assert_eq!(super::bare_name("libc-0.2.180"), "libc");
    }
}
