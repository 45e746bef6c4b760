def as_list(x):
    if type(x) == type([]):
        return x
    return [x]
