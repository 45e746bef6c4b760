//! `third_party/reindeer.toml` of `testdata/pyo3-remote`: parsed (error spans inside the input), then linted in
//! its project with every default rule.
#![no_main]
use buck_lint::source::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    buck_lint_fuzz::config_target(data, FileKind::ReindeerToml, "pyo3-remote", "third_party/reindeer.toml");
});
