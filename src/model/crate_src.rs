//! Facts read from a crate's own sources, where this machine has them (vendored by Reindeer,
//! or unpacked in Cargo's registry: see `rules::fixups::vendored_dir`): which `env!("KEY")` /
//! `option_env!("KEY")` uses a crate makes, and whether each sits inside `include!`,
//! `include_str!` or `include_bytes!` (the file's *contents* are compiled in, not its path).
//! The sources are tokenised with `proc-macro2` (Rust's own lexical rules), not matched with
//! regular expressions, so strings, comments and raw strings cannot fool it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{TokenStream, TokenTree};

/// One `env!`/`option_env!` use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvUse {
    pub key: String,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// Byte range of `env!("KEY")` as written in `file`.
    pub range: std::ops::Range<usize>,
    /// `range` in the run's file table, once the crate-source phase registered `file` (see
    /// `model::crate_scan`).
    pub span: Option<crate::source::Span>,
    /// Inside `include!`, `include_str!` or `include_bytes!`.
    pub in_include: bool,
    /// Features that an enclosing item's `#[cfg(feature = "…")]` requires (all of them).
    pub features: Vec<String>,
    /// `option_env!` (an unset variable is `None`), not `env!` (an unset variable fails to
    /// compile).
    pub optional: bool,
    /// Compiled only under a `cfg` that is not just features (`test`, a target, `not(…)`):
    /// whether a library build compiles it is unknown.
    pub gated: bool,
}

/// Sources of a package version on this machine, if present: Reindeer's vendored copy
/// (`<third_party_dir>/vendor/<name>-<version>`), else Cargo's unpacked registry sources
/// (`$CARGO_HOME/registry/src/<index>/<name>-<version>`, what any `cargo build` or `cargo
/// fetch` leaves behind); for a git package, Cargo's checkout of the locked revision
/// (`$CARGO_HOME/git/checkouts/<repo>-<hash>/<rev>/…`); for a path package, the directory a
/// `path = "…"` dependency of the Reindeer manifest names. Never the network.
pub fn vendored_dir(
    rp: &crate::model::reindeer::ReindeerProject,
    name: &str,
    version: &semver::Version,
) -> Option<std::path::PathBuf> {
    let leaf = format!("{name}-{version}");
    let dir = rp.third_party_dir.join("vendor").join(&leaf);
    if dir.is_dir() {
        return Some(dir);
    }
    if let Some(d) = registry_dirs("src").iter().map(|d| d.join(&leaf)).find(|d| d.is_dir()) {
        return Some(d);
    }
    let pkg = rp.packages.iter().find(|p| p.name == name && p.version == *version)?;
    match pkg.source.as_deref() {
        Some(s) if s.starts_with("git+") => git_checkout(s, name, version),
        Some(s) if s.starts_with("registry+") || s.starts_with("sparse+") => unpacked_archive(&leaf),
        Some(_) => None,
        None => path_dependency(&rp.manifest_path, name, version),
    }
}

/// At most this many bytes are unpacked from one `.crate` archive.
const MAX_ARCHIVE_BYTES: u64 = 256 << 20;

