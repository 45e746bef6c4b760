//! Stand-in sources for the fixture.
pub fn fmt(n: u64) -> String {
    n.to_string()
}
