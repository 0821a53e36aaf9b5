/*
 * test_roundtrip_corpora.c - compress then decompress every corpus file with
 * the oracle at several L and K, byte for byte, with blocks of several sizes;
 * and check that each block's checksum and the coded size behave.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

int main(void)
{
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    CHECKF(files >= 10, "expected the Canterbury corpora, found %zu files", files);
    h278_decoder *tree;
    CHECK(h278_decoder_new("tree", NULL, &tree) == H278_OK);

    static const unsigned Ls[] = {8, 11, 12, 15, 20};
    static const unsigned Ks[] = {1, 4, 32};
    static const uint32_t Bs[] = {128 << 10, 1000, 1 << 20};
    for (size_t f = 0; f < files; f++) {
        size_t n;
        uint8_t *data = h278_test_read_file(paths[f], &n);
        CHECKF(data != NULL, "%s", paths[f]);
        if (!data)
            continue;
        for (size_t li = 0; li < 5; li++)
            for (size_t ki = 0; ki < 3; ki++) {
                h278_enc_params p = {Ls[li], Ks[ki], Bs[(li + ki) % 3], (int)(ki == 2), 0};
                uint64_t bound = h278_compress_bound(n, &p);
                uint8_t *comp = malloc(bound), *out = malloc(n + 1);
                size_t clen = 0, olen = 0;
                h278_error err = h278_compress(data, n, &p, comp, bound, &clen);
                CHECKF(err == H278_OK, "%s: %s", paths[f], h278_strerror(err));
                uint64_t declared = 0;
                CHECK(h278_decompressed_size(comp, clen, &declared) == H278_OK && declared == n);
                err = h278_decompress(tree, comp, clen, out, n, &olen, NULL);
                CHECKF(err == H278_OK && olen == n && memcmp(out, data, n) == 0,
                       "%s L=%u K=%u B=%u: %s", paths[f], p.max_len, p.streams, p.block_size,
                       h278_strerror(err));
                /* Never more than a header per block above the input. */
                uint64_t blocks = (n + p.block_size - 1) / p.block_size;
                CHECK(clen <= n + H278_FILE_HEADER_SIZE + blocks * H278_BLOCK_HEADER_SIZE);
                free(comp);
                free(out);
            }
        free(data);
    }
    h278_decoder_free(tree);
    return h278_test_finish();
}
