/*
 * simd_lanes.h - what the AVX2 and AVX-512 decoders share: their tables,
 * which blocks their lanes take, and the decode around their lane loop.
 *
 * The SIMD decoders step many streams at once: lane i of a vector owns the
 * bit buffer of stream i, looks up one symbol per step with a gather, and
 * the interleaved layout (FORMAT.md) puts the K symbols of one step into K
 * adjacent output bytes, so a step ends in one contiguous store: no
 * scatter, and no two lanes ever write the same cache line at different
 * times (the 4 KiB-aliasing trap of segmented layouts cannot occur).
 *
 * The lanes take interleaved blocks with K >= 16 whose longest code fits a
 * gather table of 2^12 entries. With fewer streams there are too few
 * independent chains to hide the gather latency, and the scalar decoder
 * wins; the API hands every other block to the variant's fallback,
 * `multisym-bmi2` (variant.h: takes, fallback), so a benchmark of
 * `avx512` is always the AVX-512 loop. After the lane loop, each stream
 * finishes in the scalar checked tail (lanes.h), which also applies the
 * end-of-stream rule, so the SIMD path accepts and rejects exactly what the
 * scalar decoders do.
 *
 * Tables: a 64-byte header (the description), the gather table of 2^M
 * entries, 4 or 8 bytes each (what the variant's gather loads: the tail's
 * entries widened, for AVX2 with their two bytes swapped), then the 2-byte
 * single table for the tail.
 */
#ifndef H278_SIMD_LANES_H
#define H278_SIMD_LANES_H

#include "../lanes.h"

#define H278_SIMD_MAX_BITS 12u
#define H278_SIMD_MIN_STREAMS 16u
#define H278_SIMD_HEADER_BYTES 64u
_Static_assert(H278_REFILL_BITS / H278_SIMD_MAX_BITS >= 4, "at least four steps per refill");
_Static_assert(H278_SIMD_MAX_BITS < 64, "decode_avx512.c shifts by a whole entry: its low 6 bits are the length");

extern const h278_variant h278_variant_multisym_bmi2;

typedef struct h278_simd_tables {
    h278_table_desc desc; /* width = M, streams = K */
    uint32_t entry_bytes; /* 4 or 8: what one gather lane loads */
} h278_simd_tables;
_Static_assert(sizeof(h278_simd_tables) <= H278_SIMD_HEADER_BYTES, "the header fits its 64 bytes");

/* The gather table: 2^M entries of entry_bytes each, 64-byte aligned. */
static inline const void *h278_simd_gather_table(const h278_simd_tables *t)
{
    return (const uint8_t *)t + H278_SIMD_HEADER_BYTES;
}

/* The 2-byte single table for the scalar tail. */
static inline const uint16_t *h278_simd_tail_table(const h278_simd_tables *t)
{
    return (const uint16_t *)((const uint8_t *)h278_simd_gather_table(t) +
                              ((size_t)t->entry_bytes << t->desc.width));
}

static inline int h278_simd_takes(const h278_block *b)
{
    return (b->flags & H278_BLOCK_FLAG_INTERLEAVED) && b->streams >= H278_SIMD_MIN_STREAMS &&
           b->code_max_len <= H278_SIMD_MAX_BITS;
}

static inline size_t h278_simd_table_bytes(unsigned code_max_len, unsigned entry_bytes)
{
    return H278_SIMD_HEADER_BYTES + ((size_t)(entry_bytes + sizeof(uint16_t)) << code_max_len);
}

/* Builds the tail's table, then widens it into the gather table: each
 * entry as it is (`length | symbol << 8`), or with symbol_low the two
 * bytes swapped (`symbol | length << 8`, what decode_avx2.c wants). */
static inline h278_error h278_simd_build(const h278_block *b, void *mem, unsigned entry_bytes, int symbol_low)
{
    h278_simd_tables *t = mem;
    t->desc = h278_table_desc_of(b, b->code_max_len);
    t->entry_bytes = entry_bytes;
    h278_sorted_code code;
    h278_sorted_code_build(&code, b);
    uint16_t *tail = (uint16_t *)h278_simd_tail_table(t);
    h278_single_table_build(&code, b->code_max_len, tail);
    uint8_t *gather = (uint8_t *)mem + H278_SIMD_HEADER_BYTES;
    for (uint32_t i = 0; i < (1u << b->code_max_len); i++) {
        uint64_t e = symbol_low ? h278_entry_sym(tail[i]) | h278_entry_len(tail[i]) << 8 : tail[i];
        memcpy(gather + (size_t)i * entry_bytes, &e, entry_bytes); /* little-endian: the low bytes */
    }
    return H278_OK;
}

