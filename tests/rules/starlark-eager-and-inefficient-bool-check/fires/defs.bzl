def has_proc_macro(deps):
    return any([d.endswith("-macros") for d in deps])
