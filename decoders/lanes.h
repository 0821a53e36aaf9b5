/*
 * lanes.h - how the table decoders walk a block's streams: one "lane" per
 * stream, the arithmetic that proves how many unchecked rounds are safe,
 * the fast loop that runs them, and the checked tail that finishes every
 * stream.
 *
 * Every table decoder (table, hybrid, multisym, and the tails of the SIMD
 * ones) runs the same plan, zstd's 4-stream loop generalised to any K and
 * both layouts:
 *   1. Before the hot loop, work out how many rounds are safe for every
 *      lane of a group of four: a round refills each lane once (an 8-byte
 *      load, so at least 8 bytes must remain; it advances at most 7) and
 *      emits at most a known number of symbols (so that many must remain).
 *      Where a rare long code refills once more, the bound is counted in
 *      bits instead (h278_lane_safe_rounds_bits).
 *   2. Run that many rounds with no bounds checks, the four independent
 *      streams interleaved so that their lookups overlap in the CPU.
 *   3. Repeat while anything is safe, then finish each lane in a checked
 *      loop that accounts for every bit and requires the stream to end
 *      exactly in its last byte with zero padding (docs/FORMAT.md).
 * Hostile stream contents can make the fast loop decode garbage, but never
 * read outside a stream or write outside the block: the bounds of step 1
 * hold whatever the bits say, and step 3 then rejects the stream.
 *
 * A decoder supplies only its table lookup, as a step function over one
 * lane's registers (h278_step_fn); h278_lanes_fast_loop and
 * h278_lanes_decode are the rest. Both are always inlined with the step as
 * a constant, so every specialisation is straight-line code over locals
 * that the compiler keeps in registers (a small array of lane states,
 * indexed only by constants once the steps are written out).
 */
#ifndef H278_LANES_H
#define H278_LANES_H

#include "bitreader.h"
#include "canonical_code.h"

#define h278_unlikely(x) __builtin_expect(!!(x), 0)
#define H278_ALWAYS_INLINE inline __attribute__((always_inline))

/* Lookups per refill, D: a refill guarantees 56 bits and the fast loop
 * unrolls at most 5 lookups per lane between refills. */
#define H278_REFILL_BITS 56u
#define H278_MAX_LOOKUPS_PER_REFILL 5u
_Static_assert(H278_REFILL_BITS == 64 - 8, "a refill counts whole bytes into 64 bits: at least 56 are valid");
_Static_assert(H278_MAX_LOOKUPS_PER_REFILL == 5, "h278_lanes_run has constants for D = 2 .. 5");
_Static_assert(H278_REFILL_BITS / H278_MAX_CODE_LEN >= 2, "h278_lanes_run's smallest D is 2");

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

/* Rounds this lane allows: each refills once (8 readable bytes needed, at
 * most 7 consumed) and emits at most max_syms symbols (or writes at most
 * max_syms output slots). */
static inline size_t h278_lane_safe_rounds(const h278_lane *l, uint32_t stride, uint32_t max_syms)
{
    ptrdiff_t bytes = l->br.end - l->br.p;
    size_t by_bytes = bytes < 8 ? 0 : (size_t)(bytes - 8) / 7 + 1;
    size_t by_syms = h278_lane_left(l, stride) / max_syms;
    return by_bytes < by_syms ? by_bytes : by_syms;
}

/*
 * Rounds this lane allows when a lookup may also refill (the long-code
 * branch of the two-tier decoders), counted in bits instead: with P the
 * stream bits consumed, a refill reads the 8 bytes at begin + (P + count) / 8,
 * count <= 63, so every refill stays inside the stream while
 * P <= 8 * size - 127, however many refills there are. A round consumes at
 * most max_bits bits.
 */
static inline size_t h278_lane_safe_rounds_bits(const h278_lane *l, uint32_t stride, uint32_t max_syms,
                                                uint32_t max_bits)
{
    ptrdiff_t room = 8 * (l->br.end - l->br.p) + (ptrdiff_t)l->br.count - 127;
    size_t by_bits = room <= 0 ? 0 : (size_t)room / max_bits;
    size_t by_syms = h278_lane_left(l, stride) / max_syms;
    return by_bits < by_syms ? by_bits : by_syms;
}

