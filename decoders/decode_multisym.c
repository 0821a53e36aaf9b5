/*
 * decode_multisym.c - the multi-symbol table: one lookup emits up to three
 * symbols.
 *
 * The idea (zstd's double-symbol decoder, ISA-L's inflate): index a table by
 * the next W bits as usual, but let each entry hold every symbol whose code
 * fits completely in those W bits, one after another, with the total number
 * of bits they use. Frequent symbols have short codes, so on English text at
 * W = 11 a lookup emits two symbols on average, on skewed data more; the
 * number of lookups, which are what the decoder's time goes into, drops by
 * that factor.
 *
 * Entry (32 bits): nbits | sym0 << 6 | sym1 << 14 | sym2 << 22 | nsyms << 30.
 * Each field is one or two instructions away: the 64-bit shift that consumes
 * nbits masks its count to 6 bits by itself; the bit counter subtracts the
 * whole entry (only its low 6 bits matter between refills: libdeflate's
 * trick); entry >> 6 stored as 4 bytes writes the three symbols at once in
 * the segmented layout (the fourth byte, and the symbols past nsyms, are
 * overwritten by the next lookup); entry >> 30 advances the output. The
 * entry 0 (nsyms = 0) marks a code longer than W, resolved by the canonical
 * search (decode_common.h); it only exists when the block has codes longer
 * than W.
 *
 * Worked example (A=0, B=10, C=110, D=1110, E=1111; W=3; bits in the order
 * they are read, so the index is their LSB-first value):
 *     0 0 0 -> A A A, 3 bits        0 1 0 -> A B, 3 bits
 *     0 0 1 -> A A, 2 bits          1 0 0 -> B A, 3 bits
 *     0 1 1 -> A, 1 bit             1 0 1 -> B, 2 bits
 *     1 1 0 -> C, 3 bits            1 1 1 -> long (D or E): search
 * A single-symbol table needs three lookups for "A A A".
 *
 * Build: the single-symbol table (decode_common.h), then the multi table row
 * by row: all entries whose first code is a given symbol s of length l are
 * i = reversed(code of s) + k << l for the 2^(W-l) values k of the bits that
 * follow, and what follows s in entry i depends only on k and l. So the
 * first symbol of each length computes its row from the single table (two
 * lookups per entry), and every other symbol of that length copies that row
 * with its own symbol added. About 2^W small steps in all: ~3 microseconds at W = 11,
 * a few percent of a 128 KiB block's decode, but more than the whole decode
 * of a block below about 4 KiB (docs/DECODERS.md has the numbers).
 * Memory: 2^W * 6 bytes + ~450 bytes: 12.5 KiB at W = 11, 24.5 KiB at 12.
 *
 * Default width: 11 bits while every code fits in 11, else 12 (kennedy.xls
 * at L = 15 has 4% of its symbols at 12 bits, and searching for them would
 * cost more than half the speed). A table_bits parameter overrides it
 * (6..14). Codes longer than W take a rare branch that refills the lane and
 * searches (decode_common.h), so W, not the longest code, sets how many
 * lookups fit between refills.
 *
 * Streams are decoded four at a time in one loop (decode_common.h), a K = 1
 * block in a one-lane version of the same loop.
 */
#include <string.h>

#include "decode_common.h"

#define MS_MIN_BITS 6u
#define MS_MAX_BITS 14u
#define MS_SHORT_BITS 11u /* default width while every code fits */
#define MS_LONG_BITS 12u  /* default width otherwise */

typedef struct ms_tables {
    h278_long_codes lc; /* the sorted code; the second tier when has_long */
    uint32_t w;         /* table width chosen by the build */
    uint32_t has_long;  /* some code is longer than w */
    uint32_t multi[];   /* 2^w entries, then the 2^w-entry single table */
} ms_tables;

static const uint16_t *ms_single(const ms_tables *t)
{
    return (const uint16_t *)(t->multi + ((size_t)1 << t->w));
}

/* The width for a block whose longest code is code_max_len, or 0 if the
 * parameter is out of range. */
static unsigned ms_width(unsigned code_max_len, const h278_params *p)
{
    if (p->table_bits)
        return p->table_bits >= MS_MIN_BITS && p->table_bits <= MS_MAX_BITS ? p->table_bits : 0;
    return code_max_len <= MS_SHORT_BITS ? MS_SHORT_BITS : MS_LONG_BITS;
}

