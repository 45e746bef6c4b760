def collect(deps):
    out = []
    for d in deps:
        out.append(d)
    return out
