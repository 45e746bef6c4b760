//! `check --changed-since REV`: the files changed since a git revision, plus every file whose
//! findings their change can affect through the project model:
//! - a `.buckconfig` (cells, includes, execution platforms) or the lint config: every file;
//! - a `.bzl`/`.bxl`: the files that `load()` it, transitively (macros, constants, the
//!   execution platforms a `BUCK` instantiates: the remote-execution rules run there);
//! - a build file: the build files that reference its package by label (dependency rules report
//!   at the dependency, in the referencing file);
//! - a crate's `fixups.toml`: the generated `BUCK` of its Reindeer project
//!   (`fixups-buck-out-of-sync` and the build-script rules report there);
//! - a `reindeer.toml`, or the `Cargo.lock`/`Cargo.toml` it names: its generated `BUCK` and
//!   every fixups file of the project.
//!
//! Deleted files count as changed for the files that depended on them.

use super::*;

/// What a `--changed-since` run lints, and why each file is in it.
pub struct ChangedSet {
    /// Absolute paths, sorted.
    pub paths: Vec<PathBuf>,
    /// (display path, why), in the order they were pulled in.
    pub reasons: Vec<(String, String)>,
}

/// Paths changed since `rev` in the git work tree around `cwd`: committed, staged and
/// unstaged changes, deleted files, and untracked files that are not ignored.
fn git_changed(rev: &str, cwd: &Path) -> Result<Vec<PathBuf>, String> {
    let git = |args: &[&str], dir: &Path| -> Result<Vec<u8>, String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(out.stdout)
    };
    let top = git(&["rev-parse", "--show-toplevel"], cwd)?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    // `--end-of-options` keeps a revision that starts with `-` from being read as a flag
    git(&["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")], &top)
        .map_err(|_| format!("`{rev}` is not a revision of the git repository at {}", top.display()))?;
    let mut out = Vec::new();
    for args in [
        &["diff", "--name-only", "-z", "--no-renames", rev, "--"][..],
        &["ls-files", "--others", "--exclude-standard", "-z"][..],
    ] {
        for name in git(args, &top)?.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            out.push(discover::normalize(&top.join(String::from_utf8_lossy(name).as_ref())));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The files a `--changed-since REV` run lints (see the module docs).
pub fn changed_since(rev: &str, opts: &RunOptions, settings: &Settings) -> Result<ChangedSet, String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let changed = git_changed(rev, &cwd)?;
    // what a change can affect is judged over everything the paths hold, with the whole
    // project's context (its Reindeer projects wherever they are)
    let sel = select(&RunOptions { targeted_context: false, ..opts.clone() }, settings, &cwd);
    let reported: Vec<&crate::files::FileEntry> = sel.files.iter().filter(|f| f.reported).collect();
    let by_path: FxMap<&Path, &crate::files::FileEntry> = reported.iter().map(|f| (f.path.as_path(), *f)).collect();
    let mut set = Picked::default();
    let display = |p: &Path| crate::source::display_path(p, &cwd);

    // a configuration change can change any finding
    if let Some(c) = changed.iter().find(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        name.starts_with(".buckconfig")
            || p.components().any(|c| c.as_os_str() == ".buckconfig.d")
            || crate::config::CONFIG_NAMES.contains(&name.as_str())
            || settings.config_path.as_deref().is_some_and(|cp| discover::normalize(cp) == **p)
    }) {
        let why = format!("{} changed (configuration: every file)", display(c));
        for f in &reported {
            set.add(&f.path, &f.display, &why);
        }
        return Ok(set.done());
    }
    for p in &changed {
        if let Some(f) = by_path.get(p.as_path()) {
            set.add(&f.path, &f.display, "changed");
        }
    }
    // Reindeer projects: fixups and the lock/manifest reach the generated BUCK
    let layouts = reindeer_layouts(&sel.disc.files, &sel.overlays);
    let build_in = |dir: &Path| {
        reported
            .iter()
            .filter(|f| f.kind == FileKind::Build && f.path.parent() == Some(dir))
            .copied()
            .collect::<Vec<_>>()
    };
    for l in &layouts {
        let project_inputs = [l.dir.join("reindeer.toml"), l.lock_path.clone(), l.manifest_path.clone()];
        if let Some(c) = changed.iter().find(|p| project_inputs.contains(p)) {
            let why = format!("{} changed (its Reindeer project)", display(c));
            for f in reported.iter().filter(|f| f.kind == FileKind::Fixups && l.fixups_package(&f.path).is_some()) {
                set.add(&f.path, &f.display, &why);
            }
            for f in build_in(&l.third_party_dir) {
                set.add(&f.path, &f.display, &why);
            }
            if let Some(f) = by_path.get(l.dir.join("reindeer.toml").as_path()) {
                set.add(&f.path, &f.display, &why);
            }
        }
        for c in changed.iter().filter(|p| p.file_name().is_some_and(|n| n == "fixups.toml")) {
            if let Some(pkg) = l.fixups_package(c) {
                let why = format!("fixups of `{pkg}` changed ({})", display(c));
                for f in build_in(&l.third_party_dir) {
                    set.add(&f.path, &f.display, &why);
                }
            }
        }
    }
    // Starlark: loaders of changed .bzl files (transitively), referrers of changed packages
    let starlark: Vec<&crate::files::FileEntry> = reported.iter().filter(|f| f.kind.is_starlark()).copied().collect();
    let index = super::lookup::Index::of(&sel.files);
    let modules = Modules::default();
    let mut queue: Vec<PathBuf> =
        changed.iter().filter(|p| p.extension().is_some_and(|e| e == "bzl" || e == "bxl")).cloned().collect();
    let mut seen: std::collections::HashSet<PathBuf> = queue.iter().cloned().collect();
    while let Some(bzl) = queue.pop() {
        let Some(name) = bzl.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let target_id = index.file(&bzl);
        for f in &starlark {
            if f.path == bzl || !modules.text(f).contains(name.as_str()) {
                continue;
            }
            let Some(m) = modules.module(f) else { continue };
            let mut loaded = Refs::default();
            loaded_files(&m, &f.path, &sel.cells, &index, &mut loaded);
            let loads_it = match target_id {
                Some(id) => loaded.known.contains(&id),
                // deleted: compare the load's resolved path by name
                None => m
                    .loads
                    .iter()
                    .any(|l| l.module.ends_with(&format!(":{name}")) || l.module.ends_with(&format!("/{name}"))),
            };
            if loads_it {
                set.add(&f.path, &f.display, &format!("loads {}", display(&bzl)));
                if f.kind == FileKind::Bzl && seen.insert(f.path.clone()) {
                    queue.push(f.path.clone());
                }
            }
        }
    }
    for p in changed.iter().filter(|p| {
        by_path.get(p.as_path()).is_some_and(|f| f.kind == FileKind::Build) || (!p.exists() && is_build_name(p))
    }) {
        let Some(dir) = p.parent() else { continue };
        let Some(pkg) =
            sel.cells.roots.values().filter_map(|r| dir.strip_prefix(r).ok()).min_by_key(|r| r.as_os_str().len())
        else {
            continue;
        };
        let needle = format!("//{}", pkg.to_string_lossy());
        for f in &starlark {
            if f.path == *p || !modules.text(f).contains(needle.as_str()) {
                continue;
            }
            let Some(m) = modules.module(f) else { continue };
            let mut refs = Refs::default();
            referenced_build_files(&m, &f.path, &sel.cells, &index, &mut refs);
            let hit = match index.file(p).filter(|id| sel.files.get(*id).kind == FileKind::Build) {
                Some(id) => refs.known.contains(&id),
                None => true,
            };
            if hit {
                set.add(&f.path, &f.display, &format!("references package {} ({})", needle, display(p)));
            }
        }
    }
    Ok(set.done())
}

