/*
 * test_many_producers.c - one decode server, many producers at once:
 *   - 8 producers attach together (each has a block decoded, then holds its
 *     session until all 8 have) and stream their own data, lap after lap: every block each gets
 *     back is its own bytes, and the server had 8 sessions open at once;
 *   - a hostile producer among 3 honest ones that stream meanwhile: it
 *     sends a block with an impossible size and scribbles over its ring;
 *     (POSIX) it shrinks its region to nothing; (POSIX) it is killed
 *     mid-stream. The honest producers' outputs stay byte-identical, only
 *     the hostile sessions are dropped, and the next producer is served;
 *   - a server of two sessions, both taken: a producer that may wait queues
 *     and is served when one ends; one that may not is told, after the 2 s
 *     busy wait, that every session has a producer.
 * Runs in the release build, under ASan + UBSan, under TSAN (label threads:
 * there without the shrinking, whose remap is to TSAN a write racing every
 * access, and the killed child, forked while threads run) and under wine
 * (the first two cases: a mapped Windows section cannot shrink).
 */
#if !defined(_WIN32)
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#endif
#include <stdio.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "server_thread.h"
#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#endif
#if !defined(_WIN32) && !defined(UNDER_TSAN)
#define POSIX_FAULTS 1 /* the shrinking and the killed producer */
#endif

#define DATA_SIZE (48u << 10)
#define BLOCK_SIZE (8u << 10)
#define MAX_BLOCKS (DATA_SIZE / BLOCK_SIZE)
#define MAX_PRODUCERS 8u
#define MIN_LAPS 5u
#define DEADLINE_MS 60000u /* a producer stops after this, whatever happens */

static char name[64];

/* What the producers wait for: all of them attached, and the hostile acts
 * over. */
static _Atomic unsigned attached;
static unsigned expected;
static _Atomic int hostile_done;

typedef struct producer {
    uint64_t seed;
    uint8_t data[DATA_SIZE];
    uint8_t packed[DATA_SIZE * 4]; /* h278_compress wants room for its bound */
    const uint8_t *block[MAX_BLOCKS];
    uint32_t block_size[MAX_BLOCKS], checksum[MAX_BLOCKS];
    unsigned max_len, nblocks;
    h278_shm_thread *thread;
    /* Results, read after the join. */
    uint64_t checked, wrong, laps;
    int failed;
    char why[320];
} producer;

static producer producers[MAX_PRODUCERS];

static int prepare(producer *p, uint64_t seed)
{
    p->seed = seed;
    h278_test_fill_text_like(p->data, DATA_SIZE, seed, (uint8_t)('a' + seed % 20));
    h278_enc_params e;
    h278_enc_params_default(&e);
    e.block_size = BLOCK_SIZE;
    size_t n;
    h278_file_header fh;
    if (h278_compress_bound(DATA_SIZE, &e) > sizeof p->packed ||
        h278_compress(p->data, DATA_SIZE, &e, p->packed, sizeof p->packed, &n) ||
        h278_read_file_header(p->packed, n, &fh) || fh.block_count != MAX_BLOCKS)
        return 1;
    size_t off = H278_FILE_HEADER_SIZE;
    for (unsigned i = 0; i < MAX_BLOCKS; i++) {
        h278_block b;
        if (h278_read_block(p->packed + off, n - off, BLOCK_SIZE, fh.max_len, &b))
            return 1;
        p->block[i] = p->packed + off;
        p->block_size[i] = b.total_size;
        p->checksum[i] = b.checksum;
        off += b.total_size;
    }
    p->max_len = fh.max_len;
    p->nblocks = MAX_BLOCKS;
    p->checked = p->wrong = p->laps = 0;
    p->failed = 0;
    p->why[0] = 0;
    return 0;
}

/* Each result is compared with the producer's own bytes: position 0 is
 * block 0 sent alone, then come the laps. */
static int sink(void *ctx, uint64_t pos, const uint8_t *data, uint32_t len)
{
    producer *p = ctx;
    const unsigned i = pos == 0 ? 0 : (unsigned)((pos - 1) % p->nblocks);
    if (len != BLOCK_SIZE || memcmp(data, p->data + (size_t)i * BLOCK_SIZE, len) != 0)
        p->wrong++;
    p->checked++;
    return 0;
}

