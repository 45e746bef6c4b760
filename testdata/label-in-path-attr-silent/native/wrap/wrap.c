#include "wrap/wrap.h"
#include <zstd.h>

size_t wrap_bound(size_t n) { return ZSTD_compressBound(n); }
