/*
 * testutil.c - shared test helpers (see testutil.h).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

unsigned long h278_test_passed, h278_test_failed;

int h278_test_finish(void)
{
    printf("%lu passed, %lu failed\n", h278_test_passed, h278_test_failed);
    return h278_test_failed ? 1 : 0;
}

uint8_t *h278_test_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (len == cap)
            buf = realloc(buf, cap *= 2);
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    fclose(f);
    *n = len;
    return buf;
}

size_t h278_test_corpus_files(char paths[][512], size_t max)
{
    const char *dir = getenv("H278_CORPORA");
#ifdef H278_CORPORA_DIR
    if (!dir)
        dir = H278_CORPORA_DIR;
#endif
    if (!dir)
        return 0;
    char manifest[600];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", dir);
    FILE *f = fopen(manifest, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", manifest);
        return 0;
    }
    char line[4096];
    size_t count = 0;
    while (count < max && fgets(line, sizeof line, f)) {
        char corpus[128], name[128];
        if (strncmp(line, "corpus\t", 7) == 0)
            continue;
        if (sscanf(line, "%127[^\t]\t%127[^\t]", corpus, name) == 2)
            snprintf(paths[count++], 512, "%s/%s/%s", dir, corpus, name);
    }
    fclose(f);
    return count;
}

uint64_t h278_test_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void h278_test_fill_text_like(uint8_t *data, size_t n, uint64_t seed, uint8_t first)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = h278_test_rand(&seed);
        unsigned sym = 0;
        while (sym < 40 && (r & 3) != 0) {
            sym++;
            r >>= 2;
        }
        data[i] = (uint8_t)(first + sym);
    }
}

/* Bytes whose symbol frequencies follow the Fibonacci numbers: the input
 * that forces the longest possible Huffman codes. */
static void fibonacci_bytes(uint8_t *p, size_t n)
{
    uint64_t f[32] = {1, 1};
    for (int i = 2; i < 32; i++)
        f[i] = f[i - 1] + f[i - 2];
    size_t pos = 0;
    for (int s = 0; s < 32 && pos < n; s++)
        for (uint64_t j = 0; j < f[s] && pos < n; j++)
            p[pos++] = (uint8_t)s;
    for (size_t i = pos; i < n; i++)
        p[i] = (uint8_t)(i % 3);
}

int h278_test_edge_case(size_t i, uint32_t block_size, uint8_t **data, size_t *n, const char **name)
{
    uint64_t seed = 0x278 + i;
    size_t sizes_around[] = {block_size - 1, block_size, block_size + 1, 2 * (size_t)block_size + 7};
    uint8_t *p;
    switch (i) {
    case 0: *name = "empty"; *n = 0; break;
    case 1: *name = "one byte"; *n = 1; break;
    case 2: *name = "one distinct symbol"; *n = 5000; break;
    case 3: *name = "two symbols"; *n = 3; break;
    case 4: *name = "all 256 symbols"; *n = 256 * 40; break;
    case 5: *name = "fibonacci frequencies"; *n = 200000; break;
    case 6: *name = "random bytes"; *n = 70000; break;
    case 7: *name = "skewed random"; *n = 100003; break;
    case 8: case 9: case 10: case 11:
        *name = "text-like around a block boundary"; *n = sizes_around[i - 8]; break;
    case 12: *name = "fewer symbols than streams"; *n = 7; break;
    default: return 0;
    }
    p = malloc(*n ? *n : 1);
    for (size_t j = 0; j < *n; j++) {
        uint64_t r = h278_test_rand(&seed);
        switch (i) {
        case 1: p[j] = 'x'; break;
        case 2: p[j] = 0xAB; break;
        case 3: p[j] = (uint8_t)(j == 1); break;
        case 4: p[j] = (uint8_t)(j % 256 == 0 ? r : j); break;
        case 6: p[j] = (uint8_t)r; break;
        case 7: p[j] = (uint8_t)(__builtin_ctzll(r | (1ull << 40)) * 5); break;
        case 12: p[j] = (uint8_t)('a' + j % 3); break;
        default: p[j] = (uint8_t)("etaoin shrdlu"[r % 13] ^ ((r >> 20) % 64 == 0 ? 0x20 : 0)); break;
        }
    }
    if (i == 5)
        fibonacci_bytes(p, *n);
    *data = p;
    return 1;
}
