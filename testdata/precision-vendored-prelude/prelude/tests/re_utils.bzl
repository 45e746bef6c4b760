load("@prelude//utils:expect.bzl", "expect")

def get_re_executor_from_props(ctx: AnalysisContext) -> [CommandExecutorConfig, None]:
    re_props = ctx.attrs.remote_execution
    if re_props == None:
        return None
    expect(type(re_props) == "dict", "remote_execution must be a dict")
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        remote_execution_properties = re_props["capabilities"],
        remote_execution_use_case = re_props["use_case"],
    )
