//! Time-boxed fuzzing of buck-lint's entry points with proptest's generators, one target per
//! test (ignored by default; run with `FUZZ_SECONDS=600 cargo test --release --test fuzz --
//! --ignored --nocapture <target>`). They complement the coverage-guided cargo-fuzz targets
//! in `fuzz/` (same entry points, no coverage feedback, no extra tooling); results of the
//! long runs of both are recorded in `fuzz/README.md`. Seeds are the project's own `testdata/` files,
//! mutated by token insertion, deletion and duplication, plus arbitrary text.

mod common;
use common::mutate::{edits, mutate};
use common::*;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::time::{Duration, Instant};

use buck_lint::config::Settings;
use buck_lint::engine::{RunOptions, run};
use buck_lint::parse;
use buck_lint::source::FileKind;

fn seeds(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| std::fs::read_to_string(repo().join(p)).unwrap()).collect()
}

/// A mutated seed or arbitrary text.
fn input(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let n = seeds.len();
    let mutated = (0..n, edits()).prop_map(move |(i, e)| mutate(&seeds[i], &e));
    prop_oneof![4 => mutated, 1 => ".{0,300}"]
}

fn budget() -> Duration {
    Duration::from_secs(std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10))
}

/// Run `f` on generated inputs until the time budget is spent; print executions.
fn fuzz(name: &str, strategy: impl Strategy<Value = String>, mut f: impl FnMut(&str)) {
    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let start = Instant::now();
    let mut execs = 0u64;
    while start.elapsed() < budget() {
        let tree = strategy.new_tree(&mut runner).unwrap();
        let value = tree.current();
        f(&value);
        execs += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!("fuzz {name}: {execs} executions in {secs:.0} s ({:.0}/s), no failure", execs as f64 / secs);
}

fn parse_target(name: &str, kind: FileKind, paths: &[&str]) {
    fuzz(name, input(seeds(paths)), |s| {
        let o = parse::parse(kind, "x", s);
        for e in &o.errors {
            assert!(e.span.start <= e.span.end && e.span.end <= s.len() + 1);
        }
    });
}

#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_fixups_toml() {
    parse_target(
        "fixups.toml",
        FileKind::Fixups,
        &[
            "testdata/fixups-legacy/third-party/fixups/openssl-sys/fixups.toml",
            "testdata/fixups-legacy/third-party/fixups/bzip2-sys/fixups.toml",
            "testdata/fixups-migrate/third-party/fixups/getrandom/fixups.toml",
        ],
    );
}

#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_reindeer_toml() {
    parse_target("reindeer.toml", FileKind::ReindeerToml, &["testdata/pyo3-remote/third_party/reindeer.toml"]);
}

#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_buckconfig() {
    parse_target("buckconfig", FileKind::BuckConfig, &["testdata/pyo3-remote/.buckconfig"]);
}

#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_cargo_lock() {
    parse_target("Cargo.lock", FileKind::CargoLock, &["testdata/pyo3-remote/third_party/Cargo.lock"]);
}

/// Starlark end to end: a mutated file linted by the whole engine (all default rules and the
/// cross-file model) as part of the PyO3 project, through an in-memory overlay.
#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_starlark_lint() {
    let root = repo().join("testdata/pyo3-remote");
    let targets = ["third_party/BUCK", "defs.bzl", "BUCK", "toolchains/defs.bzl"];
    let paths: Vec<String> = targets.iter().map(|t| format!("testdata/pyo3-remote/{t}")).collect();
    let seeds_v = seeds(&paths.iter().map(String::as_str).collect::<Vec<_>>());
    let settings = Settings::default();
    let mut i = 0usize;
    fuzz("starlark lint", input(seeds_v), |s| {
        i += 1;
        let file = root.join(targets[i % targets.len()]);
        let opts = RunOptions {
            crate_cache: None,
            sequential_walk: false,
            regular_files: None,
            targeted_context: false,
            known_root: None,
            prewalked: None,
            paths: vec![file.clone()],
            stdin: None,
            force_exclude: false,
            overlays: [(file, s.to_string())].into_iter().collect(),
        };
        let r = run(&opts, &settings);
        assert!(
            !r.diagnostics.iter().any(|d| d.rule == buck_lint::rules::Rule::InternalError),
            "internal error on:\n{s}"
        );
    });
}

/// The fixer: fixes applied to a mutated file never leave it unparsable.
#[test]
#[ignore = "time-boxed fuzzing; see fuzz/README.md"]
fn fuzz_fixer() {
    let seeds_v = seeds(&[
        "testdata/fixups-migrate/third-party/fixups/getrandom/fixups.toml",
        "testdata/fixups-legacy/third-party/fixups/bzip2-sys/fixups.toml",
        "testdata/fix-unused-load/BUCK",
    ]);
    let mut i = 0usize;
    fuzz("fixer", input(seeds_v), |s| {
        i += 1;
        let d = tree(&[(".buckconfig", "[cells]\n  root = .\n")]);
        let name = if i % 3 == 2 { "BUCK" } else { "third-party/fixups/getrandom/fixups.toml" };
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, s).unwrap();
        let kind = if name == "BUCK" { FileKind::Build } else { FileKind::Fixups };
        let parsed_before = parse::decode(s.as_bytes()).map(|(t, _)| parse::parse(kind, "x", &t).errors.is_empty());
        let o = run_in(d.path(), &["check", "--fix", "--unsafe-fixes", "--select", "ALL", "--isolated", "--exit-zero"]);
        assert!(o.code == 0 || o.code == 1 || o.code == 2, "{}", o.stderr);
        if matches!(parsed_before, Ok(true)) {
            let after = std::fs::read(&p).unwrap();
            let (t, _) = parse::decode(&after).expect("fixed file is text");
            assert!(
                parse::parse(kind, "x", &t).errors.is_empty(),
                "a fix broke the file:\n--- before\n{s}\n--- after\n{t}"
            );
        }
    });
}
