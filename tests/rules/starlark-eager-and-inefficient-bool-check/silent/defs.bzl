def has_proc_macro(deps):
    for d in deps:
        if d.endswith("-macros"):
            return True
    return False
