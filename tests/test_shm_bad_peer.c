/*
 * test_shm_bad_peer.c - neither side of the decode server trusts the other.
 *
 * A hostile producer (this test writing slot headers by hand) declares a
 * decoded size beyond the slot, a length beyond the slot, a staged payload
 * outside the stage, or a sequence number from the future: the server drops that session with a clear
 * reason and serves the next producer normally. Random bytes with valid
 * lengths are just a block that does not decode. A hostile server (this test
 * answering a real feed by hand) returns a wrong size, wrong bytes, an error
 * status, a length beyond the slot, a result for a position never sent, or
 * ends the session: the feed fails with a message each time, never crashes
 * or hangs. A server that changes a result after the feed checked it does
 * not change what the feed stores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "shm.h"
#include "testutil.h"
#include "transport.h"

typedef struct server_run {
    h278_serve_opts o;
    h278_serve_stats st;
    char err[256];
    char last_log[512];
    _Atomic unsigned logs; /* published after last_log is written */
    atomic_flag lock;      /* guards last_log */
    int rc;
    _Atomic int stop;
    h278_shm_thread *thread;
} server_run;

static void server_log(void *ctx, const char *msg)
{
    server_run *s = ctx;
    if (strstr(msg, "attached"))
        return;
    while (atomic_flag_test_and_set(&s->lock))
        ;
    snprintf(s->last_log, sizeof s->last_log, "%s", msg);
    atomic_flag_clear(&s->lock);
    atomic_fetch_add(&s->logs, 1);
}

static int last_log_has(server_run *s, const char *what)
{
    while (atomic_flag_test_and_set(&s->lock))
        ;
    int found = strstr(s->last_log, what) != NULL;
    atomic_flag_clear(&s->lock);
    return found;
}

static void server_main(void *arg)
{
    server_run *s = arg;
    s->rc = h278_serve(&s->o, &s->st, s->err, sizeof s->err);
}

/* Attaches to the server as a raw producer (no feed): returns 0 and the
 * session number it attached in. */
static int raw_attach(const char *name, h278_shm_region **region, h278_ring *r, uint32_t *session)
{
    for (int i = 0; i < 1000; i++) {
        if (h278_shm_open(name, region) == H278_SHM_OK) {
            if (h278_ring_attach(r, h278_shm_addr(*region), h278_shm_size(*region)) == H278_RING_OK &&
                atomic_load(&r->hdr->state) == H278_RING_SERVING) {
                uint64_t none = 0, pid, start;
                h278_shm_self(&pid, &start);
                if (atomic_compare_exchange_strong(&r->hdr->producer_pid, &none, pid)) {
                    *session = atomic_load(&r->hdr->session);
                    r->region = *region;
                    return 0;
                }
            }
            h278_shm_close(*region);
        }
        h278_shm_sleep_ms(10);
    }
    return -1;
}

/* Waits (at most 10 s) for the server to drop the session and say so. */
static int session_dropped(server_run *s, h278_ring *r, uint32_t session, unsigned logs)
{
    for (int i = 0; i < 1000; i++) {
        if (atomic_load(&r->hdr->session) != session && atomic_load(&s->logs) > logs)
            return 1;
        h278_shm_sleep_ms(10);
    }
    return 0;
}

enum attack { BIG_DECODED_SIZE, BIG_LENGTH, OUTSIDE_STAGE, FUTURE_SEQ };

