# Platforms using images from several registries.

def _platform_impl(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = ConfigurationInfo(constraints = constraints, values = {}),
            executor_config = CommandExecutorConfig(
                local_enabled = False,
                remote_enabled = True,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {
                    "OSFamily": "Linux",
                    "container-image": ctx.attrs.container_image,
                },
            ),
        ),
    ]

platform = rule(
    impl = _platform_impl,
    attrs = {
        "container_image": attrs.string(),
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
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
