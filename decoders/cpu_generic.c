/*
 * cpu_generic.c - CPU detection for architectures without SIMD variants:
 * only the scalar decoders run there.
 */
#include "cpu.h"

uint32_t h278_cpu_detect(void)
{
    return 0;
}

uint64_t (*const h278_popcount_words_native)(const uint8_t *p, size_t words) = NULL;
