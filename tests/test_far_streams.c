/*
 * test_far_streams.c - a block whose streams lie far apart in memory
 * decodes like the oracle with every variant.
 *
 * h278_read_block points a block's streams into the one buffer it parsed,
 * so they are at most a block apart; a caller may also build an h278_block
 * by hand with its streams anywhere. avx2-multi keeps its lanes' input
 * positions as 32-bit bit offsets and decodes a block whose streams span
 * more than it can address with its finish alone (decode_avx2_multi.c);
 * this test takes that path and the others: the streams of a K=32
 * segmented block and of a K=32 interleaved one are copied half to the
 * start of a 288 MiB allocation and half past 2^28 bytes, where 8 times
 * the distance no longer fits 31 bits (the pages in between are never
 * touched).
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

#define FAR_OFFSET (((size_t)1 << 28) + 4096u)
#define FAR_BYTES (FAR_OFFSET + ((size_t)32 << 20))

static void check_layout(const uint8_t *data, uint32_t n, int interleaved, uint8_t *far)
{
    h278_enc_params p = {11, 32, 1u << 17, interleaved, 0};
    uint64_t bound = h278_compress_bound(n, &p);
    uint8_t *comp = malloc(bound), *want = malloc(n), *got = malloc(n);
    size_t clen = 0;
    CHECK(h278_compress(data, n, &p, comp, bound, &clen) == H278_OK);
    h278_file_header fh;
    h278_block b;
    CHECK(h278_read_file_header(comp, clen, &fh) == H278_OK && fh.block_count == 1);
    CHECK(h278_read_block(comp + H278_FILE_HEADER_SIZE, clen - H278_FILE_HEADER_SIZE, n, fh.max_len, &b) ==
          H278_OK);
    CHECK(b.type == H278_BLOCK_HUFFMAN && b.streams == 32);

    /* Streams 0-15 near the start, 16-31 past 2^28 bytes. */
    h278_block moved = b;
    size_t near = 0, away = FAR_OFFSET;
    for (unsigned s = 0; s < b.streams; s++) {
        size_t *at = s < 16 ? &near : &away;
        memcpy(far + *at, b.stream[s], b.stream_size[s]);
        moved.stream[s] = far + *at;
        *at += b.stream_size[s] + 64;
    }
    CHECK(near < FAR_OFFSET && away <= FAR_BYTES);

    h278_decoder *oracle = NULL;
    CHECK(h278_decoder_new("tree", NULL, &oracle) == H278_OK);
    CHECK(h278_decoder_build(oracle, &moved) == H278_OK && h278_decoder_decode(oracle, &moved, want, n) == H278_OK);
    CHECK(memcmp(want, data, n) == 0);
    for (size_t i = 0; i < h278_variant_count(); i++) {
        h278_decoder *d = NULL;
        if (!h278_variant_available(i) || !(h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC) ||
            h278_decoder_new(h278_variant_name(i), NULL, &d) != H278_OK)
            continue;
        memset(got, 0, n);
        h278_error err = h278_decoder_build(d, &moved);
        if (!err)
            err = h278_decoder_decode(d, &moved, got, n);
        CHECKF(err == H278_OK && memcmp(got, data, n) == 0, "%s, K=32%s, streams 2^28 bytes apart: %s",
               h278_variant_name(i), interleaved ? "i" : "", h278_strerror(err));
        h278_decoder_free(d);
    }
    h278_decoder_free(oracle);
    free(comp);
    free(want);
    free(got);
}

int main(void)
{
    /* Text-like bytes: one 128 KiB block. */
    uint32_t n = 1u << 17;
    uint8_t *data = malloc(n);
    h278_test_fill_text_like(data, n, 11, 'a');
    uint8_t *far = malloc(FAR_BYTES);
    CHECK(far != NULL);
    if (far) {
        check_layout(data, n, 0, far);
        check_layout(data, n, 1, far);
    }
    free(far);
    free(data);
    return h278_test_finish();
}
