def _crate(name):
    return name + "_lib"
