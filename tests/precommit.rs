//! pre-commit integration (`.pre-commit-hooks.yaml`).
//!
//! - The manifest validates with `pre-commit validate-manifest`, and its `files:` regex
//!   selects exactly the Buck2 files (interfaces.md §11).
//! - The hooks run through `pre-commit try-repo` on a temporary git repository. `language:
//!   rust` would `cargo install` this repository (minutes), so the test runs a throwaway
//!   copy of the manifest with `language: system` and the entry pointing at the binary
//!   cargo already built; everything else (ids, args, files, pass_filenames) is ours.
//!
//! Needs `pre-commit` (pip) and `git`. Skipped with a message when pre-commit is missing and
//! `CI` is unset; with `CI` set it always runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The command that runs pre-commit: `pre-commit`, else `python3 -m pre_commit`.
fn pre_commit() -> Option<Vec<String>> {
    let candidates: [&[&str]; 2] = [&["pre-commit"], &["python3", "-m", "pre_commit"]];
    for c in candidates {
        let ok = Command::new(c[0]).args(&c[1..]).arg("--version").output().is_ok_and(|o| o.status.success());
        if ok {
            return Some(c.iter().map(|s| s.to_string()).collect());
        }
    }
    None
}

fn require_pre_commit(test: &str) -> Option<Vec<String>> {
    match pre_commit() {
        Some(c) => Some(c),
        None if in_ci() => panic!("pre-commit is not installed (python3 -m pip install pre-commit) and CI is set"),
        None => {
            eprintln!(
                "skipping {test}: pre-commit is not installed (python3 -m pip install pre-commit); CI is not set"
            );
            None
        }
    }
}

fn show(o: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `files:` regex of every hook in the manifest (a line-based read of our own file).
fn files_regexes(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files:"))
        .map(|v| {
            let v = v.trim();
            v.strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .map(|s| s.replace("''", "'"))
                .unwrap_or_else(|| v.to_string())
        })
        .collect()
}

#[test]
fn manifest_lists_both_hooks_and_selects_buck2_files() {
    let text = std::fs::read_to_string(manifest_path()).unwrap();
    for (id, entry) in
        [("buck-lint", "buck-lint check --force-exclude"), ("buck-lint-fix", "buck-lint check --fix --force-exclude")]
    {
        assert!(text.contains(&format!("- id: {id}\n")), "hook {id} missing");
        assert!(text.contains(&format!("entry: {entry}\n")), "entry `{entry}` missing");
    }
    assert_eq!(text.matches("language: rust\n").count(), 2);
    // one process per commit: one summary, cross-file rules over every changed file together
    assert_eq!(text.matches("require_serial: true").count(), 2, "both hooks run serially");
    let regexes = files_regexes(&text);
    assert_eq!(regexes.len(), 2);
    assert_eq!(regexes[0], regexes[1]);
    // pre-commit uses Python's re.search; these patterns mean the same in Rust's regex
    let re = regex::Regex::new(&regexes[0]).unwrap();
    for yes in [
        "BUCK",
        "a/BUCK",
        "a/b/BUCK.v2",
        "TARGETS",
        "x/TARGETS.v2",
        "PACKAGE",
        "p/BUCK_TREE",
        ".buckconfig",
        "sub/.buckconfig",
        "third-party/rust/reindeer.toml",
        "third-party/rust/fixups/libc/fixups.toml",
        "third-party/rust/Cargo.lock",
        "defs.bzl",
        "a/b/c.bxl",
    ] {
        assert!(re.is_match(yes), "{yes} should be selected");
    }
    for no in [
        "BUCK.bak",
        "MYBUCK",
        "a/NOTBUCK",
        "README.md",
        "Cargo.toml",
        "x.bzl.orig",
        "bzl",
        "fixups.toml.bak",
        "my-reindeer.toml",
        "BUILD",
    ] {
        assert!(!re.is_match(no), "{no} should not be selected");
    }
}

#[test]
fn manifest_validates_with_pre_commit() {
    let Some(pc) = require_pre_commit("manifest_validates_with_pre_commit") else { return };
    let out = Command::new(&pc[0]).args(&pc[1..]).arg("validate-manifest").arg(manifest_path()).output().unwrap();
    assert!(out.status.success(), "{}", show(&out));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=buck-lint tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", show(&out));
}

const BUCK_WITH_API_URL: &str = r#"http_archive(
    name = "foo-1.0.0.crate",
    urls = ["https://crates.io/api/v1/crates/foo/1.0.0/download"],
    sha256 = "0000000000000000000000000000000000000000000000000000000000000000",
    strip_prefix = "foo-1.0.0",
    type = "tar.gz",
)
"#;

