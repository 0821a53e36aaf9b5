/*
 * pivot.h - the pivot layout's tree, its regions, and the decode plan every
 * pivot decoder runs (docs/FORMAT.md, "Pivot layout"; docs/DECODERS.md).
 *
 * What will bite you:
 * - The tree is NOT the canonical tree. It has the same code lengths, but
 *   its shape follows the rule in h278_pivot_shape_build(), which gathers
 *   same-length leaves into flat subtrees. Encoder, parser and decoders all
 *   call that one function; a second implementation of the rule would be a
 *   second format.
 * - A node's region size depends on how many symbols pass through it, and
 *   that is only known once its parent's count has been read: regions can
 *   only be found by walking the nodes in order (h278_pivot_regions()).
 * - h278_read_block() checks every count against its bitmap's popcount, but
 *   a block in shared memory can change after that check. The plan
 *   (h278_pivot_plan_build()) re-reads the counts and bounds every region
 *   again, and every merge kernel must bound its reads by the counts,
 *   never by the bitmap: a lying bitmap then decodes garbage inside the
 *   buffers.
 */
#ifndef H278_PIVOT_H
#define H278_PIVOT_H

#include "variant.h"

enum h278_pivot_kind {
    H278_PIVOT_LEAF = 0,  /* one symbol: every symbol reaching it is that symbol */
    H278_PIVOT_FLAT = 1,  /* 2^D leaves, all D levels below: packed D-bit codes */
    H278_PIVOT_MIXED = 2, /* anything else: a count and one bit per symbol */
};

/* The largest flat depth: 2^D leaves need 2^D distinct symbols. */
#define H278_PIVOT_MAX_FLAT_BITS 8u
/* H278_PIVOT_MAX_NODES (h278.h): a complete code of n <= 256 symbols has n
 * leaves and n - 1 internal nodes; a flat node stands for 2^D leaves and
 * 2^D - 1 internal ones, so a shape never has more nodes than the full
 * tree. */

typedef struct h278_pivot_node {
    uint8_t kind;      /* enum h278_pivot_kind */
    uint8_t depth;     /* depth of the node in the code tree (root: 0) */
    uint8_t flat_bits; /* FLAT: D, 1..8 */
    uint8_t symbol;    /* LEAF: the symbol */
    uint16_t child[2]; /* MIXED: node indices of the 0- and 1-child */
    uint16_t first;    /* FLAT: its 2^D symbols are flat_symbols[first ..] */
} h278_pivot_node;

/* The tree of one code, nodes in preorder (node 0 is the root; a node's
 * 0-subtree follows it, then its 1-subtree): the order of the regions. */
typedef struct h278_pivot_shape {
    uint16_t count;
    h278_pivot_node node[H278_PIVOT_MAX_NODES];
    uint8_t flat_symbols[256]; /* FLAT node symbols, by packed code value */
} h278_pivot_shape;

/* The shape of a complete code (lengths as in h278_block). Returns
 * H278_ERR_CODE_OVERSUBSCRIBED / _INCOMPLETE / _TOO_FEW for lengths that
 * are not a complete code of two or more symbols. */
h278_error h278_pivot_shape_build(const uint8_t lengths[256], h278_pivot_shape *shape);

/* Bytes of a MIXED node's count when n symbols pass through it: as few as
 * hold n (the count is at most n), so small nodes pay one byte, not four. */
static inline unsigned h278_pivot_count_bytes(uint64_t n)
{
    return n < 0x100u ? 1u : n < 0x10000u ? 2u : n < 0x1000000u ? 3u : 4u;
}

/* The count of a MIXED node that n symbols pass through (little-endian). */
static inline uint32_t h278_pivot_load_count(const uint8_t *region, uint64_t n)
{
    uint32_t count = 0;
    for (unsigned i = h278_pivot_count_bytes(n); i-- > 0;)
        count = count << 8 | region[i];
    return count;
}

static inline void h278_pivot_store_count(uint8_t *region, uint64_t n, uint32_t count)
{
    for (unsigned i = 0; i < h278_pivot_count_bytes(n); i++)
        region[i] = (uint8_t)(count >> (8 * i));
}

/* Bytes of a node's region when n symbols pass through it. */
static inline uint64_t h278_pivot_region_bytes(const h278_pivot_node *node, uint64_t n)
{
    switch (node->kind) {
    case H278_PIVOT_FLAT:
        return (n * node->flat_bits + 7) / 8;
    case H278_PIVOT_MIXED:
        return h278_pivot_count_bytes(n) + (n + 7) / 8;
    default:
        return 0;
    }
}

/* Where each node's region lies, for one block. */
typedef struct h278_pivot_region {
    uint32_t symbols; /* symbols passing through the node */
    uint32_t offset;  /* of the region, from the start of the regions */
} h278_pivot_region;

