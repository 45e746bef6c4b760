//! A span-preserving reader for Buck2 `.buckconfig` files.
//!
//! `.buckconfig` is an INI-like format. This reader keeps the byte offset of
//! every header, key and value so that diagnostics can point at the exact
//! source text. It never fails: problems are collected in
//! [`BuckConfigFile::errors`] and parsing resumes on the next line.
//!
//! # Format
//!
//! The file is read line by line. Lines end at `\n`; a `\r` right before it
//! (CRLF) is not part of the line. A UTF-8 byte order mark at the very start
//! is skipped, and the last line does not need a newline. Leading and
//! trailing whitespace on a line is ignored.
//!
//! * **Blank lines** are ignored.
//! * **Comments** are whole lines whose first non-blank character is `#` or
//!   `;`. There are no trailing comments: `url = https://x/y#frag` has the
//!   value `https://x/y#frag`.
//! * **Section headers** look like `[name]`. Everything between the first `[`
//!   and the final `]` is the name (trimmed), so odd names such as
//!   `[agent_context#intent]` are fine.
//! * **Assignments** look like `key = value` (spaces optional). The key ends
//!   at the first `=`. Both key and value are trimmed; the value may be empty.
//!   Values are kept verbatim, including `$(config section.key)`
//!   interpolations and `$ENV_VAR` references: expanding them is the
//!   caller's job.
//! * **Line continuations**: if an assignment line ends with `\`, the next
//!   physical line also belongs to the value, and so on while lines keep
//!   ending with `\`. Each line is trimmed, the trailing `\` dropped, and
//!   the non-empty pieces are joined with a single space. Continuation lines
//!   are always value text, even if they start with `#`, `[` or `<`.
//! * **Includes** are lines `<file:relative/path>` or, for an include that may
//!   be missing, `<?file:relative/path>`. They may appear at the top level or
//!   inside a section. They are recorded in [`BuckConfigFile::includes`];
//!   resolving and reading the files is left to the caller.
//!
//! Within one file the **last** assignment to a key wins, as in Buck2
//! (see [`BuckConfigFile::get`]).
//!
//! All spans are byte ranges into the exact `text` given to [`parse`] (a BOM,
//! if present, counts). They never include line terminators.
//!
//! # Error recovery
//!
//! * A malformed line is reported and skipped.
//! * A header with text after its `]` is reported but still opens the section
//!   named before the `]`.
//! * A header without a `]` or with an empty name is reported, and the
//!   assignments that follow it (up to the next valid header) are dropped
//!   without further errors, so that they are neither attributed to the
//!   previous section nor reported once per line.
//! * Assignments with an empty key or outside any section are reported and
//!   dropped. Their continuation lines are still consumed.

use std::collections::HashMap;
use std::ops::Range;

/// The result of [`parse`]: everything found in one `.buckconfig` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuckConfigFile {
    /// Every assignment, in file order (duplicates included).
    pub entries: Vec<Entry>,
    /// Every section header, in file order (a section may be opened twice).
    pub sections: Vec<SectionHeader>,
    /// Every `<file:…>` / `<?file:…>` include line, in file order.
    pub includes: Vec<Include>,
    /// Problems found while reading. Empty for a well-formed file.
    pub errors: Vec<ConfigError>,
}

/// A `[name]` section header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHeader {
    /// The section name, trimmed.
    pub name: String,
    /// The whole `[name]`, brackets included.
    pub span: Range<usize>,
    /// Just the (trimmed) name.
    pub name_span: Range<usize>,
}

/// One `key = value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section the assignment appears in.
    pub section: String,
    /// The trimmed key.
    pub key: String,
    /// The value: continuation lines joined with a single space, leading and
    /// trailing whitespace trimmed, trailing `\` removed.
    pub value: String,
    /// The trimmed key.
    pub key_span: Range<usize>,
    /// From the first to the last value character, continuation lines
    /// included. For an empty value, an empty range just after the `=`.
    pub value_span: Range<usize>,
    /// The whole logical line: from the start of its first physical line
    /// (indentation included) to the end of its last physical line (line
    /// terminator excluded).
    pub line_span: Range<usize>,
}

/// A `<file:path>` or `<?file:path>` include line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written (trimmed), relative to the including file.
    pub path: String,
    /// `true` for `<?file:…>`: a missing file is not an error.
    pub optional: bool,
    /// The whole `<…>` directive.
    pub span: Range<usize>,
    /// Just the (trimmed) path.
    pub path_span: Range<usize>,
}

/// A problem found while reading the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// A human-readable, single-line description.
    pub message: String,
    /// The offending source text.
    pub span: Range<usize>,
    /// Which kind of problem this is, for programmatic matching.
    pub kind: ConfigErrorKind,
}

/// The kinds of [`ConfigError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigErrorKind {
    /// A line that is neither blank, a comment, a header, an include nor an
    /// assignment.
    UnexpectedLine,
    /// A `[` header without a closing `]`.
    UnclosedHeader,
    /// Text after the `]` of a section header.
    TextAfterHeader,
    /// A `[]` header.
    EmptySectionName,
    /// An assignment before the first section header.
    KeyOutsideSection,
    /// An assignment with nothing before the `=`.
    EmptyKey,
    /// A line starting with `<` that is not a well-formed include.
    MalformedInclude,
    /// An include with an empty path.
    EmptyIncludePath,
}

impl BuckConfigFile {
    /// The effective assignment of `section.key`: the **last** one in the
    /// file, as in Buck2.
    #[must_use]
    pub fn get(&self, section: &str, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.section == section && e.key == key)
    }

    /// The effective value of `section.key` (see [`BuckConfigFile::get`]).
    #[must_use]
    pub fn value(&self, section: &str, key: &str) -> Option<&str> {
        self.get(section, key).map(|e| e.value.as_str())
    }

    /// Whether a `[section]` header with this name appears in the file.
    #[must_use]
    pub fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s.name == section)
    }

    /// The effective assignments of one section: for each key the last
    /// assignment wins, and keys are yielded in order of first appearance.
    /// A section opened several times is treated as one.
    pub fn section_entries<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Entry> {
        let mut effective: Vec<&'a Entry> = Vec::new();
        let mut slot: HashMap<&'a str, usize> = HashMap::new();
        for entry in self.entries.iter().filter(|e| e.section == section) {
            let i = *slot.entry(entry.key.as_str()).or_insert(effective.len());
            if i == effective.len() {
                effective.push(entry);
            } else {
                effective[i] = entry;
            }
        }
        effective.into_iter()
    }
}

/// Reads a `.buckconfig` file. Never fails and never panics; see
/// [`BuckConfigFile::errors`] for problems. Runs in linear time.
#[must_use]
pub fn parse(text: &str) -> BuckConfigFile {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut parser = Parser { file: BuckConfigFile::default(), section: Section::None };
    let mut lines = PhysicalLines { text, pos: start };
    while let Some(line) = lines.next() {
        parser.line(line, &mut lines);
    }
    parser.file
}

mod parser;

pub use parser::split_list;
use parser::{Parser, PhysicalLines, Section};

#[cfg(test)]
mod tests;
