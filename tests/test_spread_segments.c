/*
 * test_spread_segments.c - format version 2's spread segments
 * (H278_BLOCK_FLAG_SPREAD, docs/FORMAT.md):
 *   - the segment length S is the smallest odd multiple of 64 not below
 *     ceil(n / K), for sizes around the multiples of 64 and of K;
 *   - the encoder sets the flag exactly on segmented blocks of K >= 16
 *     and writes version 2 exactly then (other files stay version 1);
 *   - the parser's per-stream symbol counts follow S: every stream but the
 *     last (non-empty) one holds S, they add up to n, trailing streams may
 *     be empty;
 *   - such files decode to the original bytes with every variant (text-like
 *     bytes, and bytes whose codes are 6 or 7 bits long), and version-1
 *     files of the other layouts decode too.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

static void check_segment_rule(void)
{
    static const uint32_t sizes[] = {1, 63, 64, 65, 1000, 4095, 4096, 4097, 131072, 131071, 129024, 16777216};
    static const unsigned ks[] = {2, 4, 16, 32};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
            uint32_t n = sizes[i], k = ks[j], plain = (n + k - 1) / k;
            uint32_t s = h278_segment_symbols(n, k, H278_BLOCK_FLAG_SPREAD);
            CHECKF(h278_segment_symbols(n, k, 0) == plain, "n=%u K=%u: plain S", n, k);
            CHECKF(s % 64 == 0 && (s / 64) % 2 == 1 && s >= plain && s < plain + 128, "n=%u K=%u: S=%u", n, k, s);
            /* The smallest such: the odd multiple of 64 below it is below plain. */
            CHECKF(s < 128 || s - 128 < plain, "n=%u K=%u: S=%u is not the smallest", n, k, s);
        }
    /* The case the flag exists for: 128 KiB in 32 streams would be 4 KiB
     * apart; spread, they are 4160 symbols apart. */
    CHECK(h278_segment_symbols(131072, 32, H278_BLOCK_FLAG_SPREAD) == 4160);
}

static void check_file(const uint8_t *data, size_t n, unsigned k, int il)
{
    h278_enc_params p = {11, k, 1u << 17, il, 0};
    uint64_t bound = h278_compress_bound(n, &p);
    uint8_t *comp = malloc(bound), *out = malloc(n + 1);
    size_t clen = 0;
    CHECK(h278_compress(data, n, &p, comp, bound, &clen) == H278_OK);
    int spread = !il && k >= 16;
    CHECKF(comp[4] == (spread ? 2 : 1), "K=%u%s: version %u", k, il ? "i" : "", comp[4]);

    h278_file_header fh;
    CHECK(h278_read_file_header(comp, clen, &fh) == H278_OK);
    size_t pos = H278_FILE_HEADER_SIZE;
    for (uint64_t bi = 0; bi < fh.block_count; bi++) {
        h278_block b;
        uint32_t size = h278_block_decoded_size(&fh, bi);
        if (h278_read_block(comp + pos, clen - pos, size, fh.max_len, &b) != H278_OK) {
            CHECKF(0, "K=%u block %llu does not parse", k, (unsigned long long)bi);
            break;
        }
        pos += b.total_size;
        if (b.type != H278_BLOCK_HUFFMAN)
            continue;
        CHECKF(!!(b.flags & H278_BLOCK_FLAG_SPREAD) == spread, "K=%u%s: flags %u", k, il ? "i" : "", b.flags);
        if (il)
            continue;
        uint32_t s = h278_segment_symbols(size, k, b.flags), total = 0;
        for (unsigned i = 0; i < k; i++) {
            uint32_t want = (uint64_t)i * s >= size ? 0 : (size - i * s < s ? size - i * s : s);
            CHECKF(b.stream_symbols[i] == want, "K=%u stream %u: %u symbols, want %u", k, i, b.stream_symbols[i],
                   want);
            total += b.stream_symbols[i];
        }
        CHECK(total == size);
    }

    for (size_t i = 0; i < h278_variant_count(); i++) {
        h278_decoder *d = NULL;
        if (!h278_variant_available(i) || !(h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC) ||
            h278_decoder_new(h278_variant_name(i), NULL, &d) != H278_OK)
            continue;
        size_t olen = 0;
        h278_error err = h278_decompress(d, comp, clen, out, n, &olen, NULL);
        CHECKF(err == H278_OK && olen == n && memcmp(out, data, n) == 0, "%s on K=%u%s: %s", h278_variant_name(i),
               k, il ? "i" : "", h278_strerror(err));
        h278_decoder_free(d);
    }
    free(comp);
    free(out);
}

int main(void)
{
    check_segment_rule();
    /* Text-like bytes: a few hundred KiB, so there are full 128 KiB
     * blocks and a short last one, and a size that is no multiple of 64. */
    size_t n = 300001;
    uint8_t *data = malloc(n);
    uint64_t seed = 7;
    h278_test_fill_text_like(data, n, seed, ' ');
    static const unsigned ks[] = {1, 4, 8, 16, 32};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++)
        for (int il = 0; il < 2; il++)
            if (!(il && ks[j] == 1))
                check_file(data, n, ks[j], il);
    /* Small inputs: trailing streams are empty. */
    check_file(data, 700, 32, 0);
    check_file(data, 65, 16, 0);
    /* Codes of 6 and 7 bits (90 equally likely bytes): tables whose
     * entries hold at most two symbols (decode_avx512_multi.c stores once
     * per round for them). */
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)('!' + h278_test_rand(&seed) % 90);
    check_file(data, n, 32, 0);
    check_file(data, n, 16, 0);
    free(data);
    return h278_test_finish();
}
