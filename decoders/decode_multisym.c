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
 * Build: the single-symbol table (canonical_code.h), then the multi table
 * row by row: all entries whose first code is a given symbol s of length l
 * are i = reversed(code of s) + k << l for the 2^(W-l) values k of the bits
 * that follow, and what follows s in entry i depends only on k and l. So
 * the first symbol of each length computes its row from the single table
 * (two lookups per entry), and every other symbol of that length copies
 * that row with its own symbol added: about 2^W small steps in all, cheap
 * beside a 128 KiB block's decode but more than the whole decode of a
 * block of a few KiB (docs/DECODERS.md, "Table-build cost").
 * Memory: 2^W * 6 bytes + the sorted code (about half a kilobyte): 12.5 KiB
 * at W = 11, 24.5 KiB at 12.
 *
 * Default width (docs/DECODERS.md has the table_bits sweep behind it): 11
 * bits while every code fits in 11, else 12, where the long codes of data
 * like kennedy.xls at L = 15 stop dominating. A table_bits parameter
 * overrides it (6..14). Codes longer than W take a rare branch that
 * refills the lane and searches, so W, not the longest code, sets how many
 * lookups fit between refills.
 *
 * Streams are decoded four at a time in one loop (lanes.h), a K = 1 block
 * in a one-lane version of the same loop. The same loop is compiled twice:
 * for any CPU (`multisym`), and on x86-64 for CPUs with BMI2
 * (`multisym-bmi2`), whose shrx shifts by a count in any register in one
 * micro-op (the base instruction set's shr takes its count in cl and costs
 * more on the chain from one lookup to the next). The tables are the same.
 */
#include "lanes.h"

/* The entry's fields. nbits needs 6 bits for codes of up to W bits in all;
 * three symbol bytes and a 2-bit count fill the rest of 32. */
#define MS_NBITS_BITS 6u
#define MS_SYM0_SHIFT 6u
#define MS_NSYMS_SHIFT 30u
_Static_assert(H278_TIER_MAX_BITS < (1u << MS_NBITS_BITS), "an entry's nbits field holds any width");
_Static_assert(MS_SYM0_SHIFT + 3 * 8 == MS_NSYMS_SHIFT && MS_NSYMS_SHIFT + 2 == 32,
               "three symbol bytes, then a 2-bit count, fill 32 bits");
_Static_assert((H278_REFILL_BITS - H278_MAX_CODE_LEN) / 12 + 1 >= 4 && H278_REFILL_BITS / 12 == 4,
               "at W = 12 four lookups fit a refill, long codes or not");

typedef struct ms_tables {
    h278_table_desc desc;  /* width = W */
    h278_sorted_code code; /* the second tier, when some code is longer than W */
    uint32_t multi[];      /* 2^W entries, then the 2^W-entry single table */
} ms_tables;

static const uint16_t *ms_single(const ms_tables *t)
{
    return (const uint16_t *)(t->multi + ((size_t)1 << t->desc.width));
}

/* W: lanes.h's h278_tier_width with the table_bits parameter. */
static size_t ms_table_bytes(unsigned code_max_len, const h278_params *p)
{
    return sizeof(ms_tables) +
           ((size_t)1 << h278_tier_width_for_size(code_max_len, p->table_bits)) * (sizeof(uint32_t) + sizeof(uint16_t));
}

