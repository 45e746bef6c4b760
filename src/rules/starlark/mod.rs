//! The starlark crate's own lints, one `starlark-*` rule each.
pub mod lints;
pub mod own_lints;
