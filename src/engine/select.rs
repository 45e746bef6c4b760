//! File selection: which discovered files a run reads and reports on (Reindeer layouts,
//! dependency cells, orphan fixups directories), and which build files a narrow run also
//! needs (referenced packages, loaded `.bzl` files, the execution platforms' package).
use super::lookup::Lookup;
use super::*;

/// Discovery and the engine's choice of files: what a run reads, and what it reports on.
pub(super) struct Selected {
    pub(super) disc: discover::Discovery,
    pub(super) files: Files,
    pub(super) overlays: HashMap<PathBuf, String>,
    pub(super) third_party_dirs: Vec<PathBuf>,
    pub(super) cells: Cells,
    /// The root `.buckconfig`, parsed once for the file selection.
    /// The root's configuration files in layer order ([`crate::discover::config_layers`]).
    pub(super) root_config: Vec<crate::parse::buckconfig::BuckConfigFile>,
    /// How a run that looks its context up finds more of it while it runs (`None`: the
    /// project root was walked, every context file is known).
    pub(super) lookup: Option<Lookup>,
}

pub(super) fn select(opts: &RunOptions, settings: &Settings, cwd: &Path) -> Selected {
    let stdin_path = opts.stdin.as_ref().map(|(p, _)| discover::normalize(&cwd.join(p)));
    let mut paths = opts.paths.clone();
    if let Some(p) = &stdin_path {
        paths.retain(|x| x.as_os_str() != "-");
        paths.push(p.clone());
    }
    let mut overlays: HashMap<PathBuf, String> =
        opts.overlays.iter().map(|(p, t)| (discover::normalize(&cwd.join(p)), t.clone())).collect();
    if let (Some(p), Some((_, text))) = (&stdin_path, &opts.stdin) {
        overlays.insert(p.clone(), text.clone());
    }
    let mut disc = discover::discover(&DiscoverOptions {
        paths: &paths,
        exclude: &settings.exclude,
        force_exclude: opts.force_exclude,
        stdin_path: stdin_path.as_deref(),
        overlays: Some(&overlays),
        sequential: opts.sequential_walk,
        known_root: opts.known_root.as_ref().map(|r| r.as_deref()),
        prewalked: opts.prewalked.as_deref(),
        regular_files: opts.regular_files.as_deref(),
        targeted: opts.targeted_context,
    });
    let root_config: Vec<crate::parse::buckconfig::BuckConfigFile> = match disc.root.as_deref() {
        Some(root) => {
            let memo = opts.prewalked.as_deref().map(|p| &p.config_files);
            crate::model::cells::read_layers_with(root, &overlays, memo).into_iter().map(|(_, c)| c).collect()
        }
        None => Vec::new(),
    };
    let cells = match disc.root.as_deref() {
        Some(root) => Cells::new(root, &root_config.iter().collect::<Vec<_>>()),
        None => Cells::default(),
    };
    let mut lookup = match (&disc.root, disc.targeted) {
        (Some(root), true) => Some(Lookup::new(root, &disc.root_config, &settings.exclude, cwd)),
        _ => None,
    };
    if let Some(l) = lookup.as_mut() {
        let mut more = l.initial_context(&disc.files, &cells, &overlays);
        disc.files.append(&mut more);
        disc.files.sort_by(|a, b| discover::path_cmp(&a.path, &b.path));
        disc.files.dedup_by(|later, kept| {
            let same = later.path == kept.path;
            kept.reported |= same && later.reported;
            same
        });
    }
    let mut files = Files::new();
    // Cargo.lock / Cargo.toml are only read next to a manifest a reindeer.toml names, or when asked for.
    let layouts = reindeer_layouts(&disc.files, &overlays);
    let lock_dirs: Vec<PathBuf> =
        layouts.iter().filter_map(|l| l.manifest_path.parent().map(Path::to_path_buf)).collect();
    let third_party_dirs: Vec<PathBuf> = layouts.iter().map(|l| l.third_party_dir.clone()).collect();
    // the paths asked for, normalized once (a pre-commit run names thousands of files)
    let asked: std::collections::HashSet<PathBuf> = paths.iter().map(|p| discover::normalize(&cwd.join(p))).collect();
    for f in &disc.files {
        if matches!(f.kind, FileKind::CargoLock | FileKind::CargoToml)
            && !asked.contains(&f.path)
            && !lock_dirs.iter().any(|d| f.path.parent() == Some(d.as_path()))
        {
            continue;
        }
        let display = crate::source::display_path(&f.path, cwd);
        files.add(f.path.clone(), display, f.kind, f.reported);
    }
    if !settings.lint_dependency_cells {
        let roots = dependency_roots(disc.root.as_deref(), &cells, settings, &paths, cwd);
        files.restrict_below(&roots, Restrict::Dependency);
        if let Some(l) = lookup.as_mut() {
            l.dependency_roots = roots;
        }
    }
    if let Some(l) = lookup.as_mut() {
        // every layout's manifest directory, those of the projects found up front among them
        l.lock_dirs = lock_dirs;
    }
    let orphans = orphan_fixups(&files, &layouts, &overlays, settings, disc.root.as_deref().unwrap_or(cwd));
    files.restrict(&orphans, Restrict::OrphanFixups);
    Selected { disc, files, overlays, third_party_dirs, cells, root_config, lookup }
}

