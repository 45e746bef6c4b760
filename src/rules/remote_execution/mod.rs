//! Remote-execution rules: `CommandExecutorConfig(...)` calls and the execution platforms that
//! return them (buck2-facts.md §2–§5).
//!
//! Every rule here works on the executors of [`crate::model::exec::ExecFacts`]: one entry per
//! `CommandExecutorConfig` call, specialised per BUCK instantiation of the platform rule (so
//! `ctx.attrs.X` resolves to the value written in BUCK). The same call or the same constant can
//! therefore be seen several times; [`Findings`] reports each (rule, span, message) once and
//! collects the other uses as related spans.
pub mod image_check;
pub mod re_container_image_invalid;
pub mod re_container_image_missing;
pub mod re_container_image_registry_not_allowed;
pub mod re_container_image_unpinned;
pub mod re_exec_platform_host_derived;
pub mod re_executor_config_invalid;
pub mod re_full_hybrid_racing;
pub mod re_local_cache_upload;
pub mod re_platform_property_inconsistent;

use std::collections::HashMap;

use super::Sink;
use crate::diagnostic::{Diagnostic, Edit};
use crate::files::Files;
use crate::model::Project;
use crate::model::exec::ExecutorSite;
use crate::model::image_ref::ParsedImage;
use crate::model::value::{Val, Value};
use crate::source::Span;
use image_check::{ImageCheckOptions, ImageProblem, check_image};

/// Findings of one rule, deduplicated by (primary span, message). A finding seen again through
/// another executor or instance adds its related spans instead of repeating itself; findings
/// whose primary span is in a file that is not reported are dropped.
pub(crate) struct Findings<'a> {
    files: &'a Files,
    diags: Vec<Diagnostic>,
    index: HashMap<(Span, String), usize>,
}

impl<'a> Findings<'a> {
    pub fn new(files: &'a Files) -> Self {
        Findings { files, diags: Vec::new(), index: HashMap::new() }
    }

    /// Is the file of this span one we report on?
    pub fn reported(&self, span: Span) -> bool {
        self.files.get(span.file).reported
    }

    /// Add a finding, or merge its related spans (and a higher severity) into the same earlier
    /// finding. Returns the index of the stored finding.
    pub fn add(&mut self, d: Diagnostic) -> Option<usize> {
        if !self.reported(d.primary) {
            return None;
        }
        let key = (d.primary, d.message.clone());
        if let Some(&i) = self.index.get(&key) {
            let old = &mut self.diags[i];
            for r in d.related {
                if !old.related.iter().any(|o| o.span == r.span) {
                    old.related.push(r);
                }
            }
            if d.severity > old.severity {
                old.severity = d.severity;
            }
            return Some(i);
        }
        self.index.insert(key, self.diags.len());
        self.diags.push(d);
        Some(self.diags.len() - 1)
    }

    pub fn flush(self, sink: &mut Sink<'_>) {
        for d in self.diags {
            sink.push(d);
        }
    }
}

/// Does `inner` lie within `outer`?
pub(crate) fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && inner.start >= outer.start && inner.end <= outer.end
}

/// Attach a "used here" related span when the literal is written away from its use.
pub(crate) fn with_use(d: Diagnostic, origin: Span, use_span: Option<Span>, what: &str) -> Diagnostic {
    match use_span {
        Some(u) if !within(origin, u) => d.with_related(u, what.to_string()),
        _ => d,
    }
}

/// Is the bare text of `origin` a plain one-line string literal holding `value` (so that a
/// replacement edit can rewrite it)?
pub(crate) fn is_plain_literal(files: &Files, origin: Span, value: &str) -> bool {
    let Some(text) = files.text(origin.file) else { return false };
    let Some(raw) = text.get(origin.start as usize..origin.end as usize) else { return false };
    raw == format!("\"{value}\"") || raw == format!("'{value}'")
}

/// An edit replacing the string literal at `origin` with `new_value`, when it is a plain literal.
pub(crate) fn replace_literal(files: &Files, origin: Span, value: &str, new_value: &str) -> Option<Edit> {
    if !is_plain_literal(files, origin, value) {
        return None;
    }
    let text = files.text(origin.file)?;
    Some(super::util::replace_string_literal(origin.file, &text, &(origin.start..origin.end), new_value))
}

