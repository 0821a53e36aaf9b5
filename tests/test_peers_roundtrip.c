/*
 * test_peers_roundtrip.c - every peer library reproduces the input byte for
 * byte (every corpus file, the generated set, empty input), reports failure
 * when asked for a size other than the input's, and "zstd-literals" really
 * measures zstd's Huffman literal decoder.
 *
 * That last claim is checked by walking the frames (RFC 8878): no block of
 * a zstd-literals frame holds a sequence, and for text the literal sections
 * regenerate the whole input, Huffman-coded in 4 streams (incompressible
 * input may go into raw blocks instead).
 * The same walker finds sequences in zstd-3's frames, so it can tell.
 */
#include <stdlib.h>
#include <string.h>

#include "datasets.h"
#include "peers.h"
#include "testutil.h"

/* What walking a zstd frame found. */
typedef struct frame_info {
    int valid;               /* the frame parsed to its exact end */
    size_t content;          /* bytes the blocks regenerate */
    size_t literals;         /* of which, bytes from literal sections */
    size_t sequences;        /* sequences over all compressed blocks */
    size_t huffman_sections; /* Huffman-coded literal sections above 1 KiB */
    size_t four_streams;     /* of which, with 4 streams */
} frame_info;

static uint64_t le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Parses one compressed block's literal section and sequence count. */
static int walk_compressed_block(const uint8_t *p, size_t size, frame_info *fi)
{
    if (size < 1)
        return 0;
    unsigned type = p[0] & 3, format = (p[0] >> 2) & 3;
    size_t header, regenerated, stored;
    if (type < 2) { /* raw or RLE literals */
        header = format == 1 ? 2 : format == 3 ? 3 : 1;
        if (size < header)
            return 0;
        regenerated = header == 1 ? p[0] >> 3 : (size_t)(le(p, (unsigned)header) >> 4);
        stored = type == 0 ? regenerated : 1;
    } else { /* Huffman-coded literals, with or without a new tree */
        static const unsigned header_bytes[4] = {3, 3, 4, 5}, size_bits[4] = {10, 10, 14, 18};
        header = header_bytes[format];
        if (size < header)
            return 0;
        uint64_t v = le(p, (unsigned)header) >> 4;
        regenerated = (size_t)(v & ((1u << size_bits[format]) - 1));
        stored = (size_t)(v >> size_bits[format]);
        if (regenerated > 1024) {
            fi->huffman_sections++;
            fi->four_streams += format != 0;
        }
    }
    if (size - header < stored + 1)
        return 0;
    fi->literals += regenerated;
    fi->content += regenerated; /* exact only for blocks without sequences */
    p += header + stored;
    size -= header + stored;
    /* The sequence count: 1, 2 or 3 bytes. */
    if (p[0] < 128) {
        fi->sequences += p[0];
    } else if (p[0] < 255) {
        if (size < 2)
            return 0;
        fi->sequences += ((size_t)(p[0] - 128) << 8) + p[1];
    } else {
        if (size < 3)
            return 0;
        fi->sequences += (size_t)p[1] + ((size_t)p[2] << 8) + 0x7F00;
    }
    return 1;
}

static frame_info walk_frame(const uint8_t *p, size_t size)
{
    frame_info fi;
    memset(&fi, 0, sizeof fi);
    if (size < 6 || le(p, 4) != 0xFD2FB528u)
        return fi;
    unsigned fhd = p[4];
    unsigned single_segment = (fhd >> 5) & 1, checksum = (fhd >> 2) & 1;
    static const unsigned dict_bytes[4] = {0, 1, 2, 4}, fcs_bytes[4] = {0, 2, 4, 8};
    size_t pos = 5 + !single_segment + dict_bytes[fhd & 3] +
                 (fhd >> 6 == 0 ? single_segment : fcs_bytes[fhd >> 6]);
    for (int last = 0; !last;) {
        if (size < 3 || pos > size - 3)
            return fi;
        uint32_t bh = (uint32_t)le(p + pos, 3);
        last = bh & 1;
        unsigned type = (bh >> 1) & 3;
        size_t block = bh >> 3;
        pos += 3;
        size_t stored = type == 1 ? 1 : block;
        if (type == 3 || stored > size - pos)
            return fi;
        if (type == 2) {
            if (!walk_compressed_block(p + pos, block, &fi))
                return fi;
        } else {
            fi.content += block; /* raw or RLE block */
        }
        pos += stored;
    }
    fi.valid = pos + 4 * checksum == size;
    return fi;
}

/* Round-trips data through peer p; returns the compressed size (0 if it
 * failed) and, for zstd peers, what the frame holds. */
