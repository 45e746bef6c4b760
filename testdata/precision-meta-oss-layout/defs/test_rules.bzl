def _overrides(ctx: AnalysisContext) -> dict[str, CommandExecutorConfig]:
    remote = CommandExecutorConfig(
        local_enabled = ctx.attrs.local_run,
        remote_enabled = True,
        remote_execution_properties = {"platform": "android-emulator"},
        remote_execution_use_case = "instrumentation-tests",
    )
    return {"emulator": remote}

def _device_test_impl(ctx: AnalysisContext) -> list[Provider]:
    return [
        DefaultInfo(),
        ExternalRunnerTestInfo(
            type = "device",
            command = ["run-device-test"],
            default_executor = CommandExecutorConfig(
                local_enabled = True,
                remote_enabled = True,
                remote_execution_properties = {"platform": "linux-remote-execution"},
                remote_execution_use_case = "tests",
            ),
            executor_overrides = _overrides(ctx),
        ),
    ]

device_test = rule(
    impl = _device_test_impl,
    attrs = {"local_run": attrs.bool(default = False)},
)
