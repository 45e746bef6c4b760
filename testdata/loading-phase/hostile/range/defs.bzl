def many(name):
    for i in range(2000000000):
        native.genrule(name = "{}-{}".format(name, i), out = "o", cmd = "true")
