/*
 * test_peers_roundtrip.c - every peer library reproduces the input exactly,
 * and "zstd-literals" really is literal-only: its frames are about as large
 * as an order-0 Huffman code (H278's), far larger than zstd's LZ output.
 */
#include <stdlib.h>
#include <string.h>

#include "datasets.h"
#include "peers.h"
#include "testutil.h"

static size_t roundtrip(const h278_peer *p, const uint8_t *data, size_t n, const char *what)
{
    h278_peer_blob blob;
    memset(&blob, 0, sizeof blob);
    uint8_t *out = malloc(n + 1);
    int ok = p->prepare(data, n, &blob) == 0;
    CHECKF(ok, "%s: %s could not compress", what, p->name);
    if (ok) {
        memset(out, 0, n + 1);
        CHECKF(p->decode(&blob, out, n) == 0 && memcmp(out, data, n) == 0, "%s: %s", what, p->name);
        /* Decoding twice with the same context works too. */
        CHECKF(p->decode(&blob, out, n) == 0 && memcmp(out, data, n) == 0, "%s: %s again", what, p->name);
    }
    size_t size = blob.size;
    p->release(&blob);
    free(out);
    return size;
}

int main(void)
{
    static const char *const names[] = {"zstd-literals", "zstd-3", "libdeflate", "zlib", "isal", "memcpy"};
    CHECK(h278_peers_count == 6);
    for (size_t i = 0; i < 6 && i < h278_peers_count; i++)
        CHECK(strcmp(h278_peers[i].name, names[i]) == 0 && h278_peers[i].version()[0]);

    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_canterbury(&l, h278_default_corpora_dir()) == 0);
    for (size_t d = 0; d < l.count; d++) {
        const h278_dataset *ds = &l.items[d];
        if (ds->size > (1u << 20) && strcmp(ds->name, "bible.txt") != 0)
            continue;
        size_t sizes[6] = {0};
        for (size_t p = 0; p < h278_peers_count; p++)
            sizes[p] = roundtrip(&h278_peers[p], ds->data, ds->size, ds->name);
        if (strcmp(ds->name, "alice29.txt") == 0) {
            /* Literal-only: within 3% of the Huffman-only deflate size, and
             * at least 30% larger than zstd with matches. */
            CHECKF(sizes[0] * 100 <= sizes[2] * 103 && sizes[0] * 100 >= sizes[2] * 97,
                   "zstd-literals %zu vs deflate Huffman-only %zu", sizes[0], sizes[2]);
            CHECKF(sizes[0] * 10 >= sizes[1] * 13, "zstd-literals %zu vs zstd-3 %zu", sizes[0], sizes[1]);
        }
    }
    h278_dataset_list_free(&l);

    /* Generated data, including incompressible bytes. */
    uint8_t *g = malloc(1 << 18);
    h278_gen_iid_entropy(7.99, 1 << 18, 1, g);
    for (size_t p = 0; p < h278_peers_count; p++)
        roundtrip(&h278_peers[p], g, 1 << 18, "iid-7.99");
    free(g);
    return h278_test_finish();
}
