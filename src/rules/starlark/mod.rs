//! The `starlark-*` pass-through of the starlark crate's own lints.
pub mod passthrough;

use super::Check;

pub static CHECKS: &[&dyn Check] = &[&passthrough::StarlarkPassthrough];
