/*
 * fuzz_decode.c - libFuzzer target: every decoder variant against the oracle.
 *
 * The input picks, like zstd's huf_decompress fuzzer, what runs:
 *   byte 0   which available variant (modulo their number; the registry is
 *            walked at run time, so a new variant is fuzzed unchanged)
 *   byte 1   bit 0: 0 = the rest is an H278 file to decode as is (hostile),
 *                       with bit 1 set after its header checksum is made
 *                       to match, so hostile header fields get through;
 *                   1 = the rest is data that is compressed first, with
 *            byte 2   L (1..20), byte 3 K (1, 4, 8, 16, 32) and layout,
 *            byte 4   block size (256 .. 64 KiB), so valid files get deep
 *                     coverage of every (L, K, layout)
 *   byte 5   the variant's parameter (short_bits / table_bits; 0 = default,
 *            out-of-range values must be refused by h278_decoder_new with
 *            H278_ERR_BAD_PARAM; the input is then decoded with defaults)
 * The variant must succeed exactly when the tree oracle does, with the same
 * error, and produce the same bytes; whatever the encoder wrote must decode.
 *
 * Two passes, both differential: the whole file through h278_decompress, as
 * a caller uses it, and then block by block, each block's bytes copied to
 * end right before a guard page and each block's output exactly its decoded
 * size before another one. In the whole-file pass only the last block sits
 * at a guard page; the per-block pass makes an over-read past any block or
 * an overrun past any block's output fault, with or without ASan.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "h278.h"

/* Larger declared outputs are not allocated: the decoders then must all
 * report H278_ERR_OUTPUT_TOO_SMALL for the 64-byte buffer they get. */
#define MAX_OUTPUT (4u << 20)
#define SMALL_OUTPUT 64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Invariant broken: stop here so libFuzzer keeps the input. */
#define FUZZ_REQUIRE(cond)           \
    do {                             \
        if (!(cond))                 \
            __builtin_trap();        \
    } while (0)

static const char *pick_variant(uint8_t selector)
{
    size_t available[64], navail = 0;
    for (size_t i = 0; i < h278_variant_count() && navail < 64; i++)
        if (h278_variant_available(i))
            available[navail++] = i;
    return h278_variant_name(available[selector % navail]);
}

/* A variant may reject its parameters, but never the defaults. Returns
 * nonzero when err is such a rejection (nothing left to compare). */
static int rejected_param(h278_error err, const h278_params *p)
{
    if (err != H278_ERR_BAD_PARAM)
        return 0;
    FUZZ_REQUIRE(p->short_bits != 0 || p->table_bits != 0);
    return 1;
}

/* The layouts (H278_LAYOUTS_*) the named variant decodes; "tree" all. */
static unsigned layouts_of(const char *name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (strcmp(h278_variant_name(i), name) == 0)
            return h278_variant_layouts(i);
    return 0;
}

static h278_error decompress_with(const char *name, const h278_params *p, const uint8_t *file,
                                  size_t n, uint8_t *out, size_t cap, size_t *got)
{
    h278_decoder *d;
    h278_error err = h278_decoder_new(name, p, &d);
    FUZZ_REQUIRE(err == H278_OK); /* every available variant can be created */
    err = h278_decompress(d, file, n, out, cap, got, NULL);
    h278_decoder_free(d);
    return err;
}

/* Pass 1: the whole file, into buffers of the declared size. Returns the
 * oracle's verdict. */
static h278_error check_file(const char *name, const h278_params *p, const h278_guarded *in)
{
    uint64_t declared = 0;
    size_t cap = h278_decompressed_size(in->data, in->size, &declared) == H278_OK &&
                         declared <= MAX_OUTPUT
                     ? (size_t)declared : SMALL_OUTPUT;
    h278_guarded want, got;
    if (h278_guarded_alloc(&want, cap) || h278_guarded_alloc(&got, cap))
        abort();
    size_t want_n = 0, got_n = 0;
    h278_error oracle = decompress_with("tree", NULL, in->data, in->size, want.data, cap, &want_n);
    h278_error result = decompress_with(name, p, in->data, in->size, got.data, cap, &got_n);
    /* A variant meeting a block of a layout it does not decode stops there
     * (pass 2 checks that it does so exactly at such blocks). */
    const int other_layout = result == H278_ERR_LAYOUT_MISMATCH &&
                             layouts_of(name) != (H278_LAYOUTS_CLASSIC | H278_LAYOUTS_PIVOT);
    if (!rejected_param(result, p) && !other_layout) {
        FUZZ_REQUIRE(result == oracle);
        FUZZ_REQUIRE(result != H278_OK || (got_n == want_n && memcmp(got.data, want.data, got_n) == 0));
    }
    h278_guarded_free(&want);
    h278_guarded_free(&got);
    return oracle;
}

