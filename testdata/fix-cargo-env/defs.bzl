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
            remote_enabled = True,
            remote_cache_enabled = True,
            use_limited_hybrid = True,
            allow_cache_uploads = False,
            use_persistent_workers = True,
            remote_output_paths = "strict",
            remote_execution_use_case = "buck2-default",
            remote_execution_properties = {
                "container-image": "docker://registry.com:image_name@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            },
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
