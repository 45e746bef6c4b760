//! Reindeer projects: a `reindeer.toml`, the directories it names, its `Cargo.lock`, its
//! fixups and its generated BUCK file.

pub mod config;
pub mod platforms;

use std::path::{Path, PathBuf};

use super::Project;
use crate::files::Files;
use crate::source::{FileId, FileKind, Span};

#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: semver::Version,
    pub source: Option<String>,
    /// The registry checksum (`checksum = "…"`; git and path packages have none).
    pub checksum: Option<String>,
    /// Names of its dependencies in the lock (resolved for its enabled features).
    pub dependencies: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ReindeerProject {
    pub config: FileId,
    pub dir: PathBuf,
    pub third_party_dir: PathBuf,
    pub fixups_dir: PathBuf,
    pub manifest_path: PathBuf,
    pub lock: Option<FileId>,
    pub packages: Vec<LockedPackage>,
    /// The generated build file in `third_party_dir`.
    pub buck_file: Option<FileId>,
    /// `fixups.toml` files below `fixups_dir`, with their directory name.
    pub fixups: Vec<(String, FileId)>,
    /// `[buck] rust_library` and friends, when overridden.
    pub rust_library_rule: Option<String>,
    pub buildscript_rule: Option<String>,
    /// Crates are vendored (`vendor = true`, `"local-registry"` or a table).
    pub vendored: bool,
    /// `unresolved_fixup_error = true`: Reindeer fails on an undecided build script.
    pub unresolved_fixup_error: bool,
    /// The platforms Reindeer resolves fixups for (see [`ReindeerProject::platforms`]).
    platforms: std::sync::OnceLock<Vec<crate::model::reindeer::platforms::PlatformSet>>,
}

fn str_key(doc: &toml_edit::Table, key: &str) -> Option<String> {
    doc.get(key).and_then(|v| v.as_str()).map(String::from)
}

/// Where a `reindeer.toml` puts things: one reading of its path keys, shared by the engine's
/// file selection and the project model.
#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
    pub third_party_dir: PathBuf,
    pub fixups_dir: PathBuf,
    pub manifest_path: PathBuf,
    pub lock_path: PathBuf,
    /// The fixups directory with symbolic links resolved, when that differs.
    pub fixups_dir_real: Option<PathBuf>,
}

impl Layout {
    /// `dir` is the directory of the `reindeer.toml`; `doc` its top-level table.
    pub fn of(dir: &Path, doc: &toml_edit::Table) -> Layout {
        let third_party_dir =
            crate::discover::normalize(&dir.join(str_key(doc, "third_party_dir").unwrap_or_else(|| ".".into())));
        let fixups_dir = match str_key(doc, "fixups_dir") {
            Some(p) => crate::discover::normalize(&dir.join(p)),
            None => third_party_dir.join("fixups"),
        };
        let manifest_path = match str_key(doc, "manifest_path") {
            Some(p) => crate::discover::normalize(&dir.join(p)),
            None => third_party_dir.join("Cargo.toml"),
        };
        let lock_path = manifest_path.parent().unwrap_or(Path::new("/")).join("Cargo.lock");
        let fixups_dir_real = std::fs::canonicalize(&fixups_dir).ok().filter(|r| *r != fixups_dir);
        Layout { dir: dir.to_path_buf(), third_party_dir, fixups_dir, manifest_path, lock_path, fixups_dir_real }
    }

    /// The package directory name of a fixups file of this layout (`<fixups_dir>/<dir>/fixups.toml`).
    /// A fixups directory reached through a symbolic link (`third-party/fixups -> ../fixups`)
    /// holds files that discovery keeps at their real location: those match through the
    /// link's target.
    pub fn fixups_package(&self, path: &Path) -> Option<String> {
        let package = |rel: &Path| {
            let mut comps = rel.components();
            let dir = comps.next()?.as_os_str().to_string_lossy().into_owned();
            (comps.count() == 1).then_some(dir)
        };
        if let Ok(rel) = path.strip_prefix(&self.fixups_dir) {
            return package(rel);
        }
        let real = self.fixups_dir_real.as_ref()?;
        package(std::fs::canonicalize(path).ok()?.strip_prefix(real).ok()?)
    }
}

/// The package names of a `Cargo.lock` document.
pub fn locked_names(lock: &toml_edit::Table) -> Vec<&str> {
    let Some(arr) = lock.get("package").and_then(|p| p.as_array_of_tables()) else { return Vec::new() };
    arr.iter().filter_map(|t| t.get("name").and_then(|v| v.as_str())).collect()
}

