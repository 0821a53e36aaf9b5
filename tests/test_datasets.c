/*
 * test_datasets.c - the benchmark datasets are what they claim.
 *
 * Generators: the same seed gives the same bytes and another seed other
 * bytes; parameters out of range are refused without touching the output;
 * the measured entropy of the i.i.d. generator is within 0.1 bits/byte of
 * its target; Zipf and geometric byte counts follow their formulas, so they
 * fall with the byte value; Fibonacci data holds exact Fibonacci counts and
 * makes the optimal code deeper than L, so the limit L binds; the text looks
 * like text. Every expected value is computed here from the definitions in
 * datasets.h, not taken from the generators.
 *
 * Loading: a folder gives its non-empty regular files sorted by name,
 * without hidden files or sub-folders; the corpora load exactly as
 * MANIFEST.tsv lists them (names, groups, sizes, bytes), and a manifest that
 * disagrees with the files is refused.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets.h"
#include "h278.h"
#include "testutil.h"

#define N ((size_t)1 << 20)

static void count_bytes(const uint8_t *d, size_t n, uint64_t c[256])
{
    memset(c, 0, 256 * sizeof c[0]);
    for (size_t i = 0; i < n; i++)
        c[d[i]]++;
}

/* Empirical order-0 entropy, bits per byte. */
static double measured_entropy(const uint8_t *d, size_t n)
{
    uint64_t c[256];
    count_bytes(d, n, c);
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (c[i]) {
            double p = (double)c[i] / (double)n;
            h -= p * log2(p);
        }
    return h;
}

static unsigned distinct_bytes(const uint8_t *d, size_t n)
{
    uint64_t c[256];
    unsigned k = 0;
    count_bytes(d, n, c);
    for (int i = 0; i < 256; i++)
        k += c[i] != 0;
    return k;
}

/* The generators behind one signature, for the checks they share. */
typedef int (*gen_fn)(double param, size_t n, uint64_t seed, uint8_t *out);

static int gen_fibonacci(double max_len, size_t n, uint64_t seed, uint8_t *out)
{
    return h278_gen_fibonacci((unsigned)max_len, n, seed, out);
}

static int gen_text(double unused, size_t n, uint64_t seed, uint8_t *out)
{
    (void)unused;
    return h278_gen_text(n, seed, out);
}

static void check_seeds(const char *what, gen_fn gen, double param, uint8_t *a, uint8_t *b)
{
    const size_t n = 64 << 10;
    CHECKF(gen(param, n, 1, a) == 0 && gen(param, n, 1, b) == 0 && memcmp(a, b, n) == 0,
           "%s: the same seed gives the same bytes", what);
    CHECKF(gen(param, n, 2, b) == 0 && memcmp(a, b, n) != 0, "%s: another seed gives other bytes", what);
}

/* A refused parameter returns -1 and leaves the output as it was. */
static void check_refused(const char *what, gen_fn gen, double param, size_t n, uint8_t *a)
{
    memset(a, 0xA5, n);
    int rc = gen(param, n, 1, a);
    size_t same = 0;
    while (same < n && a[same] == 0xA5)
        same++;
    CHECKF(rc == -1 && same == n, "%s is refused", what);
}

/*
 * Byte k is expected e[k] = n P(k) times. Where e[k] >= 1000 the count must
 * be within 6 standard deviations (sqrt(e) bounds the binomial's), and
 * where neighbours are far apart (12 deviations) the counts must fall.
 */
static void check_follows(const char *what, const uint8_t *d, size_t n, const double p[256])
{
    uint64_t c[256];
    count_bytes(d, n, c);
    unsigned close = 0, falling = 0, checked = 0;
    for (int k = 0; k < 256; k++) {
        double e = p[k] * (double)n;
        if (e < 1000)
            continue;
        checked++;
        close += fabs((double)c[k] - e) <= 6 * sqrt(e);
        if (k < 255 && e - p[k + 1] * (double)n >= 12 * sqrt(e))
            falling += c[k] > c[k + 1];
        else
            falling++;
    }
    CHECKF(checked >= 8 && close == checked && falling == checked,
           "%s: %u counts checked, %u near n P(k), %u falling", what, checked, close, falling);
}

