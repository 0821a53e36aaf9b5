/*
 * datasets.c - seeded generators and corpus loading (see datasets.h).
 *
 * Every i.i.d. generator builds a 256-entry weight table, quantises its
 * cumulative sum to 32-bit integers (h278_dist), and then draws with integer
 * arithmetic only: splitmix64 for the random numbers and a binary search of
 * the table. The output therefore depends on the platform only through the
 * table, and a last-place difference in a C library's pow() or log2() would
 * have to land exactly on a 2^-32 boundary to change it. Weights that are
 * powers (r^k, (1-p)^k) are built by repeated multiplication, which IEEE
 * arithmetic rounds the same way everywhere.
 *
 * The entropy generator bisects on r until the weights r^k have the target
 * entropy, then checks the quantised table itself, so "iid-4.0" means a
 * source of 4.0 bits/byte, not a guess.
 */
#define _DEFAULT_SOURCE /* scandir, fileno, getline */
#include "datasets.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- random numbers and quantised distributions ----------------------- */

/* splitmix64: a 64-bit state, integer operations only. */
static uint64_t h278_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/*
 * A distribution over outcomes 0 .. count-1. Invariant: cum[] is
 * non-decreasing and cum[count - 1] == 2^32, so outcome i has probability
 * (cum[i] - cum[i - 1]) / 2^32 and one with zero width is never drawn.
 */
typedef struct h278_dist {
    uint64_t cum[256];
    unsigned count;
} h278_dist;

/* w[0 .. count) must be finite, non-negative and not all zero. */
static void h278_dist_init(h278_dist *d, const double *w, unsigned count)
{
    double total = 0, acc = 0;
    for (unsigned i = 0; i < count; i++)
        total += w[i];
    /* Summing in the same order makes acc reach exactly total, so every
     * ratio is at most 1 and the top entry needs no clamp beyond the last. */
    for (unsigned i = 0; i < count; i++) {
        acc += w[i];
        d->cum[i] = (uint64_t)(acc / total * 4294967296.0);
    }
    d->cum[count - 1] = (uint64_t)1 << 32;
    d->count = count;
}

static unsigned h278_dist_draw(const h278_dist *d, uint64_t *state)
{
    uint64_t u = h278_rng_next(state) >> 32; /* uniform in [0, 2^32) */
    unsigned lo = 0, hi = d->count - 1;
    while (lo < hi) { /* the smallest i with u < cum[i] */
        unsigned mid = (lo + hi) / 2;
        if (u < d->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Entropy in bits of the quantised distribution: what the source emits. */
static double h278_dist_entropy(const h278_dist *d)
{
    double h = 0;
    uint64_t prev = 0;
    for (unsigned i = 0; i < d->count; i++) {
        double p = (double)(d->cum[i] - prev) / 4294967296.0;
        if (p > 0)
            h -= p * log2(p);
        prev = d->cum[i];
    }
    return h;
}

static void h278_dist_fill(const h278_dist *d, size_t n, uint64_t seed, uint8_t *out)
{
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)h278_dist_draw(d, &state);
}

/* w[k] = first * ratio^k for k = 0..255, by repeated multiplication. */
static void h278_powers(double first, double ratio, double w[256])
{
    w[0] = first;
    for (unsigned k = 1; k < 256; k++)
        w[k] = w[k - 1] * ratio;
}

/* ---- generators -------------------------------------------------------- */

int h278_gen_iid_entropy(double bits_per_byte, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(bits_per_byte >= 0.5 && bits_per_byte <= 7.99))
        return -1;
    /* The entropy of w[k] = r^k rises monotonically from 0 (r -> 0) to 8
     * bits (r = 1); 60 halvings pin r far below what 32-bit quantisation
     * can resolve. */
    double w[256], lo = 0, hi = 1;
    h278_dist d;
    for (int iter = 0; iter < 60; iter++) {
        double r = (lo + hi) / 2;
        h278_powers(1.0, r, w);
        h278_dist_init(&d, w, 256);
        if (h278_dist_entropy(&d) > bits_per_byte)
            hi = r;
        else
            lo = r;
    }
    h278_powers(1.0, (lo + hi) / 2, w);
    h278_dist_init(&d, w, 256);
    if (fabs(h278_dist_entropy(&d) - bits_per_byte) > 0.05)
        return -1; /* cannot happen for targets in range; the claim is checked, not assumed */
    h278_dist_fill(&d, n, seed, out);
    return 0;
}

int h278_gen_zipf(double s, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(s > 0 && s <= 8))
        return -1;
    double w[256];
    for (unsigned k = 0; k < 256; k++)
        w[k] = pow((double)(k + 1), -s);
    h278_dist d;
    h278_dist_init(&d, w, 256);
    h278_dist_fill(&d, n, seed, out);
    return 0;
}

