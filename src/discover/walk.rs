//! The walk of one directory tree, and sharing it between projects.
//!
//! A run over files of many nested Buck2 projects (facebook/buck2 has ~300: its tests and
//! examples carry their own `.buckconfig`) used to walk each project's root on its own. The
//! outermost project's walk already goes through every nested project (nested projects are
//! context, not pruned), so each nested walk repeated a part of it, and compiled the ignore
//! files of every ancestor directory again. [`prewalk`] walks each outermost root once, up
//! front; a nested project then takes the files below its root from that walk
//! ([`Walked::subtree`]), filtered by its own `[project] ignore` and `--exclude`, whenever
//! the result is certain to be what its own walk would find. Where it is not (the nested
//! root is pruned or hidden from the outer walk, the outer walk pruned something inside it by
//! the outer project's filters, or symbolic links to directories make the trees differ),
//! the nested project walks on its own as before.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{HIDDEN_ALLOWED, RootConfig, build_patterns, error_path, is_eloop, is_loop, rel_str};

/// A file the walk found: its path, and whether it is a symbolic link the walk could not
/// follow (broken or looping).
#[derive(Debug, Clone)]
pub(super) struct WalkedFile {
    pub(super) path: PathBuf,
    pub(super) unfollowed_link: bool,
}

/// What one walk found.
#[derive(Debug, Default, Clone)]
pub(super) struct Walked {
    pub(super) root: PathBuf,
    /// The `[project] ignore` and `--exclude` patterns the walk pruned by (relative to `root`).
    pub(super) project_ignore: Vec<String>,
    pub(super) exclude: Vec<String>,
    /// The files the walk kept, sorted by the bytes of their paths.
    pub(super) files: Vec<WalkedFile>,
    pub(super) errors: Vec<(PathBuf, String)>,
    pub(super) skipped: Vec<(PathBuf, String)>,
    /// A symbolic link to a directory was followed.
    pub(super) saw_linked_dir: bool,
    /// The outermost entries the patterns matched, sorted (the walk went on below them only
    /// towards watched directories).
    pruned: Vec<PathBuf>,
    /// The directories of `watch` the walk entered.
    visited: HashSet<PathBuf>,
}

/// How a walk filters what it enters: hidden entries (but the configuration files) and
/// `buck-out` always; `[project] ignore` and `--exclude` matches relative to `base`, unless
/// the walk is of a directory named on the command line that they cover (`named_excluded`).
pub(super) struct Filters<'a> {
    pub(super) base: &'a Path,
    pub(super) named_excluded: bool,
    pub(super) project_ignore: &'a [String],
    pub(super) exclude: &'a [String],
}

