//! Discovery: find the project root, walk it in parallel (honouring `.gitignore`, `.ignore`,
//! hidden files, `.buckconfig [project] ignore` and `--exclude`), classify files by name,
//! and mark which files were asked for (reported) versus loaded as context for cross-file rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::parse::buckconfig;
use crate::source::FileKind;

mod walk;
pub use walk::{PrewalkProject, Prewalked, prewalk};

pub const DEFAULT_BUILD_FILES: [&str; 4] = ["BUCK", "BUCK.v2", "TARGETS", "TARGETS.v2"];

/// Names of files that are hidden but still read.
const HIDDEN_ALLOWED: [&str; 4] = [".buckconfig", ".buckconfig.local", ".buckconfig.d", ".buck-lint.toml"];

/// What the root `.buckconfig` tells discovery.
#[derive(Debug, Clone, Default)]
pub struct RootConfig {
    pub build_file_names: Vec<String>,
    pub project_ignore: Vec<String>,
}

/// The outermost directory containing a `.buckconfig`, searching upward from `start`.
pub fn find_project_root(start: &Path) -> Option<PathBuf> {
    RootFinder::default().find(start)
}

/// [`find_project_root`] for many paths: remembers which directories hold a `.buckconfig` and
/// each root's `[project] ignore` (many paths share their ancestors).
#[derive(Default)]
pub struct RootFinder {
    // keyed by the bytes (normalised paths): hashing a `Path` goes component by component
    has_config: rustc_hash::FxHashMap<std::ffi::OsString, bool>,
    ignore: rustc_hash::FxHashMap<PathBuf, Patterns>,
}

impl RootFinder {
    pub fn find(&mut self, start: &Path) -> Option<PathBuf> {
        self.find_from(if start.is_dir() { Some(start) } else { start.parent() })
    }

    /// [`find`](Self::find) for a path known to be a file.
    pub fn find_for_file(&mut self, file: &Path) -> Option<PathBuf> {
        self.find_from(file.parent())
    }

    fn find_from(&mut self, mut dir: Option<&Path>) -> Option<PathBuf> {
        let mut configs = Vec::new();
        while let Some(d) = dir {
            let has = match self.has_config.get(d.as_os_str()) {
                Some(&has) => has,
                None => {
                    let has = d.join(".buckconfig").is_file();
                    self.has_config.insert(d.as_os_str().to_owned(), has);
                    has
                }
            };
            if has {
                configs.push(d.to_path_buf());
            }
            dir = d.parent();
        }
        // The outermost `.buckconfig`, unless `start` lies in a directory its `[project] ignore`
        // excludes: such a directory is a project of its own (a vendored or nested
        // repository), so the next `.buckconfig` inward is the root.
        let mut root = configs.pop()?;
        while let Some(inner) = configs.pop() {
            let ignore =
                self.ignore.entry(root.clone()).or_insert_with(|| build_patterns(&root_config(&root).project_ignore));
            let rel = rel_str(&inner, &root);
            if !(ignore.is_match(&rel) || ignore.is_match(&format!("{rel}/x"))) {
                break;
            }
            root = inner;
        }
        Some(root)
    }
}

/// Read `[buildfile]` names and `[project] ignore` from the root's configuration files
/// ([`config_layers_with_local`]).
pub fn root_config(root: &Path) -> RootConfig {
    root_config_with(root, &|p| std::fs::read_to_string(p).ok())
}

/// The configuration files of a cell root that the repository holds, in the order Buck2
/// layers them (later files win): every file below `.buckconfig.d/` (recursively, by name;
/// Buck2 reads that directory first), then `.buckconfig`. The machine's `.buckconfig.local`
/// comes on top (see [`config_layers_with_local`]). Paths may not exist.
pub fn config_layers(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<(PathBuf, bool)> = rd
            .flatten()
            .filter_map(|e| {
                // follows symbolic links, as Buck2's reader does; a loop ends at the depth bound
                let m = std::fs::metadata(e.path()).ok()?;
                (m.is_dir() || m.is_file()).then(|| (e.path(), m.is_dir()))
            })
            .collect();
        entries.sort();
        for (p, is_dir) in entries {
            if !is_dir {
                out.push(p);
            } else if depth < 8 {
                walk(&p, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join(".buckconfig.d"), 0, &mut out);
    out.push(dir.join(".buckconfig"));
    out
}

/// [`config_layers`] plus `.buckconfig.local`: everything Buck2 reads on this machine.
pub fn config_layers_with_local(dir: &Path) -> Vec<PathBuf> {
    with_local(dir, config_layers(dir))
}

/// `layers` of `dir` ([`config_layers`]) followed by its `.buckconfig.local`.
pub(crate) fn with_local(dir: &Path, mut layers: Vec<PathBuf>) -> Vec<PathBuf> {
    layers.push(dir.join(".buckconfig.local"));
    layers
}

/// The configuration files of one run over many projects, looked at once: each root's
/// layers ([`config_layers`], a listing of its `.buckconfig.d/`) and each file's text. On
/// facebook/buck2's 302 projects every root's `.buckconfig.d/` was listed four times and
/// its `.buckconfig` read twice before the projects' own files were (the project split,
/// the shared walk, the file selection and the model each asked again).
#[derive(Debug, Default)]
pub struct ConfigMemo {
    layers: Mutex<rustc_hash::FxHashMap<PathBuf, std::sync::Arc<[PathBuf]>>>,
    texts: Mutex<rustc_hash::FxHashMap<PathBuf, Option<std::sync::Arc<str>>>>,
}

impl ConfigMemo {
    /// [`config_layers`] of `dir`.
    pub fn layers(&self, dir: &Path) -> std::sync::Arc<[PathBuf]> {
        if let Some(l) = self.layers.lock().unwrap_or_else(|e| e.into_inner()).get(dir) {
            return l.clone();
        }
        let l: std::sync::Arc<[PathBuf]> = config_layers(dir).into();
        self.layers.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.to_path_buf(), l.clone());
        l
    }

    /// [`config_layers_with_local`] of `dir`.
    pub fn layers_with_local(&self, dir: &Path) -> Vec<PathBuf> {
        with_local(dir, self.layers(dir).to_vec())
    }

    /// The text `read` gives for `path` (`None`: there is none), read once.
    pub fn text(&self, path: &Path, read: impl FnOnce(&Path) -> Option<String>) -> Option<std::sync::Arc<str>> {
        if let Some(t) = self.texts.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            return t.clone();
        }
        let t: Option<std::sync::Arc<str>> = read(path).map(Into::into);
        self.texts.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf(), t.clone());
        t
    }
}

