//! The globals every file sees (built once per process), and the per-file [`Recorder`] that
//! native functions reach through `Evaluator::extra`.

use std::cell::{OnceCell, RefCell};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use starlark::environment::{Globals, GlobalsBuilder, LibraryExtension};
use starlark::eval::{Arguments, Evaluator};
use starlark::starlark_module;
use starlark::values::dict::DictRef;
use starlark::values::list_or_tuple::UnpackListOrTuple;
use starlark::values::none::NoneType;
use starlark::values::structs::AllocStruct;
use starlark::values::{FrozenValue, Heap, ProvidesStaticType, Value, ValueLike};

use super::rule_impl::{AttrsNamespace, ProviderCtor, RECORDED_PROVIDERS, new_rule};
use super::values::{NativeModule, NoneFn, RuleStub, SelectValue, to_attr};
use super::{AttrValue, DeclaredTarget, EvalOptions, Loc, ProviderCall};

/// Rules available as globals in every file (and as `native.<name>`; `native` also stubs any
/// other name).
/// Globals Buck2 gives `.bzl` files for the analysis phase (types, built-in providers,
/// action helpers): stand-ins that accept any call and any attribute.
const BUCK2_ANALYSIS_GLOBALS: &[&str] = &[
    "AnalysisActions",
    "AnalysisContext",
    "Artifact",
    "ArtifactValue",
    "ArtifactTag",
    "Attr",
    "BuildMode",
    "CellPath",
    "CellRoot",
    "CommandExecutorConfig",
    "ConfigurationInfo",
    "ConfiguredTargetLabel",
    "ConstraintSettingInfo",
    "ConstraintValueInfo",
    "DefaultInfo",
    "Dependency",
    "DynamicActions",
    "DynamicValue",
    "ExecutionPlatformInfo",
    "ExecutionPlatformRegistrationInfo",
    "ExternalRunnerTestInfo",
    "InstallInfo",
    "Label",
    "LocalResourceInfo",
    "OutputArtifact",
    "PlatformInfo",
    "Promise",
    "Provider",
    "ProviderCollection",
    "ProvidersLabel",
    "ResolvedDynamicValue",
    "ResolvedStringWithMacros",
    "RunInfo",
    "Select",
    "TargetLabel",
    "TemplatePlaceholderInfo",
    "TransitionInfo",
    "TransitiveSet",
    "TransitiveSetArgsProjection",
    "TransitiveSetJsonProjection",
    "ValidationInfo",
    "ValidationSpec",
    "WorkerInfo",
    "WorkerRunInfo",
    "bxl",
    "bxl_main",
    "cmd_args",
    "dynamic_output",
    "dynattrs",
    "plugins",
    "provider_field",
    "transitive_set",
];

