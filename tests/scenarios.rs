//! The PyO3 scenario trees: the complete expected findings of each, pinned in
//! `testdata/<tree>/expected.txt` (concise format). `UPDATE_EXPECT=1` rewrites them.

mod common;
use common::*;

fn scenario(name: &str) -> String {
    let o = run_in(&repo(), &["check", &format!("testdata/{name}"), "--format", "concise", "--isolated"]);
    assert_ne!(o.code, 2, "{}", o.stderr);
    expect_file(&repo().join(format!("testdata/{name}/expected.txt")), &o.stdout);
    o.stdout
}

#[test]
fn pyo3_remote_diagnosis() {
    let out = scenario("pyo3-remote");
    // The headline findings of seed-failure.md §6.
    assert!(out.contains("third_party/BUCK:311:12: error[pipelined-nondeterministic-crate]"));
    assert!(out.contains("error[proc-macro-consumes-nondeterministic-rlib]: proc macro `pyo3-macros-0.26.0`"));
    assert!(out.contains("pyo3-macros → pyo3-macros-backend → pyo3-build-config"));
    assert!(out.contains("third_party/reindeer.toml:10:1: warning[cargo-env-all-under-re]"));
}

#[test]
fn pyo3_029_is_silent_for_the_determinism_rules() {
    let out = scenario("pyo3-029");
    assert!(!out.contains("pipelined-nondeterministic-crate"));
    assert!(!out.contains("proc-macro-consumes-nondeterministic-rlib"));
}

#[test]
fn local_only_platform_is_silent_for_the_determinism_rules() {
    let out = scenario("pyo3-local-only");
    assert!(!out.contains("pipelined-nondeterministic-crate"));
    assert!(!out.contains("cargo-env-all-under-re"));
    assert!(!out.contains("error[proc-macro-consumes-nondeterministic-rlib]"), "info at most without RE");
}

#[test]
fn nightly_features_off_is_silent_for_r01_and_r02_is_info() {
    let out = scenario("pyo3-nightly-off");
    assert!(!out.contains("pipelined-nondeterministic-crate"));
    assert!(out.contains("info[proc-macro-consumes-nondeterministic-rlib]"));
}

#[test]
fn full_output_names_every_file_of_the_chain() {
    let o = run_in(
        &repo(),
        &["check", "testdata/pyo3-remote", "--format", "full", "--color", "never", "--isolated", "--select", "R01,R02"],
    );
    for f in ["third_party/BUCK", "defs.bzl", ".buckconfig", "toolchains/defs.bzl"] {
        assert!(o.stdout.contains(&format!("testdata/pyo3-remote/{f}")), "{f} missing:\n{}", o.stdout);
    }
    assert!(o.stdout.contains("upgrade PyO3 to 0.29 or later"));
}

#[test]
fn readme_rule_table_matches_registry() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let o = run_in(&repo(), &["rules", "--format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    for r in rules {
        let row = format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            r["id"].as_str().unwrap(),
            r["code"].as_str().unwrap_or("–"),
            r["category"].as_str().unwrap(),
            r["severity"].as_str().unwrap(),
            if r["default_enabled"].as_bool().unwrap() { "on" } else { "off" },
            r["fix"].as_str().unwrap(),
            r["summary"].as_str().unwrap()
        );
        assert!(readme.contains(&row), "README rule table is out of date; missing row:\n{row}");
    }
}

#[test]
fn readme_example_output_is_current() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let expected = std::fs::read_to_string(repo().join("testdata/pyo3-remote/expected.txt")).unwrap();
    assert!(
        readme.contains(&format!("```text\n{expected}```")),
        "README example output differs from testdata/pyo3-remote/expected.txt"
    );
}

#[test]
fn pyo3_remote_has_the_complete_seed_failure_set() {
    // seed-failure.md §6: rule → file, nothing else.
    let o = run_in(
        &repo(),
        &["check", "testdata/pyo3-remote", "--format", "concise", "--isolated", "--extend-select", "R38"],
    );
    let mut got: Vec<(String, String)> = o
        .stdout
        .lines()
        .map(|l| {
            let file = l.split(':').next().unwrap().trim_start_matches("testdata/pyo3-remote/").to_string();
            let rule = l.split('[').nth(1).unwrap().split(']').next().unwrap().to_string();
            (rule, file)
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("pipelined-nondeterministic-crate", "third_party/BUCK"),
        ("proc-macro-consumes-nondeterministic-rlib", "third_party/BUCK"),
        ("cargo-env-all-under-re", "third_party/reindeer.toml"),
        ("re-full-hybrid-racing", "defs.bzl"),
        ("re-local-cache-upload", "defs.bzl"),
        ("re-container-image-invalid", "defs.bzl"),
        ("re-container-image-invalid", "defs.bzl"),
        ("re-exec-platform-host-derived", "BUCK"),
        ("fixup-buildscript-disabled-essential", "third_party/fixups/pyo3/fixups.toml"),
        ("fixup-buildscript-disabled-essential", "third_party/fixups/pyo3-ffi/fixups.toml"),
        ("fixup-buildscript-disabled-essential", "third_party/fixups/proc-macro2/fixups.toml"),
        ("reindeer-precise-srcs-noop", "third_party/reindeer.toml"),
        ("reindeer-unresolved-fixup-warn-only", "third_party/reindeer.toml"),
    ]
    .iter()
    .map(|(r, f)| (r.to_string(), f.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want, "{}", o.stdout);
    assert!(o.stdout.contains("warning[re-local-cache-upload]"), "R14 is raised to warning because R07 fires");
    assert!(o.stdout.contains("info[fixup-buildscript-disabled-essential]"), "proc-macro2 entry is info");
}

#[test]
fn single_file_runs_match_the_full_run() {
    // A narrow run loads only the context it needs; it must report exactly what a full run
    // reports for that file.
    for tree in ["pyo3-remote", "pyo3-nightly-off", "re-helpers", "fixups-legacy"] {
        let full = run_in(&repo(), &["check", &format!("testdata/{tree}"), "--format", "concise", "--isolated"]);
        let mut files: Vec<&str> = full.stdout.lines().filter_map(|l| l.split(':').next()).collect();
        files.dedup();
        assert!(!files.is_empty(), "{tree} has findings");
        for f in files {
            let one = run_in(&repo(), &["check", f, "--format", "concise", "--isolated"]);
            let want: String =
                full.stdout.lines().filter(|l| l.starts_with(&format!("{f}:"))).map(|l| format!("{l}\n")).collect();
            assert_eq!(one.stdout, want, "single-file run of {f} differs from the full run");
        }
    }
}

#[test]
fn buck_rules_fire_and_stay_silent() {
    let out = scenario("buck-rules");
    for rule in [
        "env-path-macro-absolutized",
        "proc-macro-missing-crate-attr",
        "proc-macro-inner-target-dep",
        "proc-macro-exec-compatible-with-dropped",
        "buildscript-wiring-mismatch",
        "buildscript-env-wrong-config-macro",
        "http-archive-unpinned-or-api-url",
        "dep-on-private-versioned-target",
        "python-ext-unsupported-in-oss-prelude",
    ] {
        assert!(out.contains(&format!("[{rule}]")), "{rule} did not fire:\n{out}");
    }
    assert_eq!(scenario("buck-rules-silent"), "", "the corrected twin must stay silent");
}
