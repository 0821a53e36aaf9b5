/*
 * api.c - decoder objects and whole-buffer decompression over the registry.
 *
 * A decoder object is a variant plus its parameters plus table memory that
 * grows to the largest code it has seen, so a stream of blocks costs one
 * allocation, not one per block. STORED and RUN blocks are handled here, so
 * variants only ever see validated HUFFMAN blocks; a block that a variant
 * does not take (variant.h) goes to its fallback, build and decode alike.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "variant.h"

struct h278_decoder {
    const h278_variant *v;
    const h278_variant *pivot_v; /* "simd": what decodes pivot blocks; else NULL */
    const h278_variant *built; /* the variant whose tables the last build made; NULL: none */
    h278_params params;
    void *raw;       /* what malloc returned */
    void *tables;    /* raw aligned to 64 bytes */
    size_t capacity; /* usable bytes at tables */
};

size_t h278_variant_count(void)
{
    return h278_variants_count;
}

const char *h278_variant_name(size_t i)
{
    return i < h278_variants_count ? h278_variants[i]->name : NULL;
}

const char *h278_variant_summary(size_t i)
{
    return i < h278_variants_count ? h278_variants[i]->summary : NULL;
}

int h278_variant_available(size_t i)
{
    if (i >= h278_variants_count)
        return 0;
    uint32_t needs = h278_variants[i]->cpu_needs;
    return (h278_cpu_features() & needs) == needs;
}

size_t h278_variant_table_bytes(size_t i, unsigned code_max_len, const h278_params *p)
{
    static const h278_params defaults;
    if (i >= h278_variants_count || code_max_len < 1 || code_max_len > H278_MAX_CODE_LEN)
        return 0;
    return h278_variants[i]->table_bytes(code_max_len, p ? p : &defaults);
}

int h278_variant_takes(size_t i, const h278_block *b)
{
    return i < h278_variants_count && h278_variant_decodes_layout(h278_variants[i], b) &&
           h278_variant_for_block(h278_variants[i], b) == h278_variants[i];
}

unsigned h278_variant_layouts(size_t i)
{
    if (i >= h278_variants_count)
        return 0;
    return h278_variants[i]->layouts ? h278_variants[i]->layouts : H278_LAYOUTS_CLASSIC;
}

const char *h278_variant_fallback(size_t i)
{
    return i < h278_variants_count && h278_variants[i]->fallback ? h278_variants[i]->fallback->name : NULL;
}

/* The first available variant of a NULL-terminated preference list. */
static const h278_variant *first_available(const char *const *names)
{
    for (; *names; names++)
        for (size_t i = 0; i < h278_variants_count; i++)
            if (strcmp(h278_variants[i]->name, *names) == 0 && h278_variant_available(i))
                return h278_variants[i];
    return NULL;
}

/* name, or for "simd" the first available of the preference list. */
static const char *resolve_with(const char *name, const char *const *preference)
{
    if (!name || strcmp(name, "simd") != 0)
        return name;
    const h278_variant *v = first_available(preference);
    return v ? v->name : name;
}

const char *h278_variant_resolve(const char *name)
{
    return resolve_with(name, h278_simd_preference);
}

const char *h278_variant_resolve_pivot(const char *name)
{
    return resolve_with(name, h278_simd_pivot_preference);
}

/* A table width parameter: 0 (the variant's default) or in range. */
static int table_bits_valid(unsigned bits)
{
    return bits == 0 || (bits >= H278_TABLE_BITS_MIN && bits <= H278_TABLE_BITS_MAX);
}

h278_error h278_decoder_new(const char *name, const h278_params *params, h278_decoder **out)
{
    *out = NULL;
    if (!name)
        return H278_ERR_BAD_PARAM;
    if (params && !(table_bits_valid(params->short_bits) && table_bits_valid(params->table_bits)))
        return H278_ERR_BAD_PARAM;
    const char *asked = name;
    name = h278_variant_resolve(name);
    for (size_t i = 0; i < h278_variants_count; i++) {
        if (strcmp(h278_variants[i]->name, name) != 0)
            continue;
        if (!h278_variant_available(i))
            return H278_ERR_UNSUPPORTED_CPU;
        h278_decoder *d = calloc(1, sizeof *d);
        if (!d)
            return H278_ERR_NO_MEMORY;
        d->v = h278_variants[i];
        if (strcmp(asked, "simd") == 0)
            d->pivot_v = first_available(h278_simd_pivot_preference);
        if (params)
            d->params = *params;
        *out = d;
        return H278_OK;
    }
    return H278_ERR_UNKNOWN_DECODER;
}