/* Lookups per refill for a table of w bits whose every code fits it: D
 * lookups of at most w bits each need D * w <= 56. */
static inline unsigned h278_lookups_per_refill(unsigned w)
{
    unsigned d = H278_REFILL_BITS / w;
    return d < H278_MAX_LOOKUPS_PER_REFILL ? d : H278_MAX_LOOKUPS_PER_REFILL;
}

/* The same when codes longer than w (up to max_len bits) go through a
 * branch that refills before it resolves the code: a lookup needs at most
 * w bits, and after a long code, which may leave as few as 56 - max_len
 * bits, the other D - 1 lookups still need (D - 1) * w. */
static inline unsigned h278_lookups_with_long(unsigned w, unsigned max_len)
{
    unsigned by_long = (H278_REFILL_BITS - max_len) / w + 1;
    unsigned d = h278_lookups_per_refill(w);
    return by_long < d ? by_long : d;
}

/*
 * The first-tier width of the two-tier decoders (hybrid's S, multisym's W):
 * the caller's parameter when it gives one (0 when it is outside
 * 6..14: the build then rejects it), else 11 while every code fits in 11
 * bits and 12 otherwise (each decoder's header says why; docs/DECODERS.md
 * has the sweeps). For table_bytes, an invalid parameter counts as the
 * smallest width.
 */
#define H278_TIER_MIN_BITS H278_TABLE_BITS_MIN
#define H278_TIER_MAX_BITS H278_TABLE_BITS_MAX
#define H278_TIER_SHORT_BITS 11u
#define H278_TIER_LONG_BITS 12u
_Static_assert(H278_TIER_MAX_BITS * 4 <= H278_REFILL_BITS, "at least four lookups per refill at any width");
_Static_assert((H278_REFILL_BITS - H278_MAX_CODE_LEN) / H278_TIER_MAX_BITS + 1 >= 3,
               "at least three lookups per refill with long codes (h278_lookups_with_long)");

static inline unsigned h278_tier_width(unsigned code_max_len, unsigned param)
{
    if (param)
        return param >= H278_TIER_MIN_BITS && param <= H278_TIER_MAX_BITS ? param : 0;
    return code_max_len <= H278_TIER_SHORT_BITS ? H278_TIER_SHORT_BITS : H278_TIER_LONG_BITS;
}

static inline unsigned h278_tier_width_for_size(unsigned code_max_len, unsigned param)
{
    unsigned w = h278_tier_width(code_max_len, param);
    return w ? w : H278_TIER_MIN_BITS;
}

/* ---- The fast loop --------------------------------------------------------- */

/*
 * One lane's state in locals. Between refills `count` may carry garbage
 * above its low 6 bits: steps subtract whole table entries whose low 6 bits
 * are the length (libdeflate's trick), so the refill and the store back
 * mask it first.
 */
typedef struct h278_lane_regs {
    uint64_t bits;
    uint32_t count;
    const uint8_t *in;
    uint8_t *out;
} h278_lane_regs;

static H278_ALWAYS_INLINE h278_lane_regs h278_regs_load(const h278_lane *l)
{
    return (h278_lane_regs){l->br.buf, l->br.count, l->br.p, l->out};
}

static H278_ALWAYS_INLINE void h278_regs_store(const h278_lane_regs *r, h278_lane *l)
{
    l->br.buf = r->bits;
    l->br.count = r->count & 63;
    l->br.p = r->in;
    l->out = r->out;
}

/* h278_br_refill_fast() on the locals. */
static H278_ALWAYS_INLINE void h278_regs_refill(h278_lane_regs *r)
{
    r->count &= 63;
    r->bits |= h278_load64(r->in) << r->count;
    r->in += (63 - r->count) >> 3;
    r->count |= 56;
}

/* What a step looks up with. A NULL `code` tells the step that no code is
 * longer than the table (its long-code branch folds away). */