/// A reported file: display path, kind, and which findings it may get.
pub type ReportedFile = (String, FileKind, Restrict);

/// The files a run would report on, in path order, and the paths discovery skipped (with
/// why): for `check --show-files`.
pub fn reported_files(opts: &RunOptions, settings: &Settings) -> (Vec<ReportedFile>, Vec<(String, String)>) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let sel = select(opts, settings, &cwd);
    let mut out: Vec<ReportedFile> =
        sel.files.iter().filter(|f| f.reported).map(|f| (f.display.clone(), f.kind, f.restrict)).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let skipped = sel.disc.skipped.iter().map(|(p, e)| (crate::source::display_path(p, &cwd), e.clone())).collect();
    (out, skipped)
}

/// The layouts of the `reindeer.toml` files found (see [`Layout`]).
pub(super) fn reindeer_layouts(found: &[discover::Found], overlays: &HashMap<PathBuf, String>) -> Vec<Layout> {
    found
        .iter()
        .filter(|f| f.kind == FileKind::ReindeerToml)
        .map(|f| {
            let text = read_text(&f.path, overlays);
            let doc = text.parse::<toml_edit::DocumentMut>().unwrap_or_default();
            Layout::of(f.path.parent().unwrap_or(Path::new("/")), doc.as_table())
        })
        .collect()
}

pub(super) fn read_text(path: &Path, overlays: &HashMap<PathBuf, String>) -> String {
    match overlays.get(path) {
        Some(t) => t.clone(),
        None => std::fs::read_to_string(path).unwrap_or_default(),
    }
}

/// Fixups files that Reindeer never reads: their directory names no package of the lock of
/// any Reindeer project whose fixups directory holds them (only `fixup-orphan-dir` is
/// reported there). Unknown (no readable lock) counts as read.
pub(super) fn orphan_fixups(
    files: &Files,
    layouts: &[Layout],
    overlays: &HashMap<PathBuf, String>,
    settings: &Settings,
    root: &Path,
) -> Vec<FileId> {
    let names: Vec<Option<std::collections::HashSet<String>>> = layouts
        .iter()
        .map(|l| {
            let doc = read_text(&l.lock_path, overlays).parse::<toml_edit::DocumentMut>().ok()?;
            let names: std::collections::HashSet<String> =
                crate::model::reindeer::locked_names(doc.as_table()).into_iter().map(String::from).collect();
            (!names.is_empty()).then_some(names)
        })
        .collect();
    files
        .iter()
        .filter(|f| f.kind == FileKind::Fixups)
        .filter(|f| !rules::fixups::shared_fixups_path(settings, &f.path, &rel_to(&f.path, root)))
        .filter(|f| {
            let mut owners =
                layouts.iter().zip(&names).filter_map(|(l, n)| Some((l.fixups_package(&f.path)?, n))).peekable();
            owners.peek().is_some() && owners.all(|(dir, n)| n.as_ref().is_some_and(|n| !n.contains(&dir)))
        })
        .map(|f| f.id)
        .collect()
}

