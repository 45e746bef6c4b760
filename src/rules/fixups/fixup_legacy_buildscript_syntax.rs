//! `fixup-legacy-buildscript-syntax` (R23): the removed build-script forms `buildscript = []`,
//! `[[buildscript]]` with its old sub-tables (`rustc_flags`, `gen_srcs`, `build`, the cxx
//! tables, `unresolved` placeholders) and legacy sub-keys of a `buildscript` table, at the top
//! level or in any section.
//!
//! Current Reindeer accepts only `build` and `run` under `buildscript`, so `reindeer buckify`
//! aborts. One finding per construct, on its key or header. Fixes: `buildscript = []` and an
//! empty `[buildscript.rustc_flags]` element become `buildscript.run = false/true` (safe);
//! `gen_srcs` becomes `[buildscript.run.env]` and cxx tables move to the top level (unsafe);
//! `[buildscript.build]` templates and `unresolved` placeholders need a human decision. When the
//! element is all there is of an old `[platform_fixup.'cfg(P)']` section, the replacement is
//! written in current syntax (`['cfg(P)']`), so the section needs no R24 step afterwards.
use crate::rules::registry::declare_rule;
use std::ops::Range;

use super::{edit, fixups_doc, keeping_comments, section_insertion_point, section_prefix};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::fixups::{
    FixupsDoc, IssueKind, LegacyBuildscript, Section, SectionKind, body_end, header_starts, line_start, section_headers,
};
use crate::rules::{Check, FileCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    FixupLegacyBuildscriptSyntax {
        id: "fixup-legacy-buildscript-syntax",
        code: Some("R23"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

impl Check for FixupLegacyBuildscriptSyntax {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(doc) = fixups_doc(cx) else { return };
        let Some(f) = cx.fixups() else { return };
        let file = cx.file.id;
        let headers = header_starts(doc);
        for issue in &f.issues {
            let IssueKind::LegacyBuildscript(lb) = &issue.kind else { continue };
            let section = &f.sections[issue.section];
            let place =
                if section.kind == SectionKind::Top { String::new() } else { format!(" in `{}`", section.display()) };
            let (message, help, fix) = match lb {
                LegacyBuildscript::Array { empty: true } => (
                    format!("`buildscript = []`{place} is the removed way to skip the build script; current Reindeer rejects it (removed 2025-04-30)"),
                    "write `buildscript.run = false`".to_string(),
                    issue.item.and_then(|i| i.span()).map(|vs| Fix {
                        applicability: Applicability::Safe,
                        description: "Replace `buildscript = []` with `buildscript.run = false`".into(),
                        edits: vec![edit(file, issue.span.start..vs.end, "buildscript.run = false")],
                    }),
                ),
                LegacyBuildscript::Array { empty: false } => (
                    format!("`buildscript = [...]`{place} is the removed list form of build-script fixups; current Reindeer accepts only `buildscript.build` and `buildscript.run` (removed 2025-04-29/30)"),
                    "decide whether the build script runs and write `buildscript.run = true` or `buildscript.run = false`".to_string(),
                    None,
                ),
                LegacyBuildscript::Element { count, table, .. } => {
                    let keys: Vec<&str> = table.iter().filter(|(_, v)| !v.is_none()).map(|(k, _)| k).collect();
                    let what = if keys.is_empty() {
                        String::new()
                    } else {
                        format!(" with {}", keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                    };
                    let (help, fix) = element_fix(f, file, &headers, section, issue.span.start, *table, *count);
                    (
                        format!("legacy `[[buildscript]]`{what}{place}: current Reindeer accepts only `buildscript.build` and `buildscript.run` (removed 2025-04-29/30)"),
                        help,
                        fix,
                    )
                }
                LegacyBuildscript::SubKey { name, item } => {
                    let (help, fix) = subkey_fix(f, file, section, name, item, issue.key_span.clone());
                    (
                        format!("`buildscript.{name}`{place} is legacy build-script syntax; current Reindeer accepts only `build` and `run` under `buildscript` (removed 2025-04-29/30)"),
                        help,
                        fix,
                    )
                }
            };
            let mut d = Diagnostic::new(ID, Severity::Error, Span::new(file, issue.span.clone()), message)
                .with_label("legacy build-script fixup")
                .with_help(help);
            if let Some(fix) = fix {
                d = d.with_fix(fix);
            }
            sink.push(d);
        }
    }
}

/// The help and fix for one `[[buildscript]]` element.
fn element_fix(
    f: &FixupsDoc<'_>,
    file: FileId,
    headers: &[usize],
    section: &Section<'_>,
    element_start: usize,
    table: &dyn toml_edit::TableLike,
    count: usize,
) -> (String, Option<Fix>) {
    let has = |k: &str| table.get(k).is_some_and(|v| !v.is_none());
    if has("unresolved") {
        return (
            "this is an unresolved `fixup_templates` placeholder: read the crate's build.rs and write `buildscript.run = true` or `buildscript.run = false`".into(),
            None,
        );
    }
    if has("build") {
        return (
            "the old `[buildscript.build]` meant \"emit the build rule anyway\"; today it means compile settings. Decide and write `buildscript.run = true` or `buildscript.run = false`".into(),
            None,
        );
    }
    let generic = "write `buildscript.run = true` (its `OUT_DIR` and flags are wired in automatically); move build-script env to `[buildscript.run.env]` and cxx tables to the top level".to_string();
    if count != 1 {
        return match all_elements_fix(f, file, headers, section, element_start) {
            Some(fix) => (
                "write `buildscript.run = true` once, with the build-script env in `[buildscript.run.env]`".into(),
                Some(fix),
            ),
            None => (generic, None),
        };
    }
    let Some(region) = element_region(f.text, headers, element_start, table) else { return (generic, None) };
    let Some(prefix) = section_prefix(f.text, section) else { return (generic, None) };
    let prefix = output_prefix(f, section, &region).unwrap_or(prefix);
    let keys: Vec<&str> = table.iter().filter(|(_, v)| !v.is_none()).map(|(k, _)| k).collect();
    let empty_table = |k: &str| table.get(k).and_then(|v| v.as_table_like()).is_some_and(|t| t.is_empty());
    let only = |allowed: &[&str]| keys.iter().all(|k| allowed.contains(k));
    // [[buildscript]] + empty [buildscript.rustc_flags] → buildscript.run = true (safe)
    if !keys.is_empty() && only(&["rustc_flags"]) && empty_table("rustc_flags") {
        let edits = run_true_edits(f, file, headers, section, &prefix, region);
        return (
            "write `buildscript.run = true`".into(),
            edits.map(|edits| Fix {
                applicability: Applicability::Safe,
                description: "Replace `[[buildscript]]` with `buildscript.run = true`".into(),
                edits,
            }),
        );
    }
    // gen_srcs → run the script, env moves to [buildscript.run.env] (unsafe)
    if keys.contains(&"gen_srcs") && only(&["gen_srcs", "rustc_flags"]) {
        let gen_srcs = table.get("gen_srcs").and_then(|g| g.as_table_like());
        let env = gen_srcs.and_then(|g| g.get("env")).and_then(|e| e.as_table_like());
        let lines = env.map(|e| kv_source_lines(f.text, e)).unwrap_or(Some(String::new()));
        let edits = match lines {
            Some(lines) if !lines.is_empty() => {
                Some(vec![keeping_comments(f.text, file, region, format!("[{prefix}buildscript.run.env]\n{lines}"))])
            }
            Some(_) => run_true_edits(f, file, headers, section, &prefix, region),
            None => None,
        };
        return (
            "the script's whole `OUT_DIR` is passed now, so `files`, `mapped` and `input_srcs` are not needed: run it, with its env in `[buildscript.run.env]`".into(),
            edits.map(|edits| Fix {
                applicability: Applicability::Unsafe,
                description: "Replace `[[buildscript]]` + `gen_srcs` with `[buildscript.run.env]`".into(),
                edits,
            }),
        );
    }
    // cxx tables → top-level [[cxx_library]] / [[prebuilt_cxx_library]] (unsafe)
    if keys.iter().any(|k| matches!(*k, "cxx_library" | "prebuilt_cxx_library"))
        && only(&["cxx_library", "prebuilt_cxx_library", "rustc_flags"])
        && (!keys.contains(&"rustc_flags") || empty_table("rustc_flags"))
    {
        let mut out = String::new();
        for k in ["cxx_library", "prebuilt_cxx_library"] {
            let Some(item) = table.get(k) else { continue };
            match cxx_tables_source(f.text, &prefix, k, item) {
                Some(s) => out.push_str(&s),
                None => return (generic, None),
            }
        }
        return (
            "move the C/C++ library to a top-level `[[cxx_library]]` / `[[prebuilt_cxx_library]]`".into(),
            Some(Fix {
                applicability: Applicability::Unsafe,
                description: "Move the cxx tables out of `[[buildscript]]`".into(),
                edits: vec![keeping_comments(f.text, file, region, out)],
            }),
        );
    }
    (generic, None)
}

/// The help and fix for a legacy sub-key of a `buildscript` table.
fn subkey_fix(
    f: &FixupsDoc<'_>,
    file: FileId,
    section: &Section<'_>,
    name: &str,
    item: &toml_edit::Item,
    key_span: Option<Range<usize>>,
) -> (String, Option<Fix>) {
    if !matches!(name, "cxx_library" | "prebuilt_cxx_library") {
        return (
            "use `buildscript.run = true` (with `[buildscript.run.env]` for env) or `buildscript.run = false`".into(),
            None,
        );
    }
    let help = format!("move it to a top-level `[[{name}]]`");
    let Some(prefix) = section_prefix(f.text, section) else { return (help, None) };
    let Some(ks) = key_span else { return (help, None) };
    let headers = header_starts(f.doc);
    let regions = crate::model::fixups::item_regions(f.text, &headers, &ks, item);
    let Some(src) = cxx_tables_source(f.text, &prefix, name, item) else { return (help, None) };
    // only when the item is one contiguous block written with headers
    if regions.len() != 1 || crate::model::fixups::subtree_headers(item).is_none_or(|h| h.is_empty()) {
        return (help, None);
    }
    (
        help,
        Some(Fix {
            applicability: Applicability::Unsafe,
            description: format!("Move `buildscript.{name}` to a top-level `[[{name}]]`"),
            edits: vec![keeping_comments(f.text, file, regions[0].clone(), src)],
        }),
    )
}

/// Several `[[buildscript]]` elements that each ask for the script's `rustc_flags` or
/// `gen_srcs` (the old way of running it) become one `buildscript.run = true`, with their
/// `gen_srcs` env in `[buildscript.run.env]`. The fix sits on the first element and covers
/// them all; `None` when an element holds anything else or the elements are not one block.
fn all_elements_fix(
    f: &FixupsDoc<'_>,
    file: FileId,
    headers: &[usize],
    section: &Section<'_>,
    element_start: usize,
) -> Option<Fix> {
    let toml_edit::Item::ArrayOfTables(elements) = section.buildscript()?.item else { return None };
    if elements.iter().next()?.span()?.start != element_start {
        return None;
    }
    let mut regions: Vec<Range<usize>> = Vec::new();
    let mut env_lines = String::new();
    let mut env_keys: Vec<String> = Vec::new();
    for t in elements.iter() {
        for (k, v) in t.iter() {
            match k {
                "rustc_flags" if v.as_table_like().is_some_and(|t| t.is_empty()) => {}
                "gen_srcs" => {
                    let g = v.as_table_like()?;
                    if let Some(env) = g.get("env") {
                        let env = env.as_table_like()?;
                        for (ek, _) in env.iter() {
                            if env_keys.iter().any(|x| x == ek) {
                                return None;
                            }
                            env_keys.push(ek.to_string());
                        }
                        env_lines.push_str(&kv_source_lines(f.text, env)?);
                    }
                }
                _ => return None,
            }
        }
        regions.push(element_region(f.text, headers, t.span()?.start, t)?);
    }
    let region = regions.first()?.start..regions.last()?.end;
    // one block: between the elements only blank and comment lines (carried over)
    for w in regions.windows(2) {
        if f.text[w[0].end..w[1].start].lines().any(|l| !l.trim().is_empty() && !l.trim().starts_with('#')) {
            return None;
        }
    }
    if headers.iter().any(|h| region.contains(h) && !regions.iter().any(|r| r.contains(h))) {
        return None;
    }
    let prefix = section_prefix(f.text, section)?;
    let prefix = output_prefix(f, section, &region).unwrap_or(prefix);
    let edits = if env_lines.is_empty() {
        run_true_edits(f, file, headers, section, &prefix, region)?
    } else {
        vec![keeping_comments(f.text, file, region, format!("[{prefix}buildscript.run.env]\n{env_lines}"))]
    };
    Some(Fix {
        applicability: Applicability::Unsafe,
        description: format!("Replace the {} `[[buildscript]]` elements with `buildscript.run = true`", elements.len()),
        edits,
    })
}

/// Edits replacing `region` (an element) with `buildscript.run = true` in its section.
fn run_true_edits(
    f: &FixupsDoc<'_>,
    file: FileId,
    headers: &[usize],
    section: &Section<'_>,
    prefix: &str,
    region: Range<usize>,
) -> Option<Vec<Edit>> {
    const LINE: &str = "buildscript.run = true\n";
    // Is the element the first header of the file (so it sits in the root body already)?
    let first_header = headers.first().copied().unwrap_or(usize::MAX);
    if section.kind == SectionKind::Top && line_start(f.text, first_header) >= region.start {
        return Some(vec![keeping_comments(f.text, file, region, LINE.into())]);
    }
    if section.kind != SectionKind::Top && section.header_span.is_none() {
        // an implicit section: define it explicitly at the element's place
        let table = prefix.trim_end_matches('.');
        return Some(vec![keeping_comments(f.text, file, region, format!("[{table}]\n{LINE}"))]);
    }
    let at = section_insertion_point(f, section, headers)?;
    if at == region.start {
        return Some(vec![keeping_comments(f.text, file, region, LINE.into())]);
    }
    if at > region.start && at < region.end {
        return None;
    }
    Some(vec![
        keeping_comments(f.text, file, region, String::new()),
        edit(file, at..at, crate::model::fixups::line_insertion(f.text, at, LINE.trim_end())),
    ])
}

/// The current-syntax header prefix (`'cfg(P)'.`) for text replacing `region`, when `region`
/// is the whole of an old `[platform_fixup.'cfg(P)']` section written without its own header
/// and no top-level `['cfg(P)']` exists: the replacement then migrates the section as well
/// (R24), instead of writing a new `[platform_fixup.'cfg(P)']` header.
fn output_prefix(f: &FixupsDoc<'_>, section: &Section<'_>, region: &Range<usize>) -> Option<String> {
    if section.kind != SectionKind::LegacyPlatform || section.header_span.is_some() || section.legacy_version.is_some()
    {
        return None;
    }
    let key = section.key.as_deref()?;
    if f.doc.as_table().get(key).is_some_and(|i| !i.is_none()) {
        return None;
    }
    let headers = section_headers(section.item?)?;
    if headers.is_empty() || !headers.iter().all(|h| region.contains(h)) {
        return None;
    }
    let tok = f.text.get(section.key_span.clone()?)?;
    Some(format!("{tok}."))
}

/// The text range of an array-of-tables element and its sub-tables, when contiguous.
fn element_region(
    text: &str,
    headers: &[usize],
    element_start: usize,
    table: &dyn toml_edit::TableLike,
) -> Option<Range<usize>> {
    let mut own = vec![element_start];
    for (_, sub) in table.iter() {
        if matches!(sub, toml_edit::Item::Table(_) | toml_edit::Item::ArrayOfTables(_)) {
            own.extend(crate::model::fixups::subtree_headers(sub)?);
        }
    }
    own.sort_unstable();
    let last = *own.last()?;
    // every header between the first and the last must be ours
    if headers.iter().any(|h| *h > element_start && *h < last && !own.contains(h)) {
        return None;
    }
    Some(line_start(text, element_start)..body_end(text, headers, last))
}

/// `K = V` lines of a table's entries, copied from the source with the comment lines above
/// each key and the comment after its value (a comment moves with its key).
fn kv_source_lines(text: &str, t: &dyn toml_edit::TableLike) -> Option<String> {
    let mut out = String::new();
    for (k, v) in t.iter() {
        if v.is_none() {
            continue;
        }
        v.as_value()?;
        let key = t.key(k)?;
        let ks = key.span()?;
        let vs = v.span()?;
        let (ls, le) = (crate::model::fixups::line_start(text, ks.start), crate::model::fixups::line_end(text, vs.end));
        let own_line = text[ls..ks.start].trim().is_empty() && {
            let rest = text[vs.end..le].trim();
            rest.is_empty() || rest.starts_with('#')
        };
        if !own_line {
            // an entry of an inline table: just the pair
            out.push_str(&format!("{} = {}\n", &text[ks], &text[vs]));
            continue;
        }
        // the key's own line (with its trailing comment) and the comment lines above it
        let above = key.leaf_decor().prefix().and_then(|p| p.span()).map_or(ks.start, |p| p.start.min(ks.start));
        let chunk = &text[crate::model::fixups::line_start(text, above)..le];
        out.push_str(chunk.trim_start_matches(['\r', '\n']));
        if !chunk.ends_with('\n') {
            out.push('\n');
        }
    }
    Some(out)
}

/// `[[<prefix>name]]` blocks with the key/values of a cxx table (or of each element).
fn cxx_tables_source(text: &str, prefix: &str, name: &str, item: &toml_edit::Item) -> Option<String> {
    let tables: Vec<&dyn toml_edit::TableLike> = match item {
        toml_edit::Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn toml_edit::TableLike).collect(),
        toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
            a.iter().map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike)).collect::<Option<_>>()?
        }
        _ => vec![item.as_table_like()?],
    };
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("[[{prefix}{name}]]\n"));
        out.push_str(&kv_source_lines(text, t)?);
    }
    Some(out)
}
