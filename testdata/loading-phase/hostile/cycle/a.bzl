load(":b.bzl", "b")

def a(name):
    b(name)
