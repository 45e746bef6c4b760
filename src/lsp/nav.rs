//! Navigation over the project model: go to definition, hover and symbols.
//!
//! Requests are answered from a [`Snapshot`]: a project model of one Buck2 root (open
//! buffers as overlays). Definition, hover and document symbols use the model of the last
//! lint when it holds the document (or a narrow one built for the document); workspace
//! symbols need the whole root ([`engine::analyze`] over it), built on the first such request.
//! Models are kept until a document or a watched file of that root changes. What is under the
//! cursor is read from the current buffer text (the snapshot was built from it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{Location, Range};
use serde_json::{Value, json};

use super::convert::{Encoding, parse_uri, path_to_uri};
use crate::engine::{self, RunOptions};
use crate::files::Files;
use crate::model::label::Label;
use crate::model::reindeer::ReindeerProject;
use crate::model::{Project, Target};
use crate::rules::registry;
use crate::source::{FileId, FileKind, LineIndex};

/// The analysed project of one root.
pub struct Snapshot {
    pub files: Files,
    pub project: Project,
}

impl Snapshot {
    pub fn build(root: &Path, overlays: HashMap<PathBuf, String>, settings: &crate::config::Settings) -> Snapshot {
        let opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: vec![root.to_path_buf()],
            stdin: None,
            force_exclude: true,
            overlays,
        };
        let a = engine::analyze(&opts, settings);
        Snapshot { files: a.files, project: a.project }
    }

    /// The model a lint of `doc` reads: the document, the project's configuration and Reindeer
    /// files, and the packages and `.bzl` files it references.
    pub fn build_narrow(
        doc: &Path,
        overlays: HashMap<PathBuf, String>,
        settings: &crate::config::Settings,
    ) -> Snapshot {
        let opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: vec![doc.to_path_buf()],
            stdin: None,
            force_exclude: true,
            overlays,
        };
        let a = engine::analyze(&opts, settings);
        Snapshot { files: a.files, project: a.project }
    }
}

/// The document a request is about.
pub struct Cursor<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub kind: Option<FileKind>,
    /// Byte offset of the position.
    pub offset: usize,
}

/// A file's text and line index (`None`: unreadable).
type Indexed = Option<(std::sync::Arc<str>, LineIndex)>;

/// Positions of files other than the request's document: open buffers first, then the
/// snapshot's texts (read from disk).
pub struct Locator<'a> {
    pub snap: &'a Snapshot,
    pub encoding: Encoding,
    /// Normalised path → (the client's URI, buffer text) of open documents.
    pub open: &'a HashMap<PathBuf, (String, String)>,
    /// Texts and line indexes of the files positions were computed in.
    pub cache: std::cell::RefCell<HashMap<PathBuf, Indexed>>,
}

impl<'a> Locator<'a> {
    fn text(&self, path: &Path) -> Option<std::sync::Arc<str>> {
        if let Some((_, t)) = self.open.get(path) {
            return Some(std::sync::Arc::from(t.as_str()));
        }
        match self.snap.project.file_at(path) {
            Some(id) => self.snap.files.text(id),
            None => std::fs::read_to_string(path).ok().map(std::sync::Arc::from),
        }
    }

    pub fn uri(&self, path: &Path) -> String {
        match self.open.get(path) {
            Some((u, _)) => u.clone(),
            None => path_to_uri(path),
        }
    }

    pub fn new(snap: &'a Snapshot, encoding: Encoding, open: &'a HashMap<PathBuf, (String, String)>) -> Self {
        Locator { snap, encoding, open, cache: Default::default() }
    }

    pub fn range(&self, path: &Path, range: std::ops::Range<usize>) -> Range {
        let mut cache = self.cache.borrow_mut();
        let entry = cache.entry(path.to_path_buf()).or_insert_with(|| {
            self.text(path).map(|t| {
                let idx = LineIndex::new(&t);
                (t, idx)
            })
        });
        match entry {
            Some((t, idx)) => self.encoding.range(t, idx, range),
            None => Range::default(),
        }
    }

    pub fn location(&self, path: &Path, range: std::ops::Range<usize>) -> Option<Location> {
        Some(Location { uri: parse_uri(&self.uri(path))?, range: self.range(path, range) })
    }

