/*
 * decode_hybrid.c - the two-tier decoder: a short table for the common
 * codes, a canonical search for the long ones.
 *
 * A full table needs 2^M entries for a longest code of M bits: 2 MiB at
 * M=20, most of it spent on symbols that almost never occur. The hybrid keeps
 * a table of only 2^S entries (S = short_bits, a run-time parameter) that
 * resolves every code of at most S bits in one lookup; an entry of 0 means
 * "this pattern starts a longer code", which the second tier resolves.
 *
 * The second tier is a sorted long-code search (decode_common.h), not
 * zlib-style sub-tables: codes of length l > S occur with probability about
 * 2^-l each, so at the default S the search runs for well under 1% of
 * symbols, needs no memory beyond ~400 bytes of canonical limits, and costs
 * nothing to build — sub-tables would add build time and memory (up to
 * 256 * 2^(20-S) entries) for a path that is rarely taken.
 *
 * Worked example (A=0, B=10, C=110, D=1110, E=1111; S=2; LSB-first index):
 *     bits 0,x -> A/1      bits 1,0 -> B/2      bits 1,1 -> 0 (long)
 * "long" reads 4 bits MSB-first, e.g. 1,1,1,0 = 14: length 3 gives prefix
 * 111 = 7, not below limit[3] = 7 (C is 110 = 6); length 4 gives 14, below
 * limit[4] = 16: the symbol is sorted[base[4] + 14 - first[4]] = D.
 *
 * Memory: 2^S * 2 bytes + the search arrays: 4 KiB at the default S=11.
 * Default S=11, from measurement (docs/DECODERS.md has the table): on text
 * at L=11 it is the fastest width; where many codes are longer than S (e.g.
 * kennedy.xls at L=15) the search shows, and a wider S pays.
 */
#include "decode_common.h"

#define HYBRID_DEFAULT_BITS 11u
#define HYBRID_MIN_BITS 4u
#define HYBRID_MAX_BITS 16u

typedef struct hybrid_tables {
    h278_long_codes lc;
    uint16_t short_table[];
} hybrid_tables;

static unsigned hybrid_width(const h278_params *p)
{
    return p->short_bits ? p->short_bits : HYBRID_DEFAULT_BITS;
}

static size_t hybrid_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len;
    unsigned s = hybrid_width(p);
    if (s < HYBRID_MIN_BITS || s > HYBRID_MAX_BITS)
        s = HYBRID_MIN_BITS; /* rejected by the build */
    return sizeof(hybrid_tables) + (sizeof(uint16_t) << s);
}

static h278_error hybrid_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned s = hybrid_width(p);
    if (s < HYBRID_MIN_BITS || s > HYBRID_MAX_BITS)
        return H278_ERR_BAD_PARAM;
    hybrid_tables *t = mem;
    h278_long_codes_build(&t->lc, b);
    h278_build_short_table(b, s, t->short_table);
    return H278_OK;
}

/* One symbol from lane l through the short table, or the search. */
#define HYBRID_STEP(l)                                                                       \
    do {                                                                                     \
        uint32_t e_ = t->short_table[l.br.buf & mask];                                       \
        if (unlikely(e_ == 0))                                                               \
            e_ = h278_long_decode(&t->lc, (uint32_t)(l.br.buf & long_mask), s);              \
        *l.out = (uint8_t)e_;                                                                \
        l.out += stride;                                                                     \
        h278_br_consume(&l.br, e_ >> 8);                                                     \
    } while (0)

/* Four lanes, D symbols per refill; D * (longest code) <= 56. */
static H278_ALWAYS_INLINE void hybrid_fast4(h278_lane *lanes, const hybrid_tables *t, unsigned s,
                                            uint32_t stride, const unsigned D)
{
    const uint64_t mask = (UINT64_C(1) << s) - 1;
    const uint64_t long_mask = (UINT64_C(1) << t->lc.max_len) - 1;
    for (;;) {
        size_t n = SIZE_MAX;
        for (unsigned i = 0; i < 4; i++) {
            size_t k = h278_lane_safe_iters(&lanes[i], stride, D);
            n = k < n ? k : n;
        }
        if (n == 0)
            return;
        h278_lane a = lanes[0], b = lanes[1], c = lanes[2], d = lanes[3];
        while (n--) {
            h278_br_refill_fast(&a.br);
            h278_br_refill_fast(&b.br);
            h278_br_refill_fast(&c.br);
            h278_br_refill_fast(&d.br);
#define HYBRID_ROUND(j)    \
    if (j < D) {           \
        HYBRID_STEP(a);    \
        HYBRID_STEP(b);    \
        HYBRID_STEP(c);    \
        HYBRID_STEP(d);    \
    }
            HYBRID_ROUND(0) HYBRID_ROUND(1) HYBRID_ROUND(2) HYBRID_ROUND(3) HYBRID_ROUND(4)
#undef HYBRID_ROUND
        }
        lanes[0] = a, lanes[1] = b, lanes[2] = c, lanes[3] = d;
    }
}

static h278_error hybrid_decode(const h278_block *b, const h278_params *p, const void *mem,
                                uint8_t *dst)
{
    const hybrid_tables *t = mem;
    unsigned s = hybrid_width(p);
    unsigned bits = b->code_max_len > s ? b->code_max_len : s;
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4) {
        if (bits <= 11)
            hybrid_fast4(lanes + g, t, s, stride, 5);
        else if (bits <= 14)
            hybrid_fast4(lanes + g, t, s, stride, 4);
        else if (bits <= 18)
            hybrid_fast4(lanes + g, t, s, stride, 3);
        else
            hybrid_fast4(lanes + g, t, s, stride, 2);
    }
    for (unsigned i = 0; i < b->streams; i++) {
        h278_error err = h278_lane_finish(&lanes[i], t->short_table, s, &t->lc, stride);
        if (err)
            return err;
    }
    return H278_OK;
}

const h278_variant h278_variant_hybrid = {
    .name = "hybrid",
    .summary = "two-tier: 2^short_bits table for short codes, canonical search for long ones",
    .cpu_needs = 0,
    .table_bytes = hybrid_table_bytes,
    .build = hybrid_build,
    .decode = hybrid_decode,
};
