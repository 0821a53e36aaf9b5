/*
 * decode_pivot_avx512.c - the pivot layout with AVX-512 VBMI2: 64 symbols
 * per instruction where decode_pivot.c does one (docs/DECODERS.md).
 *
 * The plan and its rules are decode_pivot.c's; only the two kernels differ:
 *
 * - MIXED, 64 symbols at a time: the bitmap's next 64 bits are a mask k of
 *   the positions that take the tail child. VPEXPANDB spreads the next
 *   popcount(k) tail symbols over the set positions of k in order; a
 *   second one spreads the other child's over ~k, and a blend under k
 *   joins them. (Merge-masking the second expand into the first would save
 *   the blend but chain the two expands, several cycles each; the blend
 *   measured faster, docs/DECODERS.md.) A leaf child needs one expand,
 *   blended the same way with its broadcast symbol.
 * - FLAT, 64 codes of D <= 8 bits (8 * D bytes) at a time: VPERMB gives
 *   each 64-bit lane the D bytes of its 8 codes, VPMULTISHIFTQB moves code
 *   j's bits to byte j (bit offset j * D), an AND keeps D bits, and VPERMB
 *   (D <= 6) or VPERMI2B (D = 7; two of them and a blend for D = 8) looks
 *   the symbols up in the 2^D-byte table held in registers.
 *
 * Reads stay inside their buffers however the bitmap lies: tail-child
 * loads are masked to the symbols the plan counted, other-child loads
 * stay within its scratch slack, and the last chunk's store is masked.
 * Compiled with a target attribute; offered only where cpu.c finds
 * AVX-512 with VBMI2.
 */
#include <immintrin.h>
#include <string.h>

#include "pivot.h"

#define PIVOT_AVX512_TARGET \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")))

/* The low n bits set, n in 0..64. */
PIVOT_AVX512_TARGET static inline uint64_t low_bits(uint64_t n)
{
    return n >= 64 ? ~0ull : _bzhi_u64(~0ull, (unsigned)n);
}

/* 64 bitmap bits straight into a mask register (KMOVQ from memory, a load).
 * Written as asm: the compiler would otherwise share the load with the
 * popcount's and move the value over with KMOVQ from a general register,
 * an instruction on the port every VPEXPANDB also needs. */
PIVOT_AVX512_TARGET static inline __mmask64 load_mask(const uint8_t *p)
{
    __mmask64 k;
    __asm__("kmovq %1, %0" : "=k"(k) : "m"(*(const uint64_t *)(const void *)p));
    return k;
}

/* Up to 8 bytes of a bitmap as an integer (fewer at its end). */
static inline uint64_t load_bits(const uint8_t *p, size_t bytes)
{
    uint64_t v = 0;
    memcpy(&v, p, bytes < 8 ? bytes : 8);
    return v;
}

/* A load kept a load: VPEXPANDB with a memory operand is slower than a
 * load and the register form, and the compiler would fold the two. */
PIVOT_AVX512_TARGET static inline __m512i load64(const uint8_t *p)
{
    __m512i v = _mm512_loadu_si512(p);
    __asm__("" : "+v"(v));
    return v;
}

/* 64 merged symbols: the tail child's (tv) expanded over k, the other
 * child's (ov, expanded over `others`) or, without one, the leaf symbol
 * everywhere else. The two expands are independent and a blend joins them
 * (DECODERS.md: merge-masking one into the other chains them). */
PIVOT_AVX512_TARGET static inline __m512i merge64(__mmask64 k, __mmask64 others, __m512i tv, const uint8_t *other,
                                                  __m512i ov, __m512i leaf)
{
    const __m512i from_other = other ? _mm512_maskz_expand_epi8(others, ov) : leaf;
    return _mm512_mask_blend_epi8(k, from_other, _mm512_maskz_expand_epi8(k, tv));
}

/* One chunk of a merge: `count` (1..64) outputs at out + i, taking the
 * next tail symbols from tail + *t and the others from other + *o, or the
 * leaf symbol when other is NULL. Everything is passed as values, so the
 * loop keeps it in registers (the stores to out could alias a step). */
