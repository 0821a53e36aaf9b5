/*
 * test_variants_match_oracle.c - every available decoder variant produces the
 * oracle's bytes on every corpus file, every edge case and every (L, K,
 * layout) combination.
 *
 * All (L, K, layout) combinations run on the first 48 KiB of each corpus file
 * and on the edge cases; whole files run at the combinations the benchmarks
 * use most. Set H278_TEST_QUICK=1 (as the sanitizer runs do) to skip the
 * whole-file pass over the large files.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

static h278_decoder *decoders[64];
static size_t ndecoders;

/* Compresses data with p, decodes with every variant, compares. */
static void check_all(const char *what, const uint8_t *data, size_t n, const h278_enc_params *p)
{
    uint64_t bound = h278_compress_bound(n, p);
    uint8_t *comp = malloc(bound);
    uint8_t *out = malloc(n + 1);
    size_t clen, olen;
    h278_error err = h278_compress(data, n, p, comp, bound, &clen);
    CHECKF(err == H278_OK, "%s L=%u K=%u: compress: %s", what, p->max_len, p->streams, h278_strerror(err));
    for (size_t d = 0; d < ndecoders && !err; d++) {
        memset(out, 0xEE, n + 1);
        h278_error e = h278_decompress(decoders[d], comp, clen, out, n, &olen, NULL);
        CHECKF(e == H278_OK && olen == n && memcmp(out, data, n) == 0, "%s L=%u K=%u il=%d: %s: %s",
               what, p->max_len, p->streams, p->interleaved, h278_decoder_name(decoders[d]),
               h278_strerror(e));
        CHECKF(out[n] == 0xEE, "%s: %s wrote past the end", what, h278_decoder_name(decoders[d]));
    }
    free(comp);
    free(out);
}

static void all_combinations(const char *what, const uint8_t *data, size_t n, uint32_t block_size)
{
    static const unsigned ks[] = {1, 4, 8, 16, 32};
    for (unsigned L = 1; L <= 20; L++)
        for (unsigned ki = 0; ki < 5; ki++)
            for (int il = 0; il < 2; il++) {
                if (il && ks[ki] == 1)
                    continue;
                h278_enc_params p = {L, ks[ki], block_size, il};
                check_all(what, data, n, &p);
            }
}

int main(void)
{
    int quick = getenv("H278_TEST_QUICK") != NULL;
    for (size_t i = 0; i < h278_variant_count(); i++) {
        if (!h278_variant_available(i)) {
            printf("skipping %s: not available on this CPU\n", h278_variant_name(i));
            continue;
        }
        h278_error err = h278_decoder_new(h278_variant_name(i), NULL, &decoders[ndecoders]);
        CHECK(err == H278_OK);
        if (!err)
            ndecoders++;
    }

    const char *name;
    uint8_t *data;
    size_t n;
    for (size_t i = 0; h278_test_edge_case(i, 4096, &data, &n, &name); i++) {
        all_combinations(name, data, n, 4096);
        free(data);
    }

    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    CHECKF(files > 0, "no corpus files found");
    for (size_t f = 0; f < files; f++) {
        data = h278_test_read_file(paths[f], &n);
        CHECKF(data != NULL, "%s", paths[f]);
        if (!data)
            continue;
        all_combinations(paths[f], data, n < 48 * 1024 ? n : 48 * 1024, 16 * 1024);
        if (!quick || n <= (1u << 20)) {
            h278_enc_params p;
            h278_enc_params_default(&p);
            static const unsigned whole[][3] = {{11, 4, 0}, {15, 8, 0}, {12, 32, 1}, {20, 1, 0}};
            for (size_t c = 0; c < sizeof whole / sizeof whole[0]; c++) {
                p.max_len = whole[c][0];
                p.streams = whole[c][1];
                p.interleaved = (int)whole[c][2];
                check_all(paths[f], data, n, &p);
            }
        }
        free(data);
    }
    for (size_t d = 0; d < ndecoders; d++)
        h278_decoder_free(decoders[d]);
    return h278_test_finish();
}
