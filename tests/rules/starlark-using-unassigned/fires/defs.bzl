def edition_of(version):
    print(edition)
    edition = "2021"
    return edition
