/*
 * datasets.h - the data the benchmarks run on: the Canterbury corpora, the
 * user's own files, and seeded generators for what real corpora do not
 * cover (chosen entropies, Zipf and geometric distributions, the worst case
 * for code length, and the 1 KB / 1 MB / 10 MB sizes of H278's first design targets).
 *
 * Generated data is a pure function of (parameter, size, seed): the random
 * numbers are integer-only (splitmix64) and every distribution is quantised
 * to a 32-bit integer table before sampling, so the bytes are the same on
 * every platform. Nothing generated is ever committed; it is made at bench
 * time. Everything is loaded whole into memory, one allocation per dataset.
 */
#ifndef H278_DATASETS_H
#define H278_DATASETS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h278_dataset {
    char name[96];   /* used in benchmark names: a file's base name ("alice29.txt"), or a
                        generated name ("iid-4.0", "zipf-1.1", "geometric-0.2",
                        "fibonacci-L11", "text-1KB", "text-1MB", "text-10MB") */
    char group[32];  /* "canterbury", "canterbury-artificial", "canterbury-large", "entropy",
                        "zipf", "geometric", "fibonacci", "size", "user" */
    double param;    /* the group's sweep variable (entropy bits/byte, zipf s, geometric p,
                        L, size in bytes); 0 if none */
    uint8_t *data;   /* malloc'd, size bytes (never NULL, even when size is 0) */
    size_t size;
} h278_dataset;

typedef struct h278_dataset_list {
    h278_dataset *items;
    size_t count;
} h278_dataset_list;  /* start from {0}; free with h278_dataset_list_free() */

/*
 * Seeded generators: fill out[0 .. n). Deterministic for a given
 * (parameter, n, seed) on every platform; a different seed gives different
 * bytes. Return 0, or -1 (out untouched) for a parameter out of range.
 */

/* i.i.d. bytes, P(byte k) proportional to r^k with r chosen so that the
 * source entropy is within 0.05 bits/byte of the target (0.5 .. 7.99). */
int h278_gen_iid_entropy(double bits_per_byte, size_t n, uint64_t seed, uint8_t *out);
/* i.i.d. bytes, P(byte k) proportional to 1 / (k + 1)^s, 0 < s <= 8. */
int h278_gen_zipf(double s, size_t n, uint64_t seed, uint8_t *out);
/* i.i.d. bytes, P(byte k) proportional to (1 - p)^k p, k = 0..255 (truncated), 0 < p < 1. */
int h278_gen_geometric(double p, size_t n, uint64_t seed, uint8_t *out);
/* Bytes 0 .. L+1 with counts proportional to the Fibonacci numbers
 * F(1) .. F(L+2) (exact counts, shuffled): the worst case for code length.
 * The optimal unlimited code is L+1 bits deep, so at limit L the limit binds.
 * 2 <= L <= 30, and n must hold one whole set: n >= F(L+4) - 1. */
int h278_gen_fibonacci(unsigned max_len, size_t n, uint64_t seed, uint8_t *out);
/* English-like text from a seeded word model (a built-in list of common
 * English words drawn with Zipf frequencies, sentences, commas, lines of
 * about 65 characters). Any n; a shorter text is a prefix of a longer one
 * with the same seed. */
int h278_gen_text(size_t n, uint64_t seed, uint8_t *out);

/*
 * Loading real data. Each returns 0 on success, -1 with a message on stderr
 * otherwise; datasets added before a failure stay in the list. Files larger
 * than H278_DATASET_MAX_FILE are refused rather than loaded.
 */
#define H278_DATASET_MAX_FILE ((uint64_t)1 << 30)

/* One file; name = its base name. */
int h278_dataset_add_file(h278_dataset_list *l, const char *path, const char *group);
/* A file, or every regular file of a folder (not recursive, sorted by name
 * in byte order, skipping empty and hidden files); group "user". A folder
 * with no such file is an error. */
int h278_dataset_add_path(h278_dataset_list *l, const char *path);
/* Every file listed in corpora_dir/MANIFEST.tsv (read from
 * corpora_dir/<corpus>/<name>), group = the manifest's corpus column. A file
 * whose size differs from the manifest's bytes column is an error. */
int h278_dataset_add_canterbury(h278_dataset_list *l, const char *corpora_dir);
/* The default generated set (see datasets/README.md): iid-1.0 .. iid-7.5,
 * zipf-1.0/1.5, geometric-0.1/0.3 and fibonacci-L8/11/12/15/20 of 1 MiB each,
 * and text-1KB .. text-10MB. quick: 256 KiB each and no text above 1 MB. */
int h278_dataset_add_generated(h278_dataset_list *l, int quick, uint64_t seed);
void h278_dataset_list_free(h278_dataset_list *l);

/* $H278_CORPORA if set and not empty, else the build's ../shared/corpora. */
const char *h278_default_corpora_dir(void);

#ifdef __cplusplus
}
#endif
#endif /* H278_DATASETS_H */
