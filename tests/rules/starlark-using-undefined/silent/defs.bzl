def crate(name):
    return native.rust_library(name = name)
