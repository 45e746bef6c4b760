#pragma once
#include <stddef.h>

size_t wrap_bound(size_t n);
