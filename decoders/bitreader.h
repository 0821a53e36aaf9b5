/*
 * bitreader.h - the bit reader every table decoder uses: a 64-bit buffer
 * over one LSB-first stream (docs/FORMAT.md, "Bit order").
 *
 * Why this shape: peeking the next n bits is `buf & mask` and consuming them
 * is `buf >>= n`, so a table lookup is a handful of instructions; refilling
 * is one unaligned 8-byte load, branch-free, done once per several symbols.
 *
 * Invariants (between calls):
 *   - The low `count` bits of buf are the next unconsumed bits of the stream.
 *     Bits above `count` are either zero or the true stream bits that follow
 *     (a fast refill loads 8 bytes but only counts the whole bytes that fit),
 *     so peeking more than `count` bits never sees garbage.
 *   - Bytes [begin, p) have been counted into buf; p <= end.
 *   - After h278_br_refill_fast(), count >= 56: a decoder may consume up to
 *     56 bits before the next refill.
 *
 * Reading past the end: never. The fast refill reads p[0..7] and is only
 * allowed while end - p >= 8 (h278_br_can_refill_fast). The careful refill
 * loads single bytes below end. Near the end of a stream fewer than 56 bits
 * may be available; the zero bits above `count` then stand in for missing
 * input, and h278_br_consume_checked() records in `overrun` when a decoder
 * consumed any of them (a corrupt stream).
 *
 * A stream is valid exactly when, after its last symbol, every byte has been
 * counted, fewer than 8 bits are left, and those padding bits are zero:
 * h278_br_finish_ok(). This is the rule docs/FORMAT.md states and
 * decode_tree.c checks bit by bit.
 */
#ifndef H278_BITREADER_H
#define H278_BITREADER_H

#include <stdint.h>

#include "le.h"

typedef struct h278_bitreader {
    uint64_t buf;           /* next bits at bit 0 */
    uint32_t count;         /* valid bits in buf, 0..63 */
    uint32_t overrun;       /* set once more bits were consumed than existed */
    const uint8_t *p;       /* next byte to count */
    const uint8_t *end;     /* one past the stream's last byte */
} h278_bitreader;

static inline void h278_br_init(h278_bitreader *br, const uint8_t *stream, uint32_t size)
{
    br->buf = 0;
    br->count = 0;
    br->overrun = 0;
    br->p = stream;
    br->end = stream + size;
}

static inline int h278_br_can_refill_fast(const h278_bitreader *br)
{
    return br->end - br->p >= 8;
}

/* Precondition: h278_br_can_refill_fast(). Afterwards count >= 56. */
static inline void h278_br_refill_fast(h278_bitreader *br)
{
    br->buf |= h278_load64(br->p) << br->count;
    br->p += (63 - br->count) >> 3;
    br->count |= 56;
}

/* Safe anywhere: fast when 8 bytes remain, else byte by byte up to the end.
 * Afterwards count > 48 unless the stream's bytes are exhausted. */
static inline void h278_br_refill(h278_bitreader *br)
{
    if (h278_br_can_refill_fast(br)) {
        h278_br_refill_fast(br);
        return;
    }
    while (br->count <= 48 && br->p < br->end) {
        br->buf |= (uint64_t)*br->p++ << br->count;
        br->count += 8;
    }
}

static inline uint32_t h278_br_peek(const h278_bitreader *br, unsigned n)
{
    return (uint32_t)(br->buf & ((UINT64_C(1) << n) - 1));
}

/* Consumes n bits (n <= 56) without checking that they exist; the fast loops
 * use this when their up-front count proves the bits are there. */
static inline void h278_br_consume(h278_bitreader *br, unsigned n)
{
    br->buf >>= n;
    br->count -= n;
}

/* Consumes n bits, recording an overrun if fewer than n were available. */
static inline void h278_br_consume_checked(h278_bitreader *br, unsigned n)
{
    if (n > br->count) {
        br->overrun = 1;
        br->count = n;
    }
    h278_br_consume(br, n);
}

/* True when the stream was consumed into its last byte, no further, and the
 * padding bits are zero. */
static inline int h278_br_finish_ok(const h278_bitreader *br)
{
    return !br->overrun && br->p == br->end && br->count < 8 &&
           (br->buf & ((UINT64_C(1) << br->count) - 1)) == 0;
}

#endif /* H278_BITREADER_H */
