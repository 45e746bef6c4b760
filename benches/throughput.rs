//! Throughput benchmark: generates a synthetic Buck2 + Reindeer repository in a temp dir
//! (20,000 Starlark files: BUCK 1–50 KB, .bzl 2–100 KB; 2,000 fixups.toml of 0.1–2 KB;
//! sizes log-uniform, deterministic) and runs the release binary over it.
//!
//! Prints files/s, MB/s and peak RSS of a full `buck-lint check`, the parse-only time of
//! the same tree (`--select syntax-error`), the cross-file overhead on one generated BUCK
//! file of 5,000 targets, the median time of a single-file run on a 100 KB .bzl, and the
//! scaling of one large generated BUCK file (5, 10, 20 and 50 MB: time per MB, peak RSS).
//!
//! Run: `cargo bench --bench throughput` (env BENCH_FILES scales the tree, default 20000).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "gen.rs"]
mod generator;
use generator::{Rng, buck_file, bzl_file, fixups_file, generate};

/// Run the binary; return wall time and peak RSS (kB) polled from /proc.
fn measure(bin: &str, dir: &Path, args: &[&str]) -> (Duration, u64) {
    let start = Instant::now();
    let mut child =
        Command::new(bin).args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
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

fn main() {
    // `cargo test --benches` passes --bench-less args; only run under `cargo bench`.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_buck-lint");
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
