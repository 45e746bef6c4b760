//! Rule selectors: an id, a code (`R07`), a category, a trailing-`*` glob, or `ALL`.

use super::{ConfigError, did_you_mean};
use crate::rules::registry::{Category, RULES, RuleMeta};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    All,
    Rule(&'static str),
    Category(Category),
    Prefix(String),
}

impl Selector {
    pub fn matches(&self, r: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Rule(id) => r.id == *id,
            Selector::Category(c) => r.category == *c,
            Selector::Prefix(p) => r.id.starts_with(p.as_str()),
        }
    }
}

/// Parse a selector; unknown names are an error with a "did you mean" hint.
pub fn parse_selector(s: &str) -> Result<Selector, ConfigError> {
    let s = s.trim();
    if s == "ALL" {
        return Ok(Selector::All);
    }
    if let Some(prefix) = s.strip_suffix('*') {
        if RULES.iter().any(|r| r.id.starts_with(prefix)) {
            return Ok(Selector::Prefix(prefix.to_string()));
        }
        return Err(ConfigError(format!("selector `{s}` matches no rule")));
    }
    if let Some(c) = Category::ALL.iter().find(|c| c.as_str() == s) {
        return Ok(Selector::Category(*c));
    }
    if let Some(r) = crate::rules::registry::by_id_or_code(s) {
        return Ok(Selector::Rule(r.id));
    }
    let names = RULES.iter().map(|r| r.id).chain(Category::ALL.iter().map(|c| c.as_str()));
    Err(ConfigError(format!("unknown rule or category `{s}`{}", did_you_mean(s, names))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_selector("ALL").unwrap(), Selector::All);
        assert_eq!(parse_selector("R07").unwrap(), Selector::Rule("re-full-hybrid-racing"));
        assert_eq!(parse_selector("r07").unwrap(), Selector::Rule("re-full-hybrid-racing"));
        assert_eq!(parse_selector("fixups").unwrap(), Selector::Category(Category::Fixups));
        assert!(matches!(parse_selector("starlark-*").unwrap(), Selector::Prefix(_)));
        assert!(parse_selector("nope-*").is_err());
        let e = parse_selector("re-full-hybrid-race").unwrap_err();
        assert!(e.0.contains("did you mean `re-full-hybrid-racing`"));
    }
}
