//! Rules about `fixups.toml` (rules.md "fixups.toml", R23–R36 and
//! `fixup-version-matches-nothing`). The schema walk lives in [`crate::model::fixups`]; the
//! helpers here connect a fixups file to its Reindeer project, its locked versions and the
//! evidence about build scripts.
pub mod fixup_buildscript_disabled_essential;
pub mod fixup_buildscript_undecided;
pub mod fixup_buildscript_unused;
pub mod fixup_cargo_env_missing;
pub mod fixup_cfg_dead;
pub mod fixup_cfg_parse;
pub mod fixup_cfg_restricted_field;
pub mod fixup_cfg_via_rustc_flags;
pub mod fixup_cxx_include_undeclared;
pub mod fixup_dep_shape;
pub mod fixup_env_absolute_host_path;
pub mod fixup_env_cycle_or_buck_out_path;
pub mod fixup_glob_matches_nothing;
pub mod fixup_legacy_buildscript_syntax;
pub mod fixup_legacy_platform_fixup;
pub mod fixup_link_directives_dropped;
pub mod fixup_orphan_dir;
pub mod fixup_unknown_key;
pub mod fixup_version_matches_nothing;

use std::ops::Range;
use std::path::Path;

use super::{FileCx, FixupsCx, ProjectCx};
use crate::diagnostic::Edit;
use crate::model::Project;
use crate::model::fixups::{FixupsDoc, PlatformSet, ReindeerDoc, Section, SectionKind};
use crate::model::reindeer::ReindeerProject;
use crate::parse::Parsed;
use crate::source::{FileId, FileKind, Span};

/// The parsed document of a fixups file being checked by a per-file hook.
pub fn fixups_doc<'a>(cx: &'a FileCx<'_>) -> Option<&'a toml_edit::Document<String>> {
    if cx.file.kind != FileKind::Fixups {
        return None;
    }
    match cx.parsed {
        Parsed::Toml(d) => Some(d),
        _ => None,
    }
}

/// The package a fixups file is for: the name of its directory.
pub fn package_of(path: &Path) -> Option<&str> {
    path.parent()?.file_name()?.to_str()
}

/// One fixups file of a Reindeer project.
pub struct ProjectFixups<'a> {
    pub rp: &'a ReindeerProject,
    /// Directory name below `fixups_dir`.
    pub dir: &'a str,
    pub file: FileId,
    pub doc: &'a toml_edit::Document<String>,
}

/// The fixups file a fixups hook checks, with its Reindeer project, if it is reported and
/// a project's `fixups_dir` holds it.
pub fn project_fixups<'a>(cx: &ProjectCx<'_>, fx: &FixupsCx<'a>) -> Option<ProjectFixups<'a>> {
    let (rp, dir) = fx.owner?;
    if !cx.files.get(fx.file).reported {
        return None;
    }
    Some(ProjectFixups { rp, dir, file: fx.file, doc: fx.doc })
}

/// [`project_fixups`] of a package the lock lists (not a shared fixups file), with its locked
/// versions, oldest first: what the rules that judge a fixups file against the crate need.
pub fn locked_fixups<'a>(cx: &ProjectCx<'_>, fx: &FixupsCx<'a>) -> Option<(ProjectFixups<'a>, Vec<semver::Version>)> {
    let pf = project_fixups(cx, fx)?;
    if pf.rp.lock.is_none() || is_shared(cx, pf.file) {
        return None;
    }
    let versions = locked_versions(pf.rp, pf.dir);
    if versions.is_empty() {
        return None;
    }
    Some((pf, versions))
}

/// One locked version of a crate with its sources on this machine: the version, the source
/// directory and its files (relative, `/`-separated).
pub type CrateTree = (semver::Version, std::path::PathBuf, Vec<String>);

/// The sources of every locked version, or `None` when one is missing (no verdict then).
pub fn crate_trees(pf: &ProjectFixups<'_>, versions: &[semver::Version]) -> Option<Vec<CrateTree>> {
    versions
        .iter()
        .map(|v| {
            let dir = vendored_dir(pf.rp, pf.dir, v)?;
            let files = fixup_glob_matches_nothing::crate_files(&dir);
            Some((v.clone(), dir, files))
        })
        .collect()
}

