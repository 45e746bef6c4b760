def crate(name, features):
    return name
