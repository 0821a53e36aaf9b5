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

#include <stdint.h>

uint32_t h278_cpu_features(void);

/* What the hardware supports, before H278_DISABLE_CPU: implemented per
 * architecture (x86/cpu_x86.c, or cpu_generic.c elsewhere). */
uint32_t h278_cpu_detect(void);

#endif /* H278_CPU_H */
