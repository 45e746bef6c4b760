//! Remote-execution rules (R07–R14 and the opt-in `re-container-image-registry-not-allowed`)
//! on small Buck2 trees under `testdata/re-*`.
//!
//! Each test runs the built binary from the repository root (`check testdata/<tree> --format
//! concise`, with `--isolated` or the tree's own config file) and compares stdout with a
//! checked-in `testdata/<tree>/expected*.txt`. `UPDATE_EXPECT=1` rewrites the expected files
//! instead of comparing. So that an update cannot bless a wrong result, every test also states
//! what must hold independently of the expected file: silent trees must print nothing, firing
//! trees must report the listed rules the listed number of times.

mod common;
use common::copy_dir;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_buck-lint"))
        .args(args)
        .current_dir(dir)
        .env("BUCK_LINT_NO_CACHE", "1")
        .env("CARGO_HOME", env!("CARGO_MANIFEST_DIR").to_string() + "/testdata/cargo-home")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run buck-lint");
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// `buck-lint check testdata/<tree> --format concise <args>` from the repository root.
fn lint(tree: &str, args: &[&str]) -> Out {
    let path = format!("testdata/{tree}");
    let mut all = vec!["check", path.as_str(), "--format", "concise"];
    all.extend_from_slice(args);
    let o = run_in(&repo(), &all);
    assert!(o.code == 0 || o.code == 1, "exit code {} for {tree} {args:?}\n{}", o.code, o.stderr);
    assert!(!o.stdout.contains("internal-error"), "{}", o.stdout);
    o
}

/// The `--config` argument for a file in the tree.
fn config(tree: &str, file: &str) -> String {
    format!("testdata/{tree}/{file}")
}

/// Compare with `testdata/<tree>/<name>`, or rewrite it when `UPDATE_EXPECT=1`.
fn expect(tree: &str, name: &str, actual: &str) {
    let path = repo().join("testdata").join(tree).join(name);
    if std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {} (run with UPDATE_EXPECT=1 and review it)", path.display()));
    assert!(
        expected == actual,
        "output differs from {}\n--- expected\n{expected}--- actual\n{actual}(run with UPDATE_EXPECT=1 to accept, then review the diff)",
        path.display()
    );
}

/// How many findings of `rule` (with this severity) the concise output has.
fn count(stdout: &str, severity: &str, rule: &str) -> usize {
    let needle = format!(": {severity}[{rule}]: ");
    stdout.lines().filter(|l| l.contains(&needle)).count()
}

/// Every finding of the output is one of `expected` (severity, rule, count), and each appears
/// exactly that many times.
fn assert_findings(stdout: &str, expected: &[(&str, &str, usize)]) {
    for (sev, rule, n) in expected {
        assert_eq!(count(stdout, sev, rule), *n, "{sev}[{rule}] in:\n{stdout}");
    }
    let total: usize = expected.iter().map(|e| e.2).sum();
    assert_eq!(stdout.lines().count(), total, "unexpected extra findings:\n{stdout}");
}

/// A silent tree: nothing on stdout, exit 0, and an empty expected file.
fn assert_silent(tree: &str, args: &[&str]) {
    let o = lint(tree, args);
    assert_eq!(o.stdout, "", "{tree} {args:?} should be silent");
    assert_eq!(o.code, 0, "{}", o.stderr);
    expect(tree, "expected.txt", &o.stdout);
}

// --- one silent tree per provider convention -------------------------------------------------

#[test]
fn engflow_is_silent() {
    assert_silent("re-engflow", &["--isolated"]);
    assert_silent("re-engflow", &["--config", &config("re-engflow", "buck-lint.toml")]);
}

#[test]
fn buildbuddy_is_silent() {
    assert_silent("re-buildbuddy", &["--isolated"]);
    // provider = buildbuddy (`OSFamily: Linux`) and an allow-list of the properties used.
    assert_silent("re-buildbuddy", &["--config", &config("re-buildbuddy", "buck-lint.toml")]);
}

#[test]
fn buildbarn_is_silent() {
    assert_silent("re-buildbarn", &["--isolated"]);
    assert_silent("re-buildbarn", &["--config", &config("re-buildbarn", "buck-lint.toml")]);
}

#[test]
fn nativelink_is_silent() {
    assert_silent("re-nativelink", &["--isolated"]);
    assert_silent("re-nativelink", &["--config", &config("re-nativelink", "buck-lint.toml")]);
}

// --- firing trees -------------------------------------------------------------------------------