/// The rules a build file sees as globals without a `load()`: every rule Buck2's prelude
/// declares (`prelude/decls/*.bzl`, the Apple declarations and `rules_impl.bzl`'s extra
/// implemented rules, read from facebook/buck2's prelude in December 2026), and the Rust
/// shims Reindeer-generated files call (`buildscript_run`, `cargo_buildscript`). A build
/// file calling one declares a target of that kind; a name missing here fails the file's
/// evaluation (`Variable ... not found`), which keeps its static reading.
pub(crate) const KNOWN_RULES: &[&str] = &[
    "alias",
    "android_aar",
    "android_app_modularity",
    "android_binary",
    "android_build_config",
    "android_bundle",
    "android_instrumentation_apk",
    "android_instrumentation_test",
    "android_library",
    "android_manifest",
    "android_prebuilt_aar",
    "android_resource",
    "apk_genrule",
    "apple_app_intents",
    "apple_asset_catalog",
    "apple_binary",
    "apple_bundle",
    "apple_info_plist",
    "apple_ipa_package",
    "apple_library",
    "apple_library_for_distribution",
    "apple_macos_bundle",
    "apple_metal_library",
    "apple_package",
    "apple_provisioning_profile_sources",
    "apple_resource",
    "apple_resource_bundle",
    "apple_resource_dedupe_alias",
    "apple_selective_debugging",
    "apple_simulators",
    "apple_spm_package",
    "apple_static_archive",
    "apple_test",
    "apple_toolchain",
    "apple_tools",
    "apple_universal_executable",
    "apple_watchos_bundle",
    "apple_xcframework",
    "apple_xcuitest",
    "buildscript_run",
    "cargo_buildscript",
    "command_alias",
    "config_setting",
    "configuration_alias",
    "configured_alias",
    "constraint",
    "constraint_setting",
    "constraint_value",
    "core_data_model",
    "csharp_library",
    "cxx_binary",
    "cxx_genrule",
    "cxx_library",
    "cxx_lua_extension",
    "cxx_precompiled_header",
    "cxx_python_extension",
    "cxx_test",
    "cxx_toolchain",
    "cxx_universal_executable",
    "cython_library",
    "cython_static_extension",
    "cython_toolchain",
    "erlang_app",
    "erlang_app_includes",
    "erlang_escript",
    "erlang_otp_binaries",
    "erlang_release",
    "erlang_test",
    "exec_platform_marker_constraint",
    "execution_platform",
    "export_file",
    "external_test_runner",
    "filegroup",
    "gen_aidl",
    "genrule",
    "git_fetch",
    "go_binary",
    "go_bootstrap_binary",
    "go_exported_library",
    "go_library",
    "go_stdlib",
    "go_test",
    "gwt_binary",
    "haskell_binary",
    "haskell_ghci",
    "haskell_haddock",
    "haskell_ide",
    "haskell_library",
    "haskell_prebuilt_library",
    "http_archive",
    "http_file",
    "jar_genrule",
    "java_annotation_processor",
    "java_binary",
    "java_library",
    "java_plugin",
    "java_test",
    "java_test_runner",
    "js_bundle",
    "js_bundle_genrule",
    "js_library",
    "julia_binary",
    "julia_jll_library",
    "julia_library",
    "julia_test",
    "keystore",
    "kotlin_library",
    "kotlin_test",
    "legacy_toolchain",
    "llvm_link_bitcode",
    "lua_binary",
    "lua_library",
    "matlab_program",
    "mockingbird_mock",
    "ndk_toolchain",
    "ocaml_binary",
    "ocaml_library",
    "ocaml_object",
    "ocaml_shared",
    "platform",
    "prebuilt_apple_framework",
    "prebuilt_cxx_library",
    "prebuilt_cxx_library_group",
    "prebuilt_dotnet_library",
    "prebuilt_jar",
    "prebuilt_native_library",
    "prebuilt_ocaml_library",
    "prebuilt_python_library",
    "prebuilt_rust_library",
    "python_binary",
    "python_bootstrap_binary",
    "python_bootstrap_library",
    "python_library",
    "python_needed_coverage_test",
    "python_runtime_bundle",
    "python_test",
    "python_test_runner",
    "remote_file",
    "required_reasons_tools",
    "resource_group_map",
    "robolectric_test",
    "rust_binary",
    "rust_library",
    "rust_test",
    "scene_kit_assets",
    "sh_binary",
    "sh_test",
    "swift_toolchain",
    "test_suite",
    "toolchain_alias",
    "transformation_spec",
    "versioned_alias",
    "windows_resource",
    "worker_tool",
    "zip_file",
];

/// An error raised by a native function.
#[derive(Debug)]
pub(crate) struct Msg(pub(crate) String);

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Msg {}

pub(crate) fn err(msg: impl Into<String>) -> starlark::Error {
    starlark::Error::new_other(Msg(msg.into()))
}

/// The build file being evaluated.
pub(crate) struct BuildInfo {
    pub(crate) dir: PathBuf,
    pub(crate) cell: String,
    pub(crate) package: String,
}

