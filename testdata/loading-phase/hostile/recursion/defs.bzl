def forever(name, depth = 0):
    forever(name, depth + 1)
