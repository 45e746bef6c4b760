def crate(name):
    label = ":" + name
    return label
