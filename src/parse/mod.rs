//! Parsing: bytes → text → syntax tree, per file kind. A file that fails to parse yields
//! syntax errors at the parser's position; other rules then skip it.

pub mod buckconfig;
pub mod chunked;
pub mod starlark;

use crate::model::ir::{self, Module};
use crate::source::FileKind;

#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: std::ops::Range<usize>,
}

pub enum Parsed {
    Starlark {
        /// `None` for a large file parsed in pieces ([`chunked`]).
        ast: Option<Box<starlark_syntax::syntax::AstModule>>,
        module: Module,
    },
    Toml(Box<toml_edit::Document<String>>),
    BuckConfig(buckconfig::BuckConfigFile),
    /// The file could not be parsed (see `errors`).
    Failed,
}

pub struct ParseOutcome {
    pub parsed: Parsed,
    pub errors: Vec<SyntaxError>,
}

/// Decode bytes as UTF-8, stripping a byte-order mark. Invalid UTF-8 and NUL bytes are
/// syntax errors at the first offending byte (offsets are in the BOM-less text).
pub fn decode(bytes: &[u8]) -> Result<(String, bool), SyntaxError> {
    decode_str(bytes).map(|(s, bom)| (s.to_string(), bom))
}

/// [`decode`] into a shared buffer, copying the bytes once.
pub fn decode_shared(bytes: &[u8]) -> Result<(std::sync::Arc<str>, bool), SyntaxError> {
    decode_str(bytes).map(|(s, bom)| (std::sync::Arc::from(s), bom))
}

fn decode_str(bytes: &[u8]) -> Result<(&str, bool), SyntaxError> {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(s) => {
            if let Some(nul) = memchr::memchr(0, s.as_bytes()) {
                return Err(SyntaxError {
                    message: "file contains a NUL byte; it is not a text file".into(),
                    span: nul..nul + 1,
                });
            }
            Ok((s, bom))
        }
        Err(e) => {
            let at = e.valid_up_to();
            Err(SyntaxError {
                message: format!("invalid UTF-8 (byte 0x{:02x})", body.get(at).copied().unwrap_or(0)),
                span: at..at + 1,
            })
        }
    }
}

/// Parse and lower a whole Starlark file.
fn parse_starlark(display: &str, text: &str) -> ParseOutcome {
    match starlark::parse(display, text) {
        Ok(ast) => {
            let module = ir::lower(&ast);
            ParseOutcome { parsed: Parsed::Starlark { ast: Some(Box::new(ast)), module }, errors: Vec::new() }
        }
        Err(e) => {
            ParseOutcome { parsed: Parsed::Failed, errors: vec![SyntaxError { message: e.message, span: e.span }] }
        }
    }
}

pub fn parse(kind: FileKind, display: &str, text: &str) -> ParseOutcome {
    let mut outcome = parse_kind(kind, display, text);
    if let Parsed::Starlark { module, .. } = &mut outcome.parsed {
        module.flow_calls = ir::flow_calls(module, text);
    }
    outcome
}

fn parse_kind(kind: FileKind, display: &str, text: &str) -> ParseOutcome {
    match kind {
        FileKind::Build | FileKind::Package | FileKind::Bzl if text.len() >= chunked::MIN_BYTES => {
            match chunked::parse_lowered(display, text) {
                Some(module) => ParseOutcome { parsed: Parsed::Starlark { ast: None, module }, errors: Vec::new() },
                None => parse_starlark(display, text),
            }
        }
        FileKind::Build | FileKind::Package | FileKind::Bzl => parse_starlark(display, text),
        FileKind::BuckConfig => {
            let cfg = buckconfig::parse(text);
            let errors =
                cfg.errors.iter().map(|e| SyntaxError { message: e.message.clone(), span: e.span.clone() }).collect();
            ParseOutcome { parsed: Parsed::BuckConfig(cfg), errors }
        }
        FileKind::ReindeerToml
        | FileKind::Fixups
        | FileKind::CargoLock
        | FileKind::CargoToml
        | FileKind::LintConfig => match toml_edit::Document::parse(text.to_string()) {
            Ok(doc) => {
                let mut errors = Vec::new();
                if kind == FileKind::CargoLock {
                    lock_shape_errors(&doc, &mut errors);
                }
                ParseOutcome { parsed: Parsed::Toml(Box::new(doc)), errors }
            }
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = toml_message(&e);
                ParseOutcome { parsed: Parsed::Failed, errors: vec![SyntaxError { message, span }] }
            }
        },
        // third-party Rust sources are read by the crate-source phase, never parsed here
        FileKind::RustSource => ParseOutcome { parsed: Parsed::Failed, errors: Vec::new() },
    }
}

/// toml_edit's message without its rendered snippet.
fn toml_message(e: &toml_edit::TomlError) -> String {
    let m = e.message().trim();
    let m = m.lines().next().unwrap_or("invalid TOML");
    format!("invalid TOML: {m}")
}

fn lock_shape_errors(doc: &toml_edit::Document<String>, errors: &mut Vec<SyntaxError>) {
    let Some(pkgs) = doc.get("package").and_then(|p| p.as_array_of_tables()) else {
        return;
    };
    for t in pkgs.iter() {
        for key in ["name", "version"] {
            if t.get(key).and_then(|v| v.as_str()).is_none() {
                errors.push(SyntaxError {
                    message: format!("`[[package]]` entry without a string `{key}`"),
                    span: t.span().unwrap_or(0..0),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reports_first_bad_byte() {
        let e = decode(b"ab\xffcd").unwrap_err();
        assert_eq!(e.span, 2..3);
        let e = decode(b"ab\0").unwrap_err();
        assert_eq!(e.span, 2..3);
        let (s, bom) = decode(b"\xEF\xBB\xBFx = 1").unwrap();
        assert!(bom);
        assert_eq!(s, "x = 1");
    }

    #[test]
    fn toml_error_has_position() {
        let o = parse(FileKind::Fixups, "fixups.toml", "a = 1\na = 2\n");
        assert_eq!(o.errors.len(), 1);
        assert!(o.errors[0].span.start >= 6, "{:?}", o.errors[0]);
    }

    #[test]
    fn lock_without_version_is_an_error() {
        let o = parse(FileKind::CargoLock, "Cargo.lock", "[[package]]\nname = \"a\"\n");
        assert_eq!(o.errors.len(), 1);
    }
}
