//! `--fix`, `--unsafe-fixes`, `--diff`, `--show-fixes` on copies of `testdata/` trees.
//!
//! Golden scenarios live in `testdata/fix-<name>/`; the files a fix changes are expected as
//! `testdata/fix-<name>.expected/<same path>`, every other file must stay byte-identical.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_buck-lint"));
    cmd.args(args).current_dir(dir).env("BUCK_LINT_NO_CACHE", "1").env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd.env("CARGO_HOME", env!("CARGO_MANIFEST_DIR").to_string() + "/testdata/cargo-home");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn buck-lint");
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// A temp copy of `testdata/<name>`.
fn copy_of(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    common::copy_tree(&repo().join("testdata").join(name), d.path());
    d
}

/// Every file under `dir`, by `/`-separated relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                go(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, dir, &mut out);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run `check --fix <args>` on a copy of `testdata/<name>` and compare the result with
/// `testdata/<name>.expected`; then check that a second run changes nothing.
fn golden(name: &str, args: &[&str]) -> Out {
    let d = copy_of(name);
    let before = snapshot(d.path());
    let expected = snapshot(&repo().join("testdata").join(format!("{name}.expected")));
    assert!(!expected.is_empty(), "testdata/{name}.expected is empty");
    let mut full = vec!["check", "--isolated", "--format", "concise", "--fix"];
    full.extend_from_slice(args);
    let o = run(d.path(), &full, None);
    assert_ne!(o.code, 2, "{name}: exit 2\n{}", o.stderr);
    let after = snapshot(d.path());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "{name}: files were added or removed"
    );
    for (path, bytes) in &after {
        match expected.get(path) {
            Some(want) => assert!(
                bytes == want,
                "{name}: {path} differs from the expected file\n--- expected\n{}\n--- actual\n{}\n--- stderr\n{}",
                text(want),
                text(bytes),
                o.stderr
            ),
            None => assert!(
                *bytes == before[path],
                "{name}: {path} changed but has no expected file\n{}\n--- stderr\n{}",
                text(bytes),
                o.stderr
            ),
        }
    }
    for path in expected.keys() {
        assert!(after.contains_key(path), "{name}: expected file {path} is not in the tree");
    }
    // idempotent
    let again = run(d.path(), &full, None);
    assert_eq!(snapshot(d.path()), after, "{name}: a second --fix changed files\n{}", again.stderr);
    assert!(again.stderr.contains("No fixes applied"), "{name}: {}", again.stderr);
    o
}

