/*
 * datasets.c - seeded generators and corpus loading (see datasets.h).
 *
 * Every generator draws from splitmix64 and samples a 256-entry
 * distribution through its cumulative table, so output depends only on the
 * parameters and the seed. The i.i.d. entropy generator searches for the
 * exponent of a geometric-like distribution whose entropy hits the target,
 * so "4.0 bits/byte" means the source entropy, not a guess.
 */
#define _DEFAULT_SOURCE
#include "datasets.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Draws n symbols from weights w[0..255] (not all zero); symbol i is mapped
 * through a seeded permutation so frequent symbols are not all small. */
static void sample(const double *w, size_t n, uint64_t seed, uint8_t *out, int permute)
{
    double cdf[256], total = 0;
    uint8_t perm[256];
    for (int i = 0; i < 256; i++) {
        total += w[i];
        cdf[i] = total;
        perm[i] = (uint8_t)i;
    }
    uint64_t s = seed;
    if (permute)
        for (int i = 255; i > 0; i--) {
            int j = (int)(next_rand(&s) % (uint64_t)(i + 1));
            uint8_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    for (size_t k = 0; k < n; k++) {
        double u = (double)(next_rand(&s) >> 11) * (1.0 / 9007199254740992.0) * total;
        int lo = 0, hi = 255;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (cdf[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        out[k] = perm[lo];
    }
}

static double weights_entropy(const double *w)
{
    double total = 0, h = 0;
    for (int i = 0; i < 256; i++)
        total += w[i];
    for (int i = 0; i < 256; i++)
        if (w[i] > 0)
            h -= w[i] / total * log2(w[i] / total);
    return h;
}

int h278_gen_iid_entropy(double bits, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(bits >= 0.5 && bits <= 7.99))
        return -1;
    /* w[i] = r^i: entropy falls from 8 (r = 1) towards 0 as r falls. */
    double w[256], lo = 0.0001, hi = 1.0;
    for (int iter = 0; iter < 100; iter++) {
        double r = (lo + hi) / 2;
        for (int i = 0; i < 256; i++)
            w[i] = pow(r, i);
        if (weights_entropy(w) > bits)
            hi = r;
        else
            lo = r;
    }
    sample(w, n, seed, out, 1);
    return 0;
}

int h278_gen_zipf(double s, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(s > 0 && s <= 5))
        return -1;
    double w[256];
    for (int i = 0; i < 256; i++)
        w[i] = 1.0 / pow(i + 1, s);
    sample(w, n, seed, out, 1);
    return 0;
}

int h278_gen_geometric(double p, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(p > 0 && p < 1))
        return -1;
    double w[256];
    for (int i = 0; i < 256; i++)
        w[i] = pow(1 - p, i) * p;
    sample(w, n, seed, out, 1);
    return 0;
}

int h278_gen_fibonacci(unsigned max_len, size_t n, uint64_t seed, uint8_t *out)
{
    /* Exact counts k * F(1), k * F(2), ..., k * F(L + 2) over L + 2 symbols
     * (the remainder on the most frequent one), shuffled. Fibonacci weights
     * make the optimal unlimited code a chain L + 1 deep, so at limit L the
     * limit binds — whenever n >= F(1) + ... + F(L + 2), i.e. k >= 1. Counts
     * are exact rather than sampled so the rarest symbols cannot go missing. */
    if (max_len < 2 || max_len > 30)
        return -1;
    unsigned syms = max_len + 2;
    uint64_t f[32], sum = 0;
    f[0] = f[1] = 1;
    for (unsigned i = 2; i < syms; i++)
        f[i] = f[i - 1] + f[i - 2];
    for (unsigned i = 0; i < syms; i++)
        sum += f[i];
    uint64_t k = n / sum;
    size_t pos = 0;
    for (unsigned i = 0; i < syms && pos < n; i++) {
        uint64_t c = k ? k * f[i] : (f[i] * n + sum - 1) / sum;
        for (uint64_t j = 0; j < c && pos < n; j++)
            out[pos++] = (uint8_t)i;
    }
    while (pos < n)
        out[pos++] = (uint8_t)(syms - 1);
    uint64_t s = seed;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_rand(&s) % i);
        uint8_t t = out[i - 1];
        out[i - 1] = out[j];
        out[j] = t;
    }
    return 0;
}

