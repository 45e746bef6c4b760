def edition_of(version):
    edition = "2021"
    print(edition)
    return edition