/// Per-file state, set as `Evaluator::extra`.
#[derive(ProvidesStaticType)]
pub(crate) struct Recorder {
    pub(crate) options: Arc<EvalOptions>,
    /// `None` while evaluating a `.bzl` file: build-file functions fail, rule calls are
    /// ignored.
    pub(crate) build: Option<BuildInfo>,
    /// While evaluating a `.bzl` file: the cell of the build file that loads it, which
    /// `get_cell_name()` and `repository_name()` name at its top level (as in Buck2).
    pub(crate) loading_cell: Option<String>,
    /// The codemap name of the build file (`Path::display` of its path).
    pub(crate) file_name: String,
    pub(crate) targets: RefCell<Vec<DeclaredTarget>>,
    pub(crate) package_values: RefCell<Vec<(String, AttrValue)>>,
    /// The package's files, relative, `/`-separated, sorted; walked at the first `glob`.
    pub(crate) files: OnceCell<Vec<String>>,
    /// Whether provider constructors record their calls (a rule implementation is running).
    pub(crate) record_impl: bool,
    pub(crate) impl_calls: RefCell<Vec<ProviderCall>>,
}

impl Recorder {
    pub(crate) fn new(options: Arc<EvalOptions>, build: Option<BuildInfo>, file_name: String) -> Self {
        Recorder {
            options,
            build,
            loading_cell: None,
            file_name,
            targets: RefCell::new(Vec::new()),
            package_values: RefCell::new(Vec::new()),
            files: OnceCell::new(),
            record_impl: false,
            impl_calls: RefCell::new(Vec::new()),
        }
    }

    fn set_package_value(&self, key: &str, value: AttrValue) {
        let mut values = self.package_values.borrow_mut();
        match values.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => values.push((key.to_owned(), value)),
        }
    }
}

pub(crate) fn recorder<'a>(eval: &Evaluator<'_, 'a, '_>) -> Option<&'a Recorder> {
    eval.extra?.downcast_ref::<Recorder>()
}

fn build_info<'a>(eval: &Evaluator<'_, 'a, '_>, function: &str) -> starlark::Result<(&'a Recorder, &'a BuildInfo)> {
    let rec = recorder(eval).ok_or_else(|| err(format!("`{function}()` is only available in build files")))?;
    match &rec.build {
        Some(b) => Ok((rec, b)),
        None => Err(err(format!(
            "`{function}()` can only be called while evaluating a build file, not at the top level of a .bzl file"
        ))),
    }
}

/// The cell of the build file being evaluated, also at the top level of the `.bzl` files it
/// loads (Buck2's `get_cell_name()`).
fn loading_cell(eval: &Evaluator<'_, '_, '_>, function: &str) -> starlark::Result<String> {
    if let Some(cell) = recorder(eval).and_then(|r| r.loading_cell.as_ref()) {
        return Ok(cell.clone());
    }
    Ok(build_info(eval, function)?.1.cell.clone())
}

/// Record a rule call (`kind(name = ..., ...)`); calls without a string `name`, and calls
/// while evaluating a `.bzl` file, record nothing. Returns whether the call has a string
/// `name` (is a rule call rather than a helper call).
pub(crate) fn record_rule_call<'v>(
    kind: &str,
    rule_file: Option<&std::path::Path>,
    args: &Arguments<'v, '_>,
    eval: &mut Evaluator<'v, '_, '_>,
) -> starlark::Result<bool> {
    let named = args.names_map()?;
    let Some(name) = named.iter().find(|(k, _)| k.as_str() == "name").and_then(|(_, v)| v.unpack_str()) else {
        return Ok(false);
    };
    let Some(rec) = recorder(eval) else { return Ok(true) };
    if rec.build.is_none() {
        return Ok(true);
    }
    let positional = args.positions(eval.heap())?.map(to_attr).collect();
    let attrs = named.iter().map(|(k, v)| (k.as_str().to_owned(), to_attr(*v))).collect();
    let stack = eval.call_stack();
    let located: Vec<Loc> = stack.frames.iter().filter_map(|f| f.location.as_ref()).map(Loc::of).collect();
    let in_build = |l: &&Loc| l.file.as_os_str() == rec.file_name.as_str();
    let call_site = located.iter().find(in_build).cloned();
    let macro_site = located.last().filter(|l| !in_build(l)).cloned();
    rec.targets.borrow_mut().push(DeclaredTarget {
        kind: kind.to_owned(),
        name: name.to_owned(),
        attrs,
        positional,
        call_site,
        macro_site,
        rule_file: rule_file.map(std::path::Path::to_path_buf),
    });
    Ok(true)
}

