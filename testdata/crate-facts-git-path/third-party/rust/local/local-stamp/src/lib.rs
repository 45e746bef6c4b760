//! A path dependency of the third-party manifest.
pub const BY: &str = env!("CARGO_PKG_AUTHORS");
