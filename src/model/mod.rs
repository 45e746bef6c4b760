//! The cross-file project model: cells, packages, targets with statically evaluated
//! attributes, label and `load()` resolution, Reindeer configuration and the execution facts
//! (remote execution, pipelining) that the determinism and RE rules need.

pub mod call_ref;
pub mod cells;
pub mod cfg_expr;
pub mod crate_facts;
pub mod crate_scan;
pub mod crate_src;
pub mod data;
pub mod eval;
pub mod exec;
pub mod fixups;
pub mod image_ref;
pub mod ir;
pub mod label;
pub mod loading;
pub mod packed;
pub mod prune;
pub mod reindeer;
pub mod sym;
pub mod util;
pub mod value;

/// FxHash: the project maps are keyed by file ids, interned symbols and short strings.
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
use std::path::{Path, PathBuf};
use sym::Sym;

use crate::files::Files;
use crate::parse::buckconfig::BuckConfigFile;
use crate::source::{FileId, FileKind, Span};
pub use call_ref::{ArgRef, CallRef, ExprRef};
use ir::Module;
use label::Label;
use value::{ModuleLookup, Scope, Val};

/// Per-file facts kept after parsing.
pub enum Facts {
    Starlark(Box<Module>),
    Toml(Box<toml_edit::Document<String>>),
    BuckConfig(BuckConfigFile),
    /// The text of a `fixups.toml` that parsed: there can be thousands, and their documents
    /// are large, so they are parsed again, one at a time, for the fixups hook
    /// ([`crate::rules::Check::check_fixups`]).
    Fixups(std::sync::Arc<str>),
}

/// A target declared in a build file. Compact (40 bytes, checked in the tests): rule, cell
/// and package names are interned, and the name is read from the declaring call
/// ([`Project::name`]).
#[derive(Debug)]
pub struct Target {
    pub file: FileId,
    /// Index into the module's `calls`, or [`PACKED`] | offset of a packed call.
    pub call: u32,
    /// The rule: the callee as written (`cargo.rust_library`), or, for a call of a macro
    /// that forwards `**kwargs` to a rule, that rule's callee.
    pub rule: Sym,
    pub cell: Sym,
    pub package: Sym,
    name_start: u32,
    name_end: u32,
}

impl Target {
    /// The span of the name's string literal.
    pub fn name_span(&self) -> Span {
        Span { file: self.file, start: self.name_start, end: self.name_end }
    }
}

/// The name of a target declared in `m`.
fn target_name<'m>(m: &'m Module, t: &Target) -> &'m str {
    if t.call & PACKED != 0 {
        m.packed.call(t.call & !PACKED).name()
    } else {
        m.calls.get(t.call as usize).and_then(|c| c.name_arg()).map_or("", |(n, _)| n)
    }
}

/// Marks [`Target::call`] as the offset of a packed call.
pub const PACKED: u32 = 1 << 31;

pub struct Project {
    pub root: Option<PathBuf>,
    /// The cells of the root `.buckconfig`.
    pub cells: cells::Cells,
    pub facts: HashMap<FileId, Facts>,
    pub targets: Vec<Target>,
    /// (cell, package) → indices of its targets, sorted by name (for label lookups).
    by_package: HashMap<Sym, HashMap<Sym, Box<[u32]>>>,
    /// The targets of each build file (they are contiguous in `targets`).
    targets_by_file: HashMap<FileId, std::ops::Range<u32>>,
    /// Build file of each (cell, package).
    pub package_files: HashMap<(String, String), FileId>,
    pub root_buckconfig: Option<FileId>,
    /// The root's configuration files in the order Buck2 layers them (`.buckconfig.d/*`, then
    /// `.buckconfig`; [`crate::discover::config_layers`]): later files win.
    pub root_configs: Vec<FileId>,
    /// The paths of the root's configuration layers, whether they exist or not
    /// ([`crate::discover::config_layers`]; empty without a root).
    pub root_layers: std::sync::Arc<[PathBuf]>,
    pub reindeer: Vec<reindeer::ReindeerProject>,
    pub data: std::sync::Arc<data::Data>,
    /// The crates' own sources (see [`crate_scan`]; empty until the engine runs that phase).
    pub sources: crate_scan::CrateSources,
    /// The loading phase's evaluation of build files (see [`loading`]; empty until the engine
    /// runs that phase).
    pub loaded: loading::Loaded,
    /// The run looked its context up instead of walking the root
    /// ([`crate::engine::RunOptions::targeted_context`]): files nothing named leads to are
    /// not known, so "none anywhere" cannot be concluded.
    pub partial_context: bool,
    exec: std::sync::OnceLock<exec::ExecFacts>,
    known_platforms: std::sync::OnceLock<Vec<fixups::PlatformSet>>,
    file_paths: HashMap<PathBuf, FileId>,
    /// Kind and path of each file, by id (ids are dense: [`crate::files::Files::add`]).
    file_kinds: Vec<(FileKind, PathBuf)>,
}

