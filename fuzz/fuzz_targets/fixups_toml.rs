//! `third-party/fixups/openssl-sys/fixups.toml` of `testdata/fixups-legacy`: parsed (error spans inside the input), then linted in
//! its project with every default rule.
#![no_main]
use buck_lint::source::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    buck_lint_fuzz::config_target(
        data,
        FileKind::Fixups,
        "fixups-legacy",
        "third-party/fixups/openssl-sys/fixups.toml",
    );
});
