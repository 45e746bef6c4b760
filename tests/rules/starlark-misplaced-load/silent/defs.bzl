load("@prelude//rust:cargo_package.bzl", "cargo")

FEATURES = ["std"]

def crate(name):
    return cargo.rust_library(name = name, features = FEATURES)
