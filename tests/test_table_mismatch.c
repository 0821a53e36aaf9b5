/*
 * test_table_mismatch.c - a decode never trusts that its tables were built
 * for the block it is given. Every variant's tables carry the shape they
 * were built for (variant.h, h278_table_desc); decoding a block with a
 * longer (or shorter) longest code, or without any build, is refused with
 * H278_ERR_TABLE_MISMATCH instead of indexing a table past its end. The
 * SIMD variants also refuse a block with another stream count, and the
 * API refuses a block whose variant (own loop or fallback) differs from
 * the one that built the tables. The pivot variants, whose scratch is
 * sized for the block they were built for, refuse a larger block, and the
 * oracle refuses a block of the other layout than it was built for.
 * Matching blocks still decode exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

/* One compressed single-block file of n bytes whose symbols follow a
 * geometric-like spread over `symbols` values (more symbols: longer codes);
 * il: 0 segmented, 1 interleaved, 2 pivot. */
typedef struct sample {
    uint8_t *data, *file;
    size_t n, file_size;
    h278_block b;
} sample;

static int make_sample(sample *s, size_t n, unsigned symbols, unsigned L, unsigned K, int il, uint64_t seed)
{
    h278_enc_params p = {L, K, 1u << 17, il == 1, il == 2};
    s->n = n;
    s->data = malloc(n);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = h278_test_rand(&seed);
        unsigned sym = 0;
        while (sym + 1 < symbols && (r & 1)) { /* P(sym) about 2^-(sym + 1) */
            sym++;
            r >>= 1;
        }
        s->data[i] = (uint8_t)('a' + sym);
    }
    uint64_t bound = h278_compress_bound(n, &p);
    s->file = malloc(bound);
    if (h278_compress(s->data, n, &p, s->file, bound, &s->file_size) != H278_OK)
        return 0;
    return h278_read_block(s->file + H278_FILE_HEADER_SIZE, s->file_size - H278_FILE_HEADER_SIZE, (uint32_t)n, L,
                           &s->b) == H278_OK &&
           s->b.type == H278_BLOCK_HUFFMAN;
}

static void free_sample(sample *s)
{
    free(s->data);
    free(s->file);
}

