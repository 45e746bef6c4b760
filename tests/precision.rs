//! Real-world precision: fixtures that reproduce what buck-lint got wrong on public Buck2 +
//! Reindeer repositories (each tree's README says what must stay silent and what still fires),
//! plus generated trees for discovery (symbolic links, ignored directories, nested projects).
//! The concise output of `buck-lint check <tree> --format concise --isolated` must equal
//! `testdata/<tree>/expected.txt` (rewrite with `UPDATE_EXPECT=1`).

mod common;
use common::*;

#[test]
fn vendored_prelude_is_a_dependency_and_no_re_evidence() {
    let o = expect_tree("precision-vendored-prelude");
    assert_eq!(o.stdout, "");
    assert_eq!(o.code, 0);
}

#[test]
fn vendored_prelude_findings_come_back_with_lint_dependency_cells() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("buck-lint.toml");
    std::fs::write(&cfg, "[lint]\nlint-dependency-cells = true\n").unwrap();
    let o = run_in(
        &repo(),
        &["check", "testdata/precision-vendored-prelude", "--format", "concise", "--config", cfg.to_str().unwrap()],
    );
    assert!(o.stdout.contains("prelude/apple/tools/BUCK.v2:5:5: error[syntax-error]"), "{}", o.stdout);
    assert!(o.stdout.contains("prelude/tests/re_utils.bzl"), "{}", o.stdout);
    // still no RE evidence: the prelude's executors are not the build's
    assert!(!o.stdout.contains("cargo-env-all-under-re"), "{}", o.stdout);
}

#[test]
fn remote_platform_twin_fires() {
    let o = expect_tree("precision-remote-platform");
    assert!(o.stdout.contains("cargo-env-all-under-re"));
    assert!(!o.stdout.contains("/prelude/"), "{}", o.stdout);
}

#[test]
fn reindeer_generations_and_build_script_stand_ins() {
    expect_tree("precision-reindeer-generations");
}

#[test]
fn macros_and_nolint() {
    expect_tree("precision-macros");
}

#[test]
fn re_values_through_merges_locals_and_splats() {
    expect_tree("precision-re-values");
}

/// facebook/buck2's own shape: the cells split over `.buckconfig.d/` and `.buckconfig`, Meta's
/// `platform` RE properties, and test executors that race (they never build a crate).
#[test]
fn meta_oss_layout_is_silent() {
    let o = expect_tree("precision-meta-oss-layout");
    assert_eq!(o.stdout, "");
}

#[test]
fn local_re_endpoint_is_silent() {
    let o = expect_tree("precision-re-local");
    assert_eq!(o.stdout, "");
}

#[test]
fn buildbarn_worker_labels_are_not_images() {
    let o = expect_tree("precision-re-worker-labels");
    assert_eq!(o.stdout, "");
}

const BUCKCONFIG: &str =
    "[cells]\n  root = .\n  prelude = prelude\n\n[project]\n  ignore = vendor, third-party/nested\n";
const LOCK: &str = "version = 4\n\n[[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"top\"\nversion = \"0.0.0\"\ndependencies = [\"foo\"]\n";

/// `third-party/fixups -> ../shared-fixups`: Reindeer finds fixups through the link, so
/// buck-lint does too, and reads each file once.
#[cfg(unix)]
#[test]
fn symlinked_fixups_directory_is_followed_once() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        ("third-party/reindeer.toml", "vendor = false\n"),
        ("third-party/Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.0.0\"\n"),
        ("third-party/Cargo.lock", LOCK),
        // legacy syntax: a finding that shows the file was read as foo's fixups
        ("shared-fixups/foo/fixups.toml", "[[buildscript]]\n[buildscript.rustc_flags]\n"),
        ("shared-fixups/gone/fixups.toml", "buildscript.run = true\n"),
    ]);
    std::os::unix::fs::symlink("../shared-fixups", d.path().join("third-party/fixups")).unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "shared-fixups/foo/fixups.toml:1:1: error[fixup-legacy-buildscript-syntax]: legacy `[[buildscript]]` with `rustc_flags`: current Reindeer accepts only `buildscript.build` and `buildscript.run` (removed 2025-04-29/30)",
            "shared-fixups/gone/fixups.toml:1:1: warning[fixup-orphan-dir]: fixups directory `gone` is not a package in Cargo.lock, so this file is never read",
        ],
        "{}",
        o.stderr
    );
}

