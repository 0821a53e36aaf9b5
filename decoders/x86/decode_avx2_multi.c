/*
 * decode_avx2_multi.c - AVX2 lanes with two-symbol entries: 32-bit lanes,
 * 8 streams per register, 16 or 32 in lockstep, each stream writing its own
 * segment of the output (multi_lanes.h: the table it derives its own from,
 * the safety plan and the decode around the passes).
 *
 * Why 32-bit lanes. AVX2 has no scatter and its variable shifts take the
 * whole count, so every lane costs more vector operations than in
 * decode_avx512_multi.c; with 64-bit lanes (4 per register) those
 * operations, not the gathers, bound the loop (docs/DECODERS.md). 32-bit
 * lanes halve them per stream: a dword gather fetches 8 entries, a
 * register holds 8 bit buffers. The price: a 32-bit buffer refilled at bit
 * offset 0..7 holds 25 bits, two lookups of W = 12, and a 32-bit entry
 * holds at most two symbols:
 *     byte 0: bits the entry uses (1 .. W); byte 1: 8 * its symbols (8, 16);
 *     bytes 2-3: the symbols, the first one first (the second zero if none)
 * that is, the low half of multi_lanes.h's entry, built with at most two
 * symbols: 16 KiB at W = 12.
 *
 * A lane's input position is one bit offset from the pass's lowest input
 * address (8 * byte + bit), its output position a byte offset from the
 * lowest output address: 32-bit values. The bit offsets live in registers,
 * 8 per register; the output offsets in memory, where the stores read them
 * as addresses (they are needed once per round, and the registers are
 * better spent on the chains of gathers). A round, per register of 8
 * lanes, is two halves
 *     w   = 4 bytes at each lane's bit / 8           vpsrld, vpgatherdd
 *     buf = w >> bit % 8                               vpand, vpsrlvd
 *     e1  = table[buf & (2^W - 1)]                     vpand, vpgatherdd
 *     buf >>= e1 & 255                                 vpand, vpsrlvd
 *     e2  = table[buf & (2^W - 1)]                     vpand, vpgatherdd
 *     bit += (e1 + e2) & 255                           vpaddd, vpand, vpaddd
 *     acc = e1 >> 16 | (e2 >> 16) << byte 1 of e1      vpsrld x2, vpshufb, vpsllvd, vpor
 * then the two halves' symbols (at most 4 bytes each) are joined in 64-bit
 * lanes (vpunpck, vpsllvq, vpor) and each lane stores 8 bytes at its
 * output (no scatter in AVX2: vmovq / vmovhpd at base + its offset), which
 * moves by the symbols (8 * their number is byte 1 of e1 + e2). Four
 * registers are four chains of three dependent gathers per half round.
 *
 * No lane is masked. A lane that sits out (the checks of multi_lanes.h)
 * keeps its position aside and runs as a copy of one that takes part:
 * the same input, the same output address, the same bytes stored there,
 * which is harmless and keeps every round the same straight-line code.
 *
 * Bounds of a round: it reads the 4 bytes at its input byte and, after
 * moving it at most (7 + 2 W) / 8 = 3 bytes on, 4 more; it moves it at most
 * 6 bytes on; it writes 8 bytes at its output and moves it at most 8 on.
 * Offsets fit 31 bits: a block's output is at most H278_MAX_BLOCK_SIZE
 * long, and its streams are parts of the buffer it was parsed from (a
 * hand-made block whose streams lie further apart is decoded by the
 * finish alone).
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
#define AVX2_MULTI_MAX_SPAN (1u << 27) /* bytes from the first stream's start to the last one's end */
_Static_assert(8u * AVX2_MULTI_MAX_SPAN + 7u < (1u << 31), "bit offsets fit the lanes' 31 bits");
_Static_assert(H278_MAX_BLOCK_SIZE < (1u << 31) - 64u, "output offsets fit the lanes' 31 bits");

extern const h278_variant h278_variant_avx2;

typedef struct avx2_multi_tables {
    h278_multi_tables multi; /* built with at most two symbols per entry: the finish uses it */
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
    (void)p;
    avx2_multi_tables *t = mem;
    h278_multi_table_build(b, &t->multi, 2);
    for (uint32_t i = 0; i < (1u << H278_MULTI_MAX_BITS); i++)
        t->pairs[i] = (uint32_t)t->multi.multi[i]; /* all of an entry of at most two symbols */
    return H278_OK;
}

/* The constants of a round. */
typedef struct avx2_multi_consts {
    __m256i index_mask, low_byte, byte1_of, seven;
} avx2_multi_consts;