typedef struct h278_lookup {
    const void *table;            /* the decoder's first-level table */
    const h278_sorted_code *code; /* resolves codes longer than width, or NULL */
    uint64_t mask;                /* 2^width - 1: a table index from the peeked bits */
    uint32_t width;               /* bits the table is indexed by */
    uint32_t stride;              /* output slots between one lane's symbols */
} h278_lookup;

static H278_ALWAYS_INLINE h278_lookup h278_lookup_of(const void *table, const h278_sorted_code *code,
                                                     unsigned width, uint32_t stride)
{
    return (h278_lookup){table, code, (UINT64_C(1) << width) - 1, width, stride};
}

/* One table lookup on one lane: emits at least one symbol. */
typedef void h278_step_fn(h278_lane_regs *lane, h278_lookup k);

/*
 * The shape of a fast loop, apart from D (lookups per refill, which
 * h278_lanes_run makes a constant): lanes in lockstep (1 or 4), the most
 * output slots one lookup advances, slots past those that a lookup's store
 * may touch, and for decoders whose long-code branch refills once more,
 * the longest code (0: a round never refills more than once).
 */
typedef struct h278_loop_shape {
    unsigned lanes;
    unsigned slots_per_lookup;
    unsigned overhang;
    unsigned long_len;
} h278_loop_shape;

/* Safe rounds for every lane of the group at d lookups per refill. */
static inline size_t h278_group_safe_rounds(const h278_lane *lanes, h278_loop_shape s, unsigned d,
                                            uint32_t stride)
{
    uint32_t max_slots = d * s.slots_per_lookup + s.overhang;
    size_t rounds = SIZE_MAX;
    for (unsigned i = 0; i < s.lanes; i++) {
        size_t r = s.long_len ? h278_lane_safe_rounds_bits(&lanes[i], stride, max_slots, d * s.long_len)
                              : h278_lane_safe_rounds(&lanes[i], stride, max_slots);
        rounds = r < rounds ? r : rounds;
    }
    return rounds;
}

/* One refill of each of the n (1 or 4) lanes. */
static H278_ALWAYS_INLINE void h278_lanes_refill(h278_lane_regs *r, const unsigned n)
{
    h278_regs_refill(&r[0]);
    if (n > 1) {
        h278_regs_refill(&r[1]);
        h278_regs_refill(&r[2]);
        h278_regs_refill(&r[3]);
    }
}

/* One lookup on each of the n lanes. */
static H278_ALWAYS_INLINE void h278_lanes_step(h278_lane_regs *r, const unsigned n, const h278_lookup k,
                                               h278_step_fn *step)
{
    step(&r[0], k);
    if (n > 1) {
        step(&r[1], k);
        step(&r[2], k);
        step(&r[3], k);
    }
}

/*
 * The fast loop: while every lane of the group can take more rounds without
 * a bounds check, hold the lanes in locals and, per round, refill each lane
 * once and step each lane d times, the lanes interleaved. Lane 0 writes at
 * least d symbols per round, so its output pointer bounds the rounds
 * (zstd's trick: no counter). Written out step by step rather than as
 * loops over d and the lanes: with n and d constant the branches fold
 * away, and the code is then exactly the straight line that gcc and clang
 * keep in registers (loops unrolled by pragma came out with more spills).
 */
static H278_ALWAYS_INLINE void h278_lanes_fast_loop(h278_lane *lanes, const h278_loop_shape s, const unsigned d,
                                                    const h278_lookup k, h278_step_fn *step)
{
    size_t rounds;
    while ((rounds = h278_group_safe_rounds(lanes, s, d, k.stride)) > 0) {
        h278_lane_regs r[4];
        for (unsigned i = 0; i < s.lanes; i++)
            r[i] = h278_regs_load(&lanes[i]);
        const uint8_t *olimit = r[0].out + rounds * d * k.stride;
        do {
            h278_lanes_refill(r, s.lanes);
            h278_lanes_step(r, s.lanes, k, step);
            h278_lanes_step(r, s.lanes, k, step);
            if (d > 2)
                h278_lanes_step(r, s.lanes, k, step);
            if (d > 3)
                h278_lanes_step(r, s.lanes, k, step);
            if (d > 4)
                h278_lanes_step(r, s.lanes, k, step);
        } while (r[0].out < olimit);
        for (unsigned i = 0; i < s.lanes; i++)
            h278_regs_store(&r[i], &lanes[i]);
    }
}

