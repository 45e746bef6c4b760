//! Rules. Each rule lives in one file under `rules/<category>/` whose doc comment says what
//! it checks and why; its metadata is a row of [`registry::RULES`] and its page is
//! `rules/<id>.md` at the repository root. A rule implements [`Check`] with a per-file hook
//! (run in parallel, right after parsing, on the file's syntax), a project hook (run once on
//! the cross-file [`crate::model::Project`]) and/or a fixups hook (run on the project once per
//! `fixups.toml`, see [`FixupsCx`]).

pub mod registry;

pub mod buck;
pub mod determinism;
pub mod fixups;
pub mod meta;
pub mod reindeer;
pub mod remote_execution;
pub mod starlark;
pub mod util;

use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::files::Files;
use crate::model::Project;
use crate::model::fixups::FixupsDoc;
use crate::model::reindeer::ReindeerProject;
use crate::parse::Parsed;
use crate::source::{FileId, SourceFile};

/// What a per-file check sees.
pub struct FileCx<'a> {
    pub file: &'a SourceFile,
    pub parsed: &'a Parsed,
    pub settings: &'a Settings,
}

/// What a project check sees.
pub struct ProjectCx<'a> {
    pub project: &'a Project,
    pub files: &'a Files,
    pub settings: &'a Settings,
}

/// Collects diagnostics, skipping rules that are not selected.
pub struct Sink<'a> {
    settings: &'a Settings,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn new(settings: &'a Settings) -> Self {
        Sink { settings, diagnostics: Vec::new() }
    }
    /// Is this rule selected at all (for any file)? Checks use this to skip work.
    pub fn enabled(&self, rule: &str) -> bool {
        self.settings.is_enabled(rule)
    }
    pub fn push(&mut self, d: Diagnostic) {
        if self.settings.is_enabled(d.rule) {
            self.diagnostics.push(d);
        }
    }
}

/// What a fixups check sees: one `fixups.toml` of the project, parsed and analysed once for
/// every check. The project keeps only the text of fixups files (not their documents), so
/// rules that relate a fixups file to the rest of the project run per file, in parallel.
pub struct FixupsCx<'a> {
    pub file: FileId,
    /// The Reindeer project whose `fixups_dir` holds the file (the first one, if several do)
    /// and the file's directory name there (the package it fixes up).
    pub owner: Option<(&'a ReindeerProject, &'a str)>,
    pub doc: &'a toml_edit::Document<String>,
    pub fixups: &'a FixupsDoc<'a>,
}

/// A rule implementation. `rules()` lists the registry ids it emits.
pub trait Check: Sync + Send {
    fn rules(&self) -> &'static [&'static str];
    fn check_file(&self, _cx: &FileCx<'_>, _sink: &mut Sink<'_>) {}
    fn check_project(&self, _cx: &ProjectCx<'_>, _sink: &mut Sink<'_>) {}
    /// Run once per parsed fixups file of the project (reported or not), after the model
    /// is built.
    fn check_fixups(&self, _cx: &ProjectCx<'_>, _fx: &FixupsCx<'_>, _sink: &mut Sink<'_>) {}
}

/// Every check, in a stable order (each category owns its list).
pub fn checks() -> impl Iterator<Item = &'static dyn Check> {
    static META: &[&dyn Check] = &[&meta::syntax_error::SyntaxError];
    [
        META,
        buck::CHECKS,
        starlark::CHECKS,
        determinism::CHECKS,
        remote_execution::CHECKS,
        fixups::CHECKS,
        reindeer::CHECKS,
    ]
    .into_iter()
    .flatten()
    .copied()
}
