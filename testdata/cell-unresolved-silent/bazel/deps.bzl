# Used by the Bazel build only; Buck2 never loads this file.
load("@bazel_skylib//lib:paths.bzl", "paths")

def crate_path(name):
    return paths.join("third-party", name)
