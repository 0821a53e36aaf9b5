/*
 * shm.h - a named shared-memory region, one interface with one
 * implementation per platform (shm_posix.c: shm_open + mmap; shm_win32.c:
 * CreateFileMappingA + MapViewOfFile). Nothing outside those two files knows
 * which one it runs on.
 *
 * The creator owns the name: creation is exclusive (an existing region of
 * the same name is an error, never silently shared), the region is private
 * to the creating user (0600 on POSIX, the creator's default DACL on
 * Windows), and its memory is reserved at creation so that a full /dev/shm
 * is an error then and not a SIGBUS later.
 */
#ifndef H278_SHM_H
#define H278_SHM_H

#include <stddef.h>
#include <stdint.h>

typedef enum h278_shm_error {
    H278_SHM_OK = 0,
    H278_SHM_EXISTS,      /* a region of that name already exists */
    H278_SHM_NOT_FOUND,   /* no region of that name */
    H278_SHM_NO_SPACE,    /* the system cannot back the region's memory */
    H278_SHM_PERMISSION,  /* not ours, or not accessible */
    H278_SHM_BAD_NAME,    /* empty, too long, or with a '/' */
    H278_SHM_SYSTEM,      /* any other system error */
} h278_shm_error;

typedef struct h278_shm_region h278_shm_region;

const char *h278_shm_strerror(h278_shm_error err);

/* Creates a region of size bytes, zero-filled. */
h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out);
/* Maps an existing region (checking that the current user owns it). */
h278_shm_error h278_shm_open(const char *name, h278_shm_region **out);
void *h278_shm_addr(const h278_shm_region *r);
size_t h278_shm_size(const h278_shm_region *r);
/* Unmaps; the creator also removes the name. */
void h278_shm_close(h278_shm_region *r);

/* Waiting helpers for the ring: the round-th wait of a loop yields the CPU
 * at first, then sleeps briefly; and a monotonic clock in milliseconds. */
void h278_shm_pause(unsigned round);
uint64_t h278_shm_now_ms(void);

#endif /* H278_SHM_H */
