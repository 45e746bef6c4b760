//! `io-error`: a file or directory cannot be read (permissions, invalid UTF-8, a symlink loop, a file that vanished). Reported by discovery and the engine.
use crate::rules::Check;
use crate::rules::registry::declare_rule;

declare_rule! {
    IoError {
        id: "io-error",
        code: None,
        category: Meta,
        severity: Error,
        default: true,
        fix: None,
    }
}

impl Check for IoError {}
