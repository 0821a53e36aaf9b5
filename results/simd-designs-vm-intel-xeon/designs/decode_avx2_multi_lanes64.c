/*
 * decode_avx2_multi.c - AVX2 lanes with multi-symbol entries: up to four
 * symbols per gather, 4 streams per register, 16 or 32 in lockstep, each
 * stream writing its own segment of the output (multi_lanes.h: the table,
 * the round's budgets, the safety plan and the decode around the passes).
 *
 * The round of decode_avx512_multi.c in half-width registers, with what
 * AVX2 lacks done another way:
 *     refill:  w = 8 bytes at each lane's input pointer    vpgatherqq
 *              buf = w >> pos (pos: the bit offset, 0..7)   vpsrlvq
 *     twice:   two lookups, each
 *                e = table[buf & (2^W - 1)]                 vpand, vpgatherqq
 *                buf >>= e & 255 (byte 0)                   vpand, vpsrlvq
 *                acc |= symbols of e << (8 * bytes so far)  vpshufb x2, vpsllvq, vpor
 *                pos += e (lanes that run)                  vpand, vpaddq
 *              then each lane's 8 bytes of acc go to its
 *              output pointer (no scatter in AVX2: four
 *              plain 8-byte stores, the pointers and the
 *              bytes read back from memory), the pointers
 *              move by the symbols, the count is cleared
 *     then:    in += (pos & 255) / 8; pos &= 7
 * AVX2's variable shift takes the whole 64-bit count (AVX-512's funnel
 * shift takes it mod 64), so the length is masked out of the entry on the
 * chain from one gather to the next: one operation more per lookup. There
 * are no mask registers: a lane that sits out has its gathers masked by a
 * vector of all-ones lanes, adds nothing to pos, and its store goes to a
 * scratch word instead of its segment. Eight registers of lanes are eight
 * chains of gathers in flight, the same 32 lanes as AVX-512's four.
 */
#include <immintrin.h>

#include "multi_lanes.h"

#define H278_MULTI_LOOKUPS 4u
#define H278_MULTI_STORE_BYTES 8u
#define H278_MULTI_ROUND_IN ((7u + H278_MULTI_LOOKUPS * H278_MULTI_MAX_BITS) / 8u)

#define AVX2_MULTI_TARGET __attribute__((target("avx2,bmi2")))
#define AVX2_MULTI_REGISTERS 8u /* 32 lanes of 4 */
_Static_assert(4u * AVX2_MULTI_REGISTERS == H278_MAX_STREAMS, "the registers hold every stream");

extern const h278_variant h278_variant_avx2;

/* The constants of a round. */
typedef struct avx2_multi_consts {
    __m256i index_mask, symbols_of, written_of, low_byte, seven, sign;
} avx2_multi_consts;

/* Where lanes that sit out store: never read. */
typedef struct avx2_multi_scratch {
    uint64_t word;
} avx2_multi_scratch;

