# Executor configurations Buck2 rejects when it analyses the platforms
# (re-executor-config-invalid).

_IMAGE = "docker://ghcr.io/acme/rbe@sha256:0d1fe2cd12c1a2a2a8d37bfd451d23b1fcb5668a38ecc38462669add6e3f13c2"

def _configuration(ctx):
    constraints = dict()
    constraints.update(ctx.attrs.cpu_configuration[ConfigurationInfo].constraints)
    constraints.update(ctx.attrs.os_configuration[ConfigurationInfo].constraints)
    return ConfigurationInfo(constraints = constraints, values = {})

def _executor(kind):
    if kind == "sandboxed":
        # network_access must be one of all, none, loopback, strict, private.
        return CommandExecutorConfig(
            local_enabled = False,
            remote_enabled = True,
            use_limited_hybrid = True,
            network_access = "off",
            remote_execution_use_case = "buck2-default",
            remote_execution_properties = {
                "OSFamily": "Linux",
                "container-image": _IMAGE,
            },
        )
    if kind == "remote":
        # Missing local_enabled; properties written as a list of strings.
        return CommandExecutorConfig(
            remote_enabled = True,
            use_limited_hybrid = True,
            remote_execution_use_case = "buck2-default",
            remote_execution_properties = ["OSFamily=Linux", "container-image=" + _IMAGE],
        )

    # Remote execution without any platform properties.
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        use_limited_hybrid = True,
        remote_execution_use_case = "buck2-default",
        remote_execution_properties = None,
    )

def _platform_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = _configuration(ctx),
            executor_config = _executor(ctx.attrs.kind),
        ),
    ]

platform = rule(
    impl = _platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "kind": attrs.enum(["default", "remote", "sandboxed"]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
    },
)

def _platform_registration_impl(ctx):
    return [
        DefaultInfo(),
        ExecutionPlatformRegistrationInfo(platforms = [p[ExecutionPlatformInfo] for p in ctx.attrs.platforms]),
    ]

platform_registration = rule(
    impl = _platform_registration_impl,
    attrs = {"platforms": attrs.list(attrs.dep(providers = [ExecutionPlatformInfo]))},
)
