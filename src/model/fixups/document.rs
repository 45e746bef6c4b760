//! The parsed fixups document: its sections, build scripts, environment entries and spans.

use super::*;

// ---------------------------------------------------------------------------------------------
// Fixups document
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// The file's top level.
    Top,
    /// `['cfg(…)']`.
    Cfg,
    /// `[platform_fixup.'cfg(…)']` (legacy).
    LegacyPlatform,
}

/// A `version = "…"` key inside a section (legacy).
#[derive(Debug, Clone)]
pub struct LegacyVersion {
    pub raw: String,
    pub req: Option<VersionReq>,
    pub key_span: Range<usize>,
    pub value_span: Range<usize>,
}

/// One section of a fixups file.
pub struct Section<'d> {
    pub kind: SectionKind,
    /// The section key as written (`cfg(…)`); `None` for the top level.
    pub key: Option<String>,
    /// Span of the key token (quotes included).
    pub key_span: Option<Range<usize>>,
    /// File offset of the key's first character when the key maps 1:1 into the file (literal
    /// or escape-free basic strings).
    pub key_text_offset: Option<usize>,
    /// The explicit `[…]` header, if the section has one.
    pub header_span: Option<Range<usize>>,
    /// The parsed predicate (`None` for the top level, a parse error, or a non-`cfg(` key).
    pub pred: Option<CfgNode>,
    pub parse_failed: bool,
    pub table: &'d dyn TableLike,
    pub item: Option<&'d Item>,
    pub legacy_version: Option<LegacyVersion>,
}

impl<'d> Section<'d> {
    /// Where findings about the section sit: its header, or its key.
    pub fn anchor(&self) -> Range<usize> {
        self.header_span.clone().or_else(|| self.key_span.clone()).unwrap_or(0..0)
    }

    /// Map a byte range of the key string into the file.
    pub fn map_key_range(&self, r: &Range<usize>) -> Range<usize> {
        match (self.key_text_offset, &self.key_span) {
            (Some(o), _) => o + r.start..o + r.end,
            (None, Some(s)) => s.clone(),
            (None, None) => 0..0,
        }
    }

    /// Does the predicate use only `version` atoms? `None` when unknown (parse error or a
    /// non-cfg legacy key). The top level counts as version-only.
    pub fn version_only(&self) -> Option<bool> {
        match self.kind {
            SectionKind::Top => Some(true),
            _ => self.pred.as_ref().map(|p| p.uses_only_version()),
        }
    }

    /// Display form of the section for messages: `['cfg(unix)']`, `the top level`.
    pub fn display(&self) -> String {
        match (&self.kind, &self.key) {
            (SectionKind::Top, _) | (_, None) => "the top level".into(),
            (SectionKind::Cfg, Some(k)) => format!("['{k}']"),
            (SectionKind::LegacyPlatform, Some(k)) => format!("[platform_fixup.'{k}']"),
        }
    }

    /// Three-valued: does the section apply to this package version? Platform atoms are
    /// unknown; a legacy `version` key is taken into account.
    pub fn applies_to_version(&self, v: &Version) -> Tri {
        let pred = match (&self.kind, &self.pred) {
            (SectionKind::Top, _) => Tri::True,
            (_, Some(p)) => p.eval_version(v),
            (_, None) => Tri::Unknown,
        };
        pred.and(self.legacy_version_tri(v))
    }

    fn legacy_version_tri(&self, v: &Version) -> Tri {
        match &self.legacy_version {
            Some(LegacyVersion { req: Some(r), .. }) => Tri::from_bool(r.matches(v)),
            Some(_) => Tri::Unknown,
            None => Tri::True,
        }
    }

    /// Does the section apply on a platform (and optionally a version)?
    pub fn applies_on(&self, platform: &dyn PlatformCfg, v: Option<&Version>) -> Tri {
        let pred = match (&self.kind, &self.pred) {
            (SectionKind::Top, _) => Tri::True,
            (_, Some(p)) => p.eval(platform, v),
            (_, None) => Tri::Unknown,
        };
        match v {
            Some(v) => pred.and(self.legacy_version_tri(v)),
            None if self.legacy_version.is_some() => pred.and(Tri::Unknown),
            None => pred,
        }
    }

