/*
 * multi_lanes.h - what the multi-symbol lane decoders (decode_avx2_multi.c,
 * decode_avx512_multi.c) share: their table, which blocks they take, and
 * the decode around their passes, with its safety plan.
 *
 * Why multi-symbol lanes. An interleaved lane decoder (decode_avx512.c)
 * emits exactly one symbol per lane per gather, so the K output bytes of a
 * step are adjacent and one plain store writes them; its speed is the rate
 * of gathers. A table entry can hold every symbol whose code fits in the W
 * bits it is indexed by (the idea of decode_multisym.c), but then a lane
 * emits a varying number of bytes per gather, which the interleaved layout
 * cannot place. These lanes therefore decode the segmented layout, where
 * each stream owns a contiguous run of the output: a lane collects its
 * symbols in an accumulator and stores it at its own output pointer (a
 * scatter with AVX-512, one store per lane with AVX2).
 *
 * The table: 2^W entries of 64 bits (what a qword gather loads), W = 12
 * for every block it takes (on text a 12-bit window holds enough more
 * symbols than an 11-bit one to pay for the larger table):
 *     byte 0: bits the entry uses (1 .. W)
 *     byte 1: 8 * the symbols in the entry (8 .. 32)
 *     bytes 2-5: the symbols, first one first; bytes 6-7 and unused
 *     symbol bytes zero
 * An entry holds as many successive codes as fit in W bits, at most four.
 * 32 KiB at W = 12: it fits the 48 KiB L1 of the machines we measure on
 * beside the streams. Built with at most two symbols per entry, every
 * entry fits its low 4 bytes: what a 32-bit lane gathers.
 *
 * Safety, as in every table decoder (lanes.h): no lookup checks anything;
 * what a round may do is bounded before it runs (h278_multi_round_bounds:
 * the bytes it reads at the input pointer and moves it on, the bytes it
 * writes at the output pointer). The rounds safe for every lane are
 * counted before a pass and run unchecked; after them each lane checks,
 * once every H278_MULTI_CHECKED rounds, that so many more are safe for it,
 * and sits them out if not. Streams end at different times (their symbols
 * take different numbers of lookups, and the last segment is shorter), so
 * when half the lanes sit out, the rest are packed into fewer registers
 * for the next pass. Whatever the stream bits say, no lane reads outside
 * its stream or writes outside its segment. Each stream then finishes
 * alone: the same entries one lookup at a time while 4 output bytes are
 * left, and the scalar checked tail (lanes.h), which rejects a bad
 * stream.
 *
 * The segments of a 128 KiB block with K = 32 start 4 KiB apart, so 32
 * output pointers would share one L1 cache set; the encoder spreads them
 * (FORMAT.md, version 2, H278_BLOCK_FLAG_SPREAD). The lanes take segmented
 * blocks with K >= 16 and codes of at most 12 bits, spread or not; the API
 * hands every other block to the variant's fallback.
 */
#ifndef H278_MULTI_LANES_H
#define H278_MULTI_LANES_H

#include "../lanes.h"

#define H278_MULTI_MAX_BITS 12u   /* W, the table's width */
#define H278_MULTI_MAX_SYMBOLS 4u /* per entry */
#define H278_MULTI_CAP2_PERCENT 108u /* cap at 2 symbols when 4 would give fewer than 8% more */
#define H278_MULTI_MIN_STREAMS 16u
#define H278_MULTI_CHECKED 4u /* rounds per check once the sure ones are done */
_Static_assert(2u + H278_MULTI_MAX_SYMBOLS <= 8u, "the symbols fit their 64-bit entry");
_Static_assert(8u * H278_MULTI_MAX_SYMBOLS < 256u, "8 * the symbols fits byte 1");

typedef struct h278_multi_tables {
    h278_table_desc desc; /* width = W */
    uint8_t stores;       /* per round: 2 (up to 4 symbols per entry) or 1 (up to 2) */
    uint8_t pad[64 - sizeof(h278_table_desc) - 1];
    uint64_t multi[1u << H278_MULTI_MAX_BITS];
    uint16_t single[1u << H278_MULTI_MAX_BITS]; /* the tail's table (canonical_code.h) */
} h278_multi_tables;
_Static_assert(offsetof(h278_multi_tables, multi) == 64, "the gather table starts on a cache line");

static inline int h278_multi_takes(const h278_block *b)
{
    return !(b->flags & H278_BLOCK_FLAG_INTERLEAVED) && b->streams >= H278_MULTI_MIN_STREAMS &&
           b->code_max_len <= H278_MULTI_MAX_BITS;
}

static inline size_t h278_multi_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len, (void)p;
    return sizeof(h278_multi_tables);
}

/* Builds t for block b with at most max_symbols (2 or 4) per entry; with
 * 4, caps the entries at two where more would seldom pay (t->stores). */
