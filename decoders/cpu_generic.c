/*
 * cpu_generic.c - CPU detection for architectures without SIMD variants:
 * only the scalar decoders run there.
 */
#include "cpu.h"

uint32_t h278_cpu_detect(void)
{
    return 0;
}