#[test]
fn firing_tree_reports_every_rule() {
    let o = lint("re-firing", &["--isolated"]);
    assert_eq!(o.code, 1);
    assert_findings(
        &o.stdout,
        &[
            ("warning", "re-exec-platform-host-derived", 1),
            ("warning", "re-full-hybrid-racing", 2),
            ("warning", "re-local-cache-upload", 1),
            ("info", "re-local-cache-upload", 1),
            ("warning", "re-container-image-unpinned", 1),
            ("error", "re-executor-config-invalid", 3),
            ("info", "re-platform-property-inconsistent", 1),
            ("warning", "re-container-image-invalid", 2),
            ("error", "re-container-image-invalid", 1),
            ("warning", "re-container-image-missing", 1),
        ],
    );
    // Anchors: host-derived on the BUCK attribute value, racing on the callee when the kwarg is
    // absent and on the value when it is written, R12 with its related span in the .bzl.
    assert!(o.stdout.contains("platforms/BUCK:7:25: warning[re-exec-platform-host-derived]: execution platform `dev`"));
    assert!(o.stdout.contains("platforms/defs.bzl:20:27: warning[re-full-hybrid-racing]: `CommandExecutorConfig`"));
    assert!(
        o.stdout.contains("platforms/defs.bzl:59:30: warning[re-full-hybrid-racing]: `use_limited_hybrid = False`")
    );
    assert!(o.stdout.contains("`use_limited_hybird` is not an argument"));
    expect("re-firing", "expected.txt", &o.stdout);
}

#[test]
fn firing_tree_with_relaxed_options() {
    // require-digest = false (R09 off), image-required = false (R10 off), bare-image-names =
    // true (the scheme-less image is a worker label).
    let o = lint("re-firing", &["--config", &config("re-firing", "relaxed.toml")]);
    assert_eq!(count(&o.stdout, "warning", "re-container-image-unpinned"), 0, "{}", o.stdout);
    assert_eq!(count(&o.stdout, "warning", "re-container-image-missing"), 0, "{}", o.stdout);
    assert!(!o.stdout.contains("docker://` scheme"), "{}", o.stdout);
    assert_eq!(count(&o.stdout, "warning", "re-container-image-invalid"), 1, "{}", o.stdout);
    assert_eq!(count(&o.stdout, "error", "re-container-image-invalid"), 1, "{}", o.stdout);
    assert_eq!(o.stdout.lines().count(), 11, "{}", o.stdout);
    expect("re-firing", "expected-relaxed.txt", &o.stdout);
}

#[test]
fn fixes_rewrite_the_firing_tree() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("testdata/re-firing"), dir.path());
    let defs = dir.path().join("platforms/defs.bzl");
    let before = std::fs::read_to_string(&defs).unwrap();

    // --fix applies only the safe fix: the missing remote_execution_use_case.
    let o = run_in(dir.path(), &["check", ".", "--isolated", "--fix", "--format", "concise"]);
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let safe = std::fs::read_to_string(&defs).unwrap();
    assert_eq!(safe.matches("remote_execution_use_case = \"buck2-default\"").count(), 5, "{safe}");
    let inserted = "            },\n            remote_execution_use_case = \"buck2-default\",\n";
    assert_eq!(
        safe.replacen(inserted, "            },\n", 1),
        before,
        "only the use case is inserted, after the last argument"
    );

    // --unsafe-fixes also sets use_limited_hybrid, adds the scheme and normalises OSFamily.
    let o = run_in(dir.path(), &["check", ".", "--isolated", "--fix", "--unsafe-fixes", "--format", "concise"]);
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let fixed = std::fs::read_to_string(&defs).unwrap();
    assert!(fixed.contains("            },\n            use_limited_hybrid = True,\n        ),"), "{fixed}");
    assert!(fixed.contains("use_limited_hybrid = True,  # R07"), "{fixed}");
    assert!(fixed.contains("\"container-image\": \"docker://gcr.io/acme/rbe-ubuntu22-04@sha256:"), "{fixed}");
    assert!(!fixed.contains("\"linux\""), "{fixed}");

    let o = run_in(dir.path(), &["check", ".", "--isolated", "--format", "concise"]);
    for gone in ["re-full-hybrid-racing", "re-platform-property-inconsistent"] {
        assert!(!o.stdout.contains(gone), "{gone} still reported:\n{}", o.stdout);
    }
    assert!(!o.stdout.contains("remote_execution_use_case` is not set"), "{}", o.stdout);
    assert!(!o.stdout.contains("docker://` scheme"), "{}", o.stdout);
    // Without racing, the cache-upload finding drops to info.
    assert_eq!(count(&o.stdout, "warning", "re-local-cache-upload"), 0, "{}", o.stdout);
    assert_eq!(count(&o.stdout, "info", "re-local-cache-upload"), 2, "{}", o.stdout);
}