int h278_gen_geometric(double p, size_t n, uint64_t seed, uint8_t *out)
{
    if (!(p > 0 && p < 1))
        return -1;
    double w[256];
    h278_powers(p, 1 - p, w);
    h278_dist d;
    h278_dist_init(&d, w, 256);
    h278_dist_fill(&d, n, seed, out);
    return 0;
}

int h278_gen_fibonacci(unsigned max_len, size_t n, uint64_t seed, uint8_t *out)
{
    /*
     * Symbol i (0 .. L+1) occurs exactly k * F(i + 1) times, k = n / sum,
     * and the remainder goes to the most frequent symbol. Huffman's
     * algorithm then always merges the subtree of the i rarest symbols
     * (weight k * (F(i + 2) - 1)) with symbol i: a chain L + 1 deep, the
     * deepest any code over L + 2 symbols can be. Counts are exact, not
     * sampled, so the rarest symbols cannot go missing and break the chain.
     */
    if (max_len < 2 || max_len > 30)
        return -1;
    const unsigned syms = max_len + 2;
    uint64_t f[32], sum = 0;
    f[0] = f[1] = 1;
    for (unsigned i = 2; i < syms; i++)
        f[i] = f[i - 1] + f[i - 2];
    for (unsigned i = 0; i < syms; i++)
        sum += f[i]; /* = F(L + 4) - 1 */
    if (n < sum)
        return -1;
    const uint64_t k = n / sum;
    size_t pos = 0;
    for (unsigned i = 0; i < syms; i++)
        for (uint64_t j = 0; j < k * f[i]; j++)
            out[pos++] = (uint8_t)i;
    while (pos < n)
        out[pos++] = (uint8_t)(syms - 1);
    uint64_t state = seed; /* Fisher-Yates */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(h278_rng_next(&state) % i);
        uint8_t t = out[i - 1];
        out[i - 1] = out[j];
        out[j] = t;
    }
    return 0;
}

/* Common English words, most frequent first; drawn with weight 1/rank. */
static const char *const h278_words[] = {
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
#define H278_NWORDS (sizeof h278_words / sizeof h278_words[0])
_Static_assert(H278_NWORDS <= 256, "the word list must fit an h278_dist");

int h278_gen_text(size_t n, uint64_t seed, uint8_t *out)
{
    /* One draw picks a word, a second its punctuation: 6% end a sentence
     * (the next word is capitalised), 6% take a comma. A word that takes
     * the line past 64 characters is followed by a line break. */
    double w[H278_NWORDS];
    for (unsigned i = 0; i < H278_NWORDS; i++)
        w[i] = 1.0 / (double)(i + 1);
    h278_dist d;
    h278_dist_init(&d, w, (unsigned)H278_NWORDS);
    uint64_t state = seed;
    size_t pos = 0, column = 0;
    int capital = 1;
    while (pos < n) {
        const char *word = h278_words[h278_dist_draw(&d, &state)];
        for (const char *c = word; *c && pos < n; c++, column++) {
            char ch = *c;
            if (capital && ch >= 'a' && ch <= 'z')
                ch = (char)(ch - 'a' + 'A');
            capital = 0;
            out[pos++] = (uint8_t)ch;
        }
        uint64_t r = h278_rng_next(&state) % 100;
        if (pos < n && r < 12) {
            out[pos++] = r < 6 ? '.' : ',';
            column++;
            capital = r < 6;
        }
        if (pos < n) {
            out[pos++] = column > 64 ? '\n' : ' ';
            column = column > 64 ? 0 : column + 1;
        }
    }
    return 0;
}

/* ---- the list ------------------------------------------------------------ */

/* Appends a dataset with size bytes of uninitialised data; NULL (message
 * printed, list unchanged) if memory runs out. */
static h278_dataset *h278_list_push(h278_dataset_list *l, const char *name, const char *group,
                                    double param, size_t size)
{
    uint8_t *data = malloc(size ? size : 1);
    h278_dataset *items = data ? realloc(l->items, (l->count + 1) * sizeof *items) : NULL;
    if (!items) {
        free(data);
        fprintf(stderr, "datasets: out of memory for %s (%zu bytes)\n", name, size);
        return NULL;
    }
    l->items = items;
    h278_dataset *d = &items[l->count++];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    snprintf(d->group, sizeof d->group, "%s", group);
    d->param = param;
    d->data = data;
    d->size = size;
    return d;
}

/* Removes the last dataset (one that failed to fill). */
static void h278_list_pop(h278_dataset_list *l)
{
    free(l->items[--l->count].data);
}

void h278_dataset_list_free(h278_dataset_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].data);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* ---- loading files ------------------------------------------------------- */

