def any_features(features):
    return any(list(features))
