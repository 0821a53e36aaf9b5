/*
 * decode_avx2_multi.c - AVX2 lanes with two-symbol entries: 32-bit lanes,
 * 8 streams per register, 16 or 32 in lockstep, each stream writing its own
 * segment of the output (multi_lanes.h: the table it derives its own from,
 * the safety plan and the decode around the passes).
 *
 * Why 32-bit lanes. AVX2 has no scatter and its variable shifts take the
 * whole count, so every lane costs more vector operations than in
 * decode_avx512_multi.c; with 64-bit lanes (4 per register) those
 * operations, not the gathers, bound the loop. 32-bit lanes halve them per
 * stream: a dword gather fetches 8 entries, a register holds 8 bit
 * buffers. The price: a 32-bit buffer refilled at bit offset 0..7 holds 25
 * bits, two lookups of W = 12, and a 32-bit entry holds at most two
 * symbols:
 *     byte 0: bits the entry uses (1 .. W); byte 1: 8 * its symbols (8, 16);
 *     bytes 2-3: the symbols, the first one first (the second zero if none)
 * that is, the low half of multi_lanes.h's entry cut to two symbols
 * (h278_multi_entry_two): 16 KiB at W = 12.
 *
 * A round, per register of 8 lanes (in and out are 32-bit offsets from the
 * pass's lowest input and output address, pos the bit offset 0..7):
 *     w   = 4 bytes at each lane's input            vpgatherdd
 *     buf = w >> pos                                  vpsrlvd
 *     e1  = table[buf & (2^W - 1)]                    vpand, vpgatherdd
 *     buf >>= e1 & 255                                vpand, vpsrlvd
 *     e2  = table[buf & (2^W - 1)]                    vpand, vpgatherdd
 *     acc = e1 >> 16 | (e2 >> 16) << byte 1 of e1     vpsrld x2, vpshufb, vpsllvd, vpor
 *     store acc's 4 bytes at each lane's output       vmovdqu to the stack, 8 x (load, store)
 *     out += (byte 1 of e1 + e2) / 8                  vpaddd, vpshufb, vpsrld, vpaddd
 *     pos += bits of e1 and e2; in += pos / 8; pos &= 7
 * A lane that sits out has its refill gather masked, adds nothing to
 * pos and out, and stores nothing (its bit of the mask is tested). Four
 * registers are four chains of three dependent gathers per round.
 *
 * Bounds of a round: it reads the 4 bytes at the input offset and moves
 * it at most (7 + 2 W) / 8 = 3 bytes on; it writes 4 bytes at the output
 * offset and moves it at most 4 on. Offsets fit 31 bits: a block's streams
 * and its output are each at most H278_MAX_BLOCK_SIZE long.
 */
#include <immintrin.h>

#include "multi_lanes.h"

#define AVX2_MULTI_TARGET __attribute__((target("avx2,bmi2")))
#define AVX2_MULTI_REGISTERS 4u /* of 8 lanes: every stream */
#define AVX2_MULTI_REFILL 4u /* bytes a refill reads */
#define AVX2_MULTI_HALF_ADVANCE ((7u + 2u * H278_MULTI_MAX_BITS) / 8u) /* bytes a refill and two lookups use */
#define AVX2_MULTI_READ (AVX2_MULTI_HALF_ADVANCE + AVX2_MULTI_REFILL)   /* bytes a round reads */
#define AVX2_MULTI_ADVANCE (2u * AVX2_MULTI_HALF_ADVANCE)               /* bytes a round uses */
#define AVX2_MULTI_WRITE 8u /* bytes a round stores: four entries of at most two symbols */
_Static_assert(8u * AVX2_MULTI_REGISTERS == H278_MAX_STREAMS, "the registers hold every stream");
_Static_assert(7u + 2u * H278_MULTI_MAX_BITS <= 8u * AVX2_MULTI_REFILL, "a refill at bit offset 7 still holds two lookups");
_Static_assert(AVX2_MULTI_ADVANCE < AVX2_MULTI_READ, "a round advances fewer bytes than it reads");
_Static_assert(H278_MAX_BLOCK_SIZE < (1u << 31) - 64u, "offsets within a block fit the lanes' 31 bits");

extern const h278_variant h278_variant_avx2;

