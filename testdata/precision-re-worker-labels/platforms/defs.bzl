def _platforms_impl(ctx: AnalysisContext) -> list[Provider]:
    cfg = ConfigurationInfo(constraints = {}, values = {})
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_properties = {
                "OSFamily": "linux",
                # the runner's name in bb-worker's configuration
                "container-image": "ubuntu-act-22-04",
            },
            remote_execution_use_case = "buck2-default",
            remote_output_paths = "output_paths",
        ),
    )
    return [DefaultInfo(), platform, ExecutionPlatformRegistrationInfo(platforms = [platform])]

platforms = rule(impl = _platforms_impl, attrs = {})