/* One round of the lanes of G registers, with S stores (S = t->stores);
 * lane i of register j takes part when lane i of on[j] is all ones. pos
 * stays in registers across rounds; the input and output pointers are
 * loaded and stored once per store. */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_round(h278_multi_state *s, const h278_multi_tables *t,
                                                                  const avx2_multi_consts *c, __m256i *pos,
                                                                  const __m256i *on, __m256i scratch,
                                                                  const unsigned J0, const unsigned G, const unsigned S)
{
    __m256i buf[AVX2_MULTI_REGISTERS], acc[AVX2_MULTI_REGISTERS];
    for (unsigned j = J0; j < G; j++) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(s->in + 4 * j));
        __m256i w = _mm256_mask_i64gather_epi64(_mm256_setzero_si256(), (const long long *)0, in, on[j], 1);
        buf[j] = _mm256_srlv_epi64(w, pos[j]);
    }
    for (unsigned store = 0; store < S; store++) {
        for (unsigned j = J0; j < G; j++)
            acc[j] = _mm256_setzero_si256();
        for (unsigned step = 0; step < H278_MULTI_LOOKUPS / S; step++) {
            for (unsigned j = J0; j < G; j++) {
                __m256i e = _mm256_i64gather_epi64((const long long *)t->multi,
                                                   _mm256_and_si256(buf[j], c->index_mask), 8);
                buf[j] = _mm256_srlv_epi64(buf[j], _mm256_and_si256(e, c->low_byte));
                __m256i written = _mm256_shuffle_epi8(pos[j], c->written_of);
                pos[j] = _mm256_add_epi64(pos[j], _mm256_and_si256(e, on[j]));
                __m256i symbols = _mm256_shuffle_epi8(e, c->symbols_of);
                acc[j] = _mm256_or_si256(acc[j], _mm256_sllv_epi64(symbols, written));
            }
        }
        for (unsigned j = J0; j < G; j++) {
            __m256i out = _mm256_loadu_si256((const __m256i *)(s->out + 4 * j));
            uint64_t where[4];
            _mm256_storeu_si256((__m256i *)where, _mm256_blendv_epi8(scratch, out, on[j]));
            __m128i low = _mm256_castsi256_si128(acc[j]), high = _mm256_extracti128_si256(acc[j], 1);
            _mm_storel_epi64((__m128i *)(uintptr_t)where[0], low);
            _mm_storeh_pd((double *)(uintptr_t)where[1], _mm_castsi128_pd(low));
            _mm_storel_epi64((__m128i *)(uintptr_t)where[2], high);
            _mm_storeh_pd((double *)(uintptr_t)where[3], _mm_castsi128_pd(high));
            __m256i written = _mm256_srli_epi64(_mm256_shuffle_epi8(pos[j], c->written_of), 3);
            _mm256_storeu_si256((__m256i *)(s->out + 4 * j), _mm256_add_epi64(out, written));
            pos[j] = _mm256_and_si256(pos[j], c->low_byte);
        }
    }
    for (unsigned j = J0; j < G; j++) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(s->in + 4 * j));
        _mm256_storeu_si256((__m256i *)(s->in + 4 * j), _mm256_add_epi64(in, _mm256_srli_epi64(pos[j], 3)));
        pos[j] = _mm256_and_si256(pos[j], c->seven);
    }
}

/* Unsigned a <= b, lane by lane (AVX2 compares signed only). */
AVX2_MULTI_TARGET static inline __m256i avx2_multi_le(__m256i a, __m256i b, __m256i sign)
{
    return _mm256_xor_si256(_mm256_cmpgt_epi64(_mm256_xor_si256(a, sign), _mm256_xor_si256(b, sign)),
                            _mm256_set1_epi64x(-1));
}

/*
 * Rounds of the lanes of G registers (packed of them in use) until fewer
 * than `keep` take part. The first `sure` rounds are safe for every packed
 * lane (h278_multi_sure_rounds) and run unchecked; after them the lanes
 * check, once every H278_MULTI_CHECKED rounds, that so many rounds are safe
 * for them, and sit out if not.
 */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_lanes(h278_multi_state *s, const h278_multi_tables *t,
                                                                  unsigned packed, size_t sure, unsigned keep,
                                                                  const unsigned G, const unsigned S)
{
    /* vpshufb works within 128-bit lanes, so the patterns repeat per pair
     * of qwords: bytes 2-5 of an entry to bytes 0-3, byte 1 of pos to byte
     * 0, every other byte zero (index 0xff). */
    const avx2_multi_consts c = {
        .index_mask = _mm256_set1_epi64x((long long)((1u << t->desc.width) - 1)),
        .symbols_of = _mm256_set_epi64x((long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL,
                                        (long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL),
        .written_of = _mm256_set_epi64x((long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL,
                                        (long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL),
        .low_byte = _mm256_set1_epi64x(0xFF),
        .seven = _mm256_set1_epi64x(7),
        .sign = _mm256_set1_epi64x(INT64_MIN),
    };
    avx2_multi_scratch scratch_word;
    const __m256i scratch = _mm256_set1_epi64x((long long)(uintptr_t)&scratch_word);
    /* H278_MULTI_CHECKED rounds may start where the last of them may, less
     * H278_MULTI_CHECKED - 1 rounds' advance. */
    const __m256i in_back = _mm256_set1_epi64x((H278_MULTI_CHECKED - 1) * H278_MULTI_ROUND_IN);
    const __m256i out_back = _mm256_set1_epi64x((H278_MULTI_CHECKED - 1) * S * H278_MULTI_STORE_BYTES);
    __m256i pos[AVX2_MULTI_REGISTERS], on[AVX2_MULTI_REGISTERS];
    for (unsigned j = 0; j < G; j++) {
        pos[j] = _mm256_loadu_si256((const __m256i *)(s->pos + 4 * j));
        __m256i lane = _mm256_set_epi64x(4 * j + 3, 4 * j + 2, 4 * j + 1, 4 * j);
        on[j] = _mm256_cmpgt_epi64(_mm256_set1_epi64x(packed), lane);
    }
    for (size_t rounds = sure;; rounds = H278_MULTI_CHECKED) {
        for (size_t r = 0; r < rounds; r++) {
            if (G <= 4)
                avx2_multi_round(s, t, &c, pos, on, scratch, 0, G, S);
            else {
                avx2_multi_round(s, t, &c, pos, on, scratch, 0, 4, S);
                avx2_multi_round(s, t, &c, pos, on, scratch, 4, G, S);
            }
        }
        unsigned running = 0;
        for (unsigned j = 0; j < G; j++) {
            __m256i in = _mm256_loadu_si256((const __m256i *)(s->in + 4 * j));
            __m256i out = _mm256_loadu_si256((const __m256i *)(s->out + 4 * j));
            __m256i in_limit = _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(s->in_last + 4 * j)), in_back);
            __m256i out_limit =
                _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(s->out_last + 4 * j)), out_back);
            on[j] = _mm256_and_si256(avx2_multi_le(in, in_limit, c.sign), avx2_multi_le(out, out_limit, c.sign));
            running += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(on[j])));
        }
        if (running < keep)
            break;
    }
    for (unsigned j = 0; j < G; j++)
        _mm256_storeu_si256((__m256i *)(s->pos + 4 * j), pos[j]);
}

