def register(out, name):
    out.append(name)
    return

CRATES = []
