/*
 * server.c - the decode server (see transport.h).
 *
 * Threads: the calling thread creates the region and then runs sessions:
 * it waits for a producer to attach, starts the workers, watches the
 * producer's process, the stop flags and the workers, and when all workers
 * have ended it resets the ring for the next producer. Each worker loops
 * wait_for_data() -> process_data() with its own decoder, so workers share
 * nothing but the ring's tail (claimed by CAS) and their counters.
 *
 * A session ends when the producer closes and every position is claimed (all
 * workers see H278_RING_CLOSED), when the producer's process is gone, when a
 * worker finds the producer broke the protocol, or on a stop request. Only
 * the first is a success. Workers are joined before the ring is reset, so
 * no worker ever touches a slot of the next session.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "transport.h"

/* How often the main thread looks at the producer and the stop flags. */
#define WATCH_MS 20u
#define LIVENESS_EVERY_MS 100u
#define PROGRESS_EVERY_MS 500u
/* How often an idle server looks at *o->stop (without one it only wakes
 * for a producer or an interrupt). */
#define STOP_LOOK_MS 100u
/* A worker's longest single wait before it re-checks the abort flag. */
#define CLAIM_SLICE_MS 50u

typedef struct worker {
    struct server *s;
    h278_decoder *dec;
    h278_shm_thread *thread;
    /* Read live by the main thread for progress; written by this worker. */
    _Atomic uint64_t blocks, bytes_in, bytes_out, errors;
    h278_hist latency;
    uint64_t first_ns, last_ns; /* this session; read after join */
} worker;

typedef struct server {
    const h278_serve_opts *o;
    h278_shm_region *region;
    h278_ring ring;
    worker *workers;
    unsigned threads;
    _Atomic int abort;      /* end the session now */
    _Atomic int broken;     /* set once, by the worker that found a violation */
    _Atomic unsigned running;
    char broken_msg[256];   /* written by the worker that set broken */
    /* The region's geometry, to make it again (make_region). */
    size_t size;
    uint32_t slots, request_capacity, max_block;
} server;

static void note(const server *s, const char *fmt, ...)
{
    if (!s->o->log)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->o->log(s->o->ctx, msg);
}

/* Creates the region and lays out a fresh ring in it, serving: 0, or 1
 * with a message in err. */
static int make_region(server *s, char *err, size_t err_size)
{
    int stale = 0;
    h278_shm_error se = h278_shm_create(s->o->name, s->size, &s->region, &stale);
    if (se) {
        snprintf(err, err_size, "cannot create shared-memory region '%s': %s", s->o->name, h278_shm_strerror(se));
        return 1;
    }
    if (stale)
        note(s, "removed a stale region '%s' left by a server that crashed", s->o->name);
    uint64_t nonce = h278_shm_now_ns() ^ ((uint64_t)(uintptr_t)s << 16);
    h278_ring_init(&s->ring, h278_shm_addr(s->region), s->size, s->slots, s->request_capacity, s->max_block,
                   s->o->stage, nonce);
    s->ring.region = s->region;
    s->ring.busy_poll = s->o->busy_poll;
    atomic_store_explicit(&s->ring.hdr->consumers, s->threads, memory_order_relaxed);
    atomic_store_explicit(&s->ring.hdr->state, H278_RING_SERVING, memory_order_release);
    return 0;
}

const char *h278_serve_default_decoder(void)
{
    return h278_variant_resolve("simd");
}

/* A worker that found the producer broke the protocol: record why (first
 * one wins) and end the session. */
static void mark_broken(server *s, const char *fmt, ...)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&s->broken, &expected, 1)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->broken_msg, sizeof s->broken_msg, fmt, ap);
        va_end(ap);
    }
    atomic_store(&s->abort, 1);
}

/*
 * Waits for the next block: claims a position, waiting in slices so that an
 * abort is seen within CLAIM_SLICE_MS. Returns H278_RING_OK with *m filled,
 * H278_RING_CLOSED at the end of the session (or on abort), or
 * H278_RING_BROKEN.
 */
static h278_ring_status wait_for_data(worker *w, h278_ring_msg *m)
{
    server *s = w->s;
    for (;;) {
        if (atomic_load_explicit(&s->abort, memory_order_relaxed))
            return H278_RING_CLOSED;
        h278_ring_status st = h278_ring_claim(&s->ring, m, CLAIM_SLICE_MS);
        if (st != H278_RING_TIMEOUT)
            return st;
    }
}

