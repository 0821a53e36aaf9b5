/*
 * decode_pivot_avx2.c - the pivot layout with AVX2 and BMI2: 16 symbols per
 * merge step through PSHUFB, 8 codes per PDEP (docs/DECODERS.md).
 *
 * The plan and its rules are decode_pivot.c's; only the two kernels differ:
 *
 * - MIXED, 16 symbols at a time: for each byte m of the bitmap (8 symbols)
 *   a table gives the PSHUFB control that spreads the next popcount(m)
 *   symbols of a child over the positions of m's set bits: byte j is the
 *   rank of bit j among the set bits below it, or 0x80 (PSHUFB writes a
 *   zero) where bit j is clear. The second byte's control is the same
 *   table entry plus popcount of the first byte. One shuffle per child and
 *   an OR (or, for a leaf child, a blend with its broadcast symbol) merge
 *   16 symbols. This is what VPEXPANDB does in one instruction on AVX-512.
 * - FLAT, 8 codes of D bits at a time: PDEP deposits the 8 * D bits into
 *   the low D bits of 8 bytes; PSHUFB looks 16 codes up in the 16-byte
 *   quarters of the 2^D-entry symbol table (one for D <= 4, 2^(D-4)
 *   shuffles and blends above).
 *
 * Near a buffer's end, where a 16-byte load would leave it, the rest of
 * the buffer is copied to a local array first, so no read leaves a buffer
 * however the bitmap lies (pivot.h). Compiled with a target attribute;
 * offered only where cpu.c finds AVX2 and BMI2.
 */
#include <immintrin.h>
#include <string.h>

#include "pivot.h"

#define PIVOT_AVX2_TARGET __attribute__((target("avx2,bmi,bmi2,popcnt")))

/* PSHUFB controls by bitmap byte m: byte j is the rank of bit j among m's
 * set bits, or 0x80 where bit j is clear. Built by the preprocessor. */
#define POP_BELOW(m, j) (__builtin_popcount((m) & ((1u << (j)) - 1u)))
#define CTL_BYTE(m, j) ((uint64_t)(((m) >> (j)) & 1u ? POP_BELOW(m, j) : 0x80) << (8 * (j)))
#define CTL(m)                                                                                            \
    (CTL_BYTE(m, 0) | CTL_BYTE(m, 1) | CTL_BYTE(m, 2) | CTL_BYTE(m, 3) | CTL_BYTE(m, 4) | CTL_BYTE(m, 5) | \
     CTL_BYTE(m, 6) | CTL_BYTE(m, 7))
#define CTL4(m) CTL(m), CTL(m + 1), CTL(m + 2), CTL(m + 3)
#define CTL16(m) CTL4(m), CTL4(m + 4), CTL4(m + 8), CTL4(m + 12)
#define CTL64(m) CTL16(m), CTL16(m + 16), CTL16(m + 32), CTL16(m + 48)
static const uint64_t expand_control[256] = {CTL64(0u), CTL64(64u), CTL64(128u), CTL64(192u)};
#undef CTL64
#undef CTL16
#undef CTL4
#undef CTL
#undef CTL_BYTE
#undef POP_BELOW

/* The PSHUFB control for 16 symbols whose positions are the set bits of
 * the 16-bit mask k. */
PIVOT_AVX2_TARGET static inline __m128i spread_control(unsigned k)
{
    const uint64_t low = expand_control[k & 0xFF];
    const uint64_t high = expand_control[k >> 8] + 0x0101010101010101ull * (uint64_t)_mm_popcnt_u32(k & 0xFF);
    return _mm_set_epi64x((long long)high, (long long)low);
}

/* 16 merged symbols: the tail's spread over k's set bits, the other
 * child's (or the leaf's) over the clear ones. */
