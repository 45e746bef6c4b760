//! Context looked up instead of walked ([`RunOptions::targeted_context`]).
//!
//! A run that names only files lists the project root's own directory (and its
//! `.buckconfig.d/`), not the whole tree. What the cross-file rules need besides is found
//! from the named files and what they lead to, as Buck2 itself finds it:
//! - up front: the toolchains cell (walked whole), and each Reindeer project whose
//!   `reindeer.toml` lies in the root directory or above a named Reindeer file (`fixups.toml`,
//!   `Cargo.lock`, `Cargo.toml`): its `reindeer.toml`, its third-party and fixups
//!   directories (walked whole), its manifest and lock;
//! - while the files are processed: the build file of each package a label references, each
//!   file a `load()` reaches, and the Reindeer project above each build file that Reindeer
//!   generated outside every known third-party directory.
//!
//! What is not looked up: `.bzl` files that nothing named reaches (the walk kept those that
//! mention execution platforms or toolchains), and build files of packages that nothing
//! references.
use super::*;
use crate::discover::{Found, RootConfig};
use std::ffi::OsString;

pub(super) struct Lookup {
    root: PathBuf,
    root_config: RootConfig,
    exclude: Vec<String>,
    cwd: PathBuf,
    /// Dependency cells' roots: their files' findings are restricted ([`Restrict::Dependency`]).
    pub(super) dependency_roots: Vec<PathBuf>,
    /// The directories of the Reindeer manifests: a `Cargo.lock` or `Cargo.toml` elsewhere is
    /// not read (as in [`select`]).
    pub(super) lock_dirs: Vec<PathBuf>,
    /// Directories walked whole.
    walked: Vec<PathBuf>,
    /// Directories already searched for a `reindeer.toml` (and the ones above them).
    reindeer_searched: rustc_hash::FxHashSet<OsString>,
    /// The `reindeer.toml` files whose projects were added.
    reindeer: Vec<PathBuf>,
    /// Their third-party directories.
    pub(super) third_party: Vec<PathBuf>,
    /// Package directories whose build file was looked for.
    packages: rustc_hash::FxHashSet<OsString>,
    /// What the walks of whole directories could not read, and the links they skipped, with
    /// why (reported as the walk of the root reports them).
    pub(super) errors: Vec<(PathBuf, String)>,
    pub(super) skipped: Vec<(PathBuf, String)>,
}

/// The run's files by path and its build files by directory (the first in path order where a
/// directory has two), keyed by the bytes of the normalised paths.
#[derive(Default)]
pub(super) struct Index {
    pub(super) files: FxMap<OsString, FileId>,
    pub(super) build_dirs: FxMap<OsString, FileId>,
}

impl Index {
    pub(super) fn of(files: &Files) -> Index {
        let mut index = Index::default();
        for f in files.iter() {
            index.insert(f);
        }
        index
    }

    fn insert(&mut self, f: &crate::files::FileEntry) {
        self.files.insert(f.path.as_os_str().to_owned(), f.id);
        if f.kind == FileKind::Build {
            if let Some(d) = f.path.parent() {
                // ids of one directory's files follow their path order
                self.build_dirs.entry(d.as_os_str().to_owned()).or_insert(f.id);
            }
        }
    }

    pub(super) fn file(&self, path: &Path) -> Option<FileId> {
        self.files.get(path.as_os_str()).copied()
    }

    pub(super) fn build_file_in(&self, dir: &Path) -> Option<FileId> {
        self.build_dirs.get(dir.as_os_str()).copied()
    }
}