fn read_config_value<'v>(
    eval: &Evaluator<'v, '_, '_>,
    root: bool,
    section: &str,
    key: &str,
    default: Option<Value<'v>>,
) -> Value<'v> {
    let found = recorder(eval).and_then(|rec| {
        let map =
            if root { rec.options.root_config.as_ref().unwrap_or(&rec.options.config) } else { &rec.options.config };
        map.get(section)?.get(key).cloned()
    });
    match found {
        Some(s) => eval.heap().alloc(s),
        None => default.unwrap_or_else(Value::new_none),
    }
}

#[starlark_module]
fn build_functions(builder: &mut GlobalsBuilder) {
    /// Files of the package matching `include` and not `exclude`, sorted.
    fn glob<'v>(
        include: UnpackListOrTuple<String>,
        #[starlark(default = UnpackListOrTuple::default())] exclude: UnpackListOrTuple<String>,
        #[starlark(kwargs)] _kwargs: DictRef<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Vec<String>> {
        let (rec, build) = build_info(eval, "glob")?;
        let files = rec.files.get_or_init(|| super::glob::package_files(&build.dir, &rec.options.build_file_names));
        super::glob::matching(files, &include.items, &exclude.items).map_err(err)
    }

    fn package_name<'v>(eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<String> {
        Ok(build_info(eval, "package_name")?.1.package.clone())
    }

    fn get_base_path<'v>(eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<String> {
        Ok(build_info(eval, "get_base_path")?.1.package.clone())
    }

    fn repository_name<'v>(eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<String> {
        Ok(format!("@{}", loading_cell(eval, "repository_name")?))
    }

    fn get_cell_name<'v>(eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<String> {
        loading_cell(eval, "get_cell_name")
    }

    fn read_config<'v>(
        #[starlark(require = pos)] section: &str,
        #[starlark(require = pos)] key: &str,
        #[starlark(require = pos)] default: Option<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        Ok(read_config_value(eval, false, section, key, default))
    }

    fn read_root_config<'v>(
        #[starlark(require = pos)] section: &str,
        #[starlark(require = pos)] key: &str,
        #[starlark(require = pos)] default: Option<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        Ok(read_config_value(eval, true, section, key, default))
    }

    /// `select({condition: value})`: recorded with its branches.
    fn select<'v>(#[starlark(require = pos)] branches: DictRef<'v>, heap: Heap<'v>) -> starlark::Result<Value<'v>> {
        let branches = branches
            .iter()
            .map(|(k, v)| (k.unpack_str().map_or_else(|| k.to_repr(), str::to_owned), to_attr(v)))
            .collect();
        Ok(heap.alloc(SelectValue { value: AttrValue::Select(branches) }))
    }

    /// `select_map(value, func)`: see [`super::values::select_map`].
    fn select_map<'v>(
        #[starlark(require = pos)] value: Value<'v>,
        #[starlark(require = pos)] func: Value<'v>,
        #[starlark(require = named, default = false)] recurse: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        // nested selects are always mapped: their branches are resolved values, as above
        let _ = recurse;
        match value.downcast_ref::<SelectValue>() {
            Some(s) => {
                let mapped = super::values::select_map(&s.value, func, eval)?;
                Ok(eval.heap().alloc(SelectValue { value: mapped }))
            }
            None => eval.eval_function(func, &[value], &[]),
        }
    }

    /// `select_test(value, func)`: see [`super::values::select_test`].
    fn select_test<'v>(
        #[starlark(require = pos)] value: Value<'v>,
        #[starlark(require = pos)] func: Value<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<bool> {
        match value.downcast_ref::<SelectValue>() {
            Some(s) => super::values::select_test(&s.value, func, eval),
            None => Ok(eval.eval_function(func, &[value], &[])?.to_bool()),
        }
    }

    /// The host: Linux on x86_64.
    fn host_info<'v>(eval: &mut Evaluator<'v, '_, '_>) -> starlark::Result<Value<'v>> {
        let os = ["is_linux", "is_macos", "is_windows", "is_freebsd", "is_unknown"];
        let arch = [
            "is_x86_64",
            "is_aarch64",
            "is_arm",
            "is_armeb",
            "is_i386",
            "is_mips",
            "is_mips64",
            "is_mipsel",
            "is_mipsel64",
            "is_powerpc",
            "is_ppc64",
            "is_riscv64",
            "is_unknown",
        ];
        let os = AllocStruct(os.iter().map(|k| (*k, *k == "is_linux")).collect::<Vec<_>>());
        let arch = AllocStruct(arch.iter().map(|k| (*k, *k == "is_x86_64")).collect::<Vec<_>>());
        Ok(eval.heap().alloc(AllocStruct([("os", os), ("arch", arch)])))
    }

    /// `rule(impl = ..., attrs = ...)`: a recording stub named by the variable it is
    /// assigned to, which keeps the implementation and the attributes' defaults.
    fn rule<'v>(
        #[starlark(kwargs)] kwargs: DictRef<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        let file = eval.call_stack_top_location().map(|span| PathBuf::from(span.filename()));
        Ok(new_rule(kwargs, file, eval.heap()))
    }

    /// `provider(fields = ...)`: the provider is `struct`-like: calling it builds a struct.
    fn provider<'v>(#[starlark(kwargs)] _kwargs: DictRef<'v>) -> starlark::Result<Value<'v>> {
        Ok(builtin("struct").map_or_else(Value::new_none, |v| v.to_value()))
    }

    fn oncall<'v>(
        #[starlark(require = pos)] name: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        if let Some(rec) = recorder(eval) {
            rec.set_package_value("oncall", AttrValue::Str(name.to_owned()));
        }
        Ok(NoneType)
    }

    fn package<'v>(
        #[starlark(kwargs)] kwargs: DictRef<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        if let Some(rec) = recorder(eval) {
            for (k, v) in kwargs.iter() {
                rec.set_package_value(k.unpack_str().unwrap_or("?"), to_attr(v));
            }
        }
        Ok(NoneType)
    }

    fn write_package_value<'v>(
        #[starlark(require = pos)] key: &str,
        #[starlark(require = pos)] value: Value<'v>,
        #[starlark(kwargs)] _kwargs: DictRef<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        if let Some(rec) = recorder(eval) {
            rec.set_package_value(key, to_attr(value));
        }
        Ok(NoneType)
    }

    fn read_package_value(#[starlark(require = pos)] _key: &str) -> starlark::Result<NoneType> {
        Ok(NoneType)
    }

    /// Whether a target of that name was declared so far in this build file.
    fn rule_exists<'v>(
        #[starlark(require = pos)] name: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<bool> {
        let (rec, _) = build_info(eval, "rule_exists")?;
        Ok(rec.targets.borrow().iter().any(|t| t.name == name))
    }

    /// `warning(message)`: ignored.
    fn warning(#[starlark(require = pos)] _message: &str) -> starlark::Result<NoneType> {
        Ok(NoneType)
    }

    /// `regex_match(regex, string)`: whether the regex matches somewhere in the string.
    fn regex_match(
        #[starlark(require = pos)] regex: &str,
        #[starlark(require = pos)] s: &str,
    ) -> starlark::Result<bool> {
        let re = regex::Regex::new(regex).map_err(|e| err(format!("invalid regex `{regex}`: {e}")))?;
        Ok(re.is_match(s))
    }

    /// `range` with a length limit ([`super::EvalLimits::max_range_len`]).
    fn range<'v>(
        #[starlark(require = pos)] a1: i32,
        #[starlark(require = pos)] a2: Option<i32>,
        #[starlark(require = pos, default = 1)] step: i32,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        let (start, stop) = match a2 {
            Some(stop) => (i64::from(a1), i64::from(stop)),
            None => (0, i64::from(a1)),
        };
        let step64 = i64::from(step);
        let len = if step64 > 0 && stop > start {
            (stop - start + step64 - 1) / step64
        } else if step64 < 0 && start > stop {
            (start - stop - step64 - 1) / -step64
        } else {
            0
        };
        let max = recorder(eval).map_or(super::EvalLimits::default().max_range_len, |r| r.options.limits.max_range_len);
        if len as u64 > max {
            return Err(err(format!("range of {len} elements is over the evaluator's limit of {max}")));
        }
        let real = std_range().ok_or_else(|| err("internal: no range builtin"))?;
        let heap = eval.heap();
        let pos = match a2 {
            None => vec![heap.alloc(a1)],
            Some(a2) => vec![heap.alloc(a1), heap.alloc(a2), heap.alloc(step)],
        };
        eval.eval_function(real.to_value(), &pos, &[])
    }
}