/// A symbolic link loop in the tree is skipped with a warning, not an error.
#[cfg(unix)]
#[test]
fn directory_link_loop_is_a_warning() {
    let d = tree(&[(".buckconfig", BUCKCONFIG), ("a/BUCK", "filegroup(name = \"a\", srcs = [])\n")]);
    std::os::unix::fs::symlink("..", d.path().join("a/up")).unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!((o.stdout.as_str(), o.code), ("", 0), "{}", o.stderr);
    assert!(o.stderr.contains("warning: skipped a/up: symbolic link loop"), "{}", o.stderr);
}

/// A directory named on the command line is linted even when `[project] ignore` covers it,
/// unless `--force-exclude`.
#[test]
fn explicit_ignored_directory_is_linted() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        ("vendor/lib/BUCK", "rust_library(name = \"x\", srcs = [])\nrust_library(name = \"x\", srcs = [])\n"),
    ]);
    let o = run_in(d.path(), &["check", "vendor", "--format", "concise", "--isolated"]);
    assert!(o.stdout.contains("vendor/lib/BUCK:2:21: error[duplicate-target-name]"), "{}{}", o.stdout, o.stderr);
    let o = run_in(d.path(), &["check", "vendor", "--format", "concise", "--isolated", "--force-exclude"]);
    assert_eq!(o.stdout, "", "{}", o.stderr);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(o.stdout, "", "a whole-repository run still honours [project] ignore");
}

/// Inside a nested project that the outer `.buckconfig` ignores, its own `.buckconfig` is the
/// root: its cells resolve, and the outer project's files are not context.
#[test]
fn nested_ignored_project_uses_its_own_buckconfig() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        (
            "third-party/nested/.buckconfig",
            "[cells]\n  root = .\n  prelude = prelude\n\n[build]\n  execution_platforms = root//platforms:remote\n",
        ),
        ("third-party/nested/platforms/BUCK", "load(\":defs.bzl\", \"remote\")\n\nremote(name = \"remote\")\n"),
        (
            "third-party/nested/platforms/defs.bzl",
            "def _impl(ctx):\n    return [ExecutionPlatformInfo(label = ctx.label.raw_target(), configuration = ConfigurationInfo(constraints = {}, values = {}), executor_config = CommandExecutorConfig(local_enabled = True, remote_enabled = True, use_limited_hybrid = False, remote_execution_properties = {\"container-image\": \"docker://gcr.io/acme/rbe@sha256:4a5c6e4b1b2f0a7d9e3c8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e\"}, remote_execution_use_case = \"buck2-default\"))]\n\nremote = rule(impl = _impl, attrs = {})\n",
        ),
    ]);
    let nested = d.path().join("third-party/nested");
    let o = run_in(&nested, &["check", "--format", "concise", "--isolated"]);
    assert!(
        o.stdout.contains("platforms/defs.bzl:2:") && o.stdout.contains("re-full-hybrid-racing"),
        "{}{}",
        o.stdout,
        o.stderr
    );
}

#[test]
fn buckconfig_include_missing_and_cycle() {
    let o = expect_tree("buckconfig-includes");
    assert_eq!(o.stdout.matches("buckconfig-include-invalid").count(), 2, "{}", o.stdout);
}