impl Lookup {
    pub(super) fn new(root: &Path, root_config: &RootConfig, exclude: &[String], cwd: &Path) -> Lookup {
        Lookup {
            root: root.to_path_buf(),
            root_config: root_config.clone(),
            exclude: exclude.to_vec(),
            cwd: cwd.to_path_buf(),
            dependency_roots: Vec::new(),
            lock_dirs: Vec::new(),
            walked: Vec::new(),
            reindeer_searched: Default::default(),
            reindeer: Vec::new(),
            third_party: Vec::new(),
            packages: Default::default(),
            errors: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn pruned(&self, path: &Path) -> bool {
        discover::pruned_by_name(path, &self.root, &self.root_config, &self.exclude)
    }

    /// The context known before any file is read: the toolchains cell, and the Reindeer
    /// projects of the `reindeer.toml` files discovery found (the root directory's) and of
    /// the named Reindeer files.
    pub(super) fn initial_context(
        &mut self,
        found: &[Found],
        cells: &Cells,
        overlays: &HashMap<PathBuf, String>,
    ) -> Vec<Found> {
        let mut out = Vec::new();
        if let Some(tc) = cells.root_of("toolchains").filter(|tc| *tc != self.root.as_path()) {
            let tc = tc.to_path_buf();
            out.extend(self.walk_dir(&tc));
        }
        let mut tomls: Vec<PathBuf> =
            found.iter().filter(|f| f.kind == FileKind::ReindeerToml).map(|f| f.path.clone()).collect();
        for f in found {
            if f.reported && matches!(f.kind, FileKind::Fixups | FileKind::CargoLock | FileKind::CargoToml) {
                tomls.extend(self.reindeer_above(&f.path));
            }
        }
        for t in tomls {
            out.extend(self.reindeer_project(&t, overlays));
        }
        out
    }

    /// The nearest `reindeer.toml` in the directory of `path` or above it (up to the root),
    /// unless a search through that directory was made before (its result is known).
    fn reindeer_above(&mut self, path: &Path) -> Option<PathBuf> {
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| discover::is_within(d, &self.root)) {
            if !self.reindeer_searched.insert(d.as_os_str().to_owned()) {
                return None;
            }
            let toml = d.join("reindeer.toml");
            if toml.is_file() && !self.pruned(&toml) {
                return Some(toml);
            }
            dir = d.parent();
        }
        None
    }

    /// A Reindeer project's files: its `reindeer.toml`, everything below its third-party and
    /// fixups directories, its manifest and its lock. Empty when the project was added before.
    fn reindeer_project(&mut self, toml: &Path, overlays: &HashMap<PathBuf, String>) -> Vec<Found> {
        if self.reindeer.iter().any(|t| t == toml) {
            return Vec::new();
        }
        self.reindeer.push(toml.to_path_buf());
        let mut out = vec![Found { path: toml.to_path_buf(), kind: FileKind::ReindeerToml, reported: false }];
        let doc = read_text(toml, overlays).parse::<toml_edit::DocumentMut>().unwrap_or_default();
        let layout = Layout::of(toml.parent().unwrap_or(Path::new("/")), doc.as_table());
        if let Some(d) = layout.manifest_path.parent() {
            self.lock_dirs.push(d.to_path_buf());
        }
        self.third_party.push(layout.third_party_dir.clone());
        out.extend(self.walk_dir(&layout.third_party_dir));
        out.extend(self.walk_dir(&layout.fixups_dir));
        // `PACKAGE` files above the third-party directory apply to it
        let mut dir = layout.third_party_dir.parent();
        while let Some(d) = dir.filter(|d| discover::is_within(d, &self.root)) {
            for name in ["PACKAGE", "BUCK_TREE"] {
                let p = d.join(name);
                if !self.pruned(&p) && p.is_file() {
                    out.push(Found { path: p, kind: FileKind::Package, reported: false });
                }
            }
            dir = d.parent();
        }
        for p in [&layout.manifest_path, &layout.lock_path] {
            if let Some(kind) = discover::classify(p, &self.root_config.build_file_names) {
                if !self.pruned(p) && p.is_file() {
                    out.push(Found { path: p.clone(), kind, reported: false });
                }
            }
        }
        out
    }

    /// Everything the walk of the root would find below `dir`, once.
    fn walk_dir(&mut self, dir: &Path) -> Vec<Found> {
        if self.walked.iter().any(|w| discover::is_within(dir, w)) || self.pruned(dir) || !dir.is_dir() {
            return Vec::new();
        }
        self.walked.retain(|w| !discover::is_within(w, dir));
        self.walked.push(dir.to_path_buf());
        let walked = discover::walk_context(dir, &self.root, &self.root_config, &self.exclude);
        self.errors.extend(walked.errors);
        self.skipped.extend(walked.skipped);
        walked.files
    }

    /// The Reindeer project of a build file Reindeer generated outside every known
    /// third-party directory.
    pub(super) fn generated(&mut self, build_file: &Path, overlays: &HashMap<PathBuf, String>) -> Vec<Found> {
        match self.reindeer_above(build_file) {
            Some(toml) => self.reindeer_project(&toml, overlays),
            None => Vec::new(),
        }
    }

    /// The build file of a package directory that the run does not know yet.
    pub(super) fn package(&mut self, dir: &Path) -> Option<Found> {
        // most labels that name no known package name no directory either (another cell's
        // path mapped onto this one): one look at the directory instead of one per name
        if !self.packages.insert(dir.as_os_str().to_owned()) || self.pruned(dir) || !dir.is_dir() {
            return None;
        }
        let mut names: Vec<&String> = self.root_config.build_file_names.iter().collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        names.into_iter().map(|n| dir.join(n)).find(|p| p.is_file()).map(|path| Found {
            path,
            kind: FileKind::Build,
            reported: false,
        })
    }

    /// A file that a `load()` reaches, when the run does not know it yet.
    pub(super) fn loaded(&self, path: &Path) -> Option<Found> {
        let kind = discover::classify(path, &self.root_config.build_file_names)?;
        (!self.pruned(path) && path.is_file()).then(|| Found { path: path.to_path_buf(), kind, reported: false })
    }

    /// Add files found while the run goes on (the ones it does not know, and no `Cargo.lock`
    /// or `Cargo.toml` but a Reindeer project's): their ids, in path order.
    pub(super) fn add(&self, files: &mut Files, index: &mut Index, mut found: Vec<Found>) -> Vec<FileId> {
        found.sort_by(|a, b| discover::path_cmp(&a.path, &b.path));
        found.dedup_by(|a, b| a.path == b.path);
        let mut ids = Vec::new();
        for f in found {
            if index.file(&f.path).is_some()
                || (matches!(f.kind, FileKind::CargoLock | FileKind::CargoToml)
                    && !self.lock_dirs.iter().any(|d| f.path.parent() == Some(d.as_path())))
            {
                continue;
            }
            let display = crate::source::display_path(&f.path, &self.cwd);
            let id = files.add(f.path.clone(), display, f.kind, false);
            if self.dependency_roots.iter().any(|r| f.path.starts_with(r)) {
                files.restrict(&[id], Restrict::Dependency);
            }
            index.insert(files.get(id));
            ids.push(id);
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(root: &Path, ignore: &[&str]) -> Lookup {
        let rc = RootConfig {
            build_file_names: discover::DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect(),
            project_ignore: ignore.iter().map(|s| s.to_string()).collect(),
        };
        Lookup::new(root, &rc, &[], root)
    }

    fn touch(root: &Path, rel: &str) -> PathBuf {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "").unwrap();
        p
    }

    #[test]
    fn a_package_is_its_first_build_file_in_path_order_looked_up_once() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        touch(root, "a/TARGETS");
        let buck_v2 = touch(root, "a/BUCK.v2");
        touch(root, "skip/BUCK");
        touch(root, ".hidden/BUCK");
        touch(root, "buck-out/v2/BUCK");
        let mut l = lookup(root, &["skip"]);
        let found = l.package(&root.join("a")).expect("a/ has a build file");
        assert_eq!((found.path, found.kind, found.reported), (buck_v2, FileKind::Build, false));
        assert!(l.package(&root.join("a")).is_none(), "a directory is looked up once");
        for pruned in ["skip", ".hidden", "buck-out/v2", "missing"] {
            assert!(l.package(&root.join(pruned)).is_none(), "{pruned}");
        }
        assert!(l.package(d.path().parent().unwrap()).is_none(), "outside the root");
    }

    #[test]
    fn the_nearest_reindeer_toml_above_is_found_once_per_directory() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        let outer = touch(root, "reindeer.toml");
        let inner = touch(root, "third-party/snap/reindeer.toml");
        touch(root, "third-party/snap/fixups/x/fixups.toml");
        let mut l = lookup(root, &[]);
        assert_eq!(l.reindeer_above(&root.join("third-party/snap/fixups/x/fixups.toml")), Some(inner));
        // the directories searched on the way know their answer: nothing new from below them
        assert_eq!(l.reindeer_above(&root.join("third-party/snap/fixups/y/BUCK")), None);
        assert_eq!(l.reindeer_above(&root.join("app/BUCK")), Some(outer));
    }

