def crate(name):
    return rust_libary(name = name)