/// The `[[cxx_library]]` (or `[[prebuilt_cxx_library]]`, by `table`) entries of a section,
/// as tables (array-of-tables or inline tables).
pub fn native_libraries<'d>(s: &Section<'d>, table: &str) -> Vec<&'d dyn toml_edit::TableLike> {
    let Some(item) = s.table.get(table) else { return Vec::new() };
    if let Some(aot) = item.as_array_of_tables() {
        aot.iter().map(|t| t as &dyn toml_edit::TableLike).collect()
    } else if let Some(a) = item.as_array() {
        a.iter().filter_map(|v| v.as_inline_table()).map(|t| t as &dyn toml_edit::TableLike).collect()
    } else {
        Vec::new()
    }
}

/// The analysed reindeer.toml of a project.
pub fn reindeer_doc<'a>(project: &'a Project, rp: &ReindeerProject) -> Option<ReindeerDoc<'a>> {
    project.toml(rp.config).map(ReindeerDoc::analyze)
}

/// Is the file inside a directory listed in `[reindeer] shared-fixups`?
pub fn is_shared(cx: &ProjectCx<'_>, file: FileId) -> bool {
    shared_fixups_path(cx.settings, cx.project.path_of(file), &cx.project.rel(file))
}

/// Is `path` (`rel` to the project root) under one of the `[reindeer] shared-fixups`
/// directories?
pub fn shared_fixups_path(settings: &crate::config::Settings, path: &Path, rel: &str) -> bool {
    settings.reindeer.shared_fixups.iter().any(|s| {
        let s = s.trim_end_matches('/');
        let s = s.strip_prefix("./").unwrap_or(s);
        if s.is_empty() {
            return false;
        }
        let p = Path::new(s);
        if p.is_absolute() {
            return path.starts_with(p);
        }
        if rel == s || rel.starts_with(&format!("{s}/")) {
            return true;
        }
        let from_config = settings.config_path.as_ref().and_then(|c| c.parent()).map(|d| d.join(p));
        from_config.is_some_and(|d| path.starts_with(crate::discover::normalize(&d)))
    })
}

/// Locked versions of a package (sorted, deduplicated).
pub fn locked_versions(rp: &ReindeerProject, name: &str) -> Vec<semver::Version> {
    let mut v: Vec<semver::Version> = rp.versions_of(name).into_iter().cloned().collect();
    v.sort();
    v.dedup();
    v
}

/// What is known about a package version's build script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildScript {
    /// It has one; the evidence.
    Yes(String),
    /// It certainly has none; why.
    No(String),
    Unknown,
}

pub use crate::model::crate_src::vendored_dir;

/// `[package] <key>` of a vendored manifest.
fn vendored_manifest(dir: &Path) -> Option<toml_edit::DocumentMut> {
    std::fs::read_to_string(dir.join("Cargo.toml")).ok()?.parse().ok()
}

/// The `links` key of a vendored package manifest.
pub fn vendored_links(rp: &ReindeerProject, name: &str, version: &semver::Version) -> Option<String> {
    let dir = vendored_dir(rp, name, version)?;
    let m = vendored_manifest(&dir)?;
    m.get("package")?.get("links")?.as_str().map(String::from)
}