int h278_dataset_add_file(h278_dataset_list *l, const char *path, const char *group)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "datasets: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "datasets: %s is not a regular file\n", path);
        fclose(f);
        return -1;
    }
    if ((uint64_t)st.st_size > H278_DATASET_MAX_FILE) {
        fprintf(stderr, "datasets: %s is larger than the %llu MiB limit\n", path,
                (unsigned long long)(H278_DATASET_MAX_FILE >> 20));
        fclose(f);
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    h278_dataset *d = h278_list_push(l, base, group, 0, (size_t)st.st_size);
    if (!d) {
        fclose(f);
        return -1;
    }
    /* One byte more than expected must hit end of file: the file did not
     * change size while it was read. */
    size_t got = fread(d->data, 1, d->size, f);
    int grew = got == d->size && fgetc(f) != EOF;
    fclose(f);
    if (got != d->size || grew) {
        fprintf(stderr, "datasets: %s changed size while it was read\n", path);
        h278_list_pop(l);
        return -1;
    }
    return 0;
}

/* scandir order: bytes, not the locale's collation. */
static int h278_by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int h278_dataset_add_path(h278_dataset_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "datasets: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            fprintf(stderr, "datasets: %s is empty\n", path);
            return -1;
        }
        return h278_dataset_add_file(l, path, "user");
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, h278_by_name);
    if (n < 0) {
        fprintf(stderr, "datasets: cannot list %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    size_t added = 0;
    for (int i = 0; i < n; i++) {
        char full[4096];
        const char *name = names[i]->d_name;
        int len = snprintf(full, sizeof full, "%s/%s", path, name);
        if (rc == 0 && name[0] != '.') {
            if (len < 0 || (size_t)len >= sizeof full) {
                fprintf(stderr, "datasets: path too long: %s/%s\n", path, name);
                rc = -1;
            } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                rc = h278_dataset_add_file(l, full, "user");
                added += rc == 0;
            }
        }
        free(names[i]);
    }
    free(names);
    if (rc == 0 && added == 0) {
        fprintf(stderr, "datasets: %s holds no non-empty regular file\n", path);
        rc = -1;
    }
    return rc;
}

/* Cuts the next tab-separated field off *cursor (NULL when none is left). */
static char *h278_next_field(char **cursor)
{
    char *start = *cursor;
    if (!start)
        return NULL;
    char *tab = strchr(start, '\t');
    if (tab) {
        *tab = '\0';
        *cursor = tab + 1;
    } else {
        *cursor = NULL;
    }
    return start;
}

/* A manifest row's corpus or file name: one plain path component. */
static int h278_plain_name(const char *s, size_t max)
{
    size_t len = strlen(s);
    return len > 0 && len < max && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

int h278_dataset_add_canterbury(h278_dataset_list *l, const char *corpora_dir)
{
    char manifest[4096];
    int len = snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", corpora_dir);
    FILE *f = len > 0 && (size_t)len < sizeof manifest ? fopen(manifest, "r") : NULL;
    if (!f) {
        fprintf(stderr, "datasets: cannot open %s/MANIFEST.tsv\n", corpora_dir);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, rows = 0;
    unsigned long line_no = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line_no == 1) {
            /* Columns are found by position: corpus, name, bytes, ... */
            if (strncmp(line, "corpus\tname\tbytes", 17) != 0) {
                fprintf(stderr, "datasets: %s: unexpected header\n", manifest);
                rc = -1;
            }
            continue;
        }
        if (line[0] == '\0')
            continue;
        char *cursor = line;
        const char *corpus = h278_next_field(&cursor);
        const char *name = h278_next_field(&cursor);
        const char *bytes = h278_next_field(&cursor);
        char *end = NULL;
        errno = 0;
        unsigned long long expect = bytes ? strtoull(bytes, &end, 10) : 0;
        char path[4096];
        if (!name || !bytes || !h278_plain_name(corpus, sizeof l->items->group) ||
            !h278_plain_name(name, sizeof l->items->name) || end == bytes || *end != '\0' || errno ||
            (size_t)snprintf(path, sizeof path, "%s/%s/%s", corpora_dir, corpus, name) >= sizeof path) {
            fprintf(stderr, "datasets: %s:%lu: malformed row\n", manifest, line_no);
            rc = -1;
            continue;
        }
        rc = h278_dataset_add_file(l, path, corpus);
        if (rc == 0 && l->items[l->count - 1].size != expect) {
            fprintf(stderr, "datasets: %s is %zu bytes, the manifest says %llu\n", path,
                    l->items[l->count - 1].size, expect);
            h278_list_pop(l);
            rc = -1;
        }
        rows += rc == 0;
    }
    free(line);
    fclose(f);
    if (rc == 0 && rows == 0) {
        fprintf(stderr, "datasets: %s lists no files\n", manifest);
        rc = -1;
    }
    return rc;
}

