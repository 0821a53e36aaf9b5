/*
 * test_shm_region.c - the shared-memory region API behaves the same on
 * POSIX and on Windows (this test also runs under wine): name checks,
 * exclusive creation, zero-filled memory, a second mapping that sees the
 * same bytes at another address, the name gone once the creator closes,
 * waiting on a word of the region (woken by another thread, or timing out),
 * and the liveness check of a process.
 */
#include <stdio.h>
#include <string.h>

#include "shm.h"
#include "testutil.h"

typedef struct waiter {
    h278_shm_region *region;
    _Atomic uint32_t *word;
    int woke; /* the waiter saw the new value */
} waiter;

/* Waits (in bounded slices, at most ~10 s in all) for *word to become 1. */
static void wait_main(void *arg)
{
    waiter *w = arg;
    for (int i = 0; i < 100 && atomic_load(w->word) == 0; i++)
        h278_shm_wait(w->region, 1, w->word, 0, 100);
    w->woke = atomic_load(w->word) == 1;
}

int main(void)
{
    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-region-%llu", (unsigned long long)pid);
    h278_shm_region *a = NULL, *b = NULL, *c = NULL;
    const size_t size = 3 * 4096 + 100;

    /* Names: letters, digits, '-', '_', '.', not leading '.', 1..64. */
    const char *bad_names[] = {"", "a/b", "a\\b", "..", ".hidden", "sp ace", "x\n",
                               "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
        CHECKF(h278_shm_create(bad_names[i], 4096, &c, NULL) == H278_SHM_BAD_NAME && !c, "name %zu", i);
    CHECK(h278_shm_open("a/b", &c) == H278_SHM_BAD_NAME);

    CHECK(h278_shm_open(name, &b) == H278_SHM_NOT_FOUND && !b);
    int stale = -1;
    CHECK(h278_shm_create(name, size, &a, &stale) == H278_SHM_OK && stale == 0);
    if (!a)
        return h278_test_finish();
    CHECK(h278_shm_create(name, size, &c, NULL) == H278_SHM_EXISTS && c == NULL);
    CHECK(h278_shm_size(a) == size);
    uint8_t *pa = h278_shm_addr(a);
    int zero = 1;
    for (size_t i = 0; i < size; i++)
        zero &= pa[i] == 0;
    CHECK(zero);

    CHECK(h278_shm_open(name, &b) == H278_SHM_OK);
    if (b) {
        uint8_t *pb = h278_shm_addr(b);
        CHECK(h278_shm_size(b) >= size && pb != pa);
        memcpy(pa + size - 6, "hello", 6);
        CHECK(memcmp(pb + size - 6, "hello", 6) == 0);
        pb[0] = 42;
        CHECK(pa[0] == 42);

        /* A word of the region: a wait with the value already changed
         * returns at once; one that nobody wakes times out; a thread waiting
         * through mapping b is woken through mapping a. */
        _Atomic uint32_t *wa = (_Atomic uint32_t *)(pa + 64), *wb = (_Atomic uint32_t *)(pb + 64);
        atomic_store(wa, 5);
        h278_shm_wait(b, 0, wb, 4, 10000);
        h278_shm_wait(b, 0, wb, 5, 20);
        CHECK(atomic_load(wb) == 5);
        atomic_store(wa, 0);
        waiter w = {b, wb, 0};
        h278_shm_thread *t;
        CHECK(h278_shm_thread_start(&t, wait_main, &w) == 0);
        h278_shm_sleep_ms(50);
        atomic_store(wa, 1);
        h278_shm_wake(a, 1, wa, 1);
        h278_shm_thread_join(t);
        CHECK(w.woke);
    }
    h278_shm_close(b);
    h278_shm_close(a);
    b = NULL;
    CHECK(h278_shm_open(name, &b) == H278_SHM_NOT_FOUND); /* the creator removed the name */
    CHECK(h278_shm_create(name, size, &a, &stale) == H278_SHM_OK && stale == 0);
    h278_shm_close(a);

    /* Liveness: this process is alive, with a stable start time; pid 0 and a
     * wrong start time are not. */
    uint64_t pid2, start2;
    h278_shm_self(&pid2, &start2);
    CHECK(pid2 == pid && start2 == start);
    CHECK(h278_shm_alive(pid, start) == 1);
    CHECK(h278_shm_alive(0, 0) == 0);
    if (start != 0)
        CHECK(h278_shm_alive(pid, start + 1) == 0);
    return h278_test_finish();
}