#[test]
fn crate_sources_decide_env_path_macros() {
    let o = expect_tree("precision-crate-sources");
    // once, on the fixups value (not again on its copy in the generated BUCK)
    assert_eq!(o.stdout.matches("env-path-macro-absolutized").count(), 1, "{}", o.stdout);
    assert!(o.stdout.contains("fixups/gen-paths/fixups.toml"), "{}", o.stdout);
    assert!(!o.stdout.contains("MIME_TYPES_GENERATED_PATH"), "{}", o.stdout);
}

#[test]
fn crate_sources_show_embedding_crates_no_table_lists() {
    let o = expect_tree("precision-source-embedding");
    assert!(o.stdout.contains("error[pipelined-nondeterministic-crate]: path-baker 0.2.0"), "{}", o.stdout);
    assert!(o.stdout.contains("error[proc-macro-consumes-nondeterministic-rlib]"), "{}", o.stdout);
    assert!(!o.stdout.contains("table-only"), "{}", o.stdout);
}

#[test]
fn cargo_env_missing_from_crate_sources() {
    let o = expect_tree("precision-cargo-env");
    assert_eq!(o.stdout.matches("fixup-cargo-env-missing").count(), 2, "{}", o.stdout);
    for silent in ["greeter", "lazy-info"] {
        assert!(!o.stdout.contains(silent), "{}", o.stdout);
    }
}

/// `check .` in a repository whose Buck2 projects live in subdirectories (no `.buckconfig` at
/// the top): each project is linted against its own root. Here one project talks to a local
/// remote-execution endpoint, so its executor needs no image (silent), while the other's
/// configuration is judged by its own `.buckconfig` (fires).
#[test]
fn projects_in_subdirectories_each_use_their_own_root() {
    const EXEC: &str = "def _impl(ctx):\n    return [ExecutionPlatformInfo(label = ctx.label.raw_target(), configuration = ConfigurationInfo(constraints = {}, values = {}), executor_config = CommandExecutorConfig(local_enabled = True, remote_enabled = True, use_limited_hybrid = True, remote_execution_properties = {}, remote_execution_use_case = \"buck2-default\"))]\n\nplatforms = rule(impl = _impl, attrs = {})\n";
    let d = tree(&[
        ("README.md", "a repository with Buck2 in subdirectories\n"),
        (
            "integration/buck2/.buckconfig",
            "[cells]\n  root = .\n\n[buck2_re_client]\n  engine_address = localhost:50051\n  cas_address = localhost:50051\n  action_cache_address = localhost:50051\n\n[build]\n  execution_platforms = root//platforms:platforms\n",
        ),
        ("integration/buck2/platforms/BUCK", "load(\":defs.bzl\", \"platforms\")\n\nplatforms(name = \"platforms\")\n"),
        ("integration/buck2/platforms/defs.bzl", EXEC),
        (
            "ci/buck2/.buckconfig",
            "[cells]\n  root = .\n\n[buck2_re_client]\n  engine_address = grpcs://remote.buildbuddy.io\n\n[build]\n  execution_platforms = root//platforms:platforms\n",
        ),
        ("ci/buck2/platforms/BUCK", "load(\":defs.bzl\", \"platforms\")\n\nplatforms(name = \"platforms\")\n"),
        ("ci/buck2/platforms/defs.bzl", EXEC),
    ]);
    let o = run_in(
        d.path(),
        &["check", ".", "--format", "concise", "--isolated", "--select", "re-container-image-missing"],
    );
    assert_eq!(
        o.stdout.lines().filter(|l| l.contains("[re-container-image-missing]")).collect::<Vec<_>>(),
        vec![
            "ci/buck2/platforms/defs.bzl:2:275: warning[re-container-image-missing]: `remote_execution_properties` has no `container-image`, so backends such as EngFlow and BuildBuddy reject the remote actions or run them in a default image that does not match your toolchain"
        ],
        "{}{}",
        o.stdout,
        o.stderr
    );
    // pre-commit names files of both projects in one run: the same verdicts
    let o = run_in(
        d.path(),
        &[
            "check",
            "integration/buck2/platforms/defs.bzl",
            "ci/buck2/platforms/defs.bzl",
            "--format",
            "concise",
            "--isolated",
            "--select",
            "re-container-image-missing",
        ],
    );
    assert_eq!(o.stdout.matches("[re-container-image-missing]").count(), 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("ci/buck2/platforms/defs.bzl"), "{}", o.stdout);
}