/*
 * Decodes one claimed block from its request slot into its result slot and
 * publishes the result. The request header fields were copied by the claim;
 * here they are checked against the slot's capacities. The block's bytes
 * are parsed and decoded in place: the parser validates every field a
 * decoder relies on into the local h278_block, and the decoders are fuzzed
 * to be safe on any stream bytes, which is what makes reading memory the
 * producer can still write safe. A block that does not decode is reported to
 * the producer; only a broken slot header is a protocol violation.
 */
static void process_data(worker *w, const h278_ring_msg *m)
{
    server *s = w->s;
    uint64_t t0 = h278_shm_now_ns();
    uint32_t decoded_size = m->meta[H278_META_DECODED_SIZE];
    uint32_t max_len = m->meta[H278_META_MAX_LEN];
    if (decoded_size > s->ring.result_capacity || decoded_size > H278_MAX_BLOCK_SIZE) {
        mark_broken(s, "block %llu declares %lu decoded bytes; a slot holds %lu",
                    (unsigned long long)m->pos, (unsigned long)decoded_size,
                    (unsigned long)s->ring.result_capacity);
        return;
    }
    h278_block b;
    h278_error err = max_len >= 1 && max_len <= H278_MAX_CODE_LEN
                         ? h278_read_block(m->data, m->len, decoded_size, max_len, &b)
                         : H278_ERR_BAD_MAX_LEN;
    if (!err && b.total_size != m->len)
        err = H278_ERR_TRAILING_DATA;
    uint8_t *dst = h278_ring_result_area(&s->ring, m->pos);
    if (!err)
        err = h278_decode_block(w->dec, &b, dst, s->ring.result_capacity);
    h278_ring_complete(&s->ring, m->pos, err ? 0 : decoded_size, (uint32_t)err);

    uint64_t t1 = h278_shm_now_ns();
    if (!w->first_ns)
        w->first_ns = t0;
    w->last_ns = t1;
    h278_hist_add(&w->latency, t1 - t0);
    atomic_fetch_add_explicit(&w->blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->bytes_in, m->len, memory_order_relaxed);
    if (err)
        atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&w->bytes_out, decoded_size, memory_order_relaxed);
}

static void worker_main(void *arg)
{
    worker *w = arg;
    server *s = w->s;
    h278_ring_msg m;
    h278_ring_status st;
    while ((st = wait_for_data(w, &m)) == H278_RING_OK)
        process_data(w, &m);
    if (st == H278_RING_BROKEN)
        mark_broken(s, "%s", h278_ring_strerror(st));
    atomic_fetch_sub(&s->running, 1);
    /* Wake the others so they see the end (or the abort) at once. */
    h278_ring_wake_all(&s->ring);
}

/* Totals so far: finished sessions plus the live worker counters. */
static void snapshot(const server *s, const h278_serve_stats *done, uint64_t session_start_ns,
                     h278_serve_stats *now)
{
    *now = *done;
    for (unsigned i = 0; i < s->threads; i++) {
        worker *w = &s->workers[i];
        now->blocks += atomic_load_explicit(&w->blocks, memory_order_relaxed);
        now->bytes_in += atomic_load_explicit(&w->bytes_in, memory_order_relaxed);
        now->bytes_out += atomic_load_explicit(&w->bytes_out, memory_order_relaxed);
        now->block_errors += atomic_load_explicit(&w->errors, memory_order_relaxed);
    }
    if (session_start_ns)
        now->seconds += (double)(h278_shm_now_ns() - session_start_ns) / 1e9;
}

static int stop_requested(const server *s)
{
    return h278_shm_interrupted() || (s->o->stop && atomic_load(s->o->stop));
}

/* The producer closed the ring and every position it published is claimed:
 * its session ends normally even if its process has already exited (a
 * producer takes its last result and exits while the workers are still on
 * their way out of their last wait). */
static int producer_finished(h278_ring_header *h)
{
    return atomic_load_explicit(&h->closed, memory_order_acquire) &&
           atomic_load_explicit(&h->tail, memory_order_acquire) >=
               atomic_load_explicit(&h->head, memory_order_acquire);
}

enum session_end {
    SESSION_DONE,
    SESSION_PRODUCER_DIED,
    SESSION_PRODUCER_SILENT,
    SESSION_PRODUCER_LEFT,
    SESSION_REGION_LOST,
    SESSION_BROKEN,
    SESSION_STOPPED,
    SESSION_FAILED
};

