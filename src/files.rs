//! The run's file table: identity, display path and (lazily loaded) text of every file the
//! run looked at. Texts of files without findings are dropped after parsing to keep memory
//! flat; reporters reload them from disk on demand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::source::{FileId, FileKind, LineCol, LineIndex, Span};

#[derive(Debug)]
pub struct FileEntry {
    pub id: FileId,
    pub path: PathBuf,
    /// Relative to the current directory, `/` separators.
    pub display: String,
    pub kind: FileKind,
    /// Findings are reported for this file (it was asked for); otherwise it is context only.
    pub reported: bool,
    /// Which findings may be reported on the file at all.
    pub restrict: Restrict,
    /// The file's header says `@nolint` (set while it is processed): only `meta` findings.
    pub nolint: std::sync::atomic::AtomicBool,
    text: OnceLock<Option<(Arc<str>, LineIndex)>>,
}

/// Files on which only some findings are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restrict {
    #[default]
    None,
    /// A file of a dependency cell (the prelude, an external cell): only `io-error` and
    /// `internal-error`, unless `[lint] lint-dependency-cells` is set.
    Dependency,
    /// A fixups file that Reindeer never reads (no locked package has its name): only
    /// `fixup-orphan-dir` and `meta` findings.
    OrphanFixups,
}

impl Restrict {
    /// Is the rule one of the `meta` rules (syntax, I/O and internal errors, suppressions)?
    pub fn is_meta(rule: crate::rules::Rule) -> bool {
        rule.meta().category == crate::rules::registry::Category::Meta
    }

