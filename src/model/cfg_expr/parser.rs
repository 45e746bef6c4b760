//! The recursive-descent parser of cfg predicates.

use super::*;

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

pub(super) struct Parser<'a> {
    pub(super) s: &'a str,
    pub(super) pos: usize,
}

pub(super) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

pub(super) fn is_word_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

pub(super) fn is_word_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

pub(super) fn is_delim(c: char) -> bool {
    matches!(c, '(' | ')' | ',' | '=')
}

impl<'a> Parser<'a> {
    pub(super) fn new(s: &'a str, pos: usize) -> Self {
        Parser { s, pos }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.s.get(self.pos..).and_then(|r| r.chars().next())
    }

    pub(super) fn peek_at(&self, pos: usize) -> Option<char> {
        self.s.get(pos..).and_then(|r| r.chars().next())
    }

    pub(super) fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_ws(c) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    pub(super) fn error(&self, message: impl Into<String>, span: Range<usize>) -> CfgParseError {
        CfgParseError { message: message.into(), span }
    }

    pub(super) fn error_at_end(&self, message: &str) -> CfgParseError {
        let len = self.s.len();
        self.error(message, len..len)
    }

    /// Span of the "token" starting at `pos`, for error messages: up to the next whitespace or
    /// delimiter, but at least one character. Empty at the end of input.
    pub(super) fn run_span(&self, pos: usize) -> Range<usize> {
        let Some(rest) = self.s.get(pos..) else {
            return self.s.len()..self.s.len();
        };
        if let Some(body) = rest.strip_prefix('"') {
            // A whole string literal (or up to the end when unterminated).
            let end = body.find('"').map_or(self.s.len(), |i| pos + 1 + i + 1);
            return pos..end;
        }
        let mut end = pos;
        for (i, c) in rest.char_indices() {
            if i > 0 && (is_ws(c) || is_delim(c) || c == '"') {
                break;
            }
            end = pos + i + c.len_utf8();
            if i == 0 && (is_ws(c) || is_delim(c)) {
                break;
            }
        }
        pos..end
    }

    /// After a complete predicate: everything left is junk.
    pub(super) fn finish(&self) -> Result<(), CfgParseError> {
        if self.pos >= self.s.len() {
            return Ok(());
        }
        let rest = &self.s[self.pos..];
        let skipped = rest.len() - rest.trim_start_matches(is_ws).len();
        let start = if skipped == rest.len() { self.pos } else { self.pos + skipped };
        if self.peek_at(start) == Some(')') {
            return Err(self.error("unbalanced parentheses", start..start + 1));
        }
        Err(self.error("trailing junk", start..self.s.len()))
    }

    /// Scan `word { "-" word }` at the current position (no whitespace skipping).
    pub(super) fn atom(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        if !self.word() {
            return None;
        }
        loop {
            if self.peek() != Some('-') {
                break;
            }
            match self.peek_at(self.pos + 1) {
                Some(c) if is_word_start(c) => {
                    self.pos += 1;
                    self.word();
                }
                _ => break,
            }
        }
        Some(start..self.pos)
    }

    pub(super) fn word(&mut self) -> bool {
        match self.peek() {
            Some(c) if is_word_start(c) => self.pos += c.len_utf8(),
            _ => return false,
        }
        while let Some(c) = self.peek() {
            if is_word_continue(c) {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        true
    }

    pub(super) fn predicate(&mut self, depth: usize) -> Result<CfgNode, CfgParseError> {
        self.skip_ws();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.error_at_end("incomplete input"));
        };
        if !is_word_start(c) {
            return Err(self.error("expected a predicate", self.run_span(start)));
        }
        let atom = self.atom().unwrap_or(start..start + c.len_utf8());
        let text = &self.s[atom.clone()];
        match text {
            "all" | "any" | "not" => self.operator(text, atom, depth),
            _ => self.leaf(text, atom),
        }
    }

