/*
 * test_variants_match_oracle.c - every available decoder variant produces the
 * oracle's bytes on every corpus file, every edge case and every (L, K,
 * layout) combination.
 *
 * All (L, K, layout) combinations run on the first 48 KiB of each corpus file
 * and on the edge cases; whole files run at the combinations the benchmarks
 * use most. A variant asked to decode a layout it does not take (the pivot
 * decoders and the classic ones, each other's) must refuse it with
 * H278_ERR_LAYOUT_MISMATCH. Set H278_TEST_QUICK=1 (as the sanitizer runs do) to skip the
 * whole-file pass over the large files.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

static h278_decoder *decoders[64];
static unsigned layouts[64];
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
    const unsigned layout = p->pivot ? H278_LAYOUTS_PIVOT : H278_LAYOUTS_CLASSIC;
    for (size_t d = 0; d < ndecoders && !err; d++) {
        memset(out, 0xEE, n + 1);
        h278_error e = h278_decompress(decoders[d], comp, clen, out, n, &olen, NULL);
        if (!(layouts[d] & layout)) {
            /* Blocks stored or run-length coded decode anywhere. */
            CHECKF(e == H278_ERR_LAYOUT_MISMATCH || (e == H278_OK && memcmp(out, data, n) == 0),
                   "%s L=%u pivot=%d: %s: %s", what, p->max_len, p->pivot, h278_decoder_name(decoders[d]),
                   h278_strerror(e));
            continue;
        }
        CHECKF(e == H278_OK && olen == n && memcmp(out, data, n) == 0, "%s L=%u K=%u il=%d pivot=%d: %s: %s",
               what, p->max_len, p->streams, p->interleaved, p->pivot, h278_decoder_name(decoders[d]),
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
                h278_enc_params p = {L, ks[ki], block_size, il, 0};
                check_all(what, data, n, &p);
            }
    for (unsigned L = 1; L <= 20; L++) {
        h278_enc_params p = {L, 1, block_size, 0, 1};
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
        layouts[ndecoders] = h278_variant_layouts(i);
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
            /* L, K, layout: 0 segmented, 1 interleaved, 2 pivot */
            static const unsigned whole[][3] = {{11, 4, 0}, {15, 8, 0}, {12, 32, 1}, {20, 1, 0}, {11, 1, 2},
                                                {8, 1, 2},  {20, 1, 2}};
            for (size_t c = 0; c < sizeof whole / sizeof whole[0]; c++) {
                p.max_len = whole[c][0];
                p.streams = whole[c][1];
                p.interleaved = whole[c][2] == 1;
                p.pivot = whole[c][2] == 2;
                check_all(paths[f], data, n, &p);
            }
        }
        free(data);
    }
    for (size_t d = 0; d < ndecoders; d++)
        h278_decoder_free(decoders[d]);
    return h278_test_finish();
}