/// [`root_config`], reading the files through `read` (which may return unsaved texts).
pub fn root_config_with(root: &Path, read: &dyn Fn(&Path) -> Option<String>) -> RootConfig {
    root_config_of(&config_layers_with_local(root), &|p| read(p).map(Into::into))
}

/// [`root_config`] from the layers of the root ([`config_layers_with_local`]) and their
/// texts.
pub fn root_config_of(layers: &[PathBuf], read: &dyn Fn(&Path) -> Option<std::sync::Arc<str>>) -> RootConfig {
    let mut rc = RootConfig::default();
    let mut name: Option<Vec<String>> = None;
    let mut name_v2: Option<Vec<String>> = None;
    for path in layers {
        let Some(text) = read(path) else { continue };
        let cfg = buckconfig::parse(&text);
        if let Some(e) = cfg.get("buildfile", "name") {
            name = Some(buckconfig::split_list(e, &text).into_iter().map(|(s, _)| s).collect());
        }
        if let Some(e) = cfg.get("buildfile", "name_v2") {
            name_v2 = Some(buckconfig::split_list(e, &text).into_iter().map(|(s, _)| s).collect());
        }
        if let Some(e) = cfg.get("project", "ignore") {
            rc.project_ignore = buckconfig::split_list(e, &text).into_iter().map(|(s, _)| s).collect();
        }
    }
    rc.build_file_names = match (name_v2, name) {
        (Some(v2), _) => v2,
        (None, Some(names)) => names.iter().flat_map(|n| [format!("{n}.v2"), n.clone()]).collect(),
        (None, None) => DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect(),
    };
    rc
}

/// Classify a file by its name (and parent directory for `.buckconfig.d`).
pub fn classify(path: &Path, build_names: &[String]) -> Option<FileKind> {
    // The walk asks this of every file of the repository, most of them sources: the name is
    // cut from the path's bytes where the path's last byte ends it, instead of parsing
    // the path's components (twice, for the parent) as `file_name()` does.
    #[cfg(unix)]
    {
        let bytes = path.as_os_str().as_encoded_bytes();
        let cut = bytes.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
        let (dir, name) = bytes.split_at(cut);
        if !matches!(name, b"" | b"." | b"..") {
            let name = std::str::from_utf8(name).ok()?;
            if let Some(kind) = classify_name(name, build_names) {
                return Some(kind);
            }
            const D: &[u8] = b".buckconfig.d/";
            if dir == D || dir.ends_with(b"/.buckconfig.d/") {
                return Some(FileKind::BuckConfig);
            }
            // only a path with `.` or doubled separators around that directory is left to
            // the component parser
            memchr::memmem::find(dir, &D[..D.len() - 1])?;
        }
    }
    classify_by_components(path, build_names)
}

/// [`classify`] through the path's components: the reference for its byte cut.
fn classify_by_components(path: &Path, build_names: &[String]) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if let Some(kind) = classify_name(name, build_names) {
        return Some(kind);
    }
    if path.parent().and_then(|p| p.file_name()).is_some_and(|p| p == ".buckconfig.d") {
        return Some(FileKind::BuckConfig);
    }
    None
}

