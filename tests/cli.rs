//! Foundation behaviour of the CLI: formats, exit codes, selection and config precedence,
//! suppressions, stdin, syntax errors per file kind, discovery, single-file runs, bad input.

mod common;
use common::*;

const BUCKCONFIG: &str = "[cells]\n  root = .\n  prelude = prelude\n[external_cells]\n  prelude = bundled\n";

/// A small project with one error (R15) and one warning (R17) in `lib/BUCK`.
fn project() -> tempfile::TempDir {
    tree(&[
        (".buckconfig", BUCKCONFIG),
        (
            "lib/BUCK",
            "rust_library(\n    name = \"my-macros-0.1.0\",\n    proc_macro = True,\n    srcs = [\"src/lib.rs\"],\n)\n\nrust_library(\n    name = \"m\",\n    crate = \"m\",\n    proc_macro = True,\n    exec_compatible_with = [\"//cfg:x\"],\n)\n",
        ),
        ("ok/BUCK", "rust_library(\n    name = \"ok\",\n    srcs = [\"lib.rs\"],\n)\n"),
    ])
}

#[test]
fn concise_format_and_exit_code() {
    let d = project();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(
        o.stdout,
        "lib/BUCK:2:12: error[proc-macro-missing-crate-attr]: proc macro `my-macros-0.1.0` has no `crate` attribute, so its crate name becomes `my_macros_0.1.0`, which is not a valid Rust identifier\n\
         lib/BUCK:11:5: warning[proc-macro-exec-compatible-with-dropped]: `exec_compatible_with` on proc macro `m` is dropped by the prelude's proc-macro wrapper\n"
    );
    assert!(o.stderr.contains("1 error"), "{}", o.stderr);
}

#[test]
fn bare_invocation_means_check_dot() {
    let d = project();
    let a = run_in(d.path(), &["--format", "concise", "--isolated"]);
    let b = run_in(d.path(), &["check", ".", "--format", "concise", "--isolated"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.code, 1);
}

#[test]
fn fail_on_and_exit_zero() {
    let d = project();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--ignore", "R15"]);
    assert_eq!(o.code, 1, "a warning fails by default");
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--ignore", "R15", "--fail-on", "error"]);
    assert_eq!(o.code, 0);
    let o = run_in(d.path(), &["check", "--format", "json", "--isolated", "--exit-zero"]);
    assert_eq!(o.code, 0);
    let o = run_in(d.path(), &["check", "--format", "json", "--isolated"]);
    assert_eq!(o.code, 1, "exit code is the same for every format");
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--select", "NOPE"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown rule or category `NOPE`"), "{}", o.stderr);
    let o = run_in(d.path(), &["check", "does-not-exist"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("does-not-exist"));
}

#[test]
fn json_shape() {
    let d = project();
    let o = run_in(d.path(), &["check", "--format", "json", "--isolated"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "buck-lint");
    let d0 = &v["diagnostics"][0];
    assert_eq!(d0["rule"], "proc-macro-missing-crate-attr");
    assert_eq!(d0["severity"], "error");
    assert_eq!(d0["path"], "lib/BUCK");
    assert_eq!((d0["line"].as_u64(), d0["column"].as_u64()), (Some(2), Some(12)));
    assert_eq!((d0["end_line"].as_u64(), d0["end_column"].as_u64()), (Some(2), Some(29)));
    assert_eq!(d0["fix"]["applicability"], "unsafe");
    assert_eq!(d0["fix"]["edits"][0]["content"], "\n    crate = \"my_macros\",");
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 1);
    assert_eq!(v["summary"]["files"], 3, "BUCK, BUCK and .buckconfig");
    let o = run_in(d.path(), &["check", "--format", "json-lines", "--isolated"]);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["rule"].is_string());
    }
}

#[test]
fn github_format() {
    let d = project();
    let o = run_in(d.path(), &["check", "--format", "github", "--isolated"]);
    let first = o.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=lib/BUCK,line=2,col=12,endLine=2,endColumn=29,title=buck-lint (proc-macro-missing-crate-attr)::"),
        "{first}"
    );
    assert!(o.stdout.lines().nth(1).unwrap().starts_with("::warning "));
}

#[test]
fn full_format_shows_snippet_and_rule() {
    let d = project();
    let o = run_in(d.path(), &["check", "--format", "full", "--color", "never", "--isolated"]);
    assert!(o.stdout.contains("buck-lint::proc-macro-missing-crate-attr"), "{}", o.stdout);
    assert!(o.stdout.contains("name = \"my-macros-0.1.0\""));
    assert!(o.stdout.contains("help:"));
    assert!(!o.stdout.contains('\u{1b}'), "no colour with --color never");
    let o = run_in(d.path(), &["check", "--format", "full", "--color", "always", "--isolated"]);
    assert!(o.stdout.contains('\u{1b}'));
}

