/*
 * decode_avx512.c - the AVX-512 decoder: 8 streams per register, two or four
 * registers in lockstep (K = 16 or 32), one gather per register per step.
 *
 * Each 64-bit lane holds one stream's bit buffer, exactly like the scalar
 * bit reader (bitreader.h): the next bits at bit 0, a count of valid bits,
 * and a pointer to the next byte. A step, per register:
 *     idx  = buf & (2^M - 1)                 vpandq
 *     e    = table[idx] for 8 lanes           vpgatherqq (8 qword loads)
 *     buf >>= e mod 64                        vpshrdvq (VBMI2)
 *     count -= e & 255                        vpandq, vpsubq
 * then one VBMI byte permute (vpermt2b) picks the 16 symbol bytes (byte 1
 * of every entry) of two registers. With the interleaved layout those are
 * output bytes 16r .. 16r+15 of the step, so K lanes fill K adjacent bytes.
 * Every D = min(5, 56 / M) steps (5 for M <= 11, 4 for M = 12) the lanes
 * refill: one 8-byte gather from the eight stream pointers, shifted into
 * place (vpsllvq), as the scalar branch-free refill.
 *
 * The shift is VBMI2's funnel shift with a zero upper half: it takes its
 * count modulo 64, so the symbol byte of the entry needs no masking first
 * and the chain from one gather to the next is one operation shorter; the
 * count update is off that chain (docs/DECODERS.md has the measurement).
 *
 * Like the scalar loops, the number of steps that are safe for every lane
 * (8 readable bytes at each refill, a symbol left for each step) is computed
 * before the loop, so the loop has no checks; the scalar tail finishes.
 * Compiled with a target attribute; the API offers the variant only where
 * cpu.c finds AVX-512 with VBMI2, so the binary runs on any x86-64 CPU.
 */
#include <immintrin.h>

#include "simd_lanes.h"

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2")))

typedef struct avx512_group {
    __m512i buf, count, ptr;
} avx512_group;

AVX512_TARGET static inline void avx512_refill(avx512_group *g)
{
    const __m512i w = _mm512_i64gather_epi64(g->ptr, (const void *)0, 1);
    g->buf = _mm512_or_si512(g->buf, _mm512_sllv_epi64(w, g->count));
    __m512i advance = _mm512_srli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(63), g->count), 3);
    g->ptr = _mm512_add_epi64(g->ptr, advance);
    g->count = _mm512_or_si512(g->count, _mm512_set1_epi64(56));
}

/* One symbol for each of the group's 8 lanes; returns the 8 table entries
 * (length in bits 0-7, symbol in bits 8-15 of each 64-bit lane). */
AVX512_TARGET static inline __m512i avx512_step(avx512_group *g, const uint64_t *table, __m512i mask)
{
    __m512i idx = _mm512_and_si512(g->buf, mask);
    __m512i e = _mm512_i64gather_epi64(idx, (const void *)table, 8);
    /* e mod 64 is the length: it is at most 12 and bits 6-7 of e are 0. */
    g->buf = _mm512_shrdv_epi64(g->buf, _mm512_setzero_si512(), e);
    g->count = _mm512_sub_epi64(g->count, _mm512_and_si512(e, _mm512_set1_epi64(0xFF)));
    return e;
}

/* The lane loop for G groups of 8 (K = 8 * G: 16 or 32), D steps per refill.
 * The symbol bytes of two groups' entries are picked out with one VBMI
 * byte permute (vpermt2b) and stored 16 at a time. */
AVX512_TARGET static H278_ALWAYS_INLINE void avx512_lanes(h278_simd_state *s, const h278_simd_tables *t, uint8_t *out,
                                              size_t n, const unsigned G, const unsigned D)
{
    const uint64_t *table = h278_simd_gather_table(t);
    const __m512i mask = _mm512_set1_epi64((long long)((1u << t->desc.width) - 1));
    /* Byte 1 of each qword of a (indexes 1, 9, .. 57), then of b (65, ..). */
    const __m512i pick = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0x7971696159514941LL, 0x3931292119110901LL);
    avx512_group g[4];
    for (unsigned j = 0; j < G; j++) {
        g[j].buf = _mm512_loadu_si512(s->buf + 8 * j);
        g[j].count = _mm512_loadu_si512(s->count + 8 * j);
        g[j].ptr = _mm512_loadu_si512(s->ptr + 8 * j);
    }
    const unsigned K = 8 * G;
    for (size_t it = 0; it < n; it++) {
        for (unsigned j = 0; j < G; j++)
            avx512_refill(&g[j]);
        for (unsigned step = 0; step < D; step++) {
            for (unsigned j = 0; j < G; j += 2) {
                __m512i a = avx512_step(&g[j], table, mask);
                __m512i b = avx512_step(&g[j + 1], table, mask);
                __m512i bytes = _mm512_permutex2var_epi8(a, pick, b);
                _mm_storeu_si128((__m128i *)(out + 8 * j), _mm512_castsi512_si128(bytes));
            }
            out += K;
        }
    }
    for (unsigned j = 0; j < G; j++) {
        _mm512_storeu_si512(s->buf + 8 * j, g[j].buf);
        _mm512_storeu_si512(s->count + 8 * j, g[j].count);
        _mm512_storeu_si512(s->ptr + 8 * j, g[j].ptr);
    }
}

/* The lane loop with G (registers) and D (steps per refill) as constants. */
AVX512_TARGET static void avx512_loop(h278_simd_state *s, const h278_simd_tables *t, uint8_t *out, size_t n,
                                      unsigned k, unsigned per_refill)
{
    if (per_refill == 5)
        k == 16 ? avx512_lanes(s, t, out, n, 2, 5) : avx512_lanes(s, t, out, n, 4, 5);
    else
        k == 16 ? avx512_lanes(s, t, out, n, 2, 4) : avx512_lanes(s, t, out, n, 4, 4);
}

AVX512_TARGET static h278_error avx512_decode(const h278_block *b, const h278_params *p, const void *mem,
                                              uint8_t *dst)
{
    (void)p;
    return h278_simd_decode(b, mem, dst, avx512_loop);
}

static size_t avx512_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)p;
    return h278_simd_table_bytes(code_max_len, sizeof(uint64_t));
}

static h278_error avx512_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    return h278_simd_build(b, mem, sizeof(uint64_t), 0);
}

const h278_variant h278_variant_avx512 = {
    .name = "avx512",
    .summary = "AVX-512: 8 streams per register, 16 or 32 in lockstep, qword gathers "
               "(interleaved K>=16, codes <= 12 bits; other blocks: multisym-bmi2)",
    .cpu_needs = H278_CPU_AVX512 | H278_CPU_BMI2,
    .table_bytes = avx512_table_bytes,
    .build = avx512_build,
    .decode = avx512_decode,
    .takes = h278_simd_takes,
    .fallback = &h278_variant_multisym_bmi2,
};