/// facebook/buck2's shape: one run over the files of many Buck2 projects (its test and
/// example directories carry their own `.buckconfig`, ignored by the root's). The projects run
/// in parallel; the findings must come out in path order, the same every run, and
/// each project judged by its own configuration.
#[test]
fn many_projects_in_one_run_keep_their_order() {
    let mut files: Vec<(String, String)> =
        vec![(".buckconfig".into(), "[cells]\n  root = .\n\n[project]\n  ignore = tests\n".into())];
    files.push(("BUCK".into(), "genrule(name = \"top\", out = \"x\", cmd = \"true\")\n".into()));
    for i in 0..12 {
        let dir = format!("tests/case_{i:02}_data");
        // every other project names the cell its BUCK file loads from
        let cells = if i % 2 == 0 { "[cells]\n  root = .\n  macros = macros\n" } else { "[cells]\n  root = .\n" };
        files.push((format!("{dir}/.buckconfig"), cells.into()));
        files.push((format!("{dir}/macros/defs.bzl"), "def m(**kwargs):\n    native.genrule(**kwargs)\n".into()));
        files.push((
            format!("{dir}/BUCK"),
            "load(\"@macros//:defs.bzl\", \"m\")\n\nm(name = \"t\", out = \"x\", cmd = \"true\")\n".into(),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let d = tree(&refs);
    // the files as a pre-commit hook hands them over: every project's BUCK, then the root's
    let mut args: Vec<String> = ["check", "--format", "concise", "--isolated"].iter().map(|s| s.to_string()).collect();
    args.extend((0..12).rev().map(|i| format!("tests/case_{i:02}_data/BUCK")));
    args.push("BUCK".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = run_in(d.path(), &args);
    let lines: Vec<&str> = first.stdout.lines().collect();
    // the projects without the `macros` cell, in path order (as one project's files are)
    let expected: Vec<String> = (0..12)
        .filter(|i| i % 2 == 1)
        .map(|i| format!("tests/case_{i:02}_data/BUCK:1:6: error[buckconfig-cell-unresolved]"))
        .collect();
    assert_eq!(lines.len(), expected.len(), "{}", first.stdout);
    for (l, e) in lines.iter().zip(&expected) {
        assert!(l.starts_with(e.as_str()), "{l} should start with {e}\n{}", first.stdout);
    }
    for _ in 0..3 {
        assert_eq!(run_in(d.path(), &args).stdout, first.stdout, "the same output every run");
    }
}

/// A dependency cell's files keep none of their findings, so their suppression comments are
/// not "unused" either (the per-file rules do not even run there).
#[test]
fn dependency_cell_suppressions_are_not_unused() {
    let d = tree(&[
        (".buckconfig", "[cells]\n  root = .\n  prelude = prelude\n"),
        ("prelude/rules.bzl", "def f():\n    return 1  # buck-lint: disable=starlark-unreachable\n"),
        ("BUCK", "genrule(name = \"x\", out = \"x\", cmd = \"true\")  # buck-lint: disable=starlark-no-effect\n"),
    ]);
    let o = run_in(d.path(), &["check", ".", "--format", "concise", "--isolated"]);
    // the project's own unused comment is reported; the prelude's is not
    assert!(o.stdout.contains("BUCK:1:") && o.stdout.contains("unused-suppression"), "{}", o.stdout);
    assert!(!o.stdout.contains("prelude/"), "{}", o.stdout);
}
