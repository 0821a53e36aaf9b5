/*
 * feed.c - the producer side of the decode server (see transport.h).
 *
 * A feed attaches to a ring of the server by CAS of the ring header's
 * producer_pid from 0 to its own pid, so at most one producer is attached
 * to a ring at a time: the first ring (region NAME) if it is free, else the
 * first free one of the server's other rings (NAME.p1, NAME.p2 ..., in
 * order until one is not there, each checked to belong to the same
 * server). Where every ring made so far is taken it asks the server for
 * one more (it raises more_wanted to the number of rings it needs; the
 * server makes it if its --max-producers allows) and tries again. It remembers
 * the server's pid, start time and its ring's session number. Results are
 * taken in order; while waiting for one it looks at the server every
 * WAIT_SLICE_MS: gone, shutting down, or on a new session (the server
 * dropped ours) all end the feed with an error instead of a hang.
 *
 * The server is not trusted either: result headers are copied and checked
 * by the ring, and each result's bytes are checked against what the block
 * promised (status, size, checksum) before they reach the sink.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "transport.h"

#define WAIT_SLICE_MS 100u
#define ATTACH_RETRY_MS 10u
#define DEFAULT_STALL_MS 30000u

typedef struct pending {
    uint32_t decoded_size, checksum;
    uint64_t sent_ns;
} pending;

struct h278_feed {
    h278_shm_region *region;
    h278_ring ring;
    uint64_t server_pid, server_start;
    uint32_t session;
    uint32_t stall_ms;
    int verify;
    int nap;                /* wait for results on a timer: see nap_for_results */
    uint64_t wait_ns;       /* how long refill waits took lately (average) */
    int finished, failed;
    char err[320];
    uint64_t err_pos;
    pending *pending;       /* slot_count entries: position p at p mod slot_count */
    uint8_t *copy;          /* h278_feed_max_result bytes, a result checked and stored: see accept_result */
    h278_feed_stats st;
    uint64_t first_ns, last_ns;
};

static int fail(h278_feed *f, uint64_t pos, const char *fmt, ...)
{
    if (!f->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->err, sizeof f->err, fmt, ap);
        va_end(ap);
        f->err_pos = pos;
        f->failed = 1;
    }
    return 1;
}

const char *h278_feed_error(const h278_feed *f)
{
    return f->failed ? f->err : "no error";
}

uint64_t h278_feed_error_pos(const h278_feed *f)
{
    return f->err_pos;
}

uint32_t h278_feed_max_request(const h278_feed *f)
{
    return f->ring.request_capacity;
}

uint32_t h278_feed_max_result(const h278_feed *f)
{
    return f->ring.result_capacity;
}

/* Rings the request doorbell, which wakes an idle server (server.c): it
 * then re-asserts the header fields it owns and looks at whoever is
 * attached. Unlike the ring's own doorbells (ring.c) it always makes the
 * wake call: the idle server does not count itself among the waiters, a
 * count in the region that a peer could overwrite. */
static void ring_server(h278_shm_region *r, h278_ring_header *h)
{
    atomic_fetch_add_explicit(&h->request_word, 1, memory_order_release);
    h278_shm_wake(r, 0, &h->request_word, 1);
}

/* Lets go of the region open_ring opened. */
static void close_ring(h278_feed *f)
{
    h278_shm_close(f->region);
    f->region = NULL;
}

/* open_ring's answer when there is no region of that name. */
#define NO_REGION (-3)

/* Opens the ring of the region NAME and checks that a live server serves
 * it. Returns 0 (f->region and f->ring set), NO_REGION or -1 to retry (not
 * there, or not ready yet), -2 to retry (a live server whose header says
 * otherwise), or 1 for a final failure; err says why either way. */