/* ---- the default generated set -------------------------------------------- */

static int h278_gen_fibonacci_param(double max_len, size_t n, uint64_t seed, uint8_t *out)
{
    return h278_gen_fibonacci((unsigned)max_len, n, seed, out);
}

static int h278_gen_text_param(double unused, size_t n, uint64_t seed, uint8_t *out)
{
    (void)unused;
    return h278_gen_text(n, seed, out);
}

/*
 * Each dataset draws from seed + stream. All texts share one stream, so a
 * smaller text is a prefix of a larger one. size 0 means the standard size
 * (1 MiB, or 256 KiB when quick); full_only entries are left out when quick.
 */
static const struct h278_generated {
    const char *name, *group;
    double param;
    size_t size;
    unsigned stream;
    int full_only;
    int (*gen)(double param, size_t n, uint64_t seed, uint8_t *out);
} h278_generated_set[] = {
    {"iid-1.0", "entropy", 1.0, 0, 0, 0, h278_gen_iid_entropy},
    {"iid-2.0", "entropy", 2.0, 0, 1, 0, h278_gen_iid_entropy},
    {"iid-4.0", "entropy", 4.0, 0, 2, 0, h278_gen_iid_entropy},
    {"iid-6.0", "entropy", 6.0, 0, 3, 0, h278_gen_iid_entropy},
    {"iid-7.5", "entropy", 7.5, 0, 4, 0, h278_gen_iid_entropy},
    {"zipf-1.0", "zipf", 1.0, 0, 10, 0, h278_gen_zipf},
    {"zipf-1.5", "zipf", 1.5, 0, 11, 0, h278_gen_zipf},
    {"geometric-0.1", "geometric", 0.1, 0, 20, 0, h278_gen_geometric},
    {"geometric-0.3", "geometric", 0.3, 0, 21, 0, h278_gen_geometric},
    {"fibonacci-L8", "fibonacci", 8, 0, 30, 0, h278_gen_fibonacci_param},
    {"fibonacci-L11", "fibonacci", 11, 0, 31, 0, h278_gen_fibonacci_param},
    {"fibonacci-L12", "fibonacci", 12, 0, 32, 0, h278_gen_fibonacci_param},
    {"fibonacci-L15", "fibonacci", 15, 0, 33, 0, h278_gen_fibonacci_param},
    {"fibonacci-L20", "fibonacci", 20, 0, 34, 0, h278_gen_fibonacci_param},
    /* The size sweep, 1 KB to 10 MB on a log scale; 1 KB, 1 MB and 10 MB
     * are the sizes of H278's first design targets (README). */
    {"text-1KB", "size", 1e3, 1000, 40, 0, h278_gen_text_param},
    {"text-4KB", "size", 4e3, 4000, 40, 0, h278_gen_text_param},
    {"text-16KB", "size", 16e3, 16000, 40, 0, h278_gen_text_param},
    {"text-64KB", "size", 64e3, 64000, 40, 0, h278_gen_text_param},
    {"text-256KB", "size", 256e3, 256000, 40, 0, h278_gen_text_param},
    {"text-1MB", "size", 1e6, 1000000, 40, 0, h278_gen_text_param},
    {"text-4MB", "size", 4e6, 4000000, 40, 1, h278_gen_text_param},
    {"text-10MB", "size", 1e7, 10000000, 40, 1, h278_gen_text_param},
};

int h278_dataset_add_generated(h278_dataset_list *l, int quick, uint64_t seed)
{
    const size_t standard = quick ? (size_t)256 << 10 : (size_t)1 << 20;
    for (size_t i = 0; i < sizeof h278_generated_set / sizeof h278_generated_set[0]; i++) {
        const struct h278_generated *g = &h278_generated_set[i];
        if (quick && g->full_only)
            continue;
        size_t size = g->size ? g->size : standard;
        h278_dataset *d = h278_list_push(l, g->name, g->group, g->param, size);
        if (!d)
            return -1;
        if (g->gen(g->param, size, seed + g->stream, d->data) != 0) {
            fprintf(stderr, "datasets: cannot generate %s\n", g->name);
            h278_list_pop(l);
            return -1;
        }
    }
    return 0;
}

const char *h278_default_corpora_dir(void)
{
    const char *env = getenv("H278_CORPORA");
    return env && *env ? env : H278_DEFAULT_CORPORA;
}
