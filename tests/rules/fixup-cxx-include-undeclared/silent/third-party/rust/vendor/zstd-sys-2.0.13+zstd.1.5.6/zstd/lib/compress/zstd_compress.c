int zstd_compress(void) { return 0; }
