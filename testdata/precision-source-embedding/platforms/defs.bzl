def _remote_platform_impl(ctx: AnalysisContext) -> list[Provider]:
    cfg = ConfigurationInfo(constraints = {}, values = {})
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_properties = {
                "OSFamily": "Linux",
                "container-image": "docker://gcr.io/flame-public/rbe-ubuntu22-04@sha256:4a5c6e4b1b2f0a7d9e3c8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e",
            },
            remote_execution_use_case = "buck2-default",
        ),
    )
    return [DefaultInfo(), platform, ExecutionPlatformRegistrationInfo(platforms = [platform])]

remote_platform = rule(impl = _remote_platform_impl, attrs = {})
