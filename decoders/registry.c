/*
 * registry.c - the one list of decoder variants.
 *
 * Order matters only for display: the oracle first, then scalar variants from
 * simplest to most elaborate, then SIMD variants. Names are stable.
 */
#include "variant.h"

extern const h278_variant h278_variant_tree;
extern const h278_variant h278_variant_table;
extern const h278_variant h278_variant_hybrid;
extern const h278_variant h278_variant_multisym;

#if defined(H278_HAVE_X86)
extern const h278_variant h278_variant_avx2;
extern const h278_variant h278_variant_avx512;
#define H278_X86_VARIANTS &h278_variant_avx2, &h278_variant_avx512,
#else
#define H278_X86_VARIANTS
#endif

const h278_variant *const h278_variants[] = {
    &h278_variant_tree,
    &h278_variant_table,
    &h278_variant_hybrid,
    &h278_variant_multisym,
    H278_X86_VARIANTS
};

const size_t h278_variants_count = sizeof h278_variants / sizeof h278_variants[0];