/* Whether the tables were built for b and b is one the lanes take. */
static inline int h278_simd_tables_fit(const h278_simd_tables *t, const h278_block *b)
{
    return h278_simd_takes(b) && h278_table_desc_fits(&t->desc, b) && t->desc.streams == b->streams;
}

/*
 * The lanes' bit readers as arrays of 64-bit values, which a lane loop
 * loads into registers and stores back at the end of each pass. They are
 * moved out of the h278_lane array once before the first pass and back
 * once for the tail; between passes only the input pointers (for the safe
 * count) are copied back.
 */
typedef struct h278_simd_state {
    uint64_t buf[H278_MAX_STREAMS];
    uint64_t count[H278_MAX_STREAMS];
    uint64_t ptr[H278_MAX_STREAMS];
} h278_simd_state;

static inline void h278_simd_state_load(h278_simd_state *s, const h278_lane *lanes, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        s->buf[i] = lanes[i].br.buf;
        s->count[i] = lanes[i].br.count;
        s->ptr[i] = (uint64_t)(uintptr_t)lanes[i].br.p;
    }
}

/* After a pass of `steps` symbols per lane: where each lane's input and
 * output now are. */
static inline void h278_simd_lanes_advance(const h278_simd_state *s, h278_lane *lanes, unsigned k, size_t steps)
{
    for (unsigned i = 0; i < k; i++) {
        lanes[i].br.p = (const uint8_t *)(uintptr_t)s->ptr[i];
        lanes[i].out += steps * k;
    }
}

/* The bit buffers back into the lanes, for the tail. */
static inline void h278_simd_state_store(const h278_simd_state *s, h278_lane *lanes, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        lanes[i].br.buf = s->buf[i];
        lanes[i].br.count = (uint32_t)s->count[i];
    }
}

/* A variant's lane loop: n rounds (a refill, then per_refill steps) of all
 * k lanes (16 or 32) in s, writing from out. */
typedef void h278_simd_loop(h278_simd_state *s, const h278_simd_tables *t, uint8_t *out, size_t n, unsigned k,
                            unsigned per_refill);

/*
 * The decode both SIMD variants run around their lane loop: passes of the
 * loop while any step is provably safe (each pass assumes the worst case,
 * 7 bytes per refill; real data uses less, so passes repeat), then the
 * checked scalar tail of every stream. Inlined into each variant, so loop
 * is a direct call.
 */
static H278_ALWAYS_INLINE h278_error h278_simd_decode(const h278_block *b, const void *mem, uint8_t *dst,
                                                      h278_simd_loop *loop)
{
    const h278_simd_tables *t = mem;
    if (!h278_simd_tables_fit(t, b))
        return H278_ERR_TABLE_MISMATCH;
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t k = h278_lanes_init(b, dst, lanes);
    unsigned per_refill = h278_lookups_per_refill(t->desc.width); /* 5 or 4: M <= 12 */
    const h278_loop_shape shape = {.lanes = k, .slots_per_lookup = 1};
    h278_simd_state s;
    h278_simd_state_load(&s, lanes, k);
    size_t n;
    while ((n = h278_group_safe_rounds(lanes, shape, per_refill, k)) > 0) {
        /* All lanes are at the same step: stream i's next symbol is output
         * byte i + step * K, so the block's first byte is lanes[0].out. */
        loop(&s, t, lanes[0].out, n, k, per_refill);
        h278_simd_lanes_advance(&s, lanes, k, n * per_refill);
    }
    h278_simd_state_store(&s, lanes, k);
    for (unsigned i = 0; i < k; i++) {
        h278_error err = h278_lane_finish(&lanes[i], h278_simd_tail_table(t), t->desc.width, NULL, k);
        if (err)
            return err;
    }
    return H278_OK;
}

#endif /* H278_SIMD_LANES_H */
