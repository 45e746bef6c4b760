//! Throughput benchmark: generates a synthetic Buck2 + Reindeer repository in a temp dir
//! (20,000 Starlark files: BUCK 1–50 KB, .bzl 2–100 KB; 2,000 fixups.toml of 0.1–2 KB;
//! sizes log-uniform, deterministic) and runs the release binary over it.
//!
//! Prints files/s, MB/s and peak RSS of a full `buck-lint check`, the parse-only time of
//! the same tree (`--select syntax-error`), the cross-file overhead on one generated BUCK
//! file of 5,000 targets, the median time of a single-file run on a 100 KB .bzl, and the
//! scaling of one large generated BUCK file (5, 10, 20 and 50 MB: time per MB, peak RSS).
//!
//! Side by side on the same list of Starlark files (BUCK and .bzl): `buck-lint check FILES…`
//! with the default rules, `starlark --check --json FILES…` (starlark_bin 0.14.2, the
//! starlark crate's own lints, when `starlark` is on PATH) and the floor, a parse-only pass
//! (read + parse every file with the starlark parser, in parallel with the thread count
//! buck-lint uses); runs interleaved, median of 3.
//!
//! Run: `cargo bench --bench throughput` (env BENCH_FILES scales the tree, default 20000;
//! `BENCH_ONLY=side-by-side` runs only the comparison, `BENCH_ONLY=cache` only the result
//! cache, `BENCH_ONLY=crates` only the crate-source phase on 300 vendored crates, see
//! `crates.rs`; `BENCH_ONLY=loading` only the loading phase on 1,000 build files that call
//! project macros, see `loading.rs`; a full run ends with both).
//!
//! `BENCH_SIDE_REPO=path` runs only the side-by-side comparison, on a real checkout: every
//! Starlark file buck-lint reads there (build files, `PACKAGE`, `.bzl`, `.bxl`; `.git`,
//! hidden directories and `buck-out` skipped), in place, so buck-lint sees the repository's
//! projects, cells and configuration as a user's run would.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "crates.rs"]
mod crates;
#[path = "gen.rs"]
mod generator;
#[path = "loading.rs"]
mod loading;
use generator::{Rng, buck_file, bzl_file, fixups_file, generate};

/// Run the binary; return wall time and peak RSS (kB) polled from /proc.
fn measure(bin: &str, dir: &Path, args: &[&str]) -> (Duration, u64) {
    let start = Instant::now();
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null());
    // every measurement runs the engine, except the cache's own (which names --cache-dir)
    if !args.contains(&"--cache-dir") {
        cmd.env("BUCK_LINT_NO_CACHE", "1");
    }
    let mut child = cmd.spawn().unwrap();
    let status_path = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:")) {
                let kb: u64 = l.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
                peak = peak.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (start.elapsed(), peak)
}

/// The result cache: a cold run that fills a fresh cache directory, then warm runs of the
/// unchanged tree (the walk, hashing every file, and the replay), median of 3.
fn cache_runs(bin: &str, root: &Path, files: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let c = cache.to_str().unwrap();
    let args = ["check", ".", "--format", "concise", "--isolated", "--exit-zero", "--cache-dir", c];
    let (cold, _) = measure(bin, root, &args);
    let mut warm: Vec<Duration> = (0..3).map(|_| measure(bin, root, &args).0).collect();
    warm.sort();
    let warm = warm[1];
    println!(
        "result cache on the {files}-file tree: cold {:.2} s (fills the cache), warm {:.2} s = {:.0}% of cold (budget <= 25%)",
        cold.as_secs_f64(),
        warm.as_secs_f64(),
        100.0 * warm.as_secs_f64() / cold.as_secs_f64()
    );
}

