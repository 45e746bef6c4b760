//! The rule registry: what a rule is ([`RuleMeta`]), how a rule file declares one
//! ([`declare_rule!`]) and the lookups over the table that `rules/list.rs` generates from the
//! declarations. The doc page of each rule lives in `rules/<id>.md` and is embedded; its first
//! paragraph after the metadata line is the rule's one-line summary.

use crate::diagnostic::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Determinism,
    RemoteExecution,
    Buck,
    Fixups,
    Reindeer,
    Starlark,
    Meta,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Determinism,
        Category::RemoteExecution,
        Category::Buck,
        Category::Fixups,
        Category::Reindeer,
        Category::Starlark,
        Category::Meta,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Determinism => "determinism",
            Category::RemoteExecution => "remote-execution",
            Category::Buck => "buck",
            Category::Fixups => "fixups",
            Category::Reindeer => "reindeer",
            Category::Starlark => "starlark",
            Category::Meta => "meta",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe => "unsafe",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    pub rule: Rule,
    pub id: &'static str,
    pub code: Option<&'static str>,
    pub category: Category,
    pub severity: Severity,
    pub default_enabled: bool,
    pub fix: FixAvailability,
    /// The Markdown page `rules/<id>.md`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The one-line summary: the first paragraph after the page's metadata line.
    pub fn summary(&self) -> &'static str {
        let mut lines = self.doc.lines().filter(|l| !l.trim().is_empty());
        lines.next(); // "# id (code)"
        for l in lines {
            let t = l.trim();
            if t.starts_with("**") {
                continue;
            }
            return t;
        }
        ""
    }
    /// The rule's documentation URL.
    pub fn url(&self) -> String {
        format!("{}/blob/main/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), self.id)
    }
}

/// Declare a rule in its own file: its metadata, once, and the unit struct that implements
/// [`crate::rules::Check`] for it. The struct is named like the rule id in UpperCamelCase and
/// becomes the [`Rule`] variant of the same name through its line in `rules/list.rs`; its
/// documentation is the rule's page, `rules/<id>.md`. In a file that declares one rule the
/// macro also defines `ID`, the file's [`Rule`].
///
/// ```ignore
/// declare_rule! {
///     LabelInPathAttr {
///         id: "label-in-path-attr",
///         code: None,
///         category: Buck,
///         severity: Warning,
///         default: true,
///         fix: None,
///     }
/// }
/// ```
macro_rules! declare_rule {
    ($name:ident { id: $id:literal, code: $code:expr, category: $cat:ident, severity: $sev:ident, default: $on:expr, fix: $fix:ident $(,)? }) => {
        $crate::rules::registry::declare_rule!(@one $name, $id, $code, $cat, $sev, $on, $fix);
        /// The rule this file declares.
        #[allow(dead_code)]
        const ID: $crate::rules::Rule = $crate::rules::Rule::$name;
    };
    // several rules in one file (a family served by one shared analysis): no `ID`
    ($($name:ident { id: $id:literal, code: $code:expr, category: $cat:ident, severity: $sev:ident, default: $on:expr, fix: $fix:ident $(,)? })+ ; family) => {
        $( $crate::rules::registry::declare_rule!(@one $name, $id, $code, $cat, $sev, $on, $fix); )+
    };
    (@one $name:ident, $id:literal, $code:expr, $cat:ident, $sev:ident, $on:expr, $fix:ident) => {
        #[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md"))]
        pub struct $name;
        impl $name {
            pub const META: $crate::rules::registry::RuleMeta = $crate::rules::registry::RuleMeta {
                rule: $crate::rules::Rule::$name,
                id: $id,
                code: $code,
                category: $crate::rules::registry::Category::$cat,
                severity: $crate::diagnostic::Severity::$sev,
                default_enabled: $on,
                fix: $crate::rules::registry::FixAvailability::$fix,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
            };
        }
    };
}
pub(crate) use declare_rule;

pub use super::list::{RULES, Rule};

impl Rule {
    pub fn meta(self) -> &'static RuleMeta {
        &RULES[self as usize]
    }
    /// The stable kebab-case id.
    pub fn id(self) -> &'static str {
        self.meta().id
    }
    pub fn from_id(id: &str) -> Option<Rule> {
        get(id).map(|m| m.rule)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

pub fn get(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// Look a rule up by id or by code (`R07`).
pub fn by_id_or_code(s: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == s || r.code.is_some_and(|c| c.eq_ignore_ascii_case(s)))
}

pub fn index_of(id: &str) -> Option<usize> {
    RULES.iter().position(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert!(r.doc.starts_with(&format!("# {}", r.id)), "page of {} must start with its id", r.id);
            assert!(!r.summary().is_empty(), "{} has no summary", r.id);
            assert!(!r.summary().contains('\n'));
        }
    }

    #[test]
    fn each_rule_is_named_after_its_id_and_indexes_the_table() {
        for (i, r) in RULES.iter().enumerate() {
            let camel: String = r.id.split('-').map(|p| p[..1].to_uppercase() + &p[1..]).collect::<Vec<_>>().concat();
            assert_eq!(format!("{:?}", r.rule), camel, "struct of `{}`", r.id);
            assert_eq!(r.rule as usize, i);
            assert_eq!(Rule::from_id(r.id), Some(r.rule));
            assert_eq!(r.rule.to_string(), r.id);
        }
        assert_eq!(Rule::ALL.len(), RULES.len());
    }
}