    fn file_location(&self, id: FileId, range: std::ops::Range<u32>) -> Option<Location> {
        self.location(self.snap.project.path_of(id), range.start as usize..range.end as usize)
    }

    fn target_location(&self, t: &Target) -> Option<Location> {
        let s = t.name_span();
        self.file_location(t.file, s.start..s.end)
    }
}

// ---------------------------------------------------------------------------------------
// Lexical helpers on the buffer text

/// The string literal (single line, `"…"` or `'…'`) around `offset`: its contents and the
/// byte range of the literal with its quotes.
pub fn string_at(text: &str, offset: usize) -> Option<(String, std::ops::Range<usize>)> {
    let offset = crate::source::clamp_to_char_boundary(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[start..end];
    let mut open: Option<(usize, char)> = None;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match open {
            None if c == '#' => return None,
            None if c == '"' || c == '\'' => open = Some((i, c)),
            None => {}
            Some(_) if c == '\\' => {
                chars.next();
            }
            Some((s, q)) if c == q => {
                let (a, b) = (start + s, start + i + 1);
                if a <= offset && offset <= b {
                    return Some((line[s + 1..i].to_string(), a..b));
                }
                open = None;
            }
            Some(_) => {}
        }
    }
    None
}

/// The label-like text under the cursor: a whole string literal, or, inside a string with
/// Buck macros (`"$(location :x[out_dir])"`), the word of the macro under the cursor. Its
/// text and byte range.
pub fn label_text_at(text: &str, offset: usize) -> Option<(String, std::ops::Range<usize>)> {
    let (s, range) = string_at(text, offset)?;
    if !s.contains("$(") {
        return Some((s, range));
    }
    let body = range.start + 1..range.end - 1;
    let stop = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\'' | ',');
    let at = offset.clamp(body.start, body.end);
    let a = text[body.start..at].rfind(stop).map_or(body.start, |i| body.start + i + 1);
    let mut b = text[at..body.end].find(stop).map_or(body.end, |i| at + i);
    // `:x[out_dir]/path` → `:x[out_dir]`
    if let Some(i) = text[a..b].find(']') {
        b = b.min(a + i + 1);
    }
    (a < b).then(|| (text[a..b].to_string(), a..b))
}

/// The word (`[A-Za-z0-9_-]`) around `offset` and its byte range.
fn word_at(text: &str, offset: usize, extra: &[char]) -> Option<(String, std::ops::Range<usize>)> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || extra.contains(&c);
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let s = text[..offset].char_indices().rev().take_while(|(_, c)| ok(*c)).last().map_or(offset, |(i, _)| i);
    let e = text[offset..].char_indices().find(|(_, c)| !ok(*c)).map_or(text.len(), |(i, _)| offset + i);
    (s < e).then(|| (text[s..e].to_string(), s..e))
}

fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = crate::source::clamp_to_char_boundary(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    (start, &text[start..end])
}

fn contains(r: &std::ops::Range<u32>, offset: usize) -> bool {
    r.start as usize <= offset && offset <= r.end as usize
}

// ---------------------------------------------------------------------------------------
// Model helpers

/// Resolve a label written in `file` (its cell and package).
fn resolve_label(p: &Project, file: &Path, s: &str) -> Option<Label> {
    let (cell, package) = p.cell_package_of(file.parent()?);
    let mut l = Label::parse(s, &cell, &package)?;
    l.cell = p.canonical_cell(&l.cell);
    Some(l)
}

/// Labels in a fixups file are written in the package of the generated BUCK file.
fn fixups_base(p: &Project, file: FileId, path: &Path) -> PathBuf {
    match fixups_owner(p, file) {
        Some((rp, _)) => rp.third_party_dir.join("BUCK"),
        None => path.to_path_buf(),
    }
}

fn reindeer_of_buck(p: &Project, file: FileId) -> Option<&ReindeerProject> {
    p.reindeer.iter().find(|rp| rp.buck_file == Some(file))
}

