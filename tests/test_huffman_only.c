/*
 * test_huffman_only.c - h278_encode_block_huffman (what h278 explain --text
 * codes a word with): a short input that h278_encode_block would store
 * comes out as a HUFFMAN block, in every layout and stream count, and every
 * variant that takes the block decodes it to the original bytes (a block
 * larger than its input is still a valid block). A one-symbol input stays
 * a RUN block; an alphabet larger than 2^L is refused.
 */
#include <string.h>

#include "h278.h"
#include "testutil.h"

static void round_trip(const char *word, const h278_enc_params *p)
{
    const size_t n = strlen(word);
    uint8_t block[4096], plain[4096], out[64];
    size_t size, plain_size;
    CHECK(h278_encode_block((const uint8_t *)word, n, p, plain, sizeof plain, &plain_size) == H278_OK);
    CHECKF(plain[0] == H278_BLOCK_STORED, "%s: h278_encode_block made type %u, not STORED", word, plain[0]);
    CHECK(h278_encode_block_huffman((const uint8_t *)word, n, p, block, sizeof block, &size) == H278_OK);
    h278_block b;
    CHECKF(h278_read_block(block, size, (uint32_t)n, p->max_len, &b) == H278_OK && b.type == H278_BLOCK_HUFFMAN &&
               size > plain_size,
           "%s, K=%u%s: not a HUFFMAN block larger than stored", word, p->streams,
           p->pivot ? " pivot" : p->interleaved ? " interleaved" : "");
    for (size_t v = 0; v < h278_variant_count(); v++) {
        if (!h278_variant_available(v) || !(h278_variant_layouts(v) & (p->pivot ? H278_LAYOUTS_PIVOT
                                                                                : H278_LAYOUTS_CLASSIC)))
            continue;
        h278_decoder *d;
        CHECK(h278_decoder_new(h278_variant_name(v), NULL, &d) == H278_OK);
        memset(out, 0, sizeof out);
        const h278_error err = h278_decode_block(d, &b, out, sizeof out);
        CHECKF(err == H278_OK && memcmp(out, word, n) == 0, "%s decodes %s (K=%u) wrong: %s",
               h278_variant_name(v), word, p->streams, h278_strerror(err));
        h278_decoder_free(d);
    }
}

int main(void)
{
    static const char *const words[] = {"AB", "ABRACADABRA", "MISSISSIPPI", "the quick brown fox"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        for (int layout = 0; layout < 3; layout++)
            for (unsigned k = 1; k <= 32; k *= 2) {
                if (!h278_streams_legal(k) || (layout == 2 && k != 4))
                    continue;
                h278_enc_params p;
                h278_enc_params_default(&p);
                p.streams = k;
                p.interleaved = layout == 1;
                p.pivot = layout == 2;
                round_trip(words[w], &p);
            }
    h278_enc_params p;
    h278_enc_params_default(&p);
    uint8_t block[4096];
    size_t size;
    CHECK(h278_encode_block_huffman((const uint8_t *)"AAAA", 4, &p, block, sizeof block, &size) == H278_OK &&
          block[0] == H278_BLOCK_RUN);
    p.max_len = 2;
    CHECK(h278_encode_block_huffman((const uint8_t *)"abcde", 5, &p, block, sizeof block, &size) ==
          H278_ERR_CODE_TOO_LONG);
    return h278_test_finish();
}
