//! A startup banner.
pub const AUTHORS: &str = env!("CARGO_PKG_AUTHORS");
pub const HOMEPAGE: Option<&str> = option_env!("CARGO_PKG_HOMEPAGE");

pub fn banner() -> String {
    format!("{} by {}", env!("CARGO_PKG_NAME"), AUTHORS)
}
