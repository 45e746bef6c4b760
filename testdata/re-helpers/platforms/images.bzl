# Worker images shared by every execution platform.

REGISTRY = "ghcr.io/acme"

# Tag only: re-container-image-unpinned reports this literal once, although two
# executor configurations in two platform rules use it.
RBE_IMAGE = "docker://" + REGISTRY + "/rbe-ubuntu22-04:2025-06-01"