/* Half a round of the lanes of G registers, step by step across the
 * registers so that their chains of gathers overlap: a refill and two
 * lookups. bit: the lanes' bit offsets from base_in. Leaves each lane's
 * symbols in acc and 8 times their number in shift. */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_half(__m256i *bit, const uint32_t *pairs,
                                                                 const uint8_t *base_in, const avx2_multi_consts *c,
                                                                 __m256i *acc, __m256i *shift, const unsigned G)
{
    __m256i buf[AVX2_MULTI_REGISTERS], e1[AVX2_MULTI_REGISTERS], e2[AVX2_MULTI_REGISTERS];
    __m256i bits1[AVX2_MULTI_REGISTERS];
    for (unsigned j = 0; j < G; j++) {
        __m256i w = _mm256_i32gather_epi32((const int *)(const void *)base_in, _mm256_srli_epi32(bit[j], 3), 1);
        buf[j] = _mm256_srlv_epi32(w, _mm256_and_si256(bit[j], c->seven));
    }
    for (unsigned j = 0; j < G; j++) {
        e1[j] = _mm256_i32gather_epi32((const int *)pairs, _mm256_and_si256(buf[j], c->index_mask), 4);
        bits1[j] = _mm256_and_si256(e1[j], c->low_byte);
        buf[j] = _mm256_srlv_epi32(buf[j], bits1[j]);
    }
    for (unsigned j = 0; j < G; j++)
        e2[j] = _mm256_i32gather_epi32((const int *)pairs, _mm256_and_si256(buf[j], c->index_mask), 4);
    for (unsigned j = 0; j < G; j++) {
        /* Bytes 0 and 1 of e1 + e2 sum the bits (at most 24) and 8 times
         * the symbols (at most 32): no carry between them. */
        __m256i both = _mm256_add_epi32(e1[j], e2[j]);
        bit[j] = _mm256_add_epi32(bit[j], _mm256_and_si256(both, c->low_byte));
        acc[j] = _mm256_or_si256(_mm256_srli_epi32(e1[j], 16),
                                 _mm256_sllv_epi32(_mm256_srli_epi32(e2[j], 16), _mm256_shuffle_epi8(e1[j], c->byte1_of)));
        shift[j] = _mm256_shuffle_epi8(both, c->byte1_of);
    }
}

/* One round of the lanes of G registers: two halves, whose symbols (at
 * most 4 + 4 bytes per lane) are joined in 64-bit lanes and stored with
 * one 8-byte store per lane. out: the lanes' offsets from base_out, 8 per
 * register. */
AVX2_MULTI_TARGET static H278_ALWAYS_INLINE void avx2_multi_round(__m256i *bit, int32_t *out, const uint32_t *pairs,
                                                                  const uint8_t *base_in, uint8_t *base_out,
                                                                  const avx2_multi_consts *c, const unsigned G)
{
    __m256i a[AVX2_MULTI_REGISTERS], a_shift[AVX2_MULTI_REGISTERS];
    __m256i b[AVX2_MULTI_REGISTERS], b_shift[AVX2_MULTI_REGISTERS];
    avx2_multi_half(bit, pairs, base_in, c, a, a_shift, G);
    avx2_multi_half(bit, pairs, base_in, c, b, b_shift, G);
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
        const int32_t *where = out + 8 * j;
        for (unsigned i = 0; i < 8; i += 2) {
            _mm_storel_epi64((__m128i *)(void *)(base_out + (uint32_t)where[i]), q[i / 2]);
            _mm_storeh_pd((double *)(void *)(base_out + (uint32_t)where[i + 1]), _mm_castsi128_pd(q[i / 2]));
        }
        __m256i written = _mm256_srli_epi32(_mm256_add_epi32(a_shift[j], b_shift[j]), 3);
        _mm256_storeu_si256((__m256i *)(out + 8 * j),
                            _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(out + 8 * j)), written));
    }
}

