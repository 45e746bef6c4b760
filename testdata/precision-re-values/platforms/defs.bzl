_BASE_PROPERTIES = {"OSFamily": "Linux"}

def _executor(image, pool = "default"):
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        use_limited_hybrid = True,
        remote_execution_properties = _BASE_PROPERTIES | {
            "Pool": pool,
            "container-image": image,
        },
        remote_execution_use_case = "buck2-default",
    )

def _platform_impl(ctx: AnalysisContext) -> list[Provider]:
    cfg = ConfigurationInfo(constraints = {}, values = {})

    # a local variable, then a merge with a dict we cannot see
    image = "docker://ubuntu:latest"
    main = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_properties = ctx.attrs.extra_properties | {"container-image": image},
            remote_execution_use_case = "buck2-default",
        ),
    )

    # keyword arguments through a splat
    kwargs = {"image": ctx.attrs.build_image, "pool": "large"}
    big = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = _executor(**kwargs),
    )
    return [DefaultInfo(), ExecutionPlatformRegistrationInfo(platforms = [main, big])]

platforms = rule(
    impl = _platform_impl,
    attrs = {
        "build_image": attrs.string(),
        "extra_properties": attrs.dict(attrs.string(), attrs.string(), default = {}),
    },
)
