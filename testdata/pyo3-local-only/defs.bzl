def _platform_impl(ctx: AnalysisContext) -> list[Provider]:
    cfg = ConfigurationInfo(
        constraints = ctx.attrs.cpu_configuration[ConfigurationInfo].constraints |
                      ctx.attrs.os_configuration[ConfigurationInfo].constraints,
        values = {},
    )
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = False,
            use_persistent_workers = True,
        ),
    )
    return [DefaultInfo(), platform, ExecutionPlatformRegistrationInfo(platforms = [platform])]

execution_platform = rule(
    impl = _platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)
