/*
 * pivot.c - the pivot layout's tree shape, region walk and decode plan
 * (pivot.h says what each is for; docs/FORMAT.md states the rule).
 *
 * The shape rule, worked: lengths a=1, b=3, c=3, d=3, e=3 (Kraft sum
 * 1/2 + 4/8 = 1). Length 3 has 4 = 2^2 symbols: one flat node of depth 2,
 * rooted at depth 3 - 2 = 1, holding b, c, d, e by packed code 0..3. Length
 * 1 has one symbol: the leaf a at depth 1. Depth 1 then holds [leaf a,
 * flat bcde] (leaves before flat nodes), paired into the root, a MIXED
 * node: bit 0 sends a symbol to a, bit 1 to the flat node. The canonical
 * tree has the same lengths, but would spend two levels of bitmaps on
 * b, c, d, e instead of one packed 2-bit code each.
 */
#include <string.h>

#include "cpu.h"
#include "le.h"
#include "pivot.h"

/* ---- Shape ------------------------------------------------------------------ */

/* Nodes are made bottom-up into `made` and copied to preorder at the end. */
typedef struct shape_builder {
    h278_pivot_node made[H278_PIVOT_MAX_NODES];
    unsigned made_count;
    uint16_t level[H278_MAX_CODE_LEN + 1][H278_PIVOT_MAX_NODES]; /* nodes at each depth */
    unsigned level_count[H278_MAX_CODE_LEN + 1];
} shape_builder;

static int add_node(shape_builder *sb, h278_pivot_node node)
{
    if (sb->made_count >= H278_PIVOT_MAX_NODES || sb->level_count[node.depth] >= H278_PIVOT_MAX_NODES)
        return 0;
    sb->made[sb->made_count] = node;
    sb->level[node.depth][sb->level_count[node.depth]++] = (uint16_t)sb->made_count++;
    return 1;
}

