/*
 * test_datasets.c - the benchmark datasets are what they claim: generators
 * are deterministic per seed and hit their targets (entropy, decreasing
 * frequencies, code lengths that the limit must cut), and corpus and folder
 * loading find exactly the right files.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets.h"
#include "h278.h"
#include "testutil.h"

#define N (1u << 20)

static void counts(const uint8_t *d, size_t n, uint64_t c[256])
{
    memset(c, 0, 256 * sizeof c[0]);
    for (size_t i = 0; i < n; i++)
        c[d[i]]++;
}

int main(void)
{
    uint8_t *a = malloc(N), *b = malloc(N);
    uint64_t c[256];

    /* Determinism and seed sensitivity. */
    CHECK(h278_gen_iid_entropy(4.0, N, 1, a) == 0 && h278_gen_iid_entropy(4.0, N, 1, b) == 0);
    CHECK(memcmp(a, b, N) == 0);
    CHECK(h278_gen_iid_entropy(4.0, N, 2, b) == 0 && memcmp(a, b, N) != 0);
    CHECK(h278_gen_text(N, 5, a) == 0 && h278_gen_text(N, 5, b) == 0 && memcmp(a, b, N) == 0);

    /* Entropy targets, measured on 1 MiB. */
    static const double targets[] = {1, 2, 4, 6, 7.5};
    for (size_t i = 0; i < 5; i++) {
        CHECK(h278_gen_iid_entropy(targets[i], N, 7, a) == 0);
        double h = h278_entropy(a, N);
        CHECKF(h > targets[i] - 0.1 && h < targets[i] + 0.1, "target %.1f, measured %.3f", targets[i], h);
    }
    CHECK(h278_gen_iid_entropy(0.1, N, 7, a) == -1);
    CHECK(h278_gen_iid_entropy(8.5, N, 7, a) == -1);

    /* Zipf and geometric: sorted counts fall off. */
    CHECK(h278_gen_zipf(1.0, N, 3, a) == 0);
    counts(a, N, c);
    uint64_t top = 0;
    for (int i = 0; i < 256; i++)
        top = c[i] > top ? c[i] : top;
    CHECK(top > N / 10 && top < N / 4); /* 1/H(256) of the mass: ~16% */
    CHECK(h278_gen_geometric(0.3, N, 3, a) == 0);
    counts(a, N, c);
    top = 0;
    for (int i = 0; i < 256; i++)
        top = c[i] > top ? c[i] : top;
    CHECK(top > N / 4 && top < N / 3 + N / 20); /* p = 0.3 */

    /* Fibonacci at L: the unlimited optimal code is longer than L, and the
     * limited one reaches exactly L. */
    for (unsigned L = 8; L <= 20; L += 4) {
        CHECK(h278_gen_fibonacci(L, N, 9, a) == 0);
        counts(a, N, c);
        uint8_t len[256];
        unsigned unlimited = 0, limited = 0;
        CHECK(h278_code_lengths(c, 40, len) == H278_OK);
        for (int i = 0; i < 256; i++)
            unlimited = len[i] > unlimited ? len[i] : unlimited;
        CHECK(h278_code_lengths(c, L, len) == H278_OK);
        for (int i = 0; i < 256; i++)
            limited = len[i] > limited ? len[i] : limited;
        CHECKF(unlimited > L && limited == L, "L=%u: unlimited %u, limited %u", L, unlimited, limited);
    }

    /* Text looks like text: mostly lower-case letters and spaces. */
    CHECK(h278_gen_text(N, 4, a) == 0);
    size_t letters = 0;
    for (size_t i = 0; i < N; i++)
        letters += (a[i] >= 'a' && a[i] <= 'z') || a[i] == ' ';
    CHECK(letters > N * 8 / 10);
    double h = h278_entropy(a, N);
    CHECK(h > 3.5 && h < 5.0);

    /* The Canterbury manifest: every file, right sizes. */
    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_canterbury(&l, h278_default_corpora_dir()) == 0);
    CHECK(l.count == 16);
    int found = 0;
    for (size_t i = 0; i < l.count; i++)
        if (strcmp(l.items[i].name, "alice29.txt") == 0)
            found = l.items[i].size == 152089 && strcmp(l.items[i].group, "canterbury") == 0;
    CHECK(found);
    h278_dataset_list_free(&l);

    /* A folder: regular non-empty files, sorted; sub-folders skipped. */
    char dir[] = "/tmp/h278-datasets-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    static const char *const names[] = {"b.bin", "a.txt", "empty"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite("data", 1, i == 2 ? 0 : 4, f);
            fclose(f);
        }
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    CHECK(mkdir(path, 0700) == 0);
    CHECK(h278_dataset_add_path(&l, dir) == 0);
    CHECK(l.count == 2 && strcmp(l.items[0].name, "a.txt") == 0 && strcmp(l.items[1].name, "b.bin") == 0);
    CHECK(l.count == 2 && strcmp(l.items[0].group, "user") == 0 && l.items[0].size == 4);
    h278_dataset_list_free(&l);
    CHECK(h278_dataset_add_path(&l, "/nonexistent/h278") == -1);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);

    /* The default generated set. */
    CHECK(h278_dataset_add_generated(&l, 1, 278) == 0);
    CHECK(l.count >= 20);
    h278_dataset_list_free(&l);

    free(a);
    free(b);
    return h278_test_finish();
}
