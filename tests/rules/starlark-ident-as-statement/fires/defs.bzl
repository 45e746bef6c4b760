def crate_name(name):
    name
    return name.replace("-", "_")
