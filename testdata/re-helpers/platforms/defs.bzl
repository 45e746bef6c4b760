# Execution platforms built from shared helpers and module constants.

load(":images.bzl", "RBE_IMAGE")

_LINUX_PROPERTIES = {
    "OSFamily": "Linux",
    "container-image": RBE_IMAGE,
}

def _configuration(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return ConfigurationInfo(constraints = constraints, values = {})

def _hybrid_executor():
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        use_limited_hybrid = True,
        remote_execution_use_case = "buck2-default",
        remote_execution_properties = _LINUX_PROPERTIES,
    )

def _remote_executor(pool, priority = 0):
    return CommandExecutorConfig(
        local_enabled = False,
        remote_enabled = True,
        use_limited_hybrid = True,
        priority = priority,
        remote_execution_use_case = "buck2-default",
        remote_execution_properties = _LINUX_PROPERTIES | {"Pool": pool},
        remote_output_paths = "strict",
    )

def _platform(ctx, executor_config):
    return ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = _configuration(ctx),
        executor_config = executor_config,
    )

def _dev_platform_impl(ctx):
    return [DefaultInfo(), _platform(ctx, _hybrid_executor())]

def _ci_platform_impl(ctx):
    return [DefaultInfo(), _platform(ctx, _remote_executor(ctx.attrs.pool, priority = 1))]

_ATTRS = {
    "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
    "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
}

dev_platform = rule(impl = _dev_platform_impl, attrs = _ATTRS)

ci_platform = rule(impl = _ci_platform_impl, attrs = _ATTRS | {"pool": attrs.string(default = "default")})

def _platform_registration_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(platforms = [p[ExecutionPlatformInfo] for p in ctx.attrs.platforms]),
    ]

platform_registration = rule(
    impl = _platform_registration_impl,
    attrs = {"platforms": attrs.list(attrs.dep(providers = [ExecutionPlatformInfo]))},
)
