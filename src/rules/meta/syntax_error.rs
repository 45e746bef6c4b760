//! `syntax-error`: a file fails to parse. The engine emits these from the parser's errors
//! (with the parser's span and message) before any other rule runs, so this check has no
//! work of its own; it exists so the rule is registered like every other.
use crate::rules::Check;

pub struct SyntaxError;

impl Check for SyntaxError {
    fn rules(&self) -> &'static [&'static str] {
        &["syntax-error", "io-error", "internal-error"]
    }
}