static void producer_main(void *arg)
{
    producer *p = arg;
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    h278_feed *f = h278_feed_open(&fo, p->why, sizeof p->why);
    /* One block served: the server has opened this session. */
    p->failed = !f || h278_feed_send(f, p->block[0], p->block_size[0], BLOCK_SIZE, p->max_len, p->checksum[0], sink,
                                     p) != 0 || h278_feed_drain(f, sink, p) != 0;
    atomic_fetch_add(&attached, 1); /* counted either way, so nobody waits for a failed one */
    if (!f)
        return;
    const uint64_t t0 = h278_shm_now_ns();
    /* Hold the session until every producer has one. */
    while (atomic_load(&attached) < expected && h278_shm_now_ns() - t0 < 10000000000ull)
        h278_shm_sleep_ms(1);
    while ((p->laps < MIN_LAPS || !atomic_load(&hostile_done)) &&
           h278_shm_now_ns() - t0 < DEADLINE_MS * 1000000ull && !p->failed) {
        for (unsigned i = 0; i < p->nblocks && !p->failed; i++)
            p->failed = h278_feed_send(f, p->block[i], p->block_size[i], BLOCK_SIZE, p->max_len, p->checksum[i], sink,
                                       p) != 0;
        p->laps++;
    }
    if (p->failed || h278_feed_finish(f, sink, p)) {
        p->failed = 1;
        snprintf(p->why, sizeof p->why, "%s", h278_feed_error(f));
    }
    h278_feed_free(f);
}

static void start_producers(unsigned n, uint64_t seed)
{
    atomic_store(&attached, 0);
    expected = n;
    for (unsigned i = 0; i < n; i++) {
        CHECK(prepare(&producers[i], seed + i) == 0);
        CHECK(h278_shm_thread_start(&producers[i].thread, producer_main, &producers[i]) == 0);
    }
}

/* Joins them: each got back exactly its bytes, every block of every lap. */
static void check_producers(unsigned n, const char *when)
{
    for (unsigned i = 0; i < n; i++) {
        producer *p = &producers[i];
        h278_shm_thread_join(p->thread);
        CHECKF(!p->failed, "%s: producer %u failed: %s", when, i, p->why);
        CHECKF(p->wrong == 0, "%s: producer %u got %llu wrong blocks", when, i, (unsigned long long)p->wrong);
        CHECKF(p->checked == 1 + p->laps * p->nblocks && p->laps >= MIN_LAPS,
               "%s: producer %u checked %llu blocks in %llu laps", when, i, (unsigned long long)p->checked,
               (unsigned long long)p->laps);
    }
}

static void wait_attached(unsigned n)
{
    for (int i = 0; i < 10000 && atomic_load(&attached) < n; i++)
        h278_shm_sleep_ms(1);
    CHECKF(atomic_load(&attached) == n, "%u of %u producers attached", atomic_load(&attached), n);
}

/* ---- The hostile producer -------------------------------------------------- */

/* Takes the first ring by hand, as a producer does (feed.c), and rings the
 * server. Its own mapping of the region, or NULL. */
static h278_shm_region *hostile_attach(void)
{
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    for (int tries = 0; tries < 2000; tries++, h278_shm_sleep_ms(5)) {
        h278_shm_region *r;
        if (h278_shm_open(name, &r) != H278_SHM_OK)
            continue;
        h278_ring ring;
        if (h278_ring_attach(&ring, h278_shm_addr(r), h278_shm_size(r)) == H278_RING_OK &&
            atomic_load(&ring.hdr->head) == 0) {
            uint64_t none = 0;
            if (atomic_compare_exchange_strong(&ring.hdr->producer_pid, &none, pid)) {
                atomic_store(&ring.hdr->producer_start, start);
                atomic_fetch_add(&ring.hdr->request_word, 1);
                h278_shm_wake(r, 0, &ring.hdr->request_word, 1);
                return r;
            }
        }
        h278_shm_close(r);
    }
    return NULL;
}

/* A block whose declared size no slot holds, then random bytes anywhere in
 * the ring (header, slot headers, payloads) for ms milliseconds. */
