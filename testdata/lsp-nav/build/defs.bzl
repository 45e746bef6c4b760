load(":version.bzl", _VERSION = "VERSION")

VERSION = _VERSION

DEFAULT_RUSTC_FLAGS = ["--cap-lints=warn"]

def app_binary(name, rustc_flags = [], **kwargs):
    """A rust_binary with the repository's default flags."""
    rust_binary(
        name = name,
        rustc_flags = DEFAULT_RUSTC_FLAGS + rustc_flags,
        **kwargs
    )
