//! Runs that name only files look their context up instead of walking the project root
//! (`RunOptions::targeted_context`, src/engine/lookup.rs): what they report must be what the
//! same run with `--full-context` (the walk of the root) reports, but for the few judgements
//! a partial view cannot make (they stay silent), and they must not read the rest of the
//! tree.

mod common;
use common::*;

/// Findings a run that did not look everywhere leaves out by design (README, "Context of a
/// run that names only files"): `unused-suppression` of a cross-file rule, the majority
/// spelling of `re-platform-property-inconsistent`, `python-ext-unsupported-in-oss-prelude`
/// when no Reindeer project is known, and `env-path-macro-absolutized` on a generated file
/// whose Reindeer project was not found.
const PARTIAL_SILENT: [&str; 4] = [
    "[unused-suppression]",
    "[re-platform-property-inconsistent]",
    "[python-ext-unsupported-in-oss-prelude]",
    "[env-path-macro-absolutized]",
];

fn lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// The scenario trees (every `testdata/` directory with a `.buckconfig`), each with the files
/// its directory run reports on in full (naming a dependency cell's file lints that cell).
fn scenario_files() -> Vec<(std::path::PathBuf, Vec<String>)> {
    let mut trees: Vec<_> = std::fs::read_dir(repo().join("testdata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join(".buckconfig").is_file() && !p.to_string_lossy().ends_with(".expected"))
        .collect();
    trees.sort();
    assert!(trees.len() > 40, "the scenario trees are there");
    trees
        .into_iter()
        .map(|tree| {
            let listed = run_in(&tree, &["check", "--show-files", ".", "--isolated"]);
            let files = listed
                .stdout
                .lines()
                .filter(|l| !l.split('\t').nth(2).is_some_and(|r| r.starts_with("(dependency cell")))
                .filter_map(|l| l.split('\t').next().map(String::from))
                .collect();
            (tree, files)
        })
        .collect()
}

#[test]
fn naming_every_file_of_a_scenario_reports_what_the_walk_reports() {
    let mut compared = 0;
    for (tree, files) in scenario_files() {
        if files.is_empty() {
            continue;
        }
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let mut args = vec!["check", "--format", "concise", "--isolated"];
        args.extend(&files);
        let named = run_in(&tree, &args);
        args.push("--full-context");
        let dir = run_in(&tree, &args);
        // and the walk of the root reports the same for them as the run of the directory
        let whole = run_in(&tree, &["check", ".", "--format", "concise", "--isolated"]);
        assert_eq!(dir.stdout, whole.stdout, "{}", tree.display());
        let name = tree.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(named.code == 2, dir.code == 2, "{name}: exit codes\n{}\n{}", named.stderr, dir.stderr);
        let (d, n) = (lines(&dir.stdout), lines(&named.stdout));
        for l in &n {
            assert!(d.contains(l), "{name}: the file run reports what the walk does not:\n{l}");
        }
        let keep = |l: &&&str| !PARTIAL_SILENT.iter().any(|r| l.contains(r));
        let d: Vec<&&str> = d.iter().filter(keep).collect();
        let n: Vec<&&str> = n.iter().filter(keep).collect();
        assert_eq!(n, d, "{name}: the run naming every file differs from the walk");
        compared += 1;
    }
    assert!(compared > 40, "{compared} trees compared");
}

/// A copy of the pyo3-remote tree with a build file in `dir` that is a link to itself.
#[cfg(unix)]
fn pyo3_remote_with_link_loop(dir: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("testdata/pyo3-remote"), d.path());
    std::fs::create_dir_all(d.path().join(dir)).unwrap();
    std::os::unix::fs::symlink("BUCK", d.path().join(dir).join("BUCK")).unwrap();
    d
}

#[cfg(unix)]
#[test]
fn a_file_run_reads_what_its_files_lead_to_not_the_tree() {
    // a corner of the tree that nothing references: the walk of the root meets its broken
    // link, a run over the third-party build file never goes there
    let d = pyo3_remote_with_link_loop("unrelated/deep");
    let walked = run_in(d.path(), &["check", ".", "--format", "concise", "--isolated"]);
    assert!(walked.stderr.contains("skipped unrelated/deep/BUCK"), "{}", walked.stderr);

    let one = run_in(d.path(), &["check", "third_party/BUCK", "--format", "concise", "--isolated"]);
    assert!(!one.stderr.contains("unrelated"), "the file run walked the tree:\n{}", one.stderr);
    // the diagnosis still needs the execution platform (root BUCK, defs.bzl), the toolchain,
    // the lock and the fixups: all found from the named file and the configuration
    let want: Vec<&str> = lines(&walked.stdout).into_iter().filter(|l| l.starts_with("third_party/BUCK:")).collect();
    assert_eq!(lines(&one.stdout), want);
    assert!(one.stdout.contains("error[pipelined-nondeterministic-crate]"), "{}", one.stdout);
    assert!(one.stdout.contains("error[proc-macro-consumes-nondeterministic-rlib]"), "{}", one.stdout);
}

#[test]
fn a_first_party_file_finds_its_reindeer_project_through_labels() {
    // The first-party build file references the third-party package by label; that build
    // file is Reindeer's, so its `reindeer.toml` (and with it the lock and the fixups) is
    // found above it while the run goes on, and its targets keep their whole model.
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("testdata/pyo3-remote"), d.path());
    std::fs::create_dir_all(d.path().join("app")).unwrap();
    std::fs::write(
        d.path().join("app/BUCK"),
        "rust_library(\n    name = \"app\",\n    srcs = [\"lib.rs\"],\n    proc_macro = True,\n    deps = [\"//third_party:pyo3-build-config-0.26.0\"],\n)\n",
    )
    .unwrap();
    let named = run_in(d.path(), &["check", "app/BUCK", "--format", "concise", "--isolated"]);
    let walked = run_in(d.path(), &["check", ".", "--format", "concise", "--isolated"]);
    let want: Vec<&str> = lines(&walked.stdout).into_iter().filter(|l| l.starts_with("app/BUCK:")).collect();
    assert!(
        want.iter().any(|l| l.contains("error[proc-macro-consumes-nondeterministic-rlib]: proc macro `app`")),
        "the walk reports the first-party proc macro:\n{}",
        walked.stdout
    );
    assert_eq!(lines(&named.stdout), want, "{}", named.stderr);
}