static h278_error ms_build(const h278_block *b, const h278_params *p, void *mem)
{
    unsigned w = h278_tier_width(b->code_max_len, p->table_bits);
    if (h278_unlikely(!w))
        return H278_ERR_BAD_PARAM;
    ms_tables *t = mem;
    const h278_sorted_code *c = &t->code;
    t->desc = h278_table_desc_of(b, w);
    h278_sorted_code_build(&t->code, b);
    uint16_t *single = (uint16_t *)ms_single(t);
    uint32_t *multi = t->multi;
    h278_single_table_build(c, w, single);
    if (b->code_max_len > w)
        memset(multi, 0, sizeof(uint32_t) << w); /* entries that start a long code */

    for (unsigned l = 1; l <= w; l++) {
        if (!c->count[l])
            continue;
        uint32_t rest = w - l, size = 1u << rest;
        /* The first symbol of length l: its row from the single table. What
         * follows it in the rest bits k: a second code if one fits (l2 bits),
         * and a third if that fits too. Branch-free: a failed fit masks its
         * length and count to zero. */
        uint32_t sym = c->sorted[c->base[l]];
        uint32_t r = h278_reverse_bits(c->first[l], l);
        uint32_t head = l | sym << MS_SYM0_SHIFT | 1u << MS_NSYMS_SHIFT;
        for (uint32_t k = 0; k < size; k++) {
            uint32_t e2 = single[k], l2 = h278_entry_len(e2);
            uint32_t ok2 = (l2 - 1u) < rest; /* l2 == 0 is a long code */
            uint32_t e3 = single[k >> l2], l3 = h278_entry_len(e3);
            uint32_t ok3 = ok2 & ((l3 - 1u) < rest - l2);
            uint32_t tail = (l2 + (l3 & (0u - ok3))) | h278_entry_sym(e2) << (MS_SYM0_SHIFT + 8) |
                            h278_entry_sym(e3) << (MS_SYM0_SHIFT + 16) | (1u + ok3) << MS_NSYMS_SHIFT;
            multi[r | k << l] = head + (tail & (0u - ok2));
        }
        /* The other symbols of length l: the same row, their own symbol. */
        uint32_t first_row = r;
        for (uint32_t j = 1; j < c->count[l]; j++) {
            uint32_t diff = (uint32_t)(c->sorted[c->base[l] + j] - sym) << MS_SYM0_SHIFT;
            r = h278_reverse_bits(c->first[l] + j, l);
            for (uint32_t k = 0; k < size; k++)
                multi[r | k << l] = multi[first_row | k << l] + diff;
        }
    }
    return H278_OK;
}

/* ---- The decode loop ------------------------------------------------------ */

/* One lookup's entry: from the table, or for a code longer than the table
 * (only when k.code is not NULL) from the search, after a refill. */
static H278_ALWAYS_INLINE uint32_t ms_entry(h278_lane_regs *l, const h278_lookup k)
{
    const uint32_t *multi = k.table;
    uint32_t e = multi[l->bits & k.mask];
    if (k.code && h278_unlikely(e == 0)) {
        h278_regs_refill(l);
        uint32_t x = h278_sorted_code_search(k.code, l->bits, k.width);
        e = h278_entry_len(x) | h278_entry_sym(x) << MS_SYM0_SHIFT | 1u << MS_NSYMS_SHIFT;
    }
    l->bits >>= e & 63;
    l->count -= e;
    return e;
}

/* Segmented layout: the entry's three symbol bytes in one 4-byte store (the
 * fourth byte, and the symbols past nsyms, are overwritten by the next
 * lookup), then advance by nsyms. */
static H278_ALWAYS_INLINE void ms_step_segmented(h278_lane_regs *l, const h278_lookup k)
{
    uint32_t e = ms_entry(l, k);
    uint32_t syms = e >> MS_SYM0_SHIFT;
    memcpy(l->out, &syms, 4);
    l->out += e >> MS_NSYMS_SHIFT;
}

/* Interleaved layout: a lane's symbols are stride bytes apart. */
static H278_ALWAYS_INLINE void ms_step_interleaved(h278_lane_regs *l, const h278_lookup k)
{
    uint32_t e = ms_entry(l, k);
    l->out[0] = (uint8_t)(e >> MS_SYM0_SHIFT);
    l->out[k.stride] = (uint8_t)(e >> (MS_SYM0_SHIFT + 8));
    l->out[2 * k.stride] = (uint8_t)(e >> (MS_SYM0_SHIFT + 16));
    l->out += (e >> MS_NSYMS_SHIFT) * k.stride;
}

/* The fast loops for n lanes at width w and d lookups per refill, code
 * NULL when no code is longer than w: a lookup emits up to 3 symbols and
 * the segmented store touches one slot more. The layout picks the step and
 * the stride: 1 (segmented), 4 (K = 4 interleaved) or K, as constants. */
