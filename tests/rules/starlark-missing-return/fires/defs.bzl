def edition_of(version):
    if version.startswith("1."):
        return "2021"