/// The kind a file name alone gives.
fn classify_name(name: &str, build_names: &[String]) -> Option<FileKind> {
    if build_names.iter().any(|n| n == name) {
        return Some(FileKind::Build);
    }
    match name {
        "PACKAGE" | "BUCK_TREE" => Some(FileKind::Package),
        ".buckconfig" | ".buckconfig.local" => Some(FileKind::BuckConfig),
        "reindeer.toml" => Some(FileKind::ReindeerToml),
        "fixups.toml" => Some(FileKind::Fixups),
        "Cargo.lock" => Some(FileKind::CargoLock),
        "Cargo.toml" => Some(FileKind::CargoToml),
        _ if name.ends_with(".bzl") || name.ends_with(".bxl") => Some(FileKind::Bzl),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    pub kind: FileKind,
    pub reported: bool,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub root: Option<PathBuf>,
    pub root_config: RootConfig,
    pub files: Vec<Found>,
    /// Paths that could not be read (permission denied, symlink loops, vanished), with the error.
    pub errors: Vec<(PathBuf, String)>,
    /// Files skipped with a warning (dangling or looping symbolic links), with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// The project root was not walked: only its own directory was listed
    /// ([`DiscoverOptions::targeted`]).
    pub targeted: bool,
}

pub struct DiscoverOptions<'a> {
    pub paths: &'a [PathBuf],
    pub exclude: &'a [String],
    pub force_exclude: bool,
    /// A stdin buffer's path: treated as an explicitly named file even if absent on disk.
    pub stdin_path: Option<&'a Path>,
    /// Unsaved texts by absolute path (the fixer's edits, an editor's buffers): the root
    /// `.buckconfig` is read from here when present.
    pub overlays: Option<&'a std::collections::HashMap<PathBuf, String>>,
    /// Walk on the calling thread instead of in parallel.
    pub sequential: bool,
    /// The project root when the caller knows it (`Some(None)`: none); else it is looked up
    /// from the first path.
    pub known_root: Option<Option<&'a Path>>,
    /// Walks and root configurations shared by the projects of a run over several
    /// ([`prewalk`]).
    pub prewalked: Option<&'a Prewalked>,
    /// Named paths known to be regular files ([`crate::engine::RunOptions::regular_files`]).
    pub regular_files: Option<&'a KnownFiles>,
    /// When every path named is a file: do not walk the project root for context, only list
    /// the root directory itself and its `.buckconfig.d/` (the engine looks the rest up:
    /// see [`crate::engine::RunOptions::targeted_context`]).
    pub targeted: bool,
}

/// Absolute, normalized paths known to be regular files, by their bytes: a pre-commit run
/// names thousands, and `Path`'s own hash goes component by component (normalised paths
/// are equal exactly when their bytes are).
#[derive(Debug, Default, Clone)]
pub struct KnownFiles(rustc_hash::FxHashSet<std::ffi::OsString>);

impl KnownFiles {
    pub fn contains(&self, path: &Path) -> bool {
        self.0.contains(path.as_os_str())
    }
}

impl FromIterator<PathBuf> for KnownFiles {
    fn from_iter<I: IntoIterator<Item = PathBuf>>(paths: I) -> Self {
        KnownFiles(paths.into_iter().map(PathBuf::into_os_string).collect())
    }
}

/// Compiled `[project] ignore` or `--exclude` patterns. A bare name (no `/`, no glob
/// metacharacter) matches itself and everything below it, anywhere: it is tested against the
/// path's components, which costs a few string compares per path where the glob set's four
/// variants of it (`p`, `p/**`, `**/p`, `**/p/**`) cost a regex search (the walk tests every
/// entry). Everything else goes to a [`globset::GlobSet`] (see [`compile_globset`]).
#[derive(Clone, Default)]
pub(crate) struct Patterns {
    names: Vec<Box<str>>,
    /// Literal relative paths (`app/explain`): match themselves and what lies below.
    paths: Vec<Box<str>>,
    globs: Option<globset::GlobSet>,
}