/// Walk `root` (honouring `.gitignore`, `.ignore` and `.git/info/exclude` of the root and its
/// ancestors, following symbolic links), keeping the files [`super::classify`] recognises by
/// the build-file names `names`. `watch`: the
/// directories whose visit to record.
pub(super) fn walk(
    root: &Path,
    filters: &Filters<'_>,
    sequential: bool,
    names: &[String],
    watch: &[PathBuf],
    memo: Option<&AncestorMemo>,
) -> Walked {
    let watch = std::sync::Arc::new(Watch::new(watch));
    let mut wb = ignore::WalkBuilder::new(root);
    wb.hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(true)
        // ignore files above the root apply (as git applies a repository's `.gitignore` files
        // to a subdirectory); when no directory above holds one, reading them costs a path
        // join and a match per entry for nothing
        .parents(ancestors_ignore(root, memo))
        .require_git(false)
        // symlinked directories are followed (`third-party/fixups -> ../fixups`);
        // the walker reports loops, which are skipped with a warning
        .follow_links(true);
    let pruned: std::sync::Arc<Mutex<Vec<PathBuf>>> = Default::default();
    {
        let base = filters.base.to_path_buf();
        let pi = build_patterns(filters.project_ignore);
        let ex = build_patterns(filters.exclude);
        let named_excluded = filters.named_excluded;
        let names = names.to_vec();
        let pruned = pruned.clone();
        let watch = watch.clone();
        // matched directories the walk goes on below, towards watched ones
        let descended: std::sync::RwLock<Vec<Vec<u8>>> = Default::default();
        wb.filter_entry(move |e| {
            // a file the walk does not keep goes no further: most of a repository's files are
            // sources (the ignore rules above have already been matched, but the patterns,
            // the queue and the visit below cost more). Not recording it as pruned changes
            // nothing: no kept file or error lies at or below it.
            if e.depth() > 0
                && !e.file_type().is_some_and(|t| t.is_dir())
                && super::classify(e.path(), &names).is_none()
            {
                return false;
            }
            let name = e.file_name().to_string_lossy();
            if e.depth() > 0 && name.starts_with('.') && !HIDDEN_ALLOWED.contains(&name.as_ref()) {
                return false;
            }
            if name == "buck-out" && e.file_type().is_some_and(|t| t.is_dir()) {
                return false;
            }
            // below a matched directory: this root's walk has no use for it, the watched
            // directories may
            let p = bytes(e.path());
            if descended.read().unwrap_or_else(|e| e.into_inner()).iter().any(|d| p.starts_with(d)) {
                return near_watched(&watch, e.path());
            }
            if e.depth() > 0 && !named_excluded && !(pi.is_empty() && ex.is_empty()) {
                let rel = rel_path(e.path(), &base);
                if pi.is_match(&rel) || ex.is_match(&rel) {
                    pruned.lock().unwrap_or_else(|e| e.into_inner()).push(e.path().to_path_buf());
                    // a watched directory below (or around) it is walked all the same: the
                    // projects there judge what they ignore by their own patterns
                    let descend = near_watched(&watch, e.path());
                    if descend && e.file_type().is_some_and(|t| t.is_dir()) {
                        let mut d = p.to_vec();
                        d.push(b'/');
                        descended.write().unwrap_or_else(|e| e.into_inner()).push(d);
                    }
                    return descend;
                }
            }
            true
        });
    }
    let files: Mutex<Vec<WalkedFile>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let skipped: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let visited: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let saw_linked_dir = std::sync::atomic::AtomicBool::new(false);
    let visit = |res: Result<ignore::DirEntry, ignore::Error>| match res {
        Ok(entry) => {
            let Some(t) = entry.file_type() else { return };
            if t.is_dir() {
                if entry.path_is_symlink() {
                    saw_linked_dir.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                if is_watched(&watch, bytes(entry.path())) {
                    visited.lock().unwrap().insert(entry.path().to_path_buf());
                }
            } else if (t.is_file() || t.is_symlink()) && super::classify(entry.path(), names).is_some() {
                let f = WalkedFile { path: entry.path().to_path_buf(), unfollowed_link: t.is_symlink() };
                files.lock().unwrap().push(f);
            }
        }
        Err(err) => {
            let path = error_path(&err).unwrap_or_default();
            if is_loop(&err) {
                skipped.lock().unwrap().push((path, "symbolic link loop (not followed again)".into()));
            } else if is_eloop(&err) {
                skipped.lock().unwrap().push((path, "broken symbolic link: it points at itself (a loop)".into()));
            } else {
                errors.lock().unwrap().push((path, err.to_string()));
            }
        }
    };
    if sequential {
        for res in wb.build() {
            visit(res);
        }
    } else {
        wb.build_parallel().run(|| {
            Box::new(|res| {
                visit(res);
                ignore::WalkState::Continue
            })
        });
    }
    let mut files = files.into_inner().unwrap();
    files.sort_by(|a, b| bytes(&a.path).cmp(bytes(&b.path)));
    let mut pruned = std::mem::take(&mut *pruned.lock().unwrap_or_else(|e| e.into_inner()));
    pruned.sort();
    // the outermost ones (the entries below one form a contiguous run right after it)
    pruned.dedup_by(|later, kept| later.starts_with(kept));
    Walked {
        root: root.to_path_buf(),
        project_ignore: if filters.named_excluded { Vec::new() } else { filters.project_ignore.to_vec() },
        exclude: if filters.named_excluded { Vec::new() } else { filters.exclude.to_vec() },
        files,
        errors: errors.into_inner().unwrap(),
        skipped: skipped.into_inner().unwrap(),
        saw_linked_dir: saw_linked_dir.into_inner(),
        pruned,
        visited: visited.into_inner().unwrap(),
    }
}

impl Walked {
    /// What a walk of `dir`, a directory strictly below this walk's root, with `filters`
    /// (whose base is `dir`), would find, when this walk can tell for certain; else `None`.
    pub(super) fn subtree(&self, dir: &Path, filters: &Filters<'_>) -> Option<Walked> {
        if self.saw_linked_dir || filters.named_excluded || filters.base != dir || dir == self.root {
            return None;
        }
        // the walk entered `dir`: no ancestor of it was pruned, ignored or hidden
        if !self.visited.contains(dir) {
            return None;
        }
        // nothing below a watched directory is pruned by this walk's patterns (see `walk`):
        // hidden entries and `buck-out` are pruned the same way by the walk of `dir`
        let pi = build_patterns(filters.project_ignore);
        let ex = build_patterns(filters.exclude);
        // an entry its own walk keeps: no directory on the way to it, nor itself, matches
        let kept = |p: &Path| {
            if pi.is_empty() && ex.is_empty() {
                return true;
            }
            let Ok(rel) = p.strip_prefix(dir) else { return false };
            let mut prefix = PathBuf::new();
            rel.components().all(|c| {
                prefix.push(c);
                let r = prefix.to_string_lossy().replace('\\', "/");
                !(pi.is_match(&r) || ex.is_match(&r))
            })
        };
        let in_dir = |v: &[(PathBuf, String)]| -> Vec<(PathBuf, String)> {
            v.iter().filter(|(p, _)| p.starts_with(dir) && p != dir && kept(p)).cloned().collect()
        };
        Some(Walked {
            root: dir.to_path_buf(),
            project_ignore: filters.project_ignore.to_vec(),
            exclude: filters.exclude.to_vec(),
            files: below(&self.files, dir, |f| &f.path).filter(|f| kept(&f.path)).cloned().collect(),
            errors: in_dir(&self.errors),
            skipped: in_dir(&self.skipped),
            saw_linked_dir: false,
            pruned: Vec::new(),
            visited: HashSet::new(),
        })
    }

    /// What the walk of this root with its patterns finds: all but what lies at or below an
    /// entry the patterns matched (the walk went on below such an entry only for the
    /// watched directories there).
    fn own(&self) -> Walked {
        // `pruned` holds no entry below another: the one sorting last at or before `p` is
        // the only one that can be its ancestor
        let outside = |p: &Path| {
            let i = self.pruned.partition_point(|x| super::path_cmp(x, p) != std::cmp::Ordering::Greater);
            !(i > 0 && super::is_within(p, &self.pruned[i - 1]))
        };
        let keep = |v: &[(PathBuf, String)]| v.iter().filter(|(p, _)| outside(p)).cloned().collect();
        Walked {
            files: self.files.iter().filter(|f| outside(&f.path)).cloned().collect(),
            errors: keep(&self.errors),
            skipped: keep(&self.skipped),
            pruned: Vec::new(),
            visited: HashSet::new(),
            ..self.clone_head()
        }
    }

    fn clone_head(&self) -> Walked {
        Walked {
            root: self.root.clone(),
            project_ignore: self.project_ignore.clone(),
            exclude: self.exclude.clone(),
            saw_linked_dir: self.saw_linked_dir,
            ..Default::default()
        }
    }

    /// Whether this is the walk a project rooted at `root` with `filters` would make.
    fn is_walk_of(&self, root: &Path, filters: &Filters<'_>) -> bool {
        self.root == root
            && filters.base == root
            && !filters.named_excluded
            && self.project_ignore == filters.project_ignore
            && self.exclude == filters.exclude
    }
}

/// `path` relative to `base`, with `/` separators ([`rel_str`], without copying on Unix).
fn rel_path<'a>(path: &'a Path, base: &Path) -> std::borrow::Cow<'a, str> {
    #[cfg(unix)]
    {
        let (p, b) = (bytes(path), bytes(base));
        if p.len() > b.len() + 1 && p.starts_with(b) && p[b.len()] == b'/' && !b.ends_with(b"/") {
            if let Ok(rel) = std::str::from_utf8(&p[b.len() + 1..]) {
                return std::borrow::Cow::Borrowed(rel);
            }
        }
    }
    std::borrow::Cow::Owned(rel_str(path, base))
}