static H278_ALWAYS_INLINE void ms_lanes(h278_lane *lanes, const ms_tables *t, uint32_t stride, const unsigned n,
                                        const h278_sorted_code *code, unsigned w, unsigned d)
{
    const h278_loop_shape shape = {
        .lanes = n, .slots_per_lookup = 3, .overhang = 1, .long_len = code ? code->max_len : 0};
    if (stride == 1)
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->multi, code, w, 1), ms_step_segmented);
    else if (stride == 4)
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->multi, code, w, 4), ms_step_interleaved);
    else
        h278_lanes_run(lanes, shape, d, h278_lookup_of(t->multi, code, w, stride), ms_step_interleaved);
}

/* The default widths as constants (their masks become immediates, and D is
 * 5 at W = 11 and 4 at W = 12 with or without long codes), any other width
 * at run time. */
static H278_ALWAYS_INLINE void ms_group_lanes(h278_lane *lanes, const ms_tables *t, uint32_t stride,
                                              const unsigned n)
{
    unsigned w = t->desc.width;
    const h278_sorted_code *code = h278_table_desc_long_codes(&t->desc) ? &t->code : NULL;
    if (!code && w == 11)
        ms_lanes(lanes, t, stride, n, NULL, 11, 5);
    else if (!code && w == 12)
        ms_lanes(lanes, t, stride, n, NULL, 12, 4);
    else if (code && w == 12)
        ms_lanes(lanes, t, stride, n, code, 12, 4);
    else
        ms_lanes(lanes, t, stride, n, code, w,
                 code ? h278_lookups_with_long(w, code->max_len) : h278_lookups_per_refill(w));
}

static H278_NOINLINE void ms_group4(h278_lane *lanes, const void *tables, uint32_t stride)
{
    ms_group_lanes(lanes, tables, stride, 4);
}

static H278_NOINLINE void ms_group1(h278_lane *lanes, const void *tables, uint32_t stride)
{
    ms_group_lanes(lanes, tables, stride, 1);
}

static H278_ALWAYS_INLINE h278_error ms_decode_with(const h278_block *b, const ms_tables *t, uint8_t *dst,
                                                    h278_group_fn *group4, h278_group_fn *group1)
{
    if (!h278_table_desc_fits(&t->desc, b))
        return H278_ERR_TABLE_MISMATCH;
    const h278_sorted_code *code = h278_table_desc_long_codes(&t->desc) ? &t->code : NULL;
    return h278_lanes_decode(b, dst, t, group4, group1, ms_single(t), t->desc.width, code);
}

static h278_error ms_decode(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    (void)p;
    return ms_decode_with(b, mem, dst, ms_group4, ms_group1);
}

const h278_variant h278_variant_multisym = {
    .name = "multisym",
    .summary = "multi-symbol table: one lookup emits up to three symbols (table_bits wide)",
    .cpu_needs = 0,
    .table_bytes = ms_table_bytes,
    .build = ms_build,
    .decode = ms_decode,
};

#if defined(H278_HAVE_X86)
/* The same loop for CPUs with BMI2: the always-inline functions above are
 * compiled again inside these three, with BMI2's instructions allowed. */
__attribute__((target("bmi2"))) static H278_NOINLINE void ms_group4_bmi2(h278_lane *lanes, const void *tables,
                                                                         uint32_t stride)
{
    ms_group_lanes(lanes, tables, stride, 4);
}

__attribute__((target("bmi2"))) static H278_NOINLINE void ms_group1_bmi2(h278_lane *lanes, const void *tables,
                                                                         uint32_t stride)
{
    ms_group_lanes(lanes, tables, stride, 1);
}

__attribute__((target("bmi2"))) static h278_error ms_decode_bmi2(const h278_block *b, const h278_params *p,
                                                                 const void *mem, uint8_t *dst)
{
    (void)p;
    return ms_decode_with(b, mem, dst, ms_group4_bmi2, ms_group1_bmi2);
}

const h278_variant h278_variant_multisym_bmi2 = {
    .name = "multisym-bmi2",
    .summary = "multisym compiled for BMI2 (shrx: a variable shift in one micro-op)",
    .cpu_needs = H278_CPU_BMI2,
    .table_bytes = ms_table_bytes,
    .build = ms_build,
    .decode = ms_decode_bmi2,
};
#endif
