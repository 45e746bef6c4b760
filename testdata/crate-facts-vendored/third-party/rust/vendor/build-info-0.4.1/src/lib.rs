//! Facts about the build, from the build script.
include!(concat!(env!("OUT_DIR"), "/info.rs"));

/// Where the build script wrote its outputs.
pub const GENERATED_DIR: &str = env!("OUT_DIR");

pub fn generated_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(GENERATED_DIR).join(name)
}
