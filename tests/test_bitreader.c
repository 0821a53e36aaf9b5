/*
 * test_bitreader.c - the bit reader (decoders/bitreader.h) keeps the
 * invariants written beside it, reads bits in the format's order, and never
 * touches a byte outside its stream.
 *
 * Every stream here sits at the very end of its own allocation of exactly
 * its size, so under AddressSanitizer (the sanitizer stage of
 * scripts/test.sh) a load of one byte past the end fails the test. The
 * expected bits come from a one-bit-at-a-time reference (bit i of the stream
 * is bit i & 7 of byte i >> 3, FORMAT.md), independent of the reader.
 */
#include <stdlib.h>
#include <string.h>

#include "bitreader.h"
#include "testutil.h"

/* Bit i of the stream, 0 past its end. */
static unsigned ref_bit(const uint8_t *s, size_t size, uint64_t i)
{
    return i < (uint64_t)size * 8 ? (s[i >> 3] >> (i & 7)) & 1u : 0;
}

static uint64_t ref_bits(const uint8_t *s, size_t size, uint64_t pos, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)ref_bit(s, size, pos + i) << i;
    return v;
}

/* The invariants of bitreader.h for a reader that has consumed pos bits. */
static void check_invariants(const h278_bitreader *br, const uint8_t *s, size_t size, uint64_t pos,
                             const char *when)
{
    CHECKF(br->p >= s && br->p <= s + size, "%s: p outside the stream", when);
    CHECKF(br->count <= 63, "%s: count %u", when, br->count);
    /* Bytes [s, p) are counted: what is left of them is exactly count bits. */
    CHECKF((uint64_t)(br->p - s) * 8 == pos + br->count, "%s: size %zu pos %llu: counted bytes %td, count %u",
           when, size, (unsigned long long)pos, br->p - s, br->count);
    CHECKF((br->buf & ((UINT64_C(1) << br->count) - 1)) == ref_bits(s, size, pos, br->count),
           "%s: buffered bits differ from the stream", when);
    /* Above count: zero or the true stream bits. */
    int ok = 1;
    for (unsigned j = br->count; j < 64; j++) {
        unsigned bit = (unsigned)(br->buf >> j) & 1u;
        if (bit && !ref_bit(s, size, pos + j))
            ok = 0;
    }
    CHECKF(ok, "%s: garbage above count", when);
}

/* Reads a random stream of `size` bytes in random steps of 1..24 bits and
 * compares every peek with the reference; refills are the careful kind
 * (fast while 8 bytes remain). */
static void read_whole_stream(size_t size, uint64_t *rng)
{
    uint8_t *s = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        s[i] = (uint8_t)h278_test_rand(rng);
    h278_bitreader br;
    h278_br_init(&br, s, (uint32_t)size);
    uint64_t pos = 0, total = (uint64_t)size * 8;
    int peeks_ok = 1;
    while (pos < total) {
        int fast = h278_br_can_refill_fast(&br);
        h278_br_refill(&br);
        check_invariants(&br, s, size, pos, "after refill");
        if (fast)
            CHECKF(br.count >= 56, "size %zu: count %u after a fast refill", size, br.count);
        else if (br.p < br.end)
            CHECKF(br.count > 48, "size %zu: count %u with bytes left", size, br.count);
        unsigned n = 1 + (unsigned)(h278_test_rand(rng) % 24);
        if (n > br.count)
            n = br.count;
        if (h278_br_peek(&br, n) != ref_bits(s, size, pos, n))
            peeks_ok = 0;
        h278_br_consume(&br, n);
        pos += n;
    }
    CHECKF(peeks_ok, "size %zu: a peek differed from the stream", size);
    CHECKF(br.p == br.end && br.count == 0 && !br.overrun, "size %zu: not at the end", size);
    free(s);
}

/* A stream of `bits` bits written as the format writes them (random bits,
 * zero padding): finish_ok accepts consuming exactly those bits, and
 * rejects stopping a byte early, a set padding bit and reading past the end. */
static void check_end_rule(uint64_t bits, uint64_t *rng)
{
    size_t size = (size_t)((bits + 7) / 8);
    uint8_t *s = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        s[i] = (uint8_t)h278_test_rand(rng);
    if (bits & 7)
        s[size - 1] &= (uint8_t)((1u << (bits & 7)) - 1);

    /* Consume `upto` bits in steps, then ask finish_ok. */
    for (int c = 0; c < 4; c++) {
        uint64_t upto = bits;
        if (c == 1) {
            if (bits < 8)
                continue;
            upto = bits - 8; /* a byte left over */
        }
        if (c == 2) {
            if (!(bits & 7))
                continue;
            s[size - 1] |= (uint8_t)(1u << 7); /* a padding bit */
        }
        if (c == 3)
            upto = (uint64_t)size * 8 + 1; /* one bit past the last byte */
        h278_bitreader br;
        h278_br_init(&br, s, (uint32_t)size);
        uint64_t pos = 0;
        while (pos < upto) {
            h278_br_refill(&br);
            unsigned n = 1 + (unsigned)(h278_test_rand(rng) % 20);
            if (n > upto - pos)
                n = (unsigned)(upto - pos);
            h278_br_consume_checked(&br, n);
            pos += n;
        }
        int ok = h278_br_finish_ok(&br);
        CHECKF(ok == (c == 0), "%llu bits, case %d: finish_ok %d", (unsigned long long)bits, c, ok);
        if (c == 2)
            s[size - 1] &= 0x7F;
    }
    free(s);
}

/* The fast refill as the hot loops use it: back to back while 8 bytes
 * remain, consuming at most 56 bits between refills. */
static void fast_refills(size_t size, uint64_t *rng)
{
    uint8_t *s = malloc(size);
    for (size_t i = 0; i < size; i++)
        s[i] = (uint8_t)h278_test_rand(rng);
    h278_bitreader br;
    h278_br_init(&br, s, (uint32_t)size);
    uint64_t pos = 0;
    while (h278_br_can_refill_fast(&br)) {
        const uint8_t *before = br.p;
        h278_br_refill_fast(&br);
        CHECK(br.count >= 56 && br.p - before <= 7);
        check_invariants(&br, s, size, pos, "fast refill");
        unsigned n = (unsigned)(h278_test_rand(rng) % 57);
        h278_br_consume(&br, n);
        pos += n;
    }
    CHECK(br.end - br.p < 8);
    free(s);
}

int main(void)
{
    uint64_t rng = 278;
    for (size_t size = 0; size <= 40; size++)
        for (int rep = 0; rep < 8; rep++)
            read_whole_stream(size, &rng);
    read_whole_stream(1000, &rng);
    read_whole_stream(4099, &rng);

    for (uint64_t bits = 1; bits <= 200; bits++)
        check_end_rule(bits, &rng);

    for (size_t size = 8; size <= 64; size++)
        fast_refills(size, &rng);
    fast_refills(5000, &rng);
    return h278_test_finish();
}
