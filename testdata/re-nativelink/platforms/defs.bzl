# NativeLink execution platforms. The scheduler matches OSFamily exactly and
# cpu_count as a minimum (supported_platform_properties).

def _executor_config(image, cpu_count = "8"):
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        use_limited_hybrid = True,
        remote_execution_properties = {
            "OSFamily": "linux",
            "container-image": image,
            "cpu_count": cpu_count,
        },
        remote_execution_use_case = "buck2-default",
    )

def _nativelink_platform_impl(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = ConfigurationInfo(constraints = constraints, values = {}),
            executor_config = _executor_config(ctx.attrs.container_image),
        ),
    ]

nativelink_platform = rule(
    impl = _nativelink_platform_impl,
    attrs = {
        "container_image": attrs.string(),
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)

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