PIVOT_AVX512_TARGET static inline void merge_chunk(uint8_t *out, const uint8_t *bits, uint64_t flip, const uint8_t *tail,
                                                   uint32_t tail_n, const uint8_t *other, uint32_t other_n,
                                                   __m512i leaf, uint32_t i, uint32_t count, uint32_t *t, uint32_t *o)
{
    const uint64_t valid = low_bits(count);
    const uint64_t k = (load_bits(bits + i / 8, (count + 7) / 8) ^ flip) & valid;
    /* Bounded by the counts: a lying bitmap reads garbage, never outside. */
    const uint32_t t_at = *t < tail_n ? *t : tail_n, t_left = tail_n - t_at;
    const __m512i tv = t_left >= 64 ? _mm512_loadu_si512(tail + t_at)
                                    : _mm512_maskz_loadu_epi8(low_bits(t_left), tail + t_at);
    const uint32_t o_at = *o < other_n ? *o : other_n;
    const __m512i ov = other ? load64(other + o_at) : leaf; /* in the scratch slack */
    const __m512i r = merge64(k, ~k & valid, tv, other, ov, leaf);
    if (count == 64)
        _mm512_storeu_si512(out + i, r);
    else
        _mm512_mask_storeu_epi8(out + i, valid, r);
    const uint32_t took = (uint32_t)_mm_popcnt_u64(k);
    *t += took;
    *o += count - took;
}

/* One chunk of the unclamped loop (merge_all says when it may run): the
 * mask is loaded straight into a mask register and the popcount taken
 * from the same bytes in a general register; pointers step, not indices,
 * which keeps the loop a few instructions shorter. */
PIVOT_AVX512_TARGET static inline void fast_chunk(uint8_t **dst, const uint8_t **tp, const uint8_t **op,
                                                  const uint8_t **bp, int tail_bit, const uint8_t *other, __m512i leaf)
{
    uint64_t w;
    memcpy(&w, *bp, 8);
    const __mmask64 m = load_mask(*bp);
    const __mmask64 k = tail_bit ? m : _knot_mask64(m);
    const __m512i ov = other ? load64(*op) : leaf;
    /* Prefetching the streams a few lines ahead into L1: a block's buffers
     * are larger than L1, and the hardware's prefetcher alone leaves the
     * loop waiting on L2 (docs/DECODERS.md). Prefetches never fault, so
     * running past a buffer's end is harmless. */
    _mm_prefetch((const char *)*tp + 512, _MM_HINT_T0);
    if (other)
        _mm_prefetch((const char *)*op + 512, _MM_HINT_T0);
    __builtin_prefetch(*dst + 512, 1, 3);
    _mm512_storeu_si512(*dst, merge64(k, _knot_mask64(k), load64(*tp), other, ov, leaf));
    const size_t ones = (size_t)_mm_popcnt_u64(w), took = tail_bit ? ones : 64 - ones;
    *tp += took;
    if (other)
        *op += 64 - took;
    *bp += 8;
    *dst += 64;
}

/*
 * While 64 tail symbols are left and the other child's position is inside
 * its buffer, a chunk's loads stay in the tail's symbols and in the other
 * buffer and its slack, whatever the bitmap says: those chunks need no
 * clamping (the check is on the actual positions). The last chunks, near
 * the end of a child, go through merge_chunk.
 */
