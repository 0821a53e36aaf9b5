/*
 * fuzz_header.c - libFuzzer target for the container parser.
 *
 * Arbitrary bytes are parsed as a file: the file header, the declared size
 * against the file size, then every block header and code description in
 * turn, exactly as the CLI and h278_decompress walk a file. The input sits
 * right before a guard page, so any over-read faults. Nothing is decoded
 * (fuzz_decode.c does that) and nothing here allocates beyond the copy.
 *
 * Every block the parser accepts is checked against the invariants that
 * docs/FORMAT.md promises a decoder, recomputed here from the raw fields:
 * a decoder relies on them without checking, so a parser that lets one slip
 * would turn into an out-of-bounds access in some decoder.
 */
#include <string.h>

#include "fuzz_common.h"
#include "h278.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)           \
    do {                             \
        if (!(cond))                 \
            __builtin_trap();        \
    } while (0)

/* Symbols stream s holds, from FORMAT.md's two layouts (segments spread
 * to an odd multiple of 64 symbols when the block says so). */
static uint32_t layout_symbols(uint32_t n, unsigned k, unsigned flags, unsigned s)
{
    if (flags & H278_BLOCK_FLAG_INTERLEAVED)
        return s < n ? (n - s + k - 1) / k : 0;
    uint64_t per = ((uint64_t)n + k - 1) / k;
    if (flags & H278_BLOCK_FLAG_SPREAD)
        while (per % 64 || (per / 64) % 2 == 0)
            per++;
    uint64_t lo = s * per < n ? s * per : n, hi = (s + 1) * per < n ? (s + 1) * per : n;
    return (uint32_t)(hi - lo);
}

/* A pivot block (FORMAT.md): one "stream", the node regions, to the end of
 * the block; node by node, regions that add up to it exactly, and each
 * MIXED node's count equal to its 1-child's symbols and to the popcount of
 * its bitmap, recounted here bit by bit. */
static void check_pivot(const h278_block *b, const uint8_t *start)
{
    static h278_pivot_node_info nodes[H278_PIVOT_MAX_NODES];
    FUZZ_REQUIRE(b->streams == 1 && b->flags == H278_BLOCK_FLAG_PIVOT);
    FUZZ_REQUIRE(b->stream[0] >= start && b->stream[0] + b->stream_size[0] == start + b->total_size);
    FUZZ_REQUIRE(b->stream_symbols[0] == b->decoded_size);
    size_t count = h278_pivot_describe(b, nodes, H278_PIVOT_MAX_NODES);
    FUZZ_REQUIRE(count >= 3 && count <= H278_PIVOT_MAX_NODES && nodes[0].symbols == b->decoded_size);
    uint64_t offset = 0;
    for (size_t i = 0; i < count; i++) {
        const h278_pivot_node_info *n = &nodes[i];
        FUZZ_REQUIRE(offset + n->region_bytes <= b->stream_size[0]);
        if (n->kind == 2) {
            /* The count: as many little-endian bytes as hold n->symbols
             * (FORMAT.md's rule written out here, not taken from pivot.h,
             * so that a mistake there is not also the check's). */
            const uint8_t *r = b->stream[0] + offset;
            const unsigned width = n->symbols < 0x100 ? 1 : n->symbols < 0x10000 ? 2 : n->symbols < 0x1000000 ? 3 : 4;
            uint32_t ones = 0, stored = 0;
            for (unsigned k = width; k-- > 0;)
                stored = stored << 8 | r[k];
            for (uint32_t k = 0; k < n->symbols; k++)
                ones += (r[width + k / 8] >> (k % 8)) & 1u;
            FUZZ_REQUIRE(n->child[0] < count && n->child[1] < count);
            FUZZ_REQUIRE(stored == ones && ones == nodes[n->child[1]].symbols);
            FUZZ_REQUIRE(nodes[n->child[0]].symbols + ones == n->symbols);
            FUZZ_REQUIRE(n->region_bytes == width + (n->symbols + 7) / 8);
        } else if (n->kind == 1) {
            FUZZ_REQUIRE(n->flat_bits >= 1 && n->flat_bits <= 8);
            FUZZ_REQUIRE(n->region_bytes == ((uint64_t)n->symbols * n->flat_bits + 7) / 8);
        } else {
            FUZZ_REQUIRE(n->kind == 0 && n->region_bytes == 0 && b->lengths[n->symbol] == n->depth);
        }
        offset += n->region_bytes;
    }
    FUZZ_REQUIRE(offset == b->stream_size[0]);
}