impl Patterns {
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty() && self.paths.is_empty() && self.globs.is_none()
    }

    /// Whether the `/`-separated relative path `rel` matches.
    pub(crate) fn is_match(&self, rel: &str) -> bool {
        (!self.names.is_empty() && rel.split('/').any(|c| self.names.iter().any(|n| **n == *c)))
            || self
                .paths
                .iter()
                .any(|p| rel.strip_prefix(&**p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
            || self.globs.as_ref().is_some_and(|g| g.is_match(rel))
    }
}

/// A pattern that is a literal name: no separator, no glob metacharacter.
fn bare_name(p: &str) -> bool {
    !p.contains('/') && literal(p)
}

/// A pattern with no glob metacharacter (and no empty or `.`/`..` component).
fn literal(p: &str) -> bool {
    !p.is_empty()
        && !p.contains(['*', '?', '[', ']', '{', '}', '\\', '!'])
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

fn build_patterns(patterns: &[String]) -> Patterns {
    // a run over many projects asks for the same sets again (the root's `[project] ignore`,
    // `--exclude`): compile each list once per process
    type Cache = std::sync::Mutex<std::collections::HashMap<Vec<String>, Patterns>>;
    static CACHE: std::sync::LazyLock<Cache> = std::sync::LazyLock::new(Default::default);
    if patterns.is_empty() {
        return Patterns::default();
    }
    if let Some(g) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(patterns) {
        return g.clone();
    }
    let mut names = Vec::new();
    let mut paths = Vec::new();
    let mut rest = Vec::new();
    for p in patterns {
        let t = p.trim().trim_start_matches("./").trim_end_matches('/');
        if bare_name(t) {
            names.push(Box::from(t));
        } else if literal(t) {
            paths.push(Box::from(t));
        } else {
            rest.push(p.clone());
        }
    }
    let globs = compile_globset(&rest);
    let g = Patterns { names, paths, globs: (!globs.is_empty()).then_some(globs) };
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).insert(patterns.to_vec(), g.clone());
    g
}

fn compile_globset(patterns: &[String]) -> globset::GlobSet {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let p = p.trim().trim_start_matches("./").trim_end_matches('/');
        if p.is_empty() {
            continue;
        }
        // A bare name or path matches itself and everything below it, anywhere for bare names.
        let variants = if p.contains('/') || p.contains('*') {
            vec![p.to_string(), format!("{p}/**")]
        } else {
            vec![p.to_string(), format!("{p}/**"), format!("**/{p}"), format!("**/{p}/**")]
        };
        for v in variants {
            if let Ok(g) = globset::GlobBuilder::new(&v).literal_separator(true).build() {
                b.add(g);
            }
        }
    }
    b.build().unwrap_or_else(|_| globset::GlobSet::empty())
}