/* Whether the attached producer (pid, its start time as it wrote it) still
 * runs. A producer writes its start right after attaching; by the first
 * check (LIVENESS_EVERY_MS later) one that left it 0 where this system has
 * start times (starts_known) is not a producer of this protocol (a write
 * of producer_pid alone, say of pid 1, would otherwise hold the server). */
static int producer_alive(uint64_t pid, uint64_t start, int starts_known)
{
    if (start == 0 && starts_known)
        return 0;
    return h278_shm_alive(pid, start);
}

/* Whether the ring is as h278_ring_reset leaves it, as far as an attaching
 * producer checks (feed.c): a peer may have written the positions. */
static int ring_was_reset(h278_ring_header *h)
{
    return atomic_load(&h->head) == 0 && atomic_load(&h->tail) == 0 && atomic_load(&h->closed) == 0;
}

/* Runs one producer's session: from its attach to the end of all workers. */
static enum session_end run_session(server *s, h278_serve_stats *st, char *err, size_t err_size)
{
    h278_ring_header *h = s->ring.hdr;
    uint64_t pid = atomic_load_explicit(&h->producer_pid, memory_order_acquire);
    atomic_store(&s->abort, 0);
    atomic_store(&s->broken, 0);
    atomic_store(&s->running, s->threads);
    for (unsigned i = 0; i < s->threads; i++) {
        worker *w = &s->workers[i];
        atomic_store(&w->blocks, 0);
        atomic_store(&w->bytes_in, 0);
        atomic_store(&w->bytes_out, 0);
        atomic_store(&w->errors, 0);
        w->first_ns = w->last_ns = 0;
    }
    unsigned started = 0;
    for (; started < s->threads; started++)
        if (h278_shm_thread_start(&s->workers[started].thread, worker_main, &s->workers[started]))
            break;
    enum session_end end = SESSION_DONE;
    if (started < s->threads) {
        snprintf(err, err_size, "cannot start decode threads");
        atomic_fetch_sub(&s->running, s->threads - started);
        atomic_store(&s->abort, 1);
        end = SESSION_FAILED;
    }
    note(s, "producer %llu attached", (unsigned long long)pid);

    const uint64_t idle_ns =
        (uint64_t)(s->o->idle_timeout_ms ? s->o->idle_timeout_ms : H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS) * 1000000ull;
    uint64_t attach_ns = h278_shm_now_ns(), last_check = attach_ns, last_progress = attach_ns;
    uint64_t last_head = 0, last_tail = 0, last_news = attach_ns;
    uint64_t self_pid, self_start;
    h278_shm_self(&self_pid, &self_start); /* has this system start times? */
    while (atomic_load(&s->running) > 0) {
        h278_shm_sleep_ms(WATCH_MS);
        uint64_t now = h278_shm_now_ns();
        if (end == SESSION_DONE && stop_requested(s)) {
            end = SESSION_STOPPED;
            atomic_store(&s->abort, 1);
        }
        if (end == SESSION_DONE && h278_shm_lost(s->region)) {
            end = SESSION_REGION_LOST;
            atomic_store(&s->abort, 1);
        }
        /* The session belongs to the producer that attached: one that lets
         * go of producer_pid (feed.c, on a ring that was not reset), or a
         * peer that overwrites it, ends it. */
        if (end == SESSION_DONE && atomic_load_explicit(&h->producer_pid, memory_order_relaxed) != pid &&
            !producer_finished(h)) {
            end = SESSION_PRODUCER_LEFT;
            atomic_store(&s->abort, 1);
        }
        if (end == SESSION_DONE && now - last_check >= LIVENESS_EVERY_MS * 1000000ull) {
            last_check = now;
            uint64_t start = atomic_load_explicit(&h->producer_start, memory_order_relaxed);
            if (!producer_alive(pid, start, self_start != 0) && !producer_finished(h)) {
                end = SESSION_PRODUCER_DIED;
                atomic_store(&s->abort, 1);
            }
        }
        /* Alive but silent: nothing published or claimed for the idle
         * timeout (and not done). A producer that only takes its results
         * is not silent for long: it closes the ring when it has them all. */
        const uint64_t head = atomic_load_explicit(&h->head, memory_order_relaxed),
                       tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
        if (head != last_head || tail != last_tail) {
            last_head = head;
            last_tail = tail;
            last_news = now;
        } else if (end == SESSION_DONE && now - last_news >= idle_ns && !producer_finished(h)) {
            end = SESSION_PRODUCER_SILENT;
            atomic_store(&s->abort, 1);
        }
        if (atomic_load(&s->abort))
            h278_ring_wake_all(&s->ring);
        if (s->o->progress && now - last_progress >= PROGRESS_EVERY_MS * 1000000ull) {
            last_progress = now;
            h278_serve_stats live;
            snapshot(s, st, attach_ns, &live);
            s->o->progress(s->o->ctx, &live);
        }
    }
    for (unsigned i = 0; i < started; i++)
        h278_shm_thread_join(s->workers[i].thread);
    if (end == SESSION_DONE && atomic_load(&s->broken))
        end = SESSION_BROKEN;