static int open_ring(h278_feed *f, const char *name, char *err, size_t err_size)
{
    /* A region a peer shrank below its header (or to nothing) while the
     * server slept cannot even be rung: grow it back that far, and the
     * server, once rung, finds it lost and makes it again. */
    const int regrown = h278_shm_regrow(name, H278_RING_HEADER_SIZE);
    h278_shm_error se = h278_shm_open(name, &f->region);
    if (se) {
        snprintf(err, err_size, "cannot attach to server '%s': %s", name, h278_shm_strerror(se));
        f->region = NULL;
        return se == H278_SHM_NOT_FOUND ? NO_REGION : 1;
    }
    int rc = -1;
    if (h278_ring_attach(&f->ring, h278_shm_addr(f->region), h278_shm_size(f->region)) != H278_RING_OK) {
        /* Also what a server between create and init looks like, or one
         * whose header a peer overwrote: a ring makes a server write it
         * again. */
        snprintf(err, err_size, "region '%s' is %s", name,
                 regrown ? "smaller than a ring (someone shrank it)" : "not a decode server of this version");
        if (h278_shm_size(f->region) >= sizeof(h278_ring_header)) {
            ring_server(f->region, h278_shm_addr(f->region));
            rc = -2;
        }
        goto out;
    }
    h278_ring_header *h = f->ring.hdr;
    f->server_pid = *(volatile uint64_t *)&h->creator_pid;
    f->server_start = *(volatile uint64_t *)&h->creator_start;
    uint32_t state = atomic_load_explicit(&h->state, memory_order_acquire);
    if (!h278_shm_alive(f->server_pid, f->server_start)) {
        snprintf(err, err_size, "server '%s' is not running (shut down or crashed)", name);
        goto out;
    }
    if (state != H278_RING_SERVING) {
        /* Starting, shutting down, or a header someone else wrote: a ring
         * makes a serving server say so again. */
        snprintf(err, err_size, "server '%s' is %s", name,
                 state == H278_RING_STARTING ? "starting" : state == H278_RING_SHUTDOWN ? "shutting down"
                                                                                        : "not serving");
        ring_server(f->region, h);
        rc = -2;
        goto out;
    }
    return 0;
out:
    close_ring(f);
    return rc;
}

/* Attaches to the ring just opened. Returns 0, or -2 (err says why) to
 * retry: taken by another producer, or not reset; the region stays open
 * either way. */
static int take_ring(h278_feed *f, const char *name, char *err, size_t err_size)
{
    h278_ring_header *h = f->ring.hdr;
    uint64_t pid, start, none = 0;
    h278_shm_self(&pid, &start);
    if (!atomic_compare_exchange_strong_explicit(&h->producer_pid, &none, pid, memory_order_acq_rel,
                                                 memory_order_relaxed)) {
        snprintf(err, err_size, "server '%s' is busy with another producer (pid %llu)", name,
                 (unsigned long long)none);
        ring_server(f->region, h); /* an idle server then checks that producer */
        return -2;
    }
    atomic_store_explicit(&h->producer_start, start, memory_order_relaxed);
    f->session = atomic_load_explicit(&h->session, memory_order_acquire);
    if (!h278_ring_is_reset(&f->ring)) {
        /* Someone wrote the positions or a slot's sequence numbers, or
         * cleared producer_pid during another producer's session: let go,
         * and ring; an idle server resets such a ring, a busy one writes its
         * producer back. */
        snprintf(err, err_size, "server '%s' handed over a ring that was not reset", name);
        atomic_compare_exchange_strong(&h->producer_pid, &pid, 0);
        ring_server(f->region, h);
        return -2;
    }
    f->ring.region = f->region;
    ring_server(f->region, h); /* an idle server sleeps until a producer rings */
    return 0;
}


/* One attempt to attach: the first ring, else the server's other rings in
 * order. Returns 0, -1 or -2 to retry, or 1 for a final failure (as
 * open_ring); err says why either way. */
