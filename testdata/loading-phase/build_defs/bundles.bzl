# One bundle per architecture.
def bundles(prefix, arches):
    for arch in arches:
        native.genrule(
            name = "{}-{}".format(prefix, arch),
            out = "bundle.tar",
            cmd = "tar cf $OUT --transform s/^/{}/ .".format(arch),
        )
