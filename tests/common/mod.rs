//! Shared helpers for the integration tests: run the built binary, compare with expected files.
#![allow(dead_code)]

pub mod mutate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_buck-lint")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn run_in(dir: &Path, args: &[&str]) -> Out {
    run_stdin(dir, args, None)
}

pub fn run_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Out {
    let mut cmd = Command::new(bin());
    // Crate sources come from this fake Cargo home only, whatever the machine has built.
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        // the engine itself, not a replay from an earlier test's cache (tests/cli.rs tests the cache)
        .env("BUCK_LINT_NO_CACHE", "1")
        .env("CARGO_HOME", repo().join("testdata/cargo-home"));
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn buck-lint");
    if let Some(s) = stdin {
        use std::io::Write;
        // a run that fails before reading stdin (a usage error) closes it: not the test's concern
        let _ = child.stdin.take().unwrap().write_all(s.as_bytes());
    }
    let o = child.wait_with_output().unwrap();
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// Compare `actual` with the checked-in file; with UPDATE_EXPECT=1, rewrite it instead.
pub fn expect_file(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("missing expected file {} (run with UPDATE_EXPECT=1)", path.display()));
    if expected != actual {
        panic!(
            "output differs from {}\n--- expected\n{expected}\n--- actual\n{actual}\n(run with UPDATE_EXPECT=1 to accept)",
            path.display()
        );
    }
}

/// Write a tree of files into a fresh temp dir.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    d
}

/// Copy `from` into `to`, recursively.
#[allow(dead_code)]
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// `buck-lint check testdata/<tree> --format concise --isolated` (plus `extra`): the run must
/// not fail or crash, and its output must equal `testdata/<tree>/expected.txt`.
#[allow(dead_code)]
pub fn expect_tree_with(tree: &str, extra: &[&str]) -> Out {
    let path = format!("testdata/{tree}");
    let mut args = vec!["check", path.as_str(), "--format", "concise", "--isolated"];
    args.extend_from_slice(extra);
    let o = run_in(&repo(), &args);
    assert!(o.code == 0 || o.code == 1, "{tree}: exit {} ({})", o.code, o.stderr);
    assert!(!o.stdout.contains("internal-error"), "{tree}: {}", o.stdout);
    expect_file(&repo().join("testdata").join(tree).join("expected.txt"), &o.stdout);
    o
}

/// [`expect_tree_with`] without extra arguments.
#[allow(dead_code)]
pub fn expect_tree(tree: &str) -> Out {
    expect_tree_with(tree, &[])
}

/// Copy the tree at `from` into `to` (created), files and directories.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
