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
 * 2 MiB at 20. The build writes every entry (by doubling, decode_common.h),
 * so at large M the build dominates small blocks and the table falls out of
 * L1 and then L2: the slowdown the L-sweep charts show, and the reason for
 * the hybrid and multi-symbol decoders.
 *
 * Decoding interleaves four streams at a time (decode_common.h explains the
 * plan); each refill is followed by 56/M lookups per stream. A K = 1 block
 * runs the same loop with one lane.
 */
#include "decode_common.h"

static size_t table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)p;
    return sizeof(uint16_t) << code_max_len;
}

static h278_error table_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    h278_long_codes lc;
    h278_long_codes_build(&lc, b);
    h278_single_table_build(&lc, b->code_max_len, mem, H278_LEN_LOW);
    return H278_OK;
}

/* One symbol from lane i: peek, look up, store, consume. */
#define TABLE_STEP(i)                                                       \
    do {                                                                    \
        uint32_t e_ = t[bits##i & mask];                                    \
        *out##i = (uint8_t)(e_ >> 8);                                       \
        out##i += stride;                                                   \
        bits##i >>= e_ & 63;                                                \
        count##i -= e_;                                                     \
    } while (0)

/* The hot loop over N (1 or 4) lanes, D lookups per refill (D * M <= 56).
 * Every lookup emits one symbol, so lane 0's output bounds the iterations. */
static H278_ALWAYS_INLINE void table_fast(h278_lane *lanes, const uint16_t *t, unsigned m,
                                          const unsigned N, uint32_t stride, const unsigned D)
{
    const uint64_t mask = (UINT64_C(1) << m) - 1;
    H278_LANE_FAST_LOOP(lanes, N, stride, D, D, 0, TABLE_STEP);
}

/* The specialisation for N lanes with D = 56 / M lookups per refill; the
 * segmented layout's stride of 1 as a constant frees a register. */
#define TABLE_LAYOUT(N, D)                                                  \
    do {                                                                    \
        if (stride == 1)                                                    \
            table_fast(lanes, t, m, N, 1, D);                               \
        else                                                                \
            table_fast(lanes, t, m, N, stride, D);                          \
    } while (0)

#define TABLE_DISPATCH(N)                                                   \
    do {                                                                    \
        if (m <= 11)                                                        \
            TABLE_LAYOUT(N, 5);                                             \
        else if (m <= 14)                                                   \
            TABLE_LAYOUT(N, 4);                                             \
        else if (m <= 18)                                                   \
            TABLE_LAYOUT(N, 3);                                             \
        else                                                                \
            TABLE_LAYOUT(N, 2);                                             \
    } while (0)

static void table_group4(h278_lane *lanes, const uint16_t *t, unsigned m, uint32_t stride)
{
    TABLE_DISPATCH(4);
}

static void table_group1(h278_lane *lanes, const uint16_t *t, unsigned m, uint32_t stride)
{
    TABLE_DISPATCH(1);
}

static h278_error table_decode(const h278_block *b, const h278_params *p, const void *mem,
                               uint8_t *dst)
{
    (void)p;
    const uint16_t *t = mem;
    unsigned m = b->code_max_len;
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    if (b->streams == 1)
        table_group1(lanes, t, m, stride);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        table_group4(lanes + g, t, m, stride);
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish_format(&lanes[s], t, m, NULL, stride, H278_LEN_LOW);
        if (err)
            return err;
    }
    return H278_OK;
}

const h278_variant h278_variant_table = {
    .name = "table",
    .summary = "single full table of 2^maxlen entries, one lookup per symbol",
    .cpu_needs = 0,
    .table_bytes = table_bytes,
    .build = table_build,
    .decode = table_decode,
};
