/*
 * decode_multisym.c - the multi-symbol table: one lookup emits up to three
 * symbols.
 *
 * The idea (zstd's double-symbol decoder, ISA-L's inflate): index a table by
 * the next W bits as usual, but let each entry hold every symbol whose code
 * fits completely in those W bits, one after another, with the total number
 * of bits they use. Frequent symbols have short codes, so on text at W=11
 * most lookups emit two symbols; on low-entropy data, three.
 *
 * Entry (64 bits): nbits | sym0 << 8 | sym1 << 16 | sym2 << 24 | nsyms << 32.
 * Each field is one instruction away: the shift consuming nbits masks its
 * count to 6 bits by itself, the symbols are e >> 8, the count is e >> 32,
 * and the bit counter subtracts the whole entry (only its low byte is
 * meaningful between refills: libdeflate's trick).
 * nsyms = 0 marks a code longer than W, resolved by the canonical search in
 * decode_common.h (rare by construction: long codes are rare symbols).
 *
 * Worked example (A=0, B=10, C=110, D=111; W=3; indexes are LSB-first bit
 * patterns, bit 0 read first):
 *     bits 0,0,0 -> A A A, 3 bits        bits 0,1,0 -> A B, 3 bits
 *     bits 1,0,0 -> B A, 3 bits          bits 1,0,1 -> B, 2 bits (the next
 *     bits 1,1,0 -> C, 3 bits            code needs a bit we cannot see)
 * A single-symbol table would need three lookups for "A A A".
 *
 * Build cost: every one of the 2^W entries is decoded symbol by symbol
 * (up to three short-table lookups each), plus the short table itself:
 * about 2^W * 4 small steps, ~8 K steps at W=11 — a few microseconds, which
 * matters only for blocks of a few KiB (the build/decode split chart).
 * Memory: 2^W * 10 bytes (20 KiB at W=11).
 *
 * The segmented layout stores each entry's three symbol bytes with one
 * 4-byte store (the fourth byte is overwritten by the next lookup); the
 * interleaved layout stores them one stride apart. Four streams are decoded
 * in lockstep (decode_common.h).
 */
#include <string.h>

#include "decode_common.h"

#define MS_DEFAULT_BITS 11u
#define MS_MIN_BITS 6u
#define MS_MAX_BITS 15u

typedef struct ms_tables {
    h278_long_codes lc;
    uint16_t *single; /* 2^W short-table entries, after the multi table */
    uint64_t multi[];
} ms_tables;

static unsigned ms_width(const h278_params *p)
{
    return p->table_bits ? p->table_bits : MS_DEFAULT_BITS;
}

static size_t ms_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len;
    unsigned w = ms_width(p);
    if (w < MS_MIN_BITS || w > MS_MAX_BITS)
        w = MS_MIN_BITS; /* rejected by the build */
    return sizeof(ms_tables) + ((size_t)1 << w) * (sizeof(uint64_t) + sizeof(uint16_t));
}

static h278_error ms_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned w = ms_width(p);
    if (w < MS_MIN_BITS || w > MS_MAX_BITS)
        return H278_ERR_BAD_PARAM;
    ms_tables *t = mem;
    uint32_t size = 1u << w;
    t->single = (uint16_t *)(t->multi + size);
    h278_long_codes_build(&t->lc, b);
    h278_build_short_table(b, w, t->single);
    for (uint32_t i = 0; i < size; i++) {
        uint32_t e = t->single[i];
        if (e == 0) {
            t->multi[i] = 0;
            continue;
        }
        uint32_t syms = e & 0xFF, nbits = e >> 8, n = 1;
        while (n < 3 && nbits < w) {
            uint32_t next = t->single[i >> nbits]; /* high bits are zero, not data */
            if (next == 0 || (next >> 8) > w - nbits)
                break;
            syms |= (next & 0xFF) << (8 * n);
            nbits += next >> 8;
            n++;
        }
        t->multi[i] = nbits | (uint64_t)syms << 8 | (uint64_t)n << 32;
    }
    return H278_OK;
}

/* One lookup from lane l. HAS_LONG and SEG are compile-time constants in
 * each specialisation of ms_fast4. */
