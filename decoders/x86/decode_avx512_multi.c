/*
 * decode_avx512_multi.c - AVX-512 lanes with multi-symbol entries: up to
 * four symbols per gather, 8 streams per register, 16 or 32 in lockstep,
 * each stream writing its own segment of the output (multi_lanes.h: the
 * table, the round's budgets, the safety plan and the decode around the
 * passes).
 *
 * A round, per register of 8 lanes:
 *     refill:  w = 8 bytes at each lane's input pointer    vpgatherqq
 *              buf = w >> pos (pos: the bit offset, 0..7)   vpsrlvq
 *     twice:   two lookups, each
 *                e = table[buf & (2^W - 1)]                 vpandq, vpgatherqq
 *                buf >>= e mod 64 (byte 0)                  vpshrdvq (VBMI2)
 *                acc |= symbols of e << (8 * bytes so far)  vpshufb x2, vpsllvq, vporq
 *                pos += e                                   vpaddq
 *              then scatter acc (8 bytes: at most 2 x 4     vpscatterqq
 *              symbols) to the lane's output pointer, move
 *              the pointer by the symbols, clear the count
 *     then:    in += (pos & 255) / 8; pos &= 7
 * pos adds whole entries: its byte 0 sums the bits used (at most
 * 7 + 4 * 12 = 55, so no carry leaves it) and its byte 1 eight times the
 * output bytes since the last store (at most 8 x 8 = 64); the bytes above
 * collect garbage and are cleared with byte 1 at each store.
 * A round reads the 8 bytes at the input pointer and advances it at most
 * (7 + 4 W) / 8 bytes; it writes at most 8 bytes per store from the
 * output pointer (a second store at most 8 bytes on).
 * With a table capped at two symbols per entry a round stores once, after
 * its four lookups (8 bytes: 4 x 2 symbols); the scatter costs about as
 * much as the gathers of a round. Lanes that sit out are masked in the
 * gathers, the scatters and the pos update. The API hands every block
 * the lanes do not take to the fallback, `avx512`, which takes the
 * interleaved ones (and hands on the rest).
 */
#include <immintrin.h>

#include "multi_lanes.h"

#define MULTI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2")))

#define MULTI_LOOKUPS 4u     /* D: lookups per refill */
#define MULTI_STORE_BYTES 8u /* one store: 8 bytes per lane (a 64-bit accumulator) */
#define MULTI_ROUND_IN ((7u + MULTI_LOOKUPS * H278_MULTI_MAX_BITS) / 8u) /* input bytes a round may advance */
_Static_assert(7u + MULTI_LOOKUPS * H278_MULTI_MAX_BITS <= 64u, "a refill at bit offset 7 still holds D lookups");
_Static_assert(MULTI_ROUND_IN < 8u, "a round advances fewer bytes than its refill reads");
_Static_assert(H278_MULTI_MAX_BITS < 64u, "a shift by the entry mod 64 is a shift by its length (byte 0)");
_Static_assert(7u + MULTI_LOOKUPS * H278_MULTI_MAX_BITS < 256u && 8u * H278_MULTI_MAX_SYMBOLS * MULTI_LOOKUPS < 256u,
               "the sums in pos's bytes 0 and 1 never carry");
_Static_assert(H278_MULTI_MAX_SYMBOLS * (MULTI_LOOKUPS / 2u) <= MULTI_STORE_BYTES && 2u * MULTI_LOOKUPS <= MULTI_STORE_BYTES,
               "a store's symbols fit the accumulator: 2 lookups of 4 symbols, or 4 of 2");

extern const h278_variant h278_variant_avx512;

/* The constants of a round. */
typedef struct multi_consts {
    __m512i index_mask, symbols_of, written_of, low_byte, seven;
} multi_consts;

/* One round of the lanes of G registers, with S stores (S = t->stores);
 * lane i of register j takes part when bit i of on[j] is set. The lanes'
 * input and output pointers and pos stay in registers across rounds. */
MULTI_TARGET static H278_ALWAYS_INLINE void multi_round(const h278_multi_tables *t, const multi_consts *c, __m512i *in,
                                                        __m512i *pos, __m512i *out, const __mmask8 *on,
                                                        const unsigned G, const unsigned S)
{
    __m512i buf[4], acc[4];
    for (unsigned j = 0; j < G; j++) {
        __m512i w = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), on[j], in[j], (const void *)0, 1);
        buf[j] = _mm512_srlv_epi64(w, pos[j]);
    }
    for (unsigned store = 0; store < S; store++) {
        for (unsigned j = 0; j < G; j++)
            acc[j] = _mm512_setzero_si512();
        for (unsigned step = 0; step < MULTI_LOOKUPS / S; step++) {
            for (unsigned j = 0; j < G; j++) {
                __m512i e = _mm512_i64gather_epi64(_mm512_and_si512(buf[j], c->index_mask), (const void *)t->multi, 8);
                buf[j] = _mm512_shrdv_epi64(buf[j], _mm512_setzero_si512(), e);
                __m512i written = _mm512_shuffle_epi8(pos[j], c->written_of);
                pos[j] = _mm512_mask_add_epi64(pos[j], on[j], pos[j], e);
                __m512i symbols = _mm512_shuffle_epi8(e, c->symbols_of);
                acc[j] = _mm512_or_si512(acc[j], _mm512_sllv_epi64(symbols, written));
            }
        }
        for (unsigned j = 0; j < G; j++) {
            _mm512_mask_i64scatter_epi64((void *)0, on[j], out[j], acc[j], 1);
            __m512i written = _mm512_srli_epi64(_mm512_shuffle_epi8(pos[j], c->written_of), 3);
            out[j] = _mm512_add_epi64(out[j], written);
            pos[j] = _mm512_and_si512(pos[j], c->low_byte);
        }
    }
    for (unsigned j = 0; j < G; j++) {
        in[j] = _mm512_add_epi64(in[j], _mm512_srli_epi64(pos[j], 3));
        pos[j] = _mm512_and_si512(pos[j], c->seven);
    }
}

