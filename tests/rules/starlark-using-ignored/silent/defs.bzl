def crate(name):
    suffix = "_lib"
    return name + suffix
