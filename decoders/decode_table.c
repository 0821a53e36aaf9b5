/*
 * decode_table.c - the single full table: one lookup per symbol.
 *
 * With M the longest code length in the block, a table of 2^M entries is
 * indexed by the next M bits of the stream; every entry holds the symbol
 * whose code those bits start with, and that code's length. Because a code
 * of length l is a prefix of 2^(M-l) different M-bit patterns, it fills
 * 2^(M-l) entries. Decoding is then peek M bits, look up, emit, consume l.
 *
 * Worked example (A=0, B=10, C=110, D=111, E unused; M=3; the stream is
 * LSB-first, so the table is indexed by the bit-reversed pattern):
 *     index 000,010,100,110 -> A/1  (reversed codes ending in 0)
 *     index 001,101         -> B/2  (reversed "01")
 *     index 011             -> C/3
 *     index 111             -> D/3
 *
 * Cost: 2 bytes per entry, 2^M entries: 4 KiB at M=11, 2 MiB at M=20. The
 * build writes every entry, so at large M the build dominates small blocks
 * and the table falls out of L1/L2 — the slowdown the L-sweep charts show.
 *
 * Decoding interleaves four streams at a time (decode_common.h explains the
 * plan); each refill is followed by 56/M lookups per stream.
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
    h278_build_short_table(b, b->code_max_len, mem);
    return H278_OK;
}

/* One symbol from lane l: peek, look up, store, consume. */
#define TABLE_STEP(l)                                          \
    do {                                                       \
        uint32_t e_ = t[l.br.buf & mask];                      \
        *l.out = (uint8_t)e_;                                  \
        l.out += stride;                                       \
        h278_br_consume(&l.br, e_ >> 8);                       \
    } while (0)

/* The hot loop for four lanes, D lookups per refill (D * M <= 56). */
static H278_ALWAYS_INLINE void table_fast4(h278_lane *lanes, const uint16_t *t, unsigned m,
                                           uint32_t stride, const unsigned D)
{
    const uint64_t mask = (UINT64_C(1) << m) - 1;
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
            for (unsigned j = 0; j < D; j++) {
                TABLE_STEP(a);
                TABLE_STEP(b);
                TABLE_STEP(c);
                TABLE_STEP(d);
            }
        }
        lanes[0] = a, lanes[1] = b, lanes[2] = c, lanes[3] = d;
    }
}

static h278_error table_decode(const h278_block *b, const h278_params *p, const void *mem,
                               uint8_t *dst)
{
    (void)p;
    const uint16_t *t = mem;
    unsigned m = b->code_max_len;
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4) {
        if (m <= 11)
            table_fast4(lanes + g, t, m, stride, 5);
        else if (m <= 14)
            table_fast4(lanes + g, t, m, stride, 4);
        else if (m <= 18)
            table_fast4(lanes + g, t, m, stride, 3);
        else
            table_fast4(lanes + g, t, m, stride, 2);
    }
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish(&lanes[s], t, m, NULL, stride);
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
