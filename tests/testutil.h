/*
 * testutil.h - the few helpers every test uses: checks that count failures
 * instead of aborting, file reading, and the list of corpus files.
 *
 * A test prints one line per failed check and ends with
 * "N passed, N failed"; its exit status is non-zero if anything failed.
 */
#ifndef H278_TESTUTIL_H
#define H278_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern unsigned long h278_test_passed, h278_test_failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            h278_test_passed++;                                                       \
        } else {                                                                      \
            h278_test_failed++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

/* CHECK with a printf-style note describing the case on failure. */
#define CHECKF(cond, ...)                                                   \
    do {                                                                    \
        if (cond) {                                                         \
            h278_test_passed++;                                             \
        } else {                                                            \
            h278_test_failed++;                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

/* Marks memory off limits for AddressSanitizer, or back; nothing in a
 * build without it. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define H278_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define H278_TEST_ASAN 1
#endif
#if defined(H278_TEST_ASAN)
#include <sanitizer/asan_interface.h>
#define H278_TEST_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define H278_TEST_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define H278_TEST_POISON(p, n) ((void)(p), (void)(n))
#define H278_TEST_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Prints the summary line and returns the process exit status. */
int h278_test_finish(void);

/* Reads a whole file; returns NULL (and prints why) on failure. */
uint8_t *h278_test_read_file(const char *path, size_t *n);

/* Corpus files listed in MANIFEST.tsv under the corpora folder (the build's
 * H278_CORPORA, or the environment variable of that name). Returns the
 * number of paths written to paths[0 .. max). */
size_t h278_test_corpus_files(char paths[][512], size_t max);

/* Deterministic pseudo-random numbers (splitmix64). */
uint64_t h278_test_rand(uint64_t *state);

/* n text-like bytes from seed: symbol first + k with probability about
 * (3/4)^k / 4 (k = 0 .. 40), so codes of many lengths. */
void h278_test_fill_text_like(uint8_t *data, size_t n, uint64_t seed, uint8_t first);

/* A sample of synthetic edge-case inputs (empty, one byte, one symbol, all
 * 256 symbols, Fibonacci frequencies, random bytes, sizes around block
 * boundaries). Each call with i = 0, 1, ... fills *data (malloc'd, caller
 * frees) and *n and a name; returns 0 past the last case. */
int h278_test_edge_case(size_t i, uint32_t block_size, uint8_t **data, size_t *n, const char **name);

#endif /* H278_TESTUTIL_H */
