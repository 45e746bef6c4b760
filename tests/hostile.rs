//! Hostile inputs: every case ends with a clear diagnostic or skip message, no panic, and
//! within a time limit (a watchdog kills the run; no timing assertions on speed).

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BUCKCONFIG: &str = "[cells]\n  root = .\n";
const LIMIT: Duration = Duration::from_secs(60);

/// Run with a watchdog; returns (stdout, stderr, exit code, peak RSS in kB).
fn run_bounded(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String, i32, u64) {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("BUCK_LINT_NO_CACHE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let peak = std::thread::spawn(move || {
        let mut peak = 0u64;
        while rx.try_recv().is_err() {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                if let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:")) {
                    peak = peak.max(l.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0));
                }
            }
            if start.elapsed() > LIMIT {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                panic!("buck-lint did not finish within {LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        peak
    });
    let o = child.wait_with_output().unwrap();
    tx.send(()).unwrap();
    let peak = peak.join().expect("watchdog");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (stdout, stderr, o.status.code().unwrap_or(-1), peak)
}

fn lint(dir: &Path) -> (String, String, i32, u64) {
    run_bounded(dir, &["check", "--format", "concise", "--isolated"], &[])
}

#[test]
fn ten_megabyte_build_file() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "rust_library(\n    name = \"lib{i}\",\n    srcs = [\"src/lib{i}.rs\"],\n    deps = [\":lib{}\"],\n    visibility = [\"PUBLIC\"],\n)\n\n",
            i + 1
        ));
        i += 1;
    }
    text.push_str("rust_library(name = \"m-1.0.0\", proc_macro = True)\n");
    std::fs::write(d.path().join("BUCK"), text).unwrap();
    let (out, _, code, rss) = lint(d.path());
    assert_eq!(code, 1);
    assert!(out.contains("error[proc-macro-missing-crate-attr]"), "{out}");
    assert!(rss < 1024 * 1024, "peak RSS {rss} kB for a 10 MB file");
}

#[test]
fn list_of_100k_elements() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    let items: Vec<String> = (0..100_000).map(|i| format!("\"s{i}.rs\"")).collect();
    std::fs::write(d.path().join("BUCK"), format!("filegroup(name = \"big\", srcs = [{}])\n", items.join(", ")))
        .unwrap();
    let (out, err, code, _) = lint(d.path());
    assert_eq!((out.as_str(), code), ("", 0), "{err}");
}

#[test]
fn nesting_10000_levels_parses_and_deeper_is_reported() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    let n = 10_000;
    std::fs::write(d.path().join("deep.bzl"), format!("X = {}1{}\n", "[".repeat(n), "]".repeat(n))).unwrap();
    let (out, err, code, _) = lint(d.path());
    assert_eq!((out.as_str(), code), ("", 0), "{err}");
    let n = 30_000;
    std::fs::write(d.path().join("deep.bzl"), format!("X = {}1{}\n", "(".repeat(n), ")".repeat(n))).unwrap();
    let (out, _, code, _) = lint(d.path());
    assert_eq!(code, 1);
    assert!(out.starts_with("deep.bzl:1:"), "{out}");
    assert!(out.contains("error[syntax-error]: brackets nested more than 20000 levels deep"), "{out}");
}

#[test]
fn binary_file_named_buck() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(d.path().join("BUCK"), bytes).unwrap();
    let (out, _, code, _) = lint(d.path());
    assert_eq!(code, 1);
    assert!(out.starts_with("BUCK:1:") && out.contains("error[syntax-error]"), "{out}");
}

