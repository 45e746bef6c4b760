//! One file: read, parse, run the per-file rules, collect suppressions and the facts the
//! cross-file model needs, with a panic isolated to the file.
use super::*;

/// Stack size for worker threads: deeply nested Starlark is parsed and lowered recursively.
pub(super) const STACK_SIZE: usize = 256 * 1024 * 1024;

pub(super) struct FileOutput {
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The `io-error` message of a file whose findings were already streamed.
    pub(super) streamed_io_error: Option<String>,
    pub(super) facts: Option<Facts>,
    pub(super) suppressions: Suppressions,
    pub(super) keep_text: Option<Arc<str>>,
    /// A build file's syntax tree for the loading phase (see [`Shared::ast_budget`]).
    pub(super) eval_ast: Option<crate::model::loading::KeptAst>,
    /// A build file that Reindeer generated ([`Shared::detect_generated`] only).
    pub(super) reindeer_generated: bool,
}

/// A `@nolint` marker in a comment of the file's header (the comment lines before the first
/// other line), as in Meta's and Buck2's own files: lint rules are off for the file, but
/// syntax errors are still reported (Buck2 still fails to load it).
pub(super) fn has_nolint_marker(text: &str) -> bool {
    // most files have no marker anywhere: one vectorised search settles them (the word-by-word
    // scan of a license header cost ~27k instructions per file)
    if memchr::memmem::find(text.as_bytes(), b"@nolint").is_none() {
        return false;
    }
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("//"))
        .take(50)
        .any(|l| l.split_whitespace().any(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '@') == "@nolint"))
}

/// Is a Starlark file worth keeping as context for cross-file rules?
pub(super) fn context_relevant(kind: FileKind, text: &str) -> bool {
    match kind {
        FileKind::Build | FileKind::Package => true,
        FileKind::Bzl => {
            // the searchers are built once (`str::contains` sets one up per call and per
            // word, for every context `.bzl` file of every project)
            static WORDS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 5]> = std::sync::LazyLock::new(|| {
                ["CommandExecutorConfig", "RustToolchainInfo", "rust_toolchain", "ExecutionPlatform", "host_info"]
                    .map(memchr::memmem::Finder::new)
            });
            WORDS.iter().any(|w| w.find(text.as_bytes()).is_some())
        }
        _ => true,
    }
}

/// Process one file, turning a panic into an `internal-error` finding for that file.
pub(super) fn process_isolated(entry: &crate::files::FileEntry, shared: &Shared<'_>) -> FileOutput {
    match std::panic::catch_unwind(AssertUnwindSafe(|| process_file(entry, shared))) {
        Ok(o) => o,
        Err(panic) => FileOutput {
            diagnostics: vec![
                Diagnostic::new(
                    crate::rules::Rule::InternalError,
                    Severity::Error,
                    Span { file: entry.id, start: 0, end: 0 },
                    format!("buck-lint crashed while checking this file: {}", panic_message(&panic)),
                )
                .with_help("this is a bug in buck-lint; please report it with the file attached"),
            ],
            facts: None,
            streamed_io_error: None,
            suppressions: Suppressions::default(),
            keep_text: None,
            eval_ast: None,
            reindeer_generated: false,
        },
    }
}

/// What every per-file job shares.
pub(super) struct Shared<'a> {
    pub(super) overlays: &'a HashMap<PathBuf, String>,
    pub(super) settings: &'a Settings,
    /// Reindeer third-party directories: their build files keep their whole model.
    pub(super) third_party_dirs: &'a [PathBuf],
    /// Skip context-only `.bzl` files that contain nothing cross-file rules read.
    pub(super) prefilter: bool,
    /// Tell the build files that Reindeer generated ([`FileOutput::reindeer_generated`]): the
    /// run looks its context up ([`super::lookup`]).
    pub(super) detect_generated: bool,
    /// Crate names of the env-embedding table (their `env`/`features` are kept everywhere).
    pub(super) embedding_crates: Vec<String>,
    /// Bytes of build-file text whose syntax trees may still be kept for the loading phase
    /// (a build file it may evaluate keeps its tree, so that it is not parsed again; the
    /// budget bounds the memory when thousands of build files call macros).
    pub(super) ast_budget: &'a std::sync::atomic::AtomicUsize,
    /// The enabled rules' checks ([`rules::enabled_checks`] of `settings`), listed once per
    /// run rather than once per file.
    pub(super) checks: &'a [(crate::rules::Rule, &'static dyn crate::rules::Check)],
}

/// Bytes of build-file text whose syntax trees a run keeps for the loading phase.
pub(super) const AST_BUDGET: usize = 4 << 20;

impl Shared<'_> {
    fn take_ast_budget(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.ast_budget.fetch_update(Relaxed, Relaxed, |left| left.checked_sub(bytes)).is_ok()
    }
}

