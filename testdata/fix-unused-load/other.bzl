def never_used():
    pass
