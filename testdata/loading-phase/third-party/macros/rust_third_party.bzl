# The shim every generated third-party target goes through (Reindeer's `buckfile_imports`).
# It fixes up the attributes and hands them to the prelude, two calls deep.
def _with_defaults(kwargs):
    return {"visibility": ["PUBLIC"]} | kwargs

def _declare(rule, **kwargs):
    rule(**_with_defaults(kwargs))

def third_party_rust_library(**kwargs):
    _declare(native.rust_library, **kwargs)
