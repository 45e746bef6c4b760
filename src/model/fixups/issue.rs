//! The issues found while walking a fixups file.

use super::*;

// ---------------------------------------------------------------------------------------------
// Issues
// ---------------------------------------------------------------------------------------------

/// A legacy build-script construct (R23).
#[derive(Clone, Copy)]
pub enum LegacyBuildscript<'d> {
    /// `buildscript = []` (`empty`), or an array value with elements.
    Array { empty: bool },
    /// One element of `[[buildscript]]` (`index` of `count`).
    Element { index: usize, count: usize, table: &'d dyn TableLike },
    /// A legacy sub-key of a `buildscript` table (`[buildscript.gen_srcs]`,
    /// `[[buildscript.cxx_library]]`, …).
    SubKey { name: &'d str, item: &'d Item },
}

impl std::fmt::Debug for LegacyBuildscript<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LegacyBuildscript::Array { empty } => write!(f, "Array {{ empty: {empty} }}"),
            LegacyBuildscript::Element { index, count, .. } => {
                write!(f, "Element {{ index: {index}, count: {count} }}")
            }
            LegacyBuildscript::SubKey { name, .. } => write!(f, "SubKey {{ name: {name:?} }}"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum IssueKind<'d> {
    /// Unknown key (R25 / R37). `suggestion`: the closest schema key (did-you-mean);
    /// `rename`: the key a fix may rename to (edit distance ≤ 2, or a removed key's rename);
    /// `removed`: a key Reindeer used to accept; `note`: extra explanation.
    UnknownKey {
        suggestion: Option<&'static str>,
        rename: Option<&'static str>,
        removed: Option<Removed>,
        note: Option<&'static str>,
    },
    /// A key with the wrong TOML type (R25 / R37).
    WrongType { expected: &'static str, found: &'static str },
    /// A value Reindeer does not accept (an unknown `cargo_env` name).
    BadValue { message: String },
    /// A required key is missing (anchored on the table header).
    MissingKey { key: &'static str },
    /// R23.
    LegacyBuildscript(LegacyBuildscript<'d>),
    /// R24: a `[platform_fixup.'…']` section (index into [`FixupsDoc::sections`]).
    LegacyPlatformSection { section: usize },
    /// R24: an empty `[platform_fixup]` header.
    LegacyPlatformEmpty,
    /// R24: a `version = "…"` key inside a section (index into sections).
    LegacyVersionKey { section: usize },
    /// R26: a restricted key in a section whose predicate uses more than `version`.
    Restricted { section: usize },
    /// R27 error: the section key does not parse. `span` is mapped into the file.
    CfgParse { section: usize, error: CfgParseError },
}

#[derive(Clone)]
pub struct Issue<'d> {
    pub kind: IssueKind<'d>,
    /// Dotted display path of the key (`buildscript.runs`, `['cfg(unix)'].filter_deps`).
    pub path: String,
    /// The key as written (last segment).
    pub key: String,
    /// Where the finding sits (byte range in the file).
    pub span: Range<usize>,
    /// The key token's span, when the issue is about a key.
    pub key_span: Option<Range<usize>>,
    /// The item the key holds.
    pub item: Option<&'d Item>,
    /// The table holding the key.
    pub parent: Option<&'d dyn TableLike>,
    /// Index of the section the key is in.
    pub section: usize,
}
