/*
 * test_edge_cases.c - the encoder picks the right block type for awkward
 * inputs, and everything round-trips through the oracle: empty input, one
 * byte, one distinct symbol (RUN), incompressible bytes (STORED), more
 * distinct symbols than 2^L allows (STORED), sizes around block boundaries,
 * and fewer symbols than streams (empty streams).
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

/* Compresses, checks the round trip, returns the type of block 0 (or -1). */
static int roundtrip(const char *what, const uint8_t *data, size_t n, const h278_enc_params *p,
                     h278_decoder *tree, size_t *clen_out)
{
    uint64_t bound = h278_compress_bound(n, p);
    uint8_t *comp = malloc(bound), *out = malloc(n + 1);
    size_t clen = 0, olen = 0;
    h278_error err = h278_compress(data, n, p, comp, bound, &clen);
    CHECKF(err == H278_OK, "%s: %s", what, h278_strerror(err));
    err = h278_decompress(tree, comp, clen, out, n, &olen, NULL);
    CHECKF(err == H278_OK && olen == n && memcmp(out, data, n) == 0, "%s: %s", what, h278_strerror(err));
    int type = clen > H278_FILE_HEADER_SIZE ? comp[H278_FILE_HEADER_SIZE] : -1;
    *clen_out = clen;
    free(comp);
    free(out);
    return type;
}

int main(void)
{
    h278_decoder *tree;
    CHECK(h278_decoder_new("tree", NULL, &tree) == H278_OK);
    h278_enc_params p;
    h278_enc_params_default(&p);
    size_t clen;

    /* Every edge case at a few settings. */
    const char *name;
    uint8_t *data;
    size_t n;
    for (size_t i = 0; h278_test_edge_case(i, 4096, &data, &n, &name); i++) {
        for (unsigned k = 1; k <= 32; k *= 2) {
            if (k == 2)
                continue;
            h278_enc_params q = {k == 1 ? 20 : 11, k, 4096, k >= 16, 0};
            roundtrip(name, data, n, &q, tree, &clen);
        }
        free(data);
    }

    /* Empty input: a header and no blocks. */
    uint8_t byte = 'x';
    CHECK(roundtrip("empty", &byte, 0, &p, tree, &clen) == -1 && clen == H278_FILE_HEADER_SIZE);

    /* One byte, and one symbol repeated: RUN blocks of 17 bytes. */
    CHECK(roundtrip("one byte", &byte, 1, &p, tree, &clen) == H278_BLOCK_RUN);
    CHECK(clen == H278_FILE_HEADER_SIZE + H278_BLOCK_HEADER_SIZE + 1);
    uint8_t *same = malloc(300000);
    memset(same, 7, 300000);
    CHECK(roundtrip("run", same, 300000, &p, tree, &clen) == H278_BLOCK_RUN);
    CHECK(clen == H278_FILE_HEADER_SIZE + 3 * (H278_BLOCK_HEADER_SIZE + 1));

    /* Random bytes do not compress: STORED. */
    uint64_t seed = 42;
    uint8_t *rnd = malloc(100000);
    for (size_t i = 0; i < 100000; i++)
        rnd[i] = (uint8_t)h278_test_rand(&seed);
    CHECK(roundtrip("random", rnd, 100000, &p, tree, &clen) == H278_BLOCK_STORED);
    CHECK(clen == H278_FILE_HEADER_SIZE + H278_BLOCK_HEADER_SIZE + 100000);

    /* Two symbols: HUFFMAN, one bit each. */
    for (size_t i = 0; i < 300000; i++)
        same[i] = (uint8_t)(rnd[i % 100000] & 1);
    CHECK(roundtrip("two symbols", same, 300000, &p, tree, &clen) == H278_BLOCK_HUFFMAN);

    /* 20 symbols at L=4 cannot be coded (2^4 < 20): STORED, still exact;
     * at L=5 it can. */
    for (size_t i = 0; i < 300000; i++)
        same[i] = (uint8_t)(rnd[i % 100000] % 20);
    h278_enc_params tight = {4, 4, 65536, 0, 0};
    CHECK(roundtrip("too many symbols for L", same, 300000, &tight, tree, &clen) == H278_BLOCK_STORED);
    tight.max_len = 5;
    CHECK(roundtrip("20 symbols at L=5", same, 300000, &tight, tree, &clen) == H278_BLOCK_HUFFMAN);

    /* Every block size edge: sizes around multiples of the block size. */
    for (uint32_t bs = 256; bs <= 4096; bs *= 4)
        for (size_t len = bs - 2; len <= 2 * (size_t)bs + 2; len += bs / 2 - 1) {
            h278_enc_params q = {11, 8, bs, (int)(len & 1), 0};
            roundtrip("around block sizes", same, len, &q, tree, &clen);
        }

    /* Parameters the format forbids are rejected, not written. */
    h278_enc_params bad = p;
    bad.max_len = 21;
    CHECK(h278_enc_params_check(&bad) == H278_ERR_BAD_MAX_LEN);
    bad = p;
    bad.streams = 3;
    CHECK(h278_enc_params_check(&bad) == H278_ERR_BAD_STREAM_COUNT);
    bad = p;
    bad.block_size = 100;
    CHECK(h278_enc_params_check(&bad) == H278_ERR_BAD_BLOCK_SIZE);
    uint8_t small[64];
    CHECK(h278_compress(rnd, 1000, &p, small, sizeof small, &clen) == H278_ERR_OUTPUT_TOO_SMALL);

    free(same);
    free(rnd);
    h278_decoder_free(tree);
    return h278_test_finish();
}
