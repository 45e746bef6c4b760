//! Conversions between buck-lint's byte-offset world and the LSP's: `file://` URIs and
//! paths, positions in the negotiated encoding (UTF-16 by default, UTF-8 when the client
//! offers it), and [`crate::diagnostic::Diagnostic`] → `lsp_types::Diagnostic`.

// `lsp_types::Uri` is the key type of `WorkspaceEdit.changes`; its hash is its string.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString,
    Position, Range, TextEdit, Uri,
};

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::files::Files;
use crate::source::{FileId, LineIndex, clamp_to_char_boundary};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "buck-lint";

/// How `Position.character` counts (LSP 3.17 `positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// Pick `utf-8` when the client lists it in `general.positionEncodings`, else UTF-16
    /// (the mandatory default).
    pub fn negotiate(init_params: &serde_json::Value) -> Encoding {
        let offered = init_params.pointer("/capabilities/general/positionEncodings").and_then(|v| v.as_array());
        match offered {
            Some(list) if list.iter().any(|v| v.as_str() == Some("utf-8")) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }

    /// The LSP position of a byte offset.
    pub fn position(self, text: &str, idx: &LineIndex, offset: usize) -> Position {
        match self {
            Encoding::Utf16 => {
                let (line, character) = idx.line_col_utf16(text, offset);
                Position { line, character }
            }
            Encoding::Utf8 => {
                let offset = clamp_to_char_boundary(text, offset);
                let line = idx.line_of(offset);
                Position { line: line as u32, character: (offset - idx.line_start(line)) as u32 }
            }
        }
    }

    /// The byte offset of an LSP position, clamped to the line's end (before its newline)
    /// and to the end of the text.
    pub fn offset(self, text: &str, idx: &LineIndex, pos: Position) -> usize {
        if pos.line as usize >= idx.line_count() {
            return text.len();
        }
        match self {
            Encoding::Utf16 => idx.offset_of_utf16(text, pos.line, pos.character),
            Encoding::Utf8 => {
                let start = idx.line_start(pos.line as usize);
                let end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
                clamp_to_char_boundary(text, (start + pos.character as usize).min(end))
            }
        }
    }

    pub fn range(self, text: &str, idx: &LineIndex, range: std::ops::Range<usize>) -> Range {
        Range {
            start: self.position(text, idx, range.start),
            end: self.position(text, idx, range.end.max(range.start)),
        }
    }
}

