//! Rules of this category.
use super::Check;

pub static CHECKS: &[&dyn Check] = &[];