#[test]
fn encodings_and_line_endings() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    std::fs::write(d.path().join("BUCK"), b"x = \"caf\xe9\"\n").unwrap();
    std::fs::create_dir(d.path().join("bom")).unwrap();
    std::fs::write(d.path().join("bom/BUCK"), "\u{feff}alias(name = \"a\", actual = \":b\")\r\n").unwrap();
    std::fs::create_dir(d.path().join("nul")).unwrap();
    std::fs::write(d.path().join("nul/fixups.toml"), b"buildscript.run = false\n\0").unwrap();
    let (out, _, code, _) = lint(d.path());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "BUCK:1:9: error[syntax-error]: invalid UTF-8 (byte 0xe9)\nnul/fixups.toml:2:1: error[syntax-error]: file contains a NUL byte; it is not a text file\n"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_skipped_with_a_message() {
    let d = tree(&[(".buckconfig", BUCKCONFIG), ("ok/BUCK", "alias(name = \"a\", actual = \":b\")\n")]);
    std::os::unix::fs::symlink("BUCK", d.path().join("ok/loop")).unwrap();
    std::fs::create_dir(d.path().join("l")).unwrap();
    std::os::unix::fs::symlink(d.path().join("l/BUCK"), d.path().join("l/BUCK")).unwrap();
    std::os::unix::fs::symlink(d.path(), d.path().join("l/up")).unwrap();
    let (out, err, code, _) = lint(d.path());
    assert_eq!((out.as_str(), code), ("", 0), "{err}");
    assert!(err.contains("warning: skipped l/BUCK: broken symbolic link"), "{err}");
}

/// Run as `nobody` (tests run as root, where permission bits do not stop reads).
fn as_nobody(dir: &Path, args: &[&str]) -> Option<(String, String, i32)> {
    if Command::new("setpriv").arg("--version").output().is_err() {
        return None;
    }
    let o = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", bin()])
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    Some((
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code()?,
    ))
}

#[cfg(unix)]
#[test]
fn permission_denied_file_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::Builder::new().prefix("buck-lint-perm").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for (p, t) in
        [(".buckconfig", BUCKCONFIG), ("a/BUCK", "alias(name = \"a\", actual = \":b\")\n"), ("secret/BUCK", "x = 1\n")]
    {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, t).unwrap();
    }
    for dir in ["a", "secret"] {
        std::fs::set_permissions(d.path().join(dir), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(d.path().join("a/BUCK"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(d.path().join("secret"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some((out, err, code)) = as_nobody(d.path(), &["check", "--format", "concise", "--isolated"]) else {
        eprintln!("setpriv unavailable: skipping the permission test");
        return;
    };
    if !err.contains("a/BUCK") && out.is_empty() && code == 0 {
        eprintln!("cannot drop privileges here: skipping ({err})");
        return;
    }
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("a/BUCK:1:1: error[io-error]: cannot read `a/BUCK`: Permission denied"), "{out}");
    assert!(err.contains("secret") && err.contains("Permission denied"), "{err}");
}

#[test]
#[cfg_attr(not(debug_assertions), ignore = "the engine's test hooks exist in debug builds only")]
fn file_deleted_during_the_run() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        ("gone/BUCK", "x = 1\n"),
        ("kept/BUCK", "rust_library(name = \"k-1.0.0\", proc_macro = True)\n"),
    ]);
    let (out, _, code, _) = run_bounded(
        d.path(),
        &["check", "--format", "concise", "--isolated"],
        &[("BUCK_LINT_TEST_DELETE_BEFORE_READ", "gone/BUCK")],
    );
    assert_eq!(code, 2);
    assert!(
        out.contains("gone/BUCK:1:1: error[io-error]: cannot read `gone/BUCK`: No such file or directory"),
        "{out}"
    );
    assert!(out.contains("kept/BUCK:1:21: error[proc-macro-missing-crate-attr]"), "the run goes on: {out}");
}

#[cfg(unix)]
#[test]
fn non_utf8_file_name() {
    use std::os::unix::ffi::OsStrExt;
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    let dir = d.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("BUCK"), "rust_library(name = \"k-1.0.0\", proc_macro = True)\n").unwrap();
    let (out, _, code, _) = lint(d.path());
    assert_eq!(code, 1);
    assert!(out.starts_with("caf\u{fffd}/BUCK:1:21: error[proc-macro-missing-crate-attr]"), "{out}");
    let (out, _, _, _) = run_bounded(d.path(), &["check", "--format", "json", "--isolated"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["path"], "caf\u{fffd}/BUCK");
}