    /// The section has version atoms or a legacy `version` key.
    pub fn has_version_condition(&self) -> bool {
        self.legacy_version.is_some() || self.pred.as_ref().is_some_and(|p| p.has_version())
    }

    /// `(key, item)` of a key of this section.
    pub fn get(&self, key: &str) -> Option<(&'d Key, &'d Item)> {
        self.table.get_key_value(key).filter(|(_, i)| !i.is_none())
    }

    /// The build-script settings of this section.
    pub fn buildscript(&self) -> Option<Buildscript<'d>> {
        let (key, item) = self.get("buildscript")?;
        Some(Buildscript::new(key, item))
    }

    /// String entries of an array key (`rustc_flags`, `features`, …) with their spans.
    pub fn strings(&self, key: &str) -> Vec<StrEntry<'d>> {
        self.get(key).map(|(_, i)| strings_of(i)).unwrap_or_default()
    }

    /// `[buildscript.build]` string entries of an array key (`extra_deps`, `omit_deps`).
    pub fn build_strings(&self, key: &str) -> Vec<StrEntry<'d>> {
        self.table
            .get("buildscript")
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get("build"))
            .and_then(|b| b.as_table_like())
            .and_then(|b| b.get(key))
            .map(strings_of)
            .unwrap_or_default()
    }

    /// Every env table of the section: `env`, `buildscript.run.env`, `buildscript.build.env`.
    pub fn env_tables(&self) -> Vec<(EnvKind, &'d dyn TableLike)> {
        let mut out = Vec::new();
        if let Some(t) = self.table.get("env").and_then(|e| e.as_table_like()) {
            out.push((EnvKind::Library, t));
        }
        if let Some(b) = self.table.get("buildscript").and_then(|b| b.as_table_like()) {
            for (sub, kind) in [("run", EnvKind::Run), ("build", EnvKind::Build)] {
                if let Some(t) = b
                    .get(sub)
                    .and_then(|r| r.as_table_like())
                    .and_then(|r| r.get("env"))
                    .and_then(|e| e.as_table_like())
                {
                    out.push((kind, t));
                }
            }
        }
        out
    }

    /// Env entries of legacy `[[buildscript]]` elements (`[buildscript.gen_srcs]` and
    /// `[buildscript.rustc_flags]` with `env`/`path_env`), with the table they sit in
    /// (`buildscript.gen_srcs.env`).
    pub fn legacy_env_entries(&self) -> Vec<(String, EnvEntry<'d>)> {
        let mut out = Vec::new();
        let elements: Vec<&'d dyn TableLike> = match self.table.get("buildscript") {
            Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
            Some(Item::Value(Value::Array(a))) => {
                a.iter().filter_map(|v| v.as_inline_table()).map(|t| t as &dyn TableLike).collect()
            }
            _ => Vec::new(),
        };
        for el in elements {
            for sub in ["gen_srcs", "rustc_flags"] {
                let Some(t) = el.get(sub).and_then(|x| x.as_table_like()) else { continue };
                for key in ["env", "path_env"] {
                    if let Some(env) = t.get(key).and_then(|e| e.as_table_like()) {
                        out.extend(env_entries(env).into_iter().map(|e| (format!("buildscript.{sub}.{key}"), e)));
                    }
                }
            }
        }
        out
    }

    /// Every string env entry of the section.
    pub fn env_entries(&self) -> Vec<(EnvKind, EnvEntry<'d>)> {
        let mut out = Vec::new();
        for (kind, t) in self.env_tables() {
            for e in env_entries(t) {
                out.push((kind, e));
            }
        }
        out
    }

    /// A non-empty `[[cxx_library]]`, `[[prebuilt_cxx_library]]` or `extra_deps` in this
    /// section: something that may stand in for a native library.
    /// Does something in this section provide the native library that a build script's link
    /// lines would: a `[[cxx_library]]`, a `[[prebuilt_cxx_library]]`, `extra_deps`, or link
    /// flags in `rustc_flags` (`-lz`, `-l dylib=z`, `-L native=…`, `-Clink-arg=-lz`)?
    pub fn has_native_standin(&self) -> bool {
        ["cxx_library", "prebuilt_cxx_library", "extra_deps"].iter().any(|key| match self.get(key) {
            Some((_, Item::ArrayOfTables(a))) => !a.is_empty(),
            Some((_, Item::Value(Value::Array(a)))) => !a.is_empty(),
            Some((_, i)) => i.is_table_like(),
            None => false,
        }) || self.strings("rustc_flags").iter().any(|f| is_link_flag(f.value))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvKind {
    /// `env`: compiling the library.
    Library,
    /// `buildscript.run.env`: running the build script.
    Run,
    /// `buildscript.build.env`: compiling the build script.
    Build,
}

impl EnvKind {
    pub fn table_name(self) -> &'static str {
        match self {
            EnvKind::Library => "env",
            EnvKind::Run => "buildscript.run.env",
            EnvKind::Build => "buildscript.build.env",
        }
    }
}