static int try_attach(h278_feed *f, const char *name, char *err, size_t err_size)
{
    f->server_pid = f->server_start = 0; /* the first ring's, once read: the others must match them */
    int rc = open_ring(f, name, err, err_size), first_taken = 0;
    if (rc == NO_REGION || rc == -1 || rc == 1)
        return rc == NO_REGION ? -1 : rc;
    /* The first ring, kept open when taken: its doorbell wakes an idle
     * server and its more_wanted asks for another ring (below). */
    h278_shm_region *first_region = NULL;
    h278_ring first;
    if (rc == 0) {
        if ((rc = take_ring(f, name, err, err_size)) == 0)
            return 0;
        first_taken = 1;
        first_region = f->region;
        first = f->ring;
        f->region = NULL;
    }
    /* The first ring is taken, or unusable just now (a peer may have
     * written or shrunk it): look at the others. Each is checked as the
     * first was; none of them depends on what is in the first. */
    const uint64_t server_pid = f->server_pid, server_start = f->server_start;
    char other[H278_SHM_NAME_MAX + 16], why[320];
    int all_taken = first_taken; /* every ring so far has a producer: ask for one more */
    uint32_t k = 1;
    for (; k < H278_SERVE_MAX_PRODUCERS && rc; k++) {
        snprintf(other, sizeof other, "%s.p%u", name, k);
        int got = open_ring(f, other, why, sizeof why);
        if (got == NO_REGION)
            break; /* not made yet: the server makes them in order, when asked (below) */
        if (got) {
            all_taken = 0; /* being made, or not serving just now */
            continue;
        }
        if (server_pid && (f->server_pid != server_pid || f->server_start != server_start)) {
            close_ring(f); /* another server's region of that name */
            all_taken = 0;
            continue;
        }
        if ((rc = take_ring(f, other, why, sizeof why)) != 0)
            close_ring(f);
    }
    /* Ring the first ring, where an idle server sleeps: it then opens our
     * session, or (every ring taken) makes another one if it may. One that
     * could not be used a moment ago is opened again for this. */
    if (!first_region && h278_shm_open(name, &first_region) == H278_SHM_OK &&
        h278_ring_attach(&first, h278_shm_addr(first_region), h278_shm_size(first_region)) != H278_RING_OK) {
        h278_shm_close(first_region);
        first_region = NULL;
    }
    if (first_region) {
        /* Ask for k + 1 rings (asking again while it is being made asks
         * for the same one). */
        uint32_t wanted = atomic_load_explicit(&first.hdr->more_wanted, memory_order_relaxed);
        while (rc && all_taken && wanted < k + 1 &&
               !atomic_compare_exchange_weak_explicit(&first.hdr->more_wanted, &wanted, k + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
            ;
        ring_server(first_region, first.hdr);
        h278_shm_close(first_region);
    }
    if (rc && first_taken && k > 1)
        snprintf(err, err_size, "server '%s' is busy: each of its %u sessions has a producer (h278 serve "
                 "--max-producers sets how many it may hold)", name, (unsigned)k);
    return rc ? -2 : 0;
}

h278_feed *h278_feed_open(const h278_feed_opts *o, char *err, size_t err_size)
{
    h278_feed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    f->stall_ms = o->stall_ms ? o->stall_ms : DEFAULT_STALL_MS;
    f->verify = !o->no_verify;
    f->err_pos = UINT64_MAX;
    /* A busy server is waited for at least H278_FEED_BUSY_WAIT_MS. */
    const uint32_t busy_ms = o->wait_ms > H278_FEED_BUSY_WAIT_MS ? o->wait_ms : H278_FEED_BUSY_WAIT_MS;
    const uint64_t t0 = h278_shm_now_ns();
    const uint64_t deadline = t0 + (uint64_t)o->wait_ms * 1000000u, busy_deadline = t0 + (uint64_t)busy_ms * 1000000u;
    int rc;
    while ((rc = try_attach(f, o->name, err, err_size)) < 0 && !h278_shm_interrupted() &&
           h278_shm_now_ns() < (rc == -2 ? busy_deadline : deadline))
        h278_shm_sleep_ms(ATTACH_RETRY_MS);
    if (rc != 0) {
        free(f);
        return NULL;
    }
    f->ring.busy_poll = o->busy_poll;
    uint32_t consumers = atomic_load_explicit(&f->ring.hdr->consumers, memory_order_relaxed);
    f->nap = !o->busy_poll && consumers < h278_shm_cpu_count() && h278_shm_nap_us(0) == 0;
    f->pending = calloc(f->ring.slot_count, sizeof *f->pending);
    if (!f->pending) {
        snprintf(err, err_size, "out of memory");
        h278_feed_free(f);
        return NULL;
    }
    return f;
}

/* Why a live wait for a result should stop, or NULL to keep waiting. */
static const char *server_gone(h278_feed *f)
{
    h278_ring_header *h = f->ring.hdr;
    if (h278_shm_lost(f->region))
        return "the shared region was shrunk by another process (ftruncate)";
    if (atomic_load_explicit(&h->state, memory_order_acquire) == H278_RING_SHUTDOWN)
        return "the server shut down";
    if (atomic_load_explicit(&h->session, memory_order_acquire) != f->session)
        return "the server ended this session";
    if (!h278_shm_alive(f->server_pid, f->server_start))
        return "the server died";
    return NULL;
}

/* Checks the result just read (the oldest in flight), gives it to sink and
 * frees its slot. The result lies in memory the server can still write: a
 * checked result that goes to a sink is copied first, and the copy is what
 * is checked and stored, so no byte can change between the two. */
static int accept_result(h278_feed *f, const h278_ring_msg *m, h278_feed_sink sink, void *ctx)
{
    const pending *p = &f->pending[m->pos & (f->ring.slot_count - 1)];
    if (m->status != H278_OK) {
        const char *why = m->status < H278_ERR_COUNT ? h278_strerror((h278_error)m->status) : "unknown error";
        return fail(f, m->pos, "the server could not decode it: %s", why);
    }
    if (m->len != p->decoded_size)
        return fail(f, m->pos, "the server returned %lu bytes instead of %lu", (unsigned long)m->len,
                    (unsigned long)p->decoded_size);
    const uint8_t *data = m->data;
    if (sink && f->verify) { /* m->len is at most a slot's result capacity (ring.c) */
        if (!f->copy && !(f->copy = malloc(h278_feed_max_result(f))))
            return fail(f, m->pos, "out of memory for a copy of the result");
        memcpy(f->copy, m->data, m->len);
        data = f->copy;
    }
    if (f->verify && h278_checksum(data, m->len) != p->checksum)
        return fail(f, m->pos, "the server returned bytes that do not match the block's checksum");
    uint64_t now = h278_shm_now_ns();
    h278_hist_add(&f->st.latency, now - p->sent_ns);
    f->last_ns = now;
    f->st.blocks++;
    f->st.bytes_out += m->len;
    if (sink && sink(ctx, m->pos, data, m->len))
        return fail(f, m->pos, "could not store the decoded bytes");
    h278_ring_result_done(&f->ring);
    return 0;
}

/*
 * Napping. A producer blocked on the result doorbell must be woken by the
 * decode thread that completes the result it waits for: a system call and,
 * since the producer's CPU is idle, an interrupt to that CPU, which in a
 * virtual machine is an exit to the hypervisor (docs/TRANSPORT.md has
 * what a wake-up costs the decode thread). A producer with a CPU to itself
 * (the server runs fewer decode threads than this process has CPUs) naps
 * first: a timed sleep of half its recent waits, then eighths of them, so
 * that usually it wakes by itself and the decode threads never pay. A
 * timed sleep overshoots (by tens of microseconds), so the naps stop once
 * the usual wait has passed and it blocks as before; the workers still
 * hold half a ring of blocks meanwhile. Without a spare CPU its timer
 * would interrupt a decode thread instead, so it only blocks. NAP_MAX_NS
 * bounds the average, and with it every nap.
 */
#define NAP_MAX_NS 20000000u

static void nap_for_results(h278_feed *f, uint32_t ahead, uint64_t since)
{
    uint64_t usual = f->wait_ns;
    if (!f->nap || !usual || h278_ring_wait_results(&f->ring, ahead, 0) != H278_RING_TIMEOUT)
        return;
    h278_shm_nap_us((uint32_t)(usual / 2 / 1000));
    while (h278_ring_wait_results(&f->ring, ahead, 0) == H278_RING_TIMEOUT && h278_shm_now_ns() - since < usual)
        h278_shm_nap_us((uint32_t)(usual / 8 / 1000) + 1);
}

/*
 * Waits until the result `ahead` positions in is back (1: the oldest), then
 * takes every result that is ready, in order. Refilling a full ring with
 * ahead = half the slots sleeps (and costs the server a wake-up call) once
 * per half ring instead of once per block. While waiting it looks at the
 * server every WAIT_SLICE_MS.
 */
static int take_results(h278_feed *f, uint32_t ahead, h278_feed_sink sink, void *ctx)
{
    uint64_t waited_since = h278_shm_now_ns();
    nap_for_results(f, ahead, waited_since);
    for (;;) {
        h278_ring_status st = h278_ring_wait_results(&f->ring, ahead, WAIT_SLICE_MS);
        if (st == H278_RING_EMPTY)
            return 0;
        if (st == H278_RING_BROKEN)
            return fail(f, f->ring.done, "the server broke the protocol: %s", h278_ring_strerror(st));
        if (st == H278_RING_TIMEOUT) {
            const char *why = server_gone(f);
            if (why)
                return fail(f, f->ring.done, "%s with %llu blocks in flight", why,
                            (unsigned long long)(f->ring.next - f->ring.done));
            if (h278_shm_interrupted())
                return fail(f, f->ring.done, "interrupted");
            if (h278_shm_now_ns() - waited_since >= (uint64_t)f->stall_ms * 1000000u)
                return fail(f, f->ring.done, "the server returned nothing for %u ms", f->stall_ms);
            continue;
        }
        if (ahead > 1) { /* a refill wait: keep its length for the next nap */
            uint64_t w = h278_shm_now_ns() - waited_since;
            w = w < NAP_MAX_NS ? w : NAP_MAX_NS;
            f->wait_ns = f->wait_ns ? (f->wait_ns * 7 + w) / 8 : w;
        }
        unsigned taken = 0;
        h278_ring_msg m;
        while ((st = h278_ring_wait_result(&f->ring, &m, 0)) == H278_RING_OK) {
            if (accept_result(f, &m, sink, ctx))
                return 1;
            taken++;
        }
        if (st == H278_RING_BROKEN)
            return fail(f, f->ring.done, "the server broke the protocol: %s", h278_ring_strerror(st));
        if (taken)
            return 0;
        ahead = 1; /* a later result came first: wait for the oldest */
    }
}

/* Sends one block: block's n bytes, copied into the slot, or (staged) the
 * n bytes at offset in the stage. */
static int send(h278_feed *f, int staged, const uint8_t *block, uint32_t offset, uint32_t n,
                uint32_t decoded_size, unsigned max_len, uint32_t checksum, h278_feed_sink sink, void *ctx)
{
    if (f->failed || f->finished)
        return fail(f, f->ring.next, "the feed has ended");
    if (n > f->ring.request_capacity || decoded_size > f->ring.result_capacity)
        return fail(f, f->ring.next,
                    "block of %lu bytes (%lu decoded) does not fit the server's slots (%lu and %lu bytes); "
                    "start the server with a larger --max-block",
                    (unsigned long)n, (unsigned long)decoded_size, (unsigned long)f->ring.request_capacity,
                    (unsigned long)f->ring.result_capacity);
    if (staged && !h278_ring_stage_holds(&f->ring, offset, n))
        return fail(f, f->ring.next, "staged block at %lu (%lu bytes) is outside the stage (%lu bytes)",
                    (unsigned long)offset, (unsigned long)n, (unsigned long)f->ring.stage_capacity);
    uint8_t *payload;
    while (h278_ring_reserve(&f->ring, &payload) == H278_RING_FULL)
        if (take_results(f, f->ring.slot_count / 2, sink, ctx))
            return 1;
    if (!staged)
        memcpy(payload, block, n);
    pending *p = &f->pending[f->ring.next & (f->ring.slot_count - 1)];
    p->decoded_size = decoded_size;
    p->checksum = checksum;
    p->sent_ns = h278_shm_now_ns();
    if (!f->first_ns)
        f->first_ns = p->sent_ns;
    const uint32_t meta[4] = {decoded_size, max_len, checksum, 0};
    if (staged)
        h278_ring_publish_staged(&f->ring, offset, n, meta);
    else
        h278_ring_publish(&f->ring, n, meta);
    f->st.bytes_in += n;
    return 0;
}

int h278_feed_send(h278_feed *f, const uint8_t *block, uint32_t n, uint32_t decoded_size, unsigned max_len,
                   uint32_t checksum, h278_feed_sink sink, void *ctx)
{
    return send(f, 0, block, 0, n, decoded_size, max_len, checksum, sink, ctx);
}

int h278_feed_send_staged(h278_feed *f, uint32_t offset, uint32_t n, uint32_t decoded_size, unsigned max_len,
                          uint32_t checksum, h278_feed_sink sink, void *ctx)
{
    return send(f, 1, NULL, offset, n, decoded_size, max_len, checksum, sink, ctx);
}

uint8_t *h278_feed_stage(h278_feed *f, uint32_t *capacity)
{
    *capacity = f->ring.stage_capacity;
    return f->ring.stage_capacity ? f->ring.stage : NULL;
}

int h278_feed_drain(h278_feed *f, h278_feed_sink sink, void *ctx)
{
    if (f->failed)
        return 1;
    while (f->ring.done < f->ring.next)
        if (take_results(f, f->ring.slot_count / 2, sink, ctx))
            return 1;
    return 0;
}

int h278_feed_finish(h278_feed *f, h278_feed_sink sink, void *ctx)
{
    if (h278_feed_drain(f, sink, ctx))
        return 1;
    if (!f->finished) {
        h278_ring_close(&f->ring);
        f->finished = 1;
    }
    return 0;
}

void h278_feed_get_stats(const h278_feed *f, h278_feed_stats *st)
{
    *st = f->st;
    st->seconds = f->last_ns > f->first_ns ? (double)(f->last_ns - f->first_ns) / 1e9 : 0.0;
}

void h278_feed_free(h278_feed *f)
{
    if (!f)
        return;
    if (f->region) {
        /* An unfinished session: let the server's workers see the end. */
        if (!f->finished)
            h278_ring_close(&f->ring);
        h278_shm_close(f->region);
    }
    free(f->pending);
    free(f->copy);
    free(f);
}
