def merged_attrs(base):
    return dict(base)
