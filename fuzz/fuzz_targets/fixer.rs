//! The fixer, in memory, with every rule and unsafe fixes: the input is one of three fixable
//! files (the first byte picks which). A file that parsed before fixing still parses after,
//! and a converged fix is idempotent.
#![no_main]
use buck_lint::source::FileKind;
use buck_lint_fuzz::{decode, fix_in_project};
use libfuzzer_sys::fuzz_target;

const FILES: [(&str, &str, FileKind); 3] = [
    ("fixups-migrate", "third-party/fixups/getrandom/fixups.toml", FileKind::Fixups),
    ("fixups-legacy", "third-party/fixups/bzip2-sys/fixups.toml", FileKind::Fixups),
    ("fix-unused-load", "BUCK", FileKind::Build),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (project, rel, kind) = FILES[pick as usize % FILES.len()];
    let Some(text) = decode(rest) else { return };
    fix_in_project(project, rel, kind, &text);
});