static inline void h278_multi_table_build(const h278_block *b, h278_multi_tables *t, unsigned max_symbols)
{
    const unsigned w = H278_MULTI_MAX_BITS;
    t->desc = h278_table_desc_of(b, w);
    h278_sorted_code code;
    h278_sorted_code_build(&code, b);
    h278_single_table_build(&code, w, t->single);
    /*
     * Entry i holds the codes at the start of i's bits, one after another,
     * while they fit in W bits. Row by row, as decode_multisym.c builds its
     * table: the entries whose first code is symbol s of length l are
     * i = reversed(code of s) + k << l for the 2^(W-l) values of k, and
     * what follows s depends only on k and l. So each length's tail row
     * (up to max_symbols - 1 more codes in the W - l bits of k, a partial entry
     * with its symbols from byte 3 on) is computed once, and each symbol
     * of that length adds its head to the row: one addition per entry.
     * The single table is looked up with the bits that are left, zeros
     * shifted in at the top: a code that fits in what is left does not
     * depend on them.
     */
    uint64_t tail[1u << (H278_MULTI_MAX_BITS - 1)];
    for (unsigned l = 1; l <= w; l++) {
        if (!code.count[l])
            continue;
        uint32_t rest = w - l, size = 1u << rest;
        for (uint32_t k = 0; k < size; k++) {
            uint64_t e = 0;
            uint32_t used = 0;
            for (unsigned c = 0; c + 1 < max_symbols; c++) {
                uint32_t f = t->single[k >> used], fl = h278_entry_len(f);
                if (used + fl > rest)
                    break;
                used += fl;
                e = (e & ~(uint64_t)0xFFFF) | (uint64_t)h278_entry_sym(f) << (24 + 8 * c) | used |
                    (8u * (c + 1)) << 8;
            }
            tail[k] = e;
        }
        for (unsigned j = 0; j < code.count[l]; j++) {
            uint32_t sym = code.sorted[code.base[l] + j];
            uint32_t r = h278_reverse_bits(code.first[l] + j, l);
            uint64_t head = l | 8u << 8 | (uint64_t)sym << 16;
            for (uint32_t k = 0; k < size; k++)
                t->multi[r | k << l] = head + tail[k];
        }
    }
    /*
     * Where entries of three or four symbols are rare (codes of 6 bits and
     * more), they do not pay for the second store of every round: cap the
     * table at two symbols and store once per round. Every index is about
     * equally likely (stream bits are close to random), so the symbols per
     * lookup are the entries' mean.
     */
    t->stores = 1;
    if (max_symbols <= 2)
        return;
    uint64_t up_to_4 = 0, up_to_2 = 0;
    for (uint32_t i = 0; i < (1u << w); i++) {
        uint32_t n = (uint32_t)(t->multi[i] >> 11) & 7;
        up_to_4 += n;
        up_to_2 += n < 2 ? n : 2;
    }
    if (up_to_4 * 100 >= up_to_2 * H278_MULTI_CAP2_PERCENT) {
        t->stores = 2;
        return;
    }
    for (uint32_t i = 0; i < (1u << w); i++) {
        uint64_t e = t->multi[i];
        if (((e >> 11) & 7) <= 2)
            continue;
        uint32_t l1 = h278_entry_len(t->single[i]), l2 = h278_entry_len(t->single[i >> l1]);
        t->multi[i] = (l1 + l2) | 16u << 8 | (e & UINT64_C(0xFFFF0000));
    }
}

/* The build of the variants that gather the 8-byte entries. */
static inline h278_error h278_multi_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    h278_multi_table_build(b, mem, H278_MULTI_MAX_SYMBOLS);
    return H278_OK;
}

/*
 * The lanes of a pass, packed into the first slots (slot i is stream
 * stream[i]): the next input byte and the bit offset in it, the next output
 * byte, and the last input and output addresses at which a round may
 * start (0 in a padding slot, which never runs). Addresses are 64-bit
 * integers: what the gathers, the scatter and the compares take.
 */
typedef struct h278_multi_state {
    uint64_t in[H278_MAX_STREAMS];
    uint64_t pos[H278_MAX_STREAMS];
    uint64_t out[H278_MAX_STREAMS];
    uint64_t in_last[H278_MAX_STREAMS];
    uint64_t out_last[H278_MAX_STREAMS];
    uint8_t stream[H278_MAX_STREAMS];
} h278_multi_state;

/* What one round of a variant may do to a lane: read in_read bytes at its
 * input pointer and move it at most in_advance (< in_read) bytes on; write
 * at most out_write bytes from its output pointer, which moves no further. */
typedef struct h278_multi_round_bounds {
    uint32_t in_read, in_advance, out_write;
} h278_multi_round_bounds;

/* A variant's pass: rounds of the `packed` lanes in s, the first `sure` of
 * them unchecked, until fewer than `keep` lanes take part. */
typedef void h278_multi_pass_fn(h278_multi_state *s, const h278_multi_tables *t, unsigned packed, size_t sure,
                                unsigned keep);

/* Rounds that are safe for all n packed lanes whatever their bits say. */
static inline size_t h278_multi_sure_rounds(const h278_multi_state *s, unsigned n, h278_multi_round_bounds r)
{
    size_t sure = SIZE_MAX;
    for (unsigned j = 0; j < n; j++) {
        size_t by_in = (s->in_last[j] - s->in[j]) / r.in_advance + 1;
        size_t by_out = (s->out_last[j] - s->out[j]) / r.out_write + 1;
        sure = by_in < sure ? by_in : sure;
        sure = by_out < sure ? by_out : sure;
    }
    return sure;
}

