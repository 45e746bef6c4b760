//! Rules from what Buck2 + Reindeer users hit (issue 16). Each rule has a tree that fires and a
//! twin that stays silent; the concise output of `buck-lint check <tree> --format concise
//! --isolated` must equal `testdata/<tree>/expected.txt` (rewrite with `UPDATE_EXPECT=1`).
//! Each tree's README says what fires and what must stay silent.

mod common;
use common::*;

/// A temp copy of `testdata/<name>` without its `expected.txt` and README.
fn copy_of(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata").join(name), d.path());
    for f in ["expected.txt", "README.md"] {
        let _ = std::fs::remove_file(d.path().join(f));
    }
    d
}

fn count(o: &Out, rule: &str) -> usize {
    o.stdout.matches(&format!("[{rule}]")).count()
}

#[test]
fn vendored_crate_build_file_fires() {
    let o = expect_tree("vendored-build-file");
    assert_eq!(count(&o, "vendored-crate-build-file"), 1, "{}", o.stdout);
}

#[test]
fn vendored_crate_build_file_twin_is_silent() {
    let o = expect_tree("vendored-build-file-silent");
    assert_eq!(count(&o, "vendored-crate-build-file"), 0, "{}", o.stdout);
}

#[test]
fn vendored_crate_build_file_fix_hides_the_build_files_only() {
    let d = copy_of("vendored-build-file");
    let sel = ["--isolated", "--select", "vendored-crate-build-file", "--format", "concise"];
    let o = run_in(d.path(), &[&["check", ".", "--fix"][..], &sel[..]].concat());
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let cfg = std::fs::read_to_string(d.path().join(".buckconfig")).unwrap();
    assert!(cfg.ends_with("[project]\n  ignore = .git, third-party/rust/vendor/**/BUCK\n"), "{cfg}");
    let o = run_in(d.path(), &[&["check", "."][..], &sel[..]].concat());
    assert_eq!((o.stdout.as_str(), o.code), ("", 0), "{}", o.stderr);
}

/// Without a `[project]` section the fix adds one; with one but no `ignore`, the key.
#[test]
fn vendored_crate_build_file_fix_adds_section_or_key() {
    let reindeer = [
        ("third-party/reindeer.toml", "vendor = true\n"),
        ("third-party/Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.0.0\"\n"),
        ("third-party/vendor/foo-1.0.0/BUCK.v2", "# upstream\n"),
        ("third-party/vendor/foo-1.0.0/src/lib.rs", "\n"),
    ];
    for (cfg, want) in [
        ("[cells]\nroot = .\n", "[cells]\nroot = .\n\n[project]\nignore = third-party/vendor/**/BUCK.v2\n"),
        (
            "[cells]\n  root = .\n[project]\n  # nothing yet\n",
            "[cells]\n  root = .\n[project]\n  ignore = third-party/vendor/**/BUCK.v2\n  # nothing yet\n",
        ),
    ] {
        let mut files = vec![(".buckconfig", cfg)];
        files.extend(reindeer);
        let d = tree(&files);
        let o = run_in(d.path(), &["check", ".", "--isolated", "--select", "vendored-crate-build-file", "--fix"]);
        assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
        assert_eq!(std::fs::read_to_string(d.path().join(".buckconfig")).unwrap(), want);
    }
}

#[test]
fn bxl_needs_execution_platforms_fires() {
    let o = expect_tree("bxl-actions");
    assert_eq!(count(&o, "bxl-needs-execution-platforms"), 1, "{}", o.stdout);
}

#[test]
fn bxl_needs_execution_platforms_twin_is_silent() {
    let o = expect_tree("bxl-actions-silent");
    assert_eq!(count(&o, "bxl-needs-execution-platforms"), 0, "{}", o.stdout);
}

#[test]
fn buckconfig_cell_unresolved_fires() {
    let o = expect_tree("cell-unresolved");
    assert_eq!(count(&o, "buckconfig-cell-unresolved"), 4, "{}", o.stdout);
}

#[test]
fn buckconfig_cell_unresolved_twin_is_silent() {
    let o = expect_tree("cell-unresolved-silent");
    assert_eq!(count(&o, "buckconfig-cell-unresolved"), 0, "{}", o.stdout);
}

#[test]
fn edition_mismatch_fires() {
    let o = expect_tree("edition-mismatch");
    assert_eq!(count(&o, "edition-mismatch"), 2, "{}", o.stdout);
}

#[test]
fn edition_mismatch_twin_is_silent() {
    let o = expect_tree("edition-mismatch-silent");
    assert_eq!(count(&o, "edition-mismatch"), 0, "{}", o.stdout);
}

#[test]
fn label_in_path_attr_fires() {
    let o = expect_tree("label-in-path-attr");
    assert_eq!(count(&o, "label-in-path-attr"), 1, "{}", o.stdout);
}

#[test]
fn label_in_path_attr_twin_is_silent() {
    let o = expect_tree("label-in-path-attr-silent");
    assert_eq!(count(&o, "label-in-path-attr"), 0, "{}", o.stdout);
}
