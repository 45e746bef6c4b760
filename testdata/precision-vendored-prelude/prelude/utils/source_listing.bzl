def source_listing(exclude = []):
    native.filegroup(name = "files", srcs = native.glob(["**"], exclude = exclude), visibility = ["PUBLIC"])
