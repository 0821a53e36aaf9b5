/*
 * fuzz_decode.c - libFuzzer target: every decoder variant against the oracle.
 *
 * The input picks, like zstd's huf_decompress fuzzer, what runs:
 *   byte 0   which available variant (modulo their number)
 *   byte 1   bit 0: 0 = the rest is an H278 file to decode as is (hostile);
 *                   1 = the rest is data that is compressed first, with
 *            byte 2   L (1..20), byte 3 K (1, 4, 8, 16, 32) and layout,
 *            byte 4   block size (256 .. 64 KiB), so valid files get deep
 *                     coverage of every (L, K, layout)
 *   byte 5   the variant's parameter (short_bits / table_bits; 0 = default,
 *            out-of-range values must be rejected with H278_ERR_BAD_PARAM)
 * The variant must succeed exactly when the tree oracle does, with the same
 * error, and produce the same bytes. Input and output buffers end right
 * before a guard page, so an over-read or overrun faults.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "h278.h"

#define MAX_OUTPUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static h278_error run(const char *name, const h278_params *p, const uint8_t *file, size_t n,
                      uint8_t *out, size_t cap, size_t *got)
{
    h278_decoder *d;
    h278_error err = h278_decoder_new(name, p, &d);
    if (err)
        return err;
    err = h278_decompress(d, file, n, out, cap, got, NULL);
    h278_decoder_free(d);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    size_t available[64], navail = 0;
    for (size_t i = 0; i < h278_variant_count() && navail < 64; i++)
        if (h278_variant_available(i))
            available[navail++] = i;
    const char *name = h278_variant_name(available[data[0] % navail]);
    h278_params params = {data[5] % 18, data[5] % 18};

    const uint8_t *file = data + 6;
    size_t n = size - 6;
    uint8_t *compressed = NULL;
    if (data[1] & 1) {
        static const unsigned ks[] = {1, 4, 8, 16, 32};
        h278_enc_params e = {1 + data[2] % 20, ks[data[3] % 5], 256u + (uint32_t)data[4] * 256u,
                             (data[3] >> 4) & 1};
        uint64_t bound = h278_compress_bound(n, &e);
        compressed = malloc(bound);
        size_t clen;
        if (!compressed || h278_compress(file, n, &e, compressed, bound, &clen) != H278_OK)
            __builtin_trap(); /* the encoder takes any input */
        file = compressed;
        n = clen;
    }

    h278_guarded in, want, got;
    uint64_t declared = 0;
    size_t cap = h278_decompressed_size(file, n, &declared) == H278_OK && declared <= MAX_OUTPUT
                     ? (size_t)declared : 64;
    if (h278_guarded_alloc(&in, n) || h278_guarded_alloc(&want, cap) || h278_guarded_alloc(&got, cap))
        abort();
    memcpy(in.data, file, n);

    size_t want_n = 0, got_n = 0;
    h278_error oracle = run("tree", NULL, in.data, n, want.data, cap, &want_n);
    h278_error result = run(name, &params, in.data, n, got.data, cap, &got_n);
    if (result == H278_ERR_BAD_PARAM) {
        if (params.short_bits == 0)
            __builtin_trap(); /* defaults are always valid */
    } else if (result != oracle || (result == H278_OK && (got_n != want_n || memcmp(got.data, want.data, got_n)))) {
        __builtin_trap();
    }
    if ((data[1] & 1) && oracle != H278_OK)
        __builtin_trap(); /* what the encoder writes always decodes */

    h278_guarded_free(&in);
    h278_guarded_free(&want);
    h278_guarded_free(&got);
    free(compressed);
    return 0;
}