    /* Fold the session into the totals. */
    h278_serve_stats live;
    snapshot(s, st, 0, &live);
    uint64_t first = 0, last = 0;
    for (unsigned i = 0; i < s->threads; i++) {
        worker *w = &s->workers[i];
        h278_hist_merge(&live.latency, &w->latency);
        memset(&w->latency, 0, sizeof w->latency);
        if (w->first_ns && (!first || w->first_ns < first))
            first = w->first_ns;
        if (w->last_ns > last)
            last = w->last_ns;
    }
    if (first && last > first)
        live.seconds += (double)(last - first) / 1e9;
    live.sessions++;
    uint64_t blocks = live.blocks - st->blocks;
    /* A session that failed: why (in err), counted and noted. */
    int failed = 1;
    switch (end) {
    case SESSION_DONE:
        note(s, "producer %llu finished: %llu blocks", (unsigned long long)pid, (unsigned long long)blocks);
        failed = 0;
        break;
    case SESSION_PRODUCER_DIED:
        snprintf(err, err_size, "producer %llu died mid-session (after %llu blocks); session dropped",
                 (unsigned long long)pid, (unsigned long long)blocks);
        break;
    case SESSION_PRODUCER_LEFT:
        snprintf(err, err_size, "producer %llu let go of the region, or another process overwrote its pid (after "
                 "%llu blocks); session dropped", (unsigned long long)pid, (unsigned long long)blocks);
        break;
    case SESSION_REGION_LOST:
        snprintf(err, err_size, "the shared region was shrunk (ftruncate) during producer %llu's session (after %llu "
                 "blocks); session dropped", (unsigned long long)pid, (unsigned long long)blocks);
        break;
    case SESSION_PRODUCER_SILENT:
        snprintf(err, err_size, "producer %llu sent nothing for %.1f s (the idle timeout; after %llu blocks); "
                 "session dropped", (unsigned long long)pid, (double)idle_ns / 1e9, (unsigned long long)blocks);
        break;
    case SESSION_BROKEN:
        snprintf(err, err_size, "producer %llu broke the protocol: %s; session dropped", (unsigned long long)pid,
                 s->broken_msg);
        break;
    default: /* stopped, or the threads did not start: not the producer's doing */
        failed = 0;
        break;
    }
    if (failed) {
        live.failed_sessions++;
        note(s, "%s", err);
    }
    *st = live;
    return end;
}

