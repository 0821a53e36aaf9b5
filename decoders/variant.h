/*
 * variant.h - the one small interface every decoder variant implements.
 *
 * A variant is a table of three functions (and, for variants that decode
 * only some blocks themselves, a fourth and the variant that decodes the
 * others). The registry (registry.c) lists them all; the public API, the tests, the fuzzers and the benchmarks loop
 * over the registry, so a new variant is one new file plus one registry line.
 *
 * The API layer handles STORED and RUN blocks itself and calls a variant only
 * for HUFFMAN blocks that h278_read_block() has fully validated: lengths form
 * a complete code of at least two symbols, every length is at most
 * b->max_len <= 20, stream pointers and sizes lie inside the caller's buffer,
 * and b->stream_symbols[] says how many symbols each stream holds. A variant
 * must still treat stream *contents* as hostile: it may never read outside
 * [b->stream[i], b->stream[i] + b->stream_size[i]) nor write outside
 * dst[0 .. b->decoded_size), and it must return H278_ERR_CORRUPT_STREAM when
 * a stream runs out early, is not consumed into its last byte, or has
 * non-zero padding bits after its last code (exactly as decode_tree.c).
 * A pivot-layout block has one "stream", its node regions, whose counts
 * and popcounts the parser checked (pivot.h); a pivot variant must still
 * stay inside the block and dst if the bitmaps change after that check,
 * and may then decode garbage, which the block checksum rejects.
 */
#ifndef H278_VARIANT_H
#define H278_VARIANT_H

#include "h278.h"

/* CPU features a variant may need (see cpu.h). */
#define H278_CPU_AVX2 0x1u
#define H278_CPU_AVX512 0x2u  /* AVX-512 F, BW, VL, VBMI, VBMI2 */
#define H278_CPU_BMI2 0x4u

typedef struct h278_variant {
    const char *name;    /* stable: used on command lines and in benchmark names */
    const char *summary; /* one line for --list-decoders */
    uint32_t cpu_needs;  /* H278_CPU_* bits the variant cannot run without */
    /* Bytes of table memory for a code whose longest length is code_max_len
     * (1..20). The API allocates this much, 64-byte aligned. */
    size_t (*table_bytes)(unsigned code_max_len, const h278_params *p);
    /* Variants that need working memory per block (the pivot decoders):
     * bytes of it for block b, allocated after table_bytes. NULL: none. */
    size_t (*scratch_bytes)(const h278_block *b);
    /* Builds the tables of block b into tables. */
    h278_error (*build)(const h278_block *b, const h278_params *p, void *tables);
    /* Decodes b into dst[0 .. b->decoded_size) using the tables of build(). */
    h278_error (*decode)(const h278_block *b, const h278_params *p, const void *tables,
                         uint8_t *dst);
    /* Variants whose own loop suits only some blocks (the SIMD lanes need
     * many interleaved streams): whether it takes b. NULL: every block.
     * The API hands the other blocks to `fallback`, and build() and
     * decode() are only ever called with blocks that takes() accepts. */
    int (*takes)(const h278_block *b);
    const struct h278_variant *fallback;
    /* H278_LAYOUTS_* bits; 0 means H278_LAYOUTS_CLASSIC. A block of another
     * layout is refused (H278_ERR_LAYOUT_MISMATCH), never handed on: a
     * benchmark row must time the variant it names. */
    unsigned layouts;
} h278_variant;

/* The registry: all variants compiled in, available or not. */
extern const h278_variant *const h278_variants[];
extern const size_t h278_variants_count;

/* What "simd" stands for: variant names, fastest first, NULL-terminated;
 * the first one available wins (h278_variant_resolve). The second list is
 * the same for pivot blocks. */
extern const char *const h278_simd_preference[];
extern const char *const h278_simd_pivot_preference[];

/* The layout of a HUFFMAN block, as an H278_LAYOUTS_* bit. */
static inline unsigned h278_block_layout(const h278_block *b)
{
    return (b->flags & H278_BLOCK_FLAG_PIVOT) ? H278_LAYOUTS_PIVOT : H278_LAYOUTS_CLASSIC;
}

/* Whether v decodes blocks of b's layout. */
static inline int h278_variant_decodes_layout(const h278_variant *v, const h278_block *b)
{
    return ((v->layouts ? v->layouts : H278_LAYOUTS_CLASSIC) & h278_block_layout(b)) != 0;
}

/* The variant that decodes b when v is asked to: v, or the first of its
 * chain of fallbacks that takes b (the chain ends in one that takes all). */
static inline const h278_variant *h278_variant_for_block(const h278_variant *v, const h278_block *b)
{
    while (v->takes && h278_variant_decodes_layout(v, b) && !v->takes(b))
        v = v->fallback;
    return v;
}

/* Index of the output byte that symbol j of stream s goes to. Decoders use
 * this only on slow paths; their fast loops step pointers instead. */
static inline uint32_t h278_out_index(const h278_block *b, unsigned s, uint32_t j)
{
    if (b->flags & H278_BLOCK_FLAG_INTERLEAVED)
        return s + j * b->streams;
    return s * h278_segment_symbols(b->decoded_size, b->streams, b->flags) + j;
}

/*
 * What every variant's tables begin with (zstd's DTableDesc): the shape of
 * the block they were built for. A decode compares it with the block it is
 * given and refuses a mismatch (H278_ERR_TABLE_MISMATCH) instead of
 * trusting that the caller built the tables for this block: a table built
 * for shorter codes than the block has would be indexed past its end.
 */
typedef struct h278_table_desc {
    uint8_t code_max_len; /* the longest code of the block built for */
    uint8_t width;        /* bits that index the first-level table */
    uint8_t streams;      /* K of that block (the SIMD lanes' tables depend on it) */
} h278_table_desc;

static inline h278_table_desc h278_table_desc_of(const h278_block *b, unsigned width)
{
    return (h278_table_desc){b->code_max_len, (uint8_t)width, b->streams};
}

/* Whether the code has codes longer than the first-level table: the
 * two-tier decoders then resolve them through a search. */
static inline int h278_table_desc_long_codes(const h278_table_desc *d)
{
    return d->code_max_len > d->width;
}

/* Whether tables described by d may decode b: same longest code (so the
 * same table width and the same long-code handling). */
static inline int h278_table_desc_fits(const h278_table_desc *d, const h278_block *b)
{
    return d->code_max_len == b->code_max_len;
}

#endif /* H278_VARIANT_H */
