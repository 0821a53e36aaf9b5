/*
 * decode_common.h - what the scalar table decoders share: one "lane" per bit
 * stream, where its symbols go, how many fast iterations are safe, and the
 * canonical search that resolves codes longer than a table is wide.
 *
 * Every table decoder runs the same plan (zstd's 4-stream loop, generalised):
 *   1. Work out, before the hot loop, how many iterations are safe for every
 *      lane of a group of four: each iteration refills once (8-byte load,
 *      so at least 8 bytes must remain; it advances at most 7) and emits at
 *      most a known number of symbols (so enough must remain).
 *   2. Run exactly that many iterations with no bounds checks, four
 *      independent streams interleaved so their load latencies overlap.
 *   3. Repeat while anything is safe, then finish each lane in a checked loop
 *      and require the stream to end exactly at its last byte.
 * Hostile stream contents can make the fast loop decode garbage, but never
 * read outside a stream or write outside the block: the bounds in step 1
 * hold whatever the bits say.
 */
#ifndef H278_DECODE_COMMON_H
#define H278_DECODE_COMMON_H

#include "bitreader.h"
#include "variant.h"

#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)
#define H278_ALWAYS_INLINE inline __attribute__((always_inline))

typedef struct h278_lane {
    h278_bitreader br;
    uint8_t *out;           /* where the lane's next symbol goes */
    uint8_t *out_end;       /* one stride past its last symbol */
} h278_lane;

/* Sets up one lane per stream of b; returns the output stride (1 for the
 * segmented layout, K for the interleaved one). */
static inline uint32_t h278_lanes_init(const h278_block *b, uint8_t *dst, h278_lane *lanes)
{
    uint32_t stride = (b->flags & H278_BLOCK_FLAG_INTERLEAVED) ? b->streams : 1;
    for (unsigned s = 0; s < b->streams; s++) {
        h278_br_init(&lanes[s].br, b->stream[s], b->stream_size[s]);
        lanes[s].out = dst + (b->stream_symbols[s] ? h278_out_index(b, s, 0) : 0);
        lanes[s].out_end = lanes[s].out + (size_t)b->stream_symbols[s] * stride;
    }
    return stride;
}

/* Symbols the lane still has to decode. */
static inline uint32_t h278_lane_left(const h278_lane *l, uint32_t stride)
{
    return (uint32_t)((size_t)(l->out_end - l->out) / stride);
}

/* Fast iterations this lane allows: refills need 8 readable bytes and
 * advance at most 7; each iteration emits at most max_syms symbols. */
static inline size_t h278_lane_safe_iters(const h278_lane *l, uint32_t stride, uint32_t max_syms)
{
    ptrdiff_t bytes = l->br.end - l->br.p;
    size_t by_bytes = bytes < 8 ? 0 : (size_t)(bytes - 8) / 7 + 1;
    size_t by_syms = h278_lane_left(l, stride) / max_syms;
    return by_bytes < by_syms ? by_bytes : by_syms;
}

/* Reverses the low n (1..32) bits of x. */
static inline uint32_t h278_rev_bits(uint32_t x, unsigned n)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    x = (x >> 16) | (x << 16);
    return x >> (32 - n);
}

/*
 * Canonical search for codes longer than a table's width. Codes of length l
 * occupy the values [first[l], limit[l]) (FORMAT.md); reading a code most
 * significant bit first, the first length l whose prefix value is below
 * limit[l] is the code's length. Long codes are rare (a code of length l
 * stands for a symbol of probability about 2^-l), so a short loop here costs
 * little and needs no memory beyond these arrays.
 */
typedef struct h278_long_codes {
    uint32_t limit[H278_MAX_CODE_LEN + 2];
    uint32_t first[H278_MAX_CODE_LEN + 2];
    uint16_t base[H278_MAX_CODE_LEN + 2]; /* index in sorted[] of the first code of length l */
    uint8_t sorted[256];                  /* symbols in canonical order */
    uint8_t max_len;
} h278_long_codes;

