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

mod parser;

use parser::Parser;

#[cfg(test)]
mod tests;

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
