//! `reindeer.toml` read against its schema: platforms, vendoring and the issues found.

use std::ops::Range;

use toml_edit::{Document, Item, Key, TableLike};

use crate::model::fixups::*;

// ---------------------------------------------------------------------------------------------
// reindeer.toml
// ---------------------------------------------------------------------------------------------

/// A `[platform.<name>]` table.
pub struct RtPlatform<'d> {
    pub name: &'d str,
    pub key_span: Range<usize>,
    /// The explicit header, or the key.
    pub anchor: Range<usize>,
    pub table: &'d dyn TableLike,
    pub target: Option<(&'d str, Range<usize>)>,
    pub execution_platform: Option<bool>,
}

/// Problems specific to reindeer.toml (besides unknown keys and wrong types).
#[derive(Debug, Clone)]
pub enum RtIssueKind {
    /// `error = "…"`: a deliberate guard.
    Guard,
    /// Some platforms set `execution-platform`, this one does not.
    ExecutionPlatformMissing { platform: String },
    /// A platform `features` entry contains `/`.
    FeatureSlash { platform: String, feature: String },
    /// `buck.split = true` together with `license_patterns`.
    SplitWithLicensePatterns,
    /// `vendor` is a string other than `"local-registry"`.
    VendorString { value: String },
}

#[derive(Debug, Clone)]
pub struct RtIssue {
    pub kind: RtIssueKind,
    pub span: Range<usize>,
    pub related: Option<Range<usize>>,
}

/// A reindeer.toml file.
pub struct ReindeerDoc<'d> {
    pub doc: &'d Document<String>,
    pub text: &'d str,
    /// Unknown/removed keys and wrong types.
    pub issues: Vec<Issue<'d>>,
    pub rt_issues: Vec<RtIssue>,
    pub platforms: Vec<RtPlatform<'d>>,
}

impl<'d> ReindeerDoc<'d> {
    pub fn analyze(doc: &'d Document<String>) -> ReindeerDoc<'d> {
        let text = doc.raw();
        let root = doc.as_table();
        let mut w = Walker { text, issues: Vec::new() };
        let mut rt_issues = Vec::new();
        for (k, item) in root.iter() {
            if item.is_none() {
                continue;
            }
            let key = root.key(k).expect("key of an iterated entry");
            if k == "error" && item.is_str() {
                rt_issues.push(RtIssue { kind: RtIssueKind::Guard, span: key.span().unwrap_or(0..0), related: None });
                continue;
            }
            rt_check_key(&mut w, k, key, item, root, RT_KEYS, "");
        }
        // platforms
        let mut platforms = Vec::new();
        if let Some((_, pitem)) = root.get_key_value("platform") {
            if let Some(pt) = pitem.as_table_like() {
                for (name, item) in pt.iter() {
                    let Some(t) = item.as_table_like() else { continue };
                    let key_span = pt.key(name).and_then(|k| k.span()).unwrap_or(0..0);
                    let anchor = header_span(item).unwrap_or_else(|| key_span.clone());
                    let target = t.get("target").and_then(|v| Some((v.as_str()?, v.span().unwrap_or(0..0))));
                    platforms.push(RtPlatform {
                        name,
                        key_span,
                        anchor,
                        table: t,
                        target,
                        execution_platform: t.get("execution-platform").and_then(|v| v.as_bool()),
                    });
                }
            }
        }
        let some_exec = platforms.iter().find(|p| p.table.contains_key("execution-platform"));
        if let Some(with) = some_exec {
            for p in platforms.iter().filter(|p| !p.table.contains_key("execution-platform")) {
                rt_issues.push(RtIssue {
                    kind: RtIssueKind::ExecutionPlatformMissing { platform: p.name.to_string() },
                    span: p.anchor.clone(),
                    related: Some(with.anchor.clone()),
                });
            }
        }
        for p in &platforms {
            if let Some(f) = p.table.get("features") {
                for e in strings_of(f) {
                    if e.value.contains('/') {
                        rt_issues.push(RtIssue {
                            kind: RtIssueKind::FeatureSlash {
                                platform: p.name.to_string(),
                                feature: e.value.to_string(),
                            },
                            span: e.span.clone(),
                            related: None,
                        });
                    }
                }
            }
        }
        let split = root
            .get("buck")
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get_key_value("split"))
            .filter(|(_, v)| v.as_bool() == Some(true));
        let license =
            root.get_key_value("license_patterns").filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()));
        if let (Some((sk, _)), Some((lk, _))) = (split, license) {
            rt_issues.push(RtIssue {
                kind: RtIssueKind::SplitWithLicensePatterns,
                span: lk.span().unwrap_or(0..0),
                related: sk.span(),
            });
        }
        if let Some((_, v)) = root.get_key_value("vendor") {
            if let Some(s) = v.as_str() {
                if s != "local-registry" {
                    rt_issues.push(RtIssue {
                        kind: RtIssueKind::VendorString { value: s.to_string() },
                        span: v.span().unwrap_or(0..0),
                        related: None,
                    });
                }
            }
        }
        let mut issues = w.issues;
        issues.sort_by_key(|i| (i.span.start, i.span.end));
        rt_issues.sort_by_key(|i| (i.span.start, i.span.end));
        ReindeerDoc { doc, text, issues, rt_issues, platforms }
    }

    /// A top-level key and its item.
    pub fn get(&self, key: &str) -> Option<(&'d Key, &'d Item)> {
        self.doc.as_table().get_key_value(key).filter(|(_, i)| !i.is_none())
    }
}

pub(crate) fn rt_check_key<'d>(
    w: &mut Walker<'d>,
    k: &'d str,
    key: &'d Key,
    item: &'d Item,
    parent: &'d dyn TableLike,
    specs: &'static [KeySpec],
    path: &str,
) {
    let full = join(path, k);
    if let Some(removed) = RT_REMOVED.iter().find(|r| r.name == full) {
        w.unknown_with(&full, key, item, parent, 0, &[], None, Some(*removed));
        return;
    }
    let Some(spec) = specs.iter().find(|s| s.name == k) else {
        w.unknown_with(&full, key, item, parent, 0, specs, None, None);
        return;
    };
    // Nested tables are walked here so that removed nested keys are recognised.
    let nested: Option<&'static [KeySpec]> = match spec.ty {
        Ty::Table(s) => Some(s),
        Ty::Vendor if item.is_table_like() => Some(RT_VENDOR_KEYS),
        _ => None,
    };
    match (nested, item.as_table_like()) {
        (Some(s), Some(t)) => {
            for (ck, ci) in t.iter() {
                if ci.is_none() {
                    continue;
                }
                let ckey = t.key(ck).expect("key of an iterated entry");
                rt_check_key(w, ck, ckey, ci, t, s, &full);
            }
        }
        _ => w.check_type(&full, k, key, item, parent, spec.ty, 0),
    }
}
