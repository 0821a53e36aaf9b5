/*
 * test_pivot_corruption.c - malformed pivot blocks get their own errors from
 * the parser, and a pivot block damaged after it was parsed (as a peer
 * writing shared memory can do) decodes garbage or fails, but never makes a
 * pivot decoder read or write outside the block and its output.
 *
 * Parser cases, each on a block made by the encoder and then edited:
 *   - a MIXED node's count above the symbols reaching it  -> H278_ERR_PIVOT_COUNT
 *   - a count that is not its bitmap's popcount           -> H278_ERR_PIVOT_COUNT
 *   - a bitmap bit flipped (popcount changes)             -> H278_ERR_PIVOT_COUNT
 *   - a padding bit set after a bitmap                     -> H278_ERR_CORRUPT_STREAM
 *   - the payload one byte short / one byte longer        -> H278_ERR_PIVOT_REGION
 *   - the pivot flag with K = 4 / with another layout flag -> BAD_STREAM_COUNT / BAD_FLAGS
 * After parsing, every bitmap and count byte is overwritten in turn with
 * random bytes, at the h278_block level: each pivot variant and the oracle
 * must return an error or some bytes, with the block copied to a buffer of
 * exactly its size (AddressSanitizer catches a read past it) and guard
 * bytes around the output.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "le.h"
#include "pivot.h"
#include "testutil.h"

#define GUARD 64u

/* alice-like text of n bytes compressed in the pivot layout, one block. */
static uint8_t *pivot_file(size_t n, unsigned L, uint8_t **text, size_t *size)
{
    *text = malloc(n);
    h278_test_fill_text_like(*text, n, 278, 'a');
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.max_len = L;
    p.pivot = 1;
    uint64_t bound = h278_compress_bound(n, &p);
    uint8_t *file = malloc(bound);
    CHECK(h278_compress(*text, n, &p, file, bound, size) == H278_OK);
    return file;
}

/* Parses the one block of file (its copy at exactly its own size). */
static h278_error parse(const uint8_t *file, size_t size, size_t n, unsigned L)
{
    size_t len = size - H278_FILE_HEADER_SIZE;
    uint8_t *blk = malloc(len);
    memcpy(blk, file + H278_FILE_HEADER_SIZE, len);
    h278_block b;
    h278_error err = h278_read_block(blk, len, (uint32_t)n, L, &b);
    free(blk);
    return err;
}

