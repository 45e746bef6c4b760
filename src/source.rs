//! Source files, file kinds and byte-offset → line/column conversion.
//!
//! Every span inside buck-lint is a byte range into a file's text. Conversion to the
//! units an output format needs (1-based Unicode scalar columns, 0-based UTF-16 for LSP)
//! happens only here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a file is, decided by its name (see `discover::classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `BUCK`, `BUCK.v2`, `TARGETS`, `TARGETS.v2` or a `[buildfile] name`.
    Build,
    /// `PACKAGE`, `BUCK_TREE`.
    Package,
    /// `*.bzl`, `*.bxl`.
    Bzl,
    /// `.buckconfig`, `.buckconfig.local`, `.buckconfig.d/*` and included files.
    BuckConfig,
    /// `reindeer.toml`.
    ReindeerToml,
    /// `<fixups_dir>/<pkg>/fixups.toml`.
    Fixups,
    /// `Cargo.lock`.
    CargoLock,
    /// `Cargo.toml` (only the manifests a `reindeer.toml` points at, and vendored ones).
    CargoToml,
    /// `buck-lint.toml` / `.buck-lint.toml`.
    LintConfig,
    /// A third-party crate's Rust source: never linted, only pointed at by findings about the
    /// crate (see `model::crate_scan`).
    RustSource,
}

impl FileKind {
    pub fn is_starlark(self) -> bool {
        matches!(self, FileKind::Build | FileKind::Package | FileKind::Bzl)
    }
    pub fn is_toml(self) -> bool {
        matches!(
            self,
            FileKind::ReindeerToml
                | FileKind::Fixups
                | FileKind::CargoLock
                | FileKind::CargoToml
                | FileKind::LintConfig
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Build => "build file",
            FileKind::Package => "PACKAGE file",
            FileKind::Bzl => "Starlark extension",
            FileKind::BuckConfig => ".buckconfig",
            FileKind::ReindeerToml => "reindeer.toml",
            FileKind::Fixups => "fixups.toml",
            FileKind::CargoLock => "Cargo.lock",
            FileKind::CargoToml => "Cargo.toml",
            FileKind::LintConfig => "buck-lint config",
            FileKind::RustSource => "Rust source",
        }
    }
}

/// Index of a file in the run's [`crate::engine::Files`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span { file, start: range.start as u32, end: range.end as u32 }
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Line starts of a text, for offset conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { starts }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts.get(line0).copied().unwrap_or(0) as usize
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and column (Unicode scalar values) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(text, offset);
        let line0 = self.line_of(offset);
        let start = self.line_start(line0);
        let column = text[start..offset].chars().count() as u32 + 1;
        LineCol { line: line0 as u32 + 1, column }
    }

    /// 0-based line and UTF-16 column, for LSP.
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = clamp_to_char_boundary(text, offset);
        let line0 = self.line_of(offset);
        let start = self.line_start(line0);
        let col = text[start..offset].encode_utf16().count() as u32;
        (line0 as u32, col)
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP positions).
    pub fn offset_of_utf16(&self, text: &str, line0: u32, col16: u32) -> usize {
        let Some(&start) = self.starts.get(line0 as usize) else {
            return text.len();
        };
        let start = start as usize;
        let mut units = 0u32;
        for (i, ch) in text[start..].char_indices() {
            if units >= col16 || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        text.len()
    }
}

/// Clamp an offset into `text` and move it back to a char boundary.
pub fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// A file's text plus its identity, as the rules and reporters see it.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Absolute (canonical where possible) path.
    pub path: PathBuf,
    /// Path as shown to users: relative to the current directory, `/` separators.
    pub display: String,
    pub kind: FileKind,
    pub text: Arc<str>,
    /// Built on first use: most files have no finding and never need it.
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, display: String, kind: FileKind, text: Arc<str>) -> Self {
        SourceFile { id, path, display, kind, text, lines: std::sync::OnceLock::new() }
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines().line_col(&self.text, offset)
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.id, range)
    }

    pub fn slice(&self, span: Span) -> &str {
        let s = clamp_to_char_boundary(&self.text, span.start as usize);
        let e = clamp_to_char_boundary(&self.text, span.end as usize).max(s);
        &self.text[s..e]
    }
}

/// Path shown to users: relative to `cwd` when below it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = crate::discover::strip_dir(path, cwd).unwrap_or(path);
    let s = rel.to_string_lossy();
    let s = if cfg!(windows) { s.replace('\\', "/") } else { s.into_owned() };
    if s.is_empty() { ".".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_scalars() {
        let text = "ab\nçd€x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'x' is after ç (2 bytes), d, € (3 bytes)
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 4 });
        assert_eq!(idx.line_col_utf16(text, x), (1, 3));
        assert_eq!(idx.offset_of_utf16(text, 1, 3), x);
        // end of file
        assert_eq!(idx.line_col(text, text.len()), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_char_are_clamped() {
        let text = "€";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
    }
}