fn bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

/// The directories a walk watches (nested project roots): sorted by bytes, and hashed.
struct Watch {
    sorted: Vec<PathBuf>,
    set: rustc_hash::FxHashSet<Box<[u8]>>,
}

impl Watch {
    fn new(dirs: &[PathBuf]) -> Watch {
        let mut sorted = dirs.to_vec();
        sorted.sort_by(|a, b| bytes(a).cmp(bytes(b)));
        let set = sorted.iter().map(|d| Box::from(bytes(d))).collect();
        Watch { sorted, set }
    }
}

/// Whether `path` is in `watch`.
fn is_watched(watch: &Watch, path: &[u8]) -> bool {
    !watch.set.is_empty() && watch.set.contains(path)
}

/// Whether `path` lies in a directory of `watch` or holds one.
fn near_watched(watch: &Watch, path: &Path) -> bool {
    if watch.set.is_empty() {
        return false;
    }
    let p = bytes(path);
    // the watched paths starting with `p` are contiguous: `p` itself, then `p-x`, `p/x`, …
    let sorted = &watch.sorted;
    let i = sorted.partition_point(|w| bytes(w) < p);
    if sorted[i..]
        .iter()
        .map(|w| bytes(w))
        .take_while(|w| w.starts_with(p))
        .any(|w| w.len() == p.len() || w[p.len()] == b'/')
    {
        return true;
    }
    p.iter().enumerate().any(|(i, &b)| b == b'/' && i > 0 && is_watched(watch, &p[..i]))
}

