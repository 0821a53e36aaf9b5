/*
 * decode_tree.c - the bitwise tree-walk decoder: the oracle.
 *
 * The code is turned into an explicit binary tree, and each symbol is found
 * by reading one bit at a time and stepping to the left (0) or right (1)
 * child until a leaf is reached. This is the slowest way to decode Huffman
 * codes and the easiest to believe, which is exactly its job: every other
 * variant is tested byte for byte against it.
 *
 * It deliberately shares nothing with the table decoders (not even the bit
 * reader), so a bug there cannot hide by being repeated here. Bits are read
 * straight from the stream bytes: bit i is bit (i & 7) of byte i >> 3.
 *
 * Worked example: lengths A=1, B=2, C=3, D=3 give canonical codes A=0,
 * B=10, C=110, D=111. The tree has a root whose 0-child is leaf A; its
 * 1-child's 0-child is leaf B, and so on. Reading bits 1,1,0 walks
 * root -> 1 -> 1 -> 0 and lands on C.
 *
 * Pivot blocks (pivot.h) are decoded the same way, one symbol at a time
 * from the root: the bit for a MIXED node is the next unread bit of that
 * node's bitmap, and a FLAT node's next packed code names the leaf. It
 * shares the format's own rule with the pivot decoders (the shape and the
 * region walk, pivot.c, which the parser uses too) and nothing else: no
 * plan, no merge, no scratch.
 */
#include <string.h>

#include "pivot.h"
#include "variant.h"

/* Node children: values >= 0x100 are internal nodes (index - 0x100); values
 * below are leaf symbols. A complete code over n symbols has n - 1 internal
 * nodes, at most 255. */
typedef struct tree_tables {
    h278_table_desc desc; /* width 1: one bit per step */
    int pivot;            /* built for a pivot block: shape, not child[] */
    uint16_t child[256][2];
    h278_pivot_shape shape;
} tree_tables;

enum { INTERNAL = 0x100, UNSET = 0xFFFF };

static size_t tree_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len;
    (void)p;
    return sizeof(tree_tables);
}

static h278_error tree_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    tree_tables *t = mem;
    uint32_t codes[256];
    unsigned nodes = 1;
    t->desc = h278_table_desc_of(b, 1);
    t->pivot = h278_block_layout(b) == H278_LAYOUTS_PIVOT;
    if (t->pivot)
        return h278_pivot_shape_build(b->lengths, &t->shape);
    memset(t->child, 0xFF, sizeof t->child);
    h278_canonical_codes(b->lengths, codes);
    for (unsigned s = 0; s < 256; s++) {
        unsigned len = b->lengths[s];
        if (!len)
            continue;
        unsigned node = 0;
        for (unsigned i = len; i-- > 1;) {
            unsigned bit = (codes[s] >> i) & 1u;
            uint16_t next = t->child[node][bit];
            if (next == UNSET) {
                if (nodes >= 256)
                    return H278_ERR_CODE_OVERSUBSCRIBED;
                next = (uint16_t)(INTERNAL + nodes++);
                t->child[node][bit] = next;
            } else if (next < INTERNAL) {
                return H278_ERR_CODE_OVERSUBSCRIBED; /* a shorter code is a prefix */
            }
            node = next - INTERNAL;
        }
        if (t->child[node][codes[s] & 1u] != UNSET)
            return H278_ERR_CODE_OVERSUBSCRIBED;
        t->child[node][codes[s] & 1u] = (uint16_t)s;
    }
    return H278_OK;
}

/* Bit i of a region, LSB first. */
static unsigned region_bit(const uint8_t *region, uint64_t i)
{
    return (region[i >> 3] >> (i & 7)) & 1u;
}

static h278_error tree_decode_pivot(const h278_block *b, const h278_pivot_shape *shape, uint8_t *dst)
{
    h278_pivot_region region[H278_PIVOT_MAX_NODES];
    uint64_t used[H278_PIVOT_MAX_NODES] = {0}; /* symbols each node has passed */
    const uint8_t *regions = b->stream[0];
    h278_error err = h278_pivot_regions(shape, regions, b->stream_size[0], b->decoded_size, 1, region);
    if (err)
        return err;
    for (uint32_t j = 0; j < b->decoded_size; j++) {
        unsigned i = 0;
        for (;;) {
            const h278_pivot_node *node = &shape->node[i];
            if (used[i] >= region[i].symbols)
                return H278_ERR_CORRUPT_STREAM; /* more symbols than its parent counted */
            uint64_t k = used[i]++;
            const uint8_t *r = regions + region[i].offset;
            if (node->kind == H278_PIVOT_LEAF) {
                dst[j] = node->symbol;
                break;
            }
            if (node->kind == H278_PIVOT_FLAT) {
                unsigned v = 0;
                for (unsigned t = 0; t < node->flat_bits; t++)
                    v |= region_bit(r, k * node->flat_bits + t) << t;
                dst[j] = shape->flat_symbols[node->first + v];
                break;
            }
            const uint8_t *bitmap = r + h278_pivot_count_bytes(region[i].symbols); /* after the count */
            i = node->child[region_bit(bitmap, k)];
        }
    }
    return H278_OK;
}

static h278_error tree_decode(const h278_block *b, const h278_params *p, const void *mem,
                              uint8_t *dst)
{
    (void)p;
    const tree_tables *t = mem;
    if (!h278_table_desc_fits(&t->desc, b) || t->pivot != (h278_block_layout(b) == H278_LAYOUTS_PIVOT))
        return H278_ERR_TABLE_MISMATCH;
    if (t->pivot)
        return tree_decode_pivot(b, &t->shape, dst);
    for (unsigned s = 0; s < b->streams; s++) {
        const uint8_t *in = b->stream[s];
        uint64_t nbits = (uint64_t)b->stream_size[s] * 8, pos = 0;
        /* Symbol j of stream s goes to out[j * out_step]. */
        uint8_t *out = dst + h278_out_index(b, s, 0);
        size_t out_step = h278_out_index(b, s, 1) - h278_out_index(b, s, 0);
        for (uint32_t j = 0; j < b->stream_symbols[s]; j++) {
            uint16_t node = INTERNAL;
            while (node >= INTERNAL) {
                if (pos >= nbits)
                    return H278_ERR_CORRUPT_STREAM;
                unsigned bit = (in[pos >> 3] >> (pos & 7)) & 1u;
                pos++;
                node = t->child[node - INTERNAL][bit];
                if (node == UNSET)
                    return H278_ERR_CORRUPT_STREAM; /* cannot happen for a complete code */
            }
            out[(size_t)j * out_step] = (uint8_t)node;
        }
        /* The stream must end in its last byte, padded with zero bits. */
        if ((pos + 7) / 8 != b->stream_size[s])
            return H278_ERR_CORRUPT_STREAM;
        if ((pos & 7) && (in[pos >> 3] >> (pos & 7)) != 0)
            return H278_ERR_CORRUPT_STREAM;
    }
    return H278_OK;
}

const h278_variant h278_variant_tree = {
    .name = "tree",
    .summary = "bitwise tree walk, one bit per step (the reference oracle)",
    .cpu_needs = 0,
    .table_bytes = tree_table_bytes,
    .build = tree_build,
    .decode = tree_decode,
    .layouts = H278_LAYOUTS_CLASSIC | H278_LAYOUTS_PIVOT,
};