static void scribble(h278_shm_region *r, uint32_t ms)
{
    h278_ring ring;
    CHECK(h278_ring_attach(&ring, h278_shm_addr(r), h278_shm_size(r)) == H278_RING_OK);
    uint8_t *payload;
    CHECK(h278_ring_reserve(&ring, &payload) == H278_RING_OK);
    memset(payload, 0x5a, 100);
    const uint32_t meta[4] = {0xFFFFFFF0u, 11, 0, 0};
    ring.region = r;
    CHECK(h278_ring_publish(&ring, 100, meta) == H278_RING_OK);
    uint8_t *base = h278_shm_addr(r);
    const size_t size = h278_shm_size(r);
    uint64_t seed = 278;
    const uint64_t t0 = h278_shm_now_ns();
    while (h278_shm_now_ns() - t0 < (uint64_t)ms * 1000000u) {
        for (int i = 0; i < 64; i++) {
            const uint64_t x = h278_test_rand(&seed);
            /* Half of them in the header page, where the protocol lives. */
            const size_t at = i % 2 ? (size_t)(x >> 16) % H278_RING_HEADER_SIZE : (size_t)(x >> 16) % size;
            ((volatile uint8_t *)base)[at] = (uint8_t)x;
        }
        h278_shm_sleep_ms(1);
    }
}

#if defined(POSIX_FAULTS)
/* Shrinks the region the hostile producer is attached to, to nothing. */
static void shrink_own_region(void)
{
    h278_shm_region *r = hostile_attach();
    CHECK(r != NULL);
    if (!r)
        return;
    h278_shm_sleep_ms(50); /* its session is open */
    char shm_name[96];
    snprintf(shm_name, sizeof shm_name, "/h278-%s", name);
    int fd = shm_open(shm_name, O_RDWR, 0);
    CHECK(fd >= 0 && ftruncate(fd, 0) == 0);
    if (fd >= 0)
        close(fd);
    h278_shm_sleep_ms(200);
    h278_shm_close(r);
}

/* A child process that attaches (to whichever ring is free) and streams
 * until it is killed. */
static void dying_child(void)
{
    producer *p = &producers[MAX_PRODUCERS - 1];
    if (prepare(p, 99))
        _exit(2);
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f)
        _exit(3);
    for (;;)
        for (unsigned i = 0; i < p->nblocks; i++)
            if (h278_feed_send(f, p->block[i], p->block_size[i], BLOCK_SIZE, p->max_len, p->checksum[i], NULL, NULL))
                _exit(4);
}

static void kill_mid_stream(void)
{
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0)
        dying_child();
    h278_shm_sleep_ms(300);
    int status = 0;
    CHECKF(waitpid(child, &status, WNOHANG) == 0, "the streaming child exited early (status %d)", status);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
}
#endif

/* ---- Every session taken ------------------------------------------------- */

typedef struct queued {
    const char *name;
    h278_test_block *block;
    h278_shm_thread *thread;
    _Atomic int done;
    int rc;
    char why[320];
} queued;

static void queued_main(void *arg)
{
    queued *q = arg;
    q->rc = h278_test_feed_block(q->name, 10000, q->block, q->why, sizeof q->why);
    atomic_store(&q->done, 1);
}

