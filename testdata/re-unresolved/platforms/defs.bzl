# Execution platforms whose image and properties are only known when Buck2 runs:
# from .buckconfig, from a macro, or merged with configuration. buck-lint cannot see
# these values and must stay silent about them.

_BASE_PROPERTIES = {"OSFamily": "Linux"}

def _configuration(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return ConfigurationInfo(constraints = constraints, values = {})

def _remote_platform_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = CommandExecutorConfig(
                local_enabled = ctx.attrs.local_enabled,
                remote_enabled = ctx.attrs.remote_enabled,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {
                    "OSFamily": "Linux",
                    "container-image": ctx.attrs.container_image,
                },
            ),
        ),
    ]

remote_platform = rule(
    impl = _remote_platform_impl,
    attrs = {
        "container_image": attrs.string(),
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "local_enabled": attrs.bool(default = True),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "remote_enabled": attrs.bool(default = True),
    },
)

def _pool_platform_impl(ctx):
    # The pool and the image are merged in from the `extra_properties` attribute.
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = CommandExecutorConfig(
                local_enabled = False,
                remote_enabled = True,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = _BASE_PROPERTIES | ctx.attrs.extra_properties,
            ),
        ),
    ]

pool_platform = rule(
    impl = _pool_platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "extra_properties": attrs.dict(attrs.string(), attrs.string(), default = {}),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)

def _platform_registration_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(platforms = [p[ExecutionPlatformInfo] for p in ctx.attrs.platforms]),
    ]

platform_registration = rule(
    impl = _platform_registration_impl,
    attrs = {"platforms": attrs.list(attrs.dep(providers = [ExecutionPlatformInfo]))},
)
