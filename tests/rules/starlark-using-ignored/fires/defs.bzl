def crate(name):
    _suffix = "_lib"
    return name + _suffix
