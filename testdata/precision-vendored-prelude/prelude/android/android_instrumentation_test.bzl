def _android_instrumentation_test_impl(ctx: AnalysisContext) -> list[Provider]:
    executor = CommandExecutorConfig(
        local_enabled = False,
        remote_enabled = True,
        remote_execution_properties = {
            "platform": "android-emulator",
            "subplatform": "android-30",
        },
        remote_execution_use_case = "instrumentation-tests",
    )
    local = CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        remote_execution_properties = {"platform": "linux-remote-execution"},
        remote_execution_use_case = "instrumentation-tests",
    )
    return [DefaultInfo(), ExternalRunnerTestInfo(type = "android_instrumentation", command = [], executor_overrides = {"android-emulator": executor, "static-listing": local})]

android_instrumentation_test = rule(impl = _android_instrumentation_test_impl, attrs = {})
