/*
 * variant.h - the one small interface every decoder variant implements.
 *
 * A variant is a table of three functions. The registry (registry.c) lists
 * them all; the public API, the tests, the fuzzers and the benchmarks loop
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
 */
#ifndef H278_VARIANT_H
#define H278_VARIANT_H

#include "h278.h"

/* CPU features a variant may need (see cpu.h). */
#define H278_CPU_AVX2 0x1u
#define H278_CPU_AVX512 0x2u  /* AVX-512 F, BW, VL, VBMI, VBMI2 */

typedef struct h278_variant {
    const char *name;    /* stable: used on command lines and in benchmark names */
    const char *summary; /* one line for --list-decoders */
    uint32_t cpu_needs;  /* H278_CPU_* bits the variant cannot run without */
    /* Bytes of table memory for a code whose longest length is code_max_len
     * (1..20). The API allocates this much, 64-byte aligned. */
    size_t (*table_bytes)(unsigned code_max_len, const h278_params *p);
    /* Builds the tables of block b into tables. */
    h278_error (*build)(const h278_block *b, const h278_params *p, void *tables);
    /* Decodes b into dst[0 .. b->decoded_size) using the tables of build(). */
    h278_error (*decode)(const h278_block *b, const h278_params *p, const void *tables,
                         uint8_t *dst);
} h278_variant;

/* The registry: all variants compiled in, available or not. */
extern const h278_variant *const h278_variants[];
extern const size_t h278_variants_count;

/* Index of the output byte that symbol j of stream s goes to. Decoders use
 * this only on slow paths; their fast loops step pointers instead. */
static inline uint32_t h278_out_index(const h278_block *b, unsigned s, uint32_t j)
{
    if (b->flags & H278_BLOCK_FLAG_INTERLEAVED)
        return s + j * b->streams;
    return s * ((b->decoded_size + b->streams - 1) / b->streams) + j;
}

/* Reverses the low n bits of x. */
static inline uint32_t h278_reverse_bits(uint32_t x, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

#endif /* H278_VARIANT_H */