fn rel_str(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Walk the project (or the given paths when there is no project) and classify files.
pub fn discover(opts: &DiscoverOptions<'_>) -> Discovery {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let abs: Vec<PathBuf> = opts
        .paths
        .iter()
        .map(|p| {
            let p = if p.is_absolute() { p.clone() } else { cwd.join(p) };
            normalize(&p)
        })
        .collect();
    let root = match opts.known_root {
        Some(known) => known.map(Path::to_path_buf),
        None => abs.first().and_then(|p| find_project_root(p)),
    };
    let read = |p: &Path| opts.overlays.and_then(|o| o.get(p).cloned()).or_else(|| std::fs::read_to_string(p).ok());
    let shared_config = |r: &Path| opts.prewalked.and_then(|p| p.config(r)).cloned();
    let root_config = root
        .as_deref()
        .map(|r| shared_config(r).unwrap_or_else(|| root_config_with(r, &read)))
        .unwrap_or_else(|| RootConfig {
            build_file_names: DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect(),
            project_ignore: Vec::new(),
        });
    let project_ignore = build_patterns(&root_config.project_ignore);
    let exclude = build_patterns(opts.exclude);
    let mut out = Discovery { root: root.clone(), root_config, ..Default::default() };
    // in the order found; sorted and merged at the end
    let found: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let skipped: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

    // Explicit files are always linted (unless --force-exclude and excluded).
    let mut walk_roots: Vec<PathBuf> = Vec::new();
    for p in &abs {
        if opts.stdin_path.is_some_and(|s| normalize(&cwd.join(s)) == *p)
            || opts.regular_files.is_some_and(|k| k.contains(p))
            || p.is_file()
        {
            // the patterns only matter with --force-exclude (a pre-commit run names
            // thousands of files)
            let excluded = || {
                let base = root.as_deref().unwrap_or(&cwd);
                let rel = rel_str(p, base);
                exclude.is_match(&rel) || project_ignore.is_match(&rel)
            };
            if opts.force_exclude && excluded() {
                continue;
            }
            match classify(p, &out.root_config.build_file_names) {
                Some(kind) => {
                    found.lock().unwrap().push(Found { path: p.clone(), kind, reported: true });
                }
                None => skipped.lock().unwrap().push((
                    p.clone(),
                    "not a file buck-lint reads (build files, .bzl/.bxl, .buckconfig, reindeer.toml, fixups.toml, Cargo.lock)".into(),
                )),
            }
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_roots.push(p.clone()),
            // a FIFO, socket or device: nothing to lint, but say so
            Ok(m) if !m.is_file() => skipped
                .lock()
                .unwrap()
                .push((p.clone(), "not a regular file or directory (a FIFO, socket or device)".into())),
            Ok(_) => {}
            Err(e) => errors.lock().unwrap().push((p.clone(), e.to_string())),
        }
    }
    // The project root is walked for context; asked-for directories are reported. A run
    // that names only files and looks its context up lists the root directory alone.
    let targeted = opts.targeted && walk_roots.is_empty() && root.is_some();
    out.targeted = targeted;
    let mut roots: Vec<PathBuf> = walk_roots.clone();
    if let Some(r) = &root {
        if targeted {
            let layers = match opts.prewalked {
                Some(p) => p.config_files.layers(r).to_vec(),
                None => config_layers(r),
            };
            let mut f = found.lock().unwrap();
            f.extend(list_context(r, r, &out.root_config, opts.exclude));
            let d = r.join(".buckconfig.d");
            for layer in layers.into_iter().filter(|l| l.starts_with(&d)) {
                f.push(Found { path: layer, kind: FileKind::BuckConfig, reported: false });
            }
        } else if !roots.iter().any(|x| x == r) {
            roots.push(r.clone());
        }
    }
    // A directory named on the command line that `[project] ignore` or `--exclude` covers is
    // linted anyway (as ruff does), unless `--force-exclude`: it is walked on its own, since
    // the walk of an enclosing root skips it.
    let named_excluded = |r: &Path| {
        let Some(base) = root.as_deref() else { return false };
        let rel = rel_str(r, base);
        !opts.force_exclude
            && r != base
            && walk_roots.iter().any(|w| w == r)
            && (project_ignore.is_match(&rel) || exclude.is_match(&rel))
    };
    let all_roots = roots.clone();
    roots.retain(|r| named_excluded(r) || !all_roots.iter().any(|o| o != r && r.starts_with(o)));
    let mut saw_linked_dir = false;
    for walk_root in roots {
        let base = root.clone().unwrap_or_else(|| walk_root.clone());
        let filters = walk::Filters {
            base: &base,
            named_excluded: named_excluded(&walk_root),
            project_ignore: &out.root_config.project_ignore,
            exclude: opts.exclude,
        };
        let names = &out.root_config.build_file_names;
        let walked = opts.prewalked.and_then(|p| p.walk_of(&walk_root, &filters)).unwrap_or_else(|| {
            walk::walk(&walk_root, &filters, opts.sequential, names, &[], opts.prewalked.map(|p| &p.ancestors))
        });
        saw_linked_dir |= walked.saw_linked_dir;
        let mut f = found.lock().unwrap();
        for w in walked.files {
            let p = w.path;
            let Some(kind) = classify(&p, names) else { continue };
            if w.unfollowed_link && !p.is_file() {
                let why = match std::fs::metadata(&p) {
                    Err(e) => format!("broken symbolic link: {e}"),
                    Ok(_) => "symbolic link to something that is not a file".to_string(),
                };
                skipped.lock().unwrap().push((p, why));
                continue;
            }
            let reported = !walk_roots.is_empty() && walk_roots.iter().any(|r| p.starts_with(r));
            f.push(Found { path: p, kind, reported });
        }
        errors.lock().unwrap().extend(walked.errors);
        skipped.lock().unwrap().extend(walked.skipped);
    }
    let mut files = found.into_inner().unwrap();
    // by path (a stable sort: a path found twice keeps its first kind, and is reported if
    // either time says so)
    files.sort_by(|a, b| path_cmp(&a.path, &b.path));
    files.dedup_by(|later, kept| {
        let same = later.path == kept.path;
        if same {
            kept.reported |= later.reported;
        }
        same
    });
    out.files = files;
    if saw_linked_dir {
        out.files = dedup_linked(out.files, root.as_deref());
    }
    let mut errs = errors.into_inner().unwrap();
    errs.sort();
    errs.dedup();
    out.errors = errs;
    let mut sk = skipped.into_inner().unwrap();
    sk.sort();
    out.skipped = sk;
    out
}

/// The context files below `dir` that the walk of the project root at `root` would find: the
/// same ignore files, `[project] ignore`, `--exclude`, hidden entries and `buck-out`. Nothing
/// is reported. For the runs that look their context up ([`DiscoverOptions::targeted`]): the
/// toolchains cell, a Reindeer project's third-party and fixups directories.
pub fn walk_context(dir: &Path, root: &Path, root_config: &RootConfig, exclude: &[String]) -> Discovery {
    let filters =
        walk::Filters { base: root, named_excluded: false, project_ignore: &root_config.project_ignore, exclude };
    let names = &root_config.build_file_names;
    let walked = walk::walk(dir, &filters, true, names, &[], None);
    let mut out = Discovery { root: Some(root.to_path_buf()), ..Default::default() };
    for w in walked.files {
        let Some(kind) = classify(&w.path, names) else { continue };
        if w.unfollowed_link && !w.path.is_file() {
            continue;
        }
        out.files.push(Found { path: w.path, kind, reported: false });
    }
    out.errors = walked.errors;
    out.skipped = walked.skipped;
    out
}

/// Whether the walk of the project root at `root` would leave `path` out by its name alone
/// (a hidden entry other than the configuration files, `buck-out`, a match of `[project]
/// ignore` or `--exclude` at or above it), or `path` lies outside the root. The ignore files
/// are not consulted: Buck2 reads what they name.
pub fn pruned_by_name(path: &Path, root: &Path, root_config: &RootConfig, exclude: &[String]) -> bool {
    let Some(rel) = strip_dir(path, root) else { return true };
    let (pi, ex) = (build_patterns(&root_config.project_ignore), build_patterns(exclude));
    let mut prefix = String::new();
    for c in rel.components() {
        let name = c.as_os_str().to_string_lossy();
        if (name.starts_with('.') && !HIDDEN_ALLOWED.contains(&name.as_ref())) || name == "buck-out" {
            return true;
        }
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(&name);
        if pi.is_match(&prefix) || ex.is_match(&prefix) {
            return true;
        }
    }
    false
}

/// The context files in `dir` itself (not below it) that the walk of the root at `root`
/// would keep by their names ([`pruned_by_name`]; the ignore files are not read).
pub fn list_context(dir: &Path, root: &Path, root_config: &RootConfig, exclude: &[String]) -> Vec<Found> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<Found> = rd
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let kind = classify(&path, &root_config.build_file_names)?;
            // follows symbolic links, as the walk does
            let is_file = match e.file_type().ok()? {
                t if t.is_symlink() => path.is_file(),
                t => t.is_file(),
            };
            (is_file && !pruned_by_name(&path, root, root_config, exclude)).then_some(Found {
                path,
                kind,
                reported: false,
            })
        })
        .collect();
    out.sort_by(|a, b| path_cmp(&a.path, &b.path));
    out
}

