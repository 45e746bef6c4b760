//! Runs over several Buck2 projects. A run has one project root (the outermost `.buckconfig`
//! above its first path): its cells, configuration and remote-execution setup give every
//! cross-file rule its context. When the paths span several projects (pre-commit handing over
//! files of two nested repositories, or `check .` in a repository whose Buck2 project lives in
//! a subdirectory), linting them all against one root would judge a project by another's
//! configuration (or by none). So the paths are split: one run per project root, plus one for
//! what lies in no project, and the results are merged.
use super::*;

/// The runs to make: `(options, settings)` per project, in the order of the paths. One group
/// (the unchanged options) when the paths lie in one project.
pub(super) fn split(opts: &RunOptions, settings: &Settings) -> Vec<(RunOptions, Settings)> {
    let single = || vec![(opts.clone(), settings.clone())];
    if opts.stdin.is_some() || opts.paths.is_empty() {
        return single();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // root → paths, in first-seen order; `None` collects paths outside any project
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    let mut group_of: HashMap<Option<PathBuf>, usize> = HashMap::new();
    let mut push = |root: Option<PathBuf>, p: PathBuf| match group_of.get(&root) {
        Some(&i) => groups[i].1.push(p),
        None => {
            group_of.insert(root.clone(), groups.len());
            groups.push((root, vec![p]));
        }
    };
    // directories outside any project that contain projects: those projects are split off
    let mut nested_out: Vec<PathBuf> = Vec::new();
    // Each path's project root, looked up in parallel (a pre-commit run names thousands of
    // files; each lookup walks the ancestors, with a stat per directory not seen before).
    // Many paths share their ancestors and their roots' configuration, and the files of one
    // directory share their root: each thread remembers both.
    type Memo = (discover::RootFinder, rustc_hash::FxHashMap<std::ffi::OsString, Option<PathBuf>>);
    let found: Vec<(PathBuf, Option<PathBuf>)> = opts
        .paths
        .par_iter()
        .with_min_len(64)
        .map_init(Memo::default, |(finder, root_of_dir), p| {
            let abs = discover::normalize(&cwd.join(p));
            let known = opts.regular_files.as_ref().is_some_and(|k| k.contains(&abs));
            let root = match abs.parent().filter(|_| known || abs.is_file()) {
                Some(dir) => match root_of_dir.get(dir.as_os_str()) {
                    Some(r) => r.clone(),
                    None => {
                        let r = finder.find_for_file(&abs);
                        root_of_dir.insert(dir.as_os_str().to_owned(), r.clone());
                        r
                    }
                },
                None => finder.find(&abs),
            };
            (abs, root)
        })
        .collect();
    for (p, (abs, root)) in opts.paths.iter().zip(found) {
        if root.is_none() && abs.is_dir() {
            let nested = nested_roots(&abs);
            for n in &nested {
                push(Some(n.clone()), n.clone());
            }
            nested_out.extend(nested);
        }
        push(root, p.clone());
    }
    if groups.len() <= 1 {
        return single();
    }
    // the options of every group but its paths (not the whole path list once per group)
    let base = RunOptions { paths: Vec::new(), ..opts.clone() };
    groups
        .into_iter()
        .map(|(root, paths)| {
            let mut s = settings.clone();
            if root.is_none() {
                // the rootless run skips the projects that run on their own
                s.exclude.extend(nested_out.iter().map(|n| globset::escape(&rel(n, &cwd))));
            }
            (RunOptions { paths, known_root: Some(root), ..base.clone() }, s)
        })
        .collect()
}

/// The walks and root configurations the groups share (see [`discover::prewalk`]): read
/// before the groups run in parallel, so that no nested project walks its part of an
/// enclosing project's tree again.
pub(super) fn prewalk(opts: &RunOptions, groups: &[(RunOptions, Settings)]) -> Option<Arc<discover::Prewalked>> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // a run that names only files walks no root: it looks its context up
    let walk_roots = !(opts.targeted_context
        && opts.paths.iter().all(|p| {
            let abs = discover::normalize(&cwd.join(p));
            opts.regular_files.as_ref().is_some_and(|k| k.contains(&abs)) || abs.is_file()
        }));
    let overlays: HashMap<PathBuf, &String> =
        opts.overlays.iter().map(|(p, t)| (discover::normalize(&cwd.join(p)), t)).collect();
    let read = |p: &Path| overlays.get(p).map(|t| t.to_string()).or_else(|| std::fs::read_to_string(p).ok());
    let projects: Vec<discover::PrewalkProject<'_>> = groups
        .iter()
        .filter_map(|(o, s)| {
            let root = o.known_root.as_ref()?.as_deref()?;
            Some(discover::PrewalkProject { root, exclude: &s.exclude })
        })
        .collect();
    (projects.len() > 1).then(|| Arc::new(discover::prewalk(&projects, &read, walk_roots)))
}

