//! The loading phase's share (`BENCH_ONLY=loading cargo bench --bench throughput`; also at the
//! end of a full run): a generated project of 1,000 build files, each calling the project's own
//! macros five times (a service macro that declares three targets with derived names, and a
//! macro with a loop), so that every build file is evaluated. Prints the wall time of a full
//! `check`, the phase's time as `BUCK_LINT_TIMINGS` reports it, and the same check without
//! the rules that read the phase (so the phase does not run), median of 3.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const MACROS: &str = r#"_SUFFIX = read_config("services", "image_suffix", "-image")

def service(name, srcs = [], deps = [], visibility = ["PUBLIC"]):
    native.rust_library(name = name + "-lib", srcs = srcs, crate = name.replace("-", "_"), deps = deps, visibility = visibility)
    native.rust_binary(name = name, srcs = srcs, deps = [":" + name + "-lib"], visibility = visibility)
    native.genrule(name = name + _SUFFIX, out = "image.tar", cmd = "tar cf $OUT $(location :{})".format(name))

def bundles(prefix, arches = ["x86_64", "aarch64", "riscv64"]):
    for arch in arches:
        native.genrule(name = "{}-{}".format(prefix, arch), out = "b.tar", cmd = "true")
"#;

fn generate(root: &Path, files: usize) {
    std::fs::write(root.join(".buckconfig"), "[cells]\n  root = .\n  prelude = prelude\n").unwrap();
    std::fs::create_dir_all(root.join("build_defs")).unwrap();
    std::fs::write(root.join("build_defs/defs.bzl"), MACROS).unwrap();
    for i in 0..files {
        let dir = root.join(format!("svc/p{}/s{i}", i % 30));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::from("load(\"//build_defs:defs.bzl\", \"bundles\", \"service\")\n\n");
        for k in 0..4 {
            text.push_str(&format!(
                "service(\n    name = \"svc{i}-{k}\",\n    srcs = glob([\"src/**/*.rs\"]),\n    deps = [\"//third-party:serde\", \"//lib:common\"],\n)\n\n"
            ));
        }
        text.push_str(&format!("bundles(\"bundle{i}\")\n"));
        std::fs::write(dir.join("BUCK"), text).unwrap();
    }
}

/// Wall time of a run and the loading phase's milliseconds from `BUCK_LINT_TIMINGS`.
fn run(bin: &str, root: &Path, extra: &[&str]) -> (Duration, Option<f64>) {
    let t = Instant::now();
    let mut args = vec!["check", ".", "--format", "concise", "--isolated", "--exit-zero"];
    args.extend(extra);
    let o = Command::new(bin)
        .args(&args)
        .current_dir(root)
        .env("BUCK_LINT_NO_CACHE", "1")
        .env("BUCK_LINT_TIMINGS", "1")
        .output()
        .unwrap();
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let phase = stderr.lines().find(|l| l.contains("timings: loading phase")).and_then(phase_ms);
    (wall, phase)
}

/// The milliseconds of a `BUCK_LINT_TIMINGS` line: `...: 12 ms, RSS 34 kB` (or `...: 12 ms`).
fn phase_ms(line: &str) -> Option<f64> {
    let after = line.rsplit("): ").next()?;
    after.split(" ms").next()?.trim().parse().ok()
}

pub fn loading_runs(bin: &str) {
    let dir = tempfile::tempdir().unwrap();
    let files = 1_000;
    generate(dir.path(), files);
    let _ = run(bin, dir.path(), &[]); // warm the page cache
    let mut with = Vec::new();
    let mut without = Vec::new();
    for _ in 0..3 {
        with.push(run(bin, dir.path(), &[]));
        without.push(
            run(
                bin,
                dir.path(),
                &["--ignore", "duplicate-target-name,R16,remote-execution,determinism,fixups,reindeer,edition-mismatch,buildscript-wiring-mismatch"],
            )
            .0,
        );
    }
    with.sort_by_key(|(d, _)| *d);
    without.sort();
    let (wall, phase) = with[1];
    let phase = phase.unwrap_or(f64::NAN);
    println!(
        "loading phase on {files} build files that call project macros (5 calls each, 15 targets): full check {:.0} ms, of which the phase {phase:.0} ms ({:.0}%); without the rules that read it {:.0} ms",
        wall.as_secs_f64() * 1e3,
        100.0 * phase / (wall.as_secs_f64() * 1e3),
        without[1].as_secs_f64() * 1e3
    );
}