static void hostile_producer(const char *name, server_run *s, enum attack a)
{
    h278_shm_region *region = NULL;
    h278_ring r;
    uint32_t session = 0;
    unsigned logs = atomic_load(&s->logs);
    CHECK(raw_attach(name, &region, &r, &session) == 0);
    if (!region)
        return;
    /* The slot header written by hand, seq last, as a producer would. */
    h278_ring_slot_header *slot = (h278_ring_slot_header *)r.slots;
    memset((uint8_t *)slot + H278_RING_SLOT_HEADER, 0, 64);
    slot->len = a == BIG_LENGTH ? r.request_capacity + 64 : 64;
    const uint32_t meta[4] = {a == BIG_DECODED_SIZE ? r.result_capacity + 1 : 1000, 11, 0, 0};
    memcpy(slot->meta, meta, sizeof meta);
    slot->in_stage = a == OUTSIDE_STAGE;
    slot->stage_offset = a == OUTSIDE_STAGE ? r.stage_capacity - 32 : 0;
    atomic_store(&r.hdr->head, 1);
    atomic_store(&slot->seq, a == FUTURE_SEQ ? 1 + r.slot_count : 1);
    h278_ring_wake_all(&r);
    CHECKF(session_dropped(s, &r, session, logs), "attack %d: session not dropped", (int)a);
    CHECKF(last_log_has(s, "broke the protocol"), "attack %d", (int)a);
    h278_shm_close(region);
}

/* A producer attached to the server `name` (waiting up to wait_ms for it),
 * or NULL after a failed check. */
static h278_feed *open_feed(const char *name, uint32_t wait_ms)
{
    h278_feed_opts fo = {name, wait_ms, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    CHECKF(f != NULL, "%s", err);
    return f;
}

/* A block of random bytes with consistent lengths: an ordinary decode error. */
static void garbage_block(const char *name)
{
    h278_feed *f = open_feed(name, 10000);
    if (!f)
        return;
    uint8_t junk[300];
    uint64_t seed = 99;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)h278_test_rand(&seed);
    CHECK(h278_feed_send(f, junk, sizeof junk, 1000, 11, 0, NULL, NULL) == 0);
    CHECK(h278_feed_finish(f, NULL, NULL) != 0);
    CHECKF(strstr(h278_feed_error(f), "could not decode") != NULL, "%s", h278_feed_error(f));
    h278_feed_free(f);
}

/* A good producer after the bad ones. */
static void good_producer(const char *name)
{
    uint8_t data[4000], packed[16384];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)("abracadabra"[i % 11] + i / 1000);
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.block_size = 4096;
    size_t n;
    CHECK(h278_compress(data, sizeof data, &p, packed, sizeof packed, &n) == H278_OK);
    h278_block b;
    CHECK(h278_read_block(packed + H278_FILE_HEADER_SIZE, n - H278_FILE_HEADER_SIZE, sizeof data, p.max_len, &b) ==
          H278_OK);
    h278_feed *f = open_feed(name, 10000);
    if (!f)
        return;
    CHECK(h278_feed_send(f, packed + H278_FILE_HEADER_SIZE, b.total_size, sizeof data, p.max_len, b.checksum,
                         NULL, NULL) == 0);
    CHECKF(h278_feed_finish(f, NULL, NULL) == 0, "%s", h278_feed_error(f));
    h278_feed_free(f);
}

static void hostile_producers(void)
{
    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-bad-producer-%llu", (unsigned long long)pid);
    server_run s;
    memset(&s, 0, sizeof s);
    s.o.name = name;
    s.o.threads = 2;
    s.o.slots = 4;
    s.o.max_block = 4096;
    s.o.stage = 4096;
    s.o.stop = &s.stop;
    s.o.log = server_log;
    s.o.ctx = &s;
    CHECK(h278_shm_thread_start(&s.thread, server_main, &s) == 0);
    hostile_producer(name, &s, BIG_DECODED_SIZE);
    hostile_producer(name, &s, BIG_LENGTH);
    hostile_producer(name, &s, OUTSIDE_STAGE);
    hostile_producer(name, &s, FUTURE_SEQ);
    garbage_block(name);
    good_producer(name);
    atomic_store(&s.stop, 1);
    h278_shm_thread_join(s.thread);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECK(s.st.sessions == 6 && s.st.failed_sessions == 4 && s.st.block_errors == 1);
}

/* ---- A hostile server ----------------------------------------------------- */

/* What the hand-made server does; the last one is not a lie the feed can
 * see: it returns the right bytes and changes one after the feed checked
 * them, and what the feed stores must be what it checked. */
enum lie { WRONG_SIZE, WRONG_BYTES, ERROR_STATUS, BIG_RESULT, RESULT_FROM_FUTURE, NEW_SESSION, SHUTDOWN,
           CHANGED_AFTER_CHECK };