/// A string in an array, with its literal's span.
#[derive(Debug, Clone)]
pub struct StrEntry<'d> {
    pub value: &'d str,
    pub span: Range<usize>,
}

/// `KEY = "value"` in an env table.
#[derive(Debug, Clone)]
pub struct EnvEntry<'d> {
    pub key: &'d str,
    pub key_span: Range<usize>,
    pub value: &'d str,
    pub value_span: Range<usize>,
}

/// A rustc flag that links a native library or adds a search path.
pub fn is_link_flag(f: &str) -> bool {
    let f = f.trim();
    f.starts_with("-l")
        || f.starts_with("-L")
        || f.starts_with("-Clink-arg")
        || f.starts_with("-C link-arg")
        || f.starts_with("-Clink-args")
        || f.starts_with("--library")
}

pub fn strings_of(item: &Item) -> Vec<StrEntry<'_>> {
    let Some(a) = item.as_array() else { return Vec::new() };
    a.iter().filter_map(|v| Some(StrEntry { value: v.as_str()?, span: v.span().unwrap_or(0..0) })).collect()
}

pub fn env_entries(t: &dyn TableLike) -> Vec<EnvEntry<'_>> {
    t.iter()
        .filter_map(|(k, v)| {
            let value = v.as_str()?;
            Some(EnvEntry {
                key: k,
                key_span: t.key(k).and_then(|k| k.span()).unwrap_or(0..0),
                value,
                value_span: v.span().unwrap_or(0..0),
            })
        })
        .collect()
}

/// What a section says about running the build script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run it (`true`) or not (`false`).
    Run(bool),
    /// An explicit placeholder (`unresolved = '…'`, `[buildscript.build]` templates).
    Undecided,
}

/// The `buildscript` key of a section.
#[derive(Debug, Clone)]
pub struct Buildscript<'d> {
    pub key_span: Range<usize>,
    pub item: &'d Item,
    /// `buildscript.run`: its key span and item.
    pub run: Option<(Range<usize>, &'d Item)>,
    pub legacy: bool,
}

impl<'d> Buildscript<'d> {
    fn new(key: &'d Key, item: &'d Item) -> Self {
        let key_span = key.span().unwrap_or(0..0);
        let legacy = !item.is_table_like();
        let run = item
            .as_table_like()
            .and_then(|t| t.get_key_value("run"))
            .filter(|(_, i)| !i.is_none())
            .map(|(k, i)| (k.span().unwrap_or(0..0), i));
        Buildscript { key_span, item, run, legacy }
    }

