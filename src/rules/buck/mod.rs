//! Rules about BUCK files and the prelude's Rust rules.
pub mod buck_dialect;
pub mod buckconfig_cell_unresolved;
pub mod buckconfig_include_invalid;
pub mod buildscript_env_wrong_config_macro;
pub mod buildscript_wiring_mismatch;
pub mod bxl_needs_execution_platforms;
pub mod dep_on_private_versioned_target;
pub mod duplicate_target_name;
pub mod edition_mismatch;
pub mod http_archive_unpinned_or_api_url;
pub mod label_in_path_attr;
pub mod proc_macro_exec_compatible_with_dropped;
pub mod proc_macro_inner_target_dep;
pub mod proc_macro_missing_crate_attr;
pub mod python_ext_unsupported_in_oss_prelude;
pub mod toolchain_bare_tool;
pub mod vendored_crate_build_file;