/*
 * Rounds of the lanes of G registers (packed of them in use) until fewer
 * than `keep` take part. The first `sure` rounds are safe for every packed
 * lane; after them the lanes check, once every H278_MULTI_CHECKED rounds,
 * that so many rounds are safe for them, and sit out if not.
 *
 * No lane is masked: a lane that sits out (and a padding lane) keeps its
 * own position aside and runs as a copy of a lane that takes part, the
 * same input, the same output address, the same bytes stored there. So
 * every round is the same straight-line code.
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
    /* Positions as offsets (bits from base_in, bytes from base_out): the
     * lanes' own (kept), and what the registers run (now). The limits are
     * the last offsets at which H278_MULTI_CHECKED rounds may start (the
     * last round's limit less the advance of the others; a bit offset may
     * start anywhere in its limit's byte). */
    int32_t kept_bit[H278_MAX_STREAMS], kept_out[H278_MAX_STREAMS], now_bit[H278_MAX_STREAMS], now_out[H278_MAX_STREAMS];
    int32_t bit_limit[H278_MAX_STREAMS], out_limit[H278_MAX_STREAMS];
    for (unsigned j = 0; j < 8 * G; j++) {
        unsigned i = j < packed ? j : 0; /* padding lanes copy lane 0 */
        now_bit[j] = (int32_t)(8 * (s->in[i] - base_in) + s->pos[i]);
        now_out[j] = (int32_t)(s->out[i] - base_out);
        bit_limit[j] = 8 * ((int32_t)(s->in_last[i] - base_in) - (int32_t)((H278_MULTI_CHECKED - 1) * AVX2_MULTI_ADVANCE)) + 7;
        out_limit[j] = (int32_t)(s->out_last[i] - base_out) - (int32_t)((H278_MULTI_CHECKED - 1) * AVX2_MULTI_WRITE);
    }
    __m256i bit[AVX2_MULTI_REGISTERS];
    for (unsigned j = 0; j < G; j++)
        bit[j] = _mm256_loadu_si256((const __m256i *)(now_bit + 8 * j));
    const uint8_t *in_base = (const uint8_t *)(uintptr_t)base_in;
    uint8_t *out_base = (uint8_t *)(uintptr_t)base_out;
    uint32_t on = packed == 32 ? UINT32_MAX : (UINT32_C(1) << packed) - 1;
    for (size_t rounds = sure;; rounds = H278_MULTI_CHECKED) {
        for (size_t n = 0; n < rounds; n++)
            avx2_multi_round(bit, now_out, t->pairs, in_base, out_base, &c, G);
        uint32_t still = 0;
        for (unsigned j = 0; j < G; j++) {
            _mm256_storeu_si256((__m256i *)(now_bit + 8 * j), bit[j]);
            __m256i over_in = _mm256_cmpgt_epi32(bit[j], _mm256_loadu_si256((const __m256i *)(bit_limit + 8 * j)));
            __m256i over_out = _mm256_cmpgt_epi32(_mm256_loadu_si256((const __m256i *)(now_out + 8 * j)),
                                                  _mm256_loadu_si256((const __m256i *)(out_limit + 8 * j)));
            uint32_t over = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_or_si256(over_in, over_out)));
            still |= (~over & 0xFFu) << (8 * j);
        }
        still &= on;
        if (still != on) {
            /* Lanes that stop here keep their position; the others copy a
             * lane that goes on. */
            for (uint32_t stop = on & ~still; stop; stop &= stop - 1) {
                unsigned i = (unsigned)__builtin_ctz(stop);
                kept_bit[i] = now_bit[i], kept_out[i] = now_out[i];
            }
            on = still;
            if (!on)
                break;
            unsigned from = (unsigned)__builtin_ctz(on);
            for (unsigned i = 0; i < 8 * G; i++) {
                if (!(on >> i & 1))
                    now_bit[i] = now_bit[from], now_out[i] = now_out[from];
            }
            for (unsigned j = 0; j < G; j++)
                bit[j] = _mm256_loadu_si256((const __m256i *)(now_bit + 8 * j));
        }
        if ((unsigned)__builtin_popcount(on) < keep)
            break;
    }
    for (unsigned j = 0; j < packed; j++) {
        int32_t b = on >> j & 1 ? now_bit[j] : kept_bit[j], o = on >> j & 1 ? now_out[j] : kept_out[j];
        s->in[j] = base_in + (uint32_t)b / 8, s->pos[j] = (uint32_t)b % 8;
        s->out[j] = base_out + (uint32_t)o;
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

/* Whether the streams lie close enough together for the lanes' 32-bit
 * bit offsets: always so for a block that h278_read_block parsed from one
 * buffer, whose streams are parts of it. Any other block is decoded by
 * the finish alone. */
static int avx2_multi_streams_close(const h278_block *b)
{
    uintptr_t first = UINTPTR_MAX, last = 0;
    for (unsigned i = 0; i < b->streams; i++) {
        uintptr_t start = (uintptr_t)b->stream[i], end = start + b->stream_size[i];
        first = start < first ? start : first;
        last = end > last ? end : last;
    }
    return last - first < AVX2_MULTI_MAX_SPAN;
}

AVX2_MULTI_TARGET static h278_error avx2_multi_decode(const h278_block *b, const h278_params *p, const void *mem,
                                                      uint8_t *dst)
{
    (void)p;
    const h278_multi_round_bounds r = {AVX2_MULTI_READ, AVX2_MULTI_ADVANCE, AVX2_MULTI_WRITE};
    return h278_multi_decode(b, mem, dst, avx2_multi_streams_close(b) ? avx2_multi_pass : NULL, r);
}

const h278_variant h278_variant_avx2_multi = {
    .name = "avx2-multi",
    .summary = "AVX2: up to two symbols per gather, 8 streams per register (32-bit lanes), 16 or 32 in lockstep "
               "(segmented K>=16, codes <= 12 bits; other blocks: avx2)",
    .cpu_needs = H278_CPU_AVX2 | H278_CPU_BMI2,
    .table_bytes = avx2_multi_table_bytes,
    .build = avx2_multi_build,
    .decode = avx2_multi_decode,
    .takes = h278_multi_takes,
    .fallback = &h278_variant_avx2,
};
