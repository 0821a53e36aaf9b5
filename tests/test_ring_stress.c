/*
 * test_ring_stress.c - the shared-memory ring under load: one producer, four
 * consumer threads, stamped payloads of varying length both ways. Every
 * position must be claimed exactly once and arrive untorn, and every result
 * must come back in order and untorn. Run three times: through one mapping,
 * with producer and consumers on two mappings of the same region at
 * different addresses (as two processes would be), and with busy-polling
 * consumers. Runs under TSAN (scripts/test.sh) and under wine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "shm.h"
#include "testutil.h"

#define SLOTS 16u
#define REQ 256u
#define RES 128u
#define CONSUMERS 4

static unsigned messages(void)
{
    return getenv("H278_TEST_QUICK") ? 5000u : 20000u;
}

typedef struct consumer {
    h278_ring ring;
    _Atomic uint8_t *seen;  /* per position: times claimed */
    unsigned long bad;      /* torn or wrong requests */
    unsigned long got;
    h278_ring_status end;
} consumer;

/* Request of position pos: its length, the stamp, bytes derived from pos. */
static uint32_t request_len(uint64_t pos)
{
    return 16 + (uint32_t)(pos * 7919 % (REQ - 16));
}

static uint32_t result_len(uint64_t pos)
{
    return 8 + (uint32_t)(pos * 104729 % (RES - 8));
}

static void fill(uint8_t *p, uint64_t pos, uint32_t len, uint8_t salt)
{
    memcpy(p, &pos, 8);
    for (uint32_t i = 8; i < len; i++)
        p[i] = (uint8_t)(pos * 31 + i + salt);
}

static int stamped(const uint8_t *p, uint64_t pos, uint32_t len, uint8_t salt)
{
    uint64_t tag;
    memcpy(&tag, p, 8);
    int ok = tag == pos;
    for (uint32_t i = 8; ok && i < len; i++)
        ok = p[i] == (uint8_t)(pos * 31 + i + salt);
    return ok;
}

static void consume(void *arg)
{
    consumer *c = arg;
    for (;;) {
        h278_ring_msg m;
        h278_ring_status st = h278_ring_claim(&c->ring, &m, 5000);
        if (st != H278_RING_OK) {
            c->end = st;
            return;
        }
        int ok = m.pos < messages() && m.len == request_len(m.pos) && m.meta[0] == (uint32_t)m.pos &&
                 stamped(m.data, m.pos, m.len, 1);
        if (ok)
            atomic_fetch_add_explicit(&c->seen[m.pos], 1, memory_order_relaxed);
        else
            c->bad++;
        c->got++;
        fill(h278_ring_result_area(&c->ring, m.pos), m.pos, result_len(m.pos), 2);
        h278_ring_complete(&c->ring, m.pos, result_len(m.pos), ok ? 0 : 1);
    }
}

/* Takes the next result and checks it; returns 0 on a good one. */
static int take(h278_ring *p, unsigned long *bad)
{
    h278_ring_msg m;
    uint64_t want = p->done;
    h278_ring_status st = h278_ring_wait_result(p, &m, 5000);
    if (st != H278_RING_OK)
        return 1;
    if (m.pos != want || m.status != 0 || m.len != result_len(want) || !stamped(m.data, want, m.len, 2))
        (*bad)++;
    h278_ring_result_done(p);
    return 0;
}

static void run(const char *what, h278_shm_region *producer_region, h278_shm_region *consumer_region,
                int busy_poll)
{
    const unsigned n = messages();
    _Atomic uint8_t *seen = calloc(n, 1);
    size_t size = h278_shm_size(producer_region);
    memset(h278_shm_addr(producer_region), 0, size);
    h278_ring producer;
    CHECK(h278_ring_init(&producer, h278_shm_addr(producer_region), size, SLOTS, REQ, RES, 0, 278) == H278_RING_OK);
    producer.region = producer_region;

    consumer cs[CONSUMERS];
    h278_shm_thread *th[CONSUMERS];
    int consumers = busy_poll ? 2 : CONSUMERS;
    for (int i = 0; i < consumers; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].seen = seen;
        CHECK(h278_ring_attach(&cs[i].ring, h278_shm_addr(consumer_region), h278_shm_size(consumer_region)) ==
              H278_RING_OK);
        cs[i].ring.region = consumer_region;
        cs[i].ring.busy_poll = busy_poll;
        CHECK(h278_shm_thread_start(&th[i], consume, &cs[i]) == 0);
    }
    unsigned long bad_results = 0;
    int failed = 0;
    for (uint64_t pos = 0; pos < n && !failed; pos++) {
        uint8_t *p;
        while (!failed && h278_ring_reserve(&producer, &p) == H278_RING_FULL)
            failed = take(&producer, &bad_results);
        if (failed)
            break;
        uint32_t len = request_len(pos);
        fill(p, pos, len, 1);
        const uint32_t meta[4] = {(uint32_t)pos, 0, 0, 0};
        CHECK(h278_ring_publish(&producer, len, meta) == H278_RING_OK);
    }
    while (!failed && producer.done < producer.next)
        failed = take(&producer, &bad_results);
    CHECKF(!failed, "%s: a result did not come back", what);
    h278_ring_close(&producer);
    unsigned long total = 0, bad = 0;
    for (int i = 0; i < consumers; i++) {
        h278_shm_thread_join(th[i]);
        CHECKF(cs[i].end == H278_RING_CLOSED, "%s: consumer ended with %s", what, h278_ring_strerror(cs[i].end));
        total += cs[i].got;
        bad += cs[i].bad;
    }
    unsigned long once = 0;
    for (unsigned i = 0; i < n; i++)
        once += atomic_load(&seen[i]) == 1;
    CHECKF(total == n && bad == 0 && once == n && bad_results == 0 && producer.done == n,
           "%s: %lu claimed, %lu bad, %lu exactly once, %lu bad results, %llu results", what, total, bad, once,
           bad_results, (unsigned long long)producer.done);
    free((void *)seen);
}

int main(void)
{
    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-ring-stress-%llu", (unsigned long long)pid);
    size_t size = h278_ring_region_size(SLOTS, REQ, RES, 0);
    h278_shm_region *a = NULL, *b = NULL;
    CHECK(h278_shm_create(name, size, &a, NULL) == H278_SHM_OK);
    if (!a)
        return h278_test_finish();
    CHECK(h278_shm_open(name, &b) == H278_SHM_OK);
    CHECK(b && h278_shm_addr(a) != h278_shm_addr(b));
    run("one mapping", a, a, 0);
    if (b) {
        run("two mappings", a, b, 0);
        run("two mappings, busy-poll", a, b, 1);
    }
    h278_shm_close(b);
    h278_shm_close(a);
    return h278_test_finish();
}