typedef struct avx2_multi_tables {
    h278_multi_tables multi; /* the shared table: the finish and the build use it */
    uint32_t pairs[1u << H278_MULTI_MAX_BITS];
} avx2_multi_tables;
_Static_assert(offsetof(avx2_multi_tables, pairs) % 64 == 0, "the gather table starts on a cache line");

static size_t avx2_multi_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len, (void)p;
    return sizeof(avx2_multi_tables);
}

static h278_error avx2_multi_build(const h278_block *b, const h278_params *p, void *mem)
{
    avx2_multi_tables *t = mem;
    h278_error err = h278_multi_build(b, p, &t->multi);
    if (err)
        return err;
    for (uint32_t i = 0; i < (1u << H278_MULTI_MAX_BITS); i++)
        t->pairs[i] = (uint32_t)h278_multi_entry_two(&t->multi, i);
    return H278_OK;
}

/* A pass's lanes in registers: offsets from the pass's bases. */
typedef struct avx2_multi_lanes_regs {
    __m256i in[AVX2_MULTI_REGISTERS], pos[AVX2_MULTI_REGISTERS], out[AVX2_MULTI_REGISTERS];
    __m256i on[AVX2_MULTI_REGISTERS]; /* all ones in the lanes that take part */
} avx2_multi_lanes_regs;

/* The constants of a round. */
typedef struct avx2_multi_consts {
    __m256i index_mask, low_byte, byte1_of, seven;
} avx2_multi_consts;

/* Half a round of the lanes of G registers, step by step across the
 * registers so that their chains of gathers overlap: a refill and two
 * lookups. Leaves each lane's symbols in acc and 8 times their number in
 * shift (0 in a lane that sits out). */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_half(avx2_multi_lanes_regs *r, const uint32_t *pairs,
                                                                 const uint8_t *base_in, const avx2_multi_consts *c,
                                                                 __m256i *acc, __m256i *shift, const unsigned G)
{
    __m256i buf[AVX2_MULTI_REGISTERS], e1[AVX2_MULTI_REGISTERS], e2[AVX2_MULTI_REGISTERS];
    __m256i bits1[AVX2_MULTI_REGISTERS];
    for (unsigned j = 0; j < G; j++) {
        __m256i w = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)(const void *)base_in, r->in[j],
                                                r->on[j], 1);
        buf[j] = _mm256_srlv_epi32(w, r->pos[j]);
    }
    for (unsigned j = 0; j < G; j++) {
        e1[j] = _mm256_i32gather_epi32((const int *)pairs, _mm256_and_si256(buf[j], c->index_mask), 4);
        bits1[j] = _mm256_and_si256(e1[j], c->low_byte);
        buf[j] = _mm256_srlv_epi32(buf[j], bits1[j]);
    }
    for (unsigned j = 0; j < G; j++)
        e2[j] = _mm256_i32gather_epi32((const int *)pairs, _mm256_and_si256(buf[j], c->index_mask), 4);
    for (unsigned j = 0; j < G; j++) {
        __m256i bits2 = _mm256_and_si256(e2[j], c->low_byte);
        acc[j] = _mm256_or_si256(_mm256_srli_epi32(e1[j], 16),
                                 _mm256_sllv_epi32(_mm256_srli_epi32(e2[j], 16), _mm256_shuffle_epi8(e1[j], c->byte1_of)));
        __m256i bits = _mm256_add_epi32(r->pos[j], _mm256_and_si256(_mm256_add_epi32(bits1[j], bits2), r->on[j]));
        r->in[j] = _mm256_add_epi32(r->in[j], _mm256_srli_epi32(bits, 3));
        r->pos[j] = _mm256_and_si256(bits, c->seven);
        shift[j] = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_add_epi32(e1[j], e2[j]), c->byte1_of), r->on[j]);
    }
}