#[test]
fn selection_config_and_cli_precedence() {
    let d = project();
    std::fs::write(d.path().join("buck-lint.toml"), "[lint]\nignore = [\"proc-macro-missing-crate-attr\"]\n").unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise"]);
    assert!(!o.stdout.contains("proc-macro-missing-crate-attr"), "config ignore applies");
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert!(o.stdout.contains("proc-macro-missing-crate-attr"), "--isolated ignores the config");
    let o = run_in(d.path(), &["check", "--format", "concise", "--select", "R15"]);
    assert!(
        o.stdout.contains("proc-macro-missing-crate-attr"),
        "CLI --select is a later layer than the config ignore: {}",
        o.stdout
    );
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--select", "buck", "--ignore", "R17"]);
    assert_eq!(o.stdout.lines().count(), 1);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--severity", "R15=info"]);
    assert!(o.stdout.contains("info[proc-macro-missing-crate-attr]"));
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--per-file-ignores", "lib/*:R15,R17"]);
    assert_eq!(o.stdout, "");
    assert_eq!(o.code, 0);
    std::fs::write(d.path().join("buck-lint.toml"), "[lint]\nignor = []\n").unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown key `ignor`") && o.stderr.contains("did you mean `ignore`"), "{}", o.stderr);
    std::fs::write(d.path().join("buck-lint.toml"), "[rules.re-full-hybrid-racin]\nseverity = \"info\"\n").unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("did you mean `re-full-hybrid-racing`"), "{}", o.stderr);
}

#[test]
fn config_severity_override() {
    let d = project();
    std::fs::write(d.path().join(".buck-lint.toml"), "[rules.proc-macro-missing-crate-attr]\nseverity = \"warning\"\n")
        .unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise"]);
    assert!(o.stdout.contains("warning[proc-macro-missing-crate-attr]"), "{}", o.stdout);
    let o = run_in(d.path(), &["check", "--format", "concise", "--severity", "R15=error"]);
    assert!(o.stdout.contains("error[proc-macro-missing-crate-attr]"), "CLI wins over config");
}

#[test]
fn suppression_forms() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        (
            "a/BUCK",
            "# buck-lint: disable=R15\nrust_library(\n    name = \"a-0.1.0\",\n    proc_macro = True,\n)\n\nrust_library(\n    name = \"b-0.1.0\",  # buck-lint: disable=proc-macro-missing-crate-attr\n    proc_macro = True,\n)\n\nrust_library(\n    name = \"c-0.1.0\",\n    proc_macro = True,\n)\n",
        ),
        ("b/BUCK", "# buck-lint: disable-file=buck\nrust_library(name = \"x-0.1.0\", proc_macro = True)\n"),
        (
            "c/BUCK",
            "# buck-lint: disable=R16\nrust_library(name = \"ok\")\nfoo(name = \"y\")  # buck-lint: disable=R15,nonexistent-rule\n",
        ),
        (
            "d/BUCK",
            "alias(name = \"z\", actual = \":q\")\n# buildifier: disable=duplicated-name\nalias(name = \"z\", actual = \":q\")\n# starlark-lint-disable duplicate-key\nX = {\"a\": 1, \"a\": 2}\n",
        ),
    ]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(
        o.stdout,
        "a/BUCK:13:12: error[proc-macro-missing-crate-attr]: proc macro `c-0.1.0` has no `crate` attribute, so its crate name becomes `c_0.1.0`, which is not a valid Rust identifier\n\
         c/BUCK:1:22: warning[unused-suppression]: suppression of `R16` suppresses nothing\n\
         c/BUCK:3:39: warning[unused-suppression]: suppression of `R15` suppresses nothing\n\
         c/BUCK:3:43: warning[unused-suppression]: unknown rule `nonexistent-rule` in suppression comment\n",
        "{}",
        o.stderr
    );
}

#[test]
fn stdin_uses_project_context() {
    let d = project();
    let text = "rust_library(name = \"zz-1.0.0\", proc_macro = True)\n";
    let o = run_stdin(
        d.path(),
        &["check", "-", "--stdin-filename", "lib/BUCK", "--format", "concise", "--isolated"],
        Some(text),
    );
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stdout,
        "lib/BUCK:1:21: error[proc-macro-missing-crate-attr]: proc macro `zz-1.0.0` has no `crate` attribute, so its crate name becomes `zz_1.0.0`, which is not a valid Rust identifier\n"
    );
    let o = run_stdin(d.path(), &["check", "-", "--format", "concise"], Some(text));
    assert_eq!(o.code, 2);
}

#[test]
fn syntax_errors_in_each_file_kind() {
    let d = tree(&[
        (".buckconfig", "[cells]\n  root = .\n[broken\n"),
        ("BUCK", "load(\"//x.bzl\", \"a\"\n"),
        ("x.bzl", "def f(:\n    pass\n"),
        ("third_party/reindeer.toml", "precise_srcs = true\nprecise_srcs = false\n"),
        ("third_party/Cargo.toml", "[package]\nname = \"x\"\n"),
        ("third_party/Cargo.lock", "version = 4\n[[package]]\nname = \"a\"\n"),
        ("third_party/fixups/a/fixups.toml", "buildscript.run = \n"),
        ("PACKAGE", "x = [\n"),
    ]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--select", "syntax-error"]);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    let expect_prefix = [
        ".buckconfig:3:1: error[syntax-error]",
        "BUCK:2:1: error[syntax-error]",
        "PACKAGE:2:1: error[syntax-error]",
        "third_party/Cargo.lock:2:1: error[syntax-error]: `[[package]]` entry without a string `version`",
        "third_party/fixups/a/fixups.toml:1:19: error[syntax-error]",
        "third_party/reindeer.toml:2:1: error[syntax-error]",
        "x.bzl:1:7: error[syntax-error]",
    ];
    assert_eq!(lines.len(), expect_prefix.len(), "{}", o.stdout);
    for (l, p) in lines.iter().zip(expect_prefix) {
        assert!(l.starts_with(p), "{l} should start with {p}");
    }
}

#[test]
fn invalid_utf8_nul_and_deep_nesting() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    std::fs::write(d.path().join("BUCK"), b"x = 1\ny = \"\xff\"\n").unwrap();
    std::fs::create_dir(d.path().join("n")).unwrap();
    std::fs::write(d.path().join("n/BUCK"), b"x = 1\0\n").unwrap();
    let deep = format!("X = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    std::fs::write(d.path().join("deep.bzl"), deep).unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(
        o.stdout,
        "BUCK:2:6: error[syntax-error]: invalid UTF-8 (byte 0xff)\n\
         n/BUCK:1:6: error[syntax-error]: file contains a NUL byte; it is not a text file\n",
        "{}",
        o.stderr
    );
    assert_eq!(o.code, 1);
}

#[test]
fn bom_and_crlf_are_accepted() {
    let d = tree(&[(".buckconfig", BUCKCONFIG)]);
    std::fs::write(
        d.path().join("BUCK"),
        "\u{feff}rust_library(\r\n    name = \"q-1.0.0\",\r\n    proc_macro = True,\r\n)\r\n",
    )
    .unwrap();
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert!(o.stdout.starts_with("BUCK:2:12: error[proc-macro-missing-crate-attr]"), "{}", o.stdout);
}

#[test]
fn discovery_honours_gitignore_project_ignore_and_exclude() {
    let d = tree(&[
        (".buckconfig", "[cells]\n  root = .\n[project]\n  ignore = generated, .git\n"),
        (".gitignore", "skipped/\n"),
        ("skipped/BUCK", "rust_library(name = \"s-1.0.0\", proc_macro = True)\n"),
        ("generated/BUCK", "rust_library(name = \"g-1.0.0\", proc_macro = True)\n"),
        ("buck-out/v2/BUCK", "rust_library(name = \"o-1.0.0\", proc_macro = True)\n"),
        (".hidden/BUCK", "rust_library(name = \"h-1.0.0\", proc_macro = True)\n"),
        ("kept/BUCK", "rust_library(name = \"k-1.0.0\", proc_macro = True)\n"),
        ("excluded/BUCK", "rust_library(name = \"e-1.0.0\", proc_macro = True)\n"),
    ]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--exclude", "excluded"]);
    let files: Vec<&str> = o.stdout.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(files, vec!["kept/BUCK"], "{}", o.stdout);
    // explicit paths are linted even when ignored, unless --force-exclude
    let o = run_in(d.path(), &["check", "generated/BUCK", "--format", "concise", "--isolated"]);
    assert!(o.stdout.starts_with("generated/BUCK:"), "{}", o.stdout);
    let o = run_in(d.path(), &["check", "generated/BUCK", "--force-exclude", "--format", "concise", "--isolated"]);
    assert_eq!(o.stdout, "");
}

#[test]
fn single_file_inside_project_reports_only_that_file() {
    let d = project();
    let o = run_in(&d.path().join("lib"), &["check", "BUCK", "--format", "concise", "--isolated"]);
    assert_eq!(o.stdout.lines().count(), 2, "{}", o.stdout);
    assert!(o.stdout.starts_with("BUCK:2:12:"));
    let o = run_in(d.path(), &["check", "ok/BUCK", "--format", "concise", "--isolated"]);
    assert_eq!(o.stdout, "");
    assert_eq!(o.code, 0);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_naming_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let d = project();
    let p = d.path().join("ok/BUCK");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        eprintln!("running as root: permission bits do not stop reads; testing a dangling path instead");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink(d.path().join("loop"), d.path().join("loop")).unwrap();
        std::fs::create_dir(d.path().join("ok/BUCK")).unwrap();
        let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
        assert_ne!(o.code, 3);
        return;
    }
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("ok/BUCK:1:1: error[io-error]"), "{}", o.stdout);
}

#[test]
#[cfg_attr(not(debug_assertions), ignore = "the engine's test hooks exist in debug builds only")]
fn panics_are_caught_per_file() {
    let d = project();
    let mut cmd = std::process::Command::new(bin());
    cmd.args(["check", "--format", "concise", "--isolated", "--no-cache"])
        .current_dir(d.path())
        .env("BUCK_LINT_TEST_PANIC_ON", "ok/BUCK");
    let o = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout.contains("ok/BUCK:1:1: error[internal-error]"), "{stdout}");
    assert!(stdout.contains("proc-macro-missing-crate-attr"), "the run goes on: {stdout}");
}

#[test]
fn introspection() {
    let d = project();
    let o = run_in(d.path(), &["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().len() > 60);
    let o = run_in(d.path(), &["explain", "R07"]);
    assert!(o.stdout.starts_with("# re-full-hybrid-racing"));
    let o = run_in(d.path(), &["explain", "re-full-hybrid-racin"]);
    assert_eq!(o.code, 2);
    let o = run_in(d.path(), &["--version"]);
    assert!(o.stdout.contains(env!("CARGO_PKG_VERSION")));
    let o = run_in(d.path(), &["check", "--statistics", "--format", "concise", "--isolated"]);
    assert!(o.stdout.contains("    1  proc-macro-missing-crate-attr"), "{}", o.stdout);
}

/// `buck-lint rules --format json | head -c 300`: when stdout closes early, buck-lint ends
/// quietly (killed by SIGPIPE like any Unix filter), not with a panic and exit 101.
#[cfg(unix)]
#[test]
fn closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    for args in [&["rules", "--format", "json"][..], &["explain", "re-full-hybrid-racing"][..], &["data", "--dump"][..]]
    {
        let mut child = std::process::Command::new(bin())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut buf = [0u8; 300];
        let mut out = child.stdout.take().unwrap();
        out.read_exact(&mut buf[..50]).unwrap();
        drop(out);
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(o.status.code() != Some(101), "{args:?}: {:?}", o.status);
        assert!(o.status.success() || o.status.signal() == Some(libc_sigpipe()), "{args:?}: {:?}", o.status);
    }
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}

/// Quiet success where something is wrong gets a one-line warning on stderr.
#[cfg(unix)]
#[test]
fn nothing_to_lint_is_said_not_passed_over() {
    // an empty directory, a tree with no Buck2 files
    let d = tree(&[("README.md", "nothing here\n")]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("warning: no files to lint found"), "{}", o.stderr);

    // Buck2 files but no .buckconfig anywhere above them
    let d = tree(&[("lib/BUCK", "filegroup(name = \"a\", srcs = [])\n")]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert!(o.stderr.contains("warning: no .buckconfig in or above the linted paths"), "{}", o.stderr);

    // a FIFO named on the command line
    let d = tree(&[(".buckconfig", "[cells]\n  root = .\n")]);
    let fifo = d.path().join("BUCK");
    let ok = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if ok {
        let o = run_in(d.path(), &["check", "BUCK", "--format", "concise", "--isolated"]);
        assert!(o.stderr.contains("warning: skipped BUCK: not a regular file"), "{}", o.stderr);
        std::fs::remove_file(&fifo).unwrap();
    }

    // a symbolic link loop named on the command line
    std::os::unix::fs::symlink("loop", d.path().join("loop")).unwrap();
    let o = run_in(d.path(), &["check", "loop", "--format", "concise", "--isolated"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("`loop`: symbolic link loop"), "{}", o.stderr);

    // a file of a kind buck-lint does not read
    std::fs::write(d.path().join("notes.txt"), "x\n").unwrap();
    let o = run_in(d.path(), &["check", "notes.txt", "--format", "concise", "--isolated"]);
    assert!(o.stderr.contains("warning: skipped notes.txt: not a file buck-lint reads"), "{}", o.stderr);
}

/// Baselines: written once, they hide the findings they hold through unrelated edits; a new
/// problem still shows; a fixed one leaves a stale entry that is reported.
#[test]
fn baseline_round_trip() {
    let buck = "http_archive(\n    name = \"a.crate\",\n    urls = [\"https://static.crates.io/crates/a/1.0.0/download\"],\n)\n\nhttp_archive(\n    name = \"b.crate\",\n    urls = [\"https://static.crates.io/crates/b/1.0.0/download\"],\n)\n";
    let d = tree(&[(".buckconfig", "[cells]\n  root = .\n"), ("third_party/BUCK", buck)]);
    let o = run_in(d.path(), &["check", "--format", "concise", "--isolated"]);
    assert_eq!(o.stdout.lines().count(), 2, "{}", o.stdout);

    let o = run_in(d.path(), &["check", "--isolated", "--write-baseline", "buck-lint-baseline.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Wrote 2 findings"), "{}", o.stderr);
    let written = std::fs::read_to_string(d.path().join("buck-lint-baseline.json")).unwrap();
    assert!(written.contains("\"path\": \"third_party/BUCK\"") && !written.contains("\"line\""), "{written}");

    let base = ["check", "--format", "concise", "--isolated", "--baseline", "buck-lint-baseline.json"];
    let o = run_in(d.path(), &base);
    assert_eq!((o.stdout.as_str(), o.code), ("", 0), "{}", o.stderr);

    // unrelated edits above the findings move them; the baseline still holds them
    std::fs::write(d.path().join("third_party/BUCK"), format!("# vendored crates\n\n{buck}")).unwrap();
    let o = run_in(d.path(), &base);
    assert_eq!((o.stdout.as_str(), o.code), ("", 0), "{}", o.stderr);

    // a new problem is reported
    std::fs::write(
        d.path().join("third_party/BUCK"),
        format!("# vendored crates\n\n{buck}\nhttp_archive(\n    name = \"c.crate\",\n    urls = [\"https://static.crates.io/crates/c/1.0.0/download\"],\n)\n"),
    )
    .unwrap();
    let o = run_in(d.path(), &base);
    assert_eq!(o.stdout.lines().count(), 1, "{}", o.stdout);
    assert!(o.stdout.contains("`c.crate`"), "{}", o.stdout);

    // fixing one leaves a stale entry, which is reported
    let fixed = buck.replacen(
        "    name = \"a.crate\",\n",
        "    name = \"a.crate\",\n    sha256 = \"0000000000000000000000000000000000000000000000000000000000000001\",\n",
        1,
    );
    std::fs::write(d.path().join("third_party/BUCK"), fixed).unwrap();
    let o = run_in(d.path(), &base);
    assert_eq!((o.stdout.as_str(), o.code), ("", 0), "{}", o.stderr);
    assert!(
        o.stderr.contains("warning: 1 baseline entry in `buck-lint-baseline.json` no longer matches"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("`a.crate`"), "{}", o.stderr);
}

/// `--show-files` lists what a run reports on, with the files that get only some findings.
#[test]
fn show_files_lists_kinds_and_restrictions() {
    let o = run_in(&repo(), &["check", "testdata/precision-reindeer-generations", "--show-files", "--isolated"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("precision-reindeer-generations/third-party/rust/BUCK\tBuild\n"), "{}", o.stdout);
    assert!(
        o.stdout.contains("fixups/winreg/fixups.toml\tFixups\t(orphan fixups: fixup-orphan-dir only)"),
        "{}",
        o.stdout
    );
    let o = run_in(&repo(), &["check", "testdata/precision-vendored-prelude", "--show-files", "--isolated"]);
    assert!(o.stdout.contains("prelude/platforms/defs.bzl\tBzl\t(dependency cell"), "{}", o.stdout);
}

/// `--show-settings` prints every effective value with where it came from: the file and line
/// of the config that set it (the overriding file of an `extend` chain), the command line, or
/// the default.
#[test]
fn show_settings_names_the_origin_of_every_value() {
    let d = tree(&[
        (".buckconfig", BUCKCONFIG),
        ("base.toml", "[lint]\nignore = [\"starlark-*\"]\nfail-on = \"info\"\n\n[re]\nprovider = \"engflow\"\n"),
        (
            "buck-lint.toml",
            "extend = \"base.toml\"\n[lint]\nfail-on = \"error\"\nextend-select = [\"vendored-unused-platform-crates\"]\n\n[rules.re-container-image-registry-not-allowed]\nallowed = [\"ghcr.io/acme/*\"]\nseverity = \"error\"\n",
        ),
    ]);
    let o = run_in(
        d.path(),
        &[
            "check",
            "--show-settings",
            "--severity",
            "R07=info",
            "--exclude",
            "gen/**",
            "--extend-select",
            "starlark-unused-load",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let root = discover_root(d.path());
    let text = o.stdout.replace(&root, "<ROOT>");
    let expect = |line: &str| assert!(text.lines().any(|l| l == line), "missing `{line}` in:\n{text}");
    expect("# config file: <ROOT>/buck-lint.toml");
    expect("# project root: <ROOT> (the outermost .buckconfig)");
    expect("fail-on = \"error\"  # <ROOT>/buck-lint.toml:3");
    expect("provider = \"engflow\"  # <ROOT>/base.toml:6");
    expect("exclude = [\"gen/**\"]  # command line (--exclude)");
    expect("require-digest = true  # default");
    expect(
        "starlark-unused-load                       = { enabled = true, severity = \"info\" }  # enabled: `extend-select` \"starlark-unused-load\" (command line (--extend-select)); severity: default",
    );
    expect(
        "vendored-unused-platform-crates            = { enabled = true, severity = \"info\" }  # enabled: `extend-select` \"vendored-unused-platform-crates\" (<ROOT>/buck-lint.toml:4); severity: default",
    );
    expect(
        "starlark-duplicate-key                     = { enabled = false, severity = \"warning\" }  # enabled: `ignore` \"starlark-*\" (<ROOT>/base.toml:2); severity: default",
    );
    expect(
        "re-full-hybrid-racing                      = { enabled = true, severity = \"info\" }  # enabled: default (on); severity: command line (--severity R07=info)",
    );
    expect(
        "re-container-image-registry-not-allowed    = { enabled = false, severity = \"error\", allowed = [\"ghcr.io/acme/*\"] }  # enabled: default (off); severity: <ROOT>/buck-lint.toml:8; allowed: <ROOT>/buck-lint.toml:7",
    );
    let o = run_in(d.path(), &["check", "--show-settings", "--isolated"]);
    assert!(o.stdout.contains("# config file: none (--isolated)\n"), "{}", o.stdout);
    assert!(o.stdout.contains("fail-on = \"warning\"  # default\n"), "{}", o.stdout);
}

/// The project root as the binary prints it (temporary directories may sit behind a link).
fn discover_root(p: &std::path::Path) -> String {
    std::fs::canonicalize(p).unwrap().display().to_string()
}

/// `--add-suppressions` silences every finding with a comment the linter accepts: trailing
/// where Starlark/TOML allow it (merged into an existing `buck-lint: disable=`), on a line of
/// its own in `.buckconfig` and after another comment; a second run changes nothing.
#[test]
fn add_suppressions_silences_everything_once() {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/cell-unresolved"), d.path());
    copy_tree(&repo().join("testdata/pyo3-remote"), &d.path().join("py"));
    // a line that already ends with a comment, and one with a suppression of another rule
    let macros = d.path().join("defs/macros.bzl");
    let text = std::fs::read_to_string(&macros).unwrap();
    let first = text.lines().nth(1).unwrap().to_string();
    std::fs::write(&macros, text.replacen(&first, &format!("{first}  # the old macros"), 1)).unwrap();
    let before = run_in(d.path(), &["check", "--format", "concise", "--isolated", "."]);
    assert_eq!(before.code, 1, "{}", before.stderr);
    let n = before.stdout.lines().count();
    assert!(n >= 4, "{}", before.stdout);
    let o = run_in(d.path(), &["check", "--add-suppressions", "--format", "concise", "--isolated", "."]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stderr.contains(&format!("Added suppressions for {n} findings in")), "{}", o.stderr);
    assert!(o.stderr.contains("; 0 findings remain."), "{}", o.stderr);
    let cfg = std::fs::read_to_string(d.path().join(".buckconfig")).unwrap();
    assert!(cfg.contains("  none = none\n\n[cell_aliases]"), "{cfg}");
    assert!(cfg.contains("  # buck-lint: disable=buckconfig-cell-unresolved\n  platforms = platform\n"), "{cfg}");
    let m = std::fs::read_to_string(&macros).unwrap();
    assert!(
        m.contains(&format!("# buck-lint: disable=buckconfig-cell-unresolved\n{first}  # the old macros\n")),
        "{m}"
    );
    let lib = std::fs::read_to_string(d.path().join("py/third_party/BUCK")).unwrap();
    assert!(
        lib.contains(
            "name = \"pyo3-macros-0.26.0\",  # buck-lint: disable=proc-macro-consumes-nondeterministic-rlib\n"
        ),
        "{lib}"
    );
    let after = run_in(d.path(), &["check", "--format", "concise", "--isolated", "."]);
    assert_eq!(after.code, 0, "{}", after.stdout);
    let snapshot = |p: &std::path::Path| {
        let mut v: Vec<(std::path::PathBuf, Vec<u8>)> =
            walk(p).into_iter().map(|f| (f.clone(), std::fs::read(f).unwrap())).collect();
        v.sort();
        v
    };
    let files = snapshot(d.path());
    let o = run_in(d.path(), &["check", "--add-suppressions", "--isolated", "."]);
    assert!(o.stderr.contains("Added suppressions for 0 findings in 0 files"), "{}", o.stderr);
    assert_eq!(files, snapshot(d.path()), "a second run must not change anything");
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

/// `--changed-since REV` lints what changed since a git revision and what that change can
/// affect: the loaders of a changed `.bzl`, the generated BUCK of a changed fixups file, new
/// untracked files; `--verbose` says why each file is in the run.
#[test]
fn changed_since_pulls_in_dependents() {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/pyo3-remote"), d.path());
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(d.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--isolated", "--format", "concise", "--verbose", "--changed-since"];
        all.extend_from_slice(args);
        run_in(d.path(), &all)
    };
    let o = run(&["HEAD"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("No files to lint changed since `HEAD`."), "{}", o.stderr);

    // a macro file: itself and the BUCK that loads it; nothing from third_party
    let defs = d.path().join("defs.bzl");
    std::fs::write(&defs, std::fs::read_to_string(&defs).unwrap() + "\n# tuned\n").unwrap();
    let o = run(&["HEAD"]);
    assert!(o.stderr.contains("changed-since HEAD: defs.bzl: changed\n"), "{}", o.stderr);
    assert!(o.stderr.contains("changed-since HEAD: BUCK: loads defs.bzl\n"), "{}", o.stderr);
    assert!(o.stdout.contains("defs.bzl:14:34: warning[re-full-hybrid-racing]"), "{}", o.stdout);
    assert!(o.stdout.contains("BUCK:8:25: warning[re-exec-platform-host-derived]"), "{}", o.stdout);
    assert!(!o.stdout.contains("third_party/"), "{}", o.stdout);
    git(&["commit", "-q", "-am", "tune"]);

    // a crate's fixups: the fixups file and its project's generated BUCK
    let fx = d.path().join("third_party/fixups/pyo3/fixups.toml");
    std::fs::write(&fx, std::fs::read_to_string(&fx).unwrap() + "# keep off\n").unwrap();
    // a new, untracked package
    std::fs::create_dir_all(d.path().join("new")).unwrap();
    std::fs::write(d.path().join("new/BUCK"), "rust_library(\n    name = \"n\",\n    srcs = [\"lib.rs\"],\n)\n")
        .unwrap();
    let o = run(&["HEAD"]);
    assert!(o.stderr.contains("third_party/fixups/pyo3/fixups.toml: changed\n"), "{}", o.stderr);
    assert!(o.stderr.contains("new/BUCK: changed\n"), "{}", o.stderr);
    assert!(
        o.stderr.contains("third_party/BUCK: fixups of `pyo3` changed (third_party/fixups/pyo3/fixups.toml)\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stdout.contains("third_party/fixups/pyo3/fixups.toml:1:1: warning[fixup-buildscript-disabled-essential]"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("defs.bzl"), "{}", o.stdout);
    // the first commit: the .bzl change is in again
    let o = run(&["HEAD~1"]);
    assert!(o.stderr.contains("BUCK: loads defs.bzl\n"), "{}", o.stderr);

    let o = run(&["no-such-rev"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("error: --changed-since: `no-such-rev` is not a revision"), "{}", o.stderr);
}

/// `check -v` in `dir` with the result cache on (unless `extra` turns it off): the output
/// (stdout, then stderr without the cache line), the cache line, and the exit code.
fn check_with_cache(dir: &std::path::Path, extra: &[&str]) -> (String, String, Option<i32>) {
    let o = std::process::Command::new(bin())
        .args(["check", "--isolated", "--format", "concise", "-v"])
        .args(extra)
        .current_dir(dir)
        .env_remove("BUCK_LINT_NO_CACHE")
        .env("CARGO_HOME", repo().join("testdata/cargo-home"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let outcome = stderr.lines().find(|l| l.starts_with("cache: ")).unwrap_or("cache: off").to_string();
    let rest: String = stderr.lines().filter(|l| !l.starts_with("cache: ")).map(|l| format!("{l}\n")).collect();
    (String::from_utf8_lossy(&o.stdout).into_owned() + &rest, outcome, o.status.code())
}

/// The result cache replays a run of an unchanged tree exactly, and any edit (a fixups file
/// that cross-file rules read, a `.bzl` that a BUCK loads) or a corrupt entry gives the
/// findings of an uncached run.
#[test]
fn cache_hits_replay_and_edits_invalidate() {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/pyo3-remote"), d.path());
    let cache = d.path().join("ci-cache");
    let run = |extra: &[&str]| check_with_cache(d.path(), extra);
    let cached = || run(&["--cache-dir", cache.to_str().unwrap()]);
    let uncached = || run(&["--no-cache"]);
    let (cold, outcome, code) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert_eq!(code, Some(1));
    assert!(cold.contains("warning[re-full-hybrid-racing]"), "{cold}");
    let (warm, outcome, code) = cached();
    assert!(outcome.starts_with("cache: hit"), "{outcome}");
    assert_eq!((warm.as_str(), code), (cold.as_str(), Some(1)));
    assert!(cache.join(".gitignore").is_file());

    // a fixups file: its own and its cross-file findings follow the edit
    std::fs::write(d.path().join("third_party/fixups/pyo3/fixups.toml"), "").unwrap();
    let (after, outcome, _) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert_eq!(after, uncached().0);
    assert!(after.contains("fixups/pyo3/fixups.toml:1:1: warning[fixup-buildscript-undecided]"), "{after}");
    assert!(!after.contains("fixups/pyo3/fixups.toml:1:1: warning[fixup-buildscript-disabled-essential]"), "{after}");
    // a .bzl the root BUCK loads
    let defs = d.path().join("defs.bzl");
    std::fs::write(
        &defs,
        std::fs::read_to_string(&defs).unwrap().replace("use_limited_hybrid = False", "use_limited_hybrid = True"),
    )
    .unwrap();
    let (after, outcome, _) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert_eq!(after, uncached().0);
    assert!(!after.contains("re-full-hybrid-racing"), "{after}");
    // corrupt entries are ignored and rewritten
    for e in std::fs::read_dir(&cache).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::write(&p, "{\"format\": 1, \"files\": [").unwrap();
        }
    }
    let (again, outcome, _) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert_eq!(again, after);
    let (_, outcome, _) = cached();
    assert!(outcome.starts_with("cache: hit"), "{outcome}");
    // --no-cache neither reads nor writes
    assert_eq!(uncached().1, "cache: off");
}

/// The cache key holds what `buckconfig-cell-unresolved` reads besides the linted files: the
/// root's `.gitmodules` (a cell in a submodule that is not checked out is not reported) and
/// whether each cell's directory exists. Before, a warm run replayed the silence after the
/// submodule entry was removed, and the finding after the directory was created.
#[test]
fn cache_key_follows_submodules_and_cell_directories() {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/cell-unresolved-silent"), d.path());
    let cache = d.path().join("ci-cache");
    let run = |extra: &[&str]| {
        let (out, outcome, _) = check_with_cache(d.path(), extra);
        (out, outcome)
    };
    let cached = || run(&["--cache-dir", cache.to_str().unwrap()]);
    let finding = "error[buckconfig-cell-unresolved]: cell `zstd` points at `third-party/zstd`";
    let (out, outcome) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert!(!out.contains(finding), "{out}");
    assert!(cached().1.starts_with("cache: hit"));
    // the submodule entry goes: the missing cell path is reported, as without the cache
    std::fs::remove_file(d.path().join(".gitmodules")).unwrap();
    let (out, outcome) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert!(out.contains(finding), "{out}");
    assert_eq!(out, run(&["--no-cache"]).0);
    // the cell's directory appears (empty: no file of it is linted)
    std::fs::create_dir_all(d.path().join("third-party/zstd")).unwrap();
    let (out, outcome) = cached();
    assert!(outcome.starts_with("cache: miss"), "{outcome}");
    assert!(!out.contains(finding), "{out}");
}

/// `data eval` (hidden, for maintainers): the loading-phase evaluator over a project's build
/// files, with the targets a macro and a loop declare and where the macro's rule call is.
#[test]
fn data_eval_lists_targets_declared_through_macros() {
    let d = tree(&[
        (".buckconfig", "[cells]\n  root = .\n  prelude = prelude\n"),
        (
            "defs.bzl",
            "load(\"@prelude//:rules.bzl\", \"rust_library\")\n\ndef service(name, **kwargs):\n    rust_library(name = name + \"-lib\", **kwargs)\n    native.genrule(name = name + \"-image\", out = \"image.tar\", cmd = \"true\")\n",
        ),
        (
            "app/BUCK",
            "load(\"//:defs.bzl\", \"service\")\n\n[service(name = n, srcs = []) for n in [\"api\", \"worker\"]]\n",
        ),
        ("broken/BUCK", "load(\"//:missing.bzl\", \"x\")\n"),
    ]);
    let o = run_in(d.path(), &["data", "eval", ".", "--list"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for want in [
        "app/BUCK:3: rust_library api-lib (via defs.bzl:4)",
        "app/BUCK:3: genrule api-image (via defs.bzl:5)",
        "app/BUCK:3: rust_library worker-lib (via defs.bzl:4)",
        "2 build files: 1 evaluated without error, 1 with errors; 4 targets",
        "  Load: 1",
    ] {
        assert!(o.stdout.contains(want), "missing `{want}` in:\n{}", o.stdout);
    }
}

/// Transparent huge pages are off for the whole process, from before the runtime's first
/// allocation (`src/main.rs`): the kernel reports the setting, and no huge page was faulted
/// in (from `main`, the call came after the allocator had faulted in a 2 MiB page).
#[cfg(target_os = "linux")]
#[test]
fn transparent_huge_pages_are_off_for_the_process() {
    let Ok(own) = std::fs::read_to_string("/proc/self/status") else { return };
    if !own.contains("THP_enabled:") {
        // an old kernel: nothing to check
        return;
    }
    // the language server waits for input, so its state can be read while it runs
    let mut child = std::process::Command::new(bin())
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let proc = format!("/proc/{}", child.id());
    let field = |file: &str, name: &str| {
        let text = std::fs::read_to_string(format!("{proc}/{file}")).unwrap_or_default();
        text.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string())
    };
    // until the server waits for input (before its exec, /proc shows this test's process)
    let started = std::time::Instant::now();
    let mut seen = (None, None);
    while started.elapsed() < std::time::Duration::from_secs(10) {
        let cmdline = std::fs::read(format!("{proc}/cmdline")).unwrap_or_default();
        let waiting = field("status", "State:").is_some_and(|s| s.starts_with('S'));
        if cmdline.split(|b| *b == 0).any(|a| a == b"lsp") && waiting {
            seen = (field("status", "THP_enabled:"), field("smaps_rollup", "AnonHugePages:"));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.0.as_deref(), Some("0"), "THP_enabled");
    if let Some(huge) = seen.1 {
        assert_eq!(huge, "0 kB", "AnonHugePages");
    }
}