/// The local path of a `file:` URI (percent-decoded); `None` for other schemes.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file:").or_else(|| uri.strip_prefix("FILE:"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    // file:///abs, file://localhost/abs, file:/abs
    let path = if let Some(after) = rest.strip_prefix("//") {
        let slash = after.find('/').unwrap_or(after.len());
        let host = &after[..slash];
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return None;
        }
        &after[slash..]
    } else {
        rest
    };
    if !path.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(path);
    #[cfg(windows)]
    {
        let s = String::from_utf8_lossy(&bytes).into_owned();
        // /C:/x → C:/x
        let s = match s.as_bytes() {
            [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s[1..].to_string(),
            _ => s,
        };
        Some(PathBuf::from(s))
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(any(unix, windows)))]
    {
        Some(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A `file://` URI for an absolute path, percent-encoding everything but unreserved
/// characters and `/`.
pub fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else if cfg!(windows) && b == b':' {
            out.push(':');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn parse_uri(s: &str) -> Option<Uri> {
    s.parse::<Uri>().ok()
}

/// Per-run cache of file texts and line indexes, plus the URIs the client uses for open
/// documents (so edits and related locations name them exactly as the client does).
pub struct Converter<'a> {
    pub files: &'a Files,
    pub encoding: Encoding,
    /// Normalised path → the client's URI string, for open documents.
    pub open_uris: &'a HashMap<PathBuf, String>,
    cache: HashMap<FileId, Option<(Arc<str>, LineIndex)>>,
}

impl<'a> Converter<'a> {
    pub fn new(files: &'a Files, encoding: Encoding, open_uris: &'a HashMap<PathBuf, String>) -> Self {
        Converter { files, encoding, open_uris, cache: HashMap::new() }
    }

    pub fn uri_string(&self, id: FileId) -> String {
        let path = &self.files.get(id).path;
        match self.open_uris.get(path) {
            Some(u) => u.clone(),
            None => path_to_uri(path),
        }
    }

    pub fn range(&mut self, id: FileId, range: std::ops::Range<usize>) -> Range {
        let files = self.files;
        let enc = self.encoding;
        let entry = self.cache.entry(id).or_insert_with(|| {
            files.text(id).map(|t| {
                let idx = LineIndex::new(&t);
                (t, idx)
            })
        });
        match entry {
            Some((t, idx)) => enc.range(t, idx, range),
            None => Range::default(),
        }
    }

    /// Convert one finding. The fix, if any, goes into `data` as
    /// `{"fix": {"title", "applicability", "changes": {uri: [TextEdit]}}}`.
    pub fn diagnostic(&mut self, d: &Diagnostic) -> lsp_types::Diagnostic {
        let meta = Some(d.rule.meta());
        let range = self.range(d.primary.file, d.primary.range());
        let mut related = Vec::new();
        for r in &d.related {
            let uri = self.uri_string(r.span.file);
            let range = self.range(r.span.file, r.span.range());
            if let Some(uri) = parse_uri(&uri) {
                related.push(DiagnosticRelatedInformation {
                    location: Location { uri, range },
                    message: r.message.clone(),
                });
            }
        }
        let mut message = d.message.clone();
        if let Some(help) = d.help.as_deref().filter(|h| !h.is_empty()) {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let data = d.fix.as_ref().map(|f| {
            let mut changes: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
            for e in &f.edits {
                let uri = self.uri_string(e.span.file);
                let range = self.range(e.span.file, e.span.range());
                let edit = serde_json::to_value(TextEdit { range, new_text: e.content.clone() }).unwrap_or_default();
                if let Some(list) =
                    changes.entry(uri).or_insert_with(|| serde_json::Value::Array(Vec::new())).as_array_mut()
                {
                    list.push(edit);
                }
            }
            serde_json::json!({
                "fix": {
                    "title": f.description,
                    "applicability": f.applicability.as_str(),
                    "changes": changes,
                }
            })
        });
        lsp_types::Diagnostic {
            range,
            severity: Some(severity(d.severity)),
            code: Some(NumberOrString::String(d.rule.to_string())),
            code_description: meta.and_then(|m| parse_uri(&m.url())).map(|href| CodeDescription { href }),
            source: Some(SOURCE.to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: tags(d),
            data,
        }
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// `Unnecessary` for things that can simply be deleted, `Deprecated` for legacy syntax.
pub fn tags(d: &Diagnostic) -> Option<Vec<DiagnosticTag>> {
    const UNNECESSARY: &[&str] = &[
        "unused-suppression",
        "starlark-unused-load",
        "fixup-buildscript-unused",
        "fixup-orphan-dir",
        "fixup-version-matches-nothing",
    ];
    if UNNECESSARY.contains(&d.rule.id()) {
        return Some(vec![DiagnosticTag::UNNECESSARY]);
    }
    let removed_key = d.rule == crate::rules::Rule::FixupUnknownKey && {
        let m = d.message.to_ascii_lowercase();
        m.contains("removed") || m.contains("no longer") || m.contains("legacy")
    };
    if d.rule.id().starts_with("fixup-legacy-") || removed_key {
        return Some(vec![DiagnosticTag::DEPRECATED]);
    }
    None
}

/// The fix stored in a published diagnostic's `data`.
pub struct StoredFix {
    pub title: String,
    pub safe: bool,
    pub changes: HashMap<Uri, Vec<TextEdit>>,
}

pub fn stored_fix(d: &lsp_types::Diagnostic) -> Option<StoredFix> {
    let fix = d.data.as_ref()?.get("fix")?;
    let title = fix.get("title")?.as_str()?.to_string();
    let safe = fix.get("applicability").and_then(|v| v.as_str()) == Some(Applicability::Safe.as_str());
    let changes: HashMap<Uri, Vec<TextEdit>> = serde_json::from_value(fix.get("changes")?.clone()).ok()?;
    Some(StoredFix { title, safe, changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ç,d:e/BUCK");
        let u = path_to_uri(p);
        assert_eq!(u, "file:///tmp/a%20b/%C3%A7%2Cd%3Ae/BUCK");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert_eq!(uri_to_path("file://localhost/x/y").unwrap(), Path::new("/x/y"));
        assert_eq!(uri_to_path("file:///x/%7e%41").unwrap(), Path::new("/x/~A"));
        assert_eq!(uri_to_path("file:///x/100%").unwrap(), Path::new("/x/100%"));
        assert!(uri_to_path("untitled:Untitled-1").is_none());
        assert!(uri_to_path("file://server/share/x").is_none());
        assert!(parse_uri(&u).is_some());
    }

    #[test]
    fn positions_in_both_encodings() {
        let text = "a€b\n\u{1F600}x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(Encoding::Utf16.position(text, &idx, x), Position { line: 1, character: 2 });
        assert_eq!(Encoding::Utf8.position(text, &idx, x), Position { line: 1, character: 4 });
        let b = text.find('b').unwrap();
        assert_eq!(Encoding::Utf16.position(text, &idx, b), Position { line: 0, character: 2 });
        assert_eq!(Encoding::Utf8.position(text, &idx, b), Position { line: 0, character: 4 });
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for off in [0, b, x, text.len()] {
                let p = enc.position(text, &idx, off);
                assert_eq!(enc.offset(text, &idx, p), off, "{enc:?} {off}");
            }
            // past the end of a line clamps to the line end
            assert_eq!(enc.offset(text, &idx, Position { line: 0, character: 99 }), 5);
            assert_eq!(enc.offset(text, &idx, Position { line: 9, character: 0 }), text.len());
        }
    }

    #[test]
    fn tags_by_rule() {
        use crate::source::{FileId, Span};
        let d = |rule: &'static str, msg: &str| {
            Diagnostic::new(
                crate::rules::Rule::from_id(rule).unwrap(),
                Severity::Warning,
                Span::new(FileId(0), 0..1),
                msg,
            )
        };
        assert_eq!(tags(&d("unused-suppression", "x")), Some(vec![DiagnosticTag::UNNECESSARY]));
        assert_eq!(tags(&d("starlark-unused-load", "x")), Some(vec![DiagnosticTag::UNNECESSARY]));
        assert_eq!(tags(&d("fixup-legacy-buildscript-syntax", "x")), Some(vec![DiagnosticTag::DEPRECATED]));
        assert_eq!(
            tags(&d("fixup-unknown-key", "`extra_srcs` was removed in Reindeer 2024")),
            Some(vec![DiagnosticTag::DEPRECATED])
        );
        assert_eq!(tags(&d("fixup-unknown-key", "unknown key `srsc`")), None);
        assert_eq!(tags(&d("proc-macro-inner-target-dep", "x")), None);
        assert_eq!(severity(Severity::Info), DiagnosticSeverity::INFORMATION);
    }

    #[test]
    fn negotiation() {
        let v = serde_json::json!({"capabilities": {"general": {"positionEncodings": ["utf-16", "utf-8"]}}});
        assert_eq!(Encoding::negotiate(&v), Encoding::Utf8);
        let v = serde_json::json!({"capabilities": {"general": {"positionEncodings": ["utf-32", "utf-16"]}}});
        assert_eq!(Encoding::negotiate(&v), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(&serde_json::json!({})), Encoding::Utf16);
    }
}
