/*
 * test_table_widths.c - the width parameters of the two-tier decoders
 * change their speed, never their output: every hybrid short_bits and every
 * multisym table_bits in the valid range (6..14) decodes every input to the
 * original bytes, including blocks whose codes reach L = 20, where most
 * codes longer than the table go through the second tier (the canonical
 * search). Out-of-range widths are refused with H278_ERR_BAD_PARAM, and the
 * reported table memory grows by exactly the documented entry size per
 * added bit (2 bytes per hybrid entry, 4 + 2 per multisym entry).
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

/* Compresses data with (L, K, layout), decodes it with the variant at the
 * given parameters and returns the decode error; checks the bytes on
 * success. */
static h278_error roundtrip(const char *variant, const h278_params *params, const uint8_t *data,
                            size_t n, unsigned L, unsigned K, int il, unsigned *code_max_len)
{
    h278_enc_params p = {L, K, 64 * 1024, il, 0};
    uint64_t bound = h278_compress_bound(n, &p);
    uint8_t *comp = malloc(bound), *out = malloc(n);
    size_t clen = 0, olen = 0;
    h278_error err = h278_compress(data, n, &p, comp, bound, &clen);
    CHECKF(err == H278_OK, "compress: %s", h278_strerror(err));
    if (code_max_len) {
        h278_block b;
        *code_max_len = 0;
        if (h278_read_block(comp + H278_FILE_HEADER_SIZE, clen - H278_FILE_HEADER_SIZE,
                            n < p.block_size ? (uint32_t)n : p.block_size, L, &b) == H278_OK)
            *code_max_len = b.code_max_len;
    }
    h278_decoder *d = NULL;
    err = h278_decoder_new(variant, params, &d); /* refuses widths out of range (checked by the callers) */
    CHECKF(err == H278_OK || err == H278_ERR_BAD_PARAM, "%s: %s", variant, h278_strerror(err));
    if (!err) {
        err = h278_decompress(d, comp, clen, out, n, &olen, NULL);
        if (!err)
            CHECKF(olen == n && memcmp(out, data, n) == 0, "%s L=%u K=%u: wrong bytes", variant, L, K);
    }
    h278_decoder_free(d);
    free(comp);
    free(out);
    return err;
}

static h278_params width(const char *variant, unsigned bits)
{
    h278_params p = {0, 0};
    if (strcmp(variant, "hybrid") == 0)
        p.short_bits = bits;
    else
        p.table_bits = bits;
    return p;
}

static size_t variant_index(const char *name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (strcmp(h278_variant_name(i), name) == 0)
            return i;
    CHECKF(0, "no variant %s", name);
    return 0;
}

int main(void)
{
    static const char *const variants[] = {"hybrid", "multisym"};

    /* Symbol frequencies that follow the Fibonacci numbers give the longest
     * codes a length limit allows. */
    size_t nfib = 90000;
    uint8_t *fib = malloc(nfib);
    for (size_t i = 0, s = 0, run = 1, prev = 1, left = 1; i < nfib; i++) {
        fib[i] = (uint8_t)s;
        if (--left == 0 && s < 30) {
            size_t next = run + prev;
            prev = run;
            run = next;
            left = run;
            s++;
        }
    }

    size_t ntext = 0;
    uint8_t *text = NULL;
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    for (size_t f = 0; f < files && !text; f++)
        if (strstr(paths[f], "/alice29.txt"))
            text = h278_test_read_file(paths[f], &ntext);
    CHECKF(text != NULL, "alice29.txt not found");
    if (text && ntext > 100000)
        ntext = 100000;

    for (size_t v = 0; v < 2; v++) {
        const char *name = variants[v];
        for (unsigned bits = 6; bits <= 14; bits++) {
            h278_params params = width(name, bits);
            unsigned longest = 0;
            h278_error err = roundtrip(name, &params, fib, nfib, 20, 4, 0, &longest);
            CHECKF(err == H278_OK, "%s bits=%u, L=20: %s", name, bits, h278_strerror(err));
            CHECKF(longest == 20, "the long-code input has codes of %u bits, not 20", longest);
            err = roundtrip(name, &params, fib, nfib, 20, 1, 0, NULL);
            CHECKF(err == H278_OK, "%s bits=%u, L=20 K=1: %s", name, bits, h278_strerror(err));
            err = roundtrip(name, &params, fib, nfib, 16, 8, 1, NULL);
            CHECKF(err == H278_OK, "%s bits=%u, L=16 K=8i: %s", name, bits, h278_strerror(err));
            if (text) {
                for (unsigned L = 11; L <= 15; L += 4) {
                    err = roundtrip(name, &params, text, ntext, L, 4, 0, NULL);
                    CHECKF(err == H278_OK, "%s bits=%u, text L=%u: %s", name, bits, L, h278_strerror(err));
                    err = roundtrip(name, &params, text, ntext, L, 8, 1, NULL);
                    CHECKF(err == H278_OK, "%s bits=%u, text L=%u K=8i: %s", name, bits, L,
                           h278_strerror(err));
                }
            }
        }

        static const unsigned bad[] = {1, 2, 5, 15, 16, 20, 21, 1000};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            h278_params params = width(name, bad[i]);
            h278_error err = roundtrip(name, &params, fib, 5000, 12, 4, 0, NULL);
            CHECKF(err == H278_ERR_BAD_PARAM, "%s bits=%u: %s", name, bad[i], h278_strerror(err));
        }

        /* Table memory: one more bit doubles the entries. */
        size_t entry = v == 0 ? 2 : 6, idx = variant_index(name);
        for (unsigned bits = 6; bits < 14; bits++) {
            h278_params a = width(name, bits), b = width(name, bits + 1);
            size_t grow = h278_variant_table_bytes(idx, 20, &b) - h278_variant_table_bytes(idx, 20, &a);
            CHECKF(grow == entry << bits, "%s: %zu more bytes from %u to %u bits", name, grow, bits,
                   bits + 1);
        }
    }
    free(fib);
    free(text);
    return h278_test_finish();
}