static inline void h278_long_codes_build(h278_long_codes *lc, const h278_block *b)
{
    uint32_t count[H278_MAX_CODE_LEN + 2] = {0};
    for (unsigned s = 0; s < 256; s++)
        count[b->lengths[s]]++;
    uint32_t code = 0, index = 0;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++) {
        lc->first[l] = code;
        lc->base[l] = (uint16_t)index;
        lc->limit[l] = code + count[l];
        index += count[l];
        code = (code + count[l]) << 1;
    }
    for (unsigned l = 1, i = 0; l <= H278_MAX_CODE_LEN; l++)
        for (unsigned s = 0; s < 256; s++)
            if (b->lengths[s] == l)
                lc->sorted[i++] = (uint8_t)s;
    lc->max_len = b->code_max_len;
}

/* Decodes one code of length > from_len from the low max_len bits of bits
 * (LSB-first, as peeked). Returns symbol | length << 8. For a complete code
 * some length always matches. */
static inline uint32_t h278_long_decode(const h278_long_codes *lc, uint32_t bits, unsigned from_len)
{
    unsigned m = lc->max_len;
    uint32_t v = h278_rev_bits(bits, m);
    for (unsigned l = from_len + 1; l < m; l++) {
        uint32_t c = v >> (m - l);
        if (c < lc->limit[l])
            return lc->sorted[lc->base[l] + c - lc->first[l]] | (uint32_t)l << 8;
    }
    return lc->sorted[lc->base[m] + v - lc->first[m]] | (uint32_t)m << 8;
}

/*
 * A single-symbol table of 2^w entries: t[i] = symbol | length << 8 for the
 * code that the w-bit pattern i (LSB-first) starts with, or 0 when that code
 * is longer than w bits (resolved by h278_long_decode). With w equal to the
 * longest code, no entry is 0: the "table" decoder.
 */
static inline void h278_build_short_table(const h278_block *b, unsigned w, uint16_t *t)
{
    uint32_t codes[256];
    h278_canonical_codes(b->lengths, codes);
    for (uint32_t i = 0; i < (1u << w); i++)
        t[i] = 0;
    for (unsigned s = 0; s < 256; s++) {
        unsigned l = b->lengths[s];
        if (!l || l > w)
            continue;
        uint16_t e = (uint16_t)(s | l << 8);
        for (uint32_t i = h278_rev_bits(codes[s], l); i < (1u << w); i += 1u << l)
            t[i] = e;
    }
}

/* How every scalar variant ends a lane (and decodes K=1 blocks): one
 * symbol at a time through a short table (lc resolves longer codes; NULL
 * when none exist). First unchecked rounds while they are provably safe,
 * then a checked loop with every bit accounted for, then the end-of-stream
 * rule. */
static inline h278_error h278_lane_finish(h278_lane *l, const uint16_t *t, unsigned w,
                                          const h278_long_codes *lc, uint32_t stride)
{
    unsigned longest = lc && lc->max_len > w ? lc->max_len : w;
    unsigned per_refill = 56 / longest;
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    size_t n;
    while ((n = h278_lane_safe_iters(l, stride, per_refill)) > 0) {
        while (n--) {
            h278_br_refill_fast(&l->br);
            for (unsigned j = 0; j < per_refill; j++) {
                uint32_t e = t[l->br.buf & mask];
                if (e == 0)
                    e = h278_long_decode(lc, h278_br_peek(&l->br, lc->max_len), w);
                *l->out = (uint8_t)e;
                l->out += stride;
                h278_br_consume(&l->br, e >> 8);
            }
        }
    }
    while (l->out != l->out_end) {
        h278_br_refill(&l->br);
        uint32_t e = t[h278_br_peek(&l->br, w)];
        if (e == 0)
            e = h278_long_decode(lc, h278_br_peek(&l->br, lc->max_len), w);
        *l->out = (uint8_t)e;
        l->out += stride;
        h278_br_consume_checked(&l->br, e >> 8);
    }
    return h278_br_finish_ok(&l->br) ? H278_OK : H278_ERR_CORRUPT_STREAM;
}

#endif /* H278_DECODE_COMMON_H */