impl ModuleLookup for Project {
    fn module(&self, file: FileId) -> Option<&Module> {
        match self.facts.get(&file) {
            Some(Facts::Starlark(m)) => Some(m),
            _ => None,
        }
    }
    fn resolve_load(&self, from: FileId, path: &str) -> Option<FileId> {
        let p = self.load_path(from, path)?;
        self.file_paths.get(&p).copied()
    }
    /// The root configuration's value ([`Project::config_entry`]). `.buckconfig.local` is
    /// this machine's, not the repository's, so it is not read; an unset key is `Some(None)`
    /// (the caller's default applies) unless a file includes others.
    fn config(&self, section: &str, key: &str) -> Option<Option<Val>> {
        self.root_buckconfig?;
        let found = self.config_entry(section, key);
        // a key may be set in an included file, which the model does not read
        if found.is_none() && self.config_has_includes() {
            return None;
        }
        Some(found.map(|(id, e)| Val {
            value: value::Value::Str(e.value.clone()),
            origin: Some(Span::new(id, e.value_span.clone())),
        }))
    }
}

impl Project {
    /// `root_layers`: the root's [`crate::discover::config_layers`] when the caller has
    /// them (else they are listed here).
    pub fn build(
        files: &Files,
        facts: HashMap<FileId, Facts>,
        root: Option<PathBuf>,
        root_layers: Option<std::sync::Arc<[PathBuf]>>,
        data: std::sync::Arc<data::Data>,
    ) -> Project {
        let root_layers = match (&root, root_layers) {
            (_, Some(l)) => l,
            (Some(r), None) => crate::discover::config_layers(r).into(),
            (None, None) => std::sync::Arc::from([]),
        };
        let mut p = Project {
            root: root.clone(),
            cells: cells::Cells { root_cell: "root".into(), ..Default::default() },
            facts,
            targets: Vec::new(),
            by_package: HashMap::default(),
            targets_by_file: HashMap::default(),
            package_files: HashMap::default(),
            root_buckconfig: None,
            root_configs: Vec::new(),
            root_layers,
            reindeer: Vec::new(),
            data,
            sources: Default::default(),
            loaded: Default::default(),
            partial_context: false,
            exec: std::sync::OnceLock::new(),
            known_platforms: std::sync::OnceLock::new(),
            file_paths: HashMap::with_capacity_and_hasher(files.len(), Default::default()),
            file_kinds: Vec::with_capacity(files.len()),
        };
        for f in files.iter() {
            debug_assert_eq!(f.id.0 as usize, p.file_kinds.len(), "file ids are dense");
            p.file_paths.insert(f.path.clone(), f.id);
            p.file_kinds.push((f.kind, f.path.clone()));
        }
        p.load_cells();
        p.index_targets(files);
        p.reindeer = reindeer::ReindeerProject::discover(&p, files);
        p
    }

    /// Every target buck-lint knows ([`fixups::known_platforms`]), computed once per run.
    pub fn known_platforms(&self) -> &[fixups::PlatformSet] {
        self.known_platforms.get_or_init(|| fixups::known_platforms(&self.data))
    }

