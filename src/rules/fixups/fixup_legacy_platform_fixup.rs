//! `fixup-legacy-platform-fixup` (R24): `[platform_fixup.'cfg(…)']` sections (and arrays under
//! them), empty `[platform_fixup]` headers, and `version = "…"` keys inside sections.
//!
//! `platform_fixup` was removed on 2025-06-30 (commit 9dae25f3) and `version` keys inside
//! sections on 2025-07-14 (commit 2b78e94d); current Reindeer rejects both. Safe fix: rename
//! `[platform_fixup.'cfg(P)']` to `['cfg(P)']`, fold a `version = "R"` key into the predicate
//! (`cfg(all(P, version = "R"))`, or `cfg(version = "R")` for `P = all()`), and delete empty
//! headers. When two sections would get the same key, one is wrapped in `any(…)` and the fix
//! becomes unsafe. Dotted keys and inline tables inside a section's headers need no edit
//! (`[platform_fixup.'cfg(P)']` + `buildscript.run = true`); a header left empty by the
//! `version` key's removal is deleted when sub-tables keep the section.
use crate::rules::registry::declare_rule;
use std::collections::{HashMap, HashSet};

use super::{deletions, edit, fixups_doc, keeping_comments};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::cfg_expr::CfgExpr;
use crate::model::fixups::{
    FixupsDoc, IssueKind, Section, SectionKind, body_end, deletion_with_blank_lines, header_first_key, header_span,
    header_starts, header_two_keys, kv_lines, line_end, line_start, quote_key, section_headers,
};
use crate::rules::{Check, FileCx, Sink};
use crate::source::{FileId, Span};

declare_rule! {
    FixupLegacyPlatformFixup {
        id: "fixup-legacy-platform-fixup",
        code: Some("R24"),
        category: Fixups,
        severity: Error,
        default: true,
        fix: Safe,
    }
}

