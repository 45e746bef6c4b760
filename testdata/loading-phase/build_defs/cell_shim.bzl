# A shim in the style of larger monorepos: target labels written for the internal layout are
# rewritten for this repository. It reads the loading cell at the top level, and tells a
# select() from a list with the prelude's type predicates.
load("@prelude//utils:type_defs.bzl", "is_select")

# the cell of the BUCK file being evaluated
ACTIVE_CELL = native.get_cell_name()

def _translate(label):
    if label.startswith("fbcode//"):
        return ACTIVE_CELL + "//" + label[len("fbcode//"):]
    return label

def _fix_deps(deps):
    if is_select(deps):
        return select_map(deps, _fix_deps)
    return [_translate(d) for d in deps]

def _declare(rule, name, deps, kwargs):
    rule(name = name, deps = _fix_deps(deps), **kwargs)

def shim_library(name, deps = [], **kwargs):
    _declare(native.rust_library, name + "-lib", deps, kwargs)