AVX2_MULTI_TARGET static void avx2_multi_pass(h278_multi_state *s, const h278_multi_tables *t, unsigned packed,
                                              size_t sure, unsigned keep)
{
    const unsigned G = (packed + 3) / 4;
    if (t->stores == 1) {
        switch (G) {
        case 1: avx2_multi_lanes(s, t, packed, sure, keep, 1, 1); break;
        case 2: avx2_multi_lanes(s, t, packed, sure, keep, 2, 1); break;
        case 3: avx2_multi_lanes(s, t, packed, sure, keep, 3, 1); break;
        case 4: avx2_multi_lanes(s, t, packed, sure, keep, 4, 1); break;
        case 5: avx2_multi_lanes(s, t, packed, sure, keep, 5, 1); break;
        case 6: avx2_multi_lanes(s, t, packed, sure, keep, 6, 1); break;
        case 7: avx2_multi_lanes(s, t, packed, sure, keep, 7, 1); break;
        default: avx2_multi_lanes(s, t, packed, sure, keep, 8, 1); break;
        }
    } else {
        switch (G) {
        case 1: avx2_multi_lanes(s, t, packed, sure, keep, 1, 2); break;
        case 2: avx2_multi_lanes(s, t, packed, sure, keep, 2, 2); break;
        case 3: avx2_multi_lanes(s, t, packed, sure, keep, 3, 2); break;
        case 4: avx2_multi_lanes(s, t, packed, sure, keep, 4, 2); break;
        case 5: avx2_multi_lanes(s, t, packed, sure, keep, 5, 2); break;
        case 6: avx2_multi_lanes(s, t, packed, sure, keep, 6, 2); break;
        case 7: avx2_multi_lanes(s, t, packed, sure, keep, 7, 2); break;
        default: avx2_multi_lanes(s, t, packed, sure, keep, 8, 2); break;
        }
    }
}

AVX2_MULTI_TARGET static h278_error avx2_multi_decode(const h278_block *b, const h278_params *p, const void *mem,
                                                      uint8_t *dst)
{
    (void)p;
    const h278_multi_tables *t = mem;
    const h278_multi_round_bounds r = {8, H278_MULTI_ROUND_IN, t->stores * H278_MULTI_STORE_BYTES};
    return h278_multi_decode(b, mem, dst, avx2_multi_pass, r);
}

const h278_variant h278_variant_avx2_multi_lanes64 = {
    .name = "avx2-multi-lanes64",
    .summary = "AVX2: up to four symbols per gather, 4 streams per register, 16 or 32 in lockstep, "
               "one store per lane (segmented K>=16, codes <= 12 bits; other blocks: avx2)",
    .cpu_needs = H278_CPU_AVX2 | H278_CPU_BMI2,
    .table_bytes = h278_multi_table_bytes,
    .build = h278_multi_build,
    .decode = avx2_multi_decode,
    .takes = h278_multi_takes,
    .fallback = &h278_variant_avx2,
};