PIVOT_AVX2_TARGET static inline __m128i merge16(unsigned k, __m128i tv, const uint8_t *other, __m128i ov,
                                               __m128i leaf)
{
    const __m128i tail_ctl = spread_control(k);
    const __m128i from_tail = _mm_shuffle_epi8(tv, tail_ctl);
    if (!other)
        return _mm_blendv_epi8(from_tail, leaf, tail_ctl); /* 0x80: not from the tail */
    return _mm_or_si128(from_tail, _mm_shuffle_epi8(ov, spread_control(~k & 0xFFFFu)));
}

/* Writes 16 merged symbols at out (k: the tail's positions), the tail's
 * read from tail_at, the other child's from other + o; returns how many
 * came from the tail. */
PIVOT_AVX2_TARGET static inline uint32_t merge16_at(uint8_t *out, unsigned k, const uint8_t *tail_at,
                                                   const uint8_t *other, uint32_t o, __m128i leaf)
{
    const __m128i tv = _mm_loadu_si128((const __m128i *)tail_at);
    const __m128i ov = other ? _mm_loadu_si128((const __m128i *)(other + o)) : leaf;
    _mm_storeu_si128((__m128i *)out, merge16(k, tv, other, ov, leaf));
    return (uint32_t)_mm_popcnt_u32(k);
}

/* The next 16 bitmap bits, as the tail's positions. */
static inline unsigned tail_bits16(const uint8_t *bits, uint32_t i, unsigned flip)
{
    uint16_t w;
    memcpy(&w, bits + i / 8, 2);
    return (w ^ flip) & 0xFFFFu;
}

/*
 * Three loops. While t + 16 <= tail_n and o <= other_n, 16-byte loads stay
 * in the tail's symbols and in the other buffer and its slack, whatever the
 * bitmap says. Near the end of the tail its last symbols are copied to a
 * local array with room after them, and the same loop goes on reading
 * there (the copy also ends the in-place overlap). The last few symbols,
 * or what a lying bitmap leaves, go one at a time with clamped reads.
 */
PIVOT_AVX2_TARGET static inline void merge_all(uint8_t *out, uint32_t n, const uint8_t *bits, unsigned tail_bit,
                                              uint32_t tail_n, const uint8_t *other, uint8_t leaf_symbol)
{
    const uint32_t other_n = n - tail_n;
    const unsigned flip = tail_bit ? 0 : 0xFFFFu;
    const __m128i leaf = _mm_set1_epi8((char)leaf_symbol);
    const uint8_t *tail = out + (n - tail_n);
    uint32_t i = 0, t = 0, o = 0;
    for (; i + 16 <= n && t + 16 <= tail_n && (!other || o <= other_n); i += 16) {
        const uint32_t took = merge16_at(out + i, tail_bits16(bits, i, flip), tail + t, other, o, leaf);
        t += took;
        o += 16 - took;
    }
    uint8_t rest[32] = {0};
    const uint32_t rest_n = t < tail_n ? tail_n - t : 0; /* < 16 here, unless the bitmap lies */
    memcpy(rest, tail + t, rest_n < 16 ? rest_n : 16);
    uint32_t r = 0;
    for (; i + 16 <= n && r <= 16 && (!other || o <= other_n); i += 16) {
        const uint32_t took = merge16_at(out + i, tail_bits16(bits, i, flip), rest + r, other, o, leaf);
        r += took;
        o += 16 - took;
    }
    for (; i < n; i++) {
        const int take_tail = ((bits[i >> 3] >> (i & 7)) & 1u) == tail_bit;
        const uint8_t from_other = !other ? leaf_symbol : other_n ? other[o < other_n ? o : other_n - 1] : 0;
        out[i] = take_tail ? rest[r < 31 ? r : 31] : from_other;
        r += take_tail;
        o += !take_tail;
    }
}

PIVOT_AVX2_TARGET static void decode_mixed(const h278_pivot_step *s)
{
    const uint8_t *other = s->other_leaf ? NULL : s->other;
    if (other)
        merge_all(s->out, s->symbols, s->bits, s->tail_bit, s->tail_symbols, other, 0);
    else
        merge_all(s->out, s->symbols, s->bits, s->tail_bit, s->tail_symbols, NULL, s->other_symbol);
}