/*
 * Walks the regions (size bytes at p) of a block of n symbols in node
 * order and fills region[] (shape->count entries). Errors:
 * H278_ERR_PIVOT_COUNT (a count above the symbols reaching the node, or,
 * with check_bitmaps, not the popcount of the bitmap), H278_ERR_PIVOT_REGION
 * (regions past the end, or bytes left over), H278_ERR_CORRUPT_STREAM
 * (with check_bitmaps: padding bits not zero).
 */
h278_error h278_pivot_regions(const h278_pivot_shape *shape, const uint8_t *p, uint32_t size,
                              uint32_t n, int check_bitmaps, h278_pivot_region *region);

/* ---- The decode plan ------------------------------------------------------- */

/*
 * Pivot decoders decode bottom-up: every node writes the symbols passing
 * through it, in block order, into a buffer of its own, and a MIXED node
 * merges its children's buffers under its bitmap. The plan says which
 * buffers. Its steps are in preorder and run in reverse: every subtree
 * runs before its root, one subtree after the other.
 *
 * - The root's buffer is the block's output.
 * - A MIXED node's larger non-leaf child (the "tail" child) writes into the
 *   END of its parent's buffer. The merge then reads it from there while
 *   writing the parent's symbols from the start: after i symbols are
 *   written, of which t came from the tail child, the next tail symbol sits
 *   at (n - n_tail) + t >= i, so the write never overtakes the read.
 * - The other child, when it is not a leaf, writes into free memory
 *   above the parent's own, and both subtrees use the memory above that;
 *   the other child has at most half the parent's symbols, so scratch
 *   never exceeds n + H278_PIVOT_SLACK * depth bytes. Below the root,
 *   free memory is first the start of the output, up to where the root's
 *   tail child begins: nothing writes there before the root's merge, the
 *   last step. What does not fit there goes to scratch, as does the
 *   root's own other child, which that merge reads. (Less scratch touched
 *   is less cache spent: docs/DECODERS.md has the measurement.)
 * - A leaf child writes nothing: the merge puts its symbol in directly.
 */
typedef struct h278_pivot_step {
    uint8_t kind;        /* FLAT or MIXED */
    uint8_t flat_bits;   /* FLAT: D */
    uint8_t tail_bit;    /* MIXED: the bitmap value that picks the tail child */
    uint8_t other_leaf;  /* MIXED: the other child is a leaf (other_symbol) */
    uint8_t other_symbol;
    uint32_t symbols;    /* n: symbols this node writes */
    uint32_t tail_symbols;  /* MIXED: symbols of the tail child */
    uint8_t *out;        /* where the node writes its n symbols */
    const uint8_t *other;   /* MIXED, other child not a leaf: its buffer */
    const uint8_t *bits;    /* FLAT: the packed codes; MIXED: the bitmap */
    const uint8_t *flat_symbols; /* FLAT: 2^D symbols */
} h278_pivot_step;

typedef struct h278_pivot_plan {
    uint32_t count;
    h278_pivot_step step[H278_PIVOT_MAX_NODES];
} h278_pivot_plan;

/* Bytes every scratch buffer may be read past its end (SIMD loads), and the
 * slack the plan leaves after each one. */
#define H278_PIVOT_SLACK 64u

/* Scratch bytes the plan of a block of n symbols may use. */
static inline size_t h278_pivot_scratch_bytes(uint32_t n)
{
    return (size_t)n + (H278_MAX_CODE_LEN + 2) * H278_PIVOT_SLACK;
}

/* The plan of block b (pivot layout) decoded with shape into dst, with
 * scratch_size bytes of scratch. Re-checks counts and regions (the block may
 * have changed since it was parsed): H278_ERR_CORRUPT_STREAM if they do not
 * fit. */
h278_error h278_pivot_plan_build(const h278_pivot_shape *shape, const h278_block *b, uint8_t *dst,
                                 uint8_t *scratch, size_t scratch_size, h278_pivot_plan *plan);

/* ---- What the pivot variants share (variant.h's functions) ------------------ */

/* Their tables: the shape, followed by the plan's scratch. */
typedef struct h278_pivot_tables {
    h278_table_desc desc;
    uint32_t scratch_capacity; /* for the block built for */
    h278_pivot_shape shape;
} h278_pivot_tables;

size_t h278_pivot_table_bytes(unsigned code_max_len, const h278_params *p);
size_t h278_pivot_block_scratch_bytes(const h278_block *b);
h278_error h278_pivot_build(const h278_block *b, const h278_params *p, void *tables);
/* A pivot variant's kernel for one step (FLAT or MIXED). */
typedef void (*h278_pivot_kernel)(const h278_pivot_step *step);

/* A pivot variant's decode: checks that tables fit b (else
 * H278_ERR_TABLE_MISMATCH), plans b into dst and runs every step through
 * the variant's kernel of its kind. */
h278_error h278_pivot_decode_with(const h278_block *b, const void *tables, uint8_t *dst, h278_pivot_kernel flat,
                                  h278_pivot_kernel mixed);

#endif /* H278_PIVOT_H */
