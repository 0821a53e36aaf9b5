/*
 * decode_pivot.c - the pivot layout, decoded bottom-up in portable C: the
 * reference of the idea (docs/DECODERS.md, "The pivot decoders").
 *
 * A classic decoder finds one symbol at a time: it cannot know where the
 * next code starts before it has decoded this one. The pivot layout stores
 * the same code lengths as one bitmap per tree node instead (pivot.h), so
 * a whole node's worth of symbols is decoded at once, and no step waits
 * for the one before it:
 *
 * - a FLAT node (2^D leaves, all D levels down) has its symbols' D-bit
 *   codes packed one after another: its buffer is a table lookup per code;
 * - a MIXED node has one bit per symbol passing through it, in block
 *   order: its buffer is its two children's buffers merged under the
 *   bitmap, symbol i taken from child bit(i), each child's symbols in order.
 *
 * The plan (h278_pivot_plan_build) orders the nodes children first and says
 * where each one's buffer is; this file runs it. Worked example, lengths
 * a=1 and b, c, d, e = 3 (pivot.c's): the root is MIXED with the leaf a as
 * 0-child and a FLAT node of depth 2 as 1-child. For "abacade" the root's
 * bitmap is 0101011 (a symbol goes right unless it is a), the flat node's
 * codes are b=0, c=1, d=2, e=3 packed as 00 10 01 11 (LSB first). Step 1
 * (FLAT) writes "bcde" at the end of the output: "___bcde". Step 2 (MIXED)
 * walks the bitmap: 0 -> a, 1 -> b (read from the end, where it was
 * written), 0 -> a, 1 -> c, ... and writes "abacade" over it from the front.
 *
 * Every read is bounded by the counts the plan was made from, not by the
 * bitmap, so a bitmap changed after the block was parsed decodes garbage
 * (caught by the checksum) but stays inside the buffers (pivot.h).
 */
#include "pivot.h"

/* FLAT: n codes of D bits, packed LSB first, each replaced by its symbol.
 * (Fields are copied to locals: the stores to out could alias *s.) */
static void decode_flat(const h278_pivot_step *s)
{
    const unsigned d = s->flat_bits, mask = (1u << d) - 1;
    const uint32_t n = s->symbols;
    const uint64_t bytes = ((uint64_t)n * d + 7) / 8;
    const uint8_t *bits = s->bits, *symbols = s->flat_symbols;
    uint8_t *out = s->out;
    for (uint32_t i = 0; i < n; i++) {
        const uint64_t bit = (uint64_t)i * d;
        unsigned v = bits[bit >> 3];
        if ((bit >> 3) + 1 < bytes) /* a code spans at most two bytes */
            v |= (unsigned)bits[(bit >> 3) + 1] << 8;
        out[i] = symbols[(v >> (bit & 7)) & mask];
    }
}

/* MIXED: out[i] = the next symbol of the child that bit i names. The tail
 * child's symbols lie at the end of out itself (the plan's rule), the other
 * child's in scratch, or it is a leaf (one symbol). Reads are clamped to
 * the counts: past them (a lying bitmap) the last symbol is read again. */
static void decode_mixed(const h278_pivot_step *s)
{
    const uint32_t n = s->symbols, tail_n = s->tail_symbols, other_n = n - tail_n;
    const unsigned tail_bit = s->tail_bit;
    const uint8_t *bits = s->bits, *other = s->other;
    uint8_t *out = s->out;
    const uint8_t *tail = out + (n - tail_n);
    const uint8_t leaf = s->other_symbol;
    const uint32_t tail_last = tail_n ? tail_n - 1 : 0, other_last = other_n ? other_n - 1 : 0;
    uint32_t t = 0, o = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* take: all ones when symbol i comes from the tail child, else 0.
         * Arithmetic instead of a branch: the bits are as good as random. */
        const unsigned take = 0u - ((((unsigned)bits[i >> 3] >> (i & 7)) & 1u) == tail_bit);
        /* Read both candidates before writing: out[i] may be tail[t]. A
         * child with no symbols is never taken (unless the bitmap lies). */
        const unsigned from_tail = tail_n ? tail[t < tail_n ? t : tail_last] : 0;
        const unsigned from_other = !other ? leaf : other_n ? other[o < other_n ? o : other_last] : 0;
        out[i] = (uint8_t)(from_other ^ ((from_other ^ from_tail) & take));
        t += take & 1u;
        o += ~take & 1u;
    }
}

static h278_error pivot_decode(const h278_block *b, const h278_params *p, const void *tables, uint8_t *dst)
{
    (void)p;
    return h278_pivot_decode_with(b, tables, dst, decode_flat, decode_mixed);
}

const h278_variant h278_variant_pivot = {
    .name = "pivot",
    .summary = "pivot layout, bottom-up bitmap merges in portable C (reads pivot blocks only)",
    .cpu_needs = 0,
    .table_bytes = h278_pivot_table_bytes,
    .scratch_bytes = h278_pivot_block_scratch_bytes,
    .build = h278_pivot_build,
    .decode = pivot_decode,
    .layouts = H278_LAYOUTS_PIVOT,
};
