/*
 * decode_avx2.c - the AVX2 decoder: 4 streams per register, up to eight
 * registers in lockstep (K = 16 or 32), one gather per register per step.
 *
 * The same plan as decode_avx512.c with half-width registers: each 64-bit
 * lane holds one stream's bit buffer; a step is
 *     idx = buf & (2^M - 1); e = table[idx] (vpgatherqd, 4 dwords);
 *     len = e >> 8; buf >>= len; count -= len            (vpsrlvq, vpsubq)
 * and the symbols (the low byte of each e: its entries are
 * `symbol | length << 8`) of four registers are packed into 16 adjacent
 * output bytes with two saturating packs, exact because the entries are
 * masked to their symbol byte first. AVX2 has no byte permute
 * across registers, so this packing is the extra cost against AVX-512.
 */
#include <immintrin.h>

#include "simd_lanes.h"

#define AVX2_TARGET __attribute__((target("avx2,bmi2")))

typedef struct avx2_group {
    __m256i buf, count, ptr;
} avx2_group;

AVX2_TARGET static inline void avx2_refill(avx2_group *g)
{
    const __m256i w = _mm256_i64gather_epi64((const long long *)0, g->ptr, 1);
    g->buf = _mm256_or_si256(g->buf, _mm256_sllv_epi64(w, g->count));
    __m256i advance = _mm256_srli_epi64(_mm256_sub_epi64(_mm256_set1_epi64x(63), g->count), 3);
    g->ptr = _mm256_add_epi64(g->ptr, advance);
    g->count = _mm256_or_si256(g->count, _mm256_set1_epi64x(56));
}

/* One symbol for each of the group's 4 lanes; returns the 4 symbols as
 * dwords. */
AVX2_TARGET static inline __m128i avx2_step(avx2_group *g, const uint32_t *table, __m256i mask)
{
    __m256i idx = _mm256_and_si256(g->buf, mask);
    __m128i e = _mm256_i64gather_epi32((const int *)table, idx, 4);
    __m256i len = _mm256_cvtepu32_epi64(_mm_srli_epi32(e, 8));
    g->buf = _mm256_srlv_epi64(g->buf, len);
    g->count = _mm256_sub_epi64(g->count, len);
    return _mm_and_si128(e, _mm_set1_epi32(0xFF));
}

/* The lane loop for G groups of 4 (K = 4 * G, G a multiple of 4), D steps
 * per refill: each 16 lanes end in one 16-byte store. */
AVX2_TARGET static H278_ALWAYS_INLINE void avx2_lanes(h278_simd_state *s, const h278_simd_tables *t, uint8_t *out, size_t n,
                                          const unsigned G, const unsigned D)
{
    const uint32_t *table = h278_simd_gather_table(t);
    const __m256i mask = _mm256_set1_epi64x((long long)((1u << t->desc.width) - 1));
    avx2_group g[8];
    for (unsigned j = 0; j < G; j++) {
        g[j].buf = _mm256_loadu_si256((const __m256i *)(s->buf + 4 * j));
        g[j].count = _mm256_loadu_si256((const __m256i *)(s->count + 4 * j));
        g[j].ptr = _mm256_loadu_si256((const __m256i *)(s->ptr + 4 * j));
    }
    const unsigned K = 4 * G;
    for (size_t it = 0; it < n; it++) {
        for (unsigned j = 0; j < G; j++)
            avx2_refill(&g[j]);
        for (unsigned step = 0; step < D; step++) {
            for (unsigned j = 0; j < G; j += 4) {
                __m128i a = avx2_step(&g[j], table, mask);
                __m128i b = avx2_step(&g[j + 1], table, mask);
                __m128i c = avx2_step(&g[j + 2], table, mask);
                __m128i d = avx2_step(&g[j + 3], table, mask);
                __m128i bytes = _mm_packus_epi16(_mm_packus_epi32(a, b), _mm_packus_epi32(c, d));
                _mm_storeu_si128((__m128i *)(out + 4 * j), bytes);
            }
            out += K;
        }
    }
    for (unsigned j = 0; j < G; j++) {
        _mm256_storeu_si256((__m256i *)(s->buf + 4 * j), g[j].buf);
        _mm256_storeu_si256((__m256i *)(s->count + 4 * j), g[j].count);
        _mm256_storeu_si256((__m256i *)(s->ptr + 4 * j), g[j].ptr);
    }
}

/* The lane loop with G (registers) and D (steps per refill) as constants. */
AVX2_TARGET static void avx2_loop(h278_simd_state *s, const h278_simd_tables *t, uint8_t *out, size_t n,
                                  unsigned k, unsigned per_refill)
{
    if (per_refill == 5)
        k == 16 ? avx2_lanes(s, t, out, n, 4, 5) : avx2_lanes(s, t, out, n, 8, 5);
    else
        k == 16 ? avx2_lanes(s, t, out, n, 4, 4) : avx2_lanes(s, t, out, n, 8, 4);
}

AVX2_TARGET static h278_error avx2_decode(const h278_block *b, const h278_params *p, const void *mem,
                                          uint8_t *dst)
{
    (void)p;
    return h278_simd_decode(b, mem, dst, avx2_loop);
}

static size_t avx2_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)p;
    return h278_simd_table_bytes(code_max_len, sizeof(uint32_t));
}

/* The gather table with the length above the symbol (`symbol | length <<
 * 8`): the shift that extracts the length then takes an immediate, and the
 * mask that extracts the symbol is off the chain from one gather to the
 * next. */
static h278_error avx2_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    return h278_simd_build(b, mem, sizeof(uint32_t), 1);
}

const h278_variant h278_variant_avx2 = {
    .name = "avx2",
    .summary = "AVX2: 4 streams per register, 16 or 32 in lockstep, dword gathers "
               "(interleaved K>=16, codes <= 12 bits; other blocks: multisym-bmi2)",
    .cpu_needs = H278_CPU_AVX2 | H278_CPU_BMI2,
    .table_bytes = avx2_table_bytes,
    .build = avx2_build,
    .decode = avx2_decode,
    .takes = h278_simd_takes,
    .fallback = &h278_variant_multisym_bmi2,
};