/* Pass 2: block by block, each on its own at a guard page. Returns the
 * oracle's verdict on the file's blocks (H278_OK when every block decoded). */
static h278_error check_blocks(const char *name, const h278_params *p, const h278_guarded *file)
{
    h278_file_header fh;
    h278_error err = h278_read_file_header(file->data, file->size, &fh);
    if (!err)
        err = h278_check_file_size(&fh, file->size);
    if (err)
        return err;
    size_t out_cap = fh.original_size < fh.block_size ? (size_t)fh.original_size : fh.block_size;
    if (out_cap > MAX_OUTPUT)
        return H278_OK; /* not allocated; pass 1 covered the file */

    h278_decoder *oracle, *variant;
    FUZZ_REQUIRE(h278_decoder_new("tree", NULL, &oracle) == H278_OK);
    FUZZ_REQUIRE(h278_decoder_new(name, p, &variant) == H278_OK);
    h278_guarded in, want, got;
    if (h278_guarded_alloc(&in, file->size) || h278_guarded_alloc(&want, out_cap) ||
        h278_guarded_alloc(&got, out_cap))
        abort();

    size_t pos = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < fh.block_count; i++) {
        uint32_t size = h278_block_decoded_size(&fh, i);
        h278_block b;
        err = h278_read_block(file->data + pos, file->size - pos, size, fh.max_len, &b);
        if (err)
            break;
        /* A block parses the same from exactly its own bytes. */
        uint32_t len = b.total_size;
        uint8_t *blk = h278_guarded_tail(&in, len);
        memcpy(blk, file->data + pos, len);
        FUZZ_REQUIRE(h278_read_block(blk, len, size, fh.max_len, &b) == H278_OK && b.total_size == len);

        uint8_t *w = h278_guarded_tail(&want, size), *g = h278_guarded_tail(&got, size);
        err = h278_decode_block(oracle, &b, w, size);
        h278_error result = h278_decode_block(variant, &b, g, size);
        if (rejected_param(result, p))
            break;
        const unsigned layout = (b.flags & H278_BLOCK_FLAG_PIVOT) ? H278_LAYOUTS_PIVOT : H278_LAYOUTS_CLASSIC;
        if (b.type == H278_BLOCK_HUFFMAN && !(layouts_of(name) & layout)) {
            FUZZ_REQUIRE(result == H278_ERR_LAYOUT_MISMATCH);
        } else {
            FUZZ_REQUIRE(result == err);
            FUZZ_REQUIRE(err != H278_OK || memcmp(w, g, size) == 0);
        }
        if (err)
            break;
        pos += len;
    }
    h278_guarded_free(&in);
    h278_guarded_free(&want);
    h278_guarded_free(&got);
    h278_decoder_free(oracle);
    h278_decoder_free(variant);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    const char *name = pick_variant(data[0]);
    h278_params params = {data[5] % 18u, data[5] % 18u}; /* 0 default, 6..14 valid */
    h278_decoder *probe = NULL;
    h278_error made = h278_decoder_new(name, &params, &probe);
    h278_decoder_free(probe);
    if (made) {
        FUZZ_REQUIRE(rejected_param(made, &params) && (params.table_bits < H278_TABLE_BITS_MIN ||
                                                        params.table_bits > H278_TABLE_BITS_MAX));
        params = (h278_params){0, 0};
    }
    const int encode = data[1] & 1;

    const uint8_t *file = data + 6;
    size_t n = size - 6;
    uint8_t *compressed = NULL;
    if (encode) {
        static const unsigned ks[] = {1, 4, 8, 16, 32};
        const int pivot = (data[3] >> 5) & 1;
        h278_enc_params e = {1u + data[2] % 20u, ks[data[3] % 5u], 256u + (uint32_t)data[4] * 256u,
                             !pivot && ((data[3] >> 4) & 1), pivot};
        uint64_t bound = h278_compress_bound(n, &e);
        compressed = malloc(bound);
        size_t clen;
        FUZZ_REQUIRE(compressed != NULL);
        FUZZ_REQUIRE(h278_compress(file, n, &e, compressed, bound, &clen) == H278_OK);
        file = compressed;
        n = clen;
    }

    h278_guarded in;
    if (h278_guarded_alloc(&in, n))
        abort();
    memcpy(in.data, file, n);
    free(compressed);
    if (!encode && (data[1] & 2))
        h278_fuzz_reseal(in.data, n);

    h278_error whole = check_file(name, &params, &in);
    h278_error blocks = check_blocks(name, &params, &in);
    /* What the encoder writes always decodes. */
    FUZZ_REQUIRE(!encode || (whole == H278_OK && blocks == H278_OK));
    h278_guarded_free(&in);
    return 0;
}