/* The fast loop with d (2..5, from h278_lookups_per_refill or
 * h278_lookups_with_long) made a constant, so its steps fold to a straight
 * line. */
static H278_ALWAYS_INLINE void h278_lanes_run(h278_lane *lanes, const h278_loop_shape s, unsigned d,
                                              const h278_lookup k, h278_step_fn *step)
{
    if (d >= 5)
        h278_lanes_fast_loop(lanes, s, 5, k, step);
    else if (d == 4)
        h278_lanes_fast_loop(lanes, s, 4, k, step);
    else if (d == 3)
        h278_lanes_fast_loop(lanes, s, 3, k, step);
    else
        h278_lanes_fast_loop(lanes, s, 2, k, step);
}

/* ---- The checked tail ----------------------------------------------------- */

/* How every table decoder ends a lane (and decodes what its fast loop left):
 * one symbol at a time through the single-symbol table t of width w
 * (canonical_code.h; code resolves longer codes, NULL when none exist).
 * First unchecked rounds while they are provably safe, then a checked loop
 * with every bit accounted for, then the end-of-stream rule. */
static inline h278_error h278_lane_finish(h278_lane *l, const uint16_t *t, unsigned w,
                                          const h278_sorted_code *code, uint32_t stride)
{
    unsigned per_refill = h278_lookups_per_refill(code && code->max_len > w ? code->max_len : w);
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    size_t n;
    while ((n = h278_lane_safe_rounds(l, stride, per_refill)) > 0) {
        while (n--) {
            h278_br_refill_fast(&l->br);
            for (unsigned j = 0; j < per_refill; j++) {
                uint32_t e = t[l->br.buf & mask];
                if (e == 0)
                    e = h278_sorted_code_search(code, l->br.buf, w);
                *l->out = (uint8_t)h278_entry_sym(e);
                l->out += stride;
                h278_br_consume(&l->br, h278_entry_len(e));
            }
        }
    }
    while (l->out != l->out_end) {
        h278_br_refill(&l->br);
        uint32_t e = t[h278_br_peek(&l->br, w)];
        if (e == 0)
            e = h278_sorted_code_search(code, l->br.buf, w);
        *l->out = (uint8_t)h278_entry_sym(e);
        l->out += stride;
        h278_br_consume_checked(&l->br, h278_entry_len(e));
    }
    return h278_br_finish_ok(&l->br) ? H278_OK : H278_ERR_CORRUPT_STREAM;
}

/* ---- The decode skeleton --------------------------------------------------- */

/*
 * A decoder's fast loops for a group of four lanes, or for the one lane of
 * a K = 1 block: picks the specialisation and runs h278_lanes_fast_loop.
 * Each is a function of its own (H278_NOINLINE): gcc 12 allocates the
 * registers of a four-lane loop best when no other loop shares the
 * function (docs/DECODERS.md, "Compiling the lanes").
 */
typedef void h278_group_fn(h278_lane *lanes, const void *tables, uint32_t stride);
#define H278_NOINLINE __attribute__((noinline))

/*
 * A whole block: set up the lanes, run the decoder's fast loops on each
 * group of four lanes (a K = 1 block: on its one lane), then finish every
 * stream in the checked tail through the single table t of width w (code:
 * the search for longer codes, NULL when there are none).
 */
static H278_ALWAYS_INLINE h278_error h278_lanes_decode(const h278_block *b, uint8_t *dst, const void *tables,
                                                       h278_group_fn *group4, h278_group_fn *group1,
                                                       const uint16_t *t, unsigned w, const h278_sorted_code *code)
{
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    if (b->streams == 1)
        group1(lanes, tables, stride);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        group4(lanes + g, tables, stride);
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish(&lanes[s], t, w, code, stride);
        if (err)
            return err;
    }
    return H278_OK;
}

#endif /* H278_LANES_H */
