/*
 * decode_common.h - what the scalar table decoders share: one "lane" per bit
 * stream and where its symbols go, how many unchecked iterations are safe,
 * the canonical code in sorted form (with the search that resolves codes
 * longer than a table is wide), the single-symbol table, and the checked
 * loop that finishes every stream.
 *
 * Every table decoder runs the same plan (zstd's 4-stream loop, generalised
 * to any K and both layouts):
 *   1. Before the hot loop, work out how many iterations are safe for every
 *      lane of a group of four: an iteration refills each lane once (an
 *      8-byte load, so at least 8 bytes must remain; it advances at most 7)
 *      and emits at most a known number of symbols (so that many must
 *      remain). Where a rare long code refills once more, the bound is
 *      counted in bits instead (h278_lane_safe_iters_bits).
 *   2. Run that many iterations with no bounds checks, the four independent
 *      streams interleaved so that their lookups overlap in the CPU.
 *   3. Repeat while anything is safe, then finish each lane in a checked
 *      loop that accounts for every bit and requires the stream to end
 *      exactly in its last byte with zero padding (docs/FORMAT.md).
 * Hostile stream contents can make the fast loop decode garbage, but never
 * read outside a stream or write outside the block: the bounds of step 1
 * hold whatever the bits say, and step 3 then rejects the stream.
 *
 * The hot loops keep lane state in local variables (H278_LANE_* macros
 * below) rather than in the h278_lane array, so that the compiler can hold
 * all four lanes in registers.
 */
#ifndef H278_DECODE_COMMON_H
#define H278_DECODE_COMMON_H

#include <string.h>

#include "bitreader.h"
#include "variant.h"

#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)
#define H278_ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- Lanes ---------------------------------------------------------------- */