/// Deepest value `json.encode` accepts (the encoder recurses).
const MAX_JSON_DEPTH: usize = 200;

/// `json`: the standard library's, with a depth check before `encode`.
#[starlark_module]
fn json_members(builder: &mut GlobalsBuilder) {
    fn encode<'v>(
        #[starlark(require = pos)] x: Value<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        if super::values::nests_deeper_than(x, MAX_JSON_DEPTH) {
            return Err(err(format!("json.encode: value nests deeper than the evaluator's limit of {MAX_JSON_DEPTH}")));
        }
        let f = std_json(eval.heap(), "encode")?;
        eval.eval_function(f, &[x], &[])
    }

    fn decode<'v>(
        #[starlark(require = pos)] x: Value<'v>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<Value<'v>> {
        let f = std_json(eval.heap(), "decode")?;
        eval.eval_function(f, &[x], &[])
    }
}

/// A member of the standard library's `json` namespace.
fn std_json<'v>(heap: Heap<'v>, member: &str) -> starlark::Result<Value<'v>> {
    let json =
        std_globals().iter().find(|(k, _)| *k == "json").map(|(_, v)| v).ok_or_else(|| err("internal: no json"))?;
    json.to_value().get_attr(member, heap)?.ok_or_else(|| err(format!("internal: no json.{member}")))
}

