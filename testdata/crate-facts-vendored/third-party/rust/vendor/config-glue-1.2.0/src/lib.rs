//! Configuration lookups shared by the derive macros.
pub fn schema_path() -> std::path::PathBuf {
    build_info::generated_file("schema.json")
}