/// The items of `sorted` (by the bytes of their paths) strictly below `dir`: a contiguous
/// range, those starting with `dir/`.
fn below<'a, T>(sorted: &'a [T], dir: &Path, path: impl Fn(&T) -> &Path + 'a) -> impl Iterator<Item = &'a T> + 'a {
    let mut prefix = bytes(dir).to_vec();
    prefix.push(b'/');
    let start = sorted.partition_point(|x| bytes(path(x)) < prefix.as_slice());
    sorted[start..].iter().take_while(move |x| bytes(path(x)).starts_with(&prefix))
}

/// Walks shared by the projects of one run, and each project root's configuration as
/// discovery reads it.
#[derive(Debug, Default)]
pub struct Prewalked {
    walks: Vec<Walked>,
    configs: HashMap<PathBuf, RootConfig>,
    /// Which directories hold ignore files, for the walks of the run's projects.
    pub(super) ancestors: AncestorMemo,
    /// The roots' configuration files, for the run's projects to read again.
    pub config_files: super::ConfigMemo,
}

/// Whether a directory holds a `.gitignore`, an `.ignore` or a `.git` (whose
/// `info/exclude` applies), remembered for one run.
pub(super) type AncestorMemo = Mutex<rustc_hash::FxHashMap<PathBuf, bool>>;

/// Whether a directory above `root` holds an ignore file the walk of `root` would apply
/// (see [`walk`]).
pub(super) fn ancestors_ignore(root: &Path, memo: Option<&AncestorMemo>) -> bool {
    root.ancestors().skip(1).any(|dir| {
        if let Some(has) = memo.and_then(|m| m.lock().unwrap_or_else(|e| e.into_inner()).get(dir).copied()) {
            return has;
        }
        let has = [".gitignore", ".ignore", ".git"].iter().any(|n| dir.join(n).symlink_metadata().is_ok());
        if let Some(m) = memo {
            m.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.to_path_buf(), has);
        }
        has
    })
}

impl Prewalked {
    /// The discovery configuration of the project rooted at `root`, if read up front.
    pub(super) fn config(&self, root: &Path) -> Option<&RootConfig> {
        self.configs.get(root)
    }

    /// What the walk of `root` with `filters` finds, if a shared walk can tell.
    pub(super) fn walk_of(&self, root: &Path, filters: &Filters<'_>) -> Option<Walked> {
        if let Some(w) = self.walks.iter().find(|w| w.is_walk_of(root, filters)) {
            return Some(w.own());
        }
        self.walks.iter().find(|w| root.starts_with(&w.root)).and_then(|w| w.subtree(root, filters))
    }
}

/// One project of a run over several: its root and its `--exclude` patterns.
pub struct PrewalkProject<'a> {
    pub root: &'a Path,
    pub exclude: &'a [String],
}