int main(void)
{
    /* Same L and layout, different longest codes: 6 symbols (short codes)
     * and 12 (codes up to 11 bits). */
    sample shorter, longer, other_k;
    CHECK(make_sample(&shorter, 20000, 6, 11, 32, 1, 1));
    CHECK(make_sample(&longer, 20000, 12, 11, 32, 1, 2));
    CHECK(make_sample(&other_k, 20000, 12, 11, 16, 1, 2));
    CHECKF(shorter.b.code_max_len < longer.b.code_max_len, "longest codes %u and %u", shorter.b.code_max_len,
           longer.b.code_max_len);
    CHECK(longer.b.code_max_len == other_k.b.code_max_len);
    sample shorter_p, longer_p, bigger_p;
    CHECK(make_sample(&shorter_p, 20000, 6, 11, 1, 2, 1));
    CHECK(make_sample(&longer_p, 20000, 12, 11, 1, 2, 2));
    CHECK(make_sample(&bigger_p, 40000, 12, 11, 1, 2, 2));
    CHECK(longer_p.b.code_max_len == bigger_p.b.code_max_len && shorter_p.b.code_max_len < longer_p.b.code_max_len);
    uint8_t *out = malloc(40000);

    for (size_t i = 0; i < h278_variant_count(); i++) {
        const char *name = h278_variant_name(i);
        h278_decoder *d = NULL;
        if (!h278_variant_available(i) || h278_decoder_new(name, NULL, &d) != H278_OK)
            continue;
        const int pivot = !(h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC);
        const sample *sh = pivot ? &shorter_p : &shorter, *lo = pivot ? &longer_p : &longer;
        /* No build at all. */
        CHECKF(h278_decoder_decode(d, &lo->b, out, 20000) == H278_ERR_TABLE_MISMATCH, "%s: no build", name);
        /* Built for short codes, given long ones, and the reverse. */
        CHECK(h278_decoder_build(d, &sh->b) == H278_OK);
        CHECKF(h278_decoder_decode(d, &lo->b, out, 20000) == H278_ERR_TABLE_MISMATCH, "%s: longer codes", name);
        CHECK(h278_decoder_build(d, &lo->b) == H278_OK);
        CHECKF(h278_decoder_decode(d, &sh->b, out, 20000) == H278_ERR_TABLE_MISMATCH, "%s: shorter codes",
               name);
        /* The block built for decodes exactly. */
        CHECKF(h278_decoder_decode(d, &lo->b, out, 20000) == H278_OK && memcmp(out, lo->data, 20000) == 0,
               "%s: matching block", name);
        if (pivot) {
            /* Same code, twice the symbols: more than the scratch built for. */
            h278_error e = h278_decoder_decode(d, &bigger_p.b, out, 40000);
            CHECKF(e == H278_ERR_TABLE_MISMATCH, "%s: larger block: %s", name, h278_strerror(e));
            h278_decoder_free(d);
            continue;
        }
        if (h278_variant_layouts(i) & H278_LAYOUTS_PIVOT) {
            /* The oracle: tables built for one layout, a block of the other. */
            CHECK(h278_decoder_build(d, &longer_p.b) == H278_OK);
            CHECKF(h278_decoder_decode(d, &longer.b, out, 20000) == H278_ERR_TABLE_MISMATCH, "%s: layout", name);
            CHECK(h278_decoder_build(d, &longer.b) == H278_OK);
            CHECKF(h278_decoder_decode(d, &longer_p.b, out, 20000) == H278_ERR_TABLE_MISMATCH, "%s: layout", name);
            CHECK(h278_decoder_build(d, &longer.b) == H278_OK);
        }
        /* Another stream count with the same longest code: the scalar
         * variants' tables do not depend on K, the SIMD lanes' do. */
        h278_error e = h278_decoder_decode(d, &other_k.b, out, 20000);
        if (h278_variant_fallback(i))
            CHECKF(e == H278_ERR_TABLE_MISMATCH, "%s: K=16 block on K=32 tables: %s", name, h278_strerror(e));
        else
            CHECKF(e == H278_OK && memcmp(out, other_k.data, 20000) == 0, "%s: K=16 block", name);
        h278_decoder_free(d);
    }

    /* A variant with a fallback: tables built by its own loop do not
     * decode a block it hands on, and the reverse. */
    sample segmented, spread;
    CHECK(make_sample(&segmented, 20000, 12, 11, 4, 0, 2));
    CHECK(make_sample(&spread, 20000, 12, 11, 32, 0, 2));
    CHECK(spread.b.flags == H278_BLOCK_FLAG_SPREAD);
    const sample *shapes[] = {&segmented, &longer, &spread};
    for (size_t i = 0; i < h278_variant_count(); i++) {
        h278_decoder *d = NULL;
        if (!h278_variant_fallback(i) || !h278_variant_available(i) ||
            h278_decoder_new(h278_variant_name(i), NULL, &d) != H278_OK)
            continue;
        const sample *own = NULL, *handed = NULL;
        for (size_t j = 0; j < 3; j++) {
            if (h278_variant_takes(i, &shapes[j]->b) && !own)
                own = shapes[j];
            if (!h278_variant_takes(i, &shapes[j]->b) && !handed)
                handed = shapes[j];
        }
        CHECKF(own && handed, "%s takes some of the shapes and hands on others", h278_variant_name(i));
        if (!own || !handed) {
            h278_decoder_free(d);
            continue;
        }
        CHECK(h278_decoder_build(d, &own->b) == H278_OK);
        CHECK(h278_decoder_decode(d, &handed->b, out, 20000) == H278_ERR_TABLE_MISMATCH);
        CHECK(h278_decoder_build(d, &handed->b) == H278_OK);
        CHECK(h278_decoder_decode(d, &own->b, out, 20000) == H278_ERR_TABLE_MISMATCH);
        CHECK(h278_decoder_decode(d, &handed->b, out, 20000) == H278_OK && memcmp(out, handed->data, 20000) == 0);
        h278_decoder_free(d);
    }

    free(out);
    free_sample(&shorter);
    free_sample(&longer);
    free_sample(&other_k);
    free_sample(&segmented);
    free_sample(&spread);
    free_sample(&shorter_p);
    free_sample(&longer_p);
    free_sample(&bigger_p);
    return h278_test_finish();
}
