load("@prelude//rust:rust_toolchain.bzl", "PanicRuntime", "RustToolchainInfo")

# Rust toolchain over an unpacked upstream distribution tarball
# (rust-<version>-<triple>.tar.xz from static.rust-lang.org). Each component
# sits in its own directory: rustc/, rust-std-<triple>/, clippy-preview/, ...

def _rust_dist_impl(ctx):
    dist = ctx.attrs.dist[DefaultInfo].default_outputs[0]
    all_dist_files = ctx.attrs.dist[DefaultInfo].default_outputs

    rustc = dist.project("rustc/bin/rustc")
    rustdoc = dist.project("rustc/bin/rustdoc")
    clippy_driver = dist.project("clippy-preview/bin/clippy-driver")
    sysroot = dist.project("rust-std-x86_64-unknown-linux-gnu")

    return [DefaultInfo(), RustToolchainInfo(
        compiler = RunInfo(args = cmd_args(rustc, hidden = all_dist_files)),
        rustdoc = RunInfo(args = cmd_args(rustdoc, hidden = all_dist_files)),
        clippy_driver = RunInfo(args = cmd_args(clippy_driver, hidden = all_dist_files)),
        panic_runtime = PanicRuntime("unwind"),
        rustc_target_triple = "x86_64-unknown-linux-gnu",
        sysroot_path = sysroot,
        default_edition = ctx.attrs.default_edition,
        rustc_flags = ctx.attrs.rustc_flags,
    )]

rust_dist_toolchain = rule(
    impl = _rust_dist_impl,
    attrs = {
        "default_edition": attrs.option(attrs.string(), default = None),
        "dist": attrs.dep(),
        "rustc_flags": attrs.list(attrs.string(), default = []),
    },
    is_toolchain_rule = True,
)
