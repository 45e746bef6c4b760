# Execution platforms of the acme monorepo. Every platform below has at least one
# remote-execution mistake; the comments name the buck-lint rule that reports it.

def _configuration(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return ConfigurationInfo(constraints = constraints, values = {})

_PLATFORM_ATTRS = {
    "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
    "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
}

def _dev_platform_impl(ctx):
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = _configuration(ctx),
        # R07: no use_limited_hybrid, so local and remote race on every action.
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            allow_cache_uploads = True,  # R14 (warning: R07 fires here)
            remote_execution_use_case = "buck2-default",
            remote_execution_properties = {
                "OSFamily": "Linux",
                "container-image": "docker://gcr.io/acme/rbe-ubuntu22-04:latest",  # R09
            },
        ),
    )
    return [DefaultInfo(), platform]

dev_platform = rule(impl = _dev_platform_impl, attrs = _PLATFORM_ATTRS)

def _ci_platform_impl(ctx):
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = _configuration(ctx),
        # R11: no remote_execution_use_case.
        executor_config = CommandExecutorConfig(
            local_enabled = False,
            remote_enabled = True,
            use_limited_hybird = True,  # R11: unknown keyword
            remote_output_paths = "relative",  # R11: not strict/compatibility/output_paths
            remote_execution_properties = {
                "OSFamily": "linux",  # R13: "Linux" everywhere else
                "container-image": "gcr.io/acme/rbe-ubuntu22-04@sha256:0d1fe2cd12c1a2a2a8d37bfd451d23b1fcb5668a38ecc38462669add6e3f13c2",  # R08: no docker://
            },
        ),
    )
    return [DefaultInfo(), platform]

ci_platform = rule(impl = _ci_platform_impl, attrs = _PLATFORM_ATTRS)

def _arm64_platform_impl(ctx):
    executor_config = CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        use_limited_hybrid = False,  # R07
        remote_execution_use_case = "buck2-default",
        remote_execution_properties = {
            "OSFamily": "Linux",
            # R08: placeholder digest
            "container-image": "docker://ghcr.io/acme/rbe-arm64@sha256:" + "0000000000000000000000000000000000000000000000000000000000000000",
        },
    )
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = executor_config,
        ),
    ]

arm64_platform = rule(impl = _arm64_platform_impl, attrs = _PLATFORM_ATTRS)

def _legacy_platform_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = CommandExecutorConfig(
                local_enabled = True,
                remote_enabled = True,
                use_limited_hybrid = True,
                allow_cache_uploads = True,  # R14 (info: no racing)
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {
                    "OSFamily": "Linux",
                    "container-image": "docker://Ubuntu:22.04",  # R08 error: upper case
                },
            ),
        ),
    ]

legacy_platform = rule(impl = _legacy_platform_impl, attrs = _PLATFORM_ATTRS)

def _windows_platform_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = CommandExecutorConfig(
                local_enabled = False,
                remote_enabled = True,
                use_limited_hybrid = True,
                use_windows_path_separators = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {"OSFamily": "Windows"},  # R10: no container-image
            ),
        ),
    ]

windows_platform = rule(impl = _windows_platform_impl, attrs = _PLATFORM_ATTRS)

def _platform_registration_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(
            platforms = [p[ExecutionPlatformInfo] for p in ctx.attrs.platforms],
        ),
    ]

platform_registration = rule(
    impl = _platform_registration_impl,
    attrs = {
        "platforms": attrs.list(attrs.dep(providers = [ExecutionPlatformInfo])),
    },
)