static void check_generators(uint8_t *a, uint8_t *b)
{
    check_seeds("iid-4.0", h278_gen_iid_entropy, 4.0, a, b);
    check_seeds("zipf-1.0", h278_gen_zipf, 1.0, a, b);
    check_seeds("geometric-0.3", h278_gen_geometric, 0.3, a, b);
    check_seeds("fibonacci-L11", gen_fibonacci, 11, a, b);
    check_seeds("text", gen_text, 0, a, b);

    check_refused("entropy 0.4", h278_gen_iid_entropy, 0.4, 4096, a);
    check_refused("entropy 8.0", h278_gen_iid_entropy, 8.0, 4096, a);
    check_refused("entropy NaN", h278_gen_iid_entropy, NAN, 4096, a);
    check_refused("zipf s = 0", h278_gen_zipf, 0, 4096, a);
    check_refused("geometric p = 0", h278_gen_geometric, 0, 4096, a);
    check_refused("geometric p = 1", h278_gen_geometric, 1, 4096, a);
    check_refused("fibonacci L = 1", gen_fibonacci, 1, 4096, a);
    check_refused("fibonacci L = 31", gen_fibonacci, 31, 4096, a);

    /* Fibonacci needs n >= F(1) + ... + F(L + 2). */
    uint64_t f1 = 1, f2 = 1, sum = 2;
    for (unsigned i = 3; i <= 22; i++) {
        uint64_t f = f1 + f2;
        sum += f;
        f1 = f2;
        f2 = f;
    }
    check_refused("fibonacci L = 20 one byte short", gen_fibonacci, 20, (size_t)sum - 1, a);
    CHECK(h278_gen_fibonacci(20, (size_t)sum, 1, a) == 0);

    /* Entropy targets, measured on 1 MiB. */
    static const double targets[] = {0.5, 1, 2, 4, 6, 7.5, 7.99};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        CHECK(h278_gen_iid_entropy(targets[i], N, 7, a) == 0);
        double h = measured_entropy(a, N);
        CHECKF(fabs(h - targets[i]) <= 0.1, "target %.2f, measured %.3f", targets[i], h);
    }

    /* Zipf and geometric: P(k) from their definitions. */
    static const double zipf_s[] = {1.0, 1.5};
    static const double geometric_p[] = {0.1, 0.3};
    for (int i = 0; i < 2; i++) {
        double p[256], total = 0;
        for (int k = 0; k < 256; k++)
            total += p[k] = pow(k + 1, -zipf_s[i]);
        for (int k = 0; k < 256; k++)
            p[k] /= total;
        char what[32];
        snprintf(what, sizeof what, "zipf-%.1f", zipf_s[i]);
        CHECK(h278_gen_zipf(zipf_s[i], N, 3, a) == 0);
        check_follows(what, a, N, p);

        total = 0;
        for (int k = 0; k < 256; k++)
            total += p[k] = pow(1 - geometric_p[i], k) * geometric_p[i];
        for (int k = 0; k < 256; k++)
            p[k] /= total;
        snprintf(what, sizeof what, "geometric-%.1f", geometric_p[i]);
        CHECK(h278_gen_geometric(geometric_p[i], N, 3, a) == 0);
        check_follows(what, a, N, p);
    }
}

/* Fibonacci at L: exact Fibonacci counts, shuffled. The optimal unlimited
 * code is L + 1 bits deep; under the format's own limit of 20 it is still
 * deeper than L (for L < 20), so the limit L binds; limited to L it reaches
 * exactly L. */
static void check_fibonacci(uint8_t *a)
{
    static const unsigned levels[] = {8, 11, 12, 15, 20};
    for (size_t t = 0; t < sizeof levels / sizeof levels[0]; t++) {
        const unsigned L = levels[t];
        CHECK(h278_gen_fibonacci(L, N, 9, a) == 0);
        uint64_t c[256];
        count_bytes(a, N, c);
        int exact = distinct_bytes(a, N) == L + 2 && c[0] == c[1];
        for (unsigned i = 0; i + 2 < L + 1; i++) /* the last one holds the remainder */
            exact &= c[i] + c[i + 1] == c[i + 2];
        exact &= c[L + 1] >= c[L] + c[L - 1];
        CHECKF(exact, "L=%u: counts are not k F(1) .. k F(L + 2)", L);

        size_t changes = 0;
        for (size_t i = 1; i < N; i++)
            changes += a[i] != a[i - 1];
        CHECKF(changes > N / 2, "L=%u: not shuffled (%zu changes)", L, changes);

        uint8_t len[256];
        unsigned deepest[3] = {0, 0, 0};
        const unsigned limits[3] = {40, 20, L};
        for (int j = 0; j < 3; j++) {
            CHECK(h278_code_lengths(c, limits[j], len) == H278_OK);
            for (int s = 0; s < 256; s++)
                deepest[j] = len[s] > deepest[j] ? len[s] : deepest[j];
        }
        CHECKF(deepest[0] == L + 1, "L=%u: unlimited code %u deep", L, deepest[0]);
        if (L < 20)
            CHECKF(deepest[1] > L, "L=%u: limit 20 gives %u", L, deepest[1]);
        CHECKF(deepest[2] == L, "L=%u: limit L gives %u", L, deepest[2]);
    }
}