#[test]
fn a_reindeer_build_file_named_alone_finds_its_project_above_it() {
    // Named alone, a Reindeer-generated build file (and a vendored crate's build file below
    // it) finds its `reindeer.toml` above it: the crate sources, the fixups and the vendor
    // directory it judges by are that project's. Without it, these runs lose the crate facts'
    // findings and report the vendored crate's cells as unknown.
    for (tree, files) in [
        ("crate-facts-vendored", &["third-party/rust/BUCK"][..]),
        ("crate-facts-git-path", &["third-party/rust/BUCK"]),
        ("precision-reindeer-generations", &["third-party/rust/BUCK"]),
        ("vendored-build-file", &["third-party/rust/vendor/sorted_vector_map-0.2.0/BUCK", "app/BUCK"]),
    ] {
        let dir = repo().join("testdata").join(tree);
        let mut args = vec!["check", "--format", "concise", "--isolated"];
        args.extend(files);
        let named = run_in(&dir, &args);
        args.push("--full-context");
        let full = run_in(&dir, &args);
        let want = lines(&full.stdout);
        assert!(!want.is_empty(), "{tree}: the walk reports on {files:?}");
        assert_eq!(lines(&named.stdout), want, "{tree}: {}", named.stderr);
    }
}

#[test]
fn a_file_named_alone_never_gets_a_finding_the_walk_does_not_give_it() {
    // Context a file run does not find (a `reindeer.toml` beside its third-party directory,
    // a `.bzl` file nothing loads) may hide a finding; it must never make one up. Every file
    // of every scenario tree, alone, against the same run with `--full-context`.
    let jobs: Vec<(std::path::PathBuf, String)> = scenario_files()
        .into_iter()
        .flat_map(|(tree, files)| files.into_iter().map(move |f| (tree.clone(), f)))
        .collect();
    assert!(jobs.len() > 300, "{} files", jobs.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((tree, file)) = jobs.get(i) else { break };
                    let args = ["check", file.as_str(), "--format", "concise", "--isolated"];
                    let named = run_in(tree, &args);
                    let full = run_in(tree, &[&args[..], &["--full-context"]].concat());
                    let full = lines(&full.stdout);
                    for l in lines(&named.stdout) {
                        if !full.contains(&l) {
                            failures.lock().unwrap().push(format!("{}: {file}: {l}", tree.display()));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "findings only the file run gives:\n{}", failures.join("\n"));
}

/// `from` → `to` in every file below `dir`.
fn replace_in_tree(dir: &std::path::Path, from: &str, to: &str) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            replace_in_tree(&p, from, to);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            if text.contains(from) {
                std::fs::write(&p, text.replace(from, to)).unwrap();
            }
        }
    }
}

