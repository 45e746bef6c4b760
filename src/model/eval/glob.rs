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
    while let Some((path, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        for entry in entries.flatten() {
            if out.len() >= MAX_FILES {
                break;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel_child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                let child = entry.path();
                if name == "buck-out" || build_file_names.iter().any(|b| child.join(b).is_file()) {
                    continue;
                }
                stack.push((child, rel_child));
            } else if ft.is_file() || (ft.is_symlink() && entry.path().is_file()) {
                out.push(rel_child);
            }
        }
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
