def edition_of(version):
    edition = "2024"
    if version.startswith("1."):
        edition = "2021"
    return edition
