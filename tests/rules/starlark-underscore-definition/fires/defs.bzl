def _crate(name):
    _helper = lambda x: x + "_lib"
    return _helper(name)
