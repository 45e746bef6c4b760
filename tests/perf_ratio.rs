//! Performance regression check for CI (`.ci/run` runs it with `--ignored`). It measures a
//! ratio within one run, so machine speed and noise cancel: the time of a full check of a
//! generated tree divided by the parse-only time (`--select syntax-error`) of the same tree,
//! median of 5 each. It fails only when the ratio exceeds twice the committed baseline in
//! `.ci/perf-baseline` (i.e. the rules became more than 2× as expensive relative to parsing).

mod common;
use common::*;

#[path = "../benches/gen.rs"]
mod generator;

use std::time::{Duration, Instant};

fn median(dir: &std::path::Path, args: &[&str]) -> Duration {
    let mut v: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let o = run_in(dir, args);
            assert_ne!(o.code, 2, "{}", o.stderr);
            t.elapsed()
        })
        .collect();
    v.sort();
    v[2]
}

#[test]
#[ignore = "performance check; run by .ci/run with --ignored"]
fn rules_cost_relative_to_parsing_stays_within_budget() {
    let d = tempfile::tempdir().unwrap();
    let (files, bytes) = generator::generate(d.path(), 400, 40);
    let full = median(d.path(), &["check", ".", "--format", "concise", "--isolated", "--exit-zero"]);
    let parse = median(
        d.path(),
        &["check", ".", "--format", "concise", "--isolated", "--exit-zero", "--select", "syntax-error"],
    );
    let ratio = full.as_secs_f64() / parse.as_secs_f64();
    let baseline: f64 = std::fs::read_to_string(repo().join(".ci/perf-baseline"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("full_over_parse = ").and_then(|v| v.trim().parse().ok()))
        .expect("full_over_parse in .ci/perf-baseline");
    println!(
        "{files} files, {:.1} MB: full {:.0} ms, parse-only {:.0} ms, ratio {ratio:.2} (baseline {baseline:.2}, limit {:.2})",
        bytes as f64 / 1e6,
        full.as_secs_f64() * 1e3,
        parse.as_secs_f64() * 1e3,
        baseline * 2.0
    );
    assert!(
        ratio <= baseline * 2.0,
        "rules now cost {ratio:.2}× the parse time, more than 2× the baseline {baseline:.2}"
    );
}