static int is_letter(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static void check_text(uint8_t *a, uint8_t *b)
{
    CHECK(h278_gen_text(N, 4, a) == 0);
    CHECK(h278_gen_text(1000, 4, b) == 0 && memcmp(a, b, 1000) == 0); /* a prefix */
    size_t letters = 0, word = 0, longest_word = 0, line = 0, longest_line = 0, sentences = 0, capitals = 0;
    for (size_t i = 0; i < N; i++) {
        letters += is_letter(a[i]) || a[i] == ' ';
        word = is_letter(a[i]) ? word + 1 : 0;
        longest_word = word > longest_word ? word : longest_word;
        line = a[i] == '\n' ? 0 : line + 1;
        longest_line = line > longest_line ? line : longest_line;
        if (i + 2 < N && a[i] == '.') {
            sentences++;
            capitals += a[i + 2] >= 'A' && a[i + 2] <= 'Z';
        }
    }
    CHECKF(letters > N * 9 / 10, "%zu letters and spaces", letters);
    CHECKF(longest_word >= 3 && longest_word <= 12, "longest word %zu", longest_word);
    CHECKF(longest_line >= 60 && longest_line <= 80, "longest line %zu", longest_line);
    CHECKF(sentences > N / 200 && capitals == sentences, "%zu sentences, %zu capitalised", sentences, capitals);
    /* Order-0 entropy of English prose is about 4.1 to 4.6 bits/byte
     * (alice29.txt: 4.57); a word model with fewer words is a little lower. */
    double h = measured_entropy(a, N);
    CHECKF(h > 3.8 && h < 4.8, "text entropy %.3f", h);
}

/* ---- loading -------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECKF(f != NULL, "cannot create %s", path);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECKF(remove(path) == 0, "cannot remove %s", path);
}

static int has(const h278_dataset *d, const char *name, const char *group, const char *bytes)
{
    return strcmp(d->name, name) == 0 && strcmp(d->group, group) == 0 && d->param == 0 &&
           d->size == strlen(bytes) && memcmp(d->data, bytes, d->size) == 0;
}

static void check_folder(void)
{
    char dir[] = "/tmp/h278-datasets-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    /* Byte order puts "B.dat" before "a.txt". */
    write_file(dir, "b.bin", "bbb");
    write_file(dir, "a.txt", "aa");
    write_file(dir, "B.dat", "B");
    write_file(dir, "empty", "");
    write_file(dir, ".hidden", "hidden");
    CHECK(mkdir(sub, 0700) == 0);
    write_file(sub, "c.txt", "cccc");

    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_path(&l, dir) == 0);
    CHECKF(l.count == 3, "%zu datasets from the folder", l.count);
    if (l.count == 3)
        CHECK(has(&l.items[0], "B.dat", "user", "B") && has(&l.items[1], "a.txt", "user", "aa") &&
              has(&l.items[2], "b.bin", "user", "bbb"));
    h278_dataset_list_free(&l);
    CHECK(l.count == 0 && l.items == NULL);

    /* A single file, an empty one, a folder with nothing usable, nothing. */
    char path[700];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    CHECK(h278_dataset_add_path(&l, path) == 0 && l.count == 1 && has(&l.items[0], "a.txt", "user", "aa"));
    snprintf(path, sizeof path, "%s/empty", dir);
    CHECK(h278_dataset_add_path(&l, path) == -1 && l.count == 1);
    remove_file(sub, "c.txt");
    CHECK(h278_dataset_add_path(&l, sub) == -1 && l.count == 1);
    CHECK(h278_dataset_add_path(&l, "/nonexistent/h278") == -1 && l.count == 1);
    CHECK(h278_dataset_add_file(&l, dir, "user") == -1 && l.count == 1);
    h278_dataset_list_free(&l);

    static const char *const names[] = {"b.bin", "a.txt", "B.dat", "empty", ".hidden"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove_file(dir, names[i]);
    CHECK(rmdir(sub) == 0 && rmdir(dir) == 0);
}

