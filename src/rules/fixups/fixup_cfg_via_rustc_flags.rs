//! `fixup-cfg-via-rustc-flags` (R34): `rustc_flags` containing `--cfg=X` or the pair
//! `"--cfg", "X"`, at the top level or in a section.
//!
//! `cfgs` also feeds Reindeer's resolution of `cfg(X)`-gated dependencies; a raw flag does
//! not. Fix (unsafe, resolution may change): move the flag to `cfgs`.
use crate::rules::registry::declare_rule;
use std::ops::Range;

use super::edit;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::fixups::{Section, kv_lines, line_start, toml_string};
use crate::rules::{Check, FileCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    FixupCfgViaRustcFlags {
        id: "fixup-cfg-via-rustc-flags",
        code: Some("R34"),
        category: Fixups,
        severity: Info,
        default: true,
        fix: Unsafe,
    }
}

impl Check for FixupCfgViaRustcFlags {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(f) = cx.fixups() else { return };
        let file = cx.file.id;
        for s in &f.sections {
            let Some((key, item)) = s.get("rustc_flags") else { continue };
            let Some(arr) = item.as_array() else { continue };
            let vals: Vec<(Option<&str>, Range<usize>)> =
                arr.iter().map(|v| (v.as_str(), v.span().unwrap_or(0..0))).collect();
            let mut i = 0;
            while i < vals.len() {
                let (found, last) = match vals[i].0 {
                    Some(v) if v.starts_with("--cfg=") => (Some(v["--cfg=".len()..].to_string()), i),
                    Some("--cfg") if i + 1 < vals.len() && vals[i + 1].0.is_some() => {
                        (vals[i + 1].0.map(String::from), i + 1)
                    }
                    _ => (None, i),
                };
                let Some(x) = found.filter(|x| !x.is_empty()) else {
                    i += 1;
                    continue;
                };
                let span = vals[i].1.start..vals[last].1.end;
                let mut d = Diagnostic::new(
                    ID,
                    Severity::Info,
                    Span::new(file, span),
                    format!("`--cfg {x}` is passed as a raw rustc flag; `cfgs = [{}]` also feeds Reindeer's resolution of `cfg({x})`-gated dependencies", toml_string(&x)),
                )
                .with_label("cfg as a rustc flag")
                .with_help("move it to `cfgs` (the `key=\"value\"` form is allowed since 2025-10), then run `reindeer buckify` and review the diff");
                if let Some(edits) = move_edits(f.text, file, s, key.span(), arr, i, last, &x) {
                    d = d.with_fix(Fix {
                        applicability: Applicability::Unsafe,
                        description: format!("Move `--cfg {x}` to `cfgs`"),
                        edits,
                    });
                }
                sink.push(d);
                i = last + 1;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn move_edits(
    text: &str,
    file: FileId,
    s: &Section<'_>,
    key_span: Option<Range<usize>>,
    arr: &toml_edit::Array,
    first: usize,
    last: usize,
    x: &str,
) -> Option<Vec<Edit>> {
    let mut edits = vec![edit(file, remove_elements(text, arr, first, last)?, "")];
    match s.get("cfgs") {
        Some((_, item)) => {
            let cfgs = item.as_array()?;
            if cfgs.iter().any(|v| v.as_str() == Some(x)) {
                return Some(edits);
            }
            match cfgs.iter().last() {
                Some(lastv) => {
                    let at = lastv.span()?.end;
                    edits.push(edit(file, at..at, format!(", {}", toml_string(x))));
                }
                None => edits.push(edit(file, item.span()?, format!("[{}]", toml_string(x)))),
            }
        }
        None => {
            let ks = key_span?;
            // `rustc_flags` must start its own line, so the new key lands in the same table
            if !text[line_start(text, ks.start)..ks.start].trim().is_empty() {
                return None;
            }
            let at = kv_lines(text, &ks, &arr.span()?).end;
            let line = format!("cfgs = [{}]\n", toml_string(x));
            let content = if at == text.len() && !text.ends_with('\n') { format!("\n{line}") } else { line };
            edits.push(edit(file, at..at, content));
        }
    }
    Some(edits)
}

/// The range removing elements `first..=last` of an inline array with their separators.
pub fn remove_elements(text: &str, arr: &toml_edit::Array, first: usize, last: usize) -> Option<Range<usize>> {
    let spans: Vec<Range<usize>> = arr.iter().map(|v| v.span()).collect::<Option<Vec<_>>>()?;
    let start = spans.get(first)?.start;
    let end = spans.get(last)?.end;
    if let Some(next) = spans.get(last + 1) {
        return Some(start..next.start);
    }
    if first > 0 {
        return Some(spans[first - 1].end..end);
    }
    let rest = &text[end..];
    let trimmed = rest.trim_start();
    let end = if trimmed.starts_with(',') { end + (rest.len() - trimmed.len()) + 1 } else { end };
    Some(start..end)
}