/// The locked package a generated target (`name-1.2.3`, or an alias to one) stands for.
fn locked_package<'p>(
    p: &'p Project,
    rp: &'p ReindeerProject,
    t: &Target,
) -> Option<&'p crate::model::reindeer::LockedPackage> {
    let name = p.name(t);
    let by_versioned = |n: &str| rp.packages.iter().find(|pk| n == format!("{}-{}", pk.name, pk.version));
    if let Some(pk) = by_versioned(name) {
        return Some(pk);
    }
    if &*t.rule == "alias" {
        let actual = p.attr(t, "actual")?;
        let actual = actual.as_str()?;
        let l = p.resolve_label(t, actual)?;
        return by_versioned(&l.name);
    }
    None
}

/// The generated library targets of a crate (`<crate>-<version>` for each locked version).
fn crate_targets<'p>(p: &'p Project, rp: &ReindeerProject, krate: &str) -> Vec<&'p Target> {
    let Some(buck) = rp.buck_file else { return Vec::new() };
    let names: Vec<String> =
        rp.packages.iter().filter(|pk| pk.name == krate).map(|pk| format!("{}-{}", pk.name, pk.version)).collect();
    p.targets_in(buck).map(|i| &p.targets[i]).filter(|t| names.iter().any(|n| n == p.name(t))).collect()
}

fn fixups_owner(p: &Project, file: FileId) -> Option<(&ReindeerProject, &str)> {
    p.reindeer.iter().find_map(|rp| rp.fixups.iter().find(|(_, id)| *id == file).map(|(d, _)| (rp, d.as_str())))
}

/// Follow a loaded symbol to its `def` or global assignment (through re-exports).
fn symbol_location(l: &Locator, from: FileId, module: &str, sym: &str) -> Option<Location> {
    let p = &l.snap.project;
    let (mut file, mut module, mut sym) = (from, module.to_string(), sym.to_string());
    for _ in 0..8 {
        let target = crate::model::value::ModuleLookup::resolve_load(p, file, &module)?;
        // a `.bzl` that a narrow model only loaded is pruned to what the rules need (or not
        // kept): read the whole file when the symbol is not in the model's copy
        let full;
        let m = match p.module_of(target) {
            Some(m) if m.def(&sym).is_some() || m.global(&sym).is_some() => m,
            _ => {
                let text = l.text(p.path_of(target))?;
                full = crate::model::ir::lower(&crate::parse::starlark::parse("load", &text).ok()?);
                &full
            }
        };
        if let Some(d) = m.def(&sym) {
            return l.file_location(target, d.name_span.clone());
        }
        if let Some(g) = m.global(&sym) {
            return l.file_location(target, g.name_span.clone());
        }
        let (next_module, next_sym) =
            m.loads.iter().find_map(|ld| ld.symbols.iter().find(|s| s.local == sym).map(|s| (&ld.module, &s.their)))?;
        (file, module, sym) = (target, next_module.clone(), next_sym.clone());
    }
    None
}

// ---------------------------------------------------------------------------------------
// Definition

pub fn definition(l: &Locator, c: &Cursor) -> Vec<Location> {
    let p = &l.snap.project;
    let Some(file) = p.file_at(c.path) else { return Vec::new() };
    match c.kind {
        Some(k) if k.is_starlark() => starlark_definition(l, c, file),
        Some(FileKind::Fixups) => {
            // a label in `extra_deps` …, else the crate's library rule
            if let Some((s, _)) = label_text_at(c.text, c.offset)
                && let Some(label) = resolve_label(p, &fixups_base(p, file, c.path), &s)
                && let Some(t) = p.target(&label)
            {
                return l.target_location(&p.targets[t]).into_iter().collect();
            }
            let Some((rp, krate)) = fixups_owner(p, file) else { return Vec::new() };
            crate_targets(p, rp, krate).into_iter().filter_map(|t| l.target_location(t)).collect()
        }
        Some(FileKind::CargoLock) => {
            let (_, line) = line_at(c.text, c.offset);
            let Some(name) = line.trim().strip_prefix("name").map(str::trim_start).and_then(|r| r.strip_prefix('='))
            else {
                return Vec::new();
            };
            let name = name.trim().trim_matches('"');
            let Some(rp) = p.reindeer.iter().find(|rp| rp.lock == Some(file)) else { return Vec::new() };
            if let Some((_, id)) = rp.fixups.iter().find(|(d, _)| d == name) {
                return l.file_location(*id, 0..0).into_iter().collect();
            }
            crate_targets(p, rp, name).into_iter().filter_map(|t| l.target_location(t)).collect()
        }
        _ => Vec::new(),
    }
}