static size_t ms_table_bytes(unsigned code_max_len, const h278_params *p)
{
    unsigned w = ms_width(code_max_len, p);
    if (!w)
        w = MS_MIN_BITS; /* the build rejects the parameter */
    return sizeof(ms_tables) + ((size_t)1 << w) * (sizeof(uint32_t) + sizeof(uint16_t));
}

static h278_error ms_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned w = ms_width(b->code_max_len, p);
    if (unlikely(!w))
        return H278_ERR_BAD_PARAM;
    ms_tables *t = mem;
    const h278_long_codes *lc = &t->lc;
    t->w = w;
    t->has_long = b->code_max_len > w;
    h278_long_codes_build(&t->lc, b);
    uint16_t *single = (uint16_t *)ms_single(t);
    uint32_t *multi = t->multi;
    h278_single_table_build(lc, w, single, H278_SYM_LOW);
    if (t->has_long)
        memset(multi, 0, sizeof(uint32_t) << w); /* entries that start a long code */

    for (unsigned l = 1; l <= w; l++) {
        if (!lc->count[l])
            continue;
        uint32_t rest = w - l, size = 1u << rest;
        /* The first symbol of length l: its row from the single table. What
         * follows it in the rest bits k: a second code if one fits (l2 bits),
         * and a third if that fits too. Branch-free: a failed fit masks its
         * length and count to zero. */
        uint32_t sym = lc->sorted[lc->base[l]];
        uint32_t r = h278_rev_bits(lc->first[l], l);
        uint32_t head = l | sym << 6 | 1u << 30;
        for (uint32_t k = 0; k < size; k++) {
            uint32_t e2 = single[k], l2 = e2 >> 8;
            uint32_t ok2 = (l2 - 1u) < rest; /* l2 == 0 is a long code */
            uint32_t e3 = single[k >> l2], l3 = e3 >> 8;
            uint32_t ok3 = ok2 & ((l3 - 1u) < rest - l2);
            uint32_t tail = (l2 + (l3 & (0u - ok3))) | (e2 & 0xFFu) << 14 | (e3 & 0xFFu) << 22 |
                            (1u + ok3) << 30;
            multi[r | k << l] = head + (tail & (0u - ok2));
        }
        /* The other symbols of length l: the same row, their own symbol. */
        uint32_t first_row = r;
        for (uint32_t j = 1; j < lc->count[l]; j++) {
            uint32_t diff = (uint32_t)(lc->sorted[lc->base[l] + j] - sym) << 6;
            r = h278_rev_bits(lc->first[l] + j, l);
            for (uint32_t k = 0; k < size; k++)
                multi[r | k << l] = multi[first_row | k << l] + diff;
        }
    }
    return H278_OK;
}

/* A code longer than the table (w bits): the canonical search, as an
 * entry. */
static inline uint32_t ms_long(const h278_long_codes *lc, uint64_t bits, unsigned w)
{
    uint32_t x = h278_long_decode(lc, (uint32_t)(bits & ((UINT64_C(1) << lc->max_len) - 1)), w);
    return (x >> 8) | (x & 0xFFu) << 6 | 1u << 30;
}

/* One lookup for lane i. has_long and seg are constants in each
 * specialisation of ms_fast. */