impl Check for FixupLegacyPlatformFixup {
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        let Some(doc) = fixups_doc(cx) else { return };
        let Some(f) = cx.fixups() else { return };
        let file = cx.file.id;
        let plan = plan_keys(f);
        let headers = header_starts(doc);
        let mut first_legacy = true;
        for issue in &f.issues {
            let d = match &issue.kind {
                IssueKind::LegacyPlatformSection { section } => {
                    let s = &f.sections[*section];
                    let key = s.key.as_deref().unwrap_or_default();
                    let planned = plan.get(section);
                    let target = planned.map(|(k, _)| format!("; write `[{}]`", quote_key(k))).unwrap_or_default();
                    let message = if s.legacy_version.is_some() {
                        format!(
                            "`[platform_fixup.{}]` (removed 2025-06-30) with a `version` key (removed 2025-07-14) is legacy syntax{target}",
                            quote_key(key)
                        )
                    } else {
                        format!(
                            "`[platform_fixup.{}]` is the removed form of a conditional section (removed 2025-06-30){target}",
                            quote_key(key)
                        )
                    };
                    let mut d = Diagnostic::new(ID, Severity::Error, Span::new(file, issue.span.clone()), message)
                    .with_label("legacy platform_fixup section")
                    .with_help("conditional sections are top-level `['cfg(…)']` tables now; versions go into the predicate as `version = \"…\"` atoms");
                    if let Some((new, wrapped)) = planned {
                        let mut edits = section_rename_edits(f, file, s, new, 2);
                        if let (Some(e), true) = (edits.as_mut(), first_legacy) {
                            e.extend(empty_platform_fixup_header(f, file, &headers));
                        }
                        if let Some(edits) = edits {
                            d = d.with_fix(Fix {
                                applicability: if *wrapped { Applicability::Unsafe } else { Applicability::Safe },
                                description: format!("Rename the section to `[{}]`", quote_key(new)),
                                edits,
                            });
                        }
                    }
                    first_legacy = false;
                    d
                }
                IssueKind::LegacyPlatformEmpty => {
                    let regions = issue.item.map(|item| match header_span(item) {
                        Some(h) => {
                            std::iter::once(line_start(f.text, h.start)..body_end(f.text, &headers, h.start)).collect()
                        }
                        None => match (issue.key_span.as_ref(), item.span()) {
                            (Some(ks), Some(vs)) => vec![kv_lines(f.text, ks, &vs)],
                            _ => Vec::new(),
                        },
                    });
                    let mut d = Diagnostic::new(
                        ID,
                        Severity::Error,
                        Span::new(file, issue.span.clone()),
                        "empty `[platform_fixup]` header (left by the removed `fixup_templates`); current Reindeer rejects the `platform_fixup` key (removed 2025-06-30)",
                    )
                    .with_label("legacy platform_fixup header")
                    .with_help("delete the header; it carries no data");
                    if let Some(r) = regions.filter(|r| !r.is_empty()) {
                        let r: Vec<_> = r.into_iter().map(|r| deletion_with_blank_lines(f.text, r)).collect();
                        d = d.with_fix(Fix {
                            applicability: Applicability::Safe,
                            description: "Delete the empty `[platform_fixup]` header".into(),
                            edits: deletions(file, &r),
                        });
                    }
                    d
                }
                IssueKind::LegacyVersionKey { section } => {
                    let s = &f.sections[*section];
                    let raw = s.legacy_version.as_ref().map(|v| v.raw.as_str()).unwrap_or("…");
                    if s.kind == SectionKind::Top {
                        Diagnostic::new(
                            ID,
                            Severity::Error,
                            Span::new(file, issue.span.clone()),
                            format!("a top-level `version = \"{raw}\"` key was removed on 2025-07-14; current Reindeer rejects it"),
                        )
                        .with_label("legacy version key")
                        .with_help(format!("move the version-specific keys into a `['cfg(version = \"{raw}\")']` section"))
                    } else {
                        let planned = plan.get(section);
                        let target = planned.map(|(k, _)| format!(": `[{}]`", quote_key(k))).unwrap_or_default();
                        let mut d = Diagnostic::new(
                            ID,
                            Severity::Error,
                            Span::new(file, issue.span.clone()),
                            format!(
                                "`version = \"{raw}\"` inside `{}` was removed on 2025-07-14; put the version into the predicate{target}",
                                s.display()
                            ),
                        )
                        .with_label("legacy version key")
                        .with_help("a section key such as `cfg(all(target_os = \"windows\", version = \"=0.48.0\"))` selects both the platform and the version");
                        if let Some((new, wrapped)) = planned {
                            if let Some(edits) = section_rename_edits(f, file, s, new, 1) {
                                d = d.with_fix(Fix {
                                    applicability: if *wrapped { Applicability::Unsafe } else { Applicability::Safe },
                                    description: format!("Rename the section to `[{}]`", quote_key(new)),
                                    edits,
                                });
                            }
                        }
                        d
                    }
                }
                _ => continue,
            };
            sink.push(d);
        }
    }
}

/// The new key of each section that gets renamed, and whether it had to be wrapped in
/// `any(…)` to avoid a duplicate table.
fn plan_keys(f: &FixupsDoc<'_>) -> HashMap<usize, (String, bool)> {
    let renamed: Vec<usize> = f
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.kind == SectionKind::LegacyPlatform || (s.kind == SectionKind::Cfg && s.legacy_version.is_some())
        })
        .map(|(i, _)| i)
        .collect();
    let mut taken: HashSet<String> = f
        .doc
        .as_table()
        .iter()
        .filter(|(k, v)| {
            !v.is_none()
                && !renamed
                    .iter()
                    .any(|i| f.sections[*i].key.as_deref() == Some(*k) && f.sections[*i].kind == SectionKind::Cfg)
        })
        .map(|(k, _)| k.to_string())
        .collect();
    let mut out = HashMap::new();
    for i in renamed {
        let Some(mut new) = new_key(&f.sections[i]) else { continue };
        let mut wrapped = false;
        let mut guard = 0;
        while taken.contains(&new) && guard < 8 {
            let inner = &new["cfg(".len()..new.len() - 1];
            new = format!("cfg(any({inner}))");
            wrapped = true;
            guard += 1;
        }
        taken.insert(new.clone());
        out.insert(i, (new, wrapped));
    }
    out
}