/// The span of a keyword argument's value in the executor call.
pub(crate) fn arg_value_span(site: &ExecutorSite, name: &str) -> Option<Span> {
    let a = site.call.kwarg(name)?;
    Some(Span { file: site.file, start: a.value.span.start, end: a.value.span.end })
}

/// Is the evaluated keyword argument literally `True`?
pub(crate) fn is_true(project: &Project, site: &ExecutorSite, name: &str) -> bool {
    site.arg(project, name).and_then(|v| v.as_bool()) == Some(true)
}

/// R07's condition: both executors on (neither literal `False`) and `use_limited_hybrid`
/// absent or literal `False`. Shared with R14, which is raised to warning when it holds.
pub(crate) fn full_hybrid(project: &Project, site: &ExecutorSite) -> bool {
    if !site.remote_enabled(project) || !site.local_enabled(project) {
        return false;
    }
    match site.call.kwarg("use_limited_hybrid") {
        None => !site.call.has_kwargs_splat(),
        Some(_) => site.arg(project, "use_limited_hybrid").and_then(|v| v.as_bool()) == Some(false),
    }
}

/// The known dict alternatives of `remote_execution_properties` (each branch of a `select()`),
/// with the span of the kwarg in the call. Unknown values give no alternatives.
pub(crate) fn property_dicts(project: &Project, site: &ExecutorSite) -> (Vec<Val>, Option<Span>) {
    let use_span = site.arg_span("remote_execution_properties");
    let Some(v) = site.arg(project, "remote_execution_properties") else { return (Vec::new(), use_span) };
    let dicts = v
        .alternatives()
        .into_iter()
        .filter(|(_, a)| matches!(a.value, Value::Dict(_)))
        .map(|(_, a)| a.clone())
        .collect();
    (dicts, use_span)
}

/// One `container-image` string as evaluated for one executor.
pub(crate) struct ImageUse {
    pub value: String,
    /// Where the literal (or the concatenation producing it) is written.
    pub origin: Span,
    /// The `remote_execution_properties` kwarg of the call that uses it.
    pub use_span: Option<Span>,
}

/// Every known `container-image` string of every executor (including `select()` branches).
pub(crate) fn image_uses(project: &Project) -> Vec<ImageUse> {
    let mut out = Vec::new();
    for site in &project.exec().executors {
        let (dicts, use_span) = property_dicts(project, site);
        for d in dicts {
            let Some(img) = d.dict_get("container-image") else { continue };
            for (_, alt) in img.alternatives() {
                if let (Some(s), Some(origin)) = (alt.as_str(), alt.origin) {
                    out.push(ImageUse { value: s.to_string(), origin, use_span });
                }
            }
        }
    }
    out
}

/// `check_image` with the `[re]` options. A scheme-less value is an opaque worker label (not
/// an image) with `[re] bare-image-names = true`, and also when the provider is one whose
/// `container-image` property selects workers (Buildbarn, NativeLink): named by `[re] provider`
/// or evident from the root `.buckconfig`'s RE addresses.
pub(crate) fn check(cx: &crate::rules::ProjectCx<'_>, value: &str) -> (Option<ParsedImage>, Vec<ImageProblem>) {
    check_image(value, &ImageCheckOptions { bare_image_names: bare_image_names(cx) })
}

/// Is a scheme-less `container-image` a worker label here? (See [`check`].)
pub(crate) fn bare_image_names(cx: &crate::rules::ProjectCx<'_>) -> bool {
    cx.settings.re.bare_image_names
        || matches!(cx.settings.re.provider.as_deref().or(cx.project.exec().provider), Some("buildbarn" | "nativelink"))
}

/// The text of `range` within `value` for a label, when it is a proper part of it.
pub(crate) fn part_label(value: &str, range: &std::ops::Range<usize>) -> Option<String> {
    let part = value.get(range.clone())?;
    if part.is_empty() || part.len() == value.len() {
        return None;
    }
    let shown: String = part.chars().take(40).collect();
    let ellipsis = if part.chars().count() > 40 { "…" } else { "" };
    Some(format!("`{shown}{ellipsis}`"))
}
