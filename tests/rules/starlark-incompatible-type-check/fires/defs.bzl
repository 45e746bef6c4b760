def as_list(x):
    if type(x) == list:
        return x
    return [x]