/// A registry package whose unpacked sources Cargo no longer keeps (its cache cleaning removes
/// `registry/src` long before `registry/cache`): its `.crate` archive from
/// `$CARGO_HOME/registry/cache/<index>/`, unpacked once under the system's temporary directory
/// (`buck-lint-crates-<user>/<name>-<version>/`, as Cargo unpacks into `registry/src`).
/// Only regular files below `<name>-<version>/` are written, at most [`MAX_ARCHIVE_BYTES`].
fn unpacked_archive(leaf: &str) -> Option<PathBuf> {
    let archive = registry_dirs("cache").iter().map(|d| d.join(format!("{leaf}.crate"))).find(|p| p.is_file())?;
    let user = std::env::var("USER").unwrap_or_default();
    let base = std::env::temp_dir().join(format!("buck-lint-crates-{user}"));
    let dest = base.join(leaf);
    if dest.join(".buck-lint-ok").is_file() {
        return Some(dest.join(leaf));
    }
    std::fs::create_dir_all(&base).ok()?;
    let tmp = tempfile::tempdir_in(&base).ok()?;
    let file = std::fs::File::open(&archive).ok()?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut total = 0u64;
    for entry in tar.entries().ok()? {
        let mut entry = entry.ok()?;
        let inside = entry.path().ok().is_some_and(|p| {
            p.starts_with(leaf) && p.components().all(|c| matches!(c, std::path::Component::Normal(_)))
        });
        if !inside || !entry.header().entry_type().is_file() {
            continue;
        }
        total += entry.size();
        if total > MAX_ARCHIVE_BYTES {
            return None;
        }
        // `unpack_in` refuses paths that leave the directory
        if !entry.unpack_in(tmp.path()).ok()? {
            return None;
        }
    }
    std::fs::write(tmp.path().join(".buck-lint-ok"), "").ok()?;
    // another run may have finished first: then its copy is used
    let kept = tmp.keep();
    if std::fs::rename(&kept, &dest).is_err() {
        let _ = std::fs::remove_dir_all(&kept);
    }
    dest.join(".buck-lint-ok").is_file().then(|| dest.join(leaf))
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// `$CARGO_HOME/git/checkouts/*/<short rev>/`, searched for the package's manifest.
fn git_checkout(source: &str, name: &str, version: &semver::Version) -> Option<PathBuf> {
    let rev = source.rsplit_once('#')?.1;
    let short = rev.get(..7).unwrap_or(rev);
    if short.is_empty() || !short.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let checkouts = cargo_home()?.join("git").join("checkouts");
    let mut repos: Vec<PathBuf> = std::fs::read_dir(checkouts).ok()?.flatten().map(|e| e.path()).collect();
    repos.sort();
    repos.iter().map(|r| r.join(short)).filter(|d| d.is_dir()).find_map(|d| find_package(&d, name, version, 3))
}

/// The directory at or below `dir` (at most `depth` levels; not `target/` or hidden
/// directories) whose Cargo.toml declares `name` at `version` (or inherits its version from
/// a workspace).
fn find_package(dir: &Path, name: &str, version: &semver::Version, depth: usize) -> Option<PathBuf> {
    if let Some(m) =
        std::fs::read_to_string(dir.join("Cargo.toml")).ok().and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
    {
        let p = m.get("package");
        let v = p.and_then(|p| p.get("version"));
        let version_ok = match v.and_then(|v| v.as_str()) {
            Some(s) => semver::Version::parse(s).is_ok_and(|s| s == *version),
            None => v.is_some(),
        };
        if p.and_then(|p| p.get("name")).and_then(|n| n.as_str()) == Some(name) && version_ok {
            return Some(dir.to_path_buf());
        }
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            !n.starts_with('.') && n != "target"
        })
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs.iter().find_map(|d| find_package(d, name, version, depth - 1))
}

/// A `path = "…"` dependency (or patch) of the Reindeer manifest that is the package.
fn path_dependency(manifest: &Path, name: &str, version: &semver::Version) -> Option<PathBuf> {
    type Cache = std::sync::Mutex<std::collections::HashMap<PathBuf, Vec<PathBuf>>>;
    static PATHS: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let paths = {
        let mut cache = PATHS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        cache.entry(manifest.to_path_buf()).or_insert_with(|| manifest_paths(manifest)).clone()
    };
    paths.iter().find_map(|d| find_package(d, name, version, 0))
}

/// Every `path` of a dependency table of a manifest (`[dependencies]`, `[build-dependencies]`,
/// `[dev-dependencies]`, `[target.*.…]`, `[patch.*]`), resolved against its directory.
fn manifest_paths(manifest: &Path) -> Vec<PathBuf> {
    let Some(doc) = std::fs::read_to_string(manifest).ok().and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
    else {
        return Vec::new();
    };
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let mut tables: Vec<&dyn toml_edit::TableLike> = Vec::new();
    for key in ["dependencies", "build-dependencies", "dev-dependencies"] {
        tables.extend(doc.get(key).and_then(|t| t.as_table_like()));
    }
    for outer in ["target", "patch"] {
        for (_, t) in doc.get(outer).and_then(|t| t.as_table_like()).into_iter().flat_map(|t| t.iter()) {
            let Some(t) = t.as_table_like() else { continue };
            if outer == "patch" {
                tables.push(t);
            } else {
                for key in ["dependencies", "build-dependencies", "dev-dependencies"] {
                    tables.extend(t.get(key).and_then(|t| t.as_table_like()));
                }
            }
        }
    }
    for t in tables {
        for (_, dep) in t.iter() {
            if let Some(p) = dep.as_table_like().and_then(|d| d.get("path")).and_then(|p| p.as_str()) {
                out.push(crate::discover::normalize(&base.join(p)));
            }
        }
    }
    out
}

