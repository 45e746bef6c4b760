def crate(name, features):
    return name + str(len(features))
