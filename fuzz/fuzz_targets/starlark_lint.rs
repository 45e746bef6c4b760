//! Starlark end to end: the input replaces one BUCK or .bzl file of the PyO3 project (the
//! first byte picks which) and the whole engine lints it with every default rule; buck-lint's
//! own default `starlark-*` lints are compared with the starlark crate's pass on it.
#![no_main]
use buck_lint::source::FileKind;
use buck_lint_fuzz::{decode, lint_in_project, parse_checked};
use libfuzzer_sys::fuzz_target;

const FILES: [(&str, FileKind); 4] = [
    ("third_party/BUCK", FileKind::Build),
    ("defs.bzl", FileKind::Bzl),
    ("BUCK", FileKind::Build),
    ("toolchains/defs.bzl", FileKind::Bzl),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (rel, kind) = FILES[pick as usize % FILES.len()];
    let Some(text) = decode(rest) else { return };
    parse_checked(kind, &text);
    // buck-lint's own default `starlark-*` lints equal the crate's pass
    if let Ok(ast) = buck_lint::parse::starlark::parse(rel, &text) {
        if let Some((own, theirs)) = buck_lint::rules::starlark::lints::own_and_crate_default_lints(&ast) {
            assert_eq!(own, theirs, "own lints differ from the crate's");
        }
    }
    lint_in_project("pyo3-remote", rel, &text);
});
