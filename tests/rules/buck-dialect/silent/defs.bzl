def crate(name):
    native.rust_library(name = name, srcs = native.glob(["src/**/*.rs"]))