    /// Execution facts (RE, pipelining, executors), computed once per run.
    pub fn exec(&self) -> &exec::ExecFacts {
        self.exec.get_or_init(|| exec::compute(self))
    }

    pub fn path_of(&self, id: FileId) -> &Path {
        &self.file_kinds[id.0 as usize].1
    }
    pub fn kind_of(&self, id: FileId) -> FileKind {
        self.file_kinds[id.0 as usize].0
    }
    pub fn file_at(&self, path: &Path) -> Option<FileId> {
        self.file_paths.get(path).copied()
    }
    pub fn toml(&self, id: FileId) -> Option<&toml_edit::Document<String>> {
        match self.facts.get(&id) {
            Some(Facts::Toml(d)) => Some(d),
            _ => None,
        }
    }
    /// The fixups files that parsed, with their texts, in file order.
    pub fn fixups_texts(&self) -> Vec<(FileId, &std::sync::Arc<str>)> {
        let mut v: Vec<(FileId, &std::sync::Arc<str>)> = self
            .facts
            .iter()
            .filter_map(|(id, f)| match f {
                Facts::Fixups(t) => Some((*id, t)),
                _ => None,
            })
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v
    }
    pub fn buckconfig(&self, id: FileId) -> Option<&BuckConfigFile> {
        match self.facts.get(&id) {
            Some(Facts::BuckConfig(c)) => Some(c),
            _ => None,
        }
    }
    /// All Starlark modules of a kind.
    pub fn modules(&self) -> impl Iterator<Item = (FileId, &Module)> {
        let mut v: Vec<(FileId, &Module)> = self
            .facts
            .iter()
            .filter_map(|(id, f)| match f {
                Facts::Starlark(m) => Some((*id, &**m)),
                _ => None,
            })
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v.into_iter()
    }

    /// [`Project::root_layers`] and `.buckconfig.local`
    /// ([`crate::discover::config_layers_with_local`]).
    pub fn root_layers_with_local(&self) -> Vec<PathBuf> {
        match &self.root {
            Some(root) => crate::discover::with_local(root, self.root_layers.to_vec()),
            None => Vec::new(),
        }
    }

    fn load_cells(&mut self) {
        let Some(root) = self.root.clone() else { return };
        self.root_buckconfig = self.file_paths.get(&root.join(".buckconfig")).copied();
        self.root_configs = self
            .root_layers
            .iter()
            .filter_map(|p| self.file_paths.get(p).copied())
            .filter(|id| self.buckconfig(*id).is_some())
            .collect();
        let cfgs: Vec<&BuckConfigFile> = self.root_configs.iter().filter_map(|id| self.buckconfig(*id)).collect();
        self.cells = cells::Cells::new(&root, &cfgs);
    }

    /// The effective `section.key` of the root's configuration ([`Project::root_configs`]:
    /// the last file that sets it wins), with the file that sets it.
    pub fn config_entry(&self, section: &str, key: &str) -> Option<(FileId, &crate::parse::buckconfig::Entry)> {
        self.root_configs.iter().rev().find_map(|id| self.buckconfig(*id)?.get(section, key).map(|e| (*id, e)))
    }

    /// Does any of the root's configuration files include others (whose keys the model does
    /// not read)?
    pub fn config_has_includes(&self) -> bool {
        self.root_configs.iter().any(|id| self.buckconfig(*id).is_some_and(|c| !c.includes.is_empty()))
    }

    /// Canonical cell name for a name or alias.
    pub fn canonical_cell(&self, name: &str) -> String {
        self.cells.canonical(name)
    }

    /// The cell and package (path relative to the cell root) of a directory.
    pub fn cell_package_of(&self, dir: &Path) -> (String, String) {
        self.cells.cell_package_of(dir)
    }