typedef struct h278_lane {
    h278_bitreader br;
    uint8_t *out;     /* where the lane's next symbol goes */
    uint8_t *out_end; /* one stride past its last symbol */
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

/* Fast iterations this lane allows: each refills once (8 readable bytes
 * needed, at most 7 consumed) and emits at most max_syms symbols (or writes
 * at most max_syms output slots). */
static inline size_t h278_lane_safe_iters(const h278_lane *l, uint32_t stride, uint32_t max_syms)
{
    ptrdiff_t bytes = l->br.end - l->br.p;
    size_t by_bytes = bytes < 8 ? 0 : (size_t)(bytes - 8) / 7 + 1;
    size_t by_syms = h278_lane_left(l, stride) / max_syms;
    return by_bytes < by_syms ? by_bytes : by_syms;
}

/*
 * Fast iterations this lane allows when a lookup may also refill (the
 * long-code branch of the two-tier decoders), counted in bits instead: with
 * P the stream bits consumed, a refill reads the 8 bytes at
 * begin + (P + count) / 8, count <= 63, so every refill stays inside the
 * stream while P <= 8 * size - 127, however many refills there are. An
 * iteration consumes at most max_bits bits.
 */
static inline size_t h278_lane_safe_iters_bits(const h278_lane *l, uint32_t stride,
                                               uint32_t max_syms, uint32_t max_bits)
{
    ptrdiff_t room = 8 * (l->br.end - l->br.p) + (ptrdiff_t)l->br.count - 127;
    size_t by_bits = room <= 0 ? 0 : (size_t)room / max_bits;
    size_t by_syms = h278_lane_left(l, stride) / max_syms;
    return by_bits < by_syms ? by_bits : by_syms;
}

/* Safe iterations for the group of n lanes at lanes[0 .. n); max_bits = 0
 * for loops that refill once per iteration, else the bits an iteration may
 * consume (h278_lane_safe_iters_bits). */
static inline size_t h278_group_safe_iters(const h278_lane *lanes, unsigned n, uint32_t stride,
                                           uint32_t max_syms, uint32_t max_bits)
{
    size_t iters = SIZE_MAX;
    for (unsigned i = 0; i < n; i++) {
        size_t k = max_bits ? h278_lane_safe_iters_bits(&lanes[i], stride, max_syms, max_bits)
                            : h278_lane_safe_iters(&lanes[i], stride, max_syms);
        iters = k < iters ? k : iters;
    }
    return iters;
}

/*
 * Lane state in registers for the hot loops: bits, count, input pointer,
 * output pointer of lane i (i a literal 0..3). H278_LANE_REFILL is
 * h278_br_refill_fast() on the copies; the count may carry garbage above its
 * low 6 bits between refills (decoders subtract whole table entries whose
 * low 6 bits are the length: libdeflate's trick), so the refill and the
 * store back mask it first. A lane index past `n` lanes reads nothing.
 */
#define H278_LANE_VARS(i, lanes, n)                                             \
    uint64_t bits##i = (i) < (n) ? (lanes)[i].br.buf : 0;                       \
    uint32_t count##i = (i) < (n) ? (lanes)[i].br.count : 0;                    \
    const uint8_t *in##i = (i) < (n) ? (lanes)[i].br.p : NULL;                  \
    uint8_t *out##i = (i) < (n) ? (lanes)[i].out : NULL

#define H278_LANE_REFILL(i)                                                     \
    do {                                                                        \
        count##i &= 63;                                                         \
        bits##i |= h278_load64(in##i) << count##i;                              \
        in##i += (63 - count##i) >> 3;                                          \
        count##i |= 56;                                                         \
    } while (0)

#define H278_LANE_SAVE(i, lanes)                                                \
    do {                                                                        \
        (lanes)[i].br.buf = bits##i;                                            \
        (lanes)[i].br.count = count##i & 63;                                    \
        (lanes)[i].br.p = in##i;                                                \
        (lanes)[i].out = out##i;                                                \
    } while (0)

/*
 * The fast loop of the scalar table decoders (table, hybrid, multisym).
 * While every lane of the group (N = 1 or 4 lanes) can take more rounds
 * without a bounds check (h278_group_safe_iters with max_syms and
 * max_bits), it holds the lanes in locals and, per round, refills each
 * lane once and runs STEP(i) on lane i up to D (<= 5) times; then it
 * stores the lanes back. STEP(i) is the decoder's own lookup on lane i's
 * locals (bits##i, count##i, in##i, out##i). Lane 0 writes at least D
 * symbols per round, so its output bounds the rounds.
 */
#define H278_LANE_ROUND_(STEP, N, D, j)                                         \
    if ((j) < (D)) {                                                            \
        STEP(0);                                                                \
        if ((N) > 1) {                                                          \
            STEP(1);                                                            \
            STEP(2);                                                            \
            STEP(3);                                                            \
        }                                                                       \
    }

#define H278_LANE_FAST_LOOP(lanes, N, stride, D, max_syms, max_bits, STEP)      \
    do {                                                                        \
        size_t rounds_;                                                         \
        while ((rounds_ = h278_group_safe_iters(lanes, N, stride, max_syms, max_bits)) > 0) { \
            H278_LANE_VARS(0, lanes, N);                                        \
            H278_LANE_VARS(1, lanes, N);                                        \
            H278_LANE_VARS(2, lanes, N);                                        \
            H278_LANE_VARS(3, lanes, N);                                        \
            const uint8_t *olimit_ = out0 + rounds_ * (D) * (stride);           \
            do {                                                                \
                H278_LANE_REFILL(0);                                            \
                if ((N) > 1) {                                                  \
                    H278_LANE_REFILL(1);                                        \
                    H278_LANE_REFILL(2);                                        \
                    H278_LANE_REFILL(3);                                        \
                }                                                               \
                H278_LANE_ROUND_(STEP, N, D, 0)                                 \
                H278_LANE_ROUND_(STEP, N, D, 1)                                 \
                H278_LANE_ROUND_(STEP, N, D, 2)                                 \
                H278_LANE_ROUND_(STEP, N, D, 3)                                 \
                H278_LANE_ROUND_(STEP, N, D, 4)                                 \
            } while (out0 < olimit_);                                           \
            H278_LANE_SAVE(0, lanes);                                           \
            if ((N) > 1) {                                                      \
                H278_LANE_SAVE(1, lanes);                                       \
                H278_LANE_SAVE(2, lanes);                                       \
                H278_LANE_SAVE(3, lanes);                                       \
            }                                                                   \
        }                                                                       \
    } while (0)

/* Lookups per refill for codes of up to `bits` bits: a refill guarantees 56
 * bits, so D lookups of at most `bits` bits each need D * bits <= 56. */
static inline unsigned h278_lookups_per_refill(unsigned bits)
{
    return 56 / bits;
}

/* The same for a table of w bits whose longer codes (up to max_len bits) go
 * through a branch that refills before it resolves the code: a lookup needs
 * at most w bits, and after a long code, which may leave as few as
 * 56 - max_len bits, the other D - 1 lookups still need (D - 1) * w. */
static inline unsigned h278_lookups_with_long(unsigned w, unsigned max_len)
{
    unsigned by_width = 56 / w, by_long = (56 - max_len) / w + 1;
    return by_width < by_long ? by_width : by_long;
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

/* ---- The canonical code, sorted ------------------------------------------- */

/*
 * The block's code in canonical order (FORMAT.md): codes of length l are the
 * values [first[l], limit[l]) and belong to the symbols
 * sorted[base[l] ..], in symbol order. Every table build walks this instead
 * of the 256 lengths, and the canonical search below resolves codes longer
 * than a table's width with it: reading a code most significant bit first,
 * the first length l whose prefix value is below limit[l] is the code's
 * length. Long codes are rare (a code of length l stands for a symbol of
 * probability about 2^-l), so that short loop costs little on average and
 * needs no memory beyond these ~400 bytes.
 */
typedef struct h278_long_codes {
    uint32_t limit[H278_MAX_CODE_LEN + 2];
    uint32_t first[H278_MAX_CODE_LEN + 2];
    uint16_t base[H278_MAX_CODE_LEN + 2];  /* index in sorted[] of the first code of length l */
    uint16_t count[H278_MAX_CODE_LEN + 2]; /* codes of length l */
    uint8_t sorted[256];                   /* symbols in canonical order */
    uint8_t max_len;                       /* the longest code */
} h278_long_codes;

/* A counting sort of the present symbols by length: two passes over 256
 * lengths, no matter how many lengths there are. */
static inline void h278_long_codes_build(h278_long_codes *lc, const h278_block *b)
{
    uint16_t next[H278_MAX_CODE_LEN + 2];
    memset(lc->count, 0, sizeof lc->count);
    for (unsigned s = 0; s < 256; s++)
        lc->count[b->lengths[s]]++;
    uint32_t code = 0, index = 0;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN + 1; l++) {
        lc->first[l] = code;
        lc->base[l] = (uint16_t)index;
        lc->limit[l] = code + lc->count[l];
        next[l] = (uint16_t)index;
        index += lc->count[l];
        code = (code + lc->count[l]) << 1;
    }
    for (unsigned s = 0; s < 256; s++)
        if (b->lengths[s])
            lc->sorted[next[b->lengths[s]]++] = (uint8_t)s;
    lc->max_len = b->code_max_len;
}

/* Decodes one code longer than from_len bits from the low max_len bits of
 * bits (LSB-first, as peeked). Returns symbol | length << 8. For a complete
 * code some length always matches. */
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

/* ---- The single-symbol table ---------------------------------------------- */

/*
 * A table of 2^w entries, one per w-bit pattern i (LSB-first): the symbol
 * and the length of the code that i starts with, or 0 when that code is
 * longer than w bits. With w equal to the longest code no entry is 0: that
 * is the "table" decoder's table.
 *
 * Two entry formats: H278_SYM_LOW (symbol | length << 8, what the SIMD
 * decoders gather) and H278_LEN_LOW (length | symbol << 8, what the scalar
 * hot loops want: the loaded entry is the shift count as it is, one
 * instruction less on the chain from one lookup to the next).
 *
 * Built by doubling, as libdeflate does: once t[0 .. 2^l) is right for every
 * code of at most l bits, t[2^l .. 2^(l+1)) is a copy of it (a code of at
 * most l bits does not look at bit l), and each code of length l + 1 then
 * writes its one entry. The cost is one memcpy of 2^w entries in all plus one
 * store per code, instead of a strided loop per symbol.
 */
enum h278_entry_format { H278_SYM_LOW = 0, H278_LEN_LOW = 1 };

static inline uint32_t h278_entry(enum h278_entry_format f, uint32_t sym, uint32_t len)
{
    return f == H278_LEN_LOW ? len | sym << 8 : sym | len << 8;
}

static inline uint32_t h278_entry_sym(enum h278_entry_format f, uint32_t e)
{
    return f == H278_LEN_LOW ? e >> 8 : e & 0xFF;
}

static inline uint32_t h278_entry_len(enum h278_entry_format f, uint32_t e)
{
    return f == H278_LEN_LOW ? e & 0xFF : e >> 8;
}

static inline void h278_single_table_build(const h278_long_codes *lc, unsigned w, uint16_t *t,
                                           enum h278_entry_format f)
{
    t[0] = 0;
    for (unsigned l = 1; l <= w; l++) {
        uint32_t half = 1u << (l - 1);
        memcpy(t + half, t, half * sizeof *t);
        for (uint32_t j = 0; j < lc->count[l]; j++) {
            uint32_t r = h278_rev_bits(lc->first[l] + j, l);
            t[r] = (uint16_t)h278_entry(f, lc->sorted[lc->base[l] + j], l);
        }
    }
}

/* The H278_SYM_LOW table for a block whose sorted code is not at hand. */
static inline void h278_build_short_table(const h278_block *b, unsigned w, uint16_t *t)
{
    h278_long_codes lc;
    h278_long_codes_build(&lc, b);
    h278_single_table_build(&lc, w, t, H278_SYM_LOW);
}

/* A long code through the search, as an entry of format f. */
static inline uint32_t h278_long_entry(const h278_long_codes *lc, uint64_t bits, unsigned from_len,
                                       enum h278_entry_format f)
{
    uint32_t x = h278_long_decode(lc, (uint32_t)(bits & ((UINT64_C(1) << lc->max_len) - 1)), from_len);
    return h278_entry(f, x & 0xFF, x >> 8);
}

/* ---- The checked tail ----------------------------------------------------- */

/* How every scalar variant ends a lane (and decodes what its fast loop left):
 * one symbol at a time through a single-symbol table t of width w and
 * format f (lc resolves longer codes; NULL when none exist). First unchecked
 * rounds while they are provably safe, then a checked loop with every bit
 * accounted for, then the end-of-stream rule. */
static H278_ALWAYS_INLINE h278_error h278_lane_finish_format(h278_lane *l, const uint16_t *t,
                                                             unsigned w, const h278_long_codes *lc,
                                                             uint32_t stride,
                                                             enum h278_entry_format f)
{
    unsigned longest = lc && lc->max_len > w ? lc->max_len : w;
    unsigned per_refill = h278_lookups_per_refill(longest);
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    size_t n;
    while ((n = h278_lane_safe_iters(l, stride, per_refill)) > 0) {
        while (n--) {
            h278_br_refill_fast(&l->br);
            for (unsigned j = 0; j < per_refill; j++) {
                uint32_t e = t[l->br.buf & mask];
                if (e == 0)
                    e = h278_long_entry(lc, l->br.buf, w, f);
                *l->out = (uint8_t)h278_entry_sym(f, e);
                l->out += stride;
                h278_br_consume(&l->br, h278_entry_len(f, e));
            }
        }
    }
    while (l->out != l->out_end) {
        h278_br_refill(&l->br);
        uint32_t e = t[h278_br_peek(&l->br, w)];
        if (e == 0)
            e = h278_long_entry(lc, l->br.buf, w, f);
        *l->out = (uint8_t)h278_entry_sym(f, e);
        l->out += stride;
        h278_br_consume_checked(&l->br, h278_entry_len(f, e));
    }
    return h278_br_finish_ok(&l->br) ? H278_OK : H278_ERR_CORRUPT_STREAM;
}

/* The same for an H278_SYM_LOW table (the SIMD decoders' tails). */
static inline h278_error h278_lane_finish(h278_lane *l, const uint16_t *t, unsigned w,
                                          const h278_long_codes *lc, uint32_t stride)
{
    return h278_lane_finish_format(l, t, w, lc, stride, H278_SYM_LOW);
}

#endif /* H278_DECODE_COMMON_H */
