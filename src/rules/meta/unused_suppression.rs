//! `unused-suppression`: a `buck-lint:` suppression comment that suppresses nothing or names an unknown rule. Reported by `suppress::unused` after every other rule, with a safe fix that removes it.
use crate::rules::Check;
use crate::rules::registry::declare_rule;

declare_rule! {
    UnusedSuppression {
        id: "unused-suppression",
        code: None,
        category: Meta,
        severity: Warning,
        default: true,
        fix: Safe,
    }
}

impl Check for UnusedSuppression {}