    fn index_targets(&mut self, files: &Files) {
        let build_files: Vec<&crate::files::FileEntry> = files
            .iter()
            .filter(|f| f.kind == FileKind::Build && matches!(self.facts.get(&f.id), Some(Facts::Starlark(_))))
            .collect();
        let total: usize = build_files
            .iter()
            .filter_map(|f| self.module_of(f.id))
            .map(|m| m.calls.len() + m.packed.calls().count())
            .sum();
        let mut targets = Vec::with_capacity(total);
        // (file, callee) → forwarded rule: a build file calls few distinct callees.
        let mut forwarded: HashMap<(FileId, Sym), Option<String>> = HashMap::default();
        let mut by_package: HashMap<Sym, HashMap<Sym, Box<[u32]>>> = HashMap::default();
        let mut package_files = HashMap::default();
        let mut targets_by_file = HashMap::default();
        for f in build_files {
            let Some(m) = self.module_of(f.id) else { continue };
            let dir = f.path.parent().unwrap_or(Path::new("/"));
            let (cell, package) = self.cell_package_of(dir);
            let (cell_sym, package_sym) = (Sym::new(&cell), Sym::new(&package));
            package_files.insert((cell, package), f.id);
            // IR and packed declarations in source order: (call, name span, callee)
            let mut decls: Vec<(u32, std::ops::Range<u32>, Sym)> = Vec::new();
            for (i, c) in m.calls.iter().enumerate() {
                let Some((_, name_span)) = c.name_arg() else { continue };
                let Some(callee) = c.callee_name() else { continue };
                decls.push((i as u32, name_span, Sym::new(&callee)));
            }
            decls.extend(m.packed.calls().map(|c| (PACKED | c.offset(), c.name_span(), c.callee())));
            decls.sort_by_key(|d| d.1.start);
            let first = targets.len();
            for (call, span, callee) in decls {
                let inner =
                    forwarded.entry((f.id, callee)).or_insert_with(|| self.forwarded_rule(f.id, &callee)).clone();
                targets.push(Target {
                    file: f.id,
                    call,
                    rule: inner.map_or(callee, |r| Sym::new(&r)),
                    cell: cell_sym,
                    package: package_sym,
                    name_start: span.start,
                    name_end: span.end,
                });
            }
            targets_by_file.insert(f.id, first as u32..targets.len() as u32);
            let mut idx: Vec<u32> = (first as u32..targets.len() as u32).collect();
            // later declarations win, as they did in a map keyed by label
            let names: Vec<&str> = targets[first..].iter().map(|t| target_name(m, t)).collect();
            let name = |i: &u32| names[*i as usize - first];
            idx.sort_by(|a, b| name(a).cmp(name(b)).then(b.cmp(a)));
            idx.dedup_by(|a, b| name(a) == name(b));
            by_package.entry(cell_sym).or_default().insert(package_sym, idx.into_boxed_slice());
        }
        targets.shrink_to_fit();
        self.package_files = package_files;
        self.by_package = by_package;
        self.targets_by_file = targets_by_file;
        self.targets = targets;
    }

    /// If `callee` (as called in `file`) is a macro defined in a loaded `.bzl` that forwards
    /// `**kwargs` to another rule call, that rule's callee name (one level deep).
    pub fn forwarded_rule(&self, file: FileId, callee: &str) -> Option<String> {
        let (bzl, sym) = exec::resolve_rule(self, file, callee)?;
        if bzl == file {
            return None;
        }
        let m = self.module_of(bzl)?;
        let def = m.def(&sym)?;
        let kwargs = def.params.iter().find(|p| p.kind == ir::ParamKind::KwArgs)?.name.clone();
        let mut found = None;
        for e in &def.exprs {
            ir::walk_calls(e, &mut |c| {
                if found.is_none()
                    && c.args.iter().any(|a| {
                        a.kind == ir::ArgKind::KwArgs
                            && matches!(&a.value.kind, ir::ExprKind::Ident(n) if **n == *kwargs)
                    })
                {
                    found = c.callee_name();
                }
            });
        }
        found.filter(|f| f != &sym)
    }

    /// A target's name.
    pub fn name(&self, t: &Target) -> &str {
        match self.facts.get(&t.file) {
            Some(Facts::Starlark(m)) => target_name(m, t),
            _ => "",
        }
    }