static void check_huffman(const h278_block *b, const h278_file_header *fh, const uint8_t *start)
{
    FUZZ_REQUIRE(h278_streams_legal(b->streams));
    FUZZ_REQUIRE(b->max_len == fh->max_len && b->max_len >= 1 && b->max_len <= 20);

    /* The code: lengths in 1..L, at least two symbols, complete (Kraft). */
    unsigned present = 0, lo = 21, hi = 0;
    uint64_t kraft = 0;
    for (unsigned s = 0; s < 256; s++) {
        unsigned l = b->lengths[s];
        if (!l)
            continue;
        FUZZ_REQUIRE(l <= b->max_len);
        present++;
        lo = l < lo ? l : lo;
        hi = l > hi ? l : hi;
        kraft += (uint64_t)1 << (20 - l);
    }
    FUZZ_REQUIRE(present >= 2 && present == b->symbol_count);
    FUZZ_REQUIRE(kraft == (uint64_t)1 << 20);
    FUZZ_REQUIRE(b->code_min_len == lo && b->code_max_len == hi);

    if (b->flags & H278_BLOCK_FLAG_PIVOT) {
        check_pivot(b, start);
        return;
    }
    /* The streams: inside the block, symbol counts as the layout says, each
     * no larger than its symbols can fill. */
    uint64_t symbols = 0;
    for (unsigned s = 0; s < b->streams; s++) {
        FUZZ_REQUIRE(b->stream[s] >= start && b->stream[s] + b->stream_size[s] <= start + b->total_size);
        FUZZ_REQUIRE(b->stream_symbols[s] ==
                     layout_symbols(b->decoded_size, b->streams, b->flags, s));
        FUZZ_REQUIRE(b->stream_size[s] <= ((uint64_t)b->stream_symbols[s] * b->max_len + 7) / 8);
        symbols += b->stream_symbols[s];
    }
    FUZZ_REQUIRE(symbols == b->decoded_size);
}

static void parse(const uint8_t *file, size_t size)
{
    h278_file_header fh;
    if (h278_read_file_header(file, size, &fh) == H278_OK &&
        h278_check_file_size(&fh, size) == H278_OK) {
        FUZZ_REQUIRE(fh.block_size >= 256 && fh.block_size <= (16u << 20));
        size_t pos = H278_FILE_HEADER_SIZE;
        for (uint64_t i = 0; i < fh.block_count; i++) {
            h278_block b;
            uint32_t expect = h278_block_decoded_size(&fh, i);
            if (h278_read_block(file + pos, size - pos, expect, fh.max_len, &b))
                break;
            /* Everything the parser promises a decoder must hold. */
            FUZZ_REQUIRE(b.total_size >= 17 && b.total_size <= size - pos);
            FUZZ_REQUIRE(b.decoded_size == expect);
            if (b.type == H278_BLOCK_HUFFMAN)
                check_huffman(&b, &fh, file + pos);
            else if (b.type == H278_BLOCK_STORED)
                FUZZ_REQUIRE(b.payload_size == b.decoded_size && b.payload + b.payload_size <= file + pos + b.total_size);
            else
                FUZZ_REQUIRE(b.type == H278_BLOCK_RUN && b.payload_size == 1 && b.payload < file + pos + b.total_size);
            pos += b.total_size;
        }
    }
}

/* The input as is, then with its header checksum made to match, so hostile
 * header fields reach the checks behind the checksum. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    h278_guarded in;
    if (h278_guarded_alloc(&in, size))
        return 0;
    memcpy(in.data, data, size);
    parse(in.data, size);
    h278_fuzz_reseal(in.data, size);
    parse(in.data, size);
    h278_guarded_free(&in);
    return 0;
}