fn is_build_name(p: &Path) -> bool {
    p.file_name().is_some_and(|n| matches!(n.to_str(), Some("BUCK" | "BUCK.v2" | "TARGETS" | "TARGETS.v2")))
}

#[derive(Default)]
struct Picked {
    paths: Vec<PathBuf>,
    reasons: Vec<(String, String)>,
    seen: std::collections::HashSet<PathBuf>,
}

impl Picked {
    fn add(&mut self, path: &Path, display: &str, why: &str) {
        if self.seen.insert(path.to_path_buf()) {
            self.paths.push(path.to_path_buf());
            self.reasons.push((display.to_string(), why.to_string()));
        }
    }
    fn done(mut self) -> ChangedSet {
        self.paths.sort();
        ChangedSet { paths: self.paths, reasons: self.reasons }
    }
}

/// Texts and lowered modules of the Starlark files, each read and parsed at most once (a file
/// is a candidate for every changed `.bzl` and package whose name its text contains).
#[derive(Default)]
struct Modules {
    texts: std::cell::RefCell<HashMap<PathBuf, std::rc::Rc<str>>>,
    modules: std::cell::RefCell<HashMap<PathBuf, Option<std::rc::Rc<crate::model::ir::Module>>>>,
}

impl Modules {
    fn text(&self, f: &crate::files::FileEntry) -> std::rc::Rc<str> {
        self.texts
            .borrow_mut()
            .entry(f.path.clone())
            .or_insert_with(|| std::fs::read_to_string(&f.path).unwrap_or_default().into())
            .clone()
    }
    fn module(&self, f: &crate::files::FileEntry) -> Option<std::rc::Rc<crate::model::ir::Module>> {
        if let Some(m) = self.modules.borrow().get(&f.path) {
            return m.clone();
        }
        let text = self.text(f);
        let m = match crate::parse::parse(f.kind, &f.display, &text).parsed {
            crate::parse::Parsed::Starlark { module, .. } => Some(std::rc::Rc::new(module)),
            _ => None,
        };
        self.modules.borrow_mut().insert(f.path.clone(), m.clone());
        m
    }
}