/* One round of the lanes of G registers: two halves, whose symbols (at
 * most 4 + 4 bytes per lane) are joined in 64-bit lanes and stored with
 * one 8-byte store per lane. */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_round(avx2_multi_lanes_regs *r, const uint32_t *pairs,
                                                                  const uint8_t *base_in, uint8_t *base_out,
                                                                  const avx2_multi_consts *c, const unsigned G)
{
    __m256i a[AVX2_MULTI_REGISTERS], a_shift[AVX2_MULTI_REGISTERS];
    __m256i b[AVX2_MULTI_REGISTERS], b_shift[AVX2_MULTI_REGISTERS];
    avx2_multi_half(r, pairs, base_in, c, a, a_shift, G);
    avx2_multi_half(r, pairs, base_in, c, b, b_shift, G);
    const __m256i zero = _mm256_setzero_si256();
    for (unsigned j = 0; j < G; j++) {
        /* Widened within each 128-bit half: lanes 0, 1, 4, 5 in low,
         * lanes 2, 3, 6, 7 in high. */
        __m256i low = _mm256_or_si256(_mm256_unpacklo_epi32(a[j], zero),
                                      _mm256_sllv_epi64(_mm256_unpacklo_epi32(b[j], zero),
                                                        _mm256_unpacklo_epi32(a_shift[j], zero)));
        __m256i high = _mm256_or_si256(_mm256_unpackhi_epi32(a[j], zero),
                                       _mm256_sllv_epi64(_mm256_unpackhi_epi32(b[j], zero),
                                                         _mm256_unpackhi_epi32(a_shift[j], zero)));
        __m128i q[4] = {_mm256_castsi256_si128(low), _mm256_castsi256_si128(high), _mm256_extracti128_si256(low, 1),
                        _mm256_extracti128_si256(high, 1)};
        uint32_t where[8];
        _mm256_storeu_si256((__m256i *)where, r->out[j]);
        unsigned on = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(r->on[j]));
        for (unsigned i = 0; i < 8; i++) {
            if (on == 0xFF || (on >> i & 1)) {
                uint8_t *p = base_out + where[i];
                if (i % 2 == 0)
                    _mm_storel_epi64((__m128i *)(void *)p, q[i / 2]);
                else
                    _mm_storeh_pd((double *)(void *)p, _mm_castsi128_pd(q[i / 2]));
            }
        }
        __m256i written = _mm256_srli_epi32(_mm256_add_epi32(a_shift[j], b_shift[j]), 3);
        r->out[j] = _mm256_add_epi32(r->out[j], written);
    }
}