/// Roots of the dependency cells: the cells named in `[lint] dependency-cells` (the prelude
/// by default) and the `[external_cells]` of the root `.buckconfig`, wherever they live, but
/// never the root cell itself, and not a cell that a path named on the command line lies in.
pub(super) fn dependency_roots(
    root: Option<&Path>,
    cells: &Cells,
    settings: &Settings,
    paths: &[PathBuf],
    cwd: &Path,
) -> Vec<PathBuf> {
    let Some(root) = root else { return Vec::new() };
    let mut names: Vec<String> = settings.dependency_cells.clone();
    names.extend(cells.external.keys().cloned());
    let named: Vec<PathBuf> = paths.iter().map(|p| discover::normalize(&cwd.join(p))).collect();
    let mut out: Vec<PathBuf> = names
        .iter()
        .filter_map(|n| cells.roots.get(n))
        .filter(|r| r.as_path() != root && !root.starts_with(r))
        .filter(|r| !named.iter().any(|p| p.starts_with(r)))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What a processed file references: the files the run knows, and (when it looks its
/// context up, `record_misses`) the package directories and `load()` targets it does not.
#[derive(Default)]
pub(super) struct Refs {
    pub(super) known: Vec<FileId>,
    pub(super) packages: Vec<PathBuf>,
    pub(super) loads: Vec<PathBuf>,
    pub(super) record_misses: bool,
}

/// The package directory of a label (relative ones: `from_dir`).
fn package_dir(label: &str, from_dir: &Path, cells: &Cells) -> Option<PathBuf> {
    if label.starts_with(':') {
        return Some(from_dir.to_path_buf());
    }
    let l = crate::model::label::Label::parse(label, "", "")?;
    let root = cells.root_of(&l.cell).or_else(|| cells.root_of(""))?;
    // a package path is plain but for the odd `.` or empty component (normalising every
    // label's path cost more than the lookup)
    Some(match l.package.as_str() {
        "" => root.to_path_buf(),
        p if p.split('/').all(|c| !matches!(c, "" | "." | "..")) => root.join(p),
        p => discover::normalize(&root.join(p)),
    })
}

/// Build files of the packages a build file's targets reference by label.
pub(super) fn referenced_build_files(
    m: &crate::model::ir::Module,
    path: &Path,
    cells: &Cells,
    index: &lookup::Index,
    out: &mut Refs,
) {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut seen_dirs: Vec<String> = Vec::new();
    let ir = m.calls.iter().flat_map(|c| c.args.iter().map(|a| crate::model::ExprRef::Ir(&a.value)));
    let packed = m.packed.calls().flat_map(|c| c.args().map(|a| crate::model::ExprRef::Packed(a.value)));
    for value in ir.chain(packed) {
        for (s, _) in value.string_literals() {
            if !(s.starts_with("//") || s.starts_with('@') || s.contains("//")) || s.contains("$(") {
                continue;
            }
            let key = s.split(':').next().unwrap_or(s).to_string();
            if seen_dirs.contains(&key) {
                continue;
            }
            seen_dirs.push(key);
            let Some(pkg) = package_dir(s, dir, cells) else { continue };
            match index.build_file_in(&pkg) {
                Some(id) => out.known.push(id),
                None if out.record_misses => out.packages.push(pkg),
                None => {}
            }
        }
    }
}

/// Files a module `load()`s (so constants and macros they define are known in narrow runs).
pub(super) fn loaded_files(
    m: &crate::model::ir::Module,
    path: &Path,
    cells: &Cells,
    index: &lookup::Index,
    out: &mut Refs,
) {
    let dir = path.parent().unwrap_or(Path::new("/"));
    for load in &m.loads {
        let target = if let Some(rest) = load.module.strip_prefix(':') {
            dir.join(rest)
        } else {
            let p = load.module.strip_prefix('@').unwrap_or(&load.module);
            let Some((cell, rest)) = p.split_once("//") else { continue };
            let Some(root) = cells.root_of(cell).or_else(|| cells.root_of("")) else { continue };
            let (pkg, file) = rest.split_once(':').unwrap_or_else(|| rest.rsplit_once('/').unwrap_or(("", rest)));
            root.join(pkg).join(file)
        };
        let target = discover::normalize(&target);
        match index.file(&target) {
            Some(id) => out.known.push(id),
            None if out.record_misses => out.loads.push(target),
            None => {}
        }
    }
}

/// The package declaring `[build] execution_platforms`, so RE detection works in narrow runs.
pub(super) fn execution_platforms_package(
    root: Option<&Path>,
    cfgs: &[crate::parse::buckconfig::BuckConfigFile],
    cells: &Cells,
) -> Option<PathBuf> {
    let root = root?;
    let v = cfgs.iter().rev().find_map(|c| c.value("build", "execution_platforms"))?.to_string();
    package_dir(&v, root, cells)
}