int h278_gen_text(size_t n, uint64_t seed, uint8_t *out)
{
    /* Words drawn with Zipf-like frequencies from a fixed English list,
     * with punctuation and line breaks: order-0 statistics close to prose. */
    static const char *const words[] = {
        "the", "of", "and", "to", "a", "in", "is", "it", "that", "was", "he", "for", "on", "are",
        "with", "as", "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by",
        "word", "but", "what", "some", "we", "can", "out", "other", "were", "all", "there", "when",
        "up", "use", "your", "how", "said", "an", "each", "she", "which", "do", "their", "time",
        "if", "will", "way", "about", "many", "then", "them", "write", "would", "like", "so",
        "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day",
        "could", "go", "come", "did", "number", "sound", "no", "most", "people", "my", "over",
        "know", "water", "than", "call", "first", "who", "may", "down", "side", "been", "now",
        "find", "any", "new", "work", "part", "take", "get", "place", "made", "live", "where",
        "after", "back", "little", "only", "round", "man", "year", "came", "show", "every",
        "good", "me", "give", "our", "under", "name", "very", "through", "just", "form",
        "sentence", "great", "think", "say", "help", "low", "line", "differ", "turn", "cause",
        "much", "mean", "before", "move", "right", "boy", "old", "too", "same", "tell", "does",
        "set", "three", "want", "air", "well", "also", "play", "small", "end", "put", "home",
        "read", "hand", "port", "large", "spell", "add", "even", "land", "here", "must", "big",
        "high", "such", "follow", "act", "why", "ask", "men", "change", "went", "light", "kind",
        "off", "need", "house", "picture", "try", "us", "again", "animal", "point", "mother",
        "world", "near", "build", "self", "earth", "father", "Alice", "Queen", "King", "Rabbit"};
    const size_t nwords = sizeof words / sizeof words[0];
    double cdf[sizeof words / sizeof words[0]], total = 0;
    for (size_t i = 0; i < nwords; i++)
        cdf[i] = (total += 1.0 / (double)(i + 1));
    uint64_t s = seed;
    size_t pos = 0, line = 0;
    int capital = 1;
    while (pos < n) {
        double u = (double)(next_rand(&s) >> 11) * (1.0 / 9007199254740992.0) * total;
        size_t w = 0;
        while (w + 1 < nwords && cdf[w] <= u)
            w++;
        for (const char *c = words[w]; *c && pos < n; c++) {
            char ch = *c;
            if (capital && ch >= 'a' && ch <= 'z')
                ch = (char)(ch - 32);
            capital = 0;
            out[pos++] = (uint8_t)ch;
            line++;
        }
        uint64_t r = next_rand(&s) % 100;
        if (pos < n && r < 6) {
            out[pos++] = '.';
            capital = 1;
        } else if (pos < n && r < 12) {
            out[pos++] = ',';
        }
        if (pos < n) {
            out[pos++] = line > 64 ? '\n' : ' ';
            if (line > 64)
                line = 0;
        }
    }
    return 0;
}

double h278_entropy(const uint8_t *data, size_t n)
{
    size_t count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[data[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (count[i])
            h -= (double)count[i] / (double)n * log2((double)count[i] / (double)n);
    return h;
}

static h278_dataset *push(h278_dataset_list *l, const char *name, const char *group, double param,
                          size_t size)
{
    h278_dataset *items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (!items)
        return NULL;
    l->items = items;
    h278_dataset *d = &items[l->count];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    snprintf(d->group, sizeof d->group, "%s", group);
    d->param = param;
    d->size = size;
    d->data = malloc(size ? size : 1);
    if (!d->data)
        return NULL;
    l->count++;
    return d;
}

int h278_dataset_add_file(h278_dataset_list *l, const char *path, const char *group)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "datasets: cannot read %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    h278_dataset *d = push(l, base, group, 0, (size_t)st.st_size);
    int ok = d && fread(d->data, 1, d->size, f) == d->size;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "datasets: cannot read %s\n", path);
        return -1;
    }
    return 0;
}

