//! Fixups and reindeer.toml rules (R05, R06, R23–R39, `fixup-version-matches-nothing`) on the
//! `testdata/fixups-*` and `testdata/reindeer-*` trees: the concise output of
//! `buck-lint check <tree> --format concise --isolated` must equal `testdata/<tree>/expected.txt`
//! (rewrite with `UPDATE_EXPECT=1`). Each tree's README says which findings are deliberate.

mod common;
use common::*;

fn check(tree: &str, extra: &[&str]) -> Out {
    let path = format!("testdata/{tree}");
    let mut args = vec!["check", path.as_str(), "--format", "concise"];
    args.extend_from_slice(extra);
    run_in(&repo(), &args)
}

fn expect_tree(tree: &str, extra: &[&str]) -> Out {
    let mut args = vec!["--isolated"];
    args.extend_from_slice(extra);
    let o = check(tree, &args);
    assert!(o.code == 0 || o.code == 1, "{tree}: exit {} ({})", o.code, o.stderr);
    assert!(!o.stdout.contains("internal-error"), "{tree}: {}", o.stdout);
    expect_file(&repo().join("testdata").join(tree).join("expected.txt"), &o.stdout);
    o
}

#[test]
fn legacy_syntax() {
    expect_tree("fixups-legacy", &[]);
}

#[test]
fn modern_syntax_is_silent() {
    let o = expect_tree("fixups-modern", &[]);
    assert_eq!(o.stdout, "", "current syntax must not produce findings");
    assert_eq!(o.code, 0);
}

#[test]
fn schema_rules() {
    expect_tree("fixups-schema", &[]);
}

#[test]
fn lock_rules() {
    expect_tree("fixups-lock", &[]);
}

#[test]
fn custom_dirs() {
    expect_tree("reindeer-custom-dirs", &[]);
}

#[test]
fn reindeer_config() {
    expect_tree("reindeer-config", &["--extend-select", "reindeer-unresolved-fixup-warn-only"]);
}

#[test]
fn reindeer_sync() {
    expect_tree("reindeer-sync", &[]);
}

#[test]
fn reindeer_silent() {
    let o = expect_tree("reindeer-silent", &["--extend-select", "reindeer-unresolved-fixup-warn-only"]);
    assert_eq!(o.stdout, "");
}

/// `[reindeer] shared-fixups` exempts a shared fixups library from R30 and
/// `fixup-version-matches-nothing`; with `--isolated` (no config) both fire.
#[test]
fn shared_fixups_library() {
    let o = check("fixups-shared", &[]);
    expect_file(&repo().join("testdata/fixups-shared/expected.txt"), &o.stdout);
    assert_eq!(o.stdout, "");
    let o = check("fixups-shared", &["--isolated"]);
    assert!(o.stdout.contains("warning[fixup-orphan-dir]"), "{}", o.stdout);
    assert!(o.stdout.contains("warning[fixup-version-matches-nothing]"), "{}", o.stdout);
}

/// The seed project: R31 on pyo3 and pyo3-ffi (warning) and proc-macro2 (info), R39 on
/// reindeer.toml, and nothing else from the fixups and reindeer rules.
#[test]
fn seed_project_fixups_findings() {
    let o = check(
        "pyo3-remote",
        &["--isolated", "--select", "fixups,reindeer", "--ignore", "reindeer-unresolved-fixup-warn-only"],
    );
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", o.stdout);
    assert!(lines[0].starts_with("testdata/pyo3-remote/third_party/fixups/proc-macro2/fixups.toml:1:1: info[fixup-buildscript-disabled-essential]"));
    assert!(lines[1].starts_with("testdata/pyo3-remote/third_party/fixups/pyo3-ffi/fixups.toml:1:1: warning[fixup-buildscript-disabled-essential]"));
    assert!(lines[2].starts_with(
        "testdata/pyo3-remote/third_party/fixups/pyo3/fixups.toml:1:1: warning[fixup-buildscript-disabled-essential]"
    ));
    assert!(
        lines[3].starts_with("testdata/pyo3-remote/third_party/reindeer.toml:7:1: info[reindeer-precise-srcs-noop]")
    );
}

/// Fixes: the safe legacy migrations produce current syntax that lints clean for R23/R24.
#[test]
fn legacy_fixes_produce_current_syntax() {
    let o = check("fixups-legacy", &["--isolated", "--diff"]);
    for want in [
        "+buildscript.run = false",
        "+buildscript.run = true",
        "+['cfg(version = \"=0.48.0\")']",
        "+['cfg(all(target_os = \"linux\", version = \">=0.9\"))']",
        "+['cfg(unix)'.env]",
        "+['cfg(target_os = \"windows\")']",
        "-[platform_fixup]",
    ] {
        assert!(o.stdout.contains(want), "missing `{want}` in\n{}", o.stdout);
    }
    // unsafe migrations only with --unsafe-fixes
    assert!(!o.stdout.contains("+[buildscript.run.env]"), "{}", o.stdout);
    let o = check("fixups-legacy", &["--isolated", "--diff", "--unsafe-fixes"]);
    for want in [
        "+[buildscript.run.env]",
        "+RING_CORE_PREFIX = \"ring_core_0_17_8_\"",
        "+[[cxx_library]]",
        "+omit_deps = [\"vcpkg\"]",
    ] {
        assert!(o.stdout.contains(want), "missing `{want}` in\n{}", o.stdout);
    }
}
