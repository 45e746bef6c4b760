//! `cfg(...)` predicates of Reindeer fixups section keys.
//!
//! This module parses the predicate grammar of `reindeer-schema.md` §4, keeps byte spans for
//! every node (relative to the parsed string, so callers can map them into the TOML key), renders
//! predicates canonically and evaluates them against a platform, or three-valued against a
//! package version only.
//!
//! The parser never panics. Every error carries a span that lies on `char` boundaries of the
//! input, and nesting deeper than [`MAX_NESTING`] operators is rejected before recursion can
//! exhaust the stack.

use std::fmt;
use std::ops::Range;

use semver::{Version, VersionReq};

/// Maximum number of nested `all`/`any`/`not` operators accepted by the parser.
pub const MAX_NESTING: usize = 200;

/// One predicate of a `cfg(...)` expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CfgExpr {
    /// `all(p, ...)`; `all()` is always true.
    All(Vec<CfgNode>),
    /// `any(p, ...)`; `any()` is always false.
    Any(Vec<CfgNode>),
    /// `not(p)`.
    Not(Box<CfgNode>),
    /// `version = "req"`. `raw` is the string's contents as written; `value_span` covers the
    /// whole string literal, quotes included.
    Version { req: VersionReq, raw: String, value_span: Range<usize> },
    /// `unix`: `target_family = "unix"`.
    Unix,
    /// `windows`: `target_family = "windows"`.
    Windows,
    /// `key = "value"`. `value` is the string's contents as written (escapes such as `\"` are
    /// kept, not decoded, which is what Reindeer compares). `value_span` covers the whole string
    /// literal, quotes included.
    KeyValue { key: String, value: String, key_span: Range<usize>, value_span: Range<usize> },
    /// A bare `key`.
    Key { key: String, span: Range<usize> },
}

/// A predicate together with its byte span in the parsed string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CfgNode {
    pub expr: CfgExpr,
    pub span: Range<usize>,
}

/// A syntax error. `span` is a byte range within the parsed string (possibly empty, at the end
/// of the input, for "incomplete input" and "unbalanced parentheses").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CfgParseError {
    pub message: String,
    pub span: Range<usize>,
}

impl fmt::Display for CfgParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CfgParseError {}

/// Parse a fixups section key such as `cfg(all(target_os = "linux", version = ">=1"))`.
///
/// Returns `Ok(None)` when the key does not start with `cfg(` (not a conditional section).
/// The returned node is the predicate inside `cfg(...)`; all spans are byte ranges within `key`.
/// As in Reindeer, nothing (not even whitespace) may follow the closing parenthesis.
pub fn parse_section_key(key: &str) -> Result<Option<CfgNode>, CfgParseError> {
    const PREFIX: &str = "cfg(";
    if !key.starts_with(PREFIX) {
        return Ok(None);
    }
    let mut p = Parser::new(key, PREFIX.len());
    let node = p.predicate(0)?;
    p.skip_ws();
    match p.peek() {
        Some(')') => p.pos += 1,
        Some(',') => {
            return Err(p.error("`cfg()` takes exactly one predicate", p.pos..p.pos + 1));
        }
        None => return Err(p.error_at_end("unbalanced parentheses")),
        Some(_) => return Err(p.error("expected `)`", p.run_span(p.pos))),
    }
    p.finish()?;
    Ok(Some(node))
}

/// Parse a bare predicate (no `cfg(...)` wrapper). Leading and trailing whitespace is allowed.
pub fn parse_predicate(s: &str) -> Result<CfgNode, CfgParseError> {
    let mut p = Parser::new(s, 0);
    let node = p.predicate(0)?;
    p.skip_ws();
    p.finish()?;
    Ok(node)
}

