# Project macros, adapted from an internal monorepo.
load("@fbcode_macros//build_defs:native_rules.bzl", "buck_genrule")

def version_file(name, version):
    buck_genrule(
        name = name,
        out = "version.txt",
        cmd = "echo {} > $OUT".format(version),
    )
