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

#[test]
fn legacy_syntax() {
    expect_tree_with("fixups-legacy", &[]);
}

#[test]
fn modern_syntax_is_silent() {
    let o = expect_tree_with("fixups-modern", &[]);
    assert_eq!(o.stdout, "", "current syntax must not produce findings");
    assert_eq!(o.code, 0);
}

#[test]
fn schema_rules() {
    expect_tree_with("fixups-schema", &[]);
}

#[test]
fn lock_rules() {
    expect_tree_with("fixups-lock", &[]);
}

#[test]
fn custom_dirs() {
    expect_tree_with("reindeer-custom-dirs", &[]);
}

#[test]
fn reindeer_config() {
    expect_tree_with("reindeer-config", &["--extend-select", "reindeer-unresolved-fixup-warn-only"]);
}

#[test]
fn reindeer_sync() {
    expect_tree_with("reindeer-sync", &[]);
}

#[test]
fn reindeer_silent() {
    let o = expect_tree_with("reindeer-silent", &["--extend-select", "reindeer-unresolved-fixup-warn-only"]);
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

/// Every file under `dir`, by `/`-separated relative path.
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn go(base: &std::path::Path, dir: &std::path::Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                go(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    go(dir, dir, &mut out);
    out
}

/// Issue 6: a legacy fixups project migrates completely with `--fix --unsafe-fixes`. Afterwards
/// no R23, R24 or R25 finding is left, a second `--fix` changes nothing, and the migrated files
/// equal `testdata/fixups-migrate.expected/<same path>` (every other file is untouched).
#[test]
fn legacy_project_migrates_completely() {
    let src = repo().join("testdata/fixups-migrate");
    let original = snapshot(&src);
    let expected = snapshot(&repo().join("testdata/fixups-migrate.expected"));
    assert!(expected.len() >= 8, "testdata/fixups-migrate.expected holds {} files", expected.len());
    let d = tempfile::tempdir().unwrap();
    for (rel, bytes) in &original {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let before = run_in(d.path(), &["check", "--isolated", "--format", "concise"]);
    for rule in ["fixup-legacy-buildscript-syntax", "fixup-legacy-platform-fixup", "fixup-unknown-key"] {
        assert!(before.stdout.contains(&format!("[{rule}]")), "the tree must exercise {rule}:\n{}", before.stdout);
    }

    let fix = ["check", "--fix", "--unsafe-fixes", "--isolated", "--format", "concise"];
    let o = run_in(d.path(), &fix);
    assert!(o.code == 0 || o.code == 1, "exit {}: {}", o.code, o.stderr);
    assert!(!o.stderr.contains("discarded"), "{}", o.stderr);

    let after = run_in(d.path(), &["check", "--isolated", "--format", "concise"]);
    assert!(!after.stdout.contains("internal-error"), "{}", after.stdout);
    let left: Vec<&str> = after
        .stdout
        .lines()
        .filter(|l| {
            ["[fixup-legacy-buildscript-syntax]", "[fixup-legacy-platform-fixup]", "[fixup-unknown-key]"]
                .iter()
                .any(|r| l.contains(r))
        })
        .collect();
    assert!(left.is_empty(), "not migrated:\n{}", left.join("\n"));

    let migrated = snapshot(d.path());
    assert_eq!(migrated.keys().collect::<Vec<_>>(), original.keys().collect::<Vec<_>>(), "files added or removed");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (rel, bytes) in &migrated {
        match expected.get(rel) {
            Some(want) => assert!(
                bytes == want,
                "{rel} differs from testdata/fixups-migrate.expected/{rel}\n--- expected\n{}\n--- actual\n{}",
                text(want),
                text(bytes)
            ),
            None => assert!(bytes == &original[rel], "{rel} changed but has no expected file:\n{}", text(bytes)),
        }
    }
    for rel in expected.keys() {
        assert!(original.contains_key(rel), "expected file {rel} is not in testdata/fixups-migrate");
        assert_ne!(expected[rel], original[rel], "{rel} is pinned but the migration does not change it");
    }

    // idempotent: a second --fix changes no byte
    let again = run_in(d.path(), &fix);
    assert!(again.code == 0 || again.code == 1, "exit {}: {}", again.code, again.stderr);
    assert_eq!(snapshot(d.path()), migrated, "a second --fix changed files:\n{}", again.stderr);
}