#define MS_STEP(i)                                                          \
    do {                                                                    \
        uint32_t e_ = tab[bits##i & mask];                                  \
        if (has_long && unlikely(e_ == 0)) {                                \
            H278_LANE_REFILL(i);                                            \
            e_ = ms_long(&t->lc, bits##i, w);                               \
        }                                                                   \
        bits##i >>= e_ & 63;                                                \
        count##i -= e_;                                                     \
        if (seg) {                                                          \
            uint32_t s_ = e_ >> 6;                                          \
            memcpy(out##i, &s_, 4);                                         \
            out##i += e_ >> 30;                                             \
        } else {                                                            \
            out##i[0] = (uint8_t)(e_ >> 6);                                 \
            out##i[stride] = (uint8_t)(e_ >> 14);                           \
            out##i[2 * stride] = (uint8_t)(e_ >> 22);                       \
            out##i += (e_ >> 30) * stride;                                  \
        }                                                                   \
    } while (0)

/*
 * The hot loop over N (1 or 4) lanes: D lookups per lane per refill, with
 * D * w <= 56. A code longer than w (has_long) refills its lane first and
 * then takes up to max_len bits; D leaves room for that
 * (h278_lookups_with_long), and the safe count is then in bits (an
 * iteration consumes at most D * max_len). An iteration emits at most 3 * D
 * symbols per lane and writes one slot past them (the 4-byte store), hence
 * the 3 * D + 1. Each lookup emits at least one symbol, so lane 0's output
 * pointer bounds the iterations (zstd's trick: no counter).
 */
static H278_ALWAYS_INLINE void ms_fast(h278_lane *lanes, const ms_tables *t, const unsigned N,
                                       const unsigned w, const uint32_t stride, const unsigned D,
                                       const int has_long, const int seg)
{
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    const uint32_t *tab = t->multi;
    const uint32_t max_bits = has_long ? D * t->lc.max_len : 0;
    size_t n;
    while ((n = h278_group_safe_iters(lanes, N, stride, 3 * D + 1, max_bits)) > 0) {
        H278_LANE_VARS(0, lanes, N);
        H278_LANE_VARS(1, lanes, N);
        H278_LANE_VARS(2, lanes, N);
        H278_LANE_VARS(3, lanes, N);
        const uint8_t *olimit = out0 + n * D * stride;
        do {
            H278_LANE_REFILL(0);
            if (N > 1) {
                H278_LANE_REFILL(1);
                H278_LANE_REFILL(2);
                H278_LANE_REFILL(3);
            }
#define MS_ROUND(j)              \
    if ((j) < D) {               \
        MS_STEP(0);              \
        if (N > 1) {             \
            MS_STEP(1);          \
            MS_STEP(2);          \
            MS_STEP(3);          \
        }                        \
    }
            MS_ROUND(0) MS_ROUND(1) MS_ROUND(2) MS_ROUND(3) MS_ROUND(4)
#undef MS_ROUND
        } while (out0 < olimit);
        H278_LANE_SAVE(0, lanes);
        if (N > 1) {
            H278_LANE_SAVE(1, lanes);
            H278_LANE_SAVE(2, lanes);
            H278_LANE_SAVE(3, lanes);
        }
    }
}

/* Picks the specialisation of ms_fast for a group of N lanes: the default
 * widths as constants (their masks become immediates), else the width at run
 * time (D is at least 3 for any width of 6..14 and codes of up to 20 bits);
 * the layout (segmented, K = 4 interleaved, other strides); long codes or
 * not. */
#define MS_LAYOUTS(N, w, D, has_long)                                          \
    do {                                                                       \
        if (stride == 1)                                                       \
            ms_fast(lanes, t, N, w, 1, D, has_long, 1);                        \
        else if (stride == 4)                                                  \
            ms_fast(lanes, t, N, w, 4, D, has_long, 0);                        \
        else                                                                   \
            ms_fast(lanes, t, N, w, stride, D, has_long, 0);                   \
    } while (0)

#define MS_WIDTHS(N)                                                           \
    do {                                                                       \
        if (!t->has_long && t->w == 11)                                        \
            MS_LAYOUTS(N, 11, 5, 0);                                           \
        else if (!t->has_long && t->w == 12)                                   \
            MS_LAYOUTS(N, 12, 4, 0);                                           \
        else if (t->has_long && t->w == 12 && D == 4)                          \
            MS_LAYOUTS(N, 12, 4, 1);                                           \
        else if (D >= 5)                                                       \
            MS_LAYOUTS(N, t->w, 5, t->has_long);                               \
        else if (D == 4)                                                       \
            MS_LAYOUTS(N, t->w, 4, t->has_long);                               \
        else                                                                   \
            MS_LAYOUTS(N, t->w, 3, t->has_long);                               \
    } while (0)

static void ms_group4(h278_lane *lanes, const ms_tables *t, uint32_t stride, unsigned D)
{
    MS_WIDTHS(4);
}

static void ms_group1(h278_lane *lanes, const ms_tables *t, uint32_t stride, unsigned D)
{
    MS_WIDTHS(1);
}

static h278_error ms_decode(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    (void)p;
    const ms_tables *t = mem;
    unsigned D = t->has_long ? h278_lookups_with_long(t->w, b->code_max_len)
                             : h278_lookups_per_refill(t->w);
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    if (b->streams == 1)
        ms_group1(lanes, t, stride, D);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        ms_group4(lanes + g, t, stride, D);
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish(&lanes[s], ms_single(t), t->w,
                                          t->has_long ? &t->lc : NULL, stride);
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