/* The corpora load as MANIFEST.tsv lists them, checked against the files. */
static void check_corpora(void)
{
    const char *dir = h278_default_corpora_dir();
    char path[1024], line[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    FILE *f = fopen(path, "r");
    CHECKF(f != NULL, "cannot open %s", path);
    if (!f)
        return;
    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_canterbury(&l, dir) == 0);
    size_t rows = 0;
    CHECK(fgets(line, sizeof line, f) != NULL); /* the header */
    while (fgets(line, sizeof line, f)) {
        char corpus[64], name[128];
        unsigned long long bytes;
        if (sscanf(line, "%63[^\t]\t%127[^\t]\t%llu", corpus, name, &bytes) != 3)
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", dir, corpus, name);
        size_t size = 0;
        uint8_t *want = h278_test_read_file(path, &size);
        const h278_dataset *d = rows < l.count ? &l.items[rows] : NULL;
        CHECKF(want && size == bytes && d && strcmp(d->name, name) == 0 && strcmp(d->group, corpus) == 0 &&
                   d->size == size && memcmp(d->data, want, size) == 0,
               "%s/%s", corpus, name);
        free(want);
        rows++;
    }
    fclose(f);
    CHECKF(rows >= 16 && l.count == rows, "manifest rows %zu, datasets %zu", rows, l.count);
    h278_dataset_list_free(&l);

    /* A manifest that disagrees with its files, or names a path, is refused. */
    char tmp[] = "/tmp/h278-manifest-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    char corpus_dir[600];
    snprintf(corpus_dir, sizeof corpus_dir, "%s/c", tmp);
    CHECK(mkdir(corpus_dir, 0700) == 0);
    write_file(corpus_dir, "x", "xyz");
    write_file(tmp, "MANIFEST.tsv", "corpus\tname\tbytes\nc\tx\t3\n");
    CHECK(h278_dataset_add_canterbury(&l, tmp) == 0 && l.count == 1 && has(&l.items[0], "x", "c", "xyz"));
    h278_dataset_list_free(&l);
    write_file(tmp, "MANIFEST.tsv", "corpus\tname\tbytes\nc\tx\t4\n");
    CHECK(h278_dataset_add_canterbury(&l, tmp) == -1 && l.count == 0);
    write_file(tmp, "MANIFEST.tsv", "corpus\tname\tbytes\nc\t../c/x\t3\n");
    CHECK(h278_dataset_add_canterbury(&l, tmp) == -1 && l.count == 0);
    write_file(tmp, "MANIFEST.tsv", "name\tcorpus\tbytes\nx\tc\t3\n");
    CHECK(h278_dataset_add_canterbury(&l, tmp) == -1 && l.count == 0);
    write_file(tmp, "MANIFEST.tsv", "corpus\tname\tbytes\n");
    CHECK(h278_dataset_add_canterbury(&l, tmp) == -1 && l.count == 0);
    h278_dataset_list_free(&l);
    remove_file(corpus_dir, "x");
    remove_file(tmp, "MANIFEST.tsv");
    CHECK(rmdir(corpus_dir) == 0 && rmdir(tmp) == 0);
    CHECK(h278_dataset_add_canterbury(&l, "/nonexistent/h278") == -1 && l.count == 0);
}

/* The default set: the names, groups and sizes datasets.h lists, and data
 * that matches each group's parameter. */
static void check_generated_set(int quick)
{
    static const char *const names[] = {
        "iid-1.0",      "iid-2.0",       "iid-4.0",       "iid-6.0",       "iid-7.5",
        "zipf-1.0",     "zipf-1.5",      "geometric-0.1", "geometric-0.3", "fibonacci-L8",
        "fibonacci-L11", "fibonacci-L12", "fibonacci-L15", "fibonacci-L20", "text-1KB",
        "text-1MB",     "text-10MB"};
    const size_t standard = quick ? 256 << 10 : 1 << 20;
    h278_dataset_list l = {0};
    CHECK(h278_dataset_add_generated(&l, quick, 278) == 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t j = 0;
        while (j < l.count && strcmp(l.items[j].name, names[i]) != 0)
            j++;
        int want = !(quick && strcmp(names[i], "text-10MB") == 0);
        CHECKF((j < l.count) == want, "quick=%d: %s %s", quick, names[i], want ? "missing" : "present");
    }
    for (size_t j = 0; j < l.count; j++) {
        const h278_dataset *d = &l.items[j];
        int ok = 0;
        if (strcmp(d->group, "entropy") == 0)
            ok = d->size == standard && fabs(measured_entropy(d->data, d->size) - d->param) <= 0.1;
        else if (strcmp(d->group, "zipf") == 0 || strcmp(d->group, "geometric") == 0) {
            uint64_t c[256];
            count_bytes(d->data, d->size, c);
            ok = d->size == standard && c[0] > c[1] && c[1] > c[2] && c[2] > c[3];
        } else if (strcmp(d->group, "fibonacci") == 0)
            ok = d->size == standard && distinct_bytes(d->data, d->size) == (unsigned)d->param + 2;
        else if (strcmp(d->group, "size") == 0)
            ok = (double)d->size == d->param && (!quick || d->size <= 1000000);
        CHECKF(ok, "quick=%d: %s (group %s, param %g, %zu bytes)", quick, d->name, d->group, d->param,
               d->size);
    }
    h278_dataset_list_free(&l);
}

int main(void)
{
    uint8_t *a = malloc(N), *b = malloc(N);
    CHECK(a && b);
    if (!a || !b)
        return h278_test_finish();
    check_generators(a, b);
    check_fibonacci(a);
    check_text(a, b);
    check_folder();
    check_corpora();
    check_generated_set(1);
    check_generated_set(0);
    free(a);
    free(b);
    return h278_test_finish();
}
