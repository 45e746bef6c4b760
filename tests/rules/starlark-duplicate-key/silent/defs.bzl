RUSTC_FLAGS = {
    "opt-level": "3",
    "debuginfo": "0",
}