int h278_serve(const h278_serve_opts *o, h278_serve_stats *st, char *err, size_t err_size)
{
    memset(st, 0, sizeof *st);
    err[0] = 0;
    server s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.threads = o->threads;
    if (s.threads < 1 || s.threads > H278_SERVE_MAX_THREADS) {
        snprintf(err, err_size, "threads must be 1..%u", H278_SERVE_MAX_THREADS);
        return 1;
    }
    /* Default: 16, or 4 per worker if more. The producer refills the ring
     * half a ring at a time, so a bigger ring means fewer wake-up calls on
     * the workers' path, which is what costs most (docs/TRANSPORT.md). */
    uint32_t slots = o->slots;
    if (!slots)
        for (slots = 16; slots < 4 * s.threads; slots *= 2)
            ;
    uint32_t max_block = o->max_block ? o->max_block : H278_SERVE_DEFAULT_MAX_BLOCK;
    if (max_block < H278_MIN_BLOCK_SIZE || max_block > H278_MAX_BLOCK_SIZE) {
        snprintf(err, err_size, "largest block must be %u .. %u bytes", H278_MIN_BLOCK_SIZE, H278_MAX_BLOCK_SIZE);
        return 1;
    }
    h278_enc_params worst = {H278_MAX_CODE_LEN, H278_MAX_STREAMS, max_block, 1, 0};
    uint32_t request_capacity = (uint32_t)h278_block_bound(max_block, &worst);
    if (o->stage > H278_RING_MAX_STAGE) {
        snprintf(err, err_size, "the stage must be at most %u bytes", H278_RING_MAX_STAGE);
        return 1;
    }
    size_t size = h278_ring_region_size(slots, request_capacity, max_block, o->stage);
    if (size == 0) {
        snprintf(err, err_size, "slots must be a power of two, 2 .. %u", H278_RING_MAX_SLOTS);
        return 1;
    }

    const char *name = o->decoder ? o->decoder : h278_serve_default_decoder();
    st->threads = s.threads;
    snprintf(st->decoder, sizeof st->decoder, "%s", name);
    s.workers = calloc(s.threads, sizeof *s.workers);
    if (!s.workers) {
        snprintf(err, err_size, "out of memory");
        return 1;
    }
    int rc = 1;
    for (unsigned i = 0; i < s.threads; i++) {
        s.workers[i].s = &s;
        h278_error e = h278_decoder_new(name, NULL, &s.workers[i].dec);
        if (e) {
            snprintf(err, err_size, "decoder '%s': %s", name, h278_strerror(e));
            goto out;
        }
    }
    if (s.threads)
        snprintf(st->decoder, sizeof st->decoder, "%s", h278_decoder_name(s.workers[0].dec));

    s.size = size;
    s.slots = slots;
    s.request_capacity = request_capacity;
    s.max_block = max_block;
    if (make_region(&s, err, err_size))
        goto out;
    if (o->ready)
        o->ready(o->ctx);

    rc = 0;
    for (;;) {
        /* Wait for a producer to attach: it rings the request doorbell
         * (feed.c), as does an interrupt. No timeout unless *o->stop must
         * be looked at, which nothing rings. */
        h278_ring_header *h = s.ring.hdr;
        h278_shm_wake_on_interrupt(s.region, 0, &h->request_word);
        for (;;) {
            /* The fields the server owns, as it knows them: a peer may have
             * written the region's copy (each ring wakes the server). */
            h278_ring_reassert(&s.ring);
            atomic_store_explicit(&h->state, H278_RING_SERVING, memory_order_release);
            atomic_store_explicit(&h->consumers, s.threads, memory_order_relaxed);
            const uint32_t seen = atomic_load_explicit(&h->request_word, memory_order_acquire);
            if (stop_requested(&s) || h278_shm_lost(s.region))
                break;
            const uint64_t pid = atomic_load_explicit(&h->producer_pid, memory_order_acquire);
            if (pid)
                break; /* a session, even for a stranger: it checks the producer */
            if (!ring_was_reset(h)) {
                /* Positions a peer wrote while nobody was attached: reset
                 * the ring, holding producer_pid meanwhile as a producer
                 * would. */
                uint64_t none = 0;
                if (atomic_compare_exchange_strong(&h->producer_pid, &none, s.ring.creator_pid))
                    h278_ring_reset(&s.ring);
                continue;
            }
            h278_shm_wait(s.region, 0, &h->request_word, seen, o->stop ? STOP_LOOK_MS : H278_SHM_FOREVER);
        }
        h278_shm_wake_on_interrupt(NULL, 0, NULL);
        if (stop_requested(&s))
            break;
        enum session_end end = SESSION_REGION_LOST;
        if (!h278_shm_lost(s.region))
            end = run_session(&s, st, err, err_size);
        else
            snprintf(err, err_size, "the shared region was shrunk (ftruncate) before a session began");
        if (end == SESSION_FAILED || end == SESSION_STOPPED || o->once) {
            /* No reset: a producer attaching now would only find a server on
             * its way out. */
            rc = end == SESSION_DONE || end == SESSION_STOPPED ? 0 : 1;
            break;
        }
        if (h278_shm_lost(s.region)) {
            /* Someone shrank the region: what is mapped now is private zero
             * pages. A new region under the same name serves the next
             * producer. */
            note(&s, "the shared region was shrunk by another process (ftruncate); made it again");
            h278_shm_close(s.region);
            s.region = NULL;
            if (make_region(&s, err, err_size)) {
                rc = 1;
                break;
            }
        } else {
            h278_ring_reset(&s.ring);
        }
        err[0] = 0;
    }
    if (!s.region)
        goto out;
    /* Tell an attached producer, then remove the name. */
    atomic_store_explicit(&s.ring.hdr->state, H278_RING_SHUTDOWN, memory_order_release);
    h278_ring_wake_all(&s.ring);
    h278_shm_close(s.region);
out:
    for (unsigned i = 0; i < s.threads; i++)
        h278_decoder_free(s.workers[i].dec);
    free(s.workers);
    return rc;
}