/// The index directories of `$CARGO_HOME/registry/<kind>` (`src`: unpacked crates, `cache`:
/// `.crate` archives), listed once per run.
fn registry_dirs(kind: &str) -> &'static [std::path::PathBuf] {
    static SRC: std::sync::OnceLock<Vec<std::path::PathBuf>> = std::sync::OnceLock::new();
    static CACHE: std::sync::OnceLock<Vec<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cell = if kind == "src" { &SRC } else { &CACHE };
    cell.get_or_init(|| {
        let Some(dir) = cargo_home().map(|h| h.join("registry").join(kind)) else { return Vec::new() };
        let mut dirs: Vec<_> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
            .unwrap_or_default();
        dirs.sort();
        dirs
    })
}

/// How many `.rs` files a scan reads at most (a crate is far smaller; this bounds hostile trees).
const MAX_FILES: usize = 5_000;

/// Every `env!`/`option_env!` use in the crate's library: `src/lib.rs` and the module files
/// it declares (`mod x;` → `x.rs` or `x/mod.rs`), with the `cfg` gates of the declarations
/// carried down (a module behind `#[cfg(feature = "f")]` needs `f`). `None` when the crate has
/// no `src/lib.rs`, or a file cannot be read or tokenised: the facts are then unknown.
pub fn env_uses(crate_dir: &Path) -> Option<Vec<EnvUse>> {
    env_uses_from(crate_dir, &crate_dir.join("src/lib.rs"))
}

/// [`env_uses`] of a library whose root file is `lib` (a `[lib] path` other than
/// `src/lib.rs`).
pub fn env_uses_from(crate_dir: &Path, lib: &Path) -> Option<Vec<EnvUse>> {
    read_uses(crate_dir, lib, &mut 0, None)
}

/// [`env_uses`], and how many bytes of source it read. A crate none of whose `.rs` files
/// contains `env!` (most crates) is known to have no uses after a plain text search, without
/// tokenising anything.
pub fn env_uses_counted(crate_dir: &Path) -> (Option<Vec<EnvUse>>, u64) {
    let lib = crate_dir.join("src/lib.rs");
    if !lib.is_file() {
        return (None, 0);
    }
    let mut bytes = 0;
    let mut files = 0;
    let mut found = Vec::new();
    // library modules live beside the root file (`src/`), not in tests/, benches/ or examples/
    // one buffer for every file (a fresh allocation per file costs more in page faults than
    // the search itself)
    let mut buf = Vec::new();
    let complete = mentions_env(lib.parent().unwrap_or(crate_dir), &mut bytes, &mut files, &mut found, &mut buf);
    if complete && found.is_empty() {
        return (Some(Vec::new()), bytes);
    }
    let mut read = 0;
    let uses = read_uses(crate_dir, &lib, &mut read, complete.then_some(found.as_slice()));
    (uses, bytes.max(read))
}

/// Collect the `.rs` files below `dir` that contain `env!` (not in `target/` or hidden
/// directories). False when the list may be incomplete: a file could not be read, a link, or
/// more than [`MAX_FILES`] files.
fn mentions_env(dir: &Path, bytes: &mut u64, files: &mut usize, found: &mut Vec<PathBuf>, buf: &mut Vec<u8>) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { return false };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ft.is_dir() {
            if !name.starts_with('.') && name != "target" && !mentions_env(&e.path(), bytes, files, found, buf) {
                return false;
            }
        } else if name.ends_with(".rs") {
            *files += 1;
            if *files > MAX_FILES {
                return false;
            }
            buf.clear();
            let read = std::fs::File::open(e.path()).and_then(|mut f| std::io::Read::read_to_end(&mut f, buf));
            if read.is_err() {
                return false;
            }
            *bytes += buf.len() as u64;
            if has_env_macro(buf) {
                found.push(e.path());
            }
        } else if ft.is_symlink() {
            // a linked file or directory: read everything the slow way
            return false;
        }
    }
    true
}

