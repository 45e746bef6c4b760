# The open-source stand-in for the internal macro: same name, plain prelude rule underneath.
def rust_library(srcs = [], **kwargs):
    native.rust_library(srcs = srcs, **kwargs)
