def crate(name):
    return name
    print("never")
