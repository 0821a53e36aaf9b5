/*
 * registry.c - the one list of decoder variants, and what "simd" means.
 *
 * Order matters only for display: the oracle first, then scalar variants from
 * simplest to most elaborate, then CPU-specific ones. Names are stable.
 */
#include "variant.h"

extern const h278_variant h278_variant_tree;
extern const h278_variant h278_variant_table;
extern const h278_variant h278_variant_hybrid;
extern const h278_variant h278_variant_multisym;
extern const h278_variant h278_variant_pivot;

#if defined(H278_HAVE_X86)
extern const h278_variant h278_variant_multisym_bmi2;
extern const h278_variant h278_variant_avx2;
extern const h278_variant h278_variant_avx2_multi;
extern const h278_variant h278_variant_avx512;
extern const h278_variant h278_variant_avx512_multi;
extern const h278_variant h278_variant_pivot_avx2;
extern const h278_variant h278_variant_pivot_avx512;
#endif

const h278_variant *const h278_variants[] = {
    &h278_variant_tree,
    &h278_variant_table,
    &h278_variant_hybrid,
    &h278_variant_multisym,
    &h278_variant_pivot,
#if defined(H278_HAVE_X86)
    &h278_variant_multisym_bmi2,
    &h278_variant_avx2,
    &h278_variant_avx2_multi,
    &h278_variant_avx512,
    &h278_variant_avx512_multi,
    &h278_variant_pivot_avx2,
    &h278_variant_pivot_avx512,
#endif
};

const size_t h278_variants_count = sizeof h278_variants / sizeof h278_variants[0];

/* "simd": the first of these that is compiled in and this CPU runs, fastest
 * first. The list ends in a portable variant, so it always resolves. */
const char *const h278_simd_preference[] = {"avx512-multi", "avx512", "avx2-multi", "avx2", "multisym-bmi2", "multisym", NULL};
const char *const h278_simd_pivot_preference[] = {"pivot-avx512", "pivot-avx2", "pivot", NULL};