/// Evidence about a package version's build script, strongest first: its sources on this
/// machine (vendored or in Cargo's registry), the essential-buildscripts table (exact names
/// only; a `*-sys` pattern is not evidence), the generated crate facts, or a
/// `-build-script-run` target in the generated BUCK file.
pub fn build_script(project: &Project, rp: &ReindeerProject, name: &str, version: &semver::Version) -> BuildScript {
    if let Some(dir) = vendored_dir(rp, name, version) {
        let rel = |p: &Path| p.strip_prefix(&rp.third_party_dir).unwrap_or(p).to_string_lossy().replace('\\', "/");
        let build = vendored_manifest(&dir).and_then(|m| m.get("package").and_then(|p| p.get("build")).cloned());
        match build.as_ref().and_then(|b| b.as_value()) {
            Some(toml_edit::Value::Boolean(b)) if !*b.value() => {
                return BuildScript::No(format!("{} sets `build = false`", rel(&dir.join("Cargo.toml"))));
            }
            Some(toml_edit::Value::String(s)) => {
                return BuildScript::Yes(format!("{} sets `build = \"{}\"`", rel(&dir.join("Cargo.toml")), s.value()));
            }
            _ => {}
        }
        let b = dir.join("build.rs");
        return if b.is_file() {
            BuildScript::Yes(format!("{} exists", rel(&b)))
        } else {
            BuildScript::No(format!("the vendored sources in {} have no build.rs", rel(&dir)))
        };
    }
    if let Some(e) = project.data.essential_for(name, Some(version)).filter(|e| e.name == name) {
        return if e.has_build_script {
            BuildScript::Yes(format!("buck-lint's essential-buildscripts table lists {name} {}", e.versions))
        } else {
            BuildScript::No(e.reason.clone())
        };
    }
    // buck-lint's generated crate facts: the scanned version, or a version between scanned
    // ones that all agree
    if let Some(e) = project.data.crate_facts().get(name, version) {
        let at = format!("buck-lint's generated crate facts (data/crate-facts.toml) for {name} {}", e.versions);
        return match (&e.build_script, e.has_build_script, e.build_disabled) {
            (Some(file), true, _) => BuildScript::Yes(format!("{at}: `{file}`")),
            (None, true, _) => BuildScript::Yes(at),
            (_, false, true) => BuildScript::No(format!("{at}: `build = false`")),
            (_, false, false) => BuildScript::No(format!("{at}: no build script")),
        };
    }
    if let Some(t) = buildscript_target(project, rp, name, version, |_| true) {
        return BuildScript::Yes(format!("the generated BUCK declares `{}`", project.name(&project.targets[t])));
    }
    BuildScript::Unknown
}

/// The target that runs a package version's build script in the project's generated BUCK
/// file: `<name>-<ver>-build-script-run`, or `<name>-<ver>-build-script-<target>-run` when
/// the manifest names its build script target otherwise (`build = "build/main.rs"`).
pub fn buildscript_run_target(
    project: &Project,
    rp: &ReindeerProject,
    name: &str,
    version: &semver::Version,
) -> Option<usize> {
    buildscript_target(project, rp, name, version, |rest| rest == "run" || rest.ends_with("-run"))
}

/// A `<name>-<ver>-build-script-<rest>` target of the generated BUCK whose `<rest>` matches.
fn buildscript_target(
    project: &Project,
    rp: &ReindeerProject,
    name: &str,
    version: &semver::Version,
    rest: impl Fn(&str) -> bool,
) -> Option<usize> {
    let buck = rp.buck_file?;
    let prefix = format!("{name}-{version}-build-script-");
    project
        .targets_with_prefix(buck, &prefix)
        .find(|i| project.name(&project.targets[*i]).strip_prefix(prefix.as_str()).is_some_and(&rest))
}

/// Headers' text prefix of a section: `''` for the top level, `'cfg(…)'.` for a cfg section,
/// `platform_fixup.'cfg(…)'.` for a legacy one (the key token as written).
pub fn section_prefix(text: &str, s: &Section<'_>) -> Option<String> {
    let tok = || s.key_span.as_ref().and_then(|k| text.get(k.clone())).map(String::from);
    match s.kind {
        SectionKind::Top => Some(String::new()),
        SectionKind::Cfg => Some(format!("{}.", tok()?)),
        SectionKind::LegacyPlatform => Some(format!("platform_fixup.{}.", tok()?)),
    }
}

/// Where a new key/value line of a section can go: the root insertion point for the top level,
/// the end of an explicit section header's body, or `None`.
pub fn section_insertion_point(f: &FixupsDoc<'_>, s: &Section<'_>, headers: &[usize]) -> Option<usize> {
    match s.kind {
        SectionKind::Top => Some(crate::model::fixups::root_insertion_point(f.doc, headers)),
        _ => {
            let h = s.header_span.as_ref()?;
            Some(crate::model::fixups::body_end(f.text, headers, h.start))
        }
    }
}

pub fn edit(file: FileId, r: Range<usize>, content: impl Into<String>) -> Edit {
    Edit { span: Span::new(file, r), content: content.into() }
}

/// Edits deleting each range.
pub fn deletions(file: FileId, ranges: &[Range<usize>]) -> Vec<Edit> {
    ranges.iter().map(|r| edit(file, r.clone(), "")).collect()
}

