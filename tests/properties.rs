//! Property tests over the entry points fuzzing would cover (cargo-fuzz needs a nightly
//! toolchain, which a fresh CI machine does not have): the parsers of every file kind, the
//! whole engine on mutated project trees, and the fixer (a fix never leaves a file that no
//! longer parses). Seeds come from the project's own `testdata/`.

mod common;
use common::mutate::{edits, mutate};
use common::*;

use proptest::prelude::*;

use buck_lint::parse::{self, Parsed};
use buck_lint::source::FileKind;

const SEEDS: &[(&str, FileKind)] = &[
    ("testdata/pyo3-remote/third_party/BUCK", FileKind::Build),
    ("testdata/pyo3-remote/defs.bzl", FileKind::Bzl),
    ("testdata/pyo3-remote/.buckconfig", FileKind::BuckConfig),
    ("testdata/pyo3-remote/third_party/reindeer.toml", FileKind::ReindeerToml),
    ("testdata/pyo3-remote/third_party/Cargo.lock", FileKind::CargoLock),
    ("testdata/fixups-legacy/third-party/fixups/openssl-sys/fixups.toml", FileKind::Fixups),
    ("testdata/fixups-legacy/third-party/fixups/protobuf/fixups.toml", FileKind::Fixups),
    ("testdata/re-helpers/platforms/defs.bzl", FileKind::Bzl),
];

fn check_spans(text: &str, kind: FileKind) {
    let o = parse::parse(kind, "x", text);
    for e in &o.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= text.len() + 1, "{kind:?}: bad span {:?}", e.span);
    }
    if let Parsed::Starlark { module, .. } = &o.parsed {
        for c in &module.calls {
            assert!(c.span.end as usize <= text.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every parser accepts any mutation of a real file without panicking, and reports
    /// errors inside the text.
    #[test]
    fn parsers_never_panic(seed in 0..SEEDS.len(), e in edits()) {
        let (path, kind) = SEEDS[seed];
        let text = mutate(&std::fs::read_to_string(repo().join(path)).unwrap(), &e);
        check_spans(&text, kind);
        let _ = parse::decode(text.as_bytes());
    }

    #[test]
    fn parsers_accept_arbitrary_text(s in ".{0,400}", k in 0..SEEDS.len()) {
        check_spans(&s, SEEDS[k].1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// The whole engine on a mutated copy of the PyO3 project: no crash, no internal
    /// error; then `--fix --unsafe-fixes` never leaves a file that no longer parses.
    #[test]
    fn engine_and_fixer_on_mutated_projects(target in 0..4usize, e in edits()) {
        let files = [
            "third_party/BUCK",
            "defs.bzl",
            "third_party/reindeer.toml",
            "third_party/fixups/pyo3-build-config/fixups.toml",
        ];
        let d = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("testdata/pyo3-remote"), d.path());
        let p = d.path().join(files[target]);
        let text = mutate(&std::fs::read_to_string(&p).unwrap(), &e);
        std::fs::write(&p, &text).unwrap();
        let o = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--exit-zero"]);
        prop_assert_eq!(o.code, 0, "{}", o.stderr);
        prop_assert!(!o.stdout.contains("internal-error"), "{}", o.stdout);
        let before = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--exit-zero", "--select", "syntax-error"]);
        let f = run_in(d.path(), &["check", "--fix", "--unsafe-fixes", "--format", "concise", "--isolated", "--exit-zero"]);
        prop_assert!(f.code == 0 || f.code == 1, "fix run failed: {}", f.stderr);
        let after = run_in(d.path(), &["check", "--format", "concise", "--isolated", "--exit-zero", "--select", "syntax-error"]);
        prop_assert_eq!(before.stdout.lines().count(), after.stdout.lines().count(), "a fix broke parsing:\n{}\n{}", before.stdout, after.stdout);
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}