/* A producer holding a session: one block decoded, then it waits. */
static h278_feed *hold_session(const char *server, h278_test_block *b)
{
    h278_feed_opts fo = {server, 10000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    CHECKF(f != NULL, "%s", err);
    if (f)
        CHECKF(h278_feed_send(f, b->packed + H278_FILE_HEADER_SIZE, b->block.total_size, sizeof b->data,
                              b->params.max_len, b->block.checksum, NULL, NULL) == 0 &&
                   h278_feed_drain(f, NULL, NULL) == 0,
               "%s", h278_feed_error(f));
    return f;
}

/* A server of two sessions, both taken: a producer that may wait queues and
 * is served once one ends; one that may not is told the server is busy. */
static void queue_when_full(void)
{
    char qname[64];
    h278_test_region_name(qname, sizeof qname, "queue");
    static h278_test_server q;
    q.o.name = qname;
    q.o.threads = 1;
    q.o.max_producers = 2;
    q.o.max_block = 64u << 10;
    q.o.stop = &q.stop;
    CHECK(h278_test_server_start(&q) == 0);
    static h278_test_block tb;
    CHECK(h278_test_block_make(&tb, 9) == 0);
    h278_feed *a = hold_session(qname, &tb), *b = hold_session(qname, &tb);

    static queued c;
    c.name = qname;
    c.block = &tb;
    CHECK(h278_shm_thread_start(&c.thread, queued_main, &c) == 0);
    h278_feed_opts fo = {qname, 0, 0, 0, 0};
    char err[320];
    const uint64_t t0 = h278_shm_now_ns();
    h278_feed *d = h278_feed_open(&fo, err, sizeof err);
    const double waited = (double)(h278_shm_now_ns() - t0) / 1e9;
    CHECKF(d == NULL && strstr(err, "busy") && strstr(err, "each of its 2 sessions"), "%s", d ? "attached" : err);
    CHECKF(waited >= 1.9 && waited < 10, "told it is busy after %.2f s, expected the 2 s busy wait", waited);
    h278_feed_free(d);
    CHECK(!atomic_load(&c.done)); /* still queued */

    if (a)
        CHECK(h278_feed_finish(a, NULL, NULL) == 0);
    h278_feed_free(a);
    h278_shm_thread_join(c.thread);
    CHECKF(c.rc == 0, "the queued producer: %s", c.why);
    if (b)
        CHECK(h278_feed_finish(b, NULL, NULL) == 0);
    h278_feed_free(b);
    h278_test_server_join(&q);
    CHECKF(q.rc == 0, "%s", q.err);
    CHECKF(q.st.sessions == 3 && q.st.failed_sessions == 0 && q.st.peak_sessions == 2,
           "%llu sessions, %llu failed, %llu at once", (unsigned long long)q.st.sessions,
           (unsigned long long)q.st.failed_sessions, (unsigned long long)q.st.peak_sessions);
}

int main(void)
{
    h278_test_region_name(name, sizeof name, "many");
    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 2;
    s.o.max_producers = MAX_PRODUCERS;
    s.o.max_block = 64u << 10; /* 8 regions of a few MiB, not of 56 */
    s.o.stop = &s.stop;
    s.o.idle_timeout_ms = 10000;
    CHECK(h278_test_server_start(&s) == 0);

    /* 1. Eight at once. */
    atomic_store(&hostile_done, 1);
    start_producers(MAX_PRODUCERS, 100);
    wait_attached(MAX_PRODUCERS);
    check_producers(MAX_PRODUCERS, "8 at once");

    /* 2. A hostile producer among three honest ones. */
    atomic_store(&hostile_done, 0);
    h278_shm_region *hostile = hostile_attach();
    CHECK(hostile != NULL);
    unsigned hostile_sessions = 1;
    start_producers(3, 200);
    wait_attached(3);
    if (hostile) {
        scribble(hostile, 300);
        h278_shm_close(hostile);
    }
#if defined(POSIX_FAULTS)
    h278_shm_sleep_ms(300); /* the server drops the scribbled session and resets its ring */
    shrink_own_region();
    kill_mid_stream();
    hostile_sessions += 2;
#endif
    atomic_store(&hostile_done, 1);
    check_producers(3, "beside a hostile producer");

    /* 3. The next producer is served. */
    h278_test_block tb;
    CHECK(h278_test_block_make(&tb, 5) == 0);
    char why[320];
    CHECKF(h278_test_feed_block(name, 0, &tb, why, sizeof why) == 0, "after the hostile producer: %s", why);

    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECKF(s.st.peak_sessions == MAX_PRODUCERS, "at most %llu sessions at once",
           (unsigned long long)s.st.peak_sessions);
    CHECKF(s.st.failed_sessions >= hostile_sessions, "%llu sessions dropped, expected at least %u",
           (unsigned long long)s.st.failed_sessions, hostile_sessions);
    CHECKF(s.st.sessions >= MAX_PRODUCERS + 3 + 1 + hostile_sessions, "%llu sessions",
           (unsigned long long)s.st.sessions);
    printf("%llu sessions (%llu dropped), %llu blocks; peak %llu at once\n", (unsigned long long)s.st.sessions,
           (unsigned long long)s.st.failed_sessions, (unsigned long long)s.st.blocks,
           (unsigned long long)s.st.peak_sessions);

    /* 4. Every session taken. */
    queue_when_full();
    return h278_test_finish();
}