/* The symbols of 16 codes (one per byte, < 2^D). */
PIVOT_AVX2_TARGET static inline __m128i flat_lookup(__m128i codes, unsigned d, const __m128i table[16])
{
    if (d <= 4)
        return _mm_shuffle_epi8(table[0], codes);
    const __m128i low4 = _mm_and_si128(codes, _mm_set1_epi8(0x0F));
    const __m128i high4 = _mm_and_si128(_mm_srli_epi16(codes, 4), _mm_set1_epi8(0x0F));
    __m128i r = _mm_setzero_si128();
    for (unsigned q = 0; q < (1u << (d - 4)); q++)
        r = _mm_blendv_epi8(r, _mm_shuffle_epi8(table[q], low4), _mm_cmpeq_epi8(high4, _mm_set1_epi8((char)q)));
    return r;
}

/* 16 codes of D bits from 2 * D bytes: codes 0-7 are the low 8 * D bits,
 * codes 8-15 the next 8 * D; PDEP puts each in the low bits of a byte. */
PIVOT_AVX2_TARGET static inline __m128i unpack16(const uint64_t word[2], unsigned d, uint64_t deposit)
{
    const uint64_t second = d == 8 ? word[1] : (word[0] >> (8 * d)) | (word[1] << (64 - 8 * d));
    return _mm_set_epi64x((long long)_pdep_u64(second, deposit), (long long)_pdep_u64(word[0], deposit));
}

PIVOT_AVX2_TARGET static void decode_flat(const h278_pivot_step *s)
{
    const unsigned d = s->flat_bits;
    const uint32_t n = s->symbols;
    const uint64_t bytes = ((uint64_t)n * d + 7) / 8;
    const uint64_t deposit = 0x0101010101010101ull * ((1u << d) - 1u);
    const uint8_t *bits = s->bits;
    uint8_t *out = s->out;
    uint8_t table_bytes[256] = {0};
    __m128i table[16];
    memcpy(table_bytes, s->flat_symbols, 1u << d);
    for (unsigned q = 0; q < 16; q++)
        table[q] = _mm_loadu_si128((const __m128i *)(table_bytes + 16 * q));
    uint32_t i = 0;
    /* 16 bytes are read at a time (2 * D of them used): stay 16 inside. */
    for (; i + 16 <= n && (uint64_t)i / 8 * d + 16 <= bytes; i += 16) {
        uint64_t word[2];
        memcpy(word, bits + (uint64_t)i / 8 * d, 16);
        _mm_storeu_si128((__m128i *)(out + i), flat_lookup(unpack16(word, d, deposit), d, table));
    }
    for (; i < n; i += 16) {
        const uint64_t at = (uint64_t)i / 8 * d;
        uint64_t word[2] = {0, 0};
        memcpy(word, bits + at, bytes - at < 16 ? (size_t)(bytes - at) : 16);
        uint8_t last[16];
        _mm_storeu_si128((__m128i *)last, flat_lookup(unpack16(word, d, deposit), d, table));
        memcpy(out + i, last, n - i < 16 ? n - i : 16);
    }
}

static h278_error pivot_avx2_decode(const h278_block *b, const h278_params *p, const void *tables, uint8_t *dst)
{
    (void)p;
    return h278_pivot_decode_with(b, tables, dst, decode_flat, decode_mixed);
}

const h278_variant h278_variant_pivot_avx2 = {
    .name = "pivot-avx2",
    .summary = "pivot layout, PSHUFB merges 16 symbols per step and PDEP unpacking (AVX2 + BMI2; pivot blocks only)",
    .cpu_needs = H278_CPU_AVX2 | H278_CPU_BMI2,
    .table_bytes = h278_pivot_table_bytes,
    .scratch_bytes = h278_pivot_block_scratch_bytes,
    .build = h278_pivot_build,
    .decode = pivot_avx2_decode,
    .layouts = H278_LAYOUTS_PIVOT,
};