/// A file reached both through a symlinked directory and where it lives is read once. The
/// path through the link wins only where nothing else reaches the file; otherwise the real
/// location (the path without a link in it) is kept.
fn dedup_linked(files: Vec<Found>, root: Option<&Path>) -> Vec<Found> {
    let canon_root = root.and_then(|r| std::fs::canonicalize(r).ok());
    let direct = |f: &Found, canon: &Path| match (root, &canon_root) {
        (Some(r), Some(cr)) => f.path.strip_prefix(r).ok() == canon.strip_prefix(cr).ok(),
        _ => false,
    };
    let mut by_canon: BTreeMap<PathBuf, Found> = BTreeMap::new();
    for f in files {
        let canon = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        match by_canon.get_mut(&canon) {
            Some(kept) => {
                let reported = kept.reported || f.reported;
                if direct(&f, &canon) && !direct(kept, &canon) {
                    *kept = f;
                }
                kept.reported = reported;
            }
            None => {
                by_canon.insert(canon, f);
            }
        }
    }
    let mut out: Vec<Found> = by_canon.into_values().collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn is_loop(e: &ignore::Error) -> bool {
    match e {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => is_loop(err),
        ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(v) => v.iter().any(is_loop),
        _ => false,
    }
}

/// "Too many levels of symbolic links" (ELOOP: 40 on Linux, 62 on macOS and the BSDs).
fn is_eloop(e: &ignore::Error) -> bool {
    match e {
        // the sequential walker wraps walkdir's error, which holds the system's, in an
        // `io::Error` of its own: look down the chain
        ignore::Error::Io(io) => {
            let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(io);
            while let Some(e) = cur {
                if e.downcast_ref::<std::io::Error>().is_some_and(|io| matches!(io.raw_os_error(), Some(40 | 62))) {
                    return true;
                }
                cur = e.source();
            }
            false
        }
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => is_eloop(err),
        ignore::Error::WithLineNumber { err, .. } => is_eloop(err),
        ignore::Error::Partial(v) => v.iter().any(is_eloop),
        _ => false,
    }
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::Partial(v) => v.first().and_then(error_path),
        _ => None,
    }
}

/// `path.strip_prefix(dir)` for normalised paths (as [`normalize`] makes them), by bytes:
/// `Path::strip_prefix` and `Path::starts_with` go component by component. Falls back to
/// them for paths that are not plainly normalised (`//`, `/./`, a trailing `/`).
pub fn strip_dir<'a>(path: &'a Path, dir: &Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        let (p, d) = (path.as_os_str().as_encoded_bytes(), dir.as_os_str().as_encoded_bytes());
        if d.is_empty() {
            return Some(path);
        }
        if plain(p) && plain(d) {
            let rest = strip_plain(p, d)?;
            // SAFETY: `rest` is a suffix of `path`'s bytes that starts after a `/` (or at its
            // end), so it splits no encoded character
            return Some(Path::new(unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(rest) }));
        }
    }
    path.strip_prefix(dir).ok()
}

/// [`strip_dir`] on the bytes of two plain paths ([`plain`]), `dir` not empty.
pub(crate) fn strip_plain<'a>(p: &'a [u8], d: &[u8]) -> Option<&'a [u8]> {
    if !p.starts_with(d) {
        return None;
    }
    if p.len() == d.len() {
        Some(&p[p.len()..])
    } else if d.ends_with(b"/") {
        Some(&p[d.len()..])
    } else if p[d.len()] == b'/' {
        Some(&p[d.len() + 1..])
    } else {
        None
    }
}

/// `path.starts_with(dir)`; see [`strip_dir`].
pub fn is_within(path: &Path, dir: &Path) -> bool {
    strip_dir(path, dir).is_some()
}

/// Bytes of a path whose byte prefixes are its component prefixes: no `//`, no `.`
/// component, no trailing `/` (but `/` itself).
#[cfg(unix)]
pub(crate) fn plain(b: &[u8]) -> bool {
    if b.len() > 1 && b.ends_with(b"/") {
        return false;
    }
    let mut prev = 0u8;
    let mut prev2 = 0u8;
    for &c in b {
        if c == b'/' && (prev == b'/' || (prev == b'.' && (prev2 == b'/' || prev2 == 0))) {
            return false;
        }
        prev2 = prev;
        prev = c;
    }
    !(prev == b'.' && (prev2 == b'/' || prev2 == 0) && !b.is_empty())
}

