def app_binary(name, srcs):
    native.rust_binary(name = name, srcs = srcs)

def lib_helper():
    pass

def test_helper():
    pass