    #[test]
    fn added_files_skip_known_paths_and_foreign_locks_and_keep_dependency_cells_restricted() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        let mut l = lookup(root, &[]);
        l.dependency_roots = vec![root.join("prelude")];
        l.lock_dirs = vec![root.join("third-party")];
        let mut files = Files::new();
        let known = files.add(root.join("BUCK"), "BUCK".into(), FileKind::Build, true);
        let mut index = Index::of(&files);
        let found = |rel: &str, kind| Found { path: root.join(rel), kind, reported: false };
        let ids = l.add(
            &mut files,
            &mut index,
            vec![
                found("prelude/rust.bzl", FileKind::Bzl),
                found("BUCK", FileKind::Build),
                found("third-party/Cargo.lock", FileKind::CargoLock),
                found("app/Cargo.lock", FileKind::CargoLock),
                found("app/BUCK", FileKind::Build),
                found("app/BUCK", FileKind::Build),
            ],
        );
        let added: Vec<(&str, Restrict, bool)> =
            ids.iter().map(|id| files.get(*id)).map(|f| (f.display.as_str(), f.restrict, f.reported)).collect();
        assert_eq!(
            added,
            [
                ("app/BUCK", Restrict::None, false),
                ("prelude/rust.bzl", Restrict::Dependency, false),
                ("third-party/Cargo.lock", Restrict::None, false),
            ]
        );
        assert_eq!(index.file(&root.join("BUCK")), Some(known));
        assert_eq!(index.build_file_in(&root.join("app")), Some(ids[0]));
    }
}