PIVOT_AVX512_TARGET static inline void merge_all(uint8_t *out, uint32_t n, const uint8_t *bits, int tail_bit,
                                                 uint32_t tail_n, const uint8_t *other, __m512i leaf)
{
    const uint8_t *tail = out + (n - tail_n);
    const uint32_t other_n = n - tail_n;
    /* Differences of pointers into the same buffers: tp never passes
     * tail_end, op passes other_end by at most 64 (inside the slack). */
    const uint8_t *const tail_end = tail + tail_n, *const other_end = other ? other + other_n : NULL;
    const uint8_t *const dst_end = out + n;
    const uint8_t *tp = tail, *op = other, *bp = bits;
    uint8_t *dst = out;
    /* The last positions a full chunk may start from, as addresses, so each
     * check is one compare (0 when there is no full chunk at all). */
    const uintptr_t dst_last = n >= 64 ? (uintptr_t)dst_end - 64 : 0;
    const uintptr_t tail_last = tail_n >= 64 ? (uintptr_t)tail_end - 64 : 0;
    while ((uintptr_t)dst <= dst_last && (uintptr_t)tp <= tail_last && (!other || op <= other_end))
        fast_chunk(&dst, &tp, &op, &bp, tail_bit, other, leaf);
    uint32_t i = (uint32_t)(dst - out), t = (uint32_t)(tp - tail), o = i - t;
    const uint64_t flip = tail_bit ? 0 : ~0ull;
    for (; i + 64 <= n; i += 64)
        merge_chunk(out, bits, flip, tail, tail_n, other, other_n, leaf, i, 64, &t, &o);
    if (i < n)
        merge_chunk(out, bits, flip, tail, tail_n, other, other_n, leaf, i, n - i, &t, &o);
}

PIVOT_AVX512_TARGET static void decode_mixed(const h278_pivot_step *s)
{
    const __m512i leaf = _mm512_set1_epi8((char)s->other_symbol);
    const uint8_t *other = s->other_leaf ? NULL : s->other;
    /* Four copies of the loop, each with its case fixed. */
    if (s->tail_bit)
        other ? merge_all(s->out, s->symbols, s->bits, 1, s->tail_symbols, other, leaf)
              : merge_all(s->out, s->symbols, s->bits, 1, s->tail_symbols, NULL, leaf);
    else
        other ? merge_all(s->out, s->symbols, s->bits, 0, s->tail_symbols, other, leaf)
              : merge_all(s->out, s->symbols, s->bits, 0, s->tail_symbols, NULL, leaf);
}

/* The symbols of 64 D-bit codes (one per byte of codes, < 2^D). */
PIVOT_AVX512_TARGET static inline __m512i flat_lookup(__m512i codes, unsigned d, const __m512i table[4])
{
    if (d <= 6)
        return _mm512_permutexvar_epi8(codes, table[0]);
    const __m512i low = _mm512_permutex2var_epi8(table[0], codes, table[1]);
    if (d == 7)
        return low;
    const __m512i high = _mm512_permutex2var_epi8(table[2], codes, table[3]);
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(codes), low, high);
}

/* Per D (index D - 1): the VPERMB indices that give 64-bit lane L the
 * bytes L * D .. L * D + 7 (its D bytes, then bytes it ignores), and the
 * VPMULTISHIFTQB offsets j * D of its 8 codes. Constants, so a FLAT step
 * with few symbols does not pay for making them. */
#define LANE_BYTES(lane, d) (lane) * (d), (lane) * (d) + 1, (lane) * (d) + 2, (lane) * (d) + 3, \
    (lane) * (d) + 4, (lane) * (d) + 5, (lane) * (d) + 6, (lane) * (d) + 7
#define GATHER(d) {LANE_BYTES(0, d), LANE_BYTES(1, d), LANE_BYTES(2, d), LANE_BYTES(3, d), \
    LANE_BYTES(4, d), LANE_BYTES(5, d), LANE_BYTES(6, d), LANE_BYTES(7, d)}
#define CODE_OFFSETS(d) 0, (d), 2 * (d), 3 * (d), 4 * (d), 5 * (d), 6 * (d), 7 * (d)
#define SHIFT(d) {CODE_OFFSETS(d), CODE_OFFSETS(d), CODE_OFFSETS(d), CODE_OFFSETS(d), \
    CODE_OFFSETS(d), CODE_OFFSETS(d), CODE_OFFSETS(d), CODE_OFFSETS(d)}
static const uint8_t flat_gather[8][64] = {GATHER(1), GATHER(2), GATHER(3), GATHER(4),
                                           GATHER(5), GATHER(6), GATHER(7), GATHER(8)};
