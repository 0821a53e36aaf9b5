/*
 * test_ring_stress.c - the shared-memory ring under load: one producer, four
 * consumer threads, stamped payloads; every position arrives exactly once,
 * untorn. Run twice: through one mapping, and with producer and consumers on
 * two different mappings of the same region (as two processes would be).
 * Runs under TSAN in scripts/test.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"
#include "shm.h"
#include "testutil.h"

#define SLOTS 16u
#define PAYLOAD 256u
#define MESSAGES 20000u
#define CONSUMERS 4

typedef struct consumer {
    h278_ring ring;
    uint8_t *seen;       /* per position: times received */
    unsigned long bad;   /* torn or wrong payloads */
    unsigned long got;
    h278_ring_status end;
} consumer;

/* Payload of position pos: its length and every byte derived from pos. */
static uint32_t stamp_len(uint64_t pos)
{
    return 16 + (uint32_t)(pos * 7919 % (PAYLOAD - 16));
}

static void *consume(void *arg)
{
    consumer *c = arg;
    for (;;) {
        uint64_t pos;
        const uint8_t *p;
        uint32_t len;
        h278_ring_status st = h278_ring_claim(&c->ring, &pos, &p, &len, 5000);
        if (st != H278_RING_OK) {
            c->end = st;
            return NULL;
        }
        uint64_t tag;
        memcpy(&tag, p, 8);
        int ok = tag == pos && len == stamp_len(pos) && pos < MESSAGES;
        for (uint32_t i = 8; ok && i < len; i++)
            ok = p[i] == (uint8_t)(pos + i);
        if (ok)
            __atomic_fetch_add(&c->seen[pos], 1, __ATOMIC_RELAXED);
        else
            c->bad++;
        c->got++;
        h278_ring_release(&c->ring, pos);
    }
}

static void run(const char *what, h278_ring *producer, void *consumer_region, size_t size)
{
    static uint8_t seen[MESSAGES];
    memset(seen, 0, sizeof seen);
    consumer cs[CONSUMERS];
    pthread_t th[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].seen = seen;
        CHECK(h278_ring_attach(&cs[i].ring, consumer_region, size) == H278_RING_OK);
        pthread_create(&th[i], NULL, consume, &cs[i]);
    }
    for (uint64_t pos = 0; pos < MESSAGES; pos++) {
        uint8_t *p;
        h278_ring_status st = h278_ring_reserve(producer, pos, &p, 5000);
        CHECKF(st == H278_RING_OK, "%s: reserve %llu: %s", what, (unsigned long long)pos, h278_ring_strerror(st));
        if (st)
            break;
        uint32_t len = stamp_len(pos);
        memcpy(p, &pos, 8);
        for (uint32_t i = 8; i < len; i++)
            p[i] = (uint8_t)(pos + i);
        CHECK(h278_ring_publish(producer, pos, len) == H278_RING_OK);
    }
    h278_ring_close(producer);
    unsigned long total = 0, bad = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        pthread_join(th[i], NULL);
        CHECKF(cs[i].end == H278_RING_CLOSED, "%s: consumer ended with %s", what, h278_ring_strerror(cs[i].end));
        total += cs[i].got;
        bad += cs[i].bad;
    }
    unsigned long once = 0;
    for (unsigned i = 0; i < MESSAGES; i++)
        once += seen[i] == 1;
    CHECKF(total == MESSAGES && bad == 0 && once == MESSAGES, "%s: %lu received, %lu bad, %lu exactly once",
           what, total, bad, once);
}

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "h278-test-ring-%ld", (long)getpid());
    size_t size = h278_ring_region_size(SLOTS, PAYLOAD);
    h278_shm_region *a = NULL, *b = NULL, *dup = NULL;
    CHECK(h278_shm_create(name, size, &a) == H278_SHM_OK);
    if (!a)
        return h278_test_finish();
    CHECK(h278_shm_create(name, size, &dup) == H278_SHM_EXISTS);
    CHECK(h278_shm_open(name, &b) == H278_SHM_OK);
    CHECK(b && h278_shm_addr(a) != h278_shm_addr(b));

    h278_ring producer;
    CHECK(h278_ring_init(&producer, h278_shm_addr(a), h278_shm_size(a), SLOTS, PAYLOAD, (uint64_t)getpid(), 278) ==
          H278_RING_OK);
    run("one mapping", &producer, h278_shm_addr(a), h278_shm_size(a));

    /* A fresh ring, consumers on the second mapping. */
    memset(h278_shm_addr(a), 0, size);
    CHECK(h278_ring_init(&producer, h278_shm_addr(a), size, SLOTS, PAYLOAD, (uint64_t)getpid(), 279) == H278_RING_OK);
    if (b)
        run("two mappings", &producer, h278_shm_addr(b), h278_shm_size(b));

    /* Bad geometry and a damaged header are refused. */
    h278_ring r;
    CHECK(h278_ring_init(&r, h278_shm_addr(a), size, 3, PAYLOAD, 1, 1) == H278_RING_BAD_GEOMETRY);
    CHECK(h278_ring_init(&r, h278_shm_addr(a), size - 1, SLOTS, PAYLOAD, 1, 1) == H278_RING_BAD_GEOMETRY);
    h278_ring_header *h = h278_shm_addr(a);
    h->slot_count = 1u << 20;
    CHECK(h278_ring_attach(&r, h278_shm_addr(a), size) == H278_RING_BROKEN);
    h->slot_count = SLOTS;
    h->magic ^= 1;
    CHECK(h278_ring_attach(&r, h278_shm_addr(a), size) == H278_RING_BROKEN);
    h->magic ^= 1;
    CHECK(h278_ring_attach(&r, h278_shm_addr(a), size) == H278_RING_OK);
    /* A producer that claims an oversized length is caught by the consumer. */
    uint8_t *p;
    uint64_t head = atomic_load(&h->head);
    CHECK(h278_ring_reserve(&r, head, &p, 1000) == H278_RING_OK);
    CHECK(h278_ring_publish(&r, head, PAYLOAD + 64) == H278_RING_TOO_LARGE);
    h278_ring_slot *s = (h278_ring_slot *)(r.slots + (head % SLOTS) * r.slot_size);
    s->len = 1u << 30;
    atomic_store(&s->seq, head + 1);
    uint64_t pos;
    const uint8_t *payload;
    uint32_t len;
    atomic_store(&h->closed, 0);
    CHECK(h278_ring_claim(&r, &pos, &payload, &len, 1000) == H278_RING_BROKEN);
    /* An empty ring times out instead of hanging. */
    CHECK(h278_ring_claim(&r, &pos, &payload, &len, 50) == H278_RING_TIMEOUT);

    h278_shm_close(b);
    h278_shm_close(a);
    CHECK(h278_shm_open(name, &b) == H278_SHM_NOT_FOUND); /* the creator removed the name */
    CHECK(h278_shm_create("bad/name", 4096, &a) == H278_SHM_BAD_NAME);
    return h278_test_finish();
}
