def crate(name):
    label = ":" + name
    return name
