def expect(condition, message = "expectation failed", *format_args):
    if not condition:
        fail(message.format(*format_args))
