/*
 * decode_table.c - the single full table: one lookup per symbol.
 *
 * With M the longest code in the block (b->code_max_len), a table of 2^M
 * entries is indexed by the next M bits of the stream; every entry holds the
 * symbol whose code those bits start with and that code's length. A code of
 * length l is a prefix of 2^(M-l) M-bit patterns, so it fills 2^(M-l)
 * entries. Decoding is: peek M bits, look up, store the symbol, consume l
 * bits. The code is complete (FORMAT.md), so every entry is valid and the
 * hot loop has no "invalid code" branch.
 *
 * Worked example (A=0, B=10, C=110, D=1110, E=1111; M=4; the stream is read
 * LSB-first, so the index is the bit-reversed pattern; x = either bit):
 *     read 0 x x x -> A/1 (8 entries)     read 1 1 0 x -> C/3 (2 entries)
 *     read 1 0 x x -> B/2 (4 entries)     read 1 1 1 0 -> D/4, 1 1 1 1 -> E/4
 *
 * Cost: 2 bytes per entry, 2^M entries: 4 KiB at M = 11, 128 KiB at 16,
 * 2 MiB at 20. The build writes every entry (by doubling, canonical_code.h),
 * so at large M the build dominates small blocks and the table falls out of
 * L1 and then L2: the slowdown the L-sweep charts show, and the reason for
 * the hybrid and multi-symbol decoders.
 *
 * Decoding interleaves four streams at a time (lanes.h explains the plan);
 * each refill is followed by D = min(5, 56 / M) lookups per stream. A K = 1
 * block runs the same loop with one lane.
 */
#include "lanes.h"

typedef struct table_tables {
    h278_table_desc desc; /* width = M */
    uint16_t entries[];   /* 2^M entries: length | symbol << 8 */
} table_tables;

static size_t table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)p;
    return sizeof(table_tables) + (sizeof(uint16_t) << code_max_len);
}

static h278_error table_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    table_tables *t = mem;
    h278_sorted_code code;
    h278_sorted_code_build(&code, b);
    t->desc = h278_table_desc_of(b, b->code_max_len);
    h278_single_table_build(&code, b->code_max_len, t->entries);
    return H278_OK;
}

/* One symbol from a lane: peek, look up, store, consume. */
static H278_ALWAYS_INLINE void table_step(h278_lane_regs *l, const h278_lookup k)
{
    const uint16_t *entries = k.table;
    uint32_t e = entries[l->bits & k.mask];
    *l->out = (uint8_t)h278_entry_sym(e);
    l->out += k.stride;
    l->bits >>= e & 63;
    l->count -= e;
}

/* The fast loops for a group of n lanes (n and the segmented layout's
 * stride of 1 made constants: a constant stride frees a register). */
static H278_ALWAYS_INLINE void table_lanes(h278_lane *lanes, const table_tables *t, uint32_t stride,
                                           const unsigned n)
{
    const h278_loop_shape shape = {.lanes = n, .slots_per_lookup = 1};
    unsigned m = t->desc.width, d = h278_lookups_per_refill(m);
    if (stride == 1)
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->entries, NULL, m, 1), table_step);
    else
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->entries, NULL, m, stride), table_step);
}

static H278_NOINLINE void table_group4(h278_lane *lanes, const void *tables, uint32_t stride)
{
    table_lanes(lanes, tables, stride, 4);
}

static H278_NOINLINE void table_group1(h278_lane *lanes, const void *tables, uint32_t stride)
{
    table_lanes(lanes, tables, stride, 1);
}

static h278_error table_decode(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    (void)p;
    const table_tables *t = mem;
    if (!h278_table_desc_fits(&t->desc, b))
        return H278_ERR_TABLE_MISMATCH;
    return h278_lanes_decode(b, dst, t, table_group4, table_group1, t->entries, t->desc.width, NULL);
}

const h278_variant h278_variant_table = {
    .name = "table",
    .summary = "single full table of 2^maxlen entries, one lookup per symbol",
    .cpu_needs = 0,
    .table_bytes = table_bytes,
    .build = table_build,
    .decode = table_decode,
};
