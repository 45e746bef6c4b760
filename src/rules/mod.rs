//! Rules. Each rule lives in one file, `rules/<category>/<id_in_snake_case>.rs`, whose doc
//! comment says what it checks and why. The file declares the rule once with
//! [`registry::declare_rule!`] (id, code, category, severity, default, fix availability; the
//! page `rules/<id>.md` at the repository root is its documentation) and implements [`Check`]
//! with a per-file hook (run in parallel, right after parsing, on the file's syntax), a
//! project hook (run once on the cross-file [`crate::model::Project`]) and/or a fixups hook
//! (run on the project once per `fixups.toml`, see [`FixupsCx`]). One line in [`list`] registers
//! it: that list generates the [`Rule`] enum, the metadata table and the check table. The
//! engine calls a rule's hooks only while the rule is enabled.

pub mod list;
pub mod registry;

pub use registry::Rule;

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
    /// The starlark crate's lints of the file, run once for all `starlark-*` rules.
    pub(crate) starlark_lints: std::sync::OnceLock<Vec<crate::rules::starlark::own_lints::Hit>>,
    /// A fixups.toml's analysis, computed once for every rule that reads it.
    fixups: std::cell::OnceCell<Option<FixupsDoc<'a>>>,
}

impl<'a> FileCx<'a> {
    pub fn new(file: &'a SourceFile, parsed: &'a Parsed, settings: &'a Settings) -> Self {
        FileCx {
            file,
            parsed,
            settings,
            starlark_lints: std::sync::OnceLock::new(),
            fixups: std::cell::OnceCell::new(),
        }
    }

    /// The analysis of this file when it is a parsed fixups.toml (shared by the fixups rules).
    pub fn fixups(&self) -> Option<&FixupsDoc<'a>> {
        self.fixups
            .get_or_init(|| match (self.file.kind, self.parsed) {
                (crate::source::FileKind::Fixups, Parsed::Toml(d)) => Some(FixupsDoc::analyze(d)),
                _ => None,
            })
            .as_ref()
    }
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
    pub fn enabled(&self, rule: Rule) -> bool {
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

/// A rule implementation: the hooks a rule needs (all optional). A check reports its own
/// rule; the engine calls it only while that rule is enabled.
pub trait Check: Sync + Send {
    fn check_file(&self, _cx: &FileCx<'_>, _sink: &mut Sink<'_>) {}
    fn check_project(&self, _cx: &ProjectCx<'_>, _sink: &mut Sink<'_>) {}
    /// Run once per parsed fixups file of the project (reported or not), after the model
    /// is built.
    fn check_fixups(&self, _cx: &ProjectCx<'_>, _fx: &FixupsCx<'_>, _sink: &mut Sink<'_>) {}
}

/// The checks of the enabled rules, in catalogue order.
pub fn enabled_checks(settings: &Settings) -> Vec<(Rule, &'static dyn Check)> {
    Rule::ALL.iter().filter(|r| settings.is_enabled(**r)).map(|r| (*r, r.check())).collect()
}
