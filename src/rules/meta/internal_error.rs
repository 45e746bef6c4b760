//! `internal-error`: buck-lint crashed in a rule; the engine catches the panic, reports it on the file or project, and goes on with the other rules.
use crate::rules::Check;
use crate::rules::registry::declare_rule;

declare_rule! {
    InternalError {
        id: "internal-error",
        code: None,
        category: Meta,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for InternalError {}