static size_t roundtrip(const h278_peer *p, const uint8_t *data, size_t n, const char *what, frame_info *fi)
{
    h278_peer_blob blob;
    memset(&blob, 0, sizeof blob);
    uint8_t *out = malloc(n + 1);
    int ok = out && p->prepare(data, n, &blob) == 0;
    CHECKF(ok, "%s: %s could not compress", what, p->name);
    size_t size = ok ? blob.size : 0;
    if (ok) {
        memset(out, 0, n + 1);
        CHECKF(p->decode(&blob, out, n) == 0 && memcmp(out, data, n) == 0, "%s: %s", what, p->name);
        /* The context is reusable: a second decode works too. */
        memset(out, 0, n + 1);
        CHECKF(p->decode(&blob, out, n) == 0 && memcmp(out, data, n) == 0, "%s: %s again", what, p->name);
        /* Any other size is a failure, never a partial success. */
        CHECKF(p->decode(&blob, out, n + 1) != 0, "%s: %s decoded into n + 1", what, p->name);
        if (n > 0)
            CHECKF(p->decode(&blob, out, n - 1) != 0, "%s: %s decoded into n - 1", what, p->name);
        if (fi && strncmp(p->name, "zstd", 4) == 0)
            *fi = walk_frame(blob.data, blob.size);
    }
    p->release(&blob);
    CHECKF(blob.data == NULL && blob.ctx == NULL && blob.size == 0, "%s: %s release", what, p->name);
    free(out);
    return size;
}

/* Every peer on one input; the literal-only claim on zstd-literals. */
static void check_input(const uint8_t *data, size_t n, const char *what, int is_text)
{
    size_t sizes[6] = {0};
    frame_info lit, lz;
    memset(&lit, 0, sizeof lit);
    memset(&lz, 0, sizeof lz);
    for (size_t p = 0; p < h278_peers_count && p < 6; p++)
        sizes[p] = roundtrip(&h278_peers[p], data, n, what, p == 0 ? &lit : p == 1 ? &lz : NULL);
    /* Incompressible input may be stored in raw blocks, never as matches. */
    CHECKF(lit.valid && lit.content == n && lit.sequences == 0,
           "%s: zstd-literals frame: valid %d, %zu of %zu bytes, %zu sequences", what, lit.valid, lit.content, n,
           lit.sequences);
    CHECKF(lz.valid, "%s: zstd-3 frame does not parse", what);
    if (is_text) {
        /* Text is Huffman-coded in 4 streams, to about the size of
         * Huffman-only deflate, while zstd-3 finds matches. */
        CHECKF(lit.literals == n && lit.huffman_sections > 0 && lit.four_streams == lit.huffman_sections,
               "%s: %zu of %zu bytes in literal sections, %zu Huffman-coded above 1 KiB, %zu of them in 4 streams",
               what, lit.literals, n, lit.huffman_sections, lit.four_streams);
        CHECKF(sizes[0] * 100 <= sizes[2] * 105 && sizes[0] * 100 >= sizes[2] * 95,
               "%s: zstd-literals %zu vs Huffman-only deflate %zu", what, sizes[0], sizes[2]);
        CHECKF(lz.sequences > 0 && sizes[1] < sizes[0], "%s: zstd-3 %zu bytes, %zu sequences", what, sizes[1],
               lz.sequences);
    }
}

int main(void)
{
    static const char *const names[] = {"zstd-literals", "zstd-3", "libdeflate", "zlib", "isal", "memcpy"};
    CHECK(h278_peers_count == 6);
    for (size_t i = 0; i < 6 && i < h278_peers_count; i++)
        CHECKF(strcmp(h278_peers[i].name, names[i]) == 0 && h278_peers[i].what[0] && h278_peers[i].version()[0],
               "peer %zu", i);

    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_canterbury(&l, h278_default_corpora_dir()) == 0);
    CHECK(l.count >= 16);
    for (size_t d = 0; d < l.count; d++) {
        const h278_dataset *ds = &l.items[d];
        int is_text = strstr(ds->name, ".txt") && strcmp(ds->group, "canterbury-artificial") != 0;
        check_input(ds->data, ds->size, ds->name, is_text);
    }
    h278_dataset_list_free(&l);

    /* The quick generated set, and incompressible and empty input. */
    CHECK(h278_dataset_add_generated(&l, 1, 278) == 0);
    for (size_t d = 0; d < l.count; d++)
        check_input(l.items[d].data, l.items[d].size, l.items[d].name, strcmp(l.items[d].group, "size") == 0 &&
                                                                              l.items[d].size >= 64000);
    h278_dataset_list_free(&l);
    uint8_t *g = malloc(1 << 18);
    CHECK(g && h278_gen_iid_entropy(7.99, 1 << 18, 1, g) == 0);
    if (g)
        check_input(g, 1 << 18, "iid-7.99", 0);
    free(g);
    check_input((const uint8_t *)"", 0, "empty", 0);
    return h278_test_finish();
}
