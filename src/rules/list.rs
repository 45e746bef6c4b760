//! The one list of rules, in catalogue order (the order of `buck-lint rules`, SARIF's rule
//! index and the README table). Each line names the struct a rule file declares with
//! [`declare_rule!`](super::registry::declare_rule); the macro below turns the list into the
//! [`Rule`] enum, the metadata table [`RULES`] and each rule's [`Check`]. A rule whose
//! struct is missing, misnamed or listed twice does not compile.
//!
//! Adding a rule: write `src/rules/<category>/<id_in_snake_case>.rs` (a `declare_rule!` and
//! an `impl Check`), its page `rules/<id>.md`, its fixtures under `tests/rules/<id>/`, and
//! one line here.
use super::Check;
use super::registry::RuleMeta;

macro_rules! rules {
    ($($cat:ident :: $file:ident :: $name:ident,)*) => {
        /// A rule, by its declaring struct's name. `Display`/`Serialize` give the stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($name,)*
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$name,)*];

            /// The rule's check (the engine calls it only while the rule is enabled).
            pub fn check(self) -> &'static dyn Check {
                match self {
                    $(Rule::$name => &super::$cat::$file::$name,)*
                }
            }
        }

        /// Every rule's metadata, indexed by [`Rule`].
        pub static RULES: &[RuleMeta] = &[$(super::$cat::$file::$name::META,)*];
    };
}

rules! {
    determinism::pipelined_nondeterministic_crate::PipelinedNondeterministicCrate,
    determinism::proc_macro_consumes_nondeterministic_rlib::ProcMacroConsumesNondeterministicRlib,
    determinism::cargo_env_all_under_re::CargoEnvAllUnderRe,
    determinism::env_path_macro_absolutized::EnvPathMacroAbsolutized,
    reindeer::fixups_buck_out_of_sync::FixupsBuckOutOfSync,
    reindeer::reindeer_platform_name_unmapped::ReindeerPlatformNameUnmapped,
    remote_execution::re_full_hybrid_racing::ReFullHybridRacing,
    remote_execution::re_container_image_invalid::ReContainerImageInvalid,
    remote_execution::re_container_image_unpinned::ReContainerImageUnpinned,
    remote_execution::re_container_image_missing::ReContainerImageMissing,
    remote_execution::re_executor_config_invalid::ReExecutorConfigInvalid,
    remote_execution::re_exec_platform_host_derived::ReExecPlatformHostDerived,
    remote_execution::re_platform_property_inconsistent::RePlatformPropertyInconsistent,
    remote_execution::re_local_cache_upload::ReLocalCacheUpload,
    buck::proc_macro_missing_crate_attr::ProcMacroMissingCrateAttr,
    buck::proc_macro_inner_target_dep::ProcMacroInnerTargetDep,
    buck::proc_macro_exec_compatible_with_dropped::ProcMacroExecCompatibleWithDropped,
    buck::buildscript_wiring_mismatch::BuildscriptWiringMismatch,
    buck::buildscript_env_wrong_config_macro::BuildscriptEnvWrongConfigMacro,
    buck::http_archive_unpinned_or_api_url::HttpArchiveUnpinnedOrApiUrl,
    buck::dep_on_private_versioned_target::DepOnPrivateVersionedTarget,
    buck::python_ext_unsupported_in_oss_prelude::PythonExtUnsupportedInOssPrelude,
    fixups::fixup_legacy_buildscript_syntax::FixupLegacyBuildscriptSyntax,
    fixups::fixup_legacy_platform_fixup::FixupLegacyPlatformFixup,
    fixups::fixup_unknown_key::FixupUnknownKey,
    fixups::fixup_cfg_restricted_field::FixupCfgRestrictedField,
    fixups::fixup_cfg_parse::FixupCfgParse,
    fixups::fixup_buildscript_undecided::FixupBuildscriptUndecided,
    fixups::fixup_buildscript_unused::FixupBuildscriptUnused,
    fixups::fixup_orphan_dir::FixupOrphanDir,
    fixups::fixup_buildscript_disabled_essential::FixupBuildscriptDisabledEssential,
    fixups::fixup_env_cycle_or_buck_out_path::FixupEnvCycleOrBuckOutPath,
    fixups::fixup_env_absolute_host_path::FixupEnvAbsoluteHostPath,
    fixups::fixup_cfg_via_rustc_flags::FixupCfgViaRustcFlags,
    fixups::fixup_dep_shape::FixupDepShape,
    fixups::fixup_link_directives_dropped::FixupLinkDirectivesDropped,
    reindeer::reindeer_config_invalid::ReindeerConfigInvalid,
    reindeer::reindeer_unresolved_fixup_warn_only::ReindeerUnresolvedFixupWarnOnly,
    reindeer::reindeer_precise_srcs_noop::ReindeerPreciseSrcsNoop,
    meta::syntax_error::SyntaxError,
    buck::buck_dialect::BuckDialect,
    buck::duplicate_target_name::DuplicateTargetName,
    meta::unused_suppression::UnusedSuppression,
    fixups::fixup_version_matches_nothing::FixupVersionMatchesNothing,
    fixups::fixup_cfg_dead::FixupCfgDead,
    buck::buckconfig_include_invalid::BuckconfigIncludeInvalid,
    fixups::fixup_cargo_env_missing::FixupCargoEnvMissing,
    remote_execution::re_container_image_registry_not_allowed::ReContainerImageRegistryNotAllowed,
    buck::vendored_crate_build_file::VendoredCrateBuildFile,
    buck::bxl_needs_execution_platforms::BxlNeedsExecutionPlatforms,
    buck::buckconfig_cell_unresolved::BuckconfigCellUnresolved,
    buck::edition_mismatch::EditionMismatch,
    buck::label_in_path_attr::LabelInPathAttr,
    fixups::fixup_glob_matches_nothing::FixupGlobMatchesNothing,
    fixups::fixup_cxx_include_undeclared::FixupCxxIncludeUndeclared,
    reindeer::vendored_unused_platform_crates::VendoredUnusedPlatformCrates,
    buck::toolchain_bare_tool::ToolchainBareTool,
    meta::internal_error::InternalError,
    meta::io_error::IoError,
    starlark::lints::StarlarkMissingReturnExpression,
    starlark::lints::StarlarkMissingReturn,
    starlark::lints::StarlarkUnreachable,
    starlark::lints::StarlarkRedundantReturn,
    starlark::lints::StarlarkRedundantContinue,
    starlark::lints::StarlarkMisplacedLoad,
    starlark::lints::StarlarkNoEffect,
    starlark::lints::StarlarkIncompatibleTypeCheck,
    starlark::lints::StarlarkDuplicateTopLevelAssign,
    starlark::lints::StarlarkDuplicateKey,
    starlark::lints::StarlarkIdentAsStatement,
    starlark::lints::StarlarkUnusedLoad,
    starlark::lints::StarlarkUnusedAssign,
    starlark::lints::StarlarkUnusedArgument,
    starlark::lints::StarlarkUsingUnassigned,
    starlark::lints::StarlarkUsingUndefined,
    starlark::lints::StarlarkUsingMaybeUndefined,
    starlark::lints::StarlarkUnderscoreDefinition,
    starlark::lints::StarlarkUsingIgnored,
    starlark::lints::StarlarkDictWithoutStarStar,
    starlark::lints::StarlarkEagerAndInefficientBoolCheck,
    starlark::lints::StarlarkInefficientBoolCheck,
}