/// `Path::cmp` (component by component) for normalised paths, on the bytes: a separator
/// sorts before every other byte, which is what comparing components amounts to.
pub fn path_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    #[cfg(unix)]
    {
        let (x, y) = (a.as_os_str().as_encoded_bytes(), b.as_os_str().as_encoded_bytes());
        let n = x.iter().zip(y).take_while(|(p, q)| p == q).count();
        let key = |c: u8| if c == b'/' { 0 } else { c };
        #[allow(clippy::needless_return)]
        return x.get(n).map(|&c| key(c)).cmp(&y.get(n).map(|&c| key(c)));
    }
    #[cfg(not(unix))]
    a.cmp(b)
}

/// Lexically normalise `.` and `..` components (no symlink resolution).
pub fn normalize(p: &Path) -> PathBuf {
    // on the bytes: a run over thousands of files normalises each path a few times
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let b = p.as_os_str().as_encoded_bytes();
        let mut out: Vec<u8> = Vec::with_capacity(b.len());
        if b.starts_with(b"/") {
            out.push(b'/');
        }
        let base = out.len();
        for seg in b.split(|&c| c == b'/') {
            match seg {
                b"" | b"." => {}
                b".." => {
                    let keep = out[base..].iter().rposition(|&c| c == b'/').unwrap_or(0);
                    out.truncate(base + keep);
                }
                s => {
                    if out.len() > base {
                        out.push(b'/');
                    }
                    out.extend_from_slice(s);
                }
            }
        }
        #[allow(clippy::needless_return)]
        return PathBuf::from(std::ffi::OsString::from_vec(out));
    }
    #[cfg(not(unix))]
    normalize_components(p)
}

