/*
 * datasets.h - the data the benchmarks run on: the Canterbury corpora, the
 * user's own files, and seeded generators for what real corpora do not
 * cover (chosen entropies, Zipf and geometric distributions, worst cases for
 * code length, and the original write-up's 1 KB / 1 MB / 10 MB sizes).
 *
 * Generated data is deterministic for a given (parameter, size, seed) on
 * every platform, made at bench time and never committed.
 */
#ifndef H278_DATASETS_H
#define H278_DATASETS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h278_dataset {
    char name[96];   /* used in benchmark names, e.g. "alice29.txt", "iid-4.0" */
    char group[32];  /* "canterbury", "entropy", "zipf", "geometric", "fibonacci", "size", "user" */
    double param;    /* the group's sweep variable (bits/byte, exponent, L, bytes); 0 if none */
    uint8_t *data;
    size_t size;
} h278_dataset;

typedef struct h278_dataset_list {
    h278_dataset *items;
    size_t count;
} h278_dataset_list;

/* Generators: fill out[0..n). Return 0, or -1 for a parameter out of range. */
int h278_gen_iid_entropy(double bits_per_byte, size_t n, uint64_t seed, uint8_t *out);
int h278_gen_zipf(double s, size_t n, uint64_t seed, uint8_t *out);
int h278_gen_geometric(double p, size_t n, uint64_t seed, uint8_t *out);
int h278_gen_fibonacci(unsigned max_len, size_t n, uint64_t seed, uint8_t *out);
int h278_gen_text(size_t n, uint64_t seed, uint8_t *out);

/* Loading. 0 on success, -1 with a message on stderr. */
int h278_dataset_add_file(h278_dataset_list *l, const char *path, const char *group);
int h278_dataset_add_path(h278_dataset_list *l, const char *path);
int h278_dataset_add_canterbury(h278_dataset_list *l, const char *corpora_dir);
int h278_dataset_add_generated(h278_dataset_list *l, int quick, uint64_t seed);
void h278_dataset_list_free(h278_dataset_list *l);

/* $H278_CORPORA, else the build's ../shared/corpora. */
const char *h278_default_corpora_dir(void);

/* Empirical order-0 entropy of data, bits per byte. */
double h278_entropy(const uint8_t *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* H278_DATASETS_H */