h278_error h278_pivot_shape_build(const uint8_t lengths[256], h278_pivot_shape *shape)
{
    shape_builder sb_storage, *sb = &sb_storage;
    uint16_t flat_symbols = 0;
    unsigned present = 0;
    sb->made_count = 0;
    memset(sb->level_count, 0, sizeof sb->level_count);

    /* Step 1, length by length: each length's symbols, in symbol order,
     * in groups of the powers of two of their count, largest first. A
     * group of 2^j becomes a FLAT node of depth j (a LEAF for j = 0) whose
     * root sits j levels above the leaves. These are the "native" nodes of
     * that depth; they are appended to the level after the MIXED nodes
     * that pairing the level below makes. */
    /* At most one group of each size per length lands at a depth: fewer
     * than H278_MAX_CODE_LEN + 1 native nodes per depth. */
    h278_pivot_node native[H278_MAX_CODE_LEN + 1][H278_MAX_CODE_LEN + 1];
    unsigned native_count[H278_MAX_CODE_LEN + 1] = {0};
    /* The symbols of each length, in symbol order, from one pass. */
    uint8_t by_length[H278_MAX_CODE_LEN + 1][256];
    unsigned count_of[H278_MAX_CODE_LEN + 1] = {0};
    for (unsigned s = 0; s < 256; s++) {
        if (lengths[s] > H278_MAX_CODE_LEN)
            return H278_ERR_CODE_TOO_LONG;
        by_length[lengths[s]][count_of[lengths[s]]++] = (uint8_t)s;
    }
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++)
        present += count_of[l];
    if (present < 2)
        return H278_ERR_CODE_TOO_FEW;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++) {
        const uint8_t *syms = by_length[l];
        const unsigned c = count_of[l];
        unsigned at = 0;
        for (unsigned j = H278_PIVOT_MAX_FLAT_BITS + 1; j-- > 0;) {
            if (!(c & (1u << j)))
                continue;
            if (j > l)
                return H278_ERR_CODE_OVERSUBSCRIBED;
            h278_pivot_node node = {0};
            node.depth = (uint8_t)(l - j);
            if (j == 0) {
                node.kind = H278_PIVOT_LEAF;
                node.symbol = syms[at];
            } else {
                node.kind = H278_PIVOT_FLAT;
                node.flat_bits = (uint8_t)j;
                node.first = flat_symbols;
                memcpy(shape->flat_symbols + flat_symbols, syms + at, 1u << j);
                flat_symbols = (uint16_t)(flat_symbols + (1u << j));
            }
            at += 1u << j;
            native[node.depth][native_count[node.depth]++] = node;
        }
    }

    /* Step 2, depth by depth from the deepest: the level is the MIXED nodes
     * made from the level below, then its native nodes (in order of
     * increasing leaf length); consecutive pairs become the MIXED nodes of
     * the level above, the first of a pair its 0-child. (The MIXED nodes
     * come first because they are added while the level below is paired.) */
    for (unsigned d = H278_MAX_CODE_LEN + 1; d-- > 0;) {
        for (unsigned i = 0; i < native_count[d]; i++)
            if (!add_node(sb, native[d][i]))
                return H278_ERR_CODE_OVERSUBSCRIBED;
        if (d == 0)
            break;
        if (sb->level_count[d] % 2)
            return H278_ERR_CODE_INCOMPLETE;
        for (unsigned i = 0; i < sb->level_count[d]; i += 2) {
            h278_pivot_node node = {0};
            node.kind = H278_PIVOT_MIXED;
            node.depth = (uint8_t)(d - 1);
            node.child[0] = sb->level[d][i];
            node.child[1] = sb->level[d][i + 1];
            if (!add_node(sb, node))
                return H278_ERR_CODE_OVERSUBSCRIBED;
        }
    }
    if (sb->level_count[0] != 1)
        return sb->level_count[0] > 1 ? H278_ERR_CODE_OVERSUBSCRIBED : H278_ERR_CODE_INCOMPLETE;

    /* Step 3: preorder from the root (0-subtree, then 1-subtree). */
    uint16_t stack[H278_PIVOT_MAX_NODES], index_of[H278_PIVOT_MAX_NODES];
    unsigned top = 0, count = 0;
    stack[top++] = sb->level[0][0];
    while (top) {
        uint16_t m = stack[--top];
        index_of[m] = (uint16_t)count;
        shape->node[count++] = sb->made[m];
        if (sb->made[m].kind == H278_PIVOT_MIXED) {
            stack[top++] = sb->made[m].child[1];
            stack[top++] = sb->made[m].child[0];
        }
    }
    for (unsigned i = 0; i < count; i++)
        if (shape->node[i].kind == H278_PIVOT_MIXED)
            for (unsigned c = 0; c < 2; c++)
                shape->node[i].child[c] = index_of[shape->node[i].child[c]];
    shape->count = (uint16_t)count;
    return H278_OK;
}

/* ---- Regions ---------------------------------------------------------------- */

/* Set bits among the first n bits of bitmap (LSB first). */
static uint64_t popcount_bits(const uint8_t *bitmap, uint32_t n)
{
    uint64_t ones = h278_popcount_words(bitmap, n / 64);
    for (uint32_t i = n / 64 * 64; i < n; i++)
        ones += (bitmap[i >> 3] >> (i & 7)) & 1u;
    return ones;
}

/* Whether the bits after the first `bits` of a region of `bytes` bytes are
 * zero (the padding of its last byte). */
static int padding_is_zero(const uint8_t *region, uint64_t bytes, uint64_t bits)
{
    return (bits & 7) == 0 || (region[bytes - 1] >> (bits & 7)) == 0;
}

h278_error h278_pivot_regions(const h278_pivot_shape *shape, const uint8_t *p, uint32_t size,
                              uint32_t n, int check_bitmaps, h278_pivot_region *region)
{
    uint32_t pos = 0;
    region[0].symbols = n;
    for (unsigned i = 0; i < shape->count; i++) {
        const h278_pivot_node *node = &shape->node[i];
        uint32_t symbols = region[i].symbols;
        uint64_t bytes = h278_pivot_region_bytes(node, symbols);
        region[i].offset = pos;
        if (bytes > size - pos)
            return H278_ERR_PIVOT_REGION;
        const uint8_t *r = p + pos;
        if (node->kind == H278_PIVOT_MIXED) {
            const unsigned count_bytes = h278_pivot_count_bytes(symbols);
            uint32_t ones = h278_pivot_load_count(r, symbols);
            if (ones > symbols)
                return H278_ERR_PIVOT_COUNT;
            if (check_bitmaps) {
                if (popcount_bits(r + count_bytes, symbols) != ones)
                    return H278_ERR_PIVOT_COUNT;
                if (!padding_is_zero(r + count_bytes, bytes - count_bytes, symbols))
                    return H278_ERR_CORRUPT_STREAM;
            }
            region[node->child[0]].symbols = symbols - ones;
            region[node->child[1]].symbols = ones;
        } else if (node->kind == H278_PIVOT_FLAT && check_bitmaps && bytes > 0) {
            if (!padding_is_zero(r, bytes, (uint64_t)symbols * node->flat_bits))
                return H278_ERR_CORRUPT_STREAM;
        }
        pos += (uint32_t)bytes;
    }
    return pos == size ? H278_OK : H278_ERR_PIVOT_REGION;
}