    pub fn allows(self, rule: crate::rules::Rule) -> bool {
        let meta = || Restrict::is_meta(rule);
        match self {
            Restrict::None => true,
            // not even syntax errors: Buck2 parses a dependency's build files only when a
            // build needs them, and its `.bzl` files are the dependency's own business
            Restrict::Dependency => matches!(rule, crate::rules::Rule::IoError | crate::rules::Rule::InternalError),
            Restrict::OrphanFixups => rule == crate::rules::Rule::FixupOrphanDir || meta(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Files {
    entries: Vec<FileEntry>,
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    pub fn add(&mut self, path: PathBuf, display: String, kind: FileKind, reported: bool) -> FileId {
        self.push_entry(FileEntry {
            id: FileId(0),
            path,
            display,
            kind,
            reported,
            restrict: Restrict::None,
            nolint: Default::default(),
            text: OnceLock::new(),
        })
    }

    /// Append a file under a new id: a new one ([`Files::add`]), or one taken from another
    /// [`Files`] ([`Files::into_entries`]) with what it holds (its text, its `@nolint` mark).
    pub fn push_entry(&mut self, mut entry: FileEntry) -> FileId {
        let id = FileId(self.entries.len() as u32);
        entry.id = id;
        self.entries.push(entry);
        id
    }

    /// The files, by id (an entry's index is its id).
    pub fn into_entries(self) -> Vec<FileEntry> {
        self.entries
    }

    /// Restrict the findings of the files below any of `roots`.
    pub fn restrict_below(&mut self, roots: &[PathBuf], r: Restrict) {
        for e in &mut self.entries {
            if roots.iter().any(|root| e.path.starts_with(root)) {
                e.restrict = r;
            }
        }
    }

    /// Restrict the findings of these files.
    pub fn restrict(&mut self, ids: &[FileId], r: Restrict) {
        for id in ids {
            self.entries[id.0 as usize].restrict = r;
        }
    }

    pub fn get(&self, id: FileId) -> &FileEntry {
        &self.entries[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &FileEntry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.entries.iter().find(|e| e.path == path).map(|e| e.id)
    }

    pub fn display(&self, id: FileId) -> &str {
        &self.get(id).display
    }

    /// Keep a file's text (used for files with findings and for stdin buffers).
    pub fn set_text(&self, id: FileId, text: Arc<str>) {
        let idx = LineIndex::new(&text);
        let _ = self.get(id).text.set(Some((text, idx)));
    }

    /// The file's text, reading it from disk if it was not kept.
    pub fn text(&self, id: FileId) -> Option<Arc<str>> {
        self.loaded(id).map(|(t, _)| t.clone())
    }

    /// Load the texts of these files that are not loaded yet, in parallel: a report of
    /// cross-file findings otherwise reads thousands of files one by one on one thread.
    /// Nothing from inside a thread pool (a streaming sink writes there, under its lock).
    pub fn preload(&self, ids: impl IntoIterator<Item = FileId>) {
        use rayon::prelude::*;
        if rayon::current_thread_index().is_some() {
            return;
        }
        let mut ids: Vec<FileId> = ids.into_iter().filter(|id| self.get(*id).text.get().is_none()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > 1 {
            ids.par_iter().for_each(|id| {
                self.loaded(*id);
            });
        }
    }

    fn loaded(&self, id: FileId) -> Option<&(Arc<str>, LineIndex)> {
        let e = self.get(id);
        e.text
            .get_or_init(|| {
                let mut bytes = std::fs::read(&e.path).ok()?;
                if bytes.starts_with(b"\xEF\xBB\xBF") {
                    bytes.drain(..3);
                }
                // valid UTF-8 (the rule) is taken as is; `from_utf8_lossy` walks it in slow chunks
                let s = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                let t: Arc<str> = Arc::from(s);
                let idx = LineIndex::new(&t);
                Some((t, idx))
            })
            .as_ref()
    }

    /// Start and end (exclusive) of a span as 1-based line/column (Unicode scalars).
    pub fn line_cols(&self, span: Span) -> (LineCol, LineCol) {
        match self.loaded(span.file) {
            Some((t, idx)) => (idx.line_col(t, span.start as usize), idx.line_col(t, span.end as usize)),
            None => (LineCol { line: 1, column: 1 }, LineCol { line: 1, column: 1 }),
        }
    }

    /// 0-based line and UTF-16 column (LSP).
    pub fn utf16(&self, span: Span) -> ((u32, u32), (u32, u32)) {
        match self.loaded(span.file) {
            Some((t, idx)) => (idx.line_col_utf16(t, span.start as usize), idx.line_col_utf16(t, span.end as usize)),
            None => ((0, 0), (0, 0)),
        }
    }
}

/// How much of a file one `read` takes into the per-thread buffer of [`with_bytes`].
const READ_BUFFER: usize = 64 * 1024;

/// Read the whole file at `path` and hand its bytes to `f`. `std::fs::read` first asks for
/// the file's size (a `statx`, one system call in five of a read), then allocates a buffer
/// that the caller copies once more when it decodes the text. Here a file that fits a
/// per-thread buffer (nearly every Starlark and configuration file) costs an `open`, two
/// `read`s and a `close`, and no allocation; a larger one is sized and read as before.
pub fn with_bytes<R>(path: &Path, f: impl FnOnce(&[u8]) -> R) -> std::io::Result<R> {
    use std::io::Read;
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = std::fs::File::open(path)?;
    BUF.with(move |cell| {
        // only a reentrant call (none today) finds the buffer borrowed: it reads on the heap
        let Ok(mut buf) = cell.try_borrow_mut() else {
            let mut v = Vec::new();
            file.read_to_end(&mut v)?;
            return Ok(f(&v));
        };
        buf.resize(READ_BUFFER, 0);
        let mut n = 0;
        while n < buf.len() {
            match file.read(&mut buf[n..]) {
                Ok(0) => return Ok(f(&buf[..n])),
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // the buffer is full: a larger file, sized and read on after what came so far
        let size = file.metadata().map_or(0, |m| m.len() as usize);
        let mut all = Vec::with_capacity(size.max(n) + 1);
        all.extend_from_slice(&buf[..n]);
        drop(buf);
        file.read_to_end(&mut all)?;
        Ok(f(&all))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size around the buffer's edge reads back whole (the larger ones through the
    /// sized read after the full buffer), and a read error is the error `std::fs::read` gives.
    #[test]
    fn with_bytes_reads_whole_files_of_any_size() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, 4095, READ_BUFFER - 1, READ_BUFFER, READ_BUFFER + 1, 3 * READ_BUFFER + 7] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
            let p = dir.path().join(format!("f{size}"));
            std::fs::write(&p, &data).unwrap();
            assert_eq!(with_bytes(&p, |b| b.to_vec()).unwrap(), data, "size {size}");
            // the buffer is reused: a smaller file after a larger one gets only its own bytes
            assert_eq!(with_bytes(&p, <[u8]>::len).unwrap(), size);
        }
        for bad in [dir.path().join("missing"), dir.path().to_path_buf()] {
            let ours = with_bytes(&bad, |_| ()).unwrap_err();
            let std = std::fs::read(&bad).unwrap_err();
            assert_eq!(ours.kind(), std.kind(), "{}", bad.display());
            assert_eq!(ours.to_string(), std.to_string());
        }
    }
}
