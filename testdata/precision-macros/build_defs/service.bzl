# Every service gets a binary and a container image, named after it.
def service(name, srcs, deps = [], visibility = ["PUBLIC"]):
    native.rust_binary(
        name = name + "-bin",
        srcs = srcs,
        crate_root = srcs[0],
        deps = deps,
        visibility = visibility,
    )
    native.genrule(
        name = "{}-image".format(name),
        out = "image.tar",
        cmd = "$(exe //tools:oci-pack) $(location :{}-bin) > $OUT".format(name),
        visibility = visibility,
    )