/// The uses reachable from `lib` through `mod` declarations. With `env_files` (every file of
/// the crate that contains `env!`), a module file is tokenised only when it contains `env!`
/// itself or one of those files lies in the directory of its submodules.
fn read_uses(crate_dir: &Path, lib: &Path, bytes: &mut u64, env_files: Option<&[PathBuf]>) -> Option<Vec<EnvUse>> {
    let lib = lib.to_path_buf();
    if !lib.is_file() {
        return None;
    }
    let mut queue: Vec<(PathBuf, Gate)> = vec![(lib.clone(), Gate::default())];
    let mut out = Vec::new();
    let mut seen = 0usize;
    while let Some((file, gate)) = queue.pop() {
        seen += 1;
        if seen > MAX_FILES {
            return None;
        }
        let text = std::fs::read_to_string(&file).ok()?;
        *bytes += text.len() as u64;
        // `mod x;` of lib.rs / mod.rs is `x.rs` beside it; of `a.rs`, `a/x.rs`
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let base = match stem.as_str() {
            _ if file == lib => file.parent().unwrap_or(crate_dir).to_path_buf(),
            "lib" | "mod" | "main" => file.parent().unwrap_or(crate_dir).to_path_buf(),
            _ => file.with_extension(""),
        };
        // neither a use nor a `mod` declaration, or no use below: nothing to tokenise
        let has_env = has_env_macro(text.as_bytes());
        if !has_env && (!declares_mod(&text) || env_files.is_some_and(|f| !f.iter().any(|p| p.starts_with(&base)))) {
            continue;
        }
        let tokens = TokenStream::from_str(&text).ok()?;
        let lines = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let mut cx = Walk { file: &file, text: &text, lines, out: &mut out, mods: Vec::new() };
        cx.walk(tokens, false, &gate);
        for (name, g) in cx.mods {
            let flat = base.join(format!("{name}.rs"));
            let nested = base.join(&name).join("mod.rs");
            if flat.is_file() {
                queue.push((flat, g));
            } else if nested.is_file() {
                queue.push((nested, g));
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Some(out)
}

/// What encloses a place: the features its `cfg`s require, and whether some `cfg` is more
/// than features.
#[derive(Debug, Clone, Default)]
struct Gate {
    features: Vec<String>,
    gated: bool,
    /// `cfg(test)` (or `all(test, …)`): compiled only into the crate's own unit tests, never
    /// into the library other crates build against.
    test: bool,
}

/// [`env_uses`], computed once per directory and run (several rules ask about the same
/// crate).
pub fn env_uses_cached(crate_dir: &Path) -> Option<std::sync::Arc<Vec<EnvUse>>> {
    type Cache = std::sync::Mutex<std::collections::HashMap<PathBuf, Option<std::sync::Arc<Vec<EnvUse>>>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(crate_dir) {
        return hit.clone();
    }
    let uses = env_uses(crate_dir).map(std::sync::Arc::new);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(crate_dir.to_path_buf(), uses.clone());
    uses
}

/// Whether `text` may call `env!`/`option_env!`: `env`, optional white space, `!`.
fn has_env_macro(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, b"env").any(|i| {
        let after = &text[i + 3..];
        let skip = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
        after.get(skip) == Some(&b'!')
    })
}

/// Whether `text` may declare a module: `mod` followed by white space somewhere.
fn declares_mod(text: &str) -> bool {
    text.match_indices("mod").any(|(i, _)| text.as_bytes().get(i + 3).is_some_and(|b| b.is_ascii_whitespace()))
}

/// `#[test]`, `#[bench]`, or a test harness's `#[….::test]` (`#[tokio::test]`).
fn is_test_attr(attr: &proc_macro2::Group) -> bool {
    let toks: Vec<TokenTree> = attr.stream().into_iter().collect();
    match toks.last() {
        Some(TokenTree::Ident(id)) => {
            (id == "test" || id == "bench")
                && toks[..toks.len() - 1].iter().all(|t| matches!(t, TokenTree::Ident(_) | TokenTree::Punct(_)))
        }
        _ => false,
    }
}

/// The features a `cfg(…)` attribute requires, or `None` when it is not a `cfg`; `gated`
/// when it tests anything but features (or negates one).
fn cfg_gate(attr: &proc_macro2::Group) -> Option<Gate> {
    let toks: Vec<TokenTree> = attr.stream().into_iter().collect();
    let Some(TokenTree::Ident(cfg)) = toks.first() else { return None };
    if cfg != "cfg" {
        return None;
    }
    let Some(TokenTree::Group(body)) = toks.get(1) else { return None };
    let mut gate = Gate::default();
    fn scan(ts: TokenStream, gate: &mut Gate) {
        let v: Vec<TokenTree> = ts.into_iter().collect();
        let mut i = 0;
        while i < v.len() {
            match &v[i] {
                TokenTree::Ident(id) if id == "feature" => match (v.get(i + 1), v.get(i + 2)) {
                    (Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(l))) if eq.as_char() == '=' => {
                        gate.features.push(l.to_string().trim_matches('"').to_string());
                        i += 3;
                        continue;
                    }
                    _ => gate.gated = true,
                },
                TokenTree::Ident(id) if id == "all" => {
                    if let Some(TokenTree::Group(g)) = v.get(i + 1) {
                        scan(g.stream(), gate);
                        i += 2;
                        continue;
                    }
                }
                TokenTree::Punct(p) if p.as_char() == ',' => {}
                TokenTree::Ident(id) if id == "test" => gate.test = true,
                // `any`, `not`, `unix`, `target_os = …`, …
                _ => gate.gated = true,
            }
            i += 1;
        }
    }
    scan(body.stream(), &mut gate);
    Some(gate)
}

struct Walk<'a> {
    file: &'a Path,
    text: &'a str,
    /// Byte offset of each line's start.
    lines: Vec<usize>,
    out: &'a mut Vec<EnvUse>,
    /// `mod name;` declarations, with the gate of their attributes.
    mods: Vec<(String, Gate)>,
}