/// Read every project root's discovery configuration, and walk each outermost root that
/// has other project roots below it once, as its own discovery would (see the module docs).
/// `read` reads a configuration file (an editor's unsaved buffer first). `walk_roots`:
/// `false` reads the configurations only (a run that looks its context up walks no root).
pub fn prewalk(
    projects: &[PrewalkProject<'_>],
    read: &(dyn Fn(&Path) -> Option<String> + Sync),
    walk_roots: bool,
) -> Prewalked {
    use rayon::prelude::*;
    let config_files = super::ConfigMemo::default();
    let configs: HashMap<PathBuf, RootConfig> = projects
        .par_iter()
        .map(|p| {
            let layers = config_files.layers_with_local(p.root);
            let rc = super::root_config_of(&layers, &|f| config_files.text(f, read));
            (p.root.to_path_buf(), rc)
        })
        .collect();
    let mut walks = Vec::new();
    let ancestors = AncestorMemo::default();
    // in path order, the roots inside a root follow it directly (one pass, where testing
    // every pair went quadratic over hundreds of nested test projects); the first of the
    // projects sharing a root decides its exclusions
    let mut roots: Vec<&PrewalkProject<'_>> = projects.iter().collect();
    roots.sort_by(|a, b| super::path_cmp(a.root, b.root));
    roots.dedup_by(|later, kept| later.root == kept.root);
    let mut i = if walk_roots { 0 } else { roots.len() };
    while i < roots.len() {
        let p = roots[i];
        let end = i + 1 + roots[i + 1..].iter().take_while(|o| super::is_within(o.root, p.root)).count();
        let inner = &roots[i + 1..end];
        i = end;
        if inner.is_empty() {
            continue;
        }
        // keep what any of the projects classifies (build-file names differ between them)
        let mut names: Vec<String> = Vec::new();
        for o in std::iter::once(p).chain(inner.iter().copied()) {
            for n in &configs[o.root].build_file_names {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        let watch: Vec<PathBuf> = inner.iter().map(|o| o.root.to_path_buf()).collect();
        let pi = &configs[p.root].project_ignore;
        let filters = Filters { base: p.root, named_excluded: false, project_ignore: pi, exclude: p.exclude };
        walks.push(walk(p.root, &filters, false, &names, &watch, Some(&ancestors)));
    }
    Prewalked { walks, configs, ancestors, config_files }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{DiscoverOptions, Discovery, KnownFiles, discover};

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn run(paths: &[PathBuf], root: &Path, exclude: &[String], pre: Option<&Prewalked>) -> Discovery {
        discover(&DiscoverOptions {
            paths,
            exclude,
            force_exclude: false,
            stdin_path: None,
            overlays: None,
            sequential: true,
            known_root: Some(Some(root)),
            prewalked: pre,
            regular_files: None,
            targeted: false,
        })
    }

    fn summary(d: &Discovery) -> Vec<String> {
        let mut v: Vec<String> =
            d.files.iter().map(|f| format!("{} {:?} {}", f.path.display(), f.kind, f.reported)).collect();
        v.extend(d.errors.iter().map(|(p, e)| format!("error {} {e}", p.display())));
        v.extend(d.skipped.iter().map(|(p, e)| format!("skipped {} {e}", p.display())));
        v
    }

    /// A named path the caller already found to be a regular file is not looked up again:
    /// discovery takes the caller's word (here for a file that is gone by then, which
    /// reading reports later, as for any file deleted mid-run).
    #[test]
    fn named_files_the_caller_checked_are_not_looked_up_again() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("proj");
        write(&root, ".buckconfig", "[cells]\n  root = .\n");
        write(&root, "BUCK", "");
        let gone = root.join("gone/BUCK");
        let paths = vec![gone.clone()];
        let known: KnownFiles = [gone.clone()].into_iter().collect();
        let opts = |regular_files| DiscoverOptions {
            paths: &paths,
            exclude: &[],
            force_exclude: false,
            stdin_path: None,
            overlays: None,
            sequential: true,
            known_root: Some(Some(&root)),
            prewalked: None,
            regular_files,
            targeted: false,
        };
        let told = discover(&opts(Some(&known)));
        assert!(told.files.iter().any(|f| f.path == gone && f.reported), "{:?}", summary(&told));
        let looked = discover(&opts(None));
        assert!(!looked.files.iter().any(|f| f.path == gone), "{:?}", summary(&looked));
    }

    /// Ignore files above the walked root apply; when no directory above holds one the
    /// walk skips looking (same result, less work per entry).
    #[test]
    fn ignore_files_above_the_root_apply() {
        let t = tempfile::tempdir().unwrap();
        let outer = t.path().join("outer");
        let root = outer.join("proj");
        write(&root, ".buckconfig", "[cells]\n  root = .\n");
        write(&root, "BUCK", "");
        write(&root, "gen/BUCK", "");
        let found = || -> Vec<String> {
            let d = run(std::slice::from_ref(&root), &root, &[], None);
            d.files.iter().map(|f| f.path.strip_prefix(&root).unwrap().display().to_string()).collect()
        };
        assert_eq!(found(), [".buckconfig", "BUCK", "gen/BUCK"]);
        write(&outer, ".gitignore", "gen/\n");
        let memo = AncestorMemo::default();
        assert!(ancestors_ignore(&root, Some(&memo)));
        assert_eq!(memo.lock().unwrap().get(&outer), Some(&true));
        assert_eq!(found(), [".buckconfig", "BUCK"]);
        // an `.ignore` file, and a `.git` (whose `info/exclude` applies), count the same
        std::fs::remove_file(outer.join(".gitignore")).unwrap();
        write(&outer, ".ignore", "gen/\n");
        assert!(ancestors_ignore(&root, None));
        assert_eq!(found(), [".buckconfig", "BUCK"]);
    }

    /// Every project of a run finds with the shared walk exactly what its own walk finds:
    /// nested projects inside a directory the outer project ignores, nested projects with
    /// their own `[project] ignore` and build-file names, `.gitignore` files above and inside
    /// them, hidden directories, `buck-out`, and a nested root the outer walk cannot see.
    #[test]
    fn shared_walk_finds_what_each_walk_finds() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path().canonicalize().unwrap();
        write(&r, ".buckconfig", "[project]\nignore = tests, vendor\n");
        write(&r, ".gitignore", "/target/\n*.gen.bzl\n");
        write(&r, "BUCK", "");
        write(&r, "defs.bzl", "");
        write(&r, "a.gen.bzl", "");
        write(&r, "target/BUCK", "");
        write(&r, "vendor/BUCK", "");
        write(&r, "tests/BUCK", "");
        write(&r, "tests/.gitignore", "skipped/\n");
        write(&r, "tests/one/.buckconfig", "[project]\nignore = out\n");
        write(&r, "tests/one/BUCK", "");
        write(&r, "tests/one/out/BUCK", "");
        write(&r, "tests/one/sub/out/defs.bzl", "");
        write(&r, "tests/one/.hidden/BUCK", "");
        write(&r, "tests/one/buck-out/v2/BUCK", "");
        write(&r, "tests/one/x.gen.bzl", "");
        write(&r, "tests/two/.buckconfig", "[buildfile]\nname = TARGETS.fixture\n");
        write(&r, "tests/two/TARGETS.fixture", "");
        write(&r, "tests/two/BUCK", "");
        write(&r, "tests/two/inner/.gitignore", "*.bzl\n!keep.bzl\n");
        write(&r, "tests/two/inner/drop.bzl", "");
        write(&r, "tests/two/inner/keep.bzl", "");
        write(&r, "tests/skipped/three/.buckconfig", "");
        write(&r, "tests/skipped/three/BUCK", "");
        write(&r, ".hidden/four/.buckconfig", "");
        write(&r, ".hidden/four/BUCK", "");
        write(&r, "examples/five/.buckconfig", "");
        write(&r, "examples/five/BUCK", "");
        write(&r, "examples/five/six/.buckconfig", "");
        write(&r, "examples/five/six/defs.bzl", "");
        let roots: Vec<PathBuf> =
            ["", "tests/one", "tests/two", "tests/skipped/three", ".hidden/four", "examples/five", "examples/five/six"]
                .iter()
                .map(|s| if s.is_empty() { r.clone() } else { r.join(s) })
                .collect();
        let exclude = vec!["**/sub".to_string()];
        let projects: Vec<PrewalkProject<'_>> =
            roots.iter().map(|root| PrewalkProject { root, exclude: &exclude }).collect();
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        let pre = prewalk(&projects, &read, true);
        for root in &roots {
            let paths = vec![root.join("BUCK")];
            let own = run(&paths, root, &exclude, None);
            let shared = run(&paths, root, &exclude, Some(&pre));
            assert_eq!(summary(&shared), summary(&own), "project {}", root.display());
            assert!(!own.files.is_empty());
        }
        // the ones the outer walk goes through take their files from it
        let one =
            Filters { base: &roots[1], named_excluded: false, project_ignore: &["out".into()], exclude: &exclude };
        assert!(pre.walk_of(&roots[1], &one).is_some());
        let three = Filters { base: &roots[3], named_excluded: false, project_ignore: &[], exclude: &exclude };
        assert!(pre.walk_of(&roots[3], &three).is_none(), "a gitignored root walks on its own");
    }
}