    /// The decision this key makes, if any.
    pub fn decision(&self) -> Option<Decision> {
        match self.item {
            Item::Value(Value::Array(a)) if a.is_empty() => Some(Decision::Run(false)),
            Item::Value(Value::Array(a)) => {
                legacy_decision(a.iter().filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike)))
            }
            Item::ArrayOfTables(a) => legacy_decision(a.iter().map(|t| t as &dyn TableLike)),
            Item::Value(Value::InlineTable(_)) | Item::Table(_) => match self.run {
                Some((_, Item::Value(Value::Boolean(b)))) => Some(Decision::Run(*b.value())),
                Some((_, i)) if i.is_table_like() => Some(Decision::Run(true)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The `run` value when it is a literal boolean: `(value, key span, value span)`.
    pub fn run_bool(&self) -> Option<(bool, Range<usize>, Range<usize>)> {
        let (ks, item) = self.run.clone()?;
        let b = item.as_bool()?;
        Some((b, ks, item.span().unwrap_or(0..0)))
    }

    /// The `run` table, when `run` is a table.
    pub fn run_table(&self) -> Option<&'d dyn TableLike> {
        self.run.as_ref().and_then(|(_, i)| i.as_table_like())
    }

    /// Where a finding about `buildscript.run` sits: `buildscript.run` of a dotted key, the
    /// `run` key, or the `buildscript` key.
    pub fn run_anchor(&self) -> Range<usize> {
        match &self.run {
            Some((rk, _)) if self.key_span.start < rk.start && self.key_span.end <= rk.start => {
                self.key_span.start..rk.end
            }
            Some((rk, _)) => rk.clone(),
            None => self.key_span.clone(),
        }
    }

    /// `rustc_link_lib` or `rustc_link_search` is set to true.
    pub fn forwards_link_lines(&self) -> bool {
        self.run_table().is_some_and(|t| {
            ["rustc_link_lib", "rustc_link_search"].iter().any(|k| t.get(k).and_then(|v| v.as_bool()) == Some(true))
        })
    }
}

pub(crate) fn legacy_decision<'a>(elements: impl Iterator<Item = &'a dyn TableLike>) -> Option<Decision> {
    let mut decided = None;
    for t in elements {
        if t.contains_key("unresolved") {
            return Some(Decision::Undecided);
        }
        if t.contains_key("rustc_flags") || t.contains_key("gen_srcs") {
            decided = Some(Decision::Run(true));
        } else if decided.is_none() && (t.contains_key("cxx_library") || t.contains_key("prebuilt_cxx_library")) {
            decided = Some(Decision::Run(false));
        }
    }
    Some(decided.unwrap_or(Decision::Undecided))
}

/// A fixups file: its sections and its schema issues.
pub struct FixupsDoc<'d> {
    pub doc: &'d Document<String>,
    pub text: &'d str,
    /// `sections[0]` is the top level.
    pub sections: Vec<Section<'d>>,
    pub issues: Vec<Issue<'d>>,
}

