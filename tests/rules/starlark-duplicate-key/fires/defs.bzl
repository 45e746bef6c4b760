RUSTC_FLAGS = {
    "opt-level": "3",
    "debuginfo": "0",
    "opt-level": "2",
}
