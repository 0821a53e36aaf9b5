/*
 * cpu.c - CPU feature bits with the H278_DISABLE_CPU override (see cpu.h).
 *
 * The result is computed on first use and cached; the environment is read
 * then and not again, so a process sees one consistent set of variants.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "le.h"
#include "variant.h"

static uint32_t disabled_by_env(void)
{
    const char *env = getenv("H278_DISABLE_CPU");
    uint32_t off = 0;
    while (env && *env) {
        size_t len = strcspn(env, ",");
        if (len == 4 && strncmp(env, "avx2", 4) == 0)
            off |= H278_CPU_AVX2 | H278_CPU_AVX512;
        else if (len == 6 && strncmp(env, "avx512", 6) == 0)
            off |= H278_CPU_AVX512;
        else if (len == 4 && strncmp(env, "bmi2", 4) == 0)
            off |= H278_CPU_BMI2;
        else if (len > 0) /* a misspelt name would otherwise test nothing, silently */
            fprintf(stderr, "h278: H278_DISABLE_CPU: unknown feature '%.*s' ignored (known: avx512, avx2, bmi2)\n",
                    (int)len, env);
        env += len + (env[len] == ',');
    }
    return off;
}

uint32_t h278_cpu_features(void)
{
    static _Atomic uint32_t cached; /* bit 31 marks "computed" */
    uint32_t v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!(v & 0x80000000u)) {
        v = (h278_cpu_detect() & ~disabled_by_env()) | 0x80000000u;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v & ~0x80000000u;
}

/* Portable popcount of one word: the baseline x86-64 has no POPCNT, and
 * __builtin_popcountll would call a library routine. */
static inline uint64_t popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (x * 0x0101010101010101ull) >> 56;
}

uint64_t h278_popcount_words(const uint8_t *p, size_t words)
{
    if (h278_popcount_words_native && (h278_cpu_features() & H278_CPU_BMI2))
        return h278_popcount_words_native(p, words);
    uint64_t ones = 0;
    for (size_t i = 0; i < words; i++)
        ones += popcount64(h278_load64(p + 8 * i));
    return ones;
}
