/*
 * simd_lanes.h - what the AVX2 and AVX-512 decoders share: their tables,
 * when the lane loop applies, and the scalar fallback.
 *
 * The SIMD decoders step many streams at once: lane i of a vector owns the
 * bit buffer of stream i, looks up one symbol per step with a gather, and
 * the interleaved layout (FORMAT.md) puts the K symbols of one step into K
 * adjacent output bytes, so a step ends in one contiguous store — no scatter,
 * and no two lanes ever write the same cache line at different times (the
 * 4 KiB-aliasing trap of segmented layouts cannot occur).
 *
 * The lane loop runs for interleaved blocks with K >= 16 whose longest
 * code fits a gather table of 2^12 entries (with fewer streams there are too
 * few independent chains to hide the gather latency, and the scalar decoder
 * wins); other blocks (segmented, K < 16, or long codes) are decoded by the
 * scalar multi-symbol loop compiled with BMI2 (decode_multisym_bmi2.c),
 * whose tables are built alongside. After the lane loop, each stream finishes in the
 * scalar checked loop (decode_common.h), which also applies the
 * end-of-stream rule, so the SIMD path accepts and rejects exactly what the
 * scalar decoders do.
 */
#ifndef H278_SIMD_LANES_H
#define H278_SIMD_LANES_H

#include "../decode_common.h"

#define H278_SIMD_MAX_BITS 12u

extern const h278_variant h278_variant_multisym;
/* The multi-symbol decode loop compiled with BMI2 (decode_multisym_bmi2.c):
 * decodes blocks laid out by h278_variant_multisym.build. */
h278_error h278_multisym_decode_bmi2(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst);

typedef struct h278_simd_tables {
    uint64_t wide[1u << H278_SIMD_MAX_BITS]; /* length | symbol << 8, gathered by the lanes */
    uint32_t wide32[1u << H278_SIMD_MAX_BITS]; /* symbol | length << 8, for 4-byte gathers */
    uint16_t narrow[1u << H278_SIMD_MAX_BITS]; /* the same, for the scalar tail */
    uint8_t use_lanes;
    uint8_t bits;
    /* The multi-symbol decoder's tables follow, 64-byte aligned. */
} h278_simd_tables;

static inline size_t h278_simd_header_bytes(void)
{
    return (sizeof(h278_simd_tables) + 63) & ~(size_t)63;
}

static inline size_t h278_simd_table_bytes(unsigned code_max_len, const h278_params *p)
{
    return h278_simd_header_bytes() + h278_variant_multisym.table_bytes(code_max_len, p);
}

/* Whether a variant whose lane loop needs at least min_streams streams
 * decodes b with its lanes (else with the scalar fallback). */
static inline int h278_simd_lanes_apply(const h278_block *b, unsigned min_streams)
{
    return (b->flags & H278_BLOCK_FLAG_INTERLEAVED) && b->streams >= min_streams &&
           b->code_max_len <= H278_SIMD_MAX_BITS;
}

static inline h278_error h278_simd_build(const h278_block *b, const h278_params *p, void *mem,
                                         unsigned min_streams)
{
    h278_simd_tables *t = mem;
    t->use_lanes = (uint8_t)h278_simd_lanes_apply(b, min_streams);
    if (t->use_lanes) {
        t->bits = b->code_max_len;
        h278_build_short_table(b, t->bits, t->narrow);
        for (uint32_t i = 0; i < (1u << t->bits); i++)
            t->wide[i] = (uint64_t)(t->narrow[i] >> 8) | (uint64_t)(t->narrow[i] & 0xFF) << 8;
        for (uint32_t i = 0; i < (1u << t->bits); i++)
            t->wide32[i] = t->narrow[i];
        return H278_OK;
    }
    return h278_variant_multisym.build(b, p, (uint8_t *)mem + h278_simd_header_bytes());
}

static inline h278_error h278_simd_fallback(const h278_block *b, const h278_params *p, const void *mem,
                                            uint8_t *dst)
{
    return h278_multisym_decode_bmi2(b, p, (const uint8_t *)mem + h278_simd_header_bytes(), dst);
}

/* Steps every lane may take with no checks: each refill needs 8 readable
 * bytes and advances at most 7, and each step emits one symbol per lane. */
static inline size_t h278_simd_safe_steps(const h278_lane *lanes, unsigned k, unsigned per_refill)
{
    size_t n = SIZE_MAX;
    for (unsigned i = 0; i < k; i++) {
        size_t s = h278_lane_safe_iters(&lanes[i], k, per_refill);
        n = s < n ? s : n;
    }
    return n;
}

/* A variant's lane loop: n iterations (a refill, then per_refill steps) of
 * all k lanes (16 or 32), writing from out. */
typedef void (*h278_simd_loop)(h278_lane *lanes, const h278_simd_tables *t, uint8_t *out, size_t n, unsigned k,
                               unsigned per_refill);

/*
 * The decode both SIMD variants run around their lane loop: the scalar
 * fallback for blocks the lanes do not take, passes of the loop while any
 * step is provably safe (each pass assumes the worst case, 7 bytes per
 * refill; real data uses less, so passes repeat), then the checked scalar
 * tail of every stream. Inlined into each variant, so loop is a direct call.
 */
static H278_ALWAYS_INLINE h278_error h278_simd_decode(const h278_block *b, const h278_params *p, const void *mem,
                                                      uint8_t *dst, h278_simd_loop loop)
{
    const h278_simd_tables *t = mem;
    if (!t->use_lanes)
        return h278_simd_fallback(b, p, mem, dst);
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t k = h278_lanes_init(b, dst, lanes);
    unsigned per_refill = 56 / t->bits > 5 ? 5 : 56 / t->bits; /* 5 or 4: bits <= 12 */
    size_t n;
    while ((n = h278_simd_safe_steps(lanes, k, per_refill)) > 0) {
        /* All lanes are at the same step: stream i's next symbol is output
         * byte i + step * K, so the block's first byte is lanes[0].out. */
        loop(lanes, t, lanes[0].out, n, k, per_refill);
    }
    for (unsigned i = 0; i < k; i++) {
        h278_error err = h278_lane_finish(&lanes[i], t->narrow, t->bits, NULL, k);
        if (err)
            return err;
    }
    return H278_OK;
}

#endif /* H278_SIMD_LANES_H */