/* ---- Plan ------------------------------------------------------------------- */

/* Which child of MIXED node i its merge takes as the tail child (pivot.h):
 * the one that is not a leaf, or the larger one. Returns 0 for two leaves
 * (the shape rule makes such a pair FLAT). */
static int tail_child_bit(const h278_pivot_shape *shape, const h278_pivot_region *region, unsigned i,
                          unsigned *tail_bit)
{
    const unsigned c0 = shape->node[i].child[0], c1 = shape->node[i].child[1];
    const int leaf0 = shape->node[c0].kind == H278_PIVOT_LEAF, leaf1 = shape->node[c1].kind == H278_PIVOT_LEAF;
    *tail_bit = leaf0 ? 1 : leaf1 ? 0 : region[c1].symbols > region[c0].symbols;
    return !(leaf0 && leaf1);
}

/* Where buffers go: a stack from `top` to `end`. */
typedef struct plan_arena {
    uint8_t *top;
    const uint8_t *end;
} plan_arena;

/* n bytes (and the slack after them) from arena a, or NULL if they do not fit. */
static uint8_t *take(plan_arena *a, uint32_t n)
{
    uint8_t *start = a->top;
    if ((size_t)(a->end - start) < (size_t)n + H278_PIVOT_SLACK)
        return NULL;
    a->top = start + n + H278_PIVOT_SLACK;
    return start;
}

h278_error h278_pivot_plan_build(const h278_pivot_shape *shape, const h278_block *b, uint8_t *dst,
                                 uint8_t *scratch, size_t scratch_size, h278_pivot_plan *plan)
{
    h278_pivot_region region[H278_PIVOT_MAX_NODES];
    if (h278_pivot_regions(shape, b->stream[0], b->stream_size[0], b->decoded_size, 0, region))
        return H278_ERR_CORRUPT_STREAM;
    /* Preorder, so a node's parent has said where its buffer is (out) and
     * what is free (two arenas: the start of the output, then scratch;
     * pivot.h) before the node is visited. */
    uint8_t *out[H278_PIVOT_MAX_NODES];
    plan_arena in_output[H278_PIVOT_MAX_NODES], in_scratch[H278_PIVOT_MAX_NODES];
    out[0] = dst;
    in_output[0] = (plan_arena){dst, dst};
    in_scratch[0] = (plan_arena){scratch, scratch + scratch_size};
    plan->count = 0;
    for (unsigned i = 0; i < shape->count; i++) {
        const h278_pivot_node *node = &shape->node[i];
        const uint32_t n = region[i].symbols;
        if (n == 0 || node->kind == H278_PIVOT_LEAF)
            continue; /* nothing reaches it (nor its subtree), or it is merged in directly */
        h278_pivot_step step = {0};
        step.kind = node->kind;
        step.symbols = n;
        step.out = out[i];
        step.bits = b->stream[0] + region[i].offset;
        if (node->kind == H278_PIVOT_FLAT) {
            step.flat_bits = node->flat_bits;
            step.flat_symbols = shape->flat_symbols + node->first;
        } else {
            unsigned tail_bit;
            if (!tail_child_bit(shape, region, i, &tail_bit))
                return H278_ERR_CORRUPT_STREAM;
            const unsigned tail = node->child[tail_bit], other = node->child[!tail_bit];
            plan_arena a = in_output[i], s = in_scratch[i];
            step.tail_bit = (uint8_t)tail_bit;
            step.tail_symbols = region[tail].symbols;
            step.other_leaf = shape->node[other].kind == H278_PIVOT_LEAF;
            step.other_symbol = shape->node[other].symbol;
            step.bits += h278_pivot_count_bytes(n);
            if (i == 0)
                a.end = dst + (n - step.tail_symbols);
            if (!step.other_leaf) {
                const uint32_t other_n = region[other].symbols;
                uint8_t *buffer = i == 0 ? NULL : take(&a, other_n);
                if (!buffer && !(buffer = take(&s, other_n)))
                    return H278_ERR_CORRUPT_STREAM; /* the block changed since it was parsed */
                step.other = out[other] = buffer;
                in_output[other] = a;
                in_scratch[other] = s;
            }
            out[tail] = out[i] + (n - step.tail_symbols);
            in_output[tail] = a;
            in_scratch[tail] = s;
        }
        plan->step[plan->count++] = step;
    }
    return H278_OK;
}

