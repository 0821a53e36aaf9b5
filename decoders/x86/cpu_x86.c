/*
 * cpu_x86.c - x86-64 feature detection with cpuid (through the compiler's
 * __builtin_cpu_supports, which also checks that the OS saves the wider
 * registers).
 */
#include "../cpu.h"
#include "../variant.h"

uint32_t h278_cpu_detect(void)
{
    uint32_t f = 0;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("bmi2"))
        f |= H278_CPU_BMI2;
    if (__builtin_cpu_supports("avx2"))
        f |= H278_CPU_AVX2;
    if ((f & H278_CPU_AVX2) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2"))
        f |= H278_CPU_AVX512;
    return f;
}

/* h278_popcount_words with POPCNT (cpu.h; used where BMI2 is, which
 * implies it). */
__attribute__((target("popcnt"))) static uint64_t popcount_words_popcnt(const uint8_t *p, size_t words)
{
    uint64_t ones = 0;
    for (size_t i = 0; i < words; i++) {
        uint64_t w;
        __builtin_memcpy(&w, p + 8 * i, 8);
        ones += (uint64_t)__builtin_popcountll(w);
    }
    return ones;
}

uint64_t (*const h278_popcount_words_native)(const uint8_t *p, size_t words) = popcount_words_popcnt;