/// The current-syntax key of a legacy section: its predicate with the `version` key folded in.
fn new_key(s: &Section<'_>) -> Option<String> {
    let key = s.key.as_deref()?;
    let pred = s.pred.as_ref()?;
    let Some(v) = &s.legacy_version else {
        return Some(key.to_string());
    };
    v.req.as_ref()?;
    if v.raw.contains(['"', '\\']) {
        return None;
    }
    let version = format!("version = \"{}\"", v.raw);
    Some(match &pred.expr {
        CfgExpr::All(items) if items.is_empty() => format!("cfg({version})"),
        CfgExpr::All(items) => {
            let inner = &key[items[0].span.start..items[items.len() - 1].span.end];
            format!("cfg(all({inner}, {version}))")
        }
        _ => format!("cfg(all({}, {version}))", &key[pred.span.clone()]),
    })
}

/// Edits renaming a section in every header of its subtree (`keys` = 2 drops the
/// `platform_fixup.` segment too) and deleting its `version` key. Keys written with dotted
/// keys or inline tables inside those headers' bodies (`buildscript.run = true`) need no edit.
fn section_rename_edits(f: &FixupsDoc<'_>, file: FileId, s: &Section<'_>, new: &str, keys: usize) -> Option<Vec<Edit>> {
    let item = s.item?;
    // dotted keys and inline tables in the section's own bodies move with their headers
    let headers = section_headers(item)?;
    if headers.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    // a header left empty by the `version` key's removal, with sub-tables that keep the section
    let drop_header = s.legacy_version.as_ref().zip(s.header_span.as_ref()).and_then(|(v, h)| {
        if headers.len() < 2 || s.table.iter().any(|(k, i)| k != "version" && i.is_value()) {
            return None;
        }
        let body = line_start(f.text, h.start)..body_end(f.text, &header_starts(f.doc), h.start);
        let header_line = line_start(f.text, h.start)..line_end(f.text, h.start);
        let version = kv_lines(f.text, &v.key_span, &v.value_span);
        let rest = [header_line.end..version.start, version.end..body.end];
        let only_blank = rest.iter().all(|r| r.start <= r.end && f.text[r.clone()].trim().is_empty());
        only_blank.then_some((h.start, body))
    });
    if let Some((_, body)) = &drop_header {
        edits.push(keeping_comments(f.text, file, deletion_with_blank_lines(f.text, body.clone()), String::new()));
    }
    for h in headers {
        if drop_header.as_ref().is_some_and(|(dh, _)| *dh == h) {
            continue;
        }
        let r = if keys == 2 { header_two_keys(f.text, h)? } else { header_first_key(f.text, h)? };
        let first = header_first_key(f.text, h)?;
        let first_text = f.text[first].trim_matches(['\'', '"']);
        let expected = if keys == 2 { "platform_fixup" } else { s.key.as_deref()? };
        if first_text != expected {
            return None;
        }
        edits.push(edit(file, r, quote_key(new)));
    }
    if let (Some(v), None) = (&s.legacy_version, &drop_header) {
        edits.push(keeping_comments(f.text, file, kv_lines(f.text, &v.key_span, &v.value_span), String::new()));
    }
    Some(edits)
}

/// Deleting an explicit, value-less `[platform_fixup]` header that precedes its sections.
fn empty_platform_fixup_header(f: &FixupsDoc<'_>, file: FileId, headers: &[usize]) -> Vec<Edit> {
    let Some(item) = f.doc.as_table().get("platform_fixup") else { return Vec::new() };
    let Some(t) = item.as_table() else { return Vec::new() };
    if t.iter().any(|(_, v)| v.is_value()) {
        return Vec::new();
    }
    match header_span(item) {
        Some(h) => {
            let r = line_start(f.text, h.start)..body_end(f.text, headers, h.start);
            vec![keeping_comments(f.text, file, deletion_with_blank_lines(f.text, r), String::new())]
        }
        None => Vec::new(),
    }
}
