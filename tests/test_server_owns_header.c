/*
 * test_server_owns_header.c - a peer that writes the header fields the
 * server owns does not disable it: with the server idle, a write of
 * `state` (shut down), of `producer_pid` alone (pid 1, no start time) and
 * of a live but silent "producer" (this process), of the ring's positions
 * and of a slot's sequence number,
 * and of its geometry and magic (with the server idle, and during a silent producer's
 * session) each leaves the next real producer served within its wait for a
 * busy server. The silent ones are dropped after the idle timeout, the
 * others at the first liveness check.
 */
#include <stdio.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "server_thread.h"
#include "testutil.h"

static h278_test_block tb;

/* The next real producer (not waiting for the server to appear, as
 * `h278 feed` by default; a busy server is still waited for) is served. */
static void served(const char *name, const char *after)
{
    char why[320];
    CHECKF(h278_test_feed_block(name, 0, &tb, why, sizeof why) == 0, "after %s: %s", after, why);
}

int main(void)
{
    char name[64];
    uint64_t pid, start; /* this process: a "producer" that is alive */
    h278_shm_self(&pid, &start);
    h278_test_region_name(name, sizeof name, "owns-header");

    CHECK(h278_test_block_make(&tb, 7) == 0);

    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 1;
    s.o.stop = &s.stop;
    s.o.idle_timeout_ms = 400;
    s.o.max_producers = 1; /* what it writes is in the one ring every producer tries */
    CHECK(h278_test_server_start(&s) == 0);

    /* The attacker's own mapping of the region. */
    h278_shm_region *region = NULL;
    CHECK(h278_shm_open(name, &region) == H278_SHM_OK);
    if (!region)
        return h278_test_finish();
    h278_ring_header *h = h278_shm_addr(region);
    served(name, "nothing");

    h278_shm_sleep_ms(50);
    atomic_store(&h->state, H278_RING_SHUTDOWN);
    served(name, "state = shut down");

    h278_shm_sleep_ms(50);
    atomic_store(&h->producer_pid, 1);
    served(name, "producer_pid = 1");

    h278_shm_sleep_ms(50);
    atomic_store(&h->producer_start, start);
    atomic_store(&h->producer_pid, pid); /* alive, and never sends anything */
    served(name, "a silent producer");

    /* The fields an attaching producer validates, written while the
     * server sleeps: its attach fails, it rings, the server writes them
     * again. */
    h278_shm_sleep_ms(50);
    const h278_ring_header saved = *h;
    h->magic = 0;
    h->slot_count = 3;
    h->result_capacity = 64;
    served(name, "magic and geometry overwritten");
    CHECK(h->magic == saved.magic && h->slot_count == saved.slot_count &&
          h->result_capacity == saved.result_capacity && h->nonce == saved.nonce);

    /* The same during a silent producer's session: the reset after it
     * writes them again. */
    h278_shm_sleep_ms(50);
    atomic_store(&h->producer_start, start);
    atomic_store(&h->producer_pid, pid);
    h->version = 99;
    h->request_capacity = 1u << 30;
    h->creator_pid = 1;
    served(name, "geometry overwritten by the attached producer");
    CHECK(h->version == saved.version && h->request_capacity == saved.request_capacity &&
          h->creator_pid == saved.creator_pid);

    /* The ring's positions, written while the server sleeps: the next
     * producer finds a ring that was not reset, lets go and rings; the
     * server resets it. */
    h278_shm_sleep_ms(50);
    atomic_store(&h->head, 5);
    atomic_store(&h->closed, 1);
    served(name, "head and closed overwritten");

    /* A result slot's sequence number, written while the server sleeps:
     * a result "from the future" for the next producer. */
    h278_shm_sleep_ms(50);
    h278_ring view;
    CHECK(h278_ring_attach(&view, h, h278_shm_size(region)) == H278_RING_OK);
    atomic_store(&((h278_ring_slot_header *)(h278_ring_result_area(&view, 0) - H278_RING_SLOT_HEADER))->seq, 5);
    served(name, "a result slot's sequence number overwritten");

    h278_shm_close(region);
    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECKF(s.st.failed_sessions == 3, "%llu sessions dropped, expected 3 (pid 1, the two silent ones)",
           (unsigned long long)s.st.failed_sessions);
    return h278_test_finish();
}