fn starlark_definition(l: &Locator, c: &Cursor, file: FileId) -> Vec<Location> {
    let p = &l.snap.project;
    let Some(m) = p.module_of(file) else { return Vec::new() };
    for ld in &m.loads {
        if contains(&ld.module_span, c.offset) {
            return p
                .load_path(file, &ld.module)
                .filter(|path| path.is_file() || l.open.contains_key(path))
                .and_then(|path| l.location(&path, 0..0))
                .into_iter()
                .collect();
        }
        if let Some(s) = ld.symbols.iter().find(|s| contains(&s.span, c.offset)) {
            return symbol_location(l, file, &ld.module, &s.their).into_iter().collect();
        }
    }
    if string_at(c.text, c.offset).is_some() {
        // a generated crate rule's name → its fixups file
        if let Some(rp) = reindeer_of_buck(p, file)
            && let Some(t) = p.targets_in(file).map(|i| &p.targets[i]).find(|t| {
                let n = t.name_span();
                contains(&(n.start..n.end), c.offset)
            })
            && let Some(pk) = locked_package(p, rp, t)
            && let Some((_, id)) = rp.fixups.iter().find(|(d, _)| *d == pk.name)
        {
            return l.file_location(*id, 0..0).into_iter().collect();
        }
        let Some((s, _)) = label_text_at(c.text, c.offset) else { return Vec::new() };
        let Some(label) = resolve_label(p, c.path, &s) else { return Vec::new() };
        return p.target(&label).and_then(|t| l.target_location(&p.targets[t])).into_iter().collect();
    }
    // an identifier: a loaded symbol, or a def/global of this module
    if let Some((w, _)) = word_at(c.text, c.offset, &[]) {
        if let Some(ld) = m.loads.iter().find(|ld| ld.symbols.iter().any(|s| s.local == w)) {
            let their = ld.symbols.iter().find(|s| s.local == w).map(|s| s.their.clone()).unwrap_or_default();
            return symbol_location(l, file, &ld.module, &their).into_iter().collect();
        }
        if let Some(d) = m.def(&w) {
            return l.file_location(file, d.name_span.clone()).into_iter().collect();
        }
        if let Some(g) = m.global(&w) {
            return l.file_location(file, g.name_span.clone()).into_iter().collect();
        }
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------
// Hover

/// Markdown for what is under the cursor, and the range it describes.
pub fn hover(l: &Locator, c: &Cursor) -> Option<(String, std::ops::Range<usize>)> {
    if let Some(h) = suppression_hover(c) {
        return Some(h);
    }
    let p = &l.snap.project;
    match c.kind {
        Some(k) if k.is_starlark() => {
            let (s, range) = label_text_at(c.text, c.offset)?;
            let label = resolve_label(p, c.path, &s)?;
            let t = p.target(&label)?;
            Some((target_markdown(p, &p.targets[t]), range))
        }
        Some(FileKind::Fixups) => {
            if let Some((s, range)) = label_text_at(c.text, c.offset)
                && let Some(label) = resolve_label(p, &fixups_base(p, p.file_at(c.path)?, c.path), &s)
                && let Some(t) = p.target(&label)
            {
                return Some((target_markdown(p, &p.targets[t]), range));
            }
            fixups_key_hover(c)
        }
        _ => None,
    }
}

fn target_markdown(p: &Project, t: &Target) -> String {
    let label = format!("{}//{}:{}", &*t.cell, &*t.package, p.name(t));
    let mut out = format!("**`{label}`**\n\nrule: `{}`", &*t.rule);
    if let Some(m) = p.via_macro(t) {
        out.push_str(&format!(" (through the macro `{m}`)"));
    }
    out.push_str(&format!("\n\ndeclared in `{}`", p.rel(t.file)));
    if let Some(rp) = reindeer_of_buck(p, t.file) {
        if let Some(pk) = locked_package(p, rp, t) {
            out.push_str(&format!("\n\nthird-party crate `{}` **{}**", pk.name, pk.version));
            if let Some(src) = &pk.source {
                let src = src.split('#').next().unwrap_or(src);
                out.push_str(&format!(" from `{src}`"));
            }
            if let Some((_, id)) = rp.fixups.iter().find(|(d, _)| *d == pk.name) {
                out.push_str(&format!("\n\nfixups: `{}`", p.rel(*id)));
            }
        } else if &*t.rule == "alias"
            && let Some(a) = p.attr(t, "actual").and_then(|v| v.as_str().map(String::from))
        {
            out.push_str(&format!("\n\nalias of `{a}`"));
        }
    }
    out
}

fn suppression_hover(c: &Cursor) -> Option<(String, std::ops::Range<usize>)> {
    let (start, line) = line_at(c.text, c.offset);
    let marker = line.find("buck-lint:")?;
    let comment = line[..marker].rfind('#')?;
    let _ = comment;
    if c.offset < start + marker {
        return None;
    }
    let (w, range) = word_at(c.text, c.offset, &['-'])?;
    let meta = registry::by_id_or_code(&w)?;
    let code = meta.code.map(|c| format!(" ({c})")).unwrap_or_default();
    let text = format!(
        "**{}**{code}: {}\n\n{} · default severity {} · fix: {}{}\n\n[Documentation]({})",
        meta.id,
        meta.summary(),
        meta.category.as_str(),
        meta.severity.as_str(),
        meta.fix.as_str(),
        if meta.default_enabled { "" } else { " · off by default" },
        meta.url()
    );
    Some((text, range))
}

/// What Reindeer does with each fixups key (`reindeer-schema.md` §2).
const FIXUP_KEY_DOCS: &[(&str, &str)] = &[
    (
        "visibility",
        "Restricts the public alias of the crate. Only valid for public (top-level) packages; Reindeer errors otherwise.",
    ),
    ("omit_targets", "Drops targets of the package."),
    ("precise_srcs", "Per-crate override of `precise_srcs`: compute an exact source list instead of globbing."),
    (
        "python_ext",
        "Module name for a cdylib Python extension, emitted as a `python_ext =` argument (the open-source prelude does not accept it).",
    ),
    ("export_sources", "An extra `filegroup` of the crate's sources (`name`, `srcs`, `exclude`, `visibility`)."),
    ("compatible_with", "Emitted as `compatible_with` on the crate's rules."),
    ("target_compatible_with", "Emitted as `target_compatible_with` on the crate's rules."),
    (
        "target_compatible_with_select",
        "Array of tables mapping a constraint to labels; each becomes a `select()` in `target_compatible_with`.",
    ),
    ("resolver", "`resolver.dependencies.<dep>.narrow_to`: narrows an ambiguous dependency requirement."),
    (
        "extra_srcs",
        "Globs (relative to the manifest directory) added to the crate's sources; a glob matching nothing is an error.",
    ),
    ("omit_srcs", "Globs removed from the crate's sources."),
    ("rustc_flags", "Extra flags passed to rustc for the library."),
    (
        "rustc_flags_select",
        "`[[rustc_flags_select]]`: each table (constraint label → flags) becomes its own `select()` of rustc flags.",
    ),
    ("cfgs", "Passed as `--cfg`; unlike raw flags they also feed Reindeer's dependency resolution."),
    ("features", "Cargo features to enable for the crate."),
    ("omit_features", "Cargo features to leave out (does not change dependency resolution)."),
    ("extra_deps", "Buck labels (`//x:y`, `cell//x:y`, `:y`) added to the crate's deps."),
    ("omit_deps", "Dependencies (bare crate names) dropped from the crate's deps."),
    ("cargo_env", "Sets the `CARGO_*` environment variables Cargo would set: `true`, `false`, or a list of names."),
    (
        "overlay",
        "A directory (relative to this fixups directory) mirroring the crate layout; its files add to or replace the crate's sources.",
    ),
    ("link_style", "The link style of the crate's binaries."),
    ("preferred_linkage", "The preferred linkage of the library."),
    ("linker_flags", "Extra linker flags."),
    (
        "env",
        "Environment variables for compiling the library/binary only (not the build script); Buck macros pass through.",
    ),
    (
        "extra_mapped_srcs",
        "Table src → destination path of extra sources; src is a Buck label or a manifest-relative path.",
    ),
    (
        "buildscript",
        "What to do with the crate's build script: `buildscript.run = true` runs it and wires its `OUT_DIR` and flags into the library, `false` skips it; `[buildscript.build]` configures compiling it.",
    ),
    ("cxx_library", "`[[cxx_library]]`: a C/C++ library built from the crate's sources and added to its deps."),
    ("prebuilt_cxx_library", "`[[prebuilt_cxx_library]]`: a prebuilt static library added to the crate's deps."),
    (
        "run",
        "`buildscript.run`: `true` runs the build script (its `OUT_DIR` and `rustc_flags` are wired into the library), `false` does not; a table sets `env`, `rustc_link_lib`, `rustc_link_search`.",
    ),
    (
        "build",
        "`[buildscript.build]`: settings for compiling the build script (`env`, `link_style`, `extra_srcs`, `extra_mapped_srcs`, `extra_deps`, `omit_deps`).",
    ),
    ("rustc_link_lib", "Forward the build script's `cargo:rustc-link-lib` as `-l` (dropped otherwise)."),
    ("rustc_link_search", "Forward the build script's `cargo:rustc-link-search` as `-L` (dropped otherwise)."),
];

fn fixups_key_hover(c: &Cursor) -> Option<(String, std::ops::Range<usize>)> {
    use crate::model::fixups as fx;
    let (start, line) = line_at(c.text, c.offset);
    let (w, range) = word_at(c.text, c.offset, &[])?;
    let t = line.trim_start();
    let indent = line.len() - t.len();
    let in_header = t.starts_with('[') && !t.starts_with("['cfg") && !t.starts_with("[\"cfg");
    let before = &line[indent..range.start - start];
    // a key: at the start of the line (or after a dot of a dotted key), or in a table header
    let is_key = if in_header {
        true
    } else {
        before.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
            && line[range.end - start..].trim_start().starts_with(['=', '.'])
    };
    if !is_key {
        return None;
    }
    let tables: [&[fx::KeySpec]; 5] = [
        fx::FIXUP_KEYS,
        fx::BUILDSCRIPT_KEYS,
        fx::BUILDSCRIPT_BUILD_KEYS,
        fx::BUILDSCRIPT_RUN_KEYS,
        fx::CXX_LIBRARY_KEYS,
    ];
    let spec = tables.iter().flat_map(|t| t.iter()).find(|s| s.name == w);
    if let Some(rm) = fx::FIXUP_REMOVED.iter().find(|r| r.name == w) {
        return Some((format!("**`{}`** {} (buck-lint: `fixup-unknown-key`)", rm.name, rm.what), range));
    }
    let spec = spec?;
    let doc = FIXUP_KEY_DOCS.iter().find(|(k, _)| *k == w).map(|(_, d)| *d).unwrap_or("");
    let mut out = format!("**`{w}`** — {}\n\n{doc}", spec.ty.describe());
    if !spec.platform_ok {
        out.push_str("\n\nOnly at the top level or in version-only `cfg(version = …)` sections.");
    }
    Some((out.trim_end().to_string(), range))
}

// ---------------------------------------------------------------------------------------
// Symbols

/// `DocumentSymbol[]` of a build file (its targets) or a `.bzl` (functions and globals).
pub fn document_symbols(l: &Locator, c: &Cursor) -> Vec<Value> {
    let p = &l.snap.project;
    let Some(file) = p.file_at(c.path) else { return Vec::new() };
    let idx = LineIndex::new(c.text);
    let range = |r: std::ops::Range<u32>| l.encoding.range(c.text, &idx, r.start as usize..r.end as usize);
    let mut out = Vec::new();
    for i in p.targets_in(file) {
        let t = &p.targets[i];
        let name_span = t.name_span();
        out.push(json!({
            "name": p.name(t),
            "detail": &*t.rule,
            "kind": lsp_types::SymbolKind::OBJECT,
            "range": range(p.call_of(t).span()),
            "selectionRange": range(name_span.start..name_span.end),
        }));
    }
    if let Some(m) = p.module_of(file) {
        let mut items: Vec<(u32, Value)> = Vec::new();
        for d in &m.defs {
            // the statement starts at `def`
            let name_at = d.name_span.start as usize;
            let def_at = c.text.get(..name_at).and_then(|b| b.trim_end().strip_suffix("def")).map(str::len);
            let start = def_at.map_or(d.span.start, |s| s as u32);
            let params: Vec<String> = d
                .params
                .iter()
                .map(|p| match p.kind {
                    crate::model::ir::ParamKind::Normal => p.name.clone(),
                    crate::model::ir::ParamKind::Args => format!("*{}", p.name),
                    crate::model::ir::ParamKind::KwArgs => format!("**{}", p.name),
                })
                .collect();
            items.push((
                d.span.start,
                json!({
                    "name": d.name,
                    "detail": format!("def {}({})", d.name, params.join(", ")),
                    "kind": lsp_types::SymbolKind::FUNCTION,
                    "range": range(start..d.span.end),
                    "selectionRange": range(d.name_span.clone()),
                }),
            ));
        }
        for g in &m.globals {
            let constant = g.name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let end = g.value.span.end.max(g.name_span.end);
            items.push((
                g.name_span.start,
                json!({
                    "name": g.name,
                    "kind": if constant { lsp_types::SymbolKind::CONSTANT } else { lsp_types::SymbolKind::VARIABLE },
                    "range": range(g.name_span.start..end),
                    "selectionRange": range(g.name_span.clone()),
                }),
            ));
        }
        items.sort_by_key(|(s, _)| *s);
        out.extend(items.into_iter().map(|(_, v)| v));
    }
    out
}

/// `SymbolInformation[]`: targets whose name (or label) contains the query, case-insensitively.
pub fn workspace_symbols(l: &Locator, query: &str, limit: usize, out: &mut Vec<Value>) {
    let p = &l.snap.project;
    let q = query.to_ascii_lowercase();
    let mut hits: Vec<(usize, String, &Target)> = Vec::new();
    for t in &p.targets {
        let name = p.name(t);
        let label = format!("{}//{}:{}", &*t.cell, &*t.package, name);
        let lname = name.to_ascii_lowercase();
        let rank = if lname == q {
            0
        } else if lname.starts_with(&q) {
            1
        } else if lname.contains(&q) {
            2
        } else if label.to_ascii_lowercase().contains(&q) {
            3
        } else {
            continue;
        };
        hits.push((rank, label, t));
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (_, label, t) in hits {
        if out.len() >= limit {
            break;
        }
        let Some(loc) = l.target_location(t) else { continue };
        out.push(json!({
            "name": p.name(t),
            "kind": lsp_types::SymbolKind::OBJECT,
            "location": loc,
            "containerName": format!("{} ({})", label.rsplit_once(':').map_or(label.as_str(), |x| x.0), &*t.rule),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_words() {
        let t = "deps = [\":a\", \"//b:c\"]  # \"x\"\n";
        let i = t.find("//b").unwrap();
        assert_eq!(string_at(t, i).unwrap().0, "//b:c");
        assert_eq!(string_at(t, t.find(":a").unwrap()).unwrap().0, ":a");
        assert!(string_at(t, t.find('x').unwrap()).is_none());
        assert!(string_at(t, 2).is_none());
        let t = "env = {\"OUT\": \"$(location :a-1.0[out_dir])/x\"}";
        assert_eq!(label_text_at(t, t.find(":a").unwrap() + 2).unwrap().0, ":a-1.0[out_dir]");
        assert_eq!(label_text_at(t, t.find("location").unwrap()).unwrap().0, "location");
        let t = "# buck-lint: disable=proc-macro-inner-target-dep\n";
        assert_eq!(word_at(t, 30, &['-']).unwrap().0, "proc-macro-inner-target-dep");
    }
}
