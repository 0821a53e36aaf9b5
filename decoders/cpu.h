/*
 * cpu.h - which CPU features the decoders may use, read once.
 *
 * h278_cpu_features() returns H278_CPU_* bits (variant.h): what the CPU
 * reports, minus what the environment variable H278_DISABLE_CPU turns off
 * (a comma-separated subset of "avx2,avx512,bmi2"), so that tests can run
 * every code path on one machine. Turning off avx2 also turns off avx512;
 * the SIMD variants also need BMI2, so turning that off leaves only the
 * portable scalar variants.
 */
#ifndef H278_CPU_H
#define H278_CPU_H

#include <stddef.h>
#include <stdint.h>

uint32_t h278_cpu_features(void);

/* What the hardware supports, before H278_DISABLE_CPU: implemented per
 * architecture (x86/cpu_x86.c, or cpu_generic.c elsewhere). */
uint32_t h278_cpu_detect(void);

/* Set bits in `words` 64-bit little-endian words at p (the pivot parser's
 * count check): the POPCNT instruction where the CPU has it (every CPU
 * with BMI2 does; H278_DISABLE_CPU=bmi2 turns it off), else portable
 * arithmetic. */
uint64_t h278_popcount_words(const uint8_t *p, size_t words);

/* The same with the instruction: x86/cpu_x86.c; NULL elsewhere. */
extern uint64_t (*const h278_popcount_words_native)(const uint8_t *p, size_t words);

#endif /* H278_CPU_H */