#[test]
fn hooks_run_through_pre_commit_try_repo() {
    let Some(pc) = require_pre_commit("hooks_run_through_pre_commit_try_repo") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = tmp.path().canonicalize().unwrap();
    let bin = env!("CARGO_BIN_EXE_buck-lint");

    // A hooks repository: our manifest, run with the prebuilt binary.
    let hooks = tmp_path.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let manifest = std::fs::read_to_string(manifest_path()).unwrap();
    // entry: a YAML double-quoted string holding a shell-quoted path (pre-commit shlex-splits it)
    let shell_bin = format!("'{}'", bin.replace('\'', "'\"'\"'"));
    let local: String = manifest
        .replace("language: rust", "language: system")
        .lines()
        .map(|l| match l.trim_start().strip_prefix("entry: buck-lint ") {
            Some(rest) => {
                let indent = &l[..l.len() - l.trim_start().len()];
                let value = format!("{shell_bin} {rest}").replace('\\', "\\\\").replace('"', "\\\"");
                format!("{indent}entry: \"{value}\"\n")
            }
            None => format!("{l}\n"),
        })
        .collect();
    assert_ne!(local, manifest);
    std::fs::write(hooks.join(".pre-commit-hooks.yaml"), local).unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);

    // A Buck2 project with a finding that has a safe fix (http-archive-unpinned-or-api-url).
    let project = tmp_path.join("project");
    std::fs::create_dir_all(project.join("third_party")).unwrap();
    std::fs::write(project.join(".buckconfig"), "[cells]\n  root = .\n  prelude = prelude\n").unwrap();
    std::fs::write(project.join("third_party/BUCK"), BUCK_WITH_API_URL).unwrap();
    std::fs::write(project.join("README.md"), "not linted\n").unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);

    let try_repo = |hook: &str| {
        Command::new(&pc[0])
            .args(&pc[1..])
            .args(["try-repo", hooks.to_str().unwrap(), hook, "--all-files", "--color", "never"])
            .current_dir(&project)
            .env("PRE_COMMIT_HOME", tmp_path.join("pre-commit-home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("CI")
            .output()
            .unwrap()
    };

    let out = try_repo("buck-lint");
    let shown = show(&out);
    assert!(!out.status.success(), "the lint hook should fail:\n{shown}");
    // require_serial: one process, one summary for the commit
    assert_eq!(shown.matches("Found ").count(), 1, "{shown}");
    assert!(shown.contains("http-archive-unpinned-or-api-url"), "{shown}");
    assert!(shown.contains("third_party/BUCK"), "{shown}");

    let out = try_repo("buck-lint-fix");
    let shown = show(&out);
    let fixed = std::fs::read_to_string(project.join("third_party/BUCK")).unwrap();
    assert!(
        fixed.contains("https://static.crates.io/crates/foo/1.0.0/download") && !fixed.contains("/api/v1/"),
        "the fix hook should rewrite the URL:\n{fixed}\n{shown}"
    );
    // pre-commit fails a hook that modified files
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("files were modified by this hook"), "{shown}");

    let out = try_repo("buck-lint");
    assert!(out.status.success(), "the lint hook should pass after the fix:\n{}", show(&out));
}
