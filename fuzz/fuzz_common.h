/*
 * fuzz_common.h - buffers that end right before an inaccessible page, so
 * that reading or writing one byte past them faults even without ASan.
 *
 * ASan does not watch memory that comes from mmap, and SIMD loads may step
 * over redzones; a PROT_NONE page right after the last usable byte catches
 * both. A shorter buffer is placed at the tail (h278_guarded_tail) so it,
 * too, ends at the guard page.
 */
#ifndef H278_FUZZ_COMMON_H
#define H278_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef struct h278_guarded {
    uint8_t *data;   /* size usable bytes ending at the guard page */
    size_t size;
    void *map;
    size_t map_size;
} h278_guarded;

/* Returns 0 on success. */
int h278_guarded_alloc(h278_guarded *g, size_t n);
void h278_guarded_free(h278_guarded *g);

/* The last n bytes of g (n <= g->size): a buffer of n bytes that ends at the
 * guard page. */
static inline uint8_t *h278_guarded_tail(const h278_guarded *g, size_t n)
{
    return g->data + (g->size - n);
}

/* Rewrites the file header checksum of file[0..n) (n >= 24) to match its
 * first 20 bytes. A mutated header field is otherwise almost always stopped
 * by the checksum, and the checks behind it would never see hostile values. */
void h278_fuzz_reseal(uint8_t *file, size_t n);

#endif /* H278_FUZZ_COMMON_H */
