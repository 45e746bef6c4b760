def _re_platform(ctx: AnalysisContext) -> list[Provider]:
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = ConfigurationInfo(constraints = {}, values = {}),
        executor_config = CommandExecutorConfig(
            local_enabled = False,
            remote_enabled = True,
            remote_execution_properties = {
                "OSFamily": "Linux",
                "container-image": "docker://ghcr.io/example/rbe-worker@sha256:0c6f1b2a3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
            },
            remote_execution_use_case = "buck2-default",
        ),
    )
    return [DefaultInfo(), platform, ExecutionPlatformRegistrationInfo(platforms = [platform])]

re_platform = rule(impl = _re_platform, attrs = {})
