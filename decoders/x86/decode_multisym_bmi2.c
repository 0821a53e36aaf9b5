/*
 * decode_multisym_bmi2.c - the multi-symbol decode loop compiled with BMI2.
 *
 * The same template as the `multisym` variant (decode_multisym_loop.h),
 * built for CPUs with BMI2: every lookup's variable shift becomes one shrx.
 * It is not a variant of its own: the AVX2 and AVX-512 variants, which
 * need BMI2 anyway, decode with it every block their lanes do not take
 * (simd_lanes.h), so on such a CPU `--decoder simd` is never slower than
 * the portable scalar loop on any block.
 */
#include "simd_lanes.h"

#define MS_DECODE ms_decode_bmi2
#define MS_TARGET __attribute__((target("bmi2")))
#include "../decode_multisym_loop.h"

h278_error h278_multisym_decode_bmi2(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    return ms_decode_bmi2(b, p, mem, dst);
}