int main(void)
{
    const size_t n = 20000;
    const unsigned L = 11;
    uint8_t *text, *file;
    size_t size;
    file = pivot_file(n, L, &text, &size);
    uint8_t *blk = file + H278_FILE_HEADER_SIZE;
    CHECK(parse(file, size, n, L) == H278_OK);
    CHECK(blk[3] == H278_BLOCK_FLAG_PIVOT && blk[2] == 1);

    h278_block b;
    CHECK(h278_read_block(blk, size - H278_FILE_HEADER_SIZE, (uint32_t)n, L, &b) == H278_OK);
    /* The root is MIXED for text (its symbols are not all one length): its
     * count is the first bytes of the regions (two for 20000 symbols), its
     * bitmap follows. */
    uint8_t *root = (uint8_t *)b.stream[0];
    const unsigned count_bytes = h278_pivot_count_bytes(n);
    const uint32_t ones = h278_pivot_load_count(root, n);
    CHECK(count_bytes == 2 && ones > 0 && ones < n);

    h278_pivot_store_count(root, n, (uint32_t)n + 1);
    CHECKF(parse(file, size, n, L) == H278_ERR_PIVOT_COUNT, "count above the symbols");
    h278_pivot_store_count(root, n, ones + 1);
    CHECKF(parse(file, size, n, L) == H278_ERR_PIVOT_COUNT, "count not the popcount");
    h278_pivot_store_count(root, n, ones);
    root[count_bytes] ^= 1;
    CHECKF(parse(file, size, n, L) == H278_ERR_PIVOT_COUNT, "bitmap bit flipped");
    root[count_bytes] ^= 1;
    /* 20000 symbols fill the root's bitmap exactly (2500 bytes): pad a
     * shorter block instead. */
    {
        uint8_t *t2, *f2;
        size_t s2, n2 = 19999;
        f2 = pivot_file(n2, L, &t2, &s2);
        h278_block b2;
        CHECK(h278_read_block(f2 + H278_FILE_HEADER_SIZE, s2 - H278_FILE_HEADER_SIZE, (uint32_t)n2, L, &b2) == H278_OK);
        uint8_t *r2 = (uint8_t *)b2.stream[0];
        r2[h278_pivot_count_bytes(n2) + n2 / 8] |= 0x80; /* bit 7 of the last bitmap byte: padding */
        CHECKF(parse(f2, s2, n2, L) == H278_ERR_CORRUPT_STREAM, "padding bit set");
        free(t2);
        free(f2);
    }
    CHECK(parse(file, size, n, L) == H278_OK);

    /* Payload one byte short (the block header says so) and one longer. */
    uint32_t payload = h278_load32(blk + 8);
    h278_store32(blk + 8, payload - 1);
    CHECKF(parse(file, size - 1, n, L) == H278_ERR_PIVOT_REGION, "one byte short");
    h278_store32(blk + 8, payload + 1);
    {
        uint8_t *longer = malloc(size + 1);
        memcpy(longer, file, size);
        longer[size] = 0;
        CHECKF(parse(longer, size + 1, n, L) == H278_ERR_PIVOT_REGION, "one byte left over");
        free(longer);
    }
    h278_store32(blk + 8, payload);
    blk[2] = 4;
    CHECKF(parse(file, size, n, L) == H278_ERR_BAD_STREAM_COUNT, "pivot with K = 4");
    blk[2] = 1;
    blk[3] = H278_BLOCK_FLAG_PIVOT | H278_BLOCK_FLAG_SPREAD;
    CHECKF(parse(file, size, n, L) == H278_ERR_BAD_FLAGS, "pivot and spread");
    blk[3] = H278_BLOCK_FLAG_PIVOT;
    CHECK(parse(file, size, n, L) == H278_OK);

    /* Damage after parsing: random bytes over the regions, one stretch at a
     * time, decoded by every pivot variant and the oracle. */
    h278_decoder *decs[8];
    size_t ndecs = 0;
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (h278_variant_available(i) && (h278_variant_layouts(i) & H278_LAYOUTS_PIVOT) &&
            h278_decoder_new(h278_variant_name(i), NULL, &decs[ndecs]) == H278_OK)
            ndecs++;
    CHECK(ndecs >= 2);
    const size_t len = size - H278_FILE_HEADER_SIZE;
    uint8_t *copy = malloc(len);
    uint8_t *out = malloc(n + 2 * GUARD);
    uint64_t rng = 0x9e3779b9;
    const size_t regions_at = (size_t)(b.stream[0] - blk);
    for (int round = 0; round < 300; round++) {
        memcpy(copy, blk, len);
        h278_block d;
        CHECK(h278_read_block(copy, len, (uint32_t)n, L, &d) == H278_OK);
        size_t at = regions_at + h278_test_rand(&rng) % (len - regions_at);
        size_t stretch = 1 + h278_test_rand(&rng) % 16;
        for (size_t k = at; k < at + stretch && k < len; k++)
            copy[k] = (uint8_t)h278_test_rand(&rng);
        if (round % 3 == 0) /* counts: the first bytes of the root */
            h278_pivot_store_count(copy + regions_at, n, (uint32_t)(h278_test_rand(&rng) % (2 * n)));
        for (size_t v = 0; v < ndecs; v++) {
            memset(out, 0xA5, n + 2 * GUARD);
            h278_error err = h278_decoder_build(decs[v], &d);
            if (!err)
                err = h278_decoder_decode(decs[v], &d, out + GUARD, n);
            (void)err; /* garbage or an error: both are fine, going outside is not */
            int guards = 1;
            for (size_t g = 0; g < GUARD; g++)
                guards &= out[g] == 0xA5 && out[GUARD + n + g] == 0xA5;
            CHECKF(guards, "round %d: %s wrote outside its output", round, h278_decoder_name(decs[v]));
        }
    }
    for (size_t v = 0; v < ndecs; v++)
        h278_decoder_free(decs[v]);
    free(copy);
    free(out);
    free(text);
    free(file);
    return h278_test_finish();
}