impl Walk<'_> {
    /// The byte offset of a proc-macro2 position (1-based line, 0-based column in characters).
    fn offset(&self, at: proc_macro2::LineColumn) -> usize {
        let start = self.lines.get(at.line.saturating_sub(1)).copied().unwrap_or(self.text.len());
        self.text[start..].char_indices().nth(at.column).map_or(self.text.len(), |(i, _)| start + i)
    }

    fn walk(&mut self, tokens: TokenStream, in_include: bool, gate: &Gate) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        // the `cfg` of attributes before the item that follows them
        let mut pending = Gate::default();
        let mut i = 0;
        while i < trees.len() {
            let mut here = gate.clone();
            here.features.extend(pending.features.iter().cloned());
            here.gated |= pending.gated;
            here.test |= pending.test;
            // `# [ … ]` (or `#![ … ]`, which gates the whole enclosing item or file)
            if let TokenTree::Punct(hash) = &trees[i] {
                if hash.as_char() == '#' {
                    let inner = matches!(trees.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
                    let at = if inner { i + 2 } else { i + 1 };
                    if let Some(TokenTree::Group(g)) = trees.get(at) {
                        if g.delimiter() == proc_macro2::Delimiter::Bracket {
                            if let Some(c) = cfg_gate(g) {
                                pending.features.extend(c.features);
                                pending.gated |= c.gated;
                                pending.test |= c.test;
                            } else if is_test_attr(g) {
                                // `#[test]` functions exist only in the crate's test build
                                pending.test = true;
                            }
                            i = at + 1;
                            continue;
                        }
                    }
                }
            }
            // `mod name ;`
            if let (TokenTree::Ident(kw), Some(TokenTree::Ident(name)), Some(TokenTree::Punct(semi))) =
                (&trees[i], trees.get(i + 1), trees.get(i + 2))
            {
                if kw == "mod" && semi.as_char() == ';' {
                    // a `#[cfg(test)] mod tests;` file is not part of the library
                    if !here.test {
                        self.mods.push((name.to_string().trim_start_matches("r#").to_string(), here));
                    }
                    pending = Gate::default();
                    i += 3;
                    continue;
                }
            }
            // `macro_rules! name { … }`: its body expands in the crates that call it
            if let (TokenTree::Ident(kw), Some(TokenTree::Punct(bang)), Some(TokenTree::Ident(_))) =
                (&trees[i], trees.get(i + 1), trees.get(i + 2))
            {
                if kw == "macro_rules" && bang.as_char() == '!' {
                    i += 3 + usize::from(matches!(trees.get(i + 3), Some(TokenTree::Group(_))));
                    pending = Gate::default();
                    continue;
                }
            }
            // `name ! ( … )`
            if let (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
                (&trees[i], trees.get(i + 1), trees.get(i + 2))
            {
                if bang.as_char() == '!' {
                    let name = name.to_string();
                    match name.as_str() {
                        // uses in the crate's unit tests are not compiled into the library
                        "env" | "option_env" if here.test => {}
                        "env" | "option_env" => {
                            if let Some(TokenTree::Literal(lit)) = g.stream().into_iter().next() {
                                let s = lit.to_string();
                                if let Some(key) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                                    let range = self.offset(trees[i].span().start())..self.offset(g.span().end());
                                    self.out.push(EnvUse {
                                        key: key.to_string(),
                                        file: self.file.to_path_buf(),
                                        line: lit.span().start().line,
                                        range,
                                        span: None,
                                        in_include,
                                        features: here.features.clone(),
                                        optional: name == "option_env",
                                        gated: here.gated,
                                    });
                                }
                            }
                        }
                        "include" | "include_str" | "include_bytes" => self.walk(g.stream(), true, &here),
                        _ => self.walk(g.stream(), in_include, &here),
                    }
                    i += 3;
                    continue;
                }
            }
            match &trees[i] {
                TokenTree::Group(g) => {
                    self.walk(g.stream(), in_include, &here);
                    // a braced body ends the item the attributes were on
                    if g.delimiter() == proc_macro2::Delimiter::Brace {
                        pending = Gate::default();
                    }
                }
                TokenTree::Punct(p) if p.as_char() == ';' => pending = Gate::default(),
                _ => {}
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_inside_and_outside_include() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/gen")).unwrap();
        std::fs::write(
            d.path().join("src/lib.rs"),
            r##"
// env!("IN_A_COMMENT") is not a use
const S: &str = "env!(\"IN_A_STRING\")";
include!(concat!(env!("OUT_DIR"), "/table.rs"));
pub const TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/text.txt"));
pub fn path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("OUT_DIR"))
}
#[cfg(feature = "resolve-config")]
pub fn config_path() -> std::path::PathBuf {
    let mut p = std::path::PathBuf::from(env!("OUT_DIR"));
    p.push("config.txt");
    p
}
pub const AFTER: &str = env!("CARGO_PKG_NAME");
#[cfg(feature = "schemas")]
mod schemas;
mod gen;
#[cfg(test)]
mod tests {
    const T: &str = env!("CARGO_MANIFEST_DIR");
}
#[test]
fn not_in_the_library() { let _ = env!("CARGO_MANIFEST_DIR"); }
#[tokio::test]
async fn nor_this() { let _ = env!("OUT_DIR"); }
#[macro_export]
macro_rules! expands_elsewhere { () => { env!("CARGO_MANIFEST_DIR") }; }
pub const LAST: &str = env!("CARGO_PKG_VERSION");
"##,
        )
        .unwrap();
        std::fs::write(
            d.path().join("src/gen/mod.rs"),
            "pub const V: Option<&str> = option_env!(\"MY_VAR\");\npub const W: &str = env ! (\"SPACED\");\n",
        )
        .unwrap();
        std::fs::write(d.path().join("src/schemas.rs"), "pub const S: &str = env!(\"SCHEMA_DIR\");\n").unwrap();
        std::fs::write(d.path().join("src/unused.rs"), "pub const U: &str = env!(\"NOT_A_MODULE\");\n").unwrap();
        std::fs::write(d.path().join("build.rs"), "fn main() { let _ = env!(\"CARGO\"); }\n").unwrap();
        let uses = env_uses(d.path()).unwrap();
        // the phase's prefiltered reading finds the same uses
        assert_eq!(env_uses_counted(d.path()).0.as_ref(), Some(&uses));
        // the byte range is the macro call as written
        let text = std::fs::read_to_string(d.path().join("src/lib.rs")).unwrap();
        let at =
            |line: usize| uses.iter().find(|u| u.line == line && u.file.ends_with("lib.rs")).unwrap().range.clone();
        assert_eq!(&text[at(7)], "env!(\"OUT_DIR\")");
        assert_eq!(&text[at(4)], "env!(\"OUT_DIR\")");
        // the `#[cfg(test)] mod tests` use (line 21) is not part of the library
        let got: Vec<(&str, usize, bool, Vec<String>, bool)> =
            uses.iter().map(|u| (u.key.as_str(), u.line, u.in_include, u.features.clone(), u.gated)).collect();
        let none = Vec::<String>::new;
        let rc = || vec!["resolve-config".to_string()];
        assert_eq!(
            got,
            [
                ("MY_VAR", 1, false, none(), false),
                ("SPACED", 2, false, none(), false),
                ("OUT_DIR", 4, true, none(), false),
                ("OUT_DIR", 5, true, none(), false),
                ("OUT_DIR", 7, false, none(), false),
                ("OUT_DIR", 11, false, rc(), false),
                ("CARGO_PKG_NAME", 15, false, none(), false),
                ("CARGO_PKG_VERSION", 29, false, none(), false),
                ("SCHEMA_DIR", 1, false, vec!["schemas".to_string()], false),
            ]
        );
    }
}
