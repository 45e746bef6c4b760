FEATURES = ["std"]

load("@prelude//rust:cargo_package.bzl", "cargo")

def crate(name):
    return cargo.rust_library(name = name, features = FEATURES)
