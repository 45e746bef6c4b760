# Execution platform for EngFlow remote execution, following
# https://github.com/facebook/buck2/tree/main/examples/remote_execution/engflow.

def _platforms(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    configuration = ConfigurationInfo(
        constraints = constraints,
        values = {},
    )

    # EngFlow pins the worker image by digest only.
    image = "docker://ghcr.io/acme/buck2-rbe@sha256:64e0632288389d1667fcde94ffd84e2d54c61f51e4103064ab9394decc72240e"

    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = configuration,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_properties = {
                "container-image": image,
            },
            remote_execution_use_case = "buck2-default",
            remote_output_paths = "strict",
        ),
    )

    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(platforms = [platform]),
    ]

platforms = rule(
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
    impl = _platforms,
)