/// Replace a string literal's contents keeping its quote style (basic strings are escaped).
pub fn replace_literal(file: FileId, text: &str, lit: &Range<usize>, new_value: &str) -> Edit {
    let raw = &text[lit.clone()];
    let content = if raw.starts_with('\'') && !raw.starts_with("'''") && !new_value.contains('\'') {
        format!("'{new_value}'")
    } else {
        crate::model::fixups::toml_string(new_value)
    };
    edit(file, lit.clone(), content)
}

/// Why a package's native library is loaded at run time (a runtime-loading feature is on,
/// [`crate::model::data::RuntimeLoading`]): the feature in the fixups' `features`, in the
/// generated BUCK's library rule, or the dependency Cargo.lock lists only with the feature.
pub fn runtime_loading(project: &Project, rp: &ReindeerProject, name: &str, f: &FixupsDoc<'_>) -> Option<String> {
    project.data.runtime_loading.iter().filter(|r| r.name == name).find_map(|r| {
        if f.sections.iter().any(|s| s.strings("features").iter().any(|x| x.value == r.feature)) {
            return Some(format!("the fixups enable its `{}` feature", r.feature));
        }
        if let Some(dep) = &r.lock_dependency {
            if rp.packages.iter().any(|p| p.name == name && p.dependencies.iter().any(|d| d == dep)) {
                return Some(format!("Cargo.lock gives it `{dep}`, which only its `{}` feature pulls in", r.feature));
            }
        }
        let buck = rp.buck_file?;
        project.targets_in(buck).find_map(|i| {
            let t = &project.targets[i];
            let lib = crate::rules::util::split_versioned(project.name(t)).is_some_and(|(n, _)| n == name);
            let on = lib
                && project
                    .attr(t, "features")
                    .is_some_and(|v| v.strings().iter().any(|s| s.as_str() == Some(r.feature.as_str())));
            on.then(|| format!("the generated BUCK builds it with its `{}` feature", r.feature))
        })
    })
}

/// Do all the locked versions of a package (that `applies` selects) certainly have no build
/// script? False when nothing is locked or anything is unknown.
pub fn no_build_script(
    project: &Project,
    rp: &ReindeerProject,
    name: &str,
    versions: &[semver::Version],
    applies: impl Fn(&semver::Version) -> bool,
) -> bool {
    let mut any = false;
    for v in versions.iter().filter(|v| applies(v)) {
        any = true;
        if !matches!(build_script(project, rp, name, v), BuildScript::No(_)) {
            return false;
        }
    }
    any
}

/// The platforms a fixups file is judged on: those of the Reindeer project that reads it, or
/// Reindeer's defaults. `None` when any of them is incompletely known, or when no project was
/// found by a run that did not look everywhere (its `reindeer.toml` may define others).
pub fn owner_platforms<'a>(cx: &'a ProjectCx<'_>, fx: &FixupsCx<'a>) -> Option<std::borrow::Cow<'a, [PlatformSet]>> {
    let platforms: std::borrow::Cow<'a, [PlatformSet]> = match fx.owner {
        Some((rp, _)) => std::borrow::Cow::Borrowed(rp.platforms(cx.project)),
        None if cx.project.partial_context => return None,
        None => std::borrow::Cow::Owned(crate::model::fixups::configured_platforms(None, &cx.project.data)),
    };
    (!platforms.is_empty() && platforms.iter().all(|x| x.complete)).then_some(platforms)
}

/// The comments of `text` (whole-line and after a value, trimmed), in order.
fn comment_lines(text: &str) -> Vec<&str> {
    text.lines().filter_map(comment_of).collect()
}

/// The `# …` comment of a TOML line, outside strings.
fn comment_of(line: &str) -> Option<&str> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return Some(line[i..].trim()),
            None => {}
        }
    }
    None
}

/// A fix never drops a comment it was not asked to remove: the comments of the replaced
/// region (whole-line, or after a value) that `content` does not carry already go before it,
/// each on its own line.
pub fn keeping_comments(text: &str, file: FileId, region: Range<usize>, content: String) -> Edit {
    let mut have = comment_lines(&content);
    let mut carried = String::new();
    for c in comment_lines(&text[region.clone()]) {
        match have.iter().position(|h| *h == c) {
            Some(i) => {
                have.remove(i);
            }
            None => {
                carried.push_str(c);
                carried.push('\n');
            }
        }
    }
    edit(file, region, format!("{carried}{content}"))
}