pub(super) fn process_file(entry: &crate::files::FileEntry, shared: &Shared<'_>) -> FileOutput {
    let (id, path, display, kind, reported) =
        (entry.id, entry.path.as_path(), entry.display.as_str(), entry.kind, entry.reported);
    let (overlays, settings, third_party_dirs) = (shared.overlays, shared.settings, shared.third_party_dirs);
    let zero = Span { file: id, start: 0, end: 0 };
    test_hooks::before_read(display, path);
    // the text, or why it is not text with the bytes decoded lossily (so that positions
    // stay meaningful)
    let decode = |bytes: &[u8]| match parse::decode_shared(bytes) {
        Ok((t, _bom)) => Ok(t),
        Err(e) => Err((e, Arc::<str>::from(String::from_utf8_lossy(bytes).into_owned()))),
    };
    let decoded = match overlays.get(path) {
        Some(t) => decode(t.as_bytes()),
        None => match crate::files::with_bytes(path, decode) {
            Ok(d) => d,
            Err(e) => {
                return FileOutput {
                    diagnostics: vec![
                        Diagnostic::new(
                            crate::rules::Rule::IoError,
                            Severity::Error,
                            zero,
                            format!("cannot read `{display}`: {e}"),
                        )
                        .with_help("check the file's permissions, or exclude it with `--exclude`"),
                    ],
                    facts: None,
                    streamed_io_error: None,
                    suppressions: Suppressions::default(),
                    keep_text: Some(Arc::from("")),
                    eval_ast: None,
                    reindeer_generated: false,
                };
            }
        },
    };
    let text = match decoded {
        Ok(t) => t,
        Err((e, lossy)) => {
            let start = e.span.start.min(lossy.len());
            return FileOutput {
                diagnostics: vec![Diagnostic::new(
                    crate::rules::Rule::SyntaxError,
                    Severity::Error,
                    Span { file: id, start: start as u32, end: (start + 1).min(lossy.len()) as u32 },
                    e.message,
                )],
                facts: None,
                streamed_io_error: None,
                suppressions: Suppressions::default(),
                keep_text: Some(lossy),
                eval_ast: None,
                reindeer_generated: false,
            };
        }
    };
    if has_nolint_marker(&text) {
        entry.nolint.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    if !reported && shared.prefilter && kind.is_starlark() && !context_relevant(kind, &text) {
        return FileOutput {
            diagnostics: Vec::new(),
            facts: None,
            streamed_io_error: None,
            suppressions: Suppressions::default(),
            keep_text: None,
            eval_ast: None,
            reindeer_generated: false,
        };
    }
    let reindeer_generated =
        shared.detect_generated && kind == FileKind::Build && crate::model::reindeer::generated_header(&text);
    let outcome = parse::parse(kind, display, &text);
    let source = SourceFile::new(id, path.to_path_buf(), display.to_string(), kind, text.clone());
    let mut diagnostics: Vec<Diagnostic> = outcome
        .errors
        .iter()
        .map(|e| {
            Diagnostic::new(
                crate::rules::Rule::SyntaxError,
                Severity::Error,
                Span::new(id, e.span.start.min(text.len())..e.span.end.min(text.len())),
                e.message.clone(),
            )
        })
        .collect();
    let suppressions = if reported { suppress::collect(&source, &outcome.parsed) } else { Suppressions::default() };
    // a dependency cell's file keeps no finding of a per-file rule (`Restrict::Dependency`):
    // do not run them
    if reported && entry.restrict != crate::files::Restrict::Dependency {
        let cx = FileCx::new(&source, &outcome.parsed, settings);
        let mut sink = Sink::new(settings);
        for (_, c) in shared.checks {
            c.check_file(&cx, &mut sink);
        }
        diagnostics.extend(sink.diagnostics);
    }
    let mut eval_ast = None;
    let facts = match outcome.parsed {
        Parsed::Starlark { mut module, ast } => {
            eval_ast = match ast {
                Some(ast)
                    if kind == FileKind::Build
                        && crate::model::loading::may_evaluate(&module)
                        && shared.take_ast_budget(text.len()) =>
                {
                    Some(crate::model::loading::KeptAst { text: text.clone(), ast })
                }
                _ => None,
            };
            let keep_whole = third_party_dirs.iter().any(|d| path.starts_with(d));
            crate::model::prune::prune(&mut module, kind, keep_whole, &shared.embedding_crates);
            // Copy what is kept into fresh allocations and free the original: the kept nodes
            // were allocated among the AST's and the rules' temporaries, and would otherwise
            // pin partly empty pages for the rest of the run.
            let compact = module.clone();
            drop(module);
            Some(Facts::Starlark(Box::new(compact)))
        }
        Parsed::Toml(_) if kind == FileKind::Fixups => Some(Facts::Fixups(text.clone())),
        Parsed::Toml(doc) => Some(Facts::Toml(doc)),
        Parsed::BuckConfig(c) => Some(Facts::BuckConfig(c)),
        Parsed::Failed => None,
    };
    let keep_text =
        if overlays.contains_key(path) || (reported && (!diagnostics.is_empty() || !suppressions.is_empty())) {
            Some(text)
        } else {
            None
        };
    FileOutput { diagnostics, facts, streamed_io_error: None, suppressions, keep_text, eval_ast, reindeer_generated }
}

/// Hooks for tests that need a crash or a failed read (`tests/cli.rs`, `tests/hostile.rs`,
/// the meta rules' cases in `tests/rules/`). Debug builds only: a release binary reads no
/// such variables.
pub(super) mod test_hooks {
    use std::path::Path;

    #[cfg(debug_assertions)]
    pub fn before_read(display: &str, path: &Path) {
        let named = |var: &str| std::env::var_os(var).is_some_and(|p| !p.is_empty() && display == p.to_string_lossy());
        // the per-file panic isolation
        if named("BUCK_LINT_TEST_PANIC_ON") {
            panic!("BUCK_LINT_TEST_PANIC_ON");
        }
        // the file vanishes between discovery and reading
        if named("BUCK_LINT_TEST_DELETE_BEFORE_READ") {
            let _ = std::fs::remove_file(path);
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn before_read(_display: &str, _path: &Path) {}
}