/* ---- Tables ----------------------------------------------------------------- */

/* Scratch starts 64-byte aligned after the tables (the API aligns them). */
static size_t tables_size(void)
{
    return (sizeof(h278_pivot_tables) + 63) & ~(size_t)63;
}

size_t h278_pivot_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len;
    (void)p;
    return tables_size();
}

size_t h278_pivot_block_scratch_bytes(const h278_block *b)
{
    return h278_pivot_scratch_bytes(b->decoded_size);
}

h278_error h278_pivot_build(const h278_block *b, const h278_params *p, void *tables)
{
    (void)p;
    h278_pivot_tables *t = tables;
    t->desc = h278_table_desc_of(b, 0);
    t->scratch_capacity = (uint32_t)h278_pivot_scratch_bytes(b->decoded_size);
    return h278_pivot_shape_build(b->lengths, &t->shape);
}

h278_error h278_pivot_decode_with(const h278_block *b, const void *tables, uint8_t *dst, h278_pivot_kernel flat,
                                  h278_pivot_kernel mixed)
{
    const h278_pivot_tables *t = tables;
    if (!h278_table_desc_fits(&t->desc, b) || h278_pivot_scratch_bytes(b->decoded_size) > t->scratch_capacity ||
        h278_block_layout(b) != H278_LAYOUTS_PIVOT)
        return H278_ERR_TABLE_MISMATCH;
    uint8_t *scratch = (uint8_t *)tables + tables_size();
    h278_pivot_plan plan;
    h278_error err = h278_pivot_plan_build(&t->shape, b, dst, scratch, t->scratch_capacity, &plan);
    for (uint32_t i = plan.count; !err && i-- > 0;)
        (plan.step[i].kind == H278_PIVOT_FLAT ? flat : mixed)(&plan.step[i]);
    return err;
}

/* ---- Description (h278.h) --------------------------------------------------- */

size_t h278_pivot_flat_symbols(const h278_block *b, size_t node, uint8_t out[256])
{
    h278_pivot_shape shape;
    if (b->type != H278_BLOCK_HUFFMAN || h278_block_layout(b) != H278_LAYOUTS_PIVOT ||
        h278_pivot_shape_build(b->lengths, &shape) != H278_OK || node >= shape.count ||
        shape.node[node].kind != H278_PIVOT_FLAT)
        return 0;
    const size_t n = (size_t)1 << shape.node[node].flat_bits;
    memcpy(out, shape.flat_symbols + shape.node[node].first, n);
    return n;
}

size_t h278_pivot_describe(const h278_block *b, h278_pivot_node_info *nodes, size_t cap)
{
    h278_pivot_shape shape;
    h278_pivot_region region[H278_PIVOT_MAX_NODES];
    if (b->type != H278_BLOCK_HUFFMAN || h278_block_layout(b) != H278_LAYOUTS_PIVOT ||
        h278_pivot_shape_build(b->lengths, &shape) != H278_OK ||
        h278_pivot_regions(&shape, b->stream[0], b->stream_size[0], b->decoded_size, 0, region) != H278_OK)
        return 0;
    for (size_t i = 0; i < shape.count && i < cap; i++) {
        const h278_pivot_node *node = &shape.node[i];
        h278_pivot_node_info info = {node->kind, node->depth, node->flat_bits, node->symbol,
                                     {node->child[0], node->child[1]}, region[i].symbols,
                                     (uint32_t)h278_pivot_region_bytes(node, region[i].symbols)};
        nodes[i] = info;
    }
    return shape.count;
}