/// [`normalize`] by path components (Windows; the reference the Unix version is tested against).
#[cfg(any(test, not(unix)))]
fn normalize_components(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_dir_is_strip_prefix() {
        let segs = ["", "/", "a", "ab", "a.b", ".", "..", ".x", "b"];
        let mut paths: Vec<String> = Vec::new();
        for x in segs {
            for y in segs {
                for z in segs {
                    paths.push(format!("{x}{y}{z}"));
                    paths.push(format!("/{x}/{y}/{z}"));
                    paths.push(format!("{x}/{y}//{z}"));
                }
            }
        }
        for p in &paths {
            for d in &paths {
                let (p, d) = (Path::new(p), Path::new(d));
                assert_eq!(strip_dir(p, d), p.strip_prefix(d).ok(), "{p:?} in {d:?}");
                assert_eq!(is_within(p, d), p.starts_with(d), "{p:?} in {d:?}");
            }
        }
    }

    #[test]
    fn patterns_match_as_the_glob_set_of_every_pattern() {
        let lists: &[&[&str]] = &[
            &["tests", "examples", ".git", "target"],
            &["app/buck2_explain", "integrations/rust-project/tests", "tests"],
            &["*.tmp", "a?c", "out/", "./build", "third-party/**/vendor", "[ab]x", "x{y,z}"],
            &["a/abc", "tests/a/", "./app/buck2_explain", "a/./b", "a//b", "../a", "rust-project/tests/x.tmp"],
            &["buck-out", " spaced ", ""],
            // names that are also parts of other components (`a` in `abc`, `x` in `x.tmp`)
            &["a", "x", "tests"],
        ];
        let segs =
            ["tests", "examples", "app", "buck2_explain", "a", "abc", "x.tmp", "out", "build", "vendor", "ax", "xz"];
        let mut paths: Vec<String> = Vec::new();
        for a in segs {
            paths.push(a.to_string());
            for b in segs {
                paths.push(format!("{a}/{b}"));
                for c in ["third-party", "integrations", "rust-project", "tests", ".git", "target"] {
                    paths.push(format!("{a}/{b}/{c}"));
                    paths.push(format!("{c}/{a}/{b}"));
                }
            }
        }
        for list in lists {
            let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            let fast = build_patterns(&list);
            let slow = compile_globset(&list);
            for p in &paths {
                assert_eq!(fast.is_match(p), slow.is_match(p), "{list:?} on {p}");
            }
        }
        assert!(build_patterns(&[]).is_empty());
        assert!(!build_patterns(&["tests".to_string()]).is_empty());
    }

    #[test]
    fn normalize_paths() {
        for (p, want) in [
            ("/a/b/c", "/a/b/c"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a//b/", "/a/b"),
            ("./a", "a"),
            ("a/b", "a/b"),
            ("../a", "a"),
            ("/", "/"),
            ("", ""),
            ("/a/b.c/.d", "/a/b.c/.d"),
            ("a/..", ""),
            ("/a/..", "/"),
            ("/..", "/"),
            ("//a", "/a"),
            ("a/b/../../c/./d/..", "c"),
        ] {
            assert_eq!(normalize(Path::new(p)), PathBuf::from(want), "{p}");
        }
        // every path of up to four segments from a small alphabet, against the components
        let parts = ["", ".", "..", "a", "b.c", ".d"];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for p in &paths {
                for q in parts {
                    next.push(format!("{p}/{q}"));
                    next.push(format!("{p}{q}/"));
                }
            }
            paths.extend(next);
            paths.sort();
            paths.dedup();
        }
        for p in &paths {
            assert_eq!(normalize(Path::new(p)), normalize_components(Path::new(p)), "{p:?}");
        }
        // and the byte order of normalised paths is the order of their components
        let mut normal: Vec<PathBuf> = paths.iter().map(|p| normalize(Path::new(&format!("/r{p}-x/y")))).collect();
        normal.sort();
        normal.dedup();
        for a in normal.iter().step_by(3) {
            for b in normal.iter().step_by(11) {
                assert_eq!(path_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// The memo lists a root's layers and reads a text once per run, and answers as the
    /// plain functions do.
    #[test]
    fn config_memo_reads_once() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(".buckconfig.d")).unwrap();
        std::fs::write(d.path().join(".buckconfig.d/a"), "[x]\ny = 1\n").unwrap();
        std::fs::write(d.path().join(".buckconfig"), "[buildfile]\nname = TARGETS.fixture\n").unwrap();
        let memo = ConfigMemo::default();
        assert_eq!(memo.layers(d.path()).to_vec(), config_layers(d.path()));
        assert_eq!(memo.layers_with_local(d.path()), config_layers_with_local(d.path()));
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = |p: &Path| {
            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::fs::read_to_string(p).ok()
        };
        let layers = memo.layers_with_local(d.path());
        let rc = root_config_of(&layers, &|p| memo.text(p, read));
        assert_eq!(rc.build_file_names, root_config(d.path()).build_file_names);
        assert_eq!(rc.build_file_names, vec!["TARGETS.fixture.v2", "TARGETS.fixture"]);
        let first = reads.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(first, 3, "a, .buckconfig and the missing .buckconfig.local");
        // asked again in the same run: no listing, no read
        std::fs::remove_file(d.path().join(".buckconfig.d/a")).unwrap();
        assert_eq!(memo.layers(d.path()).len(), 2);
        assert!(memo.text(&d.path().join(".buckconfig"), read).is_some());
        assert!(memo.text(&d.path().join(".buckconfig.local"), read).is_none());
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), first);
    }

    #[test]
    fn classify_names() {
        let names: Vec<String> = DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect();
        assert_eq!(classify(Path::new("a/BUCK"), &names), Some(FileKind::Build));
        assert_eq!(classify(Path::new("a/TARGETS.v2"), &names), Some(FileKind::Build));
        assert_eq!(classify(Path::new("a/BUILD"), &names), None);
        assert_eq!(classify(Path::new("a/x.bxl"), &names), Some(FileKind::Bzl));
        assert_eq!(classify(Path::new(".buckconfig.d/x"), &names), Some(FileKind::BuckConfig));
        assert_eq!(classify(Path::new("f/p/fixups.toml"), &names), Some(FileKind::Fixups));
    }

    /// The byte cut of the name answers as the component parser does, for every form a
    /// path can take around the name and its directory.
    #[test]
    fn classify_cuts_the_name_as_the_components_do() {
        let names: Vec<String> = vec!["BUCK".into(), "TARGETS.fixture".into()];
        let dirs = [
            "",
            "/",
            "a/",
            "/a/",
            "a//",
            ".buckconfig.d/",
            "a/.buckconfig.d/",
            "a/.buckconfig.d//",
            "a/.buckconfig.d/./",
            "a/.buckconfig.d/b/",
            "./.buckconfig.d/",
            "a/x.buckconfig.d/",
            ".buckconfig.d.x/",
            "../",
        ];
        let files = [
            "BUCK",
            "TARGETS.fixture",
            "x.bzl",
            "y.bxl",
            ".buckconfig",
            ".buckconfig.local",
            "PACKAGE",
            "Cargo.lock",
            "Cargo.toml",
            "fixups.toml",
            "reindeer.toml",
            "x",
            "lib.rs",
            ".",
            "..",
            "",
        ];
        let tails = ["", "/", "/.", "/./"];
        for d in dirs {
            for f in files {
                for t in tails {
                    let p = format!("{d}{f}{t}");
                    let path = Path::new(&p);
                    assert_eq!(classify(path, &names), classify_by_components(path, &names), "{p:?}");
                }
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let bad = Path::new(std::ffi::OsStr::from_bytes(b"a/\xff.bzl"));
            assert_eq!(classify(bad, &names), classify_by_components(bad, &names));
        }
    }

    #[test]
    fn buildfile_names_from_config() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".buckconfig"), "[buildfile]\nname = BUILD\n[project]\nignore = .git, out\n")
            .unwrap();
        let rc = root_config(d.path());
        assert_eq!(rc.build_file_names, vec!["BUILD.v2", "BUILD"]);
        assert_eq!(rc.project_ignore, vec![".git", "out"]);
    }
}
