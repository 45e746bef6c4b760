//! `glob()` against the package's real file tree.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Most files walked in one package (a glob in a huge tree stops there).
const MAX_FILES: usize = 200_000;

/// The files under `dir`, relative and `/`-separated, sorted; subpackages (directories with
/// a build file) and `buck-out` are skipped, symlinked directories are not followed.
pub(crate) fn package_files(dir: &Path, build_file_names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    // one directory's files and subdirectories, kept until its listing shows that it is not
    // a subpackage (the listing answers that without a lookup per build-file name)
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    while let Some((path, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        let top = rel.is_empty();
        let mut subpackage = false;
        files.clear();
        dirs.clear();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(ft) = entry.file_type() else { continue };
            let is_file = ft.is_file() || (ft.is_symlink() && entry.path().is_file());
            if !top && is_file && build_file_names.contains(&name) {
                subpackage = true;
                break;
            }
            let rel_child = if top { name.clone() } else { format!("{rel}/{name}") };
            if ft.is_dir() {
                if name != "buck-out" {
                    dirs.push((entry.path(), rel_child));
                }
            } else if is_file {
                files.push(rel_child);
            }
        }
        if subpackage {
            continue;
        }
        let room = MAX_FILES.saturating_sub(out.len());
        out.extend(files.drain(..).take(room));
        if out.len() >= MAX_FILES {
            break;
        }
        stack.append(&mut dirs);
    }
    out.sort();
    out
}

fn build_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob pattern `{p}`: {e}"))?;
        b.add(glob);
    }
    b.build().map_err(|e| e.to_string())
}

thread_local! {
    /// Compiled pattern sets of this thread: macros glob with the same patterns in every
    /// package, and compiling a set costs more than matching a package's files.
    static SETS: std::cell::RefCell<std::collections::HashMap<Vec<String>, std::rc::Rc<GlobSet>>> =
        Default::default();
}

fn cached_set(patterns: &[String]) -> Result<std::rc::Rc<GlobSet>, String> {
    if let Some(s) = SETS.with(|c| c.borrow().get(patterns).cloned()) {
        return Ok(s);
    }
    let set = std::rc::Rc::new(build_set(patterns)?);
    SETS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(patterns.to_vec(), set.clone());
    });
    Ok(set)
}

/// The files matching any of `include` and none of `exclude`.
pub(crate) fn matching(files: &[String], include: &[String], exclude: &[String]) -> Result<Vec<String>, String> {
    let inc = cached_set(include)?;
    let exc = cached_set(exclude)?;
    Ok(files.iter().filter(|f| inc.is_match(f.as_str()) && !exc.is_match(f.as_str())).cloned().collect())
}
