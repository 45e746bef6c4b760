//! The loading phase (`model::loading`): build files that call macros or declare targets in
//! loops are evaluated, and the rules read what the evaluation declares. `testdata/loading-phase`
//! pins the findings (its README says what fires and what stays silent); these tests add the
//! rendered related spans, the `--verbose` note for files that do not evaluate, and the
//! fallback to the static reading.

mod common;
use common::*;

#[test]
fn findings_only_the_evaluation_sees() {
    let o = expect_tree("loading-phase");
    // a macro-declared `<name>-lib` collides with a hand-written one
    assert!(
        o.stdout.contains("services/api/BUCK:12:12: error[duplicate-target-name]: target `api-lib`"),
        "{}",
        o.stdout
    );
    // a loop in a macro and a comprehension
    assert!(
        o.stdout.contains("loops/BUCK:20:12: error[duplicate-target-name]: target `bundle-x86_64`"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("loops/BUCK:27:5: error[duplicate-target-name]: target `docs`"), "{}", o.stdout);
    // the rule kind through a two-level shim
    assert!(o.stdout.contains("third-party/BUCK:21:13: error[proc-macro-inner-target-dep]"), "{}", o.stdout);
    // a file that did not evaluate keeps its static findings
    assert!(o.stdout.contains("hostile/recursion/BUCK:7:16: error[duplicate-target-name]"), "{}", o.stdout);
    // silent: the worker's derived names, the comprehension's distinct tests
    assert!(!o.stdout.contains("services/worker"), "{}", o.stdout);
    assert!(!o.stdout.contains("test-parse"), "{}", o.stdout);
}

#[test]
fn executors_get_the_attributes_a_macro_computed() {
    let o = expect_tree("loading-phase-re");
    // read_config through a macro: the finding sits on the .buckconfig value
    assert!(
        o.stdout.contains(".buckconfig:22:11: warning[re-container-image-unpinned]: image `ubuntu:22.04`"),
        "{}",
        o.stdout
    );
    // a select() passed through the macro: the mutable alternative only
    assert!(
        o.stdout.contains("platforms/BUCK:20:30: warning[re-container-image-unpinned]: image `arm64v8/ubuntu:24.04`"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stdout.matches("re-container-image-unpinned").count(), 3, "{}", o.stdout);
    assert_eq!(o.stdout.matches("re-full-hybrid-racing").count(), 1, "{}", o.stdout);
    // the computed `False` is not rewritten, and the platform is named
    let j = run_in(
        &repo(),
        &["check", "testdata/loading-phase-re", "--format", "json", "--isolated", "--select", "re-full-hybrid-racing"],
    );
    assert!(j.stdout.contains("for the platform `racing` declared here"), "{}", j.stdout);
    assert!(!j.stdout.contains("Set `use_limited_hybrid = True`"), "{}", j.stdout);
}

#[test]
fn related_spans_name_the_call_and_the_macro_line() {
    let o = run_in(
        &repo(),
        &["check", "testdata/loading-phase/services/api", "--format", "json", "--isolated", "--no-cache"],
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .or(v.as_array())
        .unwrap()
        .iter()
        .find(|d| d.to_string().contains("api-lib"))
        .cloned()
        .unwrap_or_else(|| panic!("{}", o.stdout));
    let s = d.to_string();
    assert!(s.contains("first declared by this call"), "{s}");
    assert!(s.contains("build_defs/service.bzl"), "{s}");
    assert!(s.contains("the first declaration comes from this macro line"), "{s}");
}

#[test]
fn hostile_build_files_stop_with_a_note_and_the_run_goes_on() {
    let t = std::time::Instant::now();
    let o = run_in(
        &repo(),
        &["check", "testdata/loading-phase/hostile", "--format", "concise", "--isolated", "-v", "--no-cache"],
    );
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(t.elapsed() < std::time::Duration::from_secs(60), "the limits stop runaway evaluation");
    let note = o.stderr.lines().skip_while(|l| !l.starts_with("note: loading phase")).collect::<Vec<_>>().join("\n");
    assert!(note.starts_with("note: loading phase: 5 of 5 build files did not evaluate"), "{}", o.stderr);
    for (file, why) in [
        ("hostile/cycle/BUCK:1:6", "load cycle"),
        ("hostile/missing/BUCK:1:6", "cannot load `//build_defs:gone.bzl`"),
        ("hostile/range/BUCK: hostile/range/defs.bzl:2:14", "over the evaluator's limit"),
        ("hostile/recursion/BUCK: hostile/recursion/defs.bzl:2:5", "call stack overflow"),
        ("hostile/undefined/BUCK:7:1", "Variable `rust_binaries` not found"),
    ] {
        assert!(note.lines().any(|l| l.contains(file) && l.contains(why)), "{file}: {why}\n{note}");
    }
    // without --verbose: no note
    let o = run_in(
        &repo(),
        &["check", "testdata/loading-phase/hostile", "--format", "concise", "--isolated", "--no-cache"],
    );
    assert!(!o.stderr.contains("loading phase"), "{}", o.stderr);
    // the static reading still reports the duplicate in the file that did not evaluate
    assert!(o.stdout.contains("hostile/recursion/BUCK:7:16: error[duplicate-target-name]"), "{}", o.stdout);
}

/// The phases `BUCK_LINT_TIMINGS` reports for a run over `testdata/loading-phase`.
fn timings(extra: &[&str]) -> String {
    let mut args = vec!["check", "testdata/loading-phase", "--format", "concise", "--isolated", "--no-cache"];
    args.extend(extra);
    let o = std::process::Command::new(bin())
        .args(&args)
        .current_dir(repo())
        .env("BUCK_LINT_TIMINGS", "1")
        .env("CARGO_HOME", repo().join("testdata/cargo-home"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_phase_runs_only_for_rules_that_read_it() {
    let off = timings(&["--select", "buck-dialect"]);
    assert!(!off.contains("loading phase"), "{off}");
    let on = timings(&[]);
    assert!(on.contains("loading phase (11 build files to evaluate: 6 evaluated, 5 kept the static reading"), "{on}");
    // every candidate is evaluated from the tree of its first parse (the refused one needs none)
    assert!(on.contains("; 9 .bzl; 10 parsed once)"), "{on}");
}
