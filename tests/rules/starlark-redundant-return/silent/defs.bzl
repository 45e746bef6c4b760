def register(out, name):
    out.append(name)

CRATES = []