struct Builtins {
    globals: Globals,
    by_name: rustc_hash::FxHashMap<String, FrozenValue>,
}

/// The globals of every evaluated file.
pub(crate) fn globals() -> &'static Globals {
    &builtins().globals
}

fn builtins() -> &'static Builtins {
    static BUILTINS: OnceLock<Builtins> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let globals = GlobalsBuilder::extended_by(&[
            LibraryExtension::StructType,
            LibraryExtension::RecordType,
            LibraryExtension::EnumType,
            LibraryExtension::NamespaceType,
            LibraryExtension::Map,
            LibraryExtension::Filter,
            LibraryExtension::Partial,
            LibraryExtension::Debug,
            LibraryExtension::Print,
            LibraryExtension::Typing,
            LibraryExtension::SetType,
        ])
        .with(build_functions)
        .with_namespace("json", json_members)
        .with(|b| {
            for rule in KNOWN_RULES {
                b.set(rule, RuleStub::new(rule));
            }
            b.set("native", NativeModule);
            b.set("attrs", AttrsNamespace);
            for name in ["transition", "dynamic_actions", "anon_rule", "configuration_transition"] {
                b.set(name, NoneFn(name.to_owned()));
            }
            // Buck2's analysis-time types and providers: `.bzl` files name them in type
            // annotations and rule implementations, which the loading phase never runs
            for name in BUCK2_ANALYSIS_GLOBALS {
                if RECORDED_PROVIDERS.contains(name) {
                    b.set(name, ProviderCtor((*name).to_owned()));
                } else {
                    b.set(name, NoneFn((*name).to_owned()));
                }
            }
        })
        .build();
        let by_name = globals.iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Builtins { globals, by_name }
    })
}

/// A builtin by name, for `native.<name>`. The static globals own it, so it lives forever.
pub(crate) fn builtin(name: &str) -> Option<FrozenValue> {
    builtins().by_name.get(name).copied()
}

/// The standard library's `range`, which the limited `range` calls.
fn std_range() -> Option<FrozenValue> {
    std_globals().iter().find(|(k, _)| *k == "range").map(|(_, v)| v)
}

/// The standard library's globals with its `json`, which the limited `range` and `json` call:
/// built once for both (building a standard library costs ~4.5M instructions).
fn std_globals() -> &'static Globals {
    static STD: OnceLock<Globals> = OnceLock::new();
    STD.get_or_init(|| GlobalsBuilder::extended_by(&[LibraryExtension::Json]).build())
}