    /// The macro called in the build file, when the target's rule was resolved through one
    /// (a macro that forwards `**kwargs` to a rule).
    pub fn via_macro(&self, t: &Target) -> Option<String> {
        self.call_of(t).callee_name().filter(|c| *c != *t.rule)
    }

    /// The call declaring a target (IR or packed).
    pub fn call_of<'a>(&'a self, t: &'a Target) -> CallRef<'a> {
        let Some(Facts::Starlark(m)) = self.facts.get(&t.file) else { unreachable!("target without module") };
        if t.call & PACKED != 0 {
            CallRef::Packed(m.packed.call(t.call & !PACKED))
        } else {
            CallRef::Ir(&m.calls[t.call as usize])
        }
    }

    pub fn module_of(&self, file: FileId) -> Option<&Module> {
        ModuleLookup::module(self, file)
    }

    /// Indices (into `targets`) of the targets a build file declares.
    pub fn targets_in(&self, file: FileId) -> std::ops::Range<usize> {
        self.targets_by_file.get(&file).map_or(0..0, |r| r.start as usize..r.end as usize)
    }

    /// The targets of a build file whose names start with `prefix`, in name order (a binary
    /// search in the package's sorted index, not a scan of the file).
    pub fn targets_with_prefix<'a>(&'a self, file: FileId, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
        let range = self.targets_in(file);
        let first = self.targets.get(range.start).filter(|_| !range.is_empty());
        let idx: &[u32] = first.and_then(|t| self.by_package.get(&t.cell)?.get(&t.package)).map_or(&[], |b| &b[..]);
        let m = first.and_then(|t| self.module_of(t.file));
        let start =
            m.map_or(idx.len(), |m| idx.partition_point(|i| target_name(m, &self.targets[*i as usize]) < prefix));
        idx[start..]
            .iter()
            .map(|i| *i as usize)
            .take_while(move |i| m.is_some_and(|m| target_name(m, &self.targets[*i]).starts_with(prefix)))
            .filter(move |i| self.targets[*i].file == file)
    }

    /// Evaluate a keyword argument of a target's call in its file's module scope.
    pub fn attr(&self, t: &Target, name: &str) -> Option<Val> {
        let arg = self.call_of(t).kwarg(name)?;
        let m = self.module_of(t.file)?;
        Some(value::eval(&arg.value().to_expr(), &Scope::module(t.file, m), self))
    }

    /// Resolve a label string written in `from`'s package.
    pub fn resolve_label(&self, from: &Target, s: &str) -> Option<Label> {
        Label::parse(s, &from.cell, &from.package).map(|mut l| {
            l.cell = self.canonical_cell(&l.cell);
            l
        })
    }

    pub fn target(&self, l: &Label) -> Option<usize> {
        // lookups of labels that name no known package intern nothing
        let idx = self.by_package.get(&Sym::existing(&l.cell)?)?.get(&Sym::existing(&l.package)?)?;
        // a package's targets all come from its build file
        let m = self.module_of(self.targets[*idx.first()? as usize].file)?;
        let i = idx.binary_search_by(|i| target_name(m, &self.targets[*i as usize]).cmp(l.name.as_str())).ok()?;
        Some(idx[i] as usize)
    }

    /// Resolve a `load()` path to an absolute file path.
    pub fn load_path(&self, from: FileId, path: &str) -> Option<PathBuf> {
        self.cells.load_path(self.path_of(from), path)
    }

    /// The display path of a file relative to the project root.
    pub fn rel(&self, id: FileId) -> String {
        let p = self.path_of(id);
        match &self.root {
            Some(r) => p.strip_prefix(r).unwrap_or(p).to_string_lossy().replace('\\', "/"),
            None => p.to_string_lossy().into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One per declared target: a large monorepo has hundreds of thousands.
    #[test]
    fn target_is_small() {
        assert_eq!(std::mem::size_of::<Target>(), 40);
    }
}