/* Packs the lanes that can still run a round (from the positions by
 * stream: in, pos, out) into the first slots of s, pads the last register
 * with slots that never run, and returns how many lanes it packed. */
static inline unsigned h278_multi_pack(h278_multi_state *s, const uint64_t *in, const uint64_t *pos,
                                       const uint64_t *out,
                                       const h278_lane *lanes, unsigned k, h278_multi_round_bounds r)
{
    unsigned n = 0;
    for (unsigned i = 0; i < k; i++) {
        uint64_t in_last = (uintptr_t)lanes[i].br.end - r.in_read;
        uint64_t out_last = (uintptr_t)lanes[i].out_end - r.out_write;
        if (in[i] > in_last || out[i] > out_last)
            continue;
        s->in[n] = in[i], s->pos[n] = pos[i], s->out[n] = out[i];
        s->in_last[n] = in_last, s->out_last[n] = out_last;
        s->stream[n++] = (uint8_t)i;
    }
    for (unsigned j = n; j < (n + 7) / 8 * 8; j++) {
        s->in[j] = s->out[j] = UINT64_MAX; /* above every limit */
        s->pos[j] = s->in_last[j] = s->out_last[j] = 0;
    }
    return n;
}

/*
 * A lane's last symbols, after the lanes: the same multi-symbol entries
 * one lookup at a time while 4 output bytes are left, then the checked
 * single-symbol tail (lanes.h), which also checks the end of the stream.
 * An entry is taken only when every bit it uses was read from the stream
 * (the bits above `count` are zeros standing in for missing input): its
 * symbols are then the stream's, whatever the zeros made it decide about
 * the code after them.
 */
static inline h278_error h278_multi_finish(h278_lane *l, const h278_multi_tables *t)
{
    const uint64_t mask = (UINT64_C(1) << t->desc.width) - 1;
    while (l->out_end - l->out >= 4) {
        h278_br_refill(&l->br);
        uint64_t e = t->multi[l->br.buf & mask];
        if ((e & 0xFF) > l->br.count)
            break;
        h278_store32(l->out, (uint32_t)(e >> 16));
        l->out += (e >> 11) & 7; /* byte 1 / 8: the symbols */
        h278_br_consume(&l->br, (unsigned)(e & 0xFF));
    }
    return h278_lane_finish(l, t->single, t->desc.width, NULL, 1);
}

/*
 * The decode both variants run around their passes: pack the lanes that
 * can run, a pass until half of them sit out, again; then each stream's
 * finish. Inlined into each variant, so pass is a direct call; r bounds
 * what one round of its pass does. With no pass, the finish decodes every
 * stream.
 */
static H278_ALWAYS_INLINE h278_error h278_multi_decode(const h278_block *b, const void *mem, uint8_t *dst,
                                                       h278_multi_pass_fn *pass, h278_multi_round_bounds r)
{
    const h278_multi_tables *t = mem;
    if (!h278_multi_takes(b) || !h278_table_desc_fits(&t->desc, b))
        return H278_ERR_TABLE_MISMATCH;
    h278_lane lanes[H278_MAX_STREAMS];
    h278_lanes_init(b, dst, lanes);
    const unsigned k = b->streams;
    /* Where each stream is, by stream: input byte, bit offset, output. */
    uint64_t in[H278_MAX_STREAMS], pos[H278_MAX_STREAMS], out[H278_MAX_STREAMS];
    for (unsigned i = 0; i < k; i++) {
        in[i] = (uintptr_t)lanes[i].br.p;
        pos[i] = 0;
        out[i] = (uintptr_t)lanes[i].out;
    }
    h278_multi_state s;
    unsigned n;
    while (pass && (n = h278_multi_pack(&s, in, pos, out, lanes, k, r)) > 0) {
        /* Run while at least half the lanes do; then pack the rest. */
        pass(&s, t, n, h278_multi_sure_rounds(&s, n, r), n - n / 2);
        for (unsigned j = 0; j < n; j++) {
            unsigned i = s.stream[j];
            in[i] = s.in[j], pos[i] = s.pos[j], out[i] = s.out[j];
        }
    }
    /* Back to bit readers: the next bit is bit pos of byte in, which lies
     * inside the stream (a round starts in_read bytes before its end at
     * the latest and advances fewer bytes than that). */
    for (unsigned i = 0; i < k; i++) {
        h278_lane *l = &lanes[i];
        const uint8_t *q = (const uint8_t *)(uintptr_t)in[i];
        l->out = (uint8_t *)(uintptr_t)out[i];
        l->br.p = q;
        if (pos[i]) {
            l->br.buf = (uint64_t)(*q >> pos[i]);
            l->br.count = 8 - (uint32_t)pos[i];
            l->br.p = q + 1;
        }
        h278_error err = h278_multi_finish(l, t);
        if (err)
            return err;
    }
    return H278_OK;
}

#endif /* H278_MULTI_LANES_H */
