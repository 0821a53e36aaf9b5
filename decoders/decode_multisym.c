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
 * block in a one-lane version of the same loop. The table layout and the
 * loop are in decode_multisym_loop.h, a template that x86/ compiles a
 * second time with BMI2 for the SIMD variants; this file is the build.
 */
#include "decode_multisym_loop.h"

#define MS_MIN_BITS 6u
#define MS_MAX_BITS 14u
#define MS_SHORT_BITS 11u /* default width while every code fits */
#define MS_LONG_BITS 12u  /* default width otherwise */

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

/* The decode loop (decode_multisym_loop.h: MS_STEP, ms_fast, ms_decode),
 * compiled here for any CPU. */
#define MS_DECODE ms_decode
#define MS_TARGET
#include "decode_multisym_loop.h"

const h278_variant h278_variant_multisym = {
    .name = "multisym",
    .summary = "multi-symbol table: one lookup emits up to three symbols (table_bits wide)",
    .cpu_needs = 0,
    .table_bytes = ms_table_bytes,
    .build = ms_build,
    .decode = ms_decode,
};