impl std::str::FromStr for CfgNode {
    type Err = CfgParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_predicate(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_word_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_word_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

fn is_delim(c: char) -> bool {
    matches!(c, '(' | ')' | ',' | '=')
}

impl<'a> Parser<'a> {
    fn new(s: &'a str, pos: usize) -> Self {
        Parser { s, pos }
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.pos..).and_then(|r| r.chars().next())
    }

    fn peek_at(&self, pos: usize) -> Option<char> {
        self.s.get(pos..).and_then(|r| r.chars().next())
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_ws(c) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn error(&self, message: impl Into<String>, span: Range<usize>) -> CfgParseError {
        CfgParseError { message: message.into(), span }
    }

    fn error_at_end(&self, message: &str) -> CfgParseError {
        let len = self.s.len();
        self.error(message, len..len)
    }

    /// Span of the "token" starting at `pos`, for error messages: up to the next whitespace or
    /// delimiter, but at least one character. Empty at the end of input.
    fn run_span(&self, pos: usize) -> Range<usize> {
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
    fn finish(&self) -> Result<(), CfgParseError> {
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
    fn atom(&mut self) -> Option<Range<usize>> {
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

    fn word(&mut self) -> bool {
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

    fn predicate(&mut self, depth: usize) -> Result<CfgNode, CfgParseError> {
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

    fn operator(&mut self, kw: &str, kw_span: Range<usize>, depth: usize) -> Result<CfgNode, CfgParseError> {
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

    fn leaf(&mut self, text: &str, atom: Range<usize>) -> Result<CfgNode, CfgParseError> {
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

    fn expect_string(&mut self) -> Result<(String, Range<usize>), CfgParseError> {
        self.skip_ws();
        match self.peek() {
            Some('"') => self.string(),
            None => Err(self.error_at_end("incomplete input")),
            Some(_) => Err(self.error("expected a double-quoted string", self.run_span(self.pos))),
        }
    }

    /// A string literal at the current position (which holds `"`). Returns the raw contents and
    /// the span of the whole literal.
    fn string(&mut self) -> Result<(String, Range<usize>), CfgParseError> {
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

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

fn write_list(f: &mut fmt::Formatter<'_>, name: &str, items: &[CfgNode]) -> fmt::Result {
    f.write_str(name)?;
    f.write_str("(")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        fmt::Display::fmt(&item.expr, f)?;
    }
    f.write_str(")")
}

/// Canonical rendering: `all(target_os = "linux", version = ">=1")`.
impl fmt::Display for CfgExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfgExpr::All(items) => write_list(f, "all", items),
            CfgExpr::Any(items) => write_list(f, "any", items),
            CfgExpr::Not(inner) => {
                f.write_str("not(")?;
                fmt::Display::fmt(&inner.expr, f)?;
                f.write_str(")")
            }
            CfgExpr::Version { raw, .. } => write!(f, "version = \"{raw}\""),
            CfgExpr::Unix => f.write_str("unix"),
            CfgExpr::Windows => f.write_str("windows"),
            CfgExpr::KeyValue { key, value, .. } => write!(f, "{key} = \"{value}\""),
            CfgExpr::Key { key, .. } => f.write_str(key),
        }
    }
}

/// Canonical rendering of the predicate (without the `cfg(...)` wrapper); `to_string()` comes
/// from this impl.
impl fmt::Display for CfgNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.expr, f)
    }
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic
// ---------------------------------------------------------------------------------------------

/// Kleene three-valued truth value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// Conjunction of all items; `True` for none.
    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::True, Tri::and)
    }

    /// Disjunction of all items; `False` for none.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::False, Tri::or)
    }

    pub fn is_true(self) -> bool {
        self == Tri::True
    }

    pub fn is_false(self) -> bool {
        self == Tri::False
    }

    pub fn is_unknown(self) -> bool {
        self == Tri::Unknown
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        Tri::from_bool(b)
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        Tri::not(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// The cfg set of one platform: keys (`unix`, `target_os`, ...) and, per key, its values.
pub trait PlatformCfg {
    /// The platform defines `key` (bare, or with any value).
    fn has_key(&self, key: &str) -> bool;
    /// The platform's set of values for `key` contains `value`.
    fn has_value(&self, key: &str, value: &str) -> bool;
}

impl CfgExpr {
    /// A leaf (anything but `all`/`any`/`not`).
    pub fn is_atom(&self) -> bool {
        !matches!(self, CfgExpr::All(_) | CfgExpr::Any(_) | CfgExpr::Not(_))
    }

    pub fn is_version(&self) -> bool {
        matches!(self, CfgExpr::Version { .. })
    }

    /// `feature = "..."`, which Reindeer always evaluates to false.
    pub fn is_feature(&self) -> bool {
        matches!(self, CfgExpr::KeyValue { key, .. } if key == "feature")
    }

    /// The key this atom tests, if any (`target_os` for `target_os = "linux"`, `unix` and
    /// `windows` count as `target_family`; `None` for operators and version atoms).
    pub fn key(&self) -> Option<&str> {
        match self {
            CfgExpr::KeyValue { key, .. } | CfgExpr::Key { key, .. } => Some(key),
            CfgExpr::Unix | CfgExpr::Windows => Some("target_family"),
            _ => None,
        }
    }
}

impl CfgNode {
    fn eval_with(&self, atom: &dyn Fn(&CfgExpr) -> Tri) -> Tri {
        match &self.expr {
            CfgExpr::All(items) => Tri::all(items.iter().map(|n| n.eval_with(atom))),
            CfgExpr::Any(items) => Tri::any(items.iter().map(|n| n.eval_with(atom))),
            CfgExpr::Not(inner) => inner.eval_with(atom).not(),
            leaf => atom(leaf),
        }
    }

    fn collect_atoms<'n>(&'n self, out: &mut Vec<&'n CfgNode>) {
        match &self.expr {
            CfgExpr::All(items) | CfgExpr::Any(items) => {
                for item in items {
                    item.collect_atoms(out);
                }
            }
            CfgExpr::Not(inner) => inner.collect_atoms(out),
            _ => out.push(self),
        }
    }

    /// All leaf atoms, left to right.
    pub fn atoms(&self) -> Vec<&CfgNode> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    /// True if every atom is a version atom. `all()`/`any()` without atoms count as version-only.
    pub fn uses_only_version(&self) -> bool {
        self.atoms().iter().all(|a| a.expr.is_version())
    }

    /// True if some atom is a version atom.
    pub fn has_version(&self) -> bool {
        self.atoms().iter().any(|a| a.expr.is_version())
    }

    /// The requirements of all version atoms, left to right.
    pub fn version_reqs(&self) -> Vec<&VersionReq> {
        self.atoms()
            .into_iter()
            .filter_map(|a| match &a.expr {
                CfgExpr::Version { req, .. } => Some(req),
                _ => None,
            })
            .collect()
    }

    /// Three-valued evaluation against a package version only: version atoms are true or
    /// false, every other atom is unknown; `all`/`any`/`not` follow Kleene logic.
    pub fn eval_version(&self, v: &Version) -> Tri {
        self.eval_with(&|leaf| match leaf {
            CfgExpr::Version { req, .. } => Tri::from_bool(req.matches(v)),
            _ => Tri::Unknown,
        })
    }

    /// Evaluation on one platform (`reindeer-schema.md` §4). `unix`/`windows` hold when the
    /// platform has `target_family = "unix"`/`"windows"` (or the bare `unix`/`windows` key, as
    /// `rustc --print=cfg` also prints it); `feature = "x"` is always false; version atoms are
    /// unknown when `version` is `None`.
    pub fn eval(&self, platform: &dyn PlatformCfg, version: Option<&Version>) -> Tri {
        self.eval_with(&|leaf| match leaf {
            CfgExpr::Version { req, .. } => match version {
                Some(v) => Tri::from_bool(req.matches(v)),
                None => Tri::Unknown,
            },
            CfgExpr::Unix => Tri::from_bool(platform.has_value("target_family", "unix") || platform.has_key("unix")),
            CfgExpr::Windows => {
                Tri::from_bool(platform.has_value("target_family", "windows") || platform.has_key("windows"))
            }
            CfgExpr::KeyValue { key, .. } if key == "feature" => Tri::False,
            CfgExpr::KeyValue { key, value, .. } => Tri::from_bool(platform.has_value(key, value)),
            CfgExpr::Key { key, .. } => Tri::from_bool(platform.has_key(key)),
            // Operators are handled by eval_with.
            CfgExpr::All(_) | CfgExpr::Any(_) | CfgExpr::Not(_) => Tri::Unknown,
        })
    }

    /// The section key for this predicate: `cfg(<canonical rendering>)`.
    pub fn section_key(&self) -> String {
        format!("cfg({self})")
    }

    /// Structural equality ignoring spans.
    pub fn same_shape(&self, other: &CfgNode) -> bool {
        fn list(a: &[CfgNode], b: &[CfgNode]) -> bool {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_shape(y))
        }
        match (&self.expr, &other.expr) {
            (CfgExpr::All(a), CfgExpr::All(b)) | (CfgExpr::Any(a), CfgExpr::Any(b)) => list(a, b),
            (CfgExpr::Not(a), CfgExpr::Not(b)) => a.same_shape(b),
            (CfgExpr::Version { req: a, raw: ra, .. }, CfgExpr::Version { req: b, raw: rb, .. }) => a == b && ra == rb,
            (CfgExpr::Unix, CfgExpr::Unix) | (CfgExpr::Windows, CfgExpr::Windows) => true,
            (CfgExpr::KeyValue { key: ka, value: va, .. }, CfgExpr::KeyValue { key: kb, value: vb, .. }) => {
                ka == kb && va == vb
            }
            (CfgExpr::Key { key: a, .. }, CfgExpr::Key { key: b, .. }) => a == b,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Version suggestions (fixup-version-matches-nothing)
// ---------------------------------------------------------------------------------------------

/// Requirements to suggest when a `version = "..."` atom matches no locked version, e.g.
/// `["=0.48.5", "^0.48"]`.
///
/// Picks the locked version nearest to `req`'s first comparator (by major, then minor, then
/// patch distance; ties go to the newer version), or the newest locked version when `req` is
/// `None` or has no comparator. Returns an exact pin and, for non-prerelease versions, the caret
/// requirement of its compatibility range (omitted for `0.0.x`, where it equals the pin).
/// Empty when `locked` is empty.
pub fn suggest_requirement(locked: &[Version], req: Option<&VersionReq>) -> Vec<String> {
    let Some(best) = nearest_locked(locked, req) else {
        return Vec::new();
    };
    let mut out = vec![format!("={best}")];
    if best.pre.is_empty() {
        if best.major > 0 {
            out.push(format!("^{}", best.major));
        } else if best.minor > 0 {
            out.push(format!("^0.{}", best.minor));
        }
    }
    out
}

/// The locked version nearest to `req` (see [`suggest_requirement`]).
pub fn nearest_locked<'v>(locked: &'v [Version], req: Option<&VersionReq>) -> Option<&'v Version> {
    let target = req.and_then(|r| r.comparators.first()).map(|c| (c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)));
    match target {
        None => locked.iter().max(),
        Some((ma, mi, pa)) => {
            let dist = |v: &Version| (v.major.abs_diff(ma), v.minor.abs_diff(mi), v.patch.abs_diff(pa));
            locked.iter().min_by(|a, b| dist(a).cmp(&dist(b)).then_with(|| b.cmp(a)))
        }
    }
}

/// Help text for `fixup-version-matches-nothing`, e.g.
/// "lock has 0.48.5, 0.52.6; did you mean `=0.48.5` or `^0.48`?". `None` when `locked` is empty.
pub fn version_mismatch_help(locked: &[Version], req: Option<&VersionReq>) -> Option<String> {
    let suggestions = suggest_requirement(locked, req);
    if suggestions.is_empty() {
        return None;
    }
    let mut versions: Vec<&Version> = locked.iter().collect();
    versions.sort();
    versions.dedup();
    let versions: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
    Some(format!("lock has {}; did you mean {}?", versions.join(", "), quoted.join(" or ")))
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn key(s: &str) -> CfgNode {
        parse_section_key(s)
            .unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
            .unwrap_or_else(|| panic!("{s:?} is not a cfg key"))
    }

    fn pred(s: &str) -> CfgNode {
        parse_predicate(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    fn key_err(s: &str) -> CfgParseError {
        match parse_section_key(s) {
            Err(e) => e,
            Ok(n) => panic!("{s:?} parsed: {n:?}"),
        }
    }

    fn pred_err(s: &str) -> CfgParseError {
        match parse_predicate(s) {
            Err(e) => e,
            Ok(n) => panic!("{s:?} parsed: {n:?}"),
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    /// Span substring helper.
    fn at<'a>(s: &'a str, span: &Range<usize>) -> &'a str {
        &s[span.clone()]
    }

    // ---- grammar ------------------------------------------------------------------------------

    #[test]
    fn not_a_cfg_key() {
        assert_eq!(parse_section_key("visibility"), Ok(None));
        assert_eq!(parse_section_key("linux"), Ok(None));
        assert_eq!(parse_section_key("x86_64-unknown-linux-gnu"), Ok(None));
        assert_eq!(parse_section_key(" cfg(unix)"), Ok(None));
        assert_eq!(parse_section_key("cfg (unix)"), Ok(None));
        assert_eq!(parse_section_key("cfgs"), Ok(None));
        assert_eq!(parse_section_key(""), Ok(None));
    }

    #[test]
    fn unix_windows() {
        let s = "cfg(unix)";
        let n = key(s);
        assert_eq!(n.expr, CfgExpr::Unix);
        assert_eq!(at(s, &n.span), "unix");
        assert_eq!(key("cfg(windows)").expr, CfgExpr::Windows);
        // Keyword prefixes are ordinary atoms.
        let n = key("cfg(any(windows_raw_dylib, windows-xp, unix-like))");
        let CfgExpr::Any(items) = &n.expr else { panic!() };
        let keys: Vec<_> = items.iter().map(|i| i.expr.key().unwrap()).collect();
        assert_eq!(keys, ["windows_raw_dylib", "windows-xp", "unix-like"]);
    }

    #[test]
    fn key_value_spans() {
        let s = r#"cfg(target_os = "linux")"#;
        let n = key(s);
        let CfgExpr::KeyValue { key: k, value, key_span, value_span } = &n.expr else { panic!("{n:?}") };
        assert_eq!(k, "target_os");
        assert_eq!(value, "linux");
        assert_eq!(at(s, key_span), "target_os");
        assert_eq!(at(s, value_span), "\"linux\"");
        assert_eq!(at(s, &n.span), r#"target_os = "linux""#);
        // No whitespace, empty string.
        let n = key(r#"cfg(target_env="")"#);
        assert!(matches!(&n.expr, CfgExpr::KeyValue { value, .. } if value.is_empty()));
    }

    #[test]
    fn bare_key() {
        let s = "cfg(  foobar  )";
        let n = key(s);
        assert_eq!(n.expr, CfgExpr::Key { key: "foobar".into(), span: 6..12 });
        assert_eq!(n.span, 6..12);
        // Bare `version` (no `=`) is an ordinary key, as in Reindeer.
        assert!(matches!(key("cfg(version)").expr, CfgExpr::Key { ref key, .. } if key == "version"));
        // Hyphenated atoms, unicode identifiers.
        assert!(
            matches!(pred("x86_64-unknown-linux-gnu").expr, CfgExpr::Key { ref key, .. } if key == "x86_64-unknown-linux-gnu")
        );
        assert!(matches!(pred("_ünï").expr, CfgExpr::Key { ref key, .. } if key == "_ünï"));
    }

    #[test]
    fn version_atom() {
        let s = r#"cfg(version = ">=6.0, <8.0")"#;
        let n = key(s);
        let CfgExpr::Version { req, raw, value_span } = &n.expr else { panic!() };
        assert_eq!(raw, ">=6.0, <8.0");
        assert_eq!(req, &VersionReq::parse(">=6.0, <8.0").unwrap());
        assert_eq!(at(s, value_span), "\">=6.0, <8.0\"");
        assert_eq!(at(s, &n.span), r#"version = ">=6.0, <8.0""#);
    }

    #[test]
    fn operators() {
        let s = r#"cfg(all(not(target_os = "macos"), not(windows), any()))"#;
        let n = key(s);
        assert_eq!(at(s, &n.span), &s[4..s.len() - 1]);
        let CfgExpr::All(items) = &n.expr else { panic!() };
        assert_eq!(items.len(), 3);
        assert_eq!(at(s, &items[0].span), r#"not(target_os = "macos")"#);
        assert_eq!(at(s, &items[1].span), "not(windows)");
        assert_eq!(items[2].expr, CfgExpr::Any(vec![]));
        assert_eq!(at(s, &items[2].span), "any()");
        assert_eq!(key("cfg(all())").expr, CfgExpr::All(vec![]));
        assert_eq!(key("cfg(all( ))").expr, CfgExpr::All(vec![]));
        // Whitespace everywhere between tokens (ASCII whitespace, including newlines).
        let n = key("cfg( all \t(\n unix ,\r\n windows ) )");
        assert!(matches!(&n.expr, CfgExpr::All(v) if v.len() == 2));
    }

    #[test]
    fn string_escapes() {
        let s = r#"cfg(k = "a\"b\\c\nd e")"#;
        let n = key(s);
        let CfgExpr::KeyValue { value, .. } = &n.expr else { panic!() };
        assert_eq!(value, r#"a\"b\\c\nd e"#);
        assert_eq!(n.to_string(), r#"k = "a\"b\\c\nd e""#);
    }

    #[test]
    fn duplicate_key_idiom() {
        let a = key(r#"cfg(all(target_os = "linux"))"#);
        let b = key(r#"cfg(any(all(target_os = "linux")))"#);
        assert_ne!(a.section_key(), b.section_key());
        let linux = TestPlatform::new(&[("target_os", "linux"), ("target_family", "unix")]);
        let mac = TestPlatform::new(&[("target_os", "macos"), ("target_family", "unix")]);
        for p in [&linux, &mac] {
            assert_eq!(a.eval(p, None), b.eval(p, None));
        }
        assert_eq!(b.eval(&linux, None), Tri::True);
        assert_eq!(b.eval(&mac, None), Tri::False);
    }

    // ---- errors -------------------------------------------------------------------------------

    fn check_err(s: &str, message: &str, span_text: &str) {
        let e = key_err(s);
        assert!(e.message.starts_with(message), "{s:?}: message {:?}, expected {message:?}", e.message);
        assert_eq!(at(s, &e.span), span_text, "{s:?}: span {:?}", e.span);
    }

    #[test]
    fn error_unquoted_value() {
        let s = "cfg(target_os = linux)";
        let e = key_err(s);
        assert_eq!(e.message, "expected a double-quoted string");
        assert_eq!(e.span, 16..21);
        assert_eq!(at(s, &e.span), "linux");
        check_err("cfg(target_os = 'linux')", "expected a double-quoted string", "'linux'");
        check_err("cfg(version = 1.0)", "expected a double-quoted string", "1.0");
        check_err("cfg(target_os = )", "expected a double-quoted string", ")");
    }

    #[test]
    fn error_unbalanced() {
        let s = "cfg(all(unix)";
        let e = key_err(s);
        assert_eq!(e.message, "unbalanced parentheses");
        assert_eq!(e.span, 13..13);
        let e = key_err("cfg(unix");
        assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 8..8));
        let e = key_err("cfg(all(unix, windows");
        assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 21..21));
        let e = key_err("cfg(not(unix)");
        assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 13..13));
        let e = key_err("cfg(");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 4..4));
        let e = key_err("cfg(all(");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 8..8));
        let e = key_err("cfg(all");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 7..7));
        let e = key_err("cfg(target_os =");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 15..15));
        let e = key_err("cfg(all(unix, ");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 14..14));
        // An extra closing parenthesis.
        let s = "cfg(all(unix)))";
        let e = key_err(s);
        assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 14..15));
        let e = pred_err("unix )");
        assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 5..6));
    }

    #[test]
    fn error_trailing_comma() {
        let s = "cfg(all(unix, windows,))";
        let e = key_err(s);
        assert_eq!(e.message, "trailing comma");
        assert_eq!(e.span, 21..22);
        let e = key_err("cfg(any(unix , ) )");
        assert_eq!((e.message.as_str(), e.span), ("trailing comma", 13..14));
        check_err("cfg(all(,))", "expected a predicate", ",");
        check_err("cfg(all(unix,,windows))", "expected a predicate", ",");
    }

    #[test]
    fn error_trailing_junk() {
        let s = "cfg(unix) foo";
        let e = key_err(s);
        assert_eq!(e.message, "trailing junk");
        assert_eq!(at(s, &e.span), "foo");
        // As in Reindeer, even whitespace after the closing parenthesis is junk.
        let s = "cfg(unix) ";
        let e = key_err(s);
        assert_eq!((e.message.as_str(), e.span), ("trailing junk", 9..10));
        let s = "cfg(unix)x";
        assert_eq!(key_err(s).span, 9..10);
        // parse_predicate allows surrounding whitespace, but nothing else.
        assert!(parse_predicate("  unix \n").is_ok());
        let s = "unix windows";
        let e = pred_err(s);
        assert_eq!((e.message.as_str(), at(s, &e.span)), ("trailing junk", "windows"));
        let s = r#"target_os = "linux" extra"#;
        assert_eq!(at(s, &pred_err(s).span), "extra");
    }

    #[test]
    fn error_strings() {
        let s = "cfg(target_os = \"lïnux\")";
        let e = key_err(s);
        assert_eq!(e.message, "non-ASCII character in string");
        assert_eq!(at(s, &e.span), "ï");
        assert_eq!(e.span, 18..20);
        check_err("cfg(k = \"a\\é\")", "non-ASCII character in string", "é");
        check_err("cfg(k = \"a\\tb\")", "invalid escape in string", "\\t");
        check_err("cfg(k = \"a\tb\")", "invalid character in string", "\t");
        check_err("cfg(k = \"ab)", "unterminated string", "\"ab)");
        check_err("cfg(k = \"ab\\", "unterminated string", "\"ab\\");
    }

    #[test]
    fn error_version() {
        let s = r#"cfg(version = "not a version")"#;
        let e = key_err(s);
        let semver_msg = VersionReq::parse("not a version").unwrap_err().to_string();
        assert_eq!(e.message, format!("invalid version requirement `not a version`: {semver_msg}"));
        assert_eq!(at(s, &e.span), "\"not a version\"");
        check_err(r#"cfg(all(unix, version = ">=1.0,"))"#, "invalid version requirement", "\">=1.0,\"");
        check_err(r#"cfg(version = "")"#, "invalid version requirement", "\"\"");
    }

    #[test]
    fn error_operator_shapes() {
        check_err("cfg(not())", "`not` takes exactly one predicate", ")");
        check_err("cfg(not(unix, windows))", "`not` takes exactly one predicate", ",");
        check_err("cfg(not(unix windows))", "expected `)`", "windows");
        check_err("cfg(all = \"x\")", "expected `(` after `all`", "=");
        check_err("cfg(any unix)", "expected `(` after `any`", "unix");
        check_err("cfg(all(unix windows))", "expected `,` or `)`", "windows");
        check_err("cfg(nott(unix))", "unknown operator `nott`", "nott");
        check_err("cfg(cfg(unix))", "unknown operator `cfg`", "cfg");
        check_err("cfg(unix = \"x\")", "`unix` takes no value", "=");
        check_err("cfg(windows=\"x\")", "`windows` takes no value", "=");
        check_err("cfg(unix, windows)", "`cfg()` takes exactly one predicate", ",");
        check_err("cfg(unix windows)", "expected `)`", "windows");
        check_err("cfg())", "expected a predicate", ")");
        check_err("cfg(123)", "expected a predicate", "123");
        check_err("cfg(\"linux\")", "expected a predicate", "\"linux\"");
        check_err("cfg(-unix)", "expected a predicate", "-unix");
        check_err("cfg(a-)", "expected `)`", "-");
        check_err("cfg(a = \"x\" = \"y\")", "expected `)`", "=");
        check_err("cfg(\u{a0}unix)", "expected a predicate", "\u{a0}unix");
        let e = pred_err("");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 0..0));
        let e = pred_err("   ");
        assert_eq!((e.message.as_str(), e.span), ("incomplete input", 3..3));
    }

    #[test]
    fn nesting_limit() {
        let nested = |n: usize| format!("{}unix{}", "not(".repeat(n), ")".repeat(n));
        assert!(parse_predicate(&nested(MAX_NESTING)).is_ok());
        let s = nested(MAX_NESTING + 1);
        let e = pred_err(&s);
        assert_eq!(e.message, "nesting too deep");
        assert_eq!(e.span, 4 * MAX_NESTING..4 * MAX_NESTING + 3);
        // Far deeper than the stack could take, in the section-key form too.
        let s = format!("cfg({}", "all(any(".repeat(100_000));
        let e = key_err(&s);
        assert_eq!(e.message, "nesting too deep");
        let s = format!("cfg({}", "all(".repeat(1_000_000));
        assert_eq!(key_err(&s).message, "nesting too deep");
        // Long flat lists are fine.
        let s = format!("cfg(any({}unix))", "unix, ".repeat(100_000));
        assert!(matches!(key(&s).expr, CfgExpr::Any(v) if v.len() == 100_001));
    }

    // ---- rendering ----------------------------------------------------------------------------

    #[test]
    fn to_string_canonical() {
        let cases = [
            ("cfg(unix)", "unix"),
            ("cfg(  all( )  )", "all()"),
            ("cfg(any())", "any()"),
            (r#"cfg(all(target_os="linux",version=">=1"))"#, r#"all(target_os = "linux", version = ">=1")"#),
            ("cfg(not ( any ( windows , foo-bar , k = \"v\" ) ))", r#"not(any(windows, foo-bar, k = "v"))"#),
            (r#"cfg(any(all(target_os = "linux")))"#, r#"any(all(target_os = "linux"))"#),
        ];
        for (input, canon) in cases {
            let n = key(input);
            assert_eq!(n.to_string(), canon, "{input:?}");
            assert_eq!(n.section_key(), format!("cfg({canon})"));
            // Canonical form is a fixed point.
            let again = key(&n.section_key());
            assert_eq!(again.section_key(), n.section_key());
            assert!(again.same_shape(&n));
            assert_eq!(pred(canon).to_string(), canon);
        }
    }

    // ---- evaluation ---------------------------------------------------------------------------

    struct TestPlatform(HashMap<String, HashSet<String>>);

    impl TestPlatform {
        fn new(pairs: &[(&str, &str)]) -> Self {
            let mut m: HashMap<String, HashSet<String>> = HashMap::new();
            for (k, val) in pairs {
                let set = m.entry((*k).to_owned()).or_default();
                if !val.is_empty() {
                    set.insert((*val).to_owned());
                }
            }
            TestPlatform(m)
        }
    }

    impl PlatformCfg for TestPlatform {
        fn has_key(&self, key: &str) -> bool {
            self.0.contains_key(key)
        }
        fn has_value(&self, key: &str, value: &str) -> bool {
            self.0.get(key).is_some_and(|s| s.contains(value))
        }
    }

    fn linux() -> TestPlatform {
        TestPlatform::new(&[
            ("target_os", "linux"),
            ("target_arch", "x86_64"),
            ("target_family", "unix"),
            ("target_env", "gnu"),
            ("panic", "unwind"),
            ("debug_assertions", ""),
        ])
    }

    fn windows() -> TestPlatform {
        TestPlatform::new(&[
            ("target_os", "windows"),
            ("target_arch", "x86_64"),
            ("target_family", "windows"),
            ("target_env", "msvc"),
        ])
    }

    #[test]
    fn eval_table() {
        let (l, w) = (linux(), windows());
        let table: &[(&str, Tri, Tri)] = &[
            ("all()", Tri::True, Tri::True),
            ("any()", Tri::False, Tri::False),
            ("not(all())", Tri::False, Tri::False),
            ("not(any())", Tri::True, Tri::True),
            ("unix", Tri::True, Tri::False),
            ("windows", Tri::False, Tri::True),
            ("not(unix)", Tri::False, Tri::True),
            (r#"target_os = "linux""#, Tri::True, Tri::False),
            (r#"target_os = "freebsd""#, Tri::False, Tri::False),
            (r#"all(unix, target_arch = "x86_64")"#, Tri::True, Tri::False),
            (r#"any(windows, target_env = "gnu")"#, Tri::True, Tri::True),
            (r#"feature = "simd""#, Tri::False, Tri::False),
            (r#"not(feature = "simd")"#, Tri::True, Tri::True),
            ("debug_assertions", Tri::True, Tri::False),
            ("target_os", Tri::True, Tri::True),
            ("no_such_key", Tri::False, Tri::False),
            (r#"version = ">=1""#, Tri::Unknown, Tri::Unknown),
            (r#"all(windows, version = ">=1")"#, Tri::False, Tri::Unknown),
            (r#"any(unix, version = ">=1")"#, Tri::True, Tri::Unknown),
        ];
        for (s, on_linux, on_windows) in table {
            let n = pred(s);
            assert_eq!(n.eval(&l, None), *on_linux, "{s} on linux");
            assert_eq!(n.eval(&w, None), *on_windows, "{s} on windows");
        }
        // `unix` also holds via the bare `unix` key that rustc prints.
        let bare = TestPlatform::new(&[("unix", "")]);
        assert_eq!(pred("unix").eval(&bare, None), Tri::True);
        // With a version, version atoms are decided.
        let n = pred(r#"all(windows, version = "^0.48")"#);
        assert_eq!(n.eval(&w, Some(&v("0.48.5"))), Tri::True);
        assert_eq!(n.eval(&w, Some(&v("0.52.6"))), Tri::False);
        assert_eq!(n.eval(&l, Some(&v("0.48.5"))), Tri::False);
    }

    #[test]
    fn tri_logic() {
        use Tri::*;
        let all = [True, False, Unknown];
        for a in all {
            for b in all {
                let and = a.and(b);
                let or = a.or(b);
                // De Morgan.
                assert_eq!(and.not(), a.not().or(b.not()));
                assert_eq!(or.not(), a.not().and(b.not()));
                assert_eq!(!and, and.not());
            }
        }
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(Unknown.not(), Unknown);
        assert_eq!(Tri::all([]), True);
        assert_eq!(Tri::any([]), False);
        assert_eq!(Tri::from(true), True);
        assert!(Unknown.is_unknown() && True.is_true() && False.is_false());
    }

    #[test]
    fn three_valued_version() {
        let n = key(r#"cfg(all(target_os = "windows", version = "=0.48.0"))"#);
        assert_eq!(n.eval_version(&v("0.48.5")), Tri::False);
        assert_eq!(n.eval_version(&v("0.52.6")), Tri::False);
        assert_eq!(n.eval_version(&v("0.48.0")), Tri::Unknown);

        let n = key(r#"cfg(version = "^0.48")"#);
        assert_eq!(n.eval_version(&v("0.48.5")), Tri::True);
        assert_eq!(n.eval_version(&v("0.52.6")), Tri::False);

        // Bare version means caret.
        let n = key(r#"cfg(version = "0.48.0")"#);
        assert_eq!(n.eval_version(&v("0.48.5")), Tri::True);
        assert_eq!(n.eval_version(&v("0.49.0")), Tri::False);

        let n = key(r#"cfg(any(unix, version = "<0.29"))"#);
        assert_eq!(n.eval_version(&v("0.28.1")), Tri::True);
        assert_eq!(n.eval_version(&v("0.29.0")), Tri::Unknown);

        let n = key(r#"cfg(not(version = ">=0.18"))"#);
        assert_eq!(n.eval_version(&v("0.17.5")), Tri::True);
        assert_eq!(n.eval_version(&v("0.18.0")), Tri::False);

        let n = key(r#"cfg(not(unix))"#);
        assert_eq!(n.eval_version(&v("1.0.0")), Tri::Unknown);
        assert_eq!(key("cfg(all())").eval_version(&v("1.0.0")), Tri::True);
        assert_eq!(key("cfg(any())").eval_version(&v("1.0.0")), Tri::False);
    }

    #[test]
    fn version_only_and_atoms() {
        assert!(key(r#"cfg(version = ">=2")"#).uses_only_version());
        assert!(key(r#"cfg(all(version = ">=2", not(version = ">=3")))"#).uses_only_version());
        assert!(key("cfg(all())").uses_only_version());
        assert!(key("cfg(any(all(), not(any())))").uses_only_version());
        assert!(!key("cfg(all())").has_version());
        assert!(!key(r#"cfg(all(unix, version = ">=2"))"#).uses_only_version());
        assert!(key(r#"cfg(all(unix, version = ">=2"))"#).has_version());
        assert!(!key(r#"cfg(target_os = "linux")"#).uses_only_version());
        assert!(!key("cfg(version)").uses_only_version());

        let s = r#"cfg(all(not(target_os = "macos"), any(unix, feature = "x", foo), version = "=1"))"#;
        let n = key(s);
        let atoms: Vec<&str> = n.atoms().iter().map(|a| at(s, &a.span)).collect();
        assert_eq!(atoms, [r#"target_os = "macos""#, "unix", r#"feature = "x""#, "foo", r#"version = "=1""#]);
        assert!(n.atoms()[2].expr.is_feature());
        assert_eq!(n.version_reqs(), [&VersionReq::parse("=1").unwrap()]);
        assert_eq!(key("cfg(unix)").atoms().len(), 1);
        assert!(key("cfg(all())").atoms().is_empty());
    }

    // ---- suggestions --------------------------------------------------------------------------

    #[test]
    fn suggestions() {
        let locked = [v("0.48.5"), v("0.52.6")];
        let req = VersionReq::parse("=0.48.0").unwrap();
        assert_eq!(suggest_requirement(&locked, Some(&req)), ["=0.48.5", "^0.48"]);
        assert_eq!(
            version_mismatch_help(&locked, Some(&req)).unwrap(),
            "lock has 0.48.5, 0.52.6; did you mean `=0.48.5` or `^0.48`?"
        );
        assert_eq!(
            version_mismatch_help(&[v("0.48.5")], Some(&req)).unwrap(),
            "lock has 0.48.5; did you mean `=0.48.5` or `^0.48`?"
        );
        let req = VersionReq::parse("=0.52.0").unwrap();
        assert_eq!(suggest_requirement(&locked, Some(&req)), ["=0.52.6", "^0.52"]);
        // Without a requirement: the newest locked version.
        assert_eq!(suggest_requirement(&locked, None), ["=0.52.6", "^0.52"]);
        // Major > 0 and 0.0.x.
        assert_eq!(
            suggest_requirement(&[v("1.9.0"), v("3.0.1")], Some(&VersionReq::parse("=1.2.3").unwrap())),
            ["=1.9.0", "^1"]
        );
        assert_eq!(suggest_requirement(&[v("0.0.7")], None), ["=0.0.7"]);
        assert_eq!(suggest_requirement(&[v("1.0.0-beta.2")], None), ["=1.0.0-beta.2"]);
        // Ties prefer the newer version.
        let req = VersionReq::parse("=1.5.0").unwrap();
        assert_eq!(nearest_locked(&[v("1.4.0"), v("1.6.0")], Some(&req)), Some(&v("1.6.0")));
        assert!(suggest_requirement(&[], Some(&req)).is_empty());
        assert_eq!(version_mismatch_help(&[], None), None);
        // Every suggestion matches the chosen version.
        for s in suggest_requirement(&locked, Some(&VersionReq::parse("<0.29").unwrap())) {
            assert!(VersionReq::parse(&s).unwrap().matches(&v("0.48.5")), "{s}");
        }
    }

    // ---- robustness ---------------------------------------------------------------------------

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn check_no_panic(input: &str) {
        let results = [parse_section_key(input), parse_predicate(input).map(Some)];
        for r in results {
            match r {
                Ok(Some(n)) => {
                    assert!(n.span.start <= n.span.end && n.span.end <= input.len());
                    for a in n.atoms() {
                        assert!(input.get(a.span.clone()).is_some(), "{input:?} {a:?}");
                    }
                    let canon = n.to_string();
                    let again = parse_predicate(&canon).unwrap_or_else(|e| panic!("{input:?} -> {canon:?}: {e:?}"));
                    assert!(again.same_shape(&n), "{input:?} -> {canon:?}");
                    assert_eq!(again.to_string(), canon);
                    let _ = n.eval_version(&Version::new(1, 2, 3));
                    let _ = n.eval(&linux(), None);
                }
                Ok(None) => {}
                Err(e) => {
                    assert!(input.get(e.span.clone()).is_some(), "{input:?}: bad span {:?} ({})", e.span, e.message);
                    assert!(!e.message.is_empty());
                }
            }
        }
    }

    #[test]
    fn no_panic_on_mutations() {
        let seeds = [
            r#"cfg(all(target_os = "linux", version = ">=1"))"#,
            r#"cfg(any(all(not(windows), unix), feature = "a\"b\\c\n", x86_64-unknown-linux-gnu))"#,
            r#"cfg(not(version = "=0.48.0, <2"))"#,
            "cfg(all())",
            "cfg(any(unix,windows))",
        ];
        let alphabet: Vec<char> = "()\",=\\ -_aznu0\t\né日\u{a0}\u{1F600}x>=^~*.".chars().collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut count = 0;
        for seed in seeds {
            // Every prefix and suffix.
            for (i, _) in seed.char_indices() {
                check_no_panic(&seed[..i]);
                check_no_panic(&seed[i..]);
            }
            for _ in 0..3000 {
                let mut chars: Vec<char> = seed.chars().collect();
                let edits = 1 + rng.below(4);
                for _ in 0..edits {
                    let pos = rng.below(chars.len() + 1);
                    match rng.below(4) {
                        0 if pos < chars.len() => {
                            chars.remove(pos);
                        }
                        1 if pos < chars.len() => {
                            chars[pos] = alphabet[rng.below(alphabet.len())];
                        }
                        2 if pos < chars.len() => {
                            let end = (pos + 1 + rng.below(6)).min(chars.len());
                            let dup: Vec<char> = chars[pos..end].to_vec();
                            chars.splice(pos..pos, dup);
                        }
                        _ => chars.insert(pos, alphabet[rng.below(alphabet.len())]),
                    }
                }
                let s: String = chars.into_iter().collect();
                check_no_panic(&s);
                count += 1;
            }
        }
        assert!(count >= 15_000);
    }
}