fn rel(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// The outermost directories below `dir` that hold a `.buckconfig` (a walk that respects
/// `.gitignore` and skips hidden directories and `buck-out`, as discovery does).
fn nested_roots(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .filter_entry(|e| {
            let dir = e.file_type().is_some_and(|t| t.is_dir());
            let name = e.file_name().to_string_lossy();
            !(dir && e.depth() > 0 && (name.starts_with('.') || name == "buck-out"))
        })
        .build();
    for e in walk.flatten() {
        if e.file_name() == ".buckconfig" && e.file_type().is_some_and(|t| t.is_file()) {
            if let Some(parent) = e.path().parent() {
                found.push(discover::normalize(parent));
            }
        }
    }
    found.sort();
    let mut outermost: Vec<PathBuf> = Vec::new();
    for f in found {
        if !outermost.iter().any(|o| f.starts_with(o)) {
            outermost.push(f);
        }
    }
    outermost
}

/// A [`FileSink`] that keeps what a run hands over, for handing it on later in order.
#[derive(Default)]
pub(super) struct Buffer(std::sync::Mutex<Vec<Vec<Diagnostic>>>);

impl Buffer {
    pub(super) fn into_batches(self) -> Vec<Vec<Diagnostic>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl FileSink for Buffer {
    fn file_done(&self, _: &Files, diagnostics: Vec<Diagnostic>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(diagnostics);
    }
}

/// Append another run's result: its files get new ids, and every span of its findings follows.
/// `known` indexes `acc`'s files by the bytes of their (normalised) paths: filled on first
/// use; pass the same map each time. The merge runs alone after the projects' runs, so it
/// moves the other run's files rather than copying them, and hashes a path's bytes in one go
/// (`Path`'s own hash goes component by component).
pub(super) fn absorb(acc: &mut RunResult, other: RunResult, known: &mut FxMap<std::ffi::OsString, FileId>) {
    if known.is_empty() {
        known.extend(acc.files.iter().map(|f| (f.path.as_os_str().to_owned(), f.id)));
    }
    // the other run's ids are the indexes of its files
    let mut map: Vec<FileId> = Vec::with_capacity(other.files.len());
    for f in other.files.into_entries() {
        let id = match known.get(f.path.as_os_str()) {
            Some(id) => *id,
            None => {
                let key = f.path.as_os_str().to_owned();
                // a text the run kept (an editor's buffer, a file with findings) goes along; the
                // others are read from disk if a report needs them, not now
                let id = acc.files.push_entry(f);
                known.insert(key, id);
                id
            }
        };
        map.push(id);
    }
    let remap = |s: &mut Span| {
        if let Some(id) = map.get(s.file.0 as usize) {
            s.file = *id;
        }
    };
    for mut d in other.diagnostics {
        remap(&mut d.primary);
        for r in &mut d.related {
            remap(&mut r.span);
        }
        if let Some(fix) = &mut d.fix {
            for e in &mut fix.edits {
                remap(&mut e.span);
            }
        }
        acc.diagnostics.push(d);
    }
    acc.streamed.extend(other.streamed);
    acc.files_checked += other.files_checked;
    acc.io_errors.extend(other.io_errors);
    acc.skipped.extend(other.skipped);
    acc.notes.extend(other.notes);
    if acc.root.is_none() {
        acc.root = other.root;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, bool)], findings: &[(u32, u32)]) -> RunResult {
        let mut f = Files::new();
        for (p, reported) in files {
            f.add(PathBuf::from(p), p.trim_start_matches("/r/").to_string(), FileKind::Build, *reported);
        }
        let diagnostics = findings
            .iter()
            .map(|&(file, start)| {
                Diagnostic::new(
                    crate::rules::Rule::SyntaxError,
                    Severity::Error,
                    Span { file: FileId(file), start, end: start + 1 },
                    "x",
                )
            })
            .collect();
        RunResult {
            files: f,
            diagnostics,
            streamed: Vec::new(),
            files_checked: files.iter().filter(|(_, r)| *r).count(),
            root: None,
            io_errors: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn absorb_renumbers_files_and_keeps_one_entry_per_path() {
        let mut acc = run(&[("/r/a/BUCK", true), ("/r/shared/defs.bzl", false)], &[(0, 1)]);
        // the other run names the shared file too, and a file of its own
        let mut other = run(&[("/r/b/BUCK", true), ("/r/shared/defs.bzl", true)], &[(0, 2), (1, 3)]);
        other.files.set_text(FileId(0), Arc::from("b's text"));
        other.files.restrict(&[FileId(0)], Restrict::Dependency);
        let mut known = FxMap::default();
        absorb(&mut acc, other, &mut known);

        let paths: Vec<&str> = acc.files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(paths, ["/r/a/BUCK", "/r/shared/defs.bzl", "/r/b/BUCK"]);
        assert!(acc.files.iter().enumerate().all(|(i, f)| f.id == FileId(i as u32)));
        // the other run's findings point at the merged ids: its own file is new (2), the
        // shared one is the first run's entry (1)
        let spans: Vec<(u32, u32)> = acc.diagnostics.iter().map(|d| (d.primary.file.0, d.primary.start)).collect();
        assert_eq!(spans, [(0, 1), (2, 2), (1, 3)]);
        // what a moved file held goes along
        let b = acc.files.get(FileId(2));
        assert_eq!(b.display, "b/BUCK");
        assert_eq!(b.restrict, Restrict::Dependency);
        // (no such file on disk: only the moved text can answer)
        assert_eq!(acc.files.text(FileId(2)).as_deref(), Some("b's text"));

        // a third run: the map filled by the first merge still finds the shared paths
        let third = run(&[("/r/b/BUCK", true)], &[(0, 4)]);
        absorb(&mut acc, third, &mut known);
        assert_eq!(acc.files.len(), 3);
        assert_eq!(acc.diagnostics.last().map(|d| d.primary.file), Some(FileId(2)));
    }
}
