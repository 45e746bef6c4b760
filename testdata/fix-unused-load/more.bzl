def m1():
    pass

def m2():
    pass