/* The sink of the feed under a server that changes a result's bytes after
 * the feed has checked them: it changes them (through the server's own
 * mapping of the region) and then looks at what it was handed. */
typedef struct late_change {
    uint8_t *server_view; /* the result, as the server maps it */
    const uint8_t *checked;
    int stored_checked_bytes;
} late_change;

static int change_after_check(void *ctx, uint64_t pos, const uint8_t *data, uint32_t len)
{
    late_change *c = ctx;
    (void)pos;
    c->server_view[50] ^= 0xFF;
    c->stored_checked_bytes = len == 100 && memcmp(data, c->checked, 100) == 0;
    return 0;
}

static void hostile_server(enum lie lie)
{
    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-bad-server-%llu-%d", (unsigned long long)pid, (int)lie);
    size_t size = h278_ring_region_size(4, 1024, 1024, 0);
    h278_shm_region *region;
    CHECK(h278_shm_create(name, size, &region, NULL) == H278_SHM_OK);
    if (!region)
        return;
    h278_ring srv;
    CHECK(h278_ring_init(&srv, h278_shm_addr(region), size, 4, 1024, 1024, 0, 1) == H278_RING_OK);
    srv.region = region;
    atomic_store(&srv.hdr->state, H278_RING_SERVING);

    h278_feed *f = open_feed(name, 1000);
    if (f) {
        const uint8_t block[32] = {0};
        const char *want = "x";
        uint8_t decoded[100];
        memset(decoded, 'z', sizeof decoded);
        CHECK(h278_feed_send(f, block, sizeof block, 100, 11, h278_checksum(decoded, 100), NULL, NULL) == 0);
        h278_ring_msg m;
        CHECK(h278_ring_claim(&srv, &m, 1000) == H278_RING_OK && m.pos == 0 && m.meta[0] == 100);
        uint8_t *out = h278_ring_result_area(&srv, 0);
        memcpy(out, decoded, 100);
        h278_ring_slot_header *res = (h278_ring_slot_header *)(srv.slots + H278_RING_SLOT_HEADER + 1024);
        switch (lie) {
        case WRONG_SIZE:
            h278_ring_complete(&srv, 0, 99, 0);
            want = "instead of";
            break;
        case WRONG_BYTES:
            out[50] = 'y';
            h278_ring_complete(&srv, 0, 100, 0);
            want = "checksum";
            break;
        case ERROR_STATUS:
            h278_ring_complete(&srv, 0, 0, H278_ERR_CHECKSUM);
            want = "could not decode";
            break;
        case BIG_RESULT:
            h278_ring_complete(&srv, 0, 100, 0);
            res->len = 1u << 30;
            want = "broke the protocol";
            break;
        case RESULT_FROM_FUTURE:
            h278_ring_complete(&srv, 0, 100, 0);
            atomic_store(&res->seq, 3);
            want = "broke the protocol";
            break;
        case NEW_SESSION:
            atomic_fetch_add(&srv.hdr->session, 1);
            want = "ended this session";
            break;
        case SHUTDOWN:
            atomic_store(&srv.hdr->state, H278_RING_SHUTDOWN);
            want = "shut down";
            break;
        case CHANGED_AFTER_CHECK:
            h278_ring_complete(&srv, 0, 100, 0);
            break;
        }
        if (lie == CHANGED_AFTER_CHECK) {
            late_change c = {out, decoded, 0};
            CHECKF(h278_feed_finish(f, change_after_check, &c) == 0, "%s", h278_feed_error(f));
            CHECK(c.stored_checked_bytes);
        } else {
            CHECK(h278_feed_finish(f, NULL, NULL) != 0);
            CHECKF(strstr(h278_feed_error(f), want) != NULL, "lie %d: '%s'", (int)lie, h278_feed_error(f));
        }
        h278_feed_free(f);
    }
    h278_shm_close(region);
}

int main(void)
{
    hostile_producers();
    for (int lie = WRONG_SIZE; lie <= CHANGED_AFTER_CHECK; lie++)
        hostile_server((enum lie)lie);
    return h278_test_finish();
}
