/*
 * decode_hybrid.c - the two-tier decoder: a short table for the common
 * codes, a canonical search for the long ones.
 *
 * A full table needs 2^M entries for a longest code of M bits: 2 MiB at
 * M = 20, almost all of it spent on symbols that almost never occur. The
 * hybrid keeps a table of only 2^S entries (S = short_bits, a run-time
 * parameter) that resolves every code of at most S bits in one lookup; an
 * entry of 0 means "this pattern starts a longer code", which the second
 * tier resolves.
 *
 * The second tier is a sorted long-code search (decode_common.h), not
 * zlib-style sub-tables: codes of length l > S occur with probability about
 * 2^-l each, so at the default S the search runs for well under 1% of
 * symbols, needs no memory beyond ~450 bytes of canonical limits and sorted
 * symbols (which the build computes anyway), and costs nothing more to build;
 * sub-tables would add build time and memory (up to 2^(M-S) entries per
 * long prefix) for a path that is rarely taken. The price is a mispredicted
 * branch and a short loop per long code, which shows when many symbols have
 * long codes (kennedy.xls at L = 15 with S below 12).
 *
 * Worked example (A=0, B=10, C=110, D=1110, E=1111; S=2; index = the bits
 * in the order read, LSB-first):
 *     read 0 x -> A/1      read 1 0 -> B/2      read 1 1 -> 0 (long)
 * "long" takes the longest code's 4 bits most-significant first, e.g. read
 * 1,1,1,0 = 14: length 3 gives the prefix 111 = 7, not below limit[3] = 7
 * (the only 3-bit code, C, is 110 = 6); length 4 gives 14, below
 * limit[4] = 16: the symbol is sorted[base[4] + 14 - first[4]] = D.
 *
 * Memory: 2^S * 2 bytes + ~450 bytes: 4.5 KiB at S = 11, 8.5 KiB at 12.
 * Default S, from measurement (docs/DECODERS.md has the sweep): 11 while
 * every code fits in 11 bits (a wider table only costs cache, and 11-bit
 * lookups allow five per refill), else 12 (kennedy.xls at L = 15 has 4% of
 * its symbols at 12 bits, and searching for them costs a third of the
 * speed). A short_bits parameter (6..14) overrides it.
 */
#include "decode_common.h"

#define HYBRID_MIN_BITS 6u
#define HYBRID_MAX_BITS 14u
#define HYBRID_SHORT_BITS 11u /* default S while every code fits */
#define HYBRID_LONG_BITS 12u  /* default S otherwise */

typedef struct hybrid_tables {
    h278_long_codes lc;     /* the second tier */
    uint32_t s;             /* S, chosen by the build */
    uint16_t short_table[]; /* 2^S entries */
} hybrid_tables;

/* S for a block whose longest code is code_max_len, or 0 if short_bits is
 * out of range. */
static unsigned hybrid_width(unsigned code_max_len, const h278_params *p)
{
    if (p->short_bits)
        return p->short_bits >= HYBRID_MIN_BITS && p->short_bits <= HYBRID_MAX_BITS ? p->short_bits : 0;
    return code_max_len <= HYBRID_SHORT_BITS ? HYBRID_SHORT_BITS : HYBRID_LONG_BITS;
}

static size_t hybrid_table_bytes(unsigned code_max_len, const h278_params *p)
{
    unsigned s = hybrid_width(code_max_len, p);
    if (!s)
        s = HYBRID_MIN_BITS; /* the build rejects the parameter */
    return sizeof(hybrid_tables) + (sizeof(uint16_t) << s);
}

static h278_error hybrid_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned s = hybrid_width(b->code_max_len, p);
    if (unlikely(!s))
        return H278_ERR_BAD_PARAM;
    hybrid_tables *t = mem;
    t->s = s;
    h278_long_codes_build(&t->lc, b);
    h278_single_table_build(&t->lc, s, t->short_table, H278_LEN_LOW);
    return H278_OK;
}

/* One symbol from lane i through the short table, or the search. */
#define HYBRID_STEP(i)                                                       \
    do {                                                                     \
        uint32_t e_ = t->short_table[bits##i & mask];                        \
        if (has_long && unlikely(e_ == 0)) {                                 \
            H278_LANE_REFILL(i);                                             \
            e_ = h278_long_entry(&t->lc, bits##i, s, H278_LEN_LOW);          \
        }                                                                    \
        *out##i = (uint8_t)(e_ >> 8);                                        \
        out##i += stride;                                                    \
        bits##i >>= e_ & 63;                                                 \
        count##i -= e_;                                                      \
    } while (0)

/* The hot loop over N (1 or 4) lanes, D symbols per refill with D * S <= 56;
 * a code longer than S (has_long, a constant per specialisation) refills
 * its lane before the search, as in decode_multisym.c, and the safe count
 * is then in bits. */
static H278_ALWAYS_INLINE void hybrid_fast(h278_lane *lanes, const hybrid_tables *t, unsigned s,
                                           const unsigned N, uint32_t stride, const unsigned D,
                                           const int has_long)
{
    const uint64_t mask = (UINT64_C(1) << s) - 1;
    const uint32_t max_bits = has_long ? D * t->lc.max_len : 0;
    H278_LANE_FAST_LOOP(lanes, N, stride, D, D, max_bits, HYBRID_STEP);
}

/* The specialisation for N lanes: D (at least 3 for any S of 6..14 and codes
 * of up to 20 bits), long codes or not (without them the hybrid is a table
 * decoder with a wider table), and the segmented layout's stride of 1 as a
 * constant. */
#define HYBRID_LAYOUT(N, D, has_long)                                        \
    do {                                                                     \
        if (stride == 1)                                                     \
            hybrid_fast(lanes, t, s, N, 1, D, has_long);                     \
        else                                                                 \
            hybrid_fast(lanes, t, s, N, stride, D, has_long);                \
    } while (0)

#define HYBRID_DISPATCH(N)                                                   \
    do {                                                                     \
        if (!has_long)                                                       \
            HYBRID_LAYOUT(N, D >= 5 ? 5 : D >= 4 ? 4 : 3, 0);                \
        else if (D >= 4)                                                     \
            HYBRID_LAYOUT(N, 4, 1);                                          \
        else                                                                 \
            HYBRID_LAYOUT(N, 3, 1);                                          \
    } while (0)

static void hybrid_group4(h278_lane *lanes, const hybrid_tables *t, unsigned s, uint32_t stride,
                          unsigned D, int has_long)
{
    HYBRID_DISPATCH(4);
}

static void hybrid_group1(h278_lane *lanes, const hybrid_tables *t, unsigned s, uint32_t stride,
                          unsigned D, int has_long)
{
    HYBRID_DISPATCH(1);
}

static h278_error hybrid_decode(const h278_block *b, const h278_params *p, const void *mem,
                                uint8_t *dst)
{
    (void)p;
    const hybrid_tables *t = mem;
    unsigned s = t->s;
    int has_long = b->code_max_len > s;
    unsigned D = has_long ? h278_lookups_with_long(s, b->code_max_len) : h278_lookups_per_refill(s);
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    if (b->streams == 1)
        hybrid_group1(lanes, t, s, stride, D, has_long);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        hybrid_group4(lanes + g, t, s, stride, D, has_long);
    for (unsigned i = 0; i < b->streams; i++) {
        h278_error err = h278_lane_finish_format(&lanes[i], t->short_table, s,
                                                 has_long ? &t->lc : NULL, stride, H278_LEN_LOW);
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
