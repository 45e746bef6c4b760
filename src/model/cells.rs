//! Cells: the one reading of the root configuration's `[cells]`/`[repositories]`,
//! `[cell_aliases]`/`[repository_aliases]` and `[external_cells]`, and the lookups over it
//! (alias chains, the root of a cell, the cell and package of a directory). Used by the
//! engine's file selection (dependency cells, referenced packages, the toolchains cell) and
//! by the project model alike.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::parse::buckconfig::BuckConfigFile;

/// How many alias hops are followed (Buck2 rejects cycles; this bounds them).
const MAX_ALIAS_HOPS: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct Cells {
    /// The project root (the directory of the root `.buckconfig`).
    pub root: Option<PathBuf>,
    /// The name of the cell whose root is the project root (`root` when none is declared).
    pub root_cell: String,
    /// Cell name → absolute, normalized root directory.
    pub roots: HashMap<String, PathBuf>,
    /// Alias → the name it stands for (possibly another alias).
    pub aliases: HashMap<String, String>,
    /// `[external_cells]`: cell name → origin (`bundled`, `git`, …).
    pub external: HashMap<String, String>,
    /// The cells deepest root first (ties: the root cell, then by name), for
    /// [`Cells::cell_package_of`]; computed on first use.
    pub(crate) by_depth: std::sync::OnceLock<Vec<DepthEntry>>,
}

/// A cell of [`Cells::by_depth`]: its name, its root, and whether the root's bytes are its
/// components (a plainly normalised path, see [`crate::discover::strip_dir`]).
#[derive(Debug, Clone)]
pub(crate) struct DepthEntry {
    name: String,
    root: PathBuf,
    plain: bool,
}

impl DepthEntry {
    fn new(name: String, root: PathBuf) -> DepthEntry {
        let plain = plain(&root);
        DepthEntry { name, root, plain }
    }

    /// `crate::discover::is_within(dir, &self.root)`, given whether `dir` is plain.
    fn holds(&self, dir: &Path, dir_plain: bool) -> bool {
        if dir_plain && self.plain {
            let (p, d) = (dir.as_os_str().as_encoded_bytes(), self.root.as_os_str().as_encoded_bytes());
            return d.is_empty() || crate::discover::strip_plain(p, d).is_some();
        }
        crate::discover::is_within(dir, &self.root)
    }
}

#[cfg(unix)]
fn plain(p: &Path) -> bool {
    crate::discover::plain(p.as_os_str().as_encoded_bytes())
}

#[cfg(not(unix))]
fn plain(_: &Path) -> bool {
    false
}

impl Cells {
    /// The cells the root's configuration files declare (`cfgs`, in the order Buck2 layers
    /// them: `.buckconfig.d/*`, then `.buckconfig`; see [`crate::discover::config_layers`]),
    /// with `root` their directory. Without a configuration the root is the only cell, named
    /// `root`.
    pub fn new(root: &Path, cfgs: &[&BuckConfigFile]) -> Cells {
        let mut c = Cells { root: Some(root.to_path_buf()), root_cell: "root".into(), ..Cells::default() };
        for cfg in cfgs {
            for section in ["repositories", "cells"] {
                for e in cfg.section_entries(section) {
                    let dir = crate::discover::normalize(&root.join(&e.value));
                    if dir == root {
                        c.root_cell = e.key.clone();
                    }
                    c.roots.insert(e.key.clone(), dir);
                }
            }
            for section in ["repository_aliases", "cell_aliases"] {
                for e in cfg.section_entries(section) {
                    c.aliases.insert(e.key.clone(), e.value.clone());
                }
            }
            for e in cfg.section_entries("external_cells") {
                c.external.insert(e.key.clone(), e.value.clone());
            }
        }
        c.roots.entry(c.root_cell.clone()).or_insert_with(|| root.to_path_buf());
        c
    }

