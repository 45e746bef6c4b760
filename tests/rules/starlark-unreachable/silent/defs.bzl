def crate(name):
    print("registering")
    return name