#[test]
fn unused_load() {
    let o = golden("fix-unused-load", &["--select", "starlark-unused-load", "--show-fixes"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Applied 5 fixes in 1 file; 0 findings remain."), "{}", o.stderr);
    // --show-fixes: one line per fix, at the finding's position in the original file
    for line in [
        "BUCK:1:33 starlark-unused-load Remove the unused load",
        "BUCK:1:47 starlark-unused-load Remove the unused load",
        "BUCK:2:20 starlark-unused-load Remove the unused load",
        "BUCK:3:19 starlark-unused-load Remove the unused load",
        "BUCK:3:25 starlark-unused-load Remove the unused load",
    ] {
        assert!(o.stderr.lines().any(|l| l == line), "missing `{line}` in\n{}", o.stderr);
    }
    assert!(o.stdout.is_empty(), "{}", o.stdout);
}

#[test]
fn unused_load_is_off_by_default() {
    let d = copy_of("fix-unused-load");
    let before = snapshot(d.path());
    let o = run(d.path(), &["check", "--isolated", "--fix"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(snapshot(d.path()), before);
}

#[test]
fn proc_macro_inner_target_dep() {
    let o = golden("fix-proc-macro-inner-dep", &["--select", "proc-macro-inner-target-dep"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Applied 3 fixes in 2 files"), "{}", o.stderr);
}

#[test]
fn dep_on_private_versioned_target() {
    let o = golden("fix-private-versioned", &["--select", "dep-on-private-versioned-target"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn http_archive_api_url() {
    let o = golden("fix-http-archive", &["--select", "http-archive-unpinned-or-api-url"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn unused_suppression() {
    let o = golden(
        "fix-unused-suppression",
        &[
            "--select",
            "unused-suppression,proc-macro-missing-crate-attr,re-full-hybrid-racing,proc-macro-inner-target-dep",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Applied 3 fixes in 1 file"), "{}", o.stderr);
}

#[test]
fn cargo_env_is_an_unsafe_fix() {
    // without --unsafe-fixes nothing is written, and the summary says why
    let d = copy_of("fix-cargo-env");
    let before = snapshot(d.path());
    let o = run(
        d.path(),
        &["check", "--isolated", "--format", "concise", "--fix", "--select", "cargo-env-all-under-re"],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(snapshot(d.path()), before);
    assert!(o.stderr.contains("No fixes applied; 1 finding remains"), "{}", o.stderr);
    assert!(o.stderr.contains("--unsafe-fixes"), "{}", o.stderr);
    assert!(o.stdout.contains("warning[cargo-env-all-under-re]"), "remaining findings are reported: {}", o.stdout);

    let o = golden("fix-cargo-env", &["--unsafe-fixes", "--select", "cargo-env-all-under-re"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn crlf_and_bom_are_kept() {
    // the inserted `crate = ...` line gets CRLF, and the BOM stays
    let o = golden(
        "fix-crlf-bom",
        &["--unsafe-fixes", "--select", "proc-macro-missing-crate-attr,proc-macro-inner-target-dep"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let fixed = std::fs::read(repo().join("testdata/fix-crlf-bom.expected/lib/BUCK")).unwrap();
    assert!(fixed.starts_with(b"\xEF\xBB\xBF"));
    let s = text(&fixed);
    assert_eq!(s.matches('\n').count(), s.matches("\r\n").count(), "every line ends in CRLF");
    assert!(s.contains("\r\n    crate = \"my_macros\",\r\n"));
}

#[test]
fn files_with_syntax_errors_are_never_written() {
    // broken/BUCK has a fixable unused suppression but does not parse; ok/BUCK is fixed
    let o = golden("fix-syntax-error", &[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("fixes in broken/BUCK skipped: it has syntax errors"), "{}", o.stderr);
    assert!(o.stdout.contains("broken/BUCK:5:1: error[syntax-error]"), "{}", o.stdout);
    assert!(o.stdout.contains("broken/BUCK:1:22: warning[unused-suppression]"), "{}", o.stdout);
}

#[test]
fn remaining_findings_are_reported_like_a_normal_run() {
    let d = copy_of("fix-cargo-env");
    let o = run(d.path(), &["check", "--isolated", "--format", "concise", "--fix", "--unsafe-fixes"], None);
    let normal = run(d.path(), &["check", "--isolated", "--format", "concise"], None);
    assert_eq!(o.stdout, normal.stdout);
    assert_eq!(o.code, normal.code);
    assert!(o.stderr.contains("Applied 1 fix in 1 file;"), "{}", o.stderr);
}

#[test]
fn diff_prints_and_writes_nothing() {
    let d = copy_of("fix-unused-load");
    let before = snapshot(d.path());
    let o = run(d.path(), &["check", "--isolated", "--diff", "--extend-select", "starlark-unused-load"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(snapshot(d.path()), before, "--diff must not write");
    let old = text(&before["BUCK"]);
    let new = std::fs::read_to_string(repo().join("testdata/fix-unused-load.expected/BUCK")).unwrap();
    let want = similar::TextDiff::from_lines(&old, &new).unified_diff().header("a/BUCK", "b/BUCK").to_string();
    assert_eq!(o.stdout, want);
    assert!(o.stderr.contains("Would apply 5 fixes in 1 file"), "{}", o.stderr);

    // nothing to change: exit 0, no diff
    let o = run(d.path(), &["check", "--isolated", "--diff"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    // --fix --diff still only prints
    let o = run(d.path(), &["check", "--isolated", "--fix", "--diff", "--extend-select", "starlark-unused-load"], None);
    assert_eq!(o.code, 1);
    assert_eq!(snapshot(d.path()), before);
}

#[test]
fn stdin_prints_the_fixed_text() {
    let d = copy_of("fix-unused-load");
    let before = snapshot(d.path());
    let input = text(&before["BUCK"]);
    let o = run(
        d.path(),
        &["check", "--isolated", "--fix", "--select", "starlark-unused-load", "--stdin-filename", "BUCK", "-"],
        Some(&input),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let want = std::fs::read_to_string(repo().join("testdata/fix-unused-load.expected/BUCK")).unwrap();
    assert_eq!(o.stdout, want);
    assert_eq!(snapshot(d.path()), before, "stdin mode writes nothing");

    // findings left go to stderr; the (unchanged) text still goes to stdout
    let input = "rust_library(\n    name = \"m\",\n    crate = \"m\",\n    proc_macro = True,\n    exec_compatible_with = [\"//cfg:x\"],\n)\n";
    let o = run(
        d.path(),
        &["check", "--isolated", "--fix", "--format", "concise", "--stdin-filename", "lib/BUCK", "-"],
        Some(input),
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout, input);
    assert!(o.stderr.contains("lib/BUCK:5:5: warning[proc-macro-exec-compatible-with-dropped]"), "{}", o.stderr);
}

/// Whether this process can write files whose permissions forbid it (root).
fn privileged() -> bool {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("probe");
    std::fs::write(&p, "x").unwrap();
    let mut perms = std::fs::metadata(&p).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&p, perms).unwrap();
    std::fs::OpenOptions::new().write(true).open(&p).is_ok()
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn read_only_file_is_left_alone() {
    // buck-lint refuses read-only files itself, so this holds for root as well
    let d = copy_of("fix-http-archive");
    let f = d.path().join("third_party/BUCK");
    chmod(&f, 0o444);
    let before = snapshot(d.path());
    let o = run(d.path(), &["check", "--isolated", "--format", "concise", "--fix"], None);
    chmod(&f, 0o644);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("cannot write `third_party/BUCK`"), "{}", o.stderr);
    assert_eq!(snapshot(d.path()), before);
    // the finding is still reported, since the file was not fixed
    assert!(o.stdout.contains("http-archive-unpinned-or-api-url"), "{}", o.stdout);
}

/// Run buck-lint as `nobody` through `setpriv` (root ignores permissions); `None` when that
/// is not possible here.
#[cfg(unix)]
fn run_as_nobody(dir: &Path, args: &[&str]) -> Option<Out> {
    fn chown_tree(p: &Path) -> std::io::Result<()> {
        std::os::unix::fs::chown(p, Some(65534), Some(65534))?;
        if p.is_dir() {
            for e in std::fs::read_dir(p)? {
                chown_tree(&e?.path())?;
            }
        }
        Ok(())
    }
    chown_tree(dir).ok()?;
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_buck-lint")])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    if stderr.contains("setpriv:") {
        return None;
    }
    Some(Out { stdout: String::from_utf8_lossy(&o.stdout).into_owned(), stderr, code: o.status.code().unwrap_or(-1) })
}

#[cfg(unix)]
#[test]
fn read_only_directory_is_a_write_failure() {
    let d = copy_of("fix-http-archive");
    let dir = d.path().join("third_party");
    let before = snapshot(d.path());
    let args = ["check", "--isolated", "--format", "concise", "--fix"];
    chmod(&dir, 0o555);
    let o = if privileged() {
        match run_as_nobody(d.path(), &args) {
            Some(o) => o,
            None => {
                chmod(&dir, 0o755);
                eprintln!("skipping read_only_directory_is_a_write_failure: running as root without setpriv");
                return;
            }
        }
    } else {
        run(d.path(), &args, None)
    };
    let after = snapshot(d.path());
    chmod(&dir, 0o755);
    if after != before && privileged() {
        eprintln!(
            "skipping read_only_directory_is_a_write_failure: running as root, the directory did not stop the write"
        );
        return;
    }
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("cannot write `third_party/BUCK`"), "{}", o.stderr);
    assert_eq!(after, before, "the original is untouched and no temp file is left");
    assert!(o.stdout.contains("http-archive-unpinned-or-api-url"), "{}", o.stdout);
}

/// Every `testdata/` tree: `--fix --unsafe-fixes --select ALL` twice. The second run must
/// change nothing, and no file may have a syntax error it did not have before.
#[test]
fn every_tree_fixes_idempotently_and_still_parses() {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("testdata"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let syntax_errors = |dir: &Path| -> Vec<String> {
        let o = run(dir, &["check", "--format", "concise", "--select", "ALL"], None);
        let mut v: Vec<String> = o
            .stdout
            .lines()
            .filter(|l| l.contains("[syntax-error]"))
            .map(|l| l.split(':').next().unwrap_or("").to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let fix = ["check", "--format", "concise", "--select", "ALL", "--fix", "--unsafe-fixes"];
    let mut failures = Vec::new();
    for name in &names {
        let d = copy_of(name);
        let original = snapshot(d.path());
        let broken_before = syntax_errors(d.path());
        let first = run(d.path(), &fix, None);
        if first.stderr.contains("cannot write") || first.stdout.contains("[internal-error]") {
            failures.push(format!("{name}: first --fix failed:\n{}\n{}", first.stdout, first.stderr));
            continue;
        }
        for l in first.stderr.lines().filter(|l| l.contains("discarded")) {
            eprintln!("{name}: {l}");
        }
        let once = snapshot(d.path());
        if let Some(lost) = lost_comments(&original, &once) {
            failures.push(format!("{name}: --fix lost comments: {lost}"));
        }
        for f in &broken_before {
            if once.get(f) != original.get(f) {
                failures.push(format!("{name}: {f} had syntax errors before fixing but was written"));
            }
        }
        let second = run(d.path(), &fix, None);
        let twice = snapshot(d.path());
        if twice != once {
            let changed: Vec<&String> = twice.keys().filter(|k| twice.get(*k) != once.get(*k)).collect();
            failures.push(format!("{name}: second --fix changed {changed:?}\n{}", second.stderr));
        }
        if !second.stderr.contains("No fixes applied") {
            failures.push(format!("{name}: second --fix applied fixes:\n{}", second.stderr));
        }
        let broken_after = syntax_errors(d.path());
        let new: Vec<&String> = broken_after.iter().filter(|f| !broken_before.contains(f)).collect();
        if !new.is_empty() {
            failures.push(format!("{name}: --fix introduced syntax errors in {new:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whole-line and trailing `#` comments of each file, except suppression comments (which
/// `unused-suppression`'s fix removes on purpose); `None` when every comment of `before` is
/// still in `after` (as a multiset, per file), else the lost ones.
fn lost_comments(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    fn comments(b: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(b)
            .lines()
            .filter_map(|l| l.find('#').map(|i| l[i..].trim().to_string()))
            .filter(|c| !c.contains("buck-lint:"))
            .collect()
    }
    let mut lost = Vec::new();
    for (path, bytes) in before {
        let mut have = after.get(path).map(|b| comments(b)).unwrap_or_default();
        for c in comments(bytes) {
            match have.iter().position(|h| *h == c) {
                Some(i) => {
                    have.remove(i);
                }
                None => lost.push(format!("{path}: {c}")),
            }
        }
    }
    (!lost.is_empty()).then(|| lost.join("; "))
}

/// A legacy fixups tree written the way real ones are (comments between keys, inside tables,
/// after values, between `[[buildscript]]` elements): `--fix --unsafe-fixes` migrates it
/// completely in one run and keeps every comment.
#[test]
fn legacy_migration_keeps_every_comment_and_completes_in_one_run() {
    let d = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (".buckconfig", "[cells]\n  root = .\n  prelude = prelude\n"),
        ("third-party/reindeer.toml", "vendor = false\n"),
        ("third-party/Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.0.0\"\n"),
        (
            "third-party/Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"ring\"\nversion = \"0.17.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"num-bigint\"\nversion = \"0.4.6\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"top\"\nversion = \"0.0.0\"\ndependencies = [\"num-bigint\", \"ring\"]\n",
        ),
        (
            "third-party/fixups/ring/fixups.toml",
            "# ring builds its C and assembly with a cxx_library\nbuildscript = []\n\n# Generate a C/C++ build rule for all the C code\n[[platform_fixup.'cfg(all(target_arch = \"x86_64\", target_os = \"linux\"))'.buildscript]]\n[platform_fixup.'cfg(all(target_arch = \"x86_64\", target_os = \"linux\"))'.buildscript.cxx_library]\nname = \"ring-c-asm-elf-x86_64\"\nsrcs = [ \"crypto/**/*.c\", \"pregenerated/*x86_64*-elf.S\" ]\n# Exclude C AES because we've got the x86_64 one\nexclude = [ \"crypto/fipsmodule/aes/aes.c\" ]  # see crypto/fipsmodule/aes\ninclude_paths = [\"include\"]\ncompiler_flags = [\"-Wno-error\"]\n\n[platform_fixup.'cfg(target_os = \"windows\")']\n# the MSVC build needs the prefix too\nversion = \"=0.17.8\"\n",
        ),
        (
            "third-party/fixups/num-bigint/fixups.toml",
            "# num-bigint probes u64_digit and has_try_from\n[[buildscript]]\n[buildscript.rustc_flags]\n\n# and writes radix_bases.rs\n[[buildscript]]\n[buildscript.gen_srcs]\n# the generated file is included from src/biguint/convert.rs\nenv = { BIGINT_RADIX = \"10\" }  # decimal\n",
        ),
    ];
    for (path, text) in files {
        let p = d.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let before = snapshot(d.path());
    let o = run(d.path(), &["check", "--format", "concise", "--fix", "--unsafe-fixes", "--isolated"], None);
    let after = snapshot(d.path());
    assert_eq!(lost_comments(&before, &after), None, "{}\n{}", o.stdout, o.stderr);
    let o = run(d.path(), &["check", "--format", "concise", "--isolated"], None);
    assert!(!o.stdout.contains("legacy"), "the migration must be complete after one run:\n{}", o.stdout);
}

/// A migration that shows the generated BUCK to be stale is applied, and the staleness is
/// reported (`fixups-buck-out-of-sync`), instead of the fix being discarded.
#[test]
fn migration_is_kept_when_it_shows_a_stale_buck() {
    let d = tempfile::tempdir().unwrap();
    let buck = "# @generated by `reindeer buckify`\n\nload(\"@prelude//rust:cargo_buildscript.bzl\", \"buildscript_run\")\nload(\"@prelude//rust:cargo_package.bzl\", \"cargo\")\n\ncargo.rust_library(\n    name = \"foo-1.0.0\",\n    srcs = [\":foo-1.0.0.crate\"],\n    crate = \"foo\",\n    crate_root = \"foo-1.0.0.crate/src/lib.rs\",\n    edition = \"2021\",\n    env = {\"OUT_DIR\": \"$(location :foo-1.0.0-build-script-run[out_dir])\"},\n    rustc_flags = [\"@$(location :foo-1.0.0-build-script-run[rustc_flags])\"],\n    visibility = [],\n)\n\ncargo.rust_binary(\n    name = \"foo-1.0.0-build-script-build\",\n    srcs = [\":foo-1.0.0.crate\"],\n    crate = \"build_script_build\",\n    crate_root = \"foo-1.0.0.crate/build.rs\",\n    edition = \"2021\",\n    visibility = [],\n)\n\nbuildscript_run(\n    name = \"foo-1.0.0-build-script-run\",\n    package_name = \"foo\",\n    buildscript_rule = \":foo-1.0.0-build-script-build\",\n    version = \"1.0.0\",\n)\n";
    let files: &[(&str, &str)] = &[
        (".buckconfig", "[cells]\n  root = .\n  prelude = prelude\n"),
        ("third-party/reindeer.toml", "vendor = false\n"),
        ("third-party/Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.0.0\"\n"),
        (
            "third-party/Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"top\"\nversion = \"0.0.0\"\ndependencies = [\"foo\"]\n",
        ),
        ("third-party/BUCK", buck),
        (
            "third-party/fixups/foo/fixups.toml",
            "[[buildscript]]\n[buildscript.gen_srcs]\nenv = { FOO_MODE = \"fast\" }\n",
        ),
    ];
    for (path, text) in files {
        let p = d.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let o = run(d.path(), &["check", "--format", "concise", "--fix", "--unsafe-fixes", "--isolated"], None);
    let fixed = std::fs::read_to_string(d.path().join("third-party/fixups/foo/fixups.toml")).unwrap();
    assert_eq!(fixed, "[buildscript.run.env]\nFOO_MODE = \"fast\"\n", "{}\n{}", o.stdout, o.stderr);
    assert!(!o.stderr.contains("discarded"), "{}", o.stderr);
    assert!(
        o.stdout.contains("warning[fixups-buck-out-of-sync]") && o.stdout.contains("`FOO_MODE` is missing"),
        "{}",
        o.stdout
    );
}