impl ReindeerProject {
    pub fn discover(project: &Project, files: &Files) -> Vec<ReindeerProject> {
        let mut out = Vec::new();
        for f in files.iter().filter(|f| f.kind == FileKind::ReindeerToml) {
            let Some(doc) = project.toml(f.id) else { continue };
            let dir = f.path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let layout = Layout::of(&dir, doc.as_table());
            let Layout { dir, third_party_dir, fixups_dir, manifest_path, lock_path, .. } = layout.clone();
            let lock = project.file_at(&lock_path);
            let mut packages = Vec::new();
            if let Some(ld) = lock.and_then(|l| project.toml(l)) {
                if let Some(arr) = ld.get("package").and_then(|p| p.as_array_of_tables()) {
                    for t in arr.iter() {
                        let (Some(name), Some(version)) =
                            (t.get("name").and_then(|v| v.as_str()), t.get("version").and_then(|v| v.as_str()))
                        else {
                            continue;
                        };
                        let Ok(version) = semver::Version::parse(version) else { continue };
                        packages.push(LockedPackage {
                            name: name.to_string(),
                            version,
                            source: t.get("source").and_then(|v| v.as_str()).map(String::from),
                            checksum: t.get("checksum").and_then(|v| v.as_str()).map(String::from),
                            dependencies: t
                                .get("dependencies")
                                .and_then(|d| d.as_array())
                                .map(|a| {
                                    a.iter().filter_map(|d| d.as_str()?.split(' ').next().map(String::from)).collect()
                                })
                                .unwrap_or_default(),
                        });
                    }
                }
            }
            let buck = doc.get("buck").and_then(|b| b.as_table_like());
            let buck_name =
                buck.and_then(|b| b.get("file_name")).and_then(|v| v.as_str()).unwrap_or("BUCK").to_string();
            let buck_file = project.file_at(&third_party_dir.join(&buck_name));
            let fixups = files
                .iter()
                .filter(|x| x.kind == FileKind::Fixups)
                .filter_map(|x| Some((layout.fixups_package(&x.path)?, x.id)))
                .collect();
            let vendored = match doc.get("vendor") {
                Some(v) => v.as_bool().unwrap_or(true),
                None => false,
            };
            out.push(ReindeerProject {
                config: f.id,
                dir,
                third_party_dir,
                fixups_dir,
                manifest_path,
                lock,
                packages,
                buck_file,
                fixups,
                rust_library_rule: buck.and_then(|b| b.get("rust_library")).and_then(|v| v.as_str()).map(String::from),
                buildscript_rule: buck
                    .and_then(|b| b.get("buildscript_genrule"))
                    .and_then(|v| v.as_str())
                    .map(String::from),
                vendored,
                unresolved_fixup_error: doc.get("unresolved_fixup_error").and_then(|v| v.as_bool()) == Some(true),
                platforms: std::sync::OnceLock::new(),
            });
        }
        out
    }

    /// Span of a top-level key of reindeer.toml (the key itself).
    pub fn key_span(&self, project: &Project, key: &str) -> Option<(Span, Span)> {
        let doc = project.toml(self.config)?;
        let (k, v) = doc.as_table().get_key_value(key)?;
        Some((Span::new(self.config, k.span()?), Span::new(self.config, v.span()?)))
    }

    pub fn versions_of(&self, name: &str) -> Vec<&semver::Version> {
        self.packages.iter().filter(|p| p.name == name).map(|p| &p.version).collect()
    }

    /// The fixups file for a package, if any.
    /// The platforms configured in reindeer.toml (or Reindeer's defaults), computed once.
    pub fn platforms(&self, project: &Project) -> &[crate::model::reindeer::platforms::PlatformSet] {
        self.platforms.get_or_init(|| {
            let rt = project.toml(self.config).map(config::ReindeerDoc::analyze);
            platforms::configured_platforms(rt.as_ref(), &project.data)
        })
    }

    pub fn fixups_for(&self, name: &str) -> Option<FileId> {
        self.fixups.iter().find(|(d, _)| d == name).map(|(_, id)| *id)
    }

    /// Is a file inside this project's third-party directory?
    pub fn contains(&self, project: &Project, file: FileId) -> bool {
        project.path_of(file).starts_with(&self.third_party_dir)
    }
}
