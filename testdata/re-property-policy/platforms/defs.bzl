# Properties copied from a BuildBuddy example into a NativeLink setup.

_IMAGE = "docker://ghcr.io/acme/nativelink-worker@sha256:0d1fe2cd12c1a2a2a8d37bfd451d23b1fcb5668a38ecc38462669add6e3f13c2"

_PROPERTIES = {
    "OSFamily": "Linux",
    "container-image": _IMAGE,
    "cpu_count": "8",
    "Pool": "large",
}

def _platform_impl(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = ConfigurationInfo(constraints = constraints, values = {}),
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_use_case = "buck2-default",
            remote_execution_properties = _PROPERTIES,
        ),
    )
    return [DefaultInfo(), ExecutionPlatformRegistrationInfo(platforms = [platform])]

platforms = rule(
    impl = _platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)
