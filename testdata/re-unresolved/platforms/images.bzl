# Images per architecture, chosen when the platform is declared.

_IMAGES = {
    "arm64": "docker://ghcr.io/acme/rbe-arm64@sha256:48ac5e776133c4dd4dc4a2855c68bf74971897f01da2dbb20b10b54ca30ecdb5",
    "x86_64": "docker://ghcr.io/acme/rbe@sha256:ff0c695f0172fe092085231da05199a3e441125207094f647ad26ca0a65bdf1a",
}

def image_for(arch):
    return _IMAGES[arch]
