/*
 * fuzz_common.h - buffers that end right before an inaccessible page, so
 * that reading or writing one byte past them faults even without ASan.
 */
#ifndef H278_FUZZ_COMMON_H
#define H278_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef struct h278_guarded {
    uint8_t *data;   /* n usable bytes ending at the guard page */
    void *map;
    size_t map_size;
} h278_guarded;

/* Returns 0 on success. */
int h278_guarded_alloc(h278_guarded *g, size_t n);
void h278_guarded_free(h278_guarded *g);

#endif /* H278_FUZZ_COMMON_H */
