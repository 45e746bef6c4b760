//! Stand-in sources for the fixture.
pub fn len() -> usize {
    env!("CARGO_PKG_VERSION").len()
}
