//! `buck-lint data scan DIR...` (hidden): the facts of every crate unpacked under the
//! directories (a `cargo vendor` output: `<name>` or `<name>-<version>` subdirectories, or a
//! crate directory itself), read in parallel, printed as the TOML of `data/crate-facts.toml`.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::model::crate_facts;

/// The crate directories: each DIR that has a Cargo.toml, else its subdirectories that do.
fn crate_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if dir.join("Cargo.toml").is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    out.sort();
    Ok(out)
}

pub fn run(dirs: &[PathBuf]) -> i32 {
    let mut crates = Vec::new();
    for d in dirs {
        match crate_dirs(d) {
            Ok(mut c) => crates.append(&mut c),
            Err(e) => {
                eprintln!("error: {}: {e}", d.display());
                return 2;
            }
        }
    }
    let results: Vec<_> = crates.par_iter().map(|d| (d, crate_facts::extract(d))).collect();
    let mut facts = Vec::with_capacity(results.len());
    let mut unread = 0;
    for (dir, r) in results {
        match r {
            Ok(f) => {
                if f.library && !f.sources_read {
                    unread += 1;
                    eprintln!("warning: {}: the library's sources could not be read or tokenised", dir.display());
                }
                facts.push(f)
            }
            Err(e) => eprintln!("warning: skipped {}: {e}", dir.display()),
        }
    }
    eprintln!("scanned {} crate directories ({} facts, {unread} libraries unread)", crates.len(), facts.len());
    let text = crate_facts::render(facts);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            2
        }
    }
}
