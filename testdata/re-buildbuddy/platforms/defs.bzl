# BuildBuddy RBE platform (https://www.buildbuddy.io/docs/rbe-platforms/).

# BuildBuddy's public Ubuntu 22.04 executor image, pinned by digest.
_IMAGE = "docker://gcr.io/flame-public/rbe-ubuntu22-04@sha256:da5ff0df8bece043a9e898fef0d6e8db75a9a32879ffd9fa1ba26fe0c2f1f870"

_PROPERTIES = {
    "OSFamily": "Linux",
    "dockerNetwork": "off",
    "recycle-runner": True,
}

def _buildbuddy_platform_impl(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = ConfigurationInfo(constraints = constraints, values = {}),
            executor_config = CommandExecutorConfig(
                local_enabled = True,
                remote_enabled = True,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = _PROPERTIES | {"container-image": _IMAGE},
            ),
        ),
    ]

buildbuddy_platform = rule(
    impl = _buildbuddy_platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)

def _platform_registration_impl(ctx):
    platforms = [p[ExecutionPlatformInfo] for p in ctx.attrs.platforms]
    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(platforms = platforms),
    ]

platform_registration = rule(
    impl = _platform_registration_impl,
    attrs = {
        "platforms": attrs.list(attrs.dep(providers = [ExecutionPlatformInfo])),
    },
)
