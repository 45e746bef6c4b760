def any_features(features):
    return len(features) > 0