    /// Read the root's configuration files (an editor's unsaved text in `overlays` wins).
    pub fn read(root: Option<&Path>, overlays: &HashMap<PathBuf, String>) -> Cells {
        let Some(root) = root else { return Cells::default() };
        let cfgs = read_layers(root, overlays);
        Cells::new(root, &cfgs.iter().map(|(_, c)| c).collect::<Vec<_>>())
    }

    /// The canonical cell name of a name or alias (alias chains followed).
    pub fn canonical(&self, name: &str) -> String {
        let mut n = name;
        for _ in 0..MAX_ALIAS_HOPS {
            match self.aliases.get(n) {
                Some(a) => n = a,
                None => break,
            }
        }
        n.to_string()
    }

    /// The root directory of a cell, by name or alias; the empty name is the root cell.
    pub fn root_of(&self, name: &str) -> Option<&Path> {
        if name.is_empty() {
            return self.roots.get(&self.root_cell).map(PathBuf::as_path);
        }
        self.roots.get(&self.canonical(name)).map(PathBuf::as_path)
    }

    /// The cell and package (path relative to the cell root, `/`-separated) of a directory:
    /// the cell with the deepest root containing it.
    /// The file a `load()` string (`cell//pkg:f.bzl`, `//pkg:f.bzl`, `:f.bzl`, `@cell//…`)
    /// written in `from` names.
    pub fn load_path(&self, from: &Path, path: &str) -> Option<PathBuf> {
        let dir = from.parent()?;
        if let Some(rest) = path.strip_prefix(':') {
            return Some(dir.join(rest));
        }
        let p = path.strip_prefix('@').unwrap_or(path);
        let (cell, rest) = p.split_once("//")?;
        let cell_root = if cell.is_empty() {
            let (c, _) = self.cell_package_of(dir);
            self.roots.get(&c)?.clone()
        } else {
            self.root_of(cell)?.to_path_buf()
        };
        let (pkg, file) = match rest.split_once(':') {
            Some((pkg, file)) => (pkg, file),
            None => {
                let (pkg, file) = rest.rsplit_once('/').unwrap_or(("", rest));
                (pkg, file)
            }
        };
        Some(crate::discover::normalize(&cell_root.join(pkg).join(file)))
    }

    pub fn cell_package_of(&self, dir: &Path) -> (String, String) {
        let by_depth = self.by_depth.get_or_init(|| {
            let mut v: Vec<(usize, bool, &String, &PathBuf)> = self
                .roots
                .iter()
                .map(|(name, root)| (root.components().count(), *name != self.root_cell, name, root))
                .collect();
            v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
            v.into_iter().map(|(_, _, n, r)| DepthEntry::new(n.clone(), r.clone())).collect()
        });
        let rel = |base: &Path| {
            let s = crate::discover::strip_dir(dir, base).unwrap_or(dir).to_string_lossy();
            if cfg!(windows) { s.replace('\\', "/") } else { s.into_owned() }
        };
        // `dir`'s form is looked at once, not once per cell (the rules ask this for every file)
        let dir_plain = plain(dir);
        match by_depth.iter().find(|e| e.holds(dir, dir_plain)) {
            Some(e) => (e.name.clone(), rel(&e.root)),
            None => (self.root_cell.clone(), rel(self.root.as_deref().unwrap_or(Path::new("/")))),
        }
    }
}

/// The root's configuration files that exist, parsed, in layer order
/// ([`crate::discover::config_layers`]); an editor's unsaved text in `overlays` wins.
pub fn read_layers(root: &Path, overlays: &HashMap<PathBuf, String>) -> Vec<(PathBuf, BuckConfigFile)> {
    read_layers_with(root, overlays, None)
}

