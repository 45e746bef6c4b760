def crate(name):
    native.rust_library(name = name, srcs = ["src/lib.rs"])