#define MS_STEP(l)                                                                       \
    do {                                                                                 \
        uint64_t e_ = t->multi[l.br.buf & mask];                                         \
        if (has_long && unlikely((e_ >> 32) == 0)) {                                     \
            uint32_t x_ = h278_long_decode(&t->lc, (uint32_t)(l.br.buf & long_mask), w); \
            e_ = (x_ >> 8) | (uint64_t)(x_ & 0xFF) << 8 | UINT64_C(1) << 32;             \
        }                                                                                \
        l.br.buf >>= e_ & 63;                                                            \
        l.br.count -= (uint32_t)e_; /* low byte exact; see the entry layout */           \
        if (seg) {                                                                       \
            uint32_t s_ = (uint32_t)(e_ >> 8);                                           \
            memcpy(l.out, &s_, 4);                                                       \
            l.out += e_ >> 32;                                                           \
        } else {                                                                         \
            l.out[0] = (uint8_t)(e_ >> 8);                                               \
            l.out[stride] = (uint8_t)(e_ >> 16);                                         \
            l.out[2 * stride] = (uint8_t)(e_ >> 24);                                     \
            l.out += (e_ >> 32) * stride;                                                \
        }                                                                                \
    } while (0)

static H278_ALWAYS_INLINE void ms_fast4(h278_lane *lanes, const ms_tables *t, unsigned w,
                                        uint32_t stride, const unsigned D, const int has_long,
                                        const int seg)
{
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    const uint64_t long_mask = (UINT64_C(1) << t->lc.max_len) - 1;
    for (;;) {
        size_t n = SIZE_MAX;
        for (unsigned i = 0; i < 4; i++) {
            size_t k = h278_lane_safe_iters(&lanes[i], stride, 3 * D + 1);
            n = k < n ? k : n;
        }
        if (n == 0)
            return;
        h278_lane a = lanes[0], b = lanes[1], c = lanes[2], d = lanes[3];
        while (n--) {
            a.br.count &= 63, b.br.count &= 63, c.br.count &= 63, d.br.count &= 63;
            h278_br_refill_fast(&a.br);
            h278_br_refill_fast(&b.br);
            h278_br_refill_fast(&c.br);
            h278_br_refill_fast(&d.br);
            /* D rounds, written out so that every lane's state stays in
             * registers (D is a constant in each specialisation). */
#define MS_ROUND(j)             \
    if (j < D) {                \
        MS_STEP(a);             \
        MS_STEP(b);             \
        MS_STEP(c);             \
        MS_STEP(d);             \
    }
            MS_ROUND(0) MS_ROUND(1) MS_ROUND(2) MS_ROUND(3) MS_ROUND(4)
#undef MS_ROUND
        }
        a.br.count &= 63, b.br.count &= 63, c.br.count &= 63, d.br.count &= 63;
        lanes[0] = a, lanes[1] = b, lanes[2] = c, lanes[3] = d;
    }
}

/* Picks the specialisation: lookups per refill D (D * bits <= 56), whether
 * long codes exist, and the layout. */
static void ms_fast4_dispatch(h278_lane *lanes, const ms_tables *t, unsigned w, unsigned maxlen,
                              uint32_t stride)
{
    int has_long = maxlen > w;
    unsigned bits = has_long ? maxlen : w;
    int seg = stride == 1;
    if (!has_long && w == MS_DEFAULT_BITS) {
        /* The default width as a constant: the mask becomes an immediate. */
        if (seg)
            ms_fast4(lanes, t, MS_DEFAULT_BITS, 1, 5, 0, 1);
        else
            ms_fast4(lanes, t, MS_DEFAULT_BITS, stride, 5, 0, 0);
        return;
    }
#define MS_CASE(D)                                                  \
    do {                                                            \
        if (has_long)                                               \
            seg ? ms_fast4(lanes, t, w, stride, D, 1, 1)            \
                : ms_fast4(lanes, t, w, stride, D, 1, 0);           \
        else                                                        \
            seg ? ms_fast4(lanes, t, w, stride, D, 0, 1)            \
                : ms_fast4(lanes, t, w, stride, D, 0, 0);           \
    } while (0)
    if (bits <= 11)
        MS_CASE(5);
    else if (bits <= 14)
        MS_CASE(4);
    else if (bits <= 18)
        MS_CASE(3);
    else
        MS_CASE(2);
#undef MS_CASE
}

static h278_error ms_decode(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    const ms_tables *t = mem;
    unsigned w = ms_width(p);
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        ms_fast4_dispatch(lanes + g, t, w, b->code_max_len, stride);
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish(&lanes[s], t->single, w, &t->lc, stride);
        if (err)
            return err;
    }
    return H278_OK;
}

const h278_variant h278_variant_multisym = {
    .name = "multisym",
    .summary = "multi-symbol table: one lookup emits up to three symbols (table_bits wide)",
    .cpu_needs = 0,
    .table_bytes = ms_table_bytes,
    .build = ms_build,
    .decode = ms_decode,
};
