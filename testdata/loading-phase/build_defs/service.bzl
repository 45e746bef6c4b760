# Every service is a library, a binary that wraps it and a container image, all named after
# the service. The image suffix is configurable per repository.
_IMAGE_SUFFIX = read_config("services", "image_suffix", "-oci")

def _image(name, binary, visibility):
    native.genrule(
        name = name + _IMAGE_SUFFIX,
        out = "image.tar",
        cmd = "$(exe //tools:oci-pack) $(location :{}) > $OUT".format(binary),
        visibility = visibility,
    )

def service(name, srcs = None, deps = [], visibility = ["PUBLIC"]):
    srcs = srcs or native.glob(["src/**/*.rs"])
    native.rust_library(
        name = name + "-lib",
        srcs = srcs,
        crate = name.replace("-", "_"),
        crate_root = "src/lib.rs",
        deps = deps,
        visibility = visibility,
    )
    native.rust_binary(
        name = name,
        srcs = srcs,
        crate_root = "src/main.rs",
        deps = [":{}-lib".format(name)],
        visibility = visibility,
    )
    _image(name, name, visibility)
