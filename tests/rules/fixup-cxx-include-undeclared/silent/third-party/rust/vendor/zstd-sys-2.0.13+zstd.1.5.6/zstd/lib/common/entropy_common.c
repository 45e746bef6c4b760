#include "error_private.h"
#include "../zstd.h"
#include <string.h>
int zstd_common(void) { return ZSTD_VERSION; }