int h278_dataset_add_path(h278_dataset_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "datasets: %s does not exist\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return h278_dataset_add_file(l, path, "user");
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "datasets: cannot list %s\n", path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && stat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
            rc |= h278_dataset_add_file(l, full, "user");
        free(names[i]);
    }
    free(names);
    return rc;
}

int h278_dataset_add_canterbury(h278_dataset_list *l, const char *dir)
{
    char manifest[4096], line[4096];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", dir);
    FILE *f = fopen(manifest, "r");
    if (!f) {
        fprintf(stderr, "datasets: cannot open %s\n", manifest);
        return -1;
    }
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        char corpus[128], name[128], path[4096];
        if (strncmp(line, "corpus\t", 7) == 0 || sscanf(line, "%127[^\t]\t%127[^\t]", corpus, name) != 2)
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", dir, corpus, name);
        rc |= h278_dataset_add_file(l, path, corpus);
    }
    fclose(f);
    return rc;
}

int h278_dataset_add_generated(h278_dataset_list *l, int quick, uint64_t seed)
{
    size_t mib = quick ? 256u << 10 : 1u << 20;
    char name[96];
    static const double entropies[] = {1, 2, 4, 6, 7.5};
    for (size_t i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "iid-%.1f", entropies[i]);
        h278_dataset *d = push(l, name, "entropy", entropies[i], mib);
        if (!d || h278_gen_iid_entropy(entropies[i], mib, seed + i, d->data))
            return -1;
    }
    static const double zipf[] = {1.0, 1.5};
    for (size_t i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "zipf-%.1f", zipf[i]);
        h278_dataset *d = push(l, name, "zipf", zipf[i], mib);
        if (!d || h278_gen_zipf(zipf[i], mib, seed + 10 + i, d->data))
            return -1;
    }
    static const double geo[] = {0.1, 0.3};
    for (size_t i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "geometric-%.1f", geo[i]);
        h278_dataset *d = push(l, name, "geometric", geo[i], mib);
        if (!d || h278_gen_geometric(geo[i], mib, seed + 20 + i, d->data))
            return -1;
    }
    static const unsigned fib[] = {8, 11, 12, 15, 20};
    for (size_t i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "fibonacci-L%u", fib[i]);
        h278_dataset *d = push(l, name, "fibonacci", fib[i], mib);
        if (!d || h278_gen_fibonacci(fib[i], mib, seed + 30 + i, d->data))
            return -1;
    }
    /* The size sweep (1 KB .. 10 MB, log scale) on English-like text;
     * text-1KB, text-1MB and text-10MB are the original write-up's sizes. */
    static const struct { const char *name; size_t size; int quick; } sizes[] = {
        {"text-1KB", 1000, 1},       {"text-4KB", 4000, 1},        {"text-16KB", 16000, 1},
        {"text-64KB", 64000, 1},     {"text-256KB", 256000, 1},    {"text-1MB", 1000000, 1},
        {"text-4MB", 4000000, 0},    {"text-10MB", 10000000, 0}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (quick && !sizes[i].quick)
            continue;
        h278_dataset *d = push(l, sizes[i].name, "size", (double)sizes[i].size, sizes[i].size);
        if (!d || h278_gen_text(sizes[i].size, seed + 40, d->data))
            return -1;
    }
    return 0;
}

void h278_dataset_list_free(h278_dataset_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].data);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

const char *h278_default_corpora_dir(void)
{
    const char *env = getenv("H278_CORPORA");
    return env && *env ? env : H278_DEFAULT_CORPORA;
}