    pub(super) fn operator(&mut self, kw: &str, kw_span: Range<usize>, depth: usize) -> Result<CfgNode, CfgParseError> {
        if depth >= MAX_NESTING {
            return Err(self.error("nesting too deep", kw_span));
        }
        self.skip_ws();
        match self.peek() {
            Some('(') => self.pos += 1,
            None => return Err(self.error_at_end("incomplete input")),
            Some(_) => {
                return Err(self.error(format!("expected `(` after `{kw}`"), self.run_span(self.pos)));
            }
        }
        let start = kw_span.start;
        if kw == "not" {
            self.skip_ws();
            if self.peek() == Some(')') {
                return Err(self.error("`not` takes exactly one predicate", self.pos..self.pos + 1));
            }
            let inner = self.predicate(depth + 1)?;
            self.skip_ws();
            return match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    Ok(CfgNode { expr: CfgExpr::Not(Box::new(inner)), span: start..self.pos })
                }
                Some(',') => Err(self.error("`not` takes exactly one predicate", self.pos..self.pos + 1)),
                None => Err(self.error_at_end("unbalanced parentheses")),
                Some(_) => Err(self.error("expected `)`", self.run_span(self.pos))),
            };
        }

        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                items.push(self.predicate(depth + 1)?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(')') {
                            return Err(self.error("trailing comma", comma..comma + 1));
                        }
                    }
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(self.error_at_end("unbalanced parentheses")),
                    Some(_) => {
                        return Err(self.error("expected `,` or `)`", self.run_span(self.pos)));
                    }
                }
            }
        }
        let expr = if kw == "all" { CfgExpr::All(items) } else { CfgExpr::Any(items) };
        Ok(CfgNode { expr, span: start..self.pos })
    }

    pub(super) fn leaf(&mut self, text: &str, atom: Range<usize>) -> Result<CfgNode, CfgParseError> {
        let after_atom = self.pos;
        self.skip_ws();
        match self.peek() {
            Some('(') => {
                return Err(self.error(format!("unknown operator `{text}`; expected `all`, `any` or `not`"), atom));
            }
            Some('=') => {
                if text == "unix" || text == "windows" {
                    return Err(self.error(format!("`{text}` takes no value"), self.pos..self.pos + 1));
                }
                self.pos += 1;
                let (raw, value_span) = self.expect_string()?;
                let span = atom.start..value_span.end;
                if text == "version" {
                    let req = VersionReq::parse(&raw).map_err(|e| {
                        self.error(format!("invalid version requirement `{raw}`: {e}"), value_span.clone())
                    })?;
                    return Ok(CfgNode { expr: CfgExpr::Version { req, raw, value_span }, span });
                }
                return Ok(CfgNode {
                    expr: CfgExpr::KeyValue { key: text.to_owned(), value: raw, key_span: atom, value_span },
                    span,
                });
            }
            _ => {}
        }
        self.pos = after_atom;
        let expr = match text {
            "unix" => CfgExpr::Unix,
            "windows" => CfgExpr::Windows,
            _ => CfgExpr::Key { key: text.to_owned(), span: atom.clone() },
        };
        Ok(CfgNode { expr, span: atom })
    }

    pub(super) fn expect_string(&mut self) -> Result<(String, Range<usize>), CfgParseError> {
        self.skip_ws();
        match self.peek() {
            Some('"') => self.string(),
            None => Err(self.error_at_end("incomplete input")),
            Some(_) => Err(self.error("expected a double-quoted string", self.run_span(self.pos))),
        }
    }

    /// A string literal at the current position (which holds `"`). Returns the raw contents and
    /// the span of the whole literal.
    pub(super) fn string(&mut self) -> Result<(String, Range<usize>), CfgParseError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated string", start..self.s.len()));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    let raw = self.s[start + 1..self.pos - 1].to_owned();
                    return Ok((raw, start..self.pos));
                }
                '\\' => match self.peek_at(self.pos + 1) {
                    Some('n' | '"' | '\\') => self.pos += 2,
                    Some(e) if !e.is_ascii() => {
                        let at = self.pos + 1;
                        return Err(self.error("non-ASCII character in string", at..at + e.len_utf8()));
                    }
                    Some(e) => {
                        return Err(self.error(
                            "invalid escape in string (only \\n, \\\" and \\\\ are allowed)",
                            self.pos..self.pos + 1 + e.len_utf8(),
                        ));
                    }
                    None => {
                        return Err(self.error("unterminated string", start..self.s.len()));
                    }
                },
                c if !c.is_ascii() => {
                    return Err(self.error("non-ASCII character in string", self.pos..self.pos + c.len_utf8()));
                }
                c if c == ' ' || c.is_ascii_graphic() => self.pos += 1,
                _ => {
                    return Err(self.error("invalid character in string", self.pos..self.pos + 1));
                }
            }
        }
    }
}