fn main() {
    // `cargo test --benches` passes --bench-less args; only run under `cargo bench`.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_buck-lint");
    // BENCH_SIDE_REPO=path: the side-by-side comparison on a real checkout
    if let Some(repo) = std::env::var_os("BENCH_SIDE_REPO").map(PathBuf::from) {
        let files = repo_starlark_files(&repo);
        assert!(!files.is_empty(), "no Starlark files under {}", repo.display());
        compare(bin, &repo, &files);
        return;
    }
    // BENCH_ONLY=crates: just the crate-source phase on 300 vendored crates
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "crates") {
        crates::crate_scan_runs(bin);
        return;
    }
    // BENCH_ONLY=loading: just the loading phase on build files that call project macros
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "loading") {
        loading::loading_runs(bin);
        return;
    }
    let n: usize = std::env::var("BENCH_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let tmp = tempfile::tempdir().unwrap();
    // BENCH_DIR=path keeps the generated tree there (for profiling with other tools).
    let keep = std::env::var_os("BENCH_DIR").map(PathBuf::from);
    if let Some(k) = &keep {
        std::fs::create_dir_all(k).unwrap();
    }
    let root = keep.as_deref().unwrap_or(tmp.path());
    let t = Instant::now();
    let (files, bytes) = generate(root, n, n / 10);
    let mb = bytes as f64 / 1e6;
    println!("generated {files} files, {mb:.1} MB in {:.1?}", t.elapsed());

    let args = ["check", ".", "--format", "concise", "--isolated", "--exit-zero"];
    let _ = measure(bin, root, &args); // warm the page cache
    // BENCH_ONLY=side-by-side: just the comparison with starlark_bin and the parse floor
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "side-by-side") {
        side_by_side(bin, root);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "cache") {
        cache_runs(bin, root, files);
        return;
    }
    let (full, rss) = measure(bin, root, &args);
    let (parse, _) = measure(
        bin,
        root,
        &["check", ".", "--format", "concise", "--isolated", "--exit-zero", "--select", "syntax-error"],
    );
    let secs = full.as_secs_f64();
    println!(
        "full check: {secs:.2} s, {:.0} files/s, {:.1} MB/s, peak RSS {:.0} MB (budget: >= 40 MB/s, <= 200 MB)",
        files as f64 / secs,
        mb / secs,
        rss as f64 / 1024.0
    );
    // A single-file run inside the large tree (pre-commit / editor case): the project
    // context is loaded, but only what the file needs is parsed.
    let mut v: Vec<Duration> = (0..5)
        .map(|_| {
            measure(bin, root, &["check", "pkg0/sub3/defs.bzl", "--format", "concise", "--isolated", "--exit-zero"]).0
        })
        .collect();
    v.sort();
    println!("single file inside the {files}-file tree: median {:.0} ms over 5 runs", v[2].as_secs_f64() * 1e3);
    println!(
        "parse-only (--select syntax-error): {:.2} s; all rules / parse-only = {:.2}",
        parse.as_secs_f64(),
        secs / parse.as_secs_f64()
    );

    side_by_side(bin, root);
    cache_runs(bin, root, files);

    // One generated BUCK file of 5,000 targets: cross-file overhead.
    let big = tempfile::tempdir().unwrap();
    std::fs::write(big.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
    let mut rng = Rng(7);
    let mut text = buck_file(&mut rng, 0, 0);
    let mut k = 0;
    while text.matches("cargo.rust_library(").count() < 1_667 {
        text.push_str(&buck_file(&mut rng, 50_000, k)[150..]);
        k += 1;
    }
    std::fs::create_dir_all(big.path().join("third_party")).unwrap();
    std::fs::write(big.path().join("third_party/BUCK"), &text).unwrap();
    let targets = text.matches("\n    name = ").count();
    let runs = 5;
    let med = |args: &[&str]| {
        let mut v: Vec<Duration> = (0..runs).map(|_| measure(bin, big.path(), args).0).collect();
        v.sort();
        v[runs / 2]
    };
    let all = med(&["check", ".", "--format", "concise", "--isolated", "--exit-zero"]);
    let parse_only =
        med(&["check", ".", "--format", "concise", "--isolated", "--exit-zero", "--select", "syntax-error"]);
    // The same run without the cross-file rules (the categories that only run on the
    // project model, and the project-level buck rules).
    let no_cross = med(&[
        "check",
        ".",
        "--format",
        "concise",
        "--isolated",
        "--exit-zero",
        "--ignore",
        "determinism,remote-execution,fixups,reindeer,R16,R21,R22",
    ]);
    println!(
        "generated BUCK with {targets} targets ({:.1} MB): all rules {:.0} ms, without cross-file rules {:.0} ms, parse only {:.0} ms; cross-file rules add {:.0}% of the parse time (budget < 50%)",
        text.len() as f64 / 1e6,
        all.as_secs_f64() * 1e3,
        no_cross.as_secs_f64() * 1e3,
        parse_only.as_secs_f64() * 1e3,
        (all.as_secs_f64() - no_cross.as_secs_f64()) / parse_only.as_secs_f64() * 100.0
    );

    // A Reindeer project with 2,000 fixups files (and a lock listing their crates).
    let fx = tempfile::tempdir().unwrap();
    std::fs::write(fx.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
    let tp = fx.path().join("third_party");
    std::fs::create_dir_all(&tp).unwrap();
    std::fs::write(tp.join("reindeer.toml"), "precise_srcs = false\n").unwrap();
    let mut lock = String::from("version = 4\n");
    for i in 0..2_000 {
        lock.push_str(&format!("\n[[package]]\nname = \"crate{i}\"\nversion = \"{}.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", i % 7));
        let dir = tp.join(format!("fixups/crate{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let size = rng.log_uniform(100, 2_000);
        std::fs::write(dir.join("fixups.toml"), fixups_file(&mut rng, size)).unwrap();
    }
    std::fs::write(tp.join("Cargo.lock"), lock).unwrap();
    let mut v: Vec<Duration> = (0..5)
        .map(|_| measure(bin, fx.path(), &["check", ".", "--format", "concise", "--isolated", "--exit-zero"]).0)
        .collect();
    v.sort();
    println!(
        "2,000 fixups.toml files with Cargo.lock: median {:.0} ms over 5 runs (budget: well under 1 s)",
        v[2].as_secs_f64() * 1e3
    );

    // Single-file run on a 100 KB .bzl inside the project.
    let one = tempfile::tempdir().unwrap();
    std::fs::write(one.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
    std::fs::write(one.path().join("defs.bzl"), bzl_file(&mut rng, 100_000)).unwrap();
    let mut v: Vec<Duration> = (0..11)
        .map(|_| measure(bin, one.path(), &["check", "defs.bzl", "--format", "concise", "--isolated", "--exit-zero"]).0)
        .collect();
    v.sort();
    println!("single 100 KB .bzl: median {:.1} ms over 11 runs (budget <= 20 ms)", v[5].as_secs_f64() * 1e3);

    // One large generated BUCK file (Reindeer-shaped rules, no checksums, so every rule has a
    // finding): time per MB must stay flat (within 1.5x) from 5 to 50 MB.
    println!("single large BUCK file (generated rules): size, wall time, time per MB, peak RSS");
    let mut per_mb = Vec::new();
    for mb in [5usize, 10, 20, 50] {
        let big = tempfile::tempdir().unwrap();
        std::fs::write(big.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
        let text = large_buck(mb << 20);
        std::fs::write(big.path().join("BUCK"), &text).unwrap();
        let (t, rss) = measure(bin, big.path(), &["check", "BUCK", "--format", "concise", "--isolated", "--exit-zero"]);
        let m = text.len() as f64 / (1 << 20) as f64;
        per_mb.push(t.as_secs_f64() / m);
        println!(
            "  {m:5.1} MB: {:6.2} s, {:5.0} ms/MB, {:4} MB RSS",
            t.as_secs_f64(),
            t.as_secs_f64() * 1e3 / m,
            rss / 1024
        );
    }
    let (lo, hi) = per_mb.iter().fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    println!("  time per MB varies {:.2}x across sizes (budget <= 1.5x)", hi / lo);
    crates::crate_scan_runs(bin);
    loading::loading_runs(bin);
}

/// A BUCK file of `bytes` bytes of Reindeer-style `http_archive` + `cargo.rust_library` rules.
fn large_buck(bytes: usize) -> String {
    let mut out = String::from("load(\"@prelude//rust:cargo_package.bzl\", \"cargo\")\n\n");
    let mut i = 0usize;
    while out.len() < bytes {
        let prev = i.saturating_sub(1);
        out.push_str(&format!(
            "http_archive(\n    name = \"crate{i}-1.0.0.crate\",\n    strip_prefix = \"crate{i}-1.0.0\",\n    urls = [\"https://static.crates.io/crates/crate{i}/1.0.0/download\"],\n    visibility = [],\n)\n\ncargo.rust_library(\n    name = \"crate{i}-1.0.0\",\n    srcs = [\":crate{i}-1.0.0.crate\"],\n    crate = \"crate{i}\",\n    crate_root = \"crate{i}-1.0.0.crate/src/lib.rs\",\n    edition = \"2021\",\n    features = [\"default\", \"std\"],\n    visibility = [],\n    deps = [\":crate{prev}-1.0.0\"],\n)\n\n"
        ));
        i += 1;
    }
    out
}

/// The Starlark files of the tree (BUCK and .bzl), relative to `root`, sorted.
fn starlark_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "BUCK") || p.extension().is_some_and(|x| x == "bzl") {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The Starlark files buck-lint reads in a checkout (see the module doc), sorted.
fn repo_starlark_files(root: &Path) -> Vec<String> {
    const BUILD: [&str; 6] = ["BUCK", "BUCK.v2", "TARGETS", "TARGETS.v2", "PACKAGE", "BUCK_TREE"];
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let (p, name) = (e.path(), e.file_name().to_string_lossy().into_owned());
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                if !name.starts_with('.') && name != "buck-out" {
                    stack.push(p);
                }
            } else if t.is_file()
                && (BUILD.contains(&name.as_str()) || name.ends_with(".bzl") || name.ends_with(".bxl"))
            {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// Read and parse every file with the starlark parser, in parallel (rayon's default pool:
/// one thread per core, as buck-lint's); the floor no linter can go below.
fn parse_floor(root: &Path, files: &[String]) -> Duration {
    use rayon::prelude::*;
    let t = Instant::now();
    let failed = files
        .par_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
            buck_lint::parse::starlark::parse(f, &text).is_err()
        })
        .count();
    let d = t.elapsed();
    assert!(failed < files.len(), "the generated files parse");
    d
}

fn median3(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// buck-lint, starlark_bin and the parse-only floor on the same file list, interleaved.
fn side_by_side(bin: &str, root: &Path) {
    // BENCH_SIDE_FILES: how many of the tree's Starlark files (default 2,000, every 10th)
    let want: usize = std::env::var("BENCH_SIDE_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let all = starlark_files(root);
    let step = (all.len() / want.max(1)).max(1);
    let files: Vec<String> = all.into_iter().step_by(step).take(want).collect();
    // the subset alone, in a tree of its own (so buck-lint reads no other project context)
    let sub = tempfile::tempdir().unwrap();
    std::fs::write(sub.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
    for f in &files {
        let to = sub.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(f), &to).unwrap();
    }
    compare(bin, sub.path(), &files);
}

/// buck-lint, starlark_bin, buildifier and the parse-only floor on `files` (relative to
/// `root`, where the tools run), interleaved, median of 3.
fn compare(bin: &str, root: &Path, files: &[String]) {
    let bytes: u64 = files.iter().map(|f| std::fs::metadata(root.join(f)).map(|m| m.len()).unwrap_or(0)).sum();
    let on_path =
        |tool: &str| Command::new(tool).arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    let (starlark, buildifier) = (on_path("starlark"), on_path("buildifier"));
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut bf = Vec::new();
    let mut floor = Vec::new();
    for _ in 0..3 {
        let mut args: Vec<&str> = vec!["check", "--format", "concise", "--isolated", "--exit-zero"];
        args.extend(files.iter().map(String::as_str));
        ours.push(measure(bin, root, &args).0);
        if starlark {
            let mut args: Vec<&str> = vec!["--check", "--json"];
            args.extend(files.iter().map(String::as_str));
            theirs.push(measure("starlark", root, &args).0);
        }
        if buildifier {
            let mut args: Vec<&str> = vec!["--lint=warn", "--mode=check"];
            args.extend(files.iter().map(String::as_str));
            bf.push(measure("buildifier", root, &args).0);
        }
        floor.push(parse_floor(root, files));
    }
    let (ours, floor) = (median3(ours), median3(floor));
    println!(
        "side by side on the same {} Starlark files ({:.1} MB), {} threads, median of 3 interleaved runs:",
        files.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!("  buck-lint check FILES (default rules): {:6.0} ms", ours.as_secs_f64() * 1e3);
    if starlark {
        let theirs = median3(theirs);
        println!(
            "  starlark --check --json FILES:         {:6.0} ms   buck-lint is {:.2}x faster (goal >= 2x)",
            theirs.as_secs_f64() * 1e3,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    } else {
        println!(
            "  starlark --check --json FILES:         not measured (`starlark` not on PATH: cargo install starlark_bin --version 0.14.2 --locked)"
        );
    }
    if buildifier {
        let bf = median3(bf);
        println!(
            "  buildifier --lint=warn --mode=check:   {:6.0} ms   buck-lint is {:.2}x faster",
            bf.as_secs_f64() * 1e3,
            bf.as_secs_f64() / ours.as_secs_f64()
        );
    } else {
        println!("  buildifier --lint=warn FILES:          not measured (`buildifier` not on PATH)");
    }
    println!(
        "  parse-only floor (read + parse):       {:6.0} ms   buck-lint / floor = {:.2} (goal <= 2)",
        floor.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}
