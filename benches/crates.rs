//! The crate-source phase on a vendored tree of real crates: a Reindeer project in vendor mode
//! whose `vendor/<name>-<version>` entries are symbolic links to crates unpacked in this
//! machine's Cargo registry (`$CARGO_HOME/registry/src`, what any `cargo build` leaves), up to
//! 300 of them, each with a generated library rule in BUCK and a checksum in Cargo.lock. When
//! the registry holds fewer crates with a library, generated crates (a lib.rs and a few
//! modules) fill up to 300, and the report says how many are real.
//!
//! Reports, median of 3 (`BENCH_ONLY=crates`): a full check with no cache (every crate read),
//! the same with only the crate-source readers' rules switched off (`--ignore` of the four:
//! the phase is skipped), and with a per-crate cache that is warm (the whole-run cache misses
//! because BUCK changes between runs); plus the phase's own time from `BUCK_LINT_TIMINGS`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CRATES: usize = 300;

/// `(name, version, dir)` of unpacked registry crates that have `src/lib.rs`, sorted.
fn registry_crates() -> Vec<(String, String, PathBuf)> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else { return Vec::new() };
    let mut out = Vec::new();
    for index in std::fs::read_dir(src).into_iter().flatten().flatten() {
        for e in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            let dir = e.path();
            let leaf = e.file_name().to_string_lossy().into_owned();
            // `<name>-<version>`: the version starts after the last `-` followed by a digit
            let Some(at) = leaf
                .match_indices('-')
                .map(|(i, _)| i)
                .rev()
                .find(|i| leaf[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
            else {
                continue;
            };
            if dir.join("src/lib.rs").is_file() {
                out.push((leaf[..at].to_string(), leaf[at + 1..].to_string(), dir));
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

/// A 64-hex-digit stand-in for a crate's checksum.
fn checksum(s: &str) -> String {
    use std::hash::{Hash, Hasher};
    (0..4u64)
        .map(|i| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (i, s).hash(&mut h);
            format!("{:016x}", h.finish())
        })
        .collect()
}

/// A generated crate standing in for a missing real one.
fn synthetic_crate(dir: &Path, name: &str, i: usize) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n"),
    )
    .unwrap();
    let mut lib = String::from("//! generated\n");
    for m in 0..4 {
        lib.push_str(&format!("pub mod m{m};\n"));
        let mut body = String::new();
        for f in 0..40 {
            body.push_str(&format!(
                "/// Function {f}.\npub fn f{f}(x: u64) -> u64 {{\n    let s = \"{name}-{i}-{m}\";\n    x.wrapping_mul({f}) + s.len() as u64\n}}\n\n"
            ));
        }
        if m == 0 {
            body.push_str("pub const NAME: &str = env!(\"CARGO_PKG_NAME\");\n");
        }
        std::fs::write(dir.join(format!("src/m{m}.rs")), body).unwrap();
    }
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
}

/// Write the project; return (real crates, generated crates).
fn project(root: &Path) -> (usize, usize) {
    let tp = root.join("third-party");
    let vendor = tp.join("vendor");
    std::fs::create_dir_all(&vendor).unwrap();
    std::fs::write(root.join(".buckconfig"), "[cells]\n  root = .\n  prelude = prelude\n").unwrap();
    std::fs::write(tp.join("reindeer.toml"), "vendor = true\n\n[buck]\nfile_name = \"BUCK\"\n").unwrap();
    std::fs::write(tp.join("Cargo.toml"), "[package]\nname = \"tp\"\nversion = \"0.0.0\"\n").unwrap();
    let mut crates: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (name, version, dir) in registry_crates() {
        if crates.len() == CRATES || !seen.insert(name.clone()) {
            continue;
        }
        let link = vendor.join(format!("{name}-{version}"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        #[cfg(not(unix))]
        let _ = (&dir, &link);
        crates.push((name, version));
    }
    let real = crates.len();
    for i in real..CRATES {
        let name = format!("generated-crate-{i}");
        synthetic_crate(&vendor.join(format!("{name}-1.0.0")), &name, i);
        crates.push((name, "1.0.0".into()));
    }
    let mut lock = String::from("version = 4\n");
    let mut buck = String::from("load(\"@prelude//rust:cargo_package.bzl\", \"cargo\")\n");
    for (name, version) in &crates {
        lock.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            checksum(&format!("{name}-{version}"))
        ));
        buck.push_str(&format!(
            "\ncargo.rust_library(\n    name = \"{name}-{version}\",\n    srcs = glob([\"vendor/{name}-{version}/**/*.rs\"]),\n    crate = \"{}\",\n    crate_root = \"vendor/{name}-{version}/src/lib.rs\",\n    edition = \"2021\",\n    env = {{\n        \"CARGO_PKG_NAME\": \"{name}\",\n        \"CARGO_PKG_VERSION\": \"{version}\",\n    }},\n    visibility = [],\n)\n",
            name.replace('-', "_")
        ));
    }
    std::fs::write(tp.join("Cargo.lock"), lock).unwrap();
    std::fs::write(tp.join("BUCK"), buck).unwrap();
    (real, CRATES - real)
}

/// One run (the BUCK file gains a comment first, so a whole-run cache never hits); wall time
/// and the `crate sources` line of `BUCK_LINT_TIMINGS`.
fn run(bin: &str, root: &Path, extra: &[&str], cache: Option<&Path>, n: &mut usize) -> (Duration, String) {
    *n += 1;
    let buck = root.join("third-party/BUCK");
    let text = std::fs::read_to_string(&buck).unwrap();
    std::fs::write(&buck, format!("{text}# run {n}\n")).unwrap();
    let mut cmd = Command::new(bin);
    cmd.args(["check", ".", "--format", "concise", "--isolated", "--exit-zero"]).args(extra).current_dir(root);
    cmd.env("BUCK_LINT_TIMINGS", "1");
    match cache {
        Some(c) => {
            cmd.arg("--cache-dir").arg(c).env_remove("BUCK_LINT_NO_CACHE");
        }
        None => {
            cmd.env("BUCK_LINT_NO_CACHE", "1");
        }
    }
    let t = Instant::now();
    let o = cmd.output().unwrap();
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let phase = stderr
        .lines()
        .find_map(|l| l.strip_prefix("buck-lint timings: crate sources "))
        .unwrap_or("(phase skipped)")
        .to_string();
    (wall, phase)
}

fn median(mut v: Vec<(Duration, String)>) -> (Duration, String) {
    v.sort_by_key(|x| x.0);
    v.swap_remove(v.len() / 2)
}

pub fn crate_scan_runs(bin: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (real, generated) = project(root);
    let bytes: u64 = walk_rs(&root.join("third-party/vendor"));
    println!(
        "crate sources: {CRATES} vendored crates ({real} from this machine's Cargo registry, {generated} generated), {:.1} MB of .rs",
        bytes as f64 / 1e6
    );
    let mut n = 0;
    let _ = run(bin, root, &[], None, &mut n); // warm the page cache
    let readers = "pipelined-nondeterministic-crate,proc-macro-consumes-nondeterministic-rlib,env-path-macro-absolutized,fixup-cargo-env-missing";
    let cache = root.join("cache");
    let _ = run(bin, root, &[], Some(&cache), &mut n); // fill the per-crate cache
    let (mut cold, mut off, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        cold.push(run(bin, root, &[], None, &mut n));
        off.push(run(bin, root, &["--ignore", readers], None, &mut n));
        warm.push(run(bin, root, &[], Some(&cache), &mut n));
    }
    let ((cold, cold_phase), (off, _), (warm, warm_phase)) = (median(cold), median(off), median(warm));
    println!("  check, every crate read:            {:>7.0} ms   phase {cold_phase}", cold.as_secs_f64() * 1e3);
    println!("  check, per-crate cache warm:        {:>7.0} ms   phase {warm_phase}", warm.as_secs_f64() * 1e3);
    println!("  check, readers off (no phase):      {:>7.0} ms", off.as_secs_f64() * 1e3);
    let per = |d: Duration| d.as_secs_f64() * 1e3 / CRATES as f64;
    println!(
        "  scan cost: {:.0} ms cold ({:.2} ms/crate), {:.0} ms warm ({:.2} ms/crate)",
        cold.saturating_sub(off).as_secs_f64() * 1e3,
        per(cold.saturating_sub(off)),
        warm.saturating_sub(off).as_secs_f64() * 1e3,
        per(warm.saturating_sub(off))
    );
}

/// Bytes of `.rs` files below `dir` (following the vendor links).
fn walk_rs(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            total += walk_rs(&p);
        } else if p.extension().is_some_and(|x| x == "rs") {
            total += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}