/// [`read_layers`], through the run's memo of configuration files when it has one.
pub fn read_layers_with(
    root: &Path,
    overlays: &HashMap<PathBuf, String>,
    memo: Option<&crate::discover::ConfigMemo>,
) -> Vec<(PathBuf, BuckConfigFile)> {
    let read = |p: &Path| overlays.get(p).cloned().or_else(|| std::fs::read_to_string(p).ok());
    let layers = match memo {
        Some(m) => m.layers(root).to_vec(),
        None => crate::discover::config_layers(root),
    };
    layers
        .into_iter()
        .filter_map(|p| {
            let text: std::sync::Arc<str> = match memo {
                Some(m) => m.text(&p, read)?,
                None => read(&p)?.into(),
            };
            let cfg = crate::parse::buckconfig::parse(&text);
            Some((p, cfg))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cell lookup's byte comparison answers as `is_within` does, for plain and other
    /// forms of both paths (`//`, `/./`, a trailing `/`, `.` and `..` components).
    #[test]
    fn depth_entries_hold_what_is_within_says() {
        let segs = ["", "/", "r", "rx", "r.x", ".", "..", "lib", "x"];
        let mut paths: Vec<String> = Vec::new();
        for a in segs {
            for b in segs {
                paths.push(format!("/{a}/{b}"));
                paths.push(format!("/{a}//{b}"));
                paths.push(format!("/{a}/./{b}/"));
                paths.push(format!("{a}/{b}"));
            }
        }
        for root in &paths {
            let e = DepthEntry::new("c".into(), PathBuf::from(root));
            for dir in &paths {
                let d = Path::new(dir);
                assert_eq!(e.holds(d, plain(d)), crate::discover::is_within(d, &e.root), "{dir:?} in {root:?}");
            }
        }
    }

    #[test]
    fn aliases_chain_and_cells_nest() {
        let cfg = crate::parse::buckconfig::parse(
            "[cells]\n  root = .\n  prelude = prelude\n  tp = third-party\n[cell_aliases]\n  config = prelude\n  fbsource = root\n  p = config\n[external_cells]\n  prelude = bundled\n",
        );
        let c = Cells::new(Path::new("/r"), &[&cfg]);
        assert_eq!(c.root_cell, "root");
        assert_eq!(c.canonical("p"), "prelude");
        assert_eq!(c.root_of("p"), Some(Path::new("/r/prelude")));
        assert_eq!(c.root_of(""), Some(Path::new("/r")));
        assert_eq!(c.root_of("nope"), None);
        assert_eq!(c.cell_package_of(Path::new("/r/third-party/rust")), ("tp".into(), "rust".into()));
        assert_eq!(c.cell_package_of(Path::new("/r/app/x")), ("root".into(), "app/x".into()));
        assert!(c.external.contains_key("prelude"));
    }

    #[test]
    fn two_names_for_one_directory_resolve_the_same_way_every_time() {
        // the cell a directory belongs to must not depend on hash-map order
        let cfg = crate::parse::buckconfig::parse("[cells]\n  zz = .\n  main = .\n  aa = .\n  b = lib\n  a = lib\n");
        for _ in 0..20 {
            let c = Cells::new(Path::new("/r"), &[&cfg]);
            assert_eq!(c.cell_package_of(Path::new("/r/x")), (c.root_cell.clone(), "x".into()));
            assert_eq!(c.cell_package_of(Path::new("/r/lib/y")), ("a".into(), "y".into()));
        }
    }

    #[test]
    fn alias_cycles_end() {
        let cfg = crate::parse::buckconfig::parse("[cells]\n  root = .\n[cell_aliases]\n  a = b\n  b = a\n");
        let c = Cells::new(Path::new("/r"), &[&cfg]);
        assert_eq!(c.root_of("a"), None);
    }

    #[test]
    fn later_layers_add_and_override() {
        // `.buckconfig.d/common.buckconfig` then `.buckconfig`, as facebook/buck2 splits them
        let d = crate::parse::buckconfig::parse(
            "[cells]\n  prelude = prelude\n[cell_aliases]\n  fbcode = none\n  config = prelude\n",
        );
        let b = crate::parse::buckconfig::parse("[cells]\n  main = .\n[cell_aliases]\n  fbcode = main\n");
        let c = Cells::new(Path::new("/r"), &[&d, &b]);
        assert_eq!(c.root_cell, "main");
        assert_eq!(c.root_of("config"), Some(Path::new("/r/prelude")));
        assert_eq!(c.canonical("fbcode"), "main");
    }
}
