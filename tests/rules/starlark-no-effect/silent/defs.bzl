def crate(name):
    """The crate's name."""
    return name
