_BASE_PROPERTIES = {"OSFamily": "Linux"}

def _platform_impl(ctx: AnalysisContext) -> list[Provider]:
    cfg = ConfigurationInfo(constraints = {}, values = {})
    properties = _BASE_PROPERTIES | {"container-image": ctx.attrs.image}
    platform = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = cfg,
        executor_config = CommandExecutorConfig(
            local_enabled = ctx.attrs.local,
            remote_enabled = True,
            use_limited_hybrid = ctx.attrs.limited_hybrid,
            remote_execution_properties = properties,
            remote_execution_use_case = "buck2-default",
        ),
    )
    return [DefaultInfo(), ExecutionPlatformRegistrationInfo(platforms = [platform])]

_platform = rule(
    impl = _platform_impl,
    attrs = {
        "image": attrs.string(),
        "limited_hybrid": attrs.bool(default = True),
        "local": attrs.bool(default = True),
    },
)

# The repository's one way to declare an execution platform: image and hybrid mode come
# from `.buckconfig`, so that CI and developers can switch them without editing BUCK files.
def execution_platform(name, image = None, hybrid = None, **kwargs):
    image = image or read_config("acme_re", "image", "docker://ubuntu@sha256:4b1d0c4a2a2aa52a8c4f6b0e5e12e8c0f1a8c9c1f0a4e1d0e3b2c1a0f9e8d7c6")
    hybrid = hybrid or read_config("acme_re", "hybrid", "limited")
    _platform(
        name = name,
        image = image,
        limited_hybrid = hybrid == "limited",
        local = hybrid != "remote-only",
        **kwargs
    )
