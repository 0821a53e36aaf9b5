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
 * The second tier is the sorted code's search (canonical_code.h), not
 * zlib-style sub-tables: codes of length l > S occur with probability about
 * 2^-l each, so at the default S the search runs for a small share of
 * symbols, needs no memory beyond the sorted code (about half a kilobyte,
 * which the build computes anyway), and costs nothing more to build;
 * sub-tables would add build time and memory (up to 2^(M-S) entries per
 * long prefix) for a path that is rarely taken. The price is a mispredicted
 * branch and a short loop per long code, which shows when many symbols have
 * long codes (docs/DECODERS.md has the short_bits sweep).
 *
 * Worked example (A=0, B=10, C=110, D=1110, E=1111; S=2; index = the bits
 * in the order read, LSB-first):
 *     read 0 x -> A/1      read 1 0 -> B/2      read 1 1 -> 0 (long)
 * "long" takes the longest code's 4 bits most-significant first, e.g. read
 * 1,1,1,0 = 14: length 3 gives the prefix 111 = 7, not below limit[3] = 7
 * (the only 3-bit code, C, is 110 = 6); length 4 gives 14, below
 * limit[4] = 16: the symbol is sorted[base[4] + 14 - first[4]] = D.
 *
 * Memory: 2^S * 2 bytes + the sorted code: 4.5 KiB at S = 11, 8.5 KiB at
 * 12. Default S (docs/DECODERS.md has the sweep behind it): 11 while every
 * code fits in 11 bits (a wider table only costs cache, and 11-bit lookups
 * allow five per refill), else 12, where the long codes of data like
 * kennedy.xls at L = 15 stop dominating. A short_bits parameter (6..14)
 * overrides it.
 *
 * Without long codes (every code within S) the hybrid is the table decoder
 * with a wider table; its fast loop then has no long-code branch at all.
 */
#include "lanes.h"

typedef struct hybrid_tables {
    h278_table_desc desc;   /* width = S */
    h278_sorted_code code;  /* the second tier */
    uint16_t short_table[]; /* 2^S entries: length | symbol << 8, 0 = longer */
} hybrid_tables;

/* S: lanes.h's h278_tier_width with the short_bits parameter. */
static size_t hybrid_table_bytes(unsigned code_max_len, const h278_params *p)
{
    return sizeof(hybrid_tables) + (sizeof(uint16_t) << h278_tier_width_for_size(code_max_len, p->short_bits));
}

static h278_error hybrid_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned s = h278_tier_width(b->code_max_len, p->short_bits);
    if (h278_unlikely(!s))
        return H278_ERR_BAD_PARAM;
    hybrid_tables *t = mem;
    t->desc = h278_table_desc_of(b, s);
    h278_sorted_code_build(&t->code, b);
    h278_single_table_build(&t->code, s, t->short_table);
    return H278_OK;
}

/* One symbol from a lane through the short table, or (k.code not NULL) the
 * search, after a refill: a long code may need more bits than are left. */
static H278_ALWAYS_INLINE void hybrid_step(h278_lane_regs *l, const h278_lookup k)
{
    const uint16_t *short_table = k.table;
    uint32_t e = short_table[l->bits & k.mask];
    if (k.code && h278_unlikely(e == 0)) {
        h278_regs_refill(l);
        e = h278_sorted_code_search(k.code, l->bits, k.width);
    }
    *l->out = (uint8_t)h278_entry_sym(e);
    l->out += k.stride;
    l->bits >>= e & 63;
    l->count -= e;
}

/* The fast loops for a group of n lanes, with or without long codes (code
 * NULL), the segmented layout's stride of 1 made a constant. With long
 * codes a round may refill once per lookup, so its safe count is in bits
 * (lanes.h) and D leaves room for one long code. */
static H278_ALWAYS_INLINE void hybrid_lanes(h278_lane *lanes, const hybrid_tables *t, uint32_t stride,
                                            const unsigned n, const h278_sorted_code *code)
{
    unsigned s = t->desc.width;
    const h278_loop_shape shape = {.lanes = n, .slots_per_lookup = 1, .long_len = code ? code->max_len : 0};
    unsigned d = code ? h278_lookups_with_long(s, code->max_len) : h278_lookups_per_refill(s);
    if (stride == 1)
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->short_table, code, s, 1), hybrid_step);
    else
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->short_table, code, s, stride), hybrid_step);
}

/* With or without long codes: without them the hybrid is the table decoder
 * with a wider table. */
static H278_ALWAYS_INLINE void hybrid_group(h278_lane *lanes, const hybrid_tables *t, uint32_t stride,
                                            const unsigned n)
{
    if (h278_table_desc_long_codes(&t->desc))
        hybrid_lanes(lanes, t, stride, n, &t->code);
    else
        hybrid_lanes(lanes, t, stride, n, NULL);
}

static H278_NOINLINE void hybrid_group4(h278_lane *lanes, const void *tables, uint32_t stride)
{
    hybrid_group(lanes, tables, stride, 4);
}

static H278_NOINLINE void hybrid_group1(h278_lane *lanes, const void *tables, uint32_t stride)
{
    hybrid_group(lanes, tables, stride, 1);
}

static h278_error hybrid_decode(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    (void)p;
    const hybrid_tables *t = mem;
    if (!h278_table_desc_fits(&t->desc, b))
        return H278_ERR_TABLE_MISMATCH;
    const h278_sorted_code *code = h278_table_desc_long_codes(&t->desc) ? &t->code : NULL;
    return h278_lanes_decode(b, dst, t, hybrid_group4, hybrid_group1, t->short_table, t->desc.width, code);
}

const h278_variant h278_variant_hybrid = {
    .name = "hybrid",
    .summary = "two-tier: 2^short_bits table for short codes, canonical search for long ones",
    .cpu_needs = 0,
    .table_bytes = hybrid_table_bytes,
    .build = hybrid_build,
    .decode = hybrid_decode,
};
