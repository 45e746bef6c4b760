//! Shared entry points of the cargo-fuzz targets (see `fuzz/README.md`).
//!
//! Every target decodes the fuzzer's bytes the way the engine does, checks the parser's
//! error spans, then lints the input as one file of a real `testdata/` project (all default
//! rules and the cross-file model, in memory through an overlay) and fails on a panic or an
//! `internal-error` finding.

use std::path::PathBuf;
use std::sync::OnceLock;

use buck_lint::config::{CliOverrides, Settings, resolve};
use buck_lint::engine::{RunOptions, run};
use buck_lint::fix::session::Session;
use buck_lint::parse;
use buck_lint::source::FileKind;

/// `testdata/` of the checkout this crate sits in.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").canonicalize().expect("testdata/")
}

fn default_settings() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    S.get_or_init(Settings::default)
}

fn all_rules() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    S.get_or_init(|| {
        let cli = CliOverrides { select: Some(vec!["ALL".into()]), ..Default::default() };
        resolve(None, &cli).expect("--select ALL")
    })
}

/// Decode as the engine does; `None` (after checking the error's position) when the bytes are
/// not text the engine would parse.
pub fn decode(data: &[u8]) -> Option<String> {
    match parse::decode(data) {
        Ok((t, _bom)) => Some(t),
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.start <= data.len(), "decode error outside the input");
            None
        }
    }
}

/// Parse `text` as `kind`; error spans must lie inside the text. Returns whether it parsed.
pub fn parse_checked(kind: FileKind, text: &str) -> bool {
    let o = parse::parse(kind, "fuzz", text);
    for e in &o.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= text.len() + 1, "error span {:?} outside the text", e.span);
        assert!(!e.message.is_empty(), "empty error message");
    }
    o.errors.is_empty()
}

/// Run options that lint `file`, replaced by `text` in memory.
fn overlay(file: &std::path::Path, text: &str) -> RunOptions {
    RunOptions { crate_cache: None, sequential_walk: false, known_root: None, prewalked: None, regular_files: None, targeted_context: false,
        paths: vec![file.to_path_buf()],
        stdin: None,
        force_exclude: false,
        overlays: [(file.to_path_buf(), text.to_string())].into_iter().collect(),
    }
}

/// Lint `text` as `rel` inside `testdata/<project>` with every default rule.
pub fn lint_in_project(project: &str, rel: &str, text: &str) {
    let file = testdata().join(project).join(rel);
    let opts = overlay(&file, text);
    let r = run(&opts, default_settings());
    if let Some(d) = r.diagnostics.iter().find(|d| d.rule == buck_lint::rules::Rule::InternalError) {
        panic!("internal-error: {}", d.message);
    }
}

/// A TOML-or-INI target: decode, parse, lint as that file of the project.
pub fn config_target(data: &[u8], kind: FileKind, project: &str, rel: &str) {
    let Some(text) = decode(data) else { return };
    parse_checked(kind, &text);
    lint_in_project(project, rel, &text);
}

/// The fixer, in memory: fix `text` as `rel` of `testdata/<project>` with every rule and
/// unsafe fixes. A file that parsed before must still parse after, and fixing the result
/// again must change nothing once the first session has converged.
pub fn fix_in_project(project: &str, rel: &str, kind: FileKind, text: &str) {
    let file = testdata().join(project).join(rel);
    let parsed_before = parse_checked(kind, text);
    let opts = overlay(&file, text);
    let mut session = Session::new(&opts, all_rules(), true);
    let result = session.run();
    if let Some(d) = result.diagnostics.iter().find(|d| d.rule == buck_lint::rules::Rule::InternalError) {
        panic!("internal-error while fixing: {}", d.message);
    }
    let Some(state) = session.files.get(&file) else { return };
    if !(parsed_before && state.changed()) {
        return;
    }
    let o = parse::parse(kind, "fuzz", &state.current);
    assert!(
        o.errors.is_empty(),
        "a fix broke the file: {:?}\n--- before\n{text}\n--- after\n{}",
        o.errors.first().map(|e| &e.message),
        state.current
    );
    if session.passes >= buck_lint::fix::session::MAX_PASSES {
        return;
    }
    let fixed = state.current.clone();
    let again = overlay(&file, &fixed);
    let mut second = Session::new(&again, all_rules(), true);
    second.run();
    if let Some(s2) = second.files.get(&file) {
        assert!(
            !s2.changed(),
            "fixing is not idempotent\n--- input\n{text}\n--- first ({} passes; {:?})\n{fixed}\n--- second ({:?})\n{}",
            session.passes,
            session.messages,
            second.messages,
            s2.current
        );
    }
}