static const uint8_t flat_shift[8][64] = {SHIFT(1), SHIFT(2), SHIFT(3), SHIFT(4),
                                          SHIFT(5), SHIFT(6), SHIFT(7), SHIFT(8)};
#undef SHIFT
#undef CODE_OFFSETS
#undef GATHER
#undef LANE_BYTES

PIVOT_AVX512_TARGET static void decode_flat(const h278_pivot_step *s)
{
    const unsigned d = s->flat_bits;
    const uint64_t bytes = ((uint64_t)s->symbols * d + 7) / 8;
    const __m512i gather_v = _mm512_loadu_si512(flat_gather[d - 1]), shift_v = _mm512_loadu_si512(flat_shift[d - 1]);
    const __m512i code_mask = _mm512_set1_epi8((char)((1u << d) - 1));
    __m512i table[4];
    for (unsigned q = 0; q < 4; q++)
        table[q] = _mm512_maskz_loadu_epi8(low_bits(q * 64u < (1u << d) ? (1u << d) - q * 64u : 0),
                                           s->flat_symbols + 64 * q);
    const uint8_t *bits = s->bits;
    uint8_t *out = s->out;
    const uint32_t n = s->symbols;
    const uint64_t chunk_mask = low_bits(8u * d); /* 64 codes = 8 * D bytes */
    uint32_t i = 0;
    /* Full 64-byte loads while they stay inside the region (8 * D bytes of
     * each are used), then masked ones. */
    for (; i + 64 <= n && (uint64_t)i / 8 * d + 64 <= bytes; i += 64) {
        const __m512i packed = _mm512_loadu_si512(bits + (uint64_t)i / 8 * d);
        _mm_prefetch((const char *)bits + (uint64_t)i / 8 * d + 512, _MM_HINT_T0);
        __builtin_prefetch(out + i + 512, 1, 3);
        __m512i codes = _mm512_permutexvar_epi8(gather_v, packed);
        codes = _mm512_and_si512(_mm512_multishift_epi64_epi8(shift_v, codes), code_mask);
        _mm512_storeu_si512(out + i, flat_lookup(codes, d, table));
    }
    for (; i + 64 <= n; i += 64) {
        const __m512i packed = _mm512_maskz_loadu_epi8(chunk_mask, bits + (uint64_t)i / 8 * d);
        __m512i codes = _mm512_permutexvar_epi8(gather_v, packed);
        codes = _mm512_and_si512(_mm512_multishift_epi64_epi8(shift_v, codes), code_mask);
        _mm512_storeu_si512(out + i, flat_lookup(codes, d, table));
    }
    if (i < n) {
        const uint64_t at = (uint64_t)i / 8 * d;
        const __m512i packed = _mm512_maskz_loadu_epi8(low_bits(bytes - at), bits + at);
        __m512i codes = _mm512_permutexvar_epi8(gather_v, packed);
        codes = _mm512_and_si512(_mm512_multishift_epi64_epi8(shift_v, codes), code_mask);
        _mm512_mask_storeu_epi8(out + i, low_bits(n - i), flat_lookup(codes, d, table));
    }
}

static h278_error pivot_avx512_decode(const h278_block *b, const h278_params *p, const void *tables, uint8_t *dst)
{
    (void)p;
    return h278_pivot_decode_with(b, tables, dst, decode_flat, decode_mixed);
}

const h278_variant h278_variant_pivot_avx512 = {
    .name = "pivot-avx512",
    .summary = "pivot layout, VPEXPANDB merges and VPERMB lookups, 64 symbols per step (AVX-512 VBMI2; pivot blocks only)",
    .cpu_needs = H278_CPU_AVX512 | H278_CPU_BMI2,
    .table_bytes = h278_pivot_table_bytes,
    .scratch_bytes = h278_pivot_block_scratch_bytes,
    .build = h278_pivot_build,
    .decode = pivot_avx512_decode,
    .layouts = H278_LAYOUTS_PIVOT,
};
