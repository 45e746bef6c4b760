def crate_name(name):
    return name.replace("-", "_")