#[test]
fn a_toolchain_the_file_run_does_not_reach_keeps_pipelining_unknown() {
    // The Rust toolchain (with `nightly_features = False`: no pipelining) lives in a cell
    // that is not called `toolchains`, and nothing the third-party build file references
    // reaches it. The walk finds it; the file run does not, and must not conclude "no
    // toolchain, so Buck2's default pipelining" and report the PyO3 failure.
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("testdata/pyo3-nightly-off"), d.path());
    replace_in_tree(d.path(), "toolchains//", "rust_tools//");
    replace_in_tree(d.path(), "  toolchains = toolchains", "  rust_tools = toolchains");
    let args = ["check", "third_party/BUCK", "--format", "concise", "--isolated"];
    let named = run_in(d.path(), &args);
    let full = run_in(d.path(), &[&args[..], &["--full-context"]].concat());
    assert!(!full.stdout.contains("pipelined-nondeterministic-crate"), "{}", full.stdout);
    assert!(full.stdout.contains("info[proc-macro-consumes-nondeterministic-rlib]"), "{}", full.stdout);
    assert_eq!(named.stdout, full.stdout);
}

#[test]
fn a_generated_file_whose_reindeer_toml_is_beside_it_is_not_judged_as_first_party() {
    // `tools/reindeer/reindeer.toml` generates `third-party/rust/BUCK` from beside it: a run
    // of that build file alone does not find the project, and must not compare the generated
    // editions with the workspace manifest as if the file were hand-written.
    let d = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("testdata/reindeer-custom-dirs"), d.path());
    replace_in_tree(&d.path().join("third-party/rust"), "edition = \"2021\"", "edition = \"2018\"");
    let cargo = d.path().join("third-party/rust/Cargo.toml");
    let manifest = std::fs::read_to_string(&cargo).unwrap().replace("edition = \"2018\"", "edition = \"2021\"");
    std::fs::write(&cargo, manifest).unwrap();
    let args = ["check", "third-party/rust/BUCK", "--format", "concise", "--isolated"];
    let named = run_in(d.path(), &args);
    let full = run_in(d.path(), &[&args[..], &["--full-context"]].concat());
    assert!(!named.stdout.contains("edition-mismatch"), "{}", named.stdout);
    for l in lines(&named.stdout) {
        assert!(full.stdout.contains(l), "only the file run reports: {l}");
    }
}

#[cfg(unix)]
#[test]
fn a_link_loop_in_a_looked_up_directory_is_skipped_as_the_walk_skips_it() {
    let d = pyo3_remote_with_link_loop("third_party/fixups/loopy");
    let args = ["check", "third_party/BUCK", "--format", "concise", "--isolated"];
    let named = run_in(d.path(), &args);
    let full = run_in(d.path(), &[&args[..], &["--full-context"]].concat());
    let warning = "warning: skipped third_party/fixups/loopy/BUCK: broken symbolic link: it points at itself (a loop)";
    assert!(full.stderr.contains(warning), "{}", full.stderr);
    assert!(named.stderr.contains(warning), "{}", named.stderr);
    assert_eq!((named.code, named.stdout), (full.code, full.stdout));
}
