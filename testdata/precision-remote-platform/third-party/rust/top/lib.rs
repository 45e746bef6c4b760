// Placeholder: Reindeer needs a target to resolve the dependencies.