/*
 * Rounds of the lanes of G registers (packed of them in use) until fewer
 * than `keep` take part. The first `sure` rounds are safe for every packed
 * lane and run unchecked; after them the lanes check, once every
 * H278_MULTI_CHECKED rounds, that so many rounds are safe for them, and sit
 * out if not.
 */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_lanes(h278_multi_state *s, const avx2_multi_tables *t,
                                                                  unsigned packed, size_t sure, unsigned keep,
                                                                  const unsigned G)
{
    /* vpshufb works within 128-bit lanes: byte 1 of each dword to its byte
     * 0, the other bytes zero (index 0xff). */
    const avx2_multi_consts c = {
        .index_mask = _mm256_set1_epi32((1 << t->multi.desc.width) - 1),
        .low_byte = _mm256_set1_epi32(0xFF),
        .byte1_of = _mm256_set_epi32((int)0xffffff0d, (int)0xffffff09, (int)0xffffff05, (int)0xffffff01,
                                     (int)0xffffff0d, (int)0xffffff09, (int)0xffffff05, (int)0xffffff01),
        .seven = _mm256_set1_epi32(7),
    };
    uint64_t base_in = UINT64_MAX, base_out = UINT64_MAX;
    for (unsigned j = 0; j < packed; j++) {
        base_in = s->in[j] < base_in ? s->in[j] : base_in;
        base_out = s->out[j] < base_out ? s->out[j] : base_out;
    }
    /* Offsets, and the last offsets at which H278_MULTI_CHECKED rounds may
     * start (the last round's limit less the advance of the others);
     * padding lanes get the lowest limit, so they never run. */
    int32_t in[H278_MAX_STREAMS], pos[H278_MAX_STREAMS], out[H278_MAX_STREAMS];
    int32_t in_limit[H278_MAX_STREAMS], out_limit[H278_MAX_STREAMS];
    for (unsigned j = 0; j < 8 * G; j++) {
        if (j < packed) {
            in[j] = (int32_t)(s->in[j] - base_in), pos[j] = (int32_t)s->pos[j];
            out[j] = (int32_t)(s->out[j] - base_out);
            in_limit[j] = (int32_t)(s->in_last[j] - base_in) - (int32_t)((H278_MULTI_CHECKED - 1) * AVX2_MULTI_ADVANCE);
            out_limit[j] = (int32_t)(s->out_last[j] - base_out) - (int32_t)((H278_MULTI_CHECKED - 1) * AVX2_MULTI_WRITE);
        } else {
            in[j] = pos[j] = out[j] = 0;
            in_limit[j] = out_limit[j] = INT32_MIN;
        }
    }
    avx2_multi_lanes_regs r;
    for (unsigned j = 0; j < G; j++) {
        r.in[j] = _mm256_loadu_si256((const __m256i *)(in + 8 * j));
        r.pos[j] = _mm256_loadu_si256((const __m256i *)(pos + 8 * j));
        r.out[j] = _mm256_loadu_si256((const __m256i *)(out + 8 * j));
        r.on[j] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)packed),
                                     _mm256_add_epi32(_mm256_set1_epi32((int)(8 * j)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
    }
    const uint8_t *in_base = (const uint8_t *)(uintptr_t)base_in;
    uint8_t *out_base = (uint8_t *)(uintptr_t)base_out;
    for (size_t rounds = sure;; rounds = H278_MULTI_CHECKED) {
        for (size_t n = 0; n < rounds; n++)
            avx2_multi_round(&r, t->pairs, in_base, out_base, &c, G);
        unsigned running = 0;
        for (unsigned j = 0; j < G; j++) {
            __m256i over_in = _mm256_cmpgt_epi32(r.in[j], _mm256_loadu_si256((const __m256i *)(in_limit + 8 * j)));
            __m256i over_out = _mm256_cmpgt_epi32(r.out[j], _mm256_loadu_si256((const __m256i *)(out_limit + 8 * j)));
            r.on[j] = _mm256_andnot_si256(_mm256_or_si256(over_in, over_out), _mm256_set1_epi32(-1));
            running += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(r.on[j])));
        }
        if (running < keep)
            break;
    }
    for (unsigned j = 0; j < G; j++) {
        _mm256_storeu_si256((__m256i *)(in + 8 * j), r.in[j]);
        _mm256_storeu_si256((__m256i *)(pos + 8 * j), r.pos[j]);
        _mm256_storeu_si256((__m256i *)(out + 8 * j), r.out[j]);
    }
    for (unsigned j = 0; j < packed; j++) {
        s->in[j] = base_in + (uint32_t)in[j], s->pos[j] = (uint32_t)pos[j];
        s->out[j] = base_out + (uint32_t)out[j];
    }
}

AVX2_MULTI_TARGET static void avx2_multi_pass(h278_multi_state *s, const h278_multi_tables *t, unsigned packed,
                                              size_t sure, unsigned keep)
{
    const avx2_multi_tables *tables = (const avx2_multi_tables *)(const void *)t;
    switch ((packed + 7) / 8) {
    case 1: avx2_multi_lanes(s, tables, packed, sure, keep, 1); break;
    case 2: avx2_multi_lanes(s, tables, packed, sure, keep, 2); break;
    case 3: avx2_multi_lanes(s, tables, packed, sure, keep, 3); break;
    default: avx2_multi_lanes(s, tables, packed, sure, keep, 4); break;
    }
}

AVX2_MULTI_TARGET static h278_error avx2_multi_decode(const h278_block *b, const h278_params *p, const void *mem,
                                                      uint8_t *dst)
{
    (void)p;
    const h278_multi_round_bounds r = {AVX2_MULTI_READ, AVX2_MULTI_ADVANCE, AVX2_MULTI_WRITE};
    return h278_multi_decode(b, mem, dst, avx2_multi_pass, r);
}

const h278_variant h278_variant_avx2_multi_masked_store8 = {
    .name = "avx2-multi-masked-store8",
    .summary = "AVX2: up to two symbols per gather, 8 streams per register (32-bit lanes), 16 or 32 in lockstep "
               "(segmented K>=16, codes <= 12 bits; other blocks: avx2)",
    .cpu_needs = H278_CPU_AVX2 | H278_CPU_BMI2,
    .table_bytes = avx2_multi_table_bytes,
    .build = avx2_multi_build,
    .decode = avx2_multi_decode,
    .takes = h278_multi_takes,
    .fallback = &h278_variant_avx2,
};