/*
 * Rounds of the lanes of G registers (packed of them in use) until fewer
 * than `keep` take part. The first `sure` rounds are safe for every packed
 * lane (multi_sure_rounds) and run unchecked; after them the lanes check,
 * once every H278_MULTI_CHECKED rounds, that so many rounds are safe for them,
 * and sit out (masked) if not.
 */
MULTI_TARGET static H278_ALWAYS_INLINE void multi_lanes(h278_multi_state *s, const h278_multi_tables *t, unsigned packed,
                                                        size_t sure, unsigned keep, const unsigned G,
                                                        const unsigned S)
{
    /* vpshufb works within 128-bit lanes, so the patterns repeat per pair
     * of qwords: bytes 2-5 of an entry to bytes 0-3, byte 1 of pos to byte
     * 0, every other byte zero (index 0xff). */
    const multi_consts c = {
        .index_mask = _mm512_set1_epi64((long long)((1u << t->desc.width) - 1)),
        .symbols_of = _mm512_set4_epi64((long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL,
                                        (long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL),
        .written_of = _mm512_set4_epi64((long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL,
                                        (long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL),
        .low_byte = _mm512_set1_epi64(0xFF),
        .seven = _mm512_set1_epi64(7),
    };
    /* H278_MULTI_CHECKED rounds may start where the last of them may, less
     * H278_MULTI_CHECKED - 1 rounds' advance. */
    const __m512i in_back = _mm512_set1_epi64((H278_MULTI_CHECKED - 1) * MULTI_ROUND_IN);
    const __m512i out_back = _mm512_set1_epi64((H278_MULTI_CHECKED - 1) * S * MULTI_STORE_BYTES);
    __m512i in[4], pos[4], out[4];
    __mmask8 on[4];
    for (unsigned j = 0; j < G; j++) {
        in[j] = _mm512_loadu_si512(s->in + 8 * j);
        pos[j] = _mm512_loadu_si512(s->pos + 8 * j);
        out[j] = _mm512_loadu_si512(s->out + 8 * j);
        on[j] = (__mmask8)(packed >= 8 * j + 8 ? 0xFF : (1u << (packed - 8 * j)) - 1);
    }
    for (size_t rounds = sure;; rounds = H278_MULTI_CHECKED) {
        for (size_t r = 0; r < rounds; r++)
            multi_round(t, &c, in, pos, out, on, G, S);
        unsigned running = 0;
        for (unsigned j = 0; j < G; j++) {
            __m512i in_limit = _mm512_sub_epi64(_mm512_loadu_si512(s->in_last + 8 * j), in_back);
            __m512i out_limit = _mm512_sub_epi64(_mm512_loadu_si512(s->out_last + 8 * j), out_back);
            on[j] = _mm512_cmple_epu64_mask(in[j], in_limit) & _mm512_cmple_epu64_mask(out[j], out_limit);
            running += (unsigned)__builtin_popcount(on[j]);
        }
        if (running < keep)
            break;
    }
    for (unsigned j = 0; j < G; j++) {
        _mm512_storeu_si512(s->in + 8 * j, in[j]);
        _mm512_storeu_si512(s->pos + 8 * j, pos[j]);
        _mm512_storeu_si512(s->out + 8 * j, out[j]);
    }
}

MULTI_TARGET static void multi_pass(h278_multi_state *s, const h278_multi_tables *t, unsigned packed, size_t sure,
                                    unsigned keep)
{
    switch ((packed + 7) / 8 * 2 + (t->stores == 1)) {
    case 2: multi_lanes(s, t, packed, sure, keep, 1, 2); break;
    case 3: multi_lanes(s, t, packed, sure, keep, 1, 1); break;
    case 4: multi_lanes(s, t, packed, sure, keep, 2, 2); break;
    case 5: multi_lanes(s, t, packed, sure, keep, 2, 1); break;
    case 6: multi_lanes(s, t, packed, sure, keep, 3, 2); break;
    case 7: multi_lanes(s, t, packed, sure, keep, 3, 1); break;
    case 8: multi_lanes(s, t, packed, sure, keep, 4, 2); break;
    default: multi_lanes(s, t, packed, sure, keep, 4, 1); break;
    }
}

MULTI_TARGET static h278_error multi_decode(const h278_block *b, const h278_params *p, const void *mem,
                                            uint8_t *dst)
{
    (void)p;
    const h278_multi_tables *t = mem;
    /* A round reads 8 bytes and writes S stores of 8 bytes, each at most
     * 8 bytes after the previous one. */
    const h278_multi_round_bounds r = {8, MULTI_ROUND_IN, t->stores * MULTI_STORE_BYTES};
    return h278_multi_decode(b, mem, dst, multi_pass, r);
}

const h278_variant h278_variant_avx512_multi = {
    .name = "avx512-multi",
    .summary = "AVX-512: up to four symbols per gather, 8 streams per register, 16 or 32 in lockstep, "
               "scatter stores (segmented K>=16, codes <= 12 bits; other blocks: avx512)",
    .cpu_needs = H278_CPU_AVX512 | H278_CPU_BMI2,
    .table_bytes = h278_multi_table_bytes,
    .build = h278_multi_build,
    .decode = multi_decode,
    .takes = h278_multi_takes,
    .fallback = &h278_variant_avx512,
};
