# A "host" execution platform whose implementation reads the constraints of the machine
# running Buck2, plus a local-only variant of the prelude-style platform.

_IMAGE = "docker://ghcr.io/acme/rbe@sha256:0d1fe2cd12c1a2a2a8d37bfd451d23b1fcb5668a38ecc38462669add6e3f13c2"

def _host_constraints():
    info = host_info()
    os = "prelude//os:linux" if info.os.is_linux else "prelude//os:macos"
    cpu = "prelude//cpu:arm64" if info.arch.is_aarch64 else "prelude//cpu:x86_64"
    return [os, cpu]

def _host_platform_impl(ctx):
    # re-exec-platform-host-derived: the constraints follow the developer's machine, the
    # actions run on Linux x86_64 workers.
    constraints = _host_constraints()
    return [
        DefaultInfo(),
        ExecutionPlatformInfo(
            label = ctx.label.raw_target(),
            configuration = ConfigurationInfo(
                constraints = {c: ctx.attrs.constraint_values[c] for c in constraints},
                values = {},
            ),
            executor_config = CommandExecutorConfig(
                local_enabled = True,
                remote_enabled = True,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {
                    "OSFamily": "Linux",
                    "container-image": _IMAGE,
                },
            ),
        ),
    ]

host_platform = rule(
    impl = _host_platform_impl,
    attrs = {"constraint_values": attrs.dict(attrs.string(), attrs.dep())},
)

def _execution_platform_impl(ctx):
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
                remote_enabled = ctx.attrs.remote_enabled,
                use_limited_hybrid = True,
                remote_execution_use_case = "buck2-default",
                remote_execution_properties = {
                    "OSFamily": "Linux",
                    "container-image": _IMAGE,
                },
            ),
        ),
    ]

execution_platform = rule(
    impl = _execution_platform_impl,
    attrs = {
        "cpu_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "os_configuration": attrs.dep(providers = [ConfigurationInfo]),
        "remote_enabled": attrs.bool(default = False),
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
