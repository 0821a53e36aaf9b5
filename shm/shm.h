/*
 * shm.h - a named shared-memory region and the few operating-system services
 * the transport needs around it, one interface with one implementation per
 * platform (shm_posix.c: shm_open + mmap + futex; shm_win32.c:
 * CreateFileMappingA + MapViewOfFile + named semaphores). Nothing outside
 * those two files knows which one it runs on.
 *
 * The creator owns the name: creation is exclusive (a region of the same
 * name held by a live creator is an error, never silently shared; one left
 * behind by a crashed creator is removed), the region is private to the
 * creating user (0600 on POSIX, the creator's default DACL on Windows), its
 * memory is reserved at creation so that a full /dev/shm is an error then
 * and not a SIGBUS later, and the creator removes the name when it closes.
 */
#ifndef H278_SHM_H
#define H278_SHM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum h278_shm_error {
    H278_SHM_OK = 0,
    H278_SHM_EXISTS,      /* a live process already owns a region of that name */
    H278_SHM_NOT_FOUND,   /* no region of that name */
    H278_SHM_NO_SPACE,    /* the system cannot back the region's memory */
    H278_SHM_PERMISSION,  /* not ours, too open, or not accessible */
    H278_SHM_BAD_NAME,    /* empty, too long, or with a path separator */
    H278_SHM_SYSTEM,      /* any other system error */
} h278_shm_error;

typedef struct h278_shm_region h278_shm_region;

/* A sentence for err; never NULL. */
const char *h278_shm_strerror(h278_shm_error err);

/* Longest NAME accepted (letters, digits, '-', '_' and '.'). */
#define H278_SHM_NAME_MAX 64u

/*
 * Creates the region NAME of size bytes, zero-filled. *removed_stale (may be
 * NULL) is set to 1 when a region of that name left by a dead creator was
 * found and removed first.
 */
h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out, int *removed_stale);
/* Maps an existing region, checking that it belongs to the current user and
 * that nobody else may open it. */
h278_shm_error h278_shm_open(const char *name, h278_shm_region **out);
void *h278_shm_addr(const h278_shm_region *r);
size_t h278_shm_size(const h278_shm_region *r);
/* Unmaps; the creator also removes the name (and its lock). NULL is fine. */
void h278_shm_close(h278_shm_region *r);
/* 1 once some process shrank the region under this mapping (POSIX: the
 * segment is now smaller than the mapping, or an access past its end was
 * caught and the mapping made private zero pages, shm_posix.c); what is in
 * it since means nothing. Windows: a mapped section cannot shrink, so
 * never. */
int h278_shm_lost(const h278_shm_region *r);
/* Where a peer shrank the region NAME below min_size bytes, even to
 * nothing, grows it back to min_size (zero bytes; it never shrinks it), so
 * that a process sleeping on a word in its first min_size bytes can be woken
 * and find its region lost. 1 if it grew it, 0 if not (no such region, not
 * ours, or large enough; Windows: a mapped section cannot shrink). */
int h278_shm_regrow(const char *name, size_t min_size);

/*
 * Blocking on a 32-bit word inside the region (a futex on Linux, a named
 * semaphore per channel on Windows). h278_shm_wait returns when *word is no
 * longer expected, when woken, or after timeout_ms; spurious returns happen,
 * so callers re-check their condition. h278_shm_wake wakes up to count
 * waiters of the channel. r may be NULL (memory that is not a region): the
 * wait then just sleeps briefly.
 */
#define H278_SHM_CHANNELS 2u
/* A timeout_ms that never ends (INFINITE on Windows; 49 days elsewhere). */
#define H278_SHM_FOREVER 0xFFFFFFFFu
void h278_shm_wait(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t expected,
                   uint32_t timeout_ms);
void h278_shm_wake(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t count);

/* One step of a spin loop: a CPU pause for the first rounds, then yielding
 * the CPU. */
void h278_shm_relax(unsigned round);
void h278_shm_sleep_ms(uint32_t ms);
/* Sleeps about us microseconds on a timer, so that no other thread has to
 * wake the caller. Returns 0, or -1 without sleeping where the system has
 * no sleep that short (Windows: its timed waits count whole milliseconds);
 * h278_shm_nap_us(0) asks which. */
int h278_shm_nap_us(uint32_t us);
/* CPUs this process may run on (at least 1). */
uint32_t h278_shm_cpu_count(void);
/* A monotonic clock in nanoseconds. */
uint64_t h278_shm_now_ns(void);

/*
 * Process identity for liveness checks: a pid plus the process's start time,
 * so that a recycled pid does not pass for the original process.
 */
void h278_shm_self(uint64_t *pid, uint64_t *start);
/* 1 if that process still runs, 0 if it is gone. */
int h278_shm_alive(uint64_t pid, uint64_t start);

/* SIGINT/SIGTERM (Ctrl-C / console close on Windows) set a flag instead of
 * killing the process; h278_shm_interrupted() reads it. */
void h278_shm_catch_interrupts(void);
int h278_shm_interrupted(void);
/* While set, a caught interrupt also bumps *word and wakes the channel's
 * waiters, so that a wait on it with no timeout returns (the idle server's).
 * word NULL: no longer. A wait that loads the word, then checks
 * h278_shm_interrupted(), then waits, never misses an interrupt. */
void h278_shm_wake_on_interrupt(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word);

/* Threads, for the decode workers and the tests. */
typedef struct h278_shm_thread h278_shm_thread;
int h278_shm_thread_start(h278_shm_thread **t, void (*fn)(void *), void *arg);
void h278_shm_thread_join(h278_shm_thread *t);

#endif /* H278_SHM_H */