#[test]
fn helpers_and_constants_report_a_shared_image_once() {
    // The unpinned image constant in images.bzl feeds two executor configurations (two helper
    // functions, three platform instances): one finding, on the constant.
    let o = lint("re-helpers", &["--isolated"]);
    assert_findings(&o.stdout, &[("warning", "re-container-image-unpinned", 1)]);
    assert!(o.stdout.starts_with("testdata/re-helpers/platforms/images.bzl:7:13: "), "{}", o.stdout);
    expect("re-helpers", "expected.txt", &o.stdout);

    // Both uses are attached as related spans.
    let o = run_in(&repo(), &["check", "testdata/re-helpers", "--isolated", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let text = v.to_string();
    assert_eq!(text.matches("used as `container-image` here").count(), 2, "{text}");
}

#[test]
fn unresolved_values_are_silent() {
    // Images from read_config(), a macro call and a merged attribute dict; a host platform
    // whose remote_enabled is an expression of host_info().
    assert_silent("re-unresolved", &["--isolated"]);
}

#[test]
fn host_info_platform() {
    let o = lint("re-host-info", &["--isolated"]);
    assert_findings(&o.stdout, &[("warning", "re-exec-platform-host-derived", 1)]);
    assert!(o.stdout.contains("platforms/defs.bzl:7:12: "), "on the host_info() call: {}", o.stdout);
    expect("re-host-info", "expected.txt", &o.stdout);
}

#[test]
fn invalid_executor_configs() {
    let o = lint("re-invalid-config", &["--isolated"]);
    assert_findings(&o.stdout, &[("error", "re-executor-config-invalid", 4)]);
    for what in [
        "`network_access = \"off\"`",
        "missing the required argument `local_enabled`",
        "`remote_execution_properties` is a list",
        "`remote_execution_properties` is `None`",
    ] {
        assert!(o.stdout.contains(what), "{what}: {}", o.stdout);
    }
    expect("re-invalid-config", "expected.txt", &o.stdout);
}

#[test]
fn property_policy_from_config() {
    assert_silent("re-property-policy", &["--isolated"]);
    let o = lint("re-property-policy", &["--config", &config("re-property-policy", "buck-lint.toml")]);
    assert_findings(&o.stdout, &[("info", "re-platform-property-inconsistent", 2)]);
    assert!(o.stdout.contains("NativeLink's spelling `linux`"), "{}", o.stdout);
    assert!(o.stdout.contains("platform property `Pool`"), "{}", o.stdout);
    expect("re-property-policy", "expected-config.txt", &o.stdout);
}

#[test]
fn registry_allow_list_is_opt_in() {
    let cfg = config("re-registry", "buck-lint.toml");
    // Off by default, even with an allow-list configured.
    let o = lint("re-registry", &["--config", &cfg]);
    assert_eq!(o.stdout, "");
    let o = lint("re-registry", &["--config", &cfg, "--extend-select", "re-container-image-registry-not-allowed"]);
    assert_findings(&o.stdout, &[("warning", "re-container-image-registry-not-allowed", 2)]);
    assert!(o.stdout.contains("`gcr.io/flame-public/rbe-ubuntu22-04`"), "{}", o.stdout);
    assert!(o.stdout.contains("`ghcr.io/acmecorp/ci`"), "{}", o.stdout);
    expect("re-registry", "expected.txt", &o.stdout);

    // `[re] allowed-registries` is the fallback list.
    let fallback = config("re-registry", "fallback.toml");
    let o = lint("re-registry", &["--config", &fallback, "--extend-select", "re-container-image-registry-not-allowed"]);
    assert_findings(&o.stdout, &[("warning", "re-container-image-registry-not-allowed", 2)]);
    assert!(o.stdout.contains("`docker.io/library/debian`"), "{}", o.stdout);
    expect("re-registry", "expected-fallback.txt", &o.stdout);
}

#[test]
fn seed_project_remote_findings() {
    // testdata/pyo3-remote belongs to the lead's end-to-end test; only check the RE findings.
    let o = lint("pyo3-remote", &["--isolated", "--select", "remote-execution"]);
    assert_findings(
        &o.stdout,
        &[
            ("warning", "re-full-hybrid-racing", 1),
            ("warning", "re-local-cache-upload", 1),
            ("warning", "re-container-image-invalid", 2),
            ("warning", "re-exec-platform-host-derived", 1),
        ],
    );
    assert!(o.stdout.contains("pyo3-remote/BUCK:8:25: warning[re-exec-platform-host-derived]"), "{}", o.stdout);
    assert!(o.stdout.contains("pyo3-remote/defs.bzl:14:34: warning[re-full-hybrid-racing]"), "{}", o.stdout);
    assert!(o.stdout.contains("pyo3-remote/defs.bzl:15:35: warning[re-local-cache-upload]"), "{}", o.stdout);
    assert!(o.stdout.contains("Docker Hub repository `library/registry.com`"), "{}", o.stdout);
    assert!(o.stdout.contains("digest `sha256:aaaaaaaaaaaa…` is a placeholder"), "{}", o.stdout);
}
