//! The schema walk that checks every key of a document and collects issues.

use super::*;

pub(crate) struct Walker<'d> {
    pub(crate) text: &'d str,
    pub(crate) issues: Vec<Issue<'d>>,
}

impl<'d> Walker<'d> {
    pub(crate) fn section(
        &mut self,
        kind: SectionKind,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        t: &'d dyn TableLike,
        idx: usize,
    ) -> Section<'d> {
        let mut s = Section {
            kind,
            key: Some(k.to_string()),
            key_span: key.span(),
            key_text_offset: key_text_offset(self.text, key),
            header_span: header_span(item),
            pred: None,
            parse_failed: false,
            table: t,
            item: Some(item),
            legacy_version: None,
        };
        match cfg_expr::parse_section_key(k) {
            Ok(Some(p)) => s.pred = Some(p),
            Ok(None) => {}
            Err(e) => {
                s.parse_failed = true;
                let span = s.map_key_range(&e.span);
                self.issues.push(Issue {
                    kind: IssueKind::CfgParse { section: idx, error: e },
                    path: k.to_string(),
                    key: k.to_string(),
                    span,
                    key_span: key.span(),
                    item: Some(item),
                    parent: None,
                    section: idx,
                });
            }
        }
        if let Some((vk, vi)) = t.get_key_value("version").filter(|(_, i)| !i.is_none()) {
            s.legacy_version = legacy_version(vk, vi);
            if kind == SectionKind::Cfg {
                self.issues.push(Issue {
                    kind: IssueKind::LegacyVersionKey { section: idx },
                    path: format!("['{k}'].version"),
                    key: "version".into(),
                    span: vk.span().unwrap_or(0..0),
                    key_span: vk.span(),
                    item: Some(vi),
                    parent: Some(t),
                    section: idx,
                });
            }
        }
        s
    }

    pub(crate) fn check_section(&mut self, s: &Section<'d>, idx: usize, path: &str) {
        let restricted = s.version_only() == Some(false);
        for (k, item) in s.table.iter() {
            if item.is_none() || k == "version" {
                continue;
            }
            let key = s.table.key(k).expect("key of an iterated entry");
            if k.starts_with("cfg(") {
                self.unknown(
                    &format!("{path}.'{k}'"),
                    key,
                    item,
                    s.table,
                    idx,
                    &[],
                    Some("cfg sections cannot be nested"),
                );
                continue;
            }
            if k == "platform_fixup" {
                self.unknown(
                    &format!("{path}.{k}"),
                    key,
                    item,
                    s.table,
                    idx,
                    &[],
                    Some("`platform_fixup` sections were removed on 2025-06-30 and cannot be nested"),
                );
                continue;
            }
            self.check_key(k, key, item, s.table, FIXUP_KEYS, path, idx, restricted, true);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_key(
        &mut self,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        specs: &'static [KeySpec],
        path: &str,
        section: usize,
        restricted: bool,
        section_root: bool,
    ) {
        let full = join(path, k);
        let Some(spec) = specs.iter().find(|s| s.name == k) else {
            let note = (section_root && path.is_empty() && item.is_table_like() && !k.starts_with("cfg"))
                .then_some("only top-level keys that start with `cfg(` are conditional sections");
            let removed = if section_root { FIXUP_REMOVED.iter().find(|r| r.name == k).copied() } else { None };
            self.unknown_with(&full, key, item, parent, section, specs, note, removed);
            return;
        };
        if restricted && !spec.platform_ok {
            self.issues.push(Issue {
                kind: IssueKind::Restricted { section },
                path: full.clone(),
                key: k.to_string(),
                span: key.span().unwrap_or(0..0),
                key_span: key.span(),
                item: Some(item),
                parent: Some(parent),
                section,
            });
        }
        if section_root
            && k == "rustc_flags_select"
            && matches!(item, Item::Table(_) | Item::Value(Value::InlineTable(_)))
        {
            self.unknown_with(&full, key, item, parent, section, &[], None, Some(RUSTC_FLAGS_SELECT_TABLE));
            return;
        }
        if section_root && k == "visibility" && item.is_table_like() {
            self.unknown_with(&full, key, item, parent, section, &[], None, Some(VISIBILITY_MAP));
            return;
        }
        if section_root && k == "cargo_env" {
            if let Some(a) = item.as_array() {
                for v in a.iter() {
                    if let Some(name) = v.as_str() {
                        if !CARGO_ENV_NAMES.contains(&name) {
                            let message = format!(
                                "`{name}` is not a variable `cargo_env` can set{}",
                                crate::text::did_you_mean(name, CARGO_ENV_NAMES.iter().copied())
                            );
                            self.issues.push(Issue {
                                kind: IssueKind::BadValue { message },
                                path: full.clone(),
                                key: k.to_string(),
                                span: v.span().unwrap_or(0..0),
                                key_span: key.span(),
                                item: Some(item),
                                parent: Some(parent),
                                section,
                            });
                        }
                    }
                }
            }
        }
        self.check_type(&full, k, key, item, parent, spec.ty, section);
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_type(
        &mut self,
        full: &str,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        ty: Ty,
        section: usize,
    ) {
        let ok = match ty {
            Ty::Bool => item.as_bool().is_some(),
            Ty::Str => item.as_str().is_some(),
            Ty::StrArray => is_str_array(item),
            Ty::BoolOrStrArray => item.as_bool().is_some() || is_str_array(item),
            Ty::Array => item.as_array().is_some(),
            Ty::StrMap => return self.check_map(full, key, item, parent, &Ty::Str, section, ty),
            Ty::StrArrayOrStrMap => {
                if is_str_array(item) {
                    true
                } else {
                    return self.check_map(full, key, item, parent, &Ty::Str, section, ty);
                }
            }
            Ty::MapOf(inner) => return self.check_map(full, key, item, parent, inner, section, ty),
            Ty::Table(specs) => match item.as_table_like() {
                Some(t) => {
                    self.check_table(t, specs, full, section);
                    true
                }
                None => false,
            },
            Ty::BoolOrTable(specs) => match item.as_table_like() {
                Some(t) => {
                    self.check_table(t, specs, full, section);
                    true
                }
                None => item.as_bool().is_some(),
            },
            Ty::ArrayOfTables(specs) => {
                let tables = tables_of(item);
                match tables {
                    Some(ts) => {
                        for (t, span) in ts {
                            for s in specs.iter().filter(|s| s.required) {
                                if !t.contains_key(s.name) {
                                    self.issues.push(Issue {
                                        kind: IssueKind::MissingKey { key: s.name },
                                        path: full.to_string(),
                                        key: k.to_string(),
                                        span: span.clone().or_else(|| key.span()).unwrap_or(0..0),
                                        key_span: key.span(),
                                        item: Some(item),
                                        parent: Some(parent),
                                        section,
                                    });
                                }
                            }
                            self.check_table(t, specs, full, section);
                        }
                        true
                    }
                    None => false,
                }
            }
            Ty::SelectArray => match tables_of(item) {
                Some(ts) => {
                    for (t, _) in ts {
                        for (ck, cv) in t.iter() {
                            if cv.is_none() || is_str_array(cv) {
                                continue;
                            }
                            let ckey = t.key(ck).expect("key of an iterated entry");
                            self.wrong_type(
                                &format!("{full}.{}", quote_key(ck)),
                                ckey,
                                cv,
                                "an array of strings",
                                t,
                                section,
                            );
                        }
                    }
                    true
                }
                None => false,
            },
            Ty::Buildscript => return self.check_buildscript(full, k, key, item, parent, section),
            Ty::Vendor => match item {
                Item::Value(Value::Boolean(_)) | Item::Value(Value::String(_)) => true,
                _ => match item.as_table_like() {
                    Some(t) => {
                        self.check_table(t, RT_VENDOR_KEYS, full, section);
                        true
                    }
                    None => false,
                },
            },
            Ty::Platforms => match item.as_table_like() {
                Some(t) => {
                    for (pk, pv) in t.iter() {
                        if pv.is_none() {
                            continue;
                        }
                        let pkey = t.key(pk).expect("key of an iterated entry");
                        match pv.as_table_like() {
                            Some(pt) => self.check_platform(&format!("{full}.{}", quote_key(pk)), pt, section),
                            None => {
                                self.wrong_type(&format!("{full}.{}", quote_key(pk)), pkey, pv, "a table", t, section)
                            }
                        }
                    }
                    true
                }
                None => false,
            },
        };
        if !ok {
            self.wrong_type(full, key, item, ty.describe(), parent, section);
        }
    }

    pub(crate) fn check_platform(&mut self, path: &str, t: &'d dyn TableLike, section: usize) {
        for (k, v) in t.iter() {
            if v.is_none() {
                continue;
            }
            let key = t.key(k).expect("key of an iterated entry");
            let expected = match k {
                "target" => Ty::Str,
                "execution-platform" => Ty::Bool,
                _ => Ty::StrArray,
            };
            let ok = match expected {
                Ty::Str => v.as_str().is_some(),
                Ty::Bool => v.as_bool().is_some(),
                _ => is_str_array(v),
            };
            if !ok {
                self.wrong_type(&format!("{path}.{}", quote_key(k)), key, v, expected.describe(), t, section);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_map(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        inner: &Ty,
        section: usize,
        outer: Ty,
    ) {
        let Some(t) = item.as_table_like() else {
            self.wrong_type(full, key, item, outer.describe(), parent, section);
            return;
        };
        for (ck, cv) in t.iter() {
            if cv.is_none() {
                continue;
            }
            let ckey = t.key(ck).expect("key of an iterated entry");
            self.check_type(&format!("{full}.{}", quote_key(ck)), ck, ckey, cv, t, *inner, section);
        }
    }

    pub(crate) fn check_table(&mut self, t: &'d dyn TableLike, specs: &'static [KeySpec], path: &str, section: usize) {
        for (k, item) in t.iter() {
            if item.is_none() {
                continue;
            }
            let key = t.key(k).expect("key of an iterated entry");
            self.check_key(k, key, item, t, specs, path, section, false, false);
        }
    }

    pub(crate) fn check_buildscript(
        &mut self,
        full: &str,
        k: &'d str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
    ) {
        let legacy = |w: &mut Self, lb: LegacyBuildscript<'d>, span: Range<usize>| {
            w.issues.push(Issue {
                kind: IssueKind::LegacyBuildscript(lb),
                path: full.to_string(),
                key: k.to_string(),
                span,
                key_span: key.span(),
                item: Some(item),
                parent: Some(parent),
                section,
            });
        };
        match item {
            Item::Value(Value::Array(a)) => {
                let span = key.span().unwrap_or(0..0);
                legacy(self, LegacyBuildscript::Array { empty: a.is_empty() }, span);
            }
            Item::ArrayOfTables(a) => {
                let count = a.len();
                for (index, t) in a.iter().enumerate() {
                    let span = t.span().or_else(|| key.span()).unwrap_or(0..0);
                    legacy(self, LegacyBuildscript::Element { index, count, table: t }, span);
                }
            }
            _ => match item.as_table_like() {
                Some(t) => {
                    for (sk, sub) in t.iter() {
                        if sub.is_none() {
                            continue;
                        }
                        let skey = t.key(sk).expect("key of an iterated entry");
                        if LEGACY_BUILDSCRIPT_KEYS.contains(&sk) {
                            let span = match sub {
                                Item::ArrayOfTables(a) => a.iter().next().and_then(|t| t.span()),
                                _ => header_span(sub),
                            }
                            .or_else(|| skey.span())
                            .unwrap_or(0..0);
                            self.issues.push(Issue {
                                kind: IssueKind::LegacyBuildscript(LegacyBuildscript::SubKey { name: sk, item: sub }),
                                path: format!("{full}.{sk}"),
                                key: sk.to_string(),
                                span,
                                key_span: skey.span(),
                                item: Some(sub),
                                parent: Some(t),
                                section,
                            });
                            continue;
                        }
                        self.check_key(sk, skey, sub, t, BUILDSCRIPT_KEYS, full, section, false, false);
                    }
                }
                None => self.wrong_type(full, key, item, "a table (`buildscript.run = true/false`)", parent, section),
            },
        }
    }

    pub(crate) fn wrong_type(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        expected: &'static str,
        parent: &'d dyn TableLike,
        section: usize,
    ) {
        self.issues.push(Issue {
            kind: IssueKind::WrongType { expected, found: describe_item(item) },
            path: full.to_string(),
            key: key.get().to_string(),
            span: key.span().unwrap_or(0..0),
            key_span: key.span(),
            item: Some(item),
            parent: Some(parent),
            section,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn unknown(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
        specs: &'static [KeySpec],
        note: Option<&'static str>,
    ) {
        self.unknown_with(full, key, item, parent, section, specs, note, None);
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn unknown_with(
        &mut self,
        full: &str,
        key: &'d Key,
        item: &'d Item,
        parent: &'d dyn TableLike,
        section: usize,
        specs: &'static [KeySpec],
        note: Option<&'static str>,
        removed: Option<Removed>,
    ) {
        let name = key.get();
        let (suggestion, mut rename) = if removed.is_some() { (None, None) } else { closest(name, specs) };
        if let Some(r) = removed.and_then(|r| r.rename) {
            rename = Some(r);
        }
        // never rename onto a key that is already there
        if rename.is_some_and(|r| parent.contains_key(r)) {
            rename = None;
        }
        self.issues.push(Issue {
            kind: IssueKind::UnknownKey { suggestion, rename, removed, note },
            path: full.to_string(),
            key: name.to_string(),
            span: key.span().unwrap_or(0..0),
            key_span: key.span(),
            item: Some(item),
            parent: Some(parent),
            section,
        });
    }
}

/// The closest schema key (did-you-mean), and the same key when it is within edit distance 2
/// (a rename candidate).
pub fn closest(name: &str, specs: &[KeySpec]) -> (Option<&'static str>, Option<&'static str>) {
    match crate::text::closest(name, specs.iter().map(|s| s.name)) {
        Some((d, c)) => (Some(c), (d <= 2).then_some(c)),
        None => (None, None),
    }
}

pub(crate) fn is_str_array(item: &Item) -> bool {
    item.as_array().is_some_and(|a| a.iter().all(|v| v.is_str()))
}

/// The tables of an array of tables, or of an array of inline tables, with their headers.
/// A table of an array of tables, with its header span.
pub(crate) type TableWithSpan<'a> = (&'a dyn TableLike, Option<Range<usize>>);

pub(crate) fn tables_of(item: &Item) -> Option<Vec<TableWithSpan<'_>>> {
    match item {
        Item::ArrayOfTables(a) => Some(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect()),
        Item::Value(Value::Array(a)) => {
            a.iter().map(|v| v.as_inline_table().map(|t| (t as &dyn TableLike, v.span()))).collect()
        }
        _ => None,
    }
}

pub(crate) fn join(path: &str, k: &str) -> String {
    if path.is_empty() { quote_key(k) } else { format!("{path}.{}", quote_key(k)) }
}
