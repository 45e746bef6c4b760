//! Starlark parsing with the `starlark` crate, in one permissive dialect that accepts
//! everything Buck2 accepts in any file type (interfaces.md §9). `buck-dialect` re-checks
//! BUCK and PACKAGE files against the stricter rules afterwards.

use starlark_syntax::syntax::{AstModule, Dialect, DialectTypes};

/// The permissive dialect: `.bzl` features everywhere, type annotations parse-only.
pub fn permissive_dialect() -> Dialect {
    Dialect {
        enable_def: true,
        enable_lambda: true,
        enable_load: true,
        enable_keyword_only_arguments: true,
        enable_positional_only_arguments: true,
        enable_types: DialectTypes::ParseOnly,
        enable_load_reexport: false,
        enable_top_level_stmt: true,
        enable_f_strings: true,
        ..Dialect::Standard
    }
}

/// Nesting depth above which a file is not handed to the recursive-descent parser.
/// Buck2 itself cannot evaluate such files; buck-lint reports them instead of
/// overflowing its stack.
pub const MAX_NESTING: usize = 20_000;

#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: std::ops::Range<usize>,
}

/// Parse Starlark text. The error carries the parser's message and byte span.
pub fn parse(display_name: &str, text: &str) -> Result<AstModule, SyntaxError> {
    if let Some(err) = check_nesting(text) {
        return Err(err);
    }
    match AstModule::parse(display_name, text.to_owned(), &permissive_dialect()) {
        Ok(m) => Ok(m),
        Err(e) => {
            let span = e.span().map(|fs| fs.span.begin().get() as usize..fs.span.end().get() as usize).unwrap_or(0..0);
            let message = e.without_diagnostic().to_string();
            let message = message.lines().next().unwrap_or("syntax error").trim().to_string();
            Err(SyntaxError { message, span })
        }
    }
}

/// Number of `(`, `[` and `{` bytes. Counted per 255-byte chunk into a byte-wide
/// accumulator, which the compiler turns into wide compares and adds (the `filter().count()`
/// form stays a byte-at-a-time loop).
fn count_open_brackets(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &b| n + ((b == b'(') | (b == b'[') | (b == b'{')) as u8) as usize)
        .sum()
}

/// Cheap scan for bracket nesting deeper than [`MAX_NESTING`], ignoring strings and comments.
fn check_nesting(text: &str) -> Option<SyntaxError> {
    let bytes = text.as_bytes();
    // Nesting cannot exceed the number of opening brackets (nor the length); counting them
    // vectorises, the scan below does not.
    if bytes.len() <= MAX_NESTING || count_open_brackets(bytes) <= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                // Skip a string literal (triple-quoted or not); unterminated strings end the scan.
                let triple = bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q {
                        if !triple {
                            break;
                        }
                        if bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q) {
                            i += 2;
                            break;
                        }
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(SyntaxError {
                        message: format!(
                            "brackets nested more than {MAX_NESTING} levels deep; buck-lint does not parse this file"
                        ),
                        span: i..i + 1,
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_buck2_constructs() {
        let src = r#"
load("@prelude//rust:cargo_package.bzl", "cargo")
def f(ctx: AnalysisContext, *, name: str = "x") -> list[Provider]:
    return [DefaultInfo()]
x = f"{1}"
if True:
    pass
"#;
        parse("x.bzl", src).unwrap();
    }

    #[test]
    fn reports_position_of_error() {
        let src = "load(\"//x.bzl\", \"a\"\n";
        let err = parse("BUCK", src).unwrap_err();
        assert!(err.span.start <= src.len(), "{err:?}");
    }

    #[test]
    fn open_brackets_are_counted() {
        let text = "f(a[1], {\"k\": (2)}) # ( [ {\n".repeat(40);
        let naive = text.bytes().filter(|b| matches!(b, b'(' | b'[' | b'{')).count();
        assert_eq!(count_open_brackets(text.as_bytes()), naive);
        assert_eq!(count_open_brackets(b""), 0);
    }

    #[test]
    fn deep_nesting_is_rejected_without_recursing() {
        let src = format!("x = {}{}\n", "[".repeat(MAX_NESTING + 5), "]".repeat(MAX_NESTING + 5));
        let err = parse("x.bzl", &src).unwrap_err();
        assert!(err.message.contains("nested"));
    }
}
