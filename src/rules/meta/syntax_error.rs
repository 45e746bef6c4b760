//! `syntax-error`: a file fails to parse. The engine reports the parser's errors (its span and message) before any other rule runs on the file.
use crate::rules::Check;
use crate::rules::registry::declare_rule;

declare_rule! {
    SyntaxError {
        id: "syntax-error",
        code: None,
        category: Meta,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for SyntaxError {}
