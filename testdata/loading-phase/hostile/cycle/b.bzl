load(":a.bzl", "a")

def b(name):
    a(name)
