def edition_of(version):
    if version.startswith("1."):
        edition = "2021"
    return edition
