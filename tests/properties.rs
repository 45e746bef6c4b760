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

/// Legacy fixups fragments of the forms real repositories have; comments are woven in.
const LEGACY: &[&str] = &[
    "buildscript = []\n",
    "[[buildscript]]\n[buildscript.rustc_flags]\n",
    "[[buildscript]]\n[buildscript.gen_srcs]\nenv = { GEN_MODE = \"fast\" }\n",
    "[[platform_fixup.'cfg(target_os = \"linux\")'.buildscript]]\n[platform_fixup.'cfg(target_os = \"linux\")'.buildscript.cxx_library]\nname = \"c-part\"\nsrcs = [\"src/**/*.c\"]\nheaders = [\"include/**/*.h\"]\ninclude_paths = [\"include\"]\n",
    "[platform_fixup.'cfg(target_os = \"windows\")']\nversion = \"=1.0.0\"\n[platform_fixup.'cfg(target_os = \"windows\")'.env]\nWIN_FLAG = \"1\"\n",
    "extra_src = [\"README.md\"]\n",
];

/// The whole-line and trailing comments of a text (a multiset, sorted).
fn comments(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim().to_string())).collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// `--fix --unsafe-fixes` on generated legacy fixups with comments between lines and after
    /// values: no comment is lost.
    #[test]
    fn legacy_migrations_keep_every_comment(
        parts in proptest::collection::vec(0..LEGACY.len(), 1..4),
        marks in proptest::collection::vec((0..40usize, any::<bool>()), 0..6),
    ) {
        let mut seen = std::collections::HashSet::new();
        let mut lines: Vec<String> = Vec::new();
        for p in parts {
            if seen.insert(p) {
                lines.extend(LEGACY[p].lines().map(String::from));
                lines.push(String::new());
            }
        }
        for (k, (at, trailing)) in marks.into_iter().enumerate() {
            let i = at % lines.len();
            let can_trail = lines[i].contains(" = ") && !lines[i].contains('#');
            if trailing && can_trail {
                lines[i].push_str(&format!("  # note {k}"));
            } else {
                lines.insert(i, format!("# note {k}"));
            }
        }
        let text = lines.join("\n") + "\n";
        let d = tempfile::tempdir().unwrap();
        let files = [
            (".buckconfig", "[cells]\n  root = .\n  prelude = prelude\n".to_string()),
            ("third-party/reindeer.toml", "vendor = false\n".to_string()),
            ("third-party/Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.0.0\"\n".to_string()),
            ("third-party/Cargo.lock", "version = 4\n\n[[package]]\nname = \"demo\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"top\"\nversion = \"0.0.0\"\ndependencies = [\"demo\"]\n".to_string()),
            ("third-party/fixups/demo/fixups.toml", text.clone()),
        ];
        for (p, t) in &files {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let f = run_in(d.path(), &["check", "--fix", "--unsafe-fixes", "--format", "concise", "--isolated", "--exit-zero"]);
        prop_assert!(f.code == 0 || f.code == 1, "fix run failed: {}", f.stderr);
        let after = std::fs::read_to_string(d.path().join("third-party/fixups/demo/fixups.toml")).unwrap();
        let (want, got) = (comments(&text), comments(&after));
        let mut missing = want.clone();
        for g in &got {
            if let Some(i) = missing.iter().position(|w| w == g) {
                missing.remove(i);
            }
        }
        prop_assert!(missing.is_empty(), "lost {:?}\n--- before\n{}\n--- after\n{}", missing, text, after);
    }
}