void h278_decoder_free(h278_decoder *d)
{
    if (d) {
        free(d->raw);
        free(d);
    }
}

const char *h278_decoder_name(const h278_decoder *d)
{
    return d->v->name;
}

/* The variant of d that decodes b: the pivot one of "simd" for a pivot
 * block, else d's variant or its fallback (variant.h). */
static const h278_variant *variant_for(const h278_decoder *d, const h278_block *b)
{
    if (d->pivot_v && h278_block_layout(b) == H278_LAYOUTS_PIVOT)
        return d->pivot_v;
    return h278_variant_for_block(d->v, b);
}

h278_error h278_decoder_build(h278_decoder *d, const h278_block *b)
{
    if (b->type != H278_BLOCK_HUFFMAN)
        return H278_OK;
    const h278_variant *v = variant_for(d, b);
    d->built = NULL;
    if (!h278_variant_decodes_layout(v, b))
        return H278_ERR_LAYOUT_MISMATCH;
    size_t need = v->table_bytes(b->code_max_len, &d->params) + (v->scratch_bytes ? v->scratch_bytes(b) : 0);
    if (need > d->capacity) {
        void *raw = malloc(need + 63);
        if (!raw)
            return H278_ERR_NO_MEMORY;
        free(d->raw);
        d->raw = raw;
        d->tables = (void *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
        d->capacity = need;
    }
    h278_error err = v->build(b, &d->params, d->tables);
    if (!err)
        d->built = v;
    return err;
}

h278_error h278_decoder_decode(h278_decoder *d, const h278_block *b, uint8_t *dst, size_t dst_cap)
{
    if (dst_cap < b->decoded_size)
        return H278_ERR_OUTPUT_TOO_SMALL;
    switch (b->type) {
    case H278_BLOCK_STORED:
        memcpy(dst, b->payload, b->decoded_size);
        return H278_OK;
    case H278_BLOCK_RUN:
        memset(dst, b->payload[0], b->decoded_size);
        return H278_OK;
    default: {
        /* The variant checks that its tables fit b (variant.h, h278_table_desc). */
        const h278_variant *v = variant_for(d, b);
        if (!h278_variant_decodes_layout(v, b))
            return H278_ERR_LAYOUT_MISMATCH;
        if (!d->built || v != d->built)
            return H278_ERR_TABLE_MISMATCH;
        return d->built->decode(b, &d->params, d->tables, dst);
    }
    }
}

h278_error h278_decode_block(h278_decoder *d, const h278_block *b, uint8_t *dst, size_t dst_cap)
{
    h278_error err = h278_decoder_build(d, b);
    if (!err)
        err = h278_decoder_decode(d, b, dst, dst_cap);
    if (!err && h278_checksum(dst, b->decoded_size) != b->checksum)
        err = H278_ERR_CHECKSUM;
    return err;
}

h278_error h278_decompressed_size(const uint8_t *src, size_t n, uint64_t *size)
{
    h278_file_header fh;
    h278_error err = h278_read_file_header(src, n, &fh);
    if (!err)
        err = h278_check_file_size(&fh, n);
    if (!err)
        *size = fh.original_size;
    return err;
}

h278_error h278_decompress(h278_decoder *d, const uint8_t *src, size_t n, uint8_t *dst,
                           size_t dst_cap, size_t *out_size, uint64_t *bad_block)
{
    h278_file_header fh;
    h278_block b;
    h278_error err = h278_read_file_header(src, n, &fh);
    if (!err)
        err = h278_check_file_size(&fh, n);
    if (err)
        return err;
    if (fh.original_size > dst_cap)
        return H278_ERR_OUTPUT_TOO_SMALL;
    size_t pos = H278_FILE_HEADER_SIZE, out = 0;
    for (uint64_t i = 0; i < fh.block_count; i++) {
        uint32_t size = h278_block_decoded_size(&fh, i);
        err = h278_read_block(src + pos, n - pos, size, fh.max_len, &b);
        if (!err)
            err = h278_decode_block(d, &b, dst + out, dst_cap - out);
        if (err) {
            if (bad_block)
                *bad_block = i;
            return err;
        }
        pos += b.total_size;
        out += size;
    }
    if (pos != n)
        return H278_ERR_TRAILING_DATA;
    *out_size = out;
    return H278_OK;
}