impl<'d> FixupsDoc<'d> {
    pub fn analyze(doc: &'d Document<String>) -> FixupsDoc<'d> {
        let text = doc.raw();
        let root = doc.as_table();
        let mut w = Walker { text, issues: Vec::new() };
        let mut sections = vec![Section {
            kind: SectionKind::Top,
            key: None,
            key_span: None,
            key_text_offset: None,
            header_span: None,
            pred: None,
            parse_failed: false,
            table: root,
            item: None,
            legacy_version: None,
        }];
        for (k, item) in root.iter() {
            if item.is_none() {
                continue;
            }
            let key = root.key(k).expect("key of an iterated entry");
            if k.starts_with("cfg(") {
                let Some(t) = item.as_table_like() else {
                    w.wrong_type(&format!("['{k}']"), key, item, "a table (a `['cfg(…)']` section)", root, 0);
                    continue;
                };
                let idx = sections.len();
                sections.push(w.section(SectionKind::Cfg, k, key, item, t, idx));
                w.check_section(&sections[idx], idx, &format!("['{k}']"));
            } else if k == "platform_fixup" {
                let Some(pf) = item.as_table_like() else {
                    w.wrong_type(k, key, item, "a table", root, 0);
                    continue;
                };
                let mut any = false;
                for (sk, sub) in pf.iter() {
                    if sub.is_none() {
                        continue;
                    }
                    let skey = pf.key(sk).expect("key of an iterated entry");
                    let Some(st) = sub.as_table_like() else {
                        w.unknown(&format!("platform_fixup.{sk}"), skey, sub, pf, 0, &[], None);
                        continue;
                    };
                    any = true;
                    let idx = sections.len();
                    sections.push(w.section(SectionKind::LegacyPlatform, sk, skey, sub, st, idx));
                    let s = &sections[idx];
                    w.issues.push(Issue {
                        kind: IssueKind::LegacyPlatformSection { section: idx },
                        path: format!("platform_fixup.'{sk}'"),
                        key: sk.to_string(),
                        span: s.anchor(),
                        key_span: skey.span(),
                        item: Some(sub),
                        parent: Some(pf),
                        section: idx,
                    });
                    w.check_section(&sections[idx], idx, &format!("[platform_fixup.'{sk}']"));
                }
                if !any {
                    w.issues.push(Issue {
                        kind: IssueKind::LegacyPlatformEmpty,
                        path: k.to_string(),
                        key: k.to_string(),
                        span: header_span(item).or_else(|| key.span()).unwrap_or(0..0),
                        key_span: key.span(),
                        item: Some(item),
                        parent: Some(root),
                        section: 0,
                    });
                }
            } else if k == "version" {
                let lv = legacy_version(key, item);
                w.issues.push(Issue {
                    kind: IssueKind::LegacyVersionKey { section: 0 },
                    path: k.to_string(),
                    key: k.to_string(),
                    span: key.span().unwrap_or(0..0),
                    key_span: key.span(),
                    item: Some(item),
                    parent: Some(root),
                    section: 0,
                });
                sections[0].legacy_version = lv;
            } else {
                w.check_key(k, key, item, root, FIXUP_KEYS, "", 0, false, true);
            }
        }
        // The top-level table of a dotted/inline document has no header.
        let mut issues = w.issues;
        issues.sort_by_key(|i| (i.span.start, i.span.end));
        FixupsDoc { doc, text, sections, issues }
    }

    /// Sections that may apply to a version (not definitely false).
    pub fn sections_for(&self, v: &Version) -> impl Iterator<Item = &Section<'d>> {
        self.sections.iter().filter(move |s| !s.applies_to_version(v).is_false())
    }

    /// Something stands in for a native library anywhere in the file.
    pub fn has_native_standin(&self) -> bool {
        self.sections.iter().any(|s| s.has_native_standin())
    }

    /// Byte offsets of every explicit table header (sorted).
    pub fn header_starts(&self) -> Vec<usize> {
        header_starts(self.doc)
    }
}

/// The explicit header span of a table item.
pub fn header_span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Table(t) if !t.is_implicit() && !t.is_dotted() => t.span(),
        _ => None,
    }
}

pub(crate) fn legacy_version(key: &Key, item: &Item) -> Option<LegacyVersion> {
    let raw = item.as_str()?;
    Some(LegacyVersion {
        raw: raw.to_string(),
        req: VersionReq::parse(raw.trim()).ok(),
        key_span: key.span().unwrap_or(0..0),
        value_span: item.span().unwrap_or(0..0),
    })
}

/// File offset of a key's first character when the key token maps 1:1 to its value.
pub fn key_text_offset(text: &str, key: &Key) -> Option<usize> {
    let span = key.span()?;
    let raw = text.get(span.clone())?;
    if raw.starts_with('\'') {
        return Some(span.start + 1);
    }
    if raw.starts_with('"') {
        return (raw.len() >= 2 && &raw[1..raw.len() - 1] == key.get()).then_some(span.start + 1);
    }
    (raw == key.get()).then_some(span.start)
}
