/*
 * server.c - the decode server (see transport.h).
 *
 * Sessions. The server holds up to max_producers sessions at once, each a
 * ring in a region of its own (NAME, then NAME.p1, NAME.p2 ..., made when
 * a producer asks for one because every ring so far is taken). A region of
 * its own per session is what isolates them: a producer can scribble over
 * its ring or shrink its region, and only its session sees it.
 *
 * Threads: the calling thread (the "main thread") makes the regions and
 * watches the sessions: every WATCH_MS while one is open, otherwise asleep
 * on the first ring's request doorbell, which every producer rings when it
 * attaches (feed.c). It opens a session when a producer attaches, watches
 * its producer's process, silence, the stop flags and the region, and ends
 * it; it starts the workers when the first session opens and joins them
 * when the last one ends, so an idle server has no thread but its own.
 *
 * Workers share every open session: each looks at the sessions in turn,
 * from the one after the session it served last, and takes one block from
 * the first that has one (a round-robin over sessions, a block at a time:
 * no producer waits while another streams). With nothing anywhere it
 * sleeps on the doorbell of the open session whose blocks came last (so a
 * producer that stalls is not slept on while another sends) for at most
 * CLAIM_SLICE_MS, or SHARED_SLICE_MS when several sessions are open, since
 * a block published on another ring does not wake it (a session that opens
 * wakes the workers asleep on the others).
 *
 * A session ends when its producer closes and every position is claimed,
 * when its process is gone, when a worker finds it broke the protocol, when
 * it stays silent, when its region shrinks, or on a stop request. Only the
 * first is a success. Ending: the main thread clears the session's `open`,
 * waits until no worker is inside it (a worker counts itself in `inside`
 * before it looks at `open`, so no worker enters after the wait), and only
 * then resets the ring (or makes the region again), so no worker ever
 * touches a slot of the next session.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "transport.h"

/* How often the main thread looks at the sessions while one is open. */
#define WATCH_MS 20u
#define LIVENESS_EVERY_MS 100u
#define PROGRESS_EVERY_MS 500u
/* How often an idle server looks at *o->stop (without one it only wakes
 * for a producer or an interrupt), and at its sessions past the first
 * (a producer rings the first ring's doorbell when it attaches to any; this
 * bounds the wait if that ring was being made again just then). */
#define STOP_LOOK_MS 100u
#define IDLE_LOOK_MS 1000u
/* A worker's longest sleep on one session's doorbell: with one session
 * open, the time to notice its end; with several, also the longest a block
 * published on another ring can wait for a sleeping worker. */
#define CLAIM_SLICE_MS 50u
#define SHARED_SLICE_MS 1u

enum session_end {
    SESSION_RUNNING,
    SESSION_DONE,
    SESSION_PRODUCER_DIED,
    SESSION_PRODUCER_SILENT,
    SESSION_PRODUCER_LEFT,
    SESSION_REGION_LOST,
    SESSION_BROKEN,
    SESSION_STOPPED
};

typedef struct session {
    char name[H278_SHM_NAME_MAX + 1];
    h278_shm_region *region;
    h278_ring ring;
    _Atomic int open;         /* workers may take its blocks */
    _Atomic unsigned inside;  /* workers looking at or decoding from it now */
    _Atomic int broken;       /* set once, by the worker that found a violation */
    char broken_msg[256];     /* written by the worker that set broken */
    /* This session's counts, added to by every worker. */
    _Atomic uint64_t blocks, bytes_in, bytes_out, errors;
    _Atomic uint64_t last_block_ns; /* when a worker last took one of its blocks (or it opened) */
    /* The main thread's: who attached, and what it last saw. */
    uint64_t pid, last_check, last_head, last_tail, last_news;
    int unmade;               /* its region could not be made again: said once */
} session;

typedef struct worker {
    struct server *s;
    h278_decoder *dec;
    h278_shm_thread *thread;
    unsigned next;            /* the session to look at first */
    h278_hist latency;
    uint64_t first_ns, last_ns; /* while running; read after join */
} worker;

typedef struct server {
    const h278_serve_opts *o;
    session *sessions;
    unsigned max_sessions;
    _Atomic unsigned made;    /* sessions with a region, 1 .. max_sessions */
    _Atomic unsigned open_count;
    worker *workers;
    unsigned threads;
    int running;              /* workers started (main thread) */
    uint64_t run_start_ns;
    _Atomic int quit;         /* workers: return */
    unsigned first_made;      /* times the first ring's region was made (main thread) */
    uint64_t self_start;      /* this process's start time (0: the system has none) */
    /* The regions' geometry, to make them (make_region). */
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

/* Writes the header fields the server owns, as it knows them: a peer may
 * have written the region's copy. */
static void assert_header(server *s, session *x)
{
    h278_ring_header *h = x->ring.hdr;
    h278_ring_reassert(&x->ring);
    atomic_store_explicit(&h->consumers, s->threads, memory_order_relaxed);
    atomic_store_explicit(&h->state, H278_RING_SERVING, memory_order_release);
}

/* Creates the session's region and lays out a fresh ring in it, serving:
 * 0, or 1 with a message in err. */
static int make_region(server *s, session *x, char *err, size_t err_size)
{
    int stale = 0;
    h278_shm_error se = h278_shm_create(x->name, s->size, &x->region, &stale);
    if (se) {
        snprintf(err, err_size, "cannot create shared-memory region '%s': %s", x->name, h278_shm_strerror(se));
        x->region = NULL;
        return 1;
    }
    if (stale)
        note(s, "removed a stale region '%s' left by a server that crashed", x->name);
    uint64_t nonce = h278_shm_now_ns() ^ ((uint64_t)(uintptr_t)x << 16);
    h278_ring_init(&x->ring, h278_shm_addr(x->region), s->size, s->slots, s->request_capacity, s->max_block,
                   s->o->stage, nonce);
    x->ring.region = x->region;
    x->ring.busy_poll = s->o->busy_poll;
    if (x == &s->sessions[0])
        s->first_made++;
    assert_header(s, x);
    return 0;
}

const char *h278_serve_default_decoder(void)
{
    return h278_variant_resolve("simd");
}

/* A worker that found the producer broke the protocol: record why (first
 * one wins); the main thread ends the session. */
static void mark_broken(session *x, const char *fmt, ...)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&x->broken, &expected, 1)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->broken_msg, sizeof x->broken_msg, fmt, ap);
        va_end(ap);
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
static void process_data(worker *w, session *x, const h278_ring_msg *m)
{
    uint64_t t0 = h278_shm_now_ns();
    uint32_t decoded_size = m->meta[H278_META_DECODED_SIZE];
    uint32_t max_len = m->meta[H278_META_MAX_LEN];
    if (decoded_size > x->ring.result_capacity || decoded_size > H278_MAX_BLOCK_SIZE) {
        mark_broken(x, "block %llu declares %lu decoded bytes; a slot holds %lu", (unsigned long long)m->pos,
                    (unsigned long)decoded_size, (unsigned long)x->ring.result_capacity);
        return;
    }
    h278_block b;
    h278_error err = max_len >= 1 && max_len <= H278_MAX_CODE_LEN
                         ? h278_read_block(m->data, m->len, decoded_size, max_len, &b)
                         : H278_ERR_BAD_MAX_LEN;
    if (!err && b.total_size != m->len)
        err = H278_ERR_TRAILING_DATA;
    uint8_t *dst = h278_ring_result_area(&x->ring, m->pos);
    if (!err)
        err = h278_decode_block(w->dec, &b, dst, x->ring.result_capacity);
    h278_ring_complete(&x->ring, m->pos, err ? 0 : decoded_size, (uint32_t)err);

    uint64_t t1 = h278_shm_now_ns();
    if (!w->first_ns)
        w->first_ns = t0;
    w->last_ns = t1;
    h278_hist_add(&w->latency, t1 - t0);
    atomic_store_explicit(&x->last_block_ns, t1, memory_order_relaxed);
    atomic_fetch_add_explicit(&x->blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&x->bytes_in, m->len, memory_order_relaxed);
    if (err)
        atomic_fetch_add_explicit(&x->errors, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&x->bytes_out, decoded_size, memory_order_relaxed);
}

/*
 * Takes one block of session x and decodes it, if the session is open and
 * has one; waits for one up to timeout_ms (see h278_ring_claim_wait), or
 * not at all. 1 if it decoded a block.
 */
static int serve_session(worker *w, session *x, uint32_t timeout_ms)
{
    if (!atomic_load_explicit(&x->open, memory_order_relaxed))
        return 0; /* a closed session costs its neighbours no shared write */
    int served = 0;
    atomic_fetch_add(&x->inside, 1); /* before open is read: see end_session */
    if (atomic_load(&x->open) && !atomic_load_explicit(&x->broken, memory_order_relaxed)) {
        h278_ring_msg m;
        h278_ring_status st = timeout_ms ? h278_ring_claim_wait(&x->ring, &m, timeout_ms)
                                         : h278_ring_claim(&x->ring, &m, 0);
        if (st == H278_RING_OK) {
            process_data(w, x, &m);
            served = 1;
        } else if (st == H278_RING_BROKEN) {
            mark_broken(x, "%s", h278_ring_strerror(st));
        } else if (st == H278_RING_CLOSED && timeout_ms) {
            h278_shm_sleep_ms(1); /* done: the main thread ends it within WATCH_MS; no spinning meanwhile */
        }
    }
    atomic_fetch_sub(&x->inside, 1);
    return served;
}

static void worker_main(void *arg)
{
    worker *w = arg;
    server *s = w->s;
    while (!atomic_load_explicit(&s->quit, memory_order_relaxed)) {
        /* One block from the first session, in turn, that has one. */
        const unsigned made = atomic_load_explicit(&s->made, memory_order_acquire);
        int served = 0;
        for (unsigned i = 0; i < made && !served; i++) {
            const unsigned k = (w->next + i) % made;
            if ((served = serve_session(w, &s->sessions[k], 0)))
                w->next = k + 1;
        }
        if (served)
            continue;
        /* None has one: sleep on the doorbell of the open session whose
         * blocks came last, the likeliest to send the next (a producer that
         * stalls is never slept on while another sends). */
        unsigned k = made;
        uint64_t latest = 0;
        for (unsigned i = 0; i < made; i++) {
            session *x = &s->sessions[i];
            const uint64_t at = atomic_load_explicit(&x->last_block_ns, memory_order_relaxed);
            if (atomic_load_explicit(&x->open, memory_order_relaxed) && (k == made || at > latest)) {
                k = i;
                latest = at;
            }
        }
        if (k == made) {
            h278_shm_sleep_ms(1); /* between sessions: the main thread stops us if none opens */
            continue;
        }
        const uint32_t slice = atomic_load(&s->open_count) > 1 ? SHARED_SLICE_MS : CLAIM_SLICE_MS;
        if (serve_session(w, &s->sessions[k], slice))
            w->next = k + 1;
    }
}

static int start_workers(server *s)
{
    atomic_store(&s->quit, 0);
    for (unsigned i = 0; i < s->threads; i++) {
        worker *w = &s->workers[i];
        w->first_ns = w->last_ns = 0;
        w->next = i;
        if (h278_shm_thread_start(&w->thread, worker_main, w)) {
            atomic_store(&s->quit, 1);
            for (unsigned j = 0; j < i; j++)
                h278_shm_thread_join(s->workers[j].thread);
            return 1;
        }
    }
    s->running = 1;
    s->run_start_ns = h278_shm_now_ns();
    return 0;
}

/* With no session open: joins the workers and adds their time and
 * latencies to the totals. */
static void stop_workers(server *s, h278_serve_stats *st)
{
    atomic_store(&s->quit, 1);
    uint64_t first = 0, last = 0;
    for (unsigned i = 0; i < s->threads; i++) {
        worker *w = &s->workers[i];
        h278_shm_thread_join(w->thread);
        h278_hist_merge(&st->latency, &w->latency);
        memset(&w->latency, 0, sizeof w->latency);
        if (w->first_ns && (!first || w->first_ns < first))
            first = w->first_ns;
        if (w->last_ns > last)
            last = w->last_ns;
    }
    if (first && last > first)
        st->seconds += (double)(last - first) / 1e9;
    s->running = 0;
}

/* Totals so far: ended sessions plus the open ones' live counts. */
static void snapshot(const server *s, const h278_serve_stats *done, h278_serve_stats *now)
{
    *now = *done;
    const unsigned made = atomic_load(&s->made);
    for (unsigned k = 0; k < made; k++) {
        session *x = &s->sessions[k];
        if (!atomic_load(&x->open))
            continue;
        now->blocks += atomic_load_explicit(&x->blocks, memory_order_relaxed);
        now->bytes_in += atomic_load_explicit(&x->bytes_in, memory_order_relaxed);
        now->bytes_out += atomic_load_explicit(&x->bytes_out, memory_order_relaxed);
        now->block_errors += atomic_load_explicit(&x->errors, memory_order_relaxed);
    }
    if (s->running)
        now->seconds += (double)(h278_shm_now_ns() - s->run_start_ns) / 1e9;
}

static int stop_requested(const server *s)
{
    return h278_shm_interrupted() || (s->o->stop && atomic_load(s->o->stop));
}

/* The producer closed the ring and every position it published is claimed:
 * its session ends normally even if its process has already exited (a
 * producer takes its last result and exits at once). */
static int producer_finished(h278_ring_header *h)
{
    return atomic_load_explicit(&h->closed, memory_order_acquire) &&
           atomic_load_explicit(&h->tail, memory_order_acquire) >=
               atomic_load_explicit(&h->head, memory_order_acquire);
}

/* Whether the attached producer (pid, its start time as it wrote it) still
 * runs. A producer writes its start right after attaching; by the first
 * check (LIVENESS_EVERY_MS later) one that left it 0 where this system has
 * start times (starts_known) is not a producer of this protocol (a write
 * of producer_pid alone, say of pid 1, would otherwise hold the session). */
static int producer_alive(uint64_t pid, uint64_t start, int starts_known)
{
    if (start == 0 && starts_known)
        return 0;
    return h278_shm_alive(pid, start);
}

/* A producer attached to x (pid): its session opens. 0, or 1 if the
 * workers could not start. */
static int open_session(server *s, session *x, uint64_t pid, h278_serve_stats *st)
{
    x->pid = pid;
    x->last_check = x->last_news = h278_shm_now_ns();
    x->last_head = x->last_tail = 0;
    atomic_store(&x->broken, 0);
    atomic_store(&x->blocks, 0);
    atomic_store(&x->bytes_in, 0);
    atomic_store(&x->bytes_out, 0);
    atomic_store(&x->errors, 0);
    atomic_store(&x->last_block_ns, x->last_check); /* a new session is slept on first */
    if (!s->running && start_workers(s))
        return 1;
    atomic_store(&x->open, 1);
    const unsigned open = atomic_fetch_add(&s->open_count, 1) + 1;
    if (open > st->peak_sessions)
        st->peak_sessions = open;
    /* Workers asleep on another session's doorbell look at this one now,
     * not at the end of their slice. */
    const unsigned made = atomic_load(&s->made);
    for (unsigned k = 0; k < made && open > 1; k++)
        if (&s->sessions[k] != x && atomic_load(&s->sessions[k].open))
            h278_ring_wake_all(&s->sessions[k].ring);
    note(s, "producer %llu attached (%s)", (unsigned long long)pid, x->name);
    return 0;
}

/* Why x's session should end now, or SESSION_RUNNING. */
static enum session_end watch_session(server *s, session *x, uint64_t now)
{
    h278_ring_header *h = x->ring.hdr;
    if (stop_requested(s))
        return SESSION_STOPPED;
    if (h278_shm_lost(x->region))
        return SESSION_REGION_LOST;
    if (atomic_load(&x->broken))
        return SESSION_BROKEN;
    const int finished = producer_finished(h);
    if (finished)
        return SESSION_DONE;
    /* The session belongs to the producer that attached: one that lets go
     * of producer_pid (feed.c, on a ring that was not reset), or a peer
     * that overwrites it, ends it. */
    if (atomic_load_explicit(&h->producer_pid, memory_order_relaxed) != x->pid)
        return SESSION_PRODUCER_LEFT;
    if (now - x->last_check >= LIVENESS_EVERY_MS * 1000000ull) {
        x->last_check = now;
        uint64_t start = atomic_load_explicit(&h->producer_start, memory_order_relaxed);
        if (!producer_alive(x->pid, start, s->self_start != 0) && !producer_finished(h))
            return SESSION_PRODUCER_DIED;
    }
    /* Alive but silent: nothing published or claimed for the idle timeout
     * (and not done). A producer that only takes its results is not silent
     * for long: it closes the ring when it has them all. */
    const uint64_t idle_ns =
        (uint64_t)(s->o->idle_timeout_ms ? s->o->idle_timeout_ms : H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS) * 1000000ull;
    const uint64_t head = atomic_load_explicit(&h->head, memory_order_relaxed),
                   tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
    if (head != x->last_head || tail != x->last_tail) {
        x->last_head = head;
        x->last_tail = tail;
        x->last_news = now;
    } else if (now - x->last_news >= idle_ns) {
        return SESSION_PRODUCER_SILENT;
    }
    return SESSION_RUNNING;
}

/*
 * Ends x's session: no worker enters it from now on, and those inside
 * leave (their sleep on its doorbell is cut short). Its counts go into the
 * totals; a failure is counted and noted, with why in err. The ring is not
 * reset here.
 */
static void end_session(server *s, session *x, enum session_end end, h278_serve_stats *st, char *err,
                        size_t err_size)
{
    atomic_store(&x->open, 0);
    atomic_fetch_sub(&s->open_count, 1);
    while (atomic_load(&x->inside) > 0) {
        h278_ring_wake_all(&x->ring);
        h278_shm_sleep_ms(1);
    }
    if (end == SESSION_DONE && atomic_load(&x->broken))
        end = SESSION_BROKEN;
    const uint64_t blocks = atomic_load(&x->blocks), pid = x->pid;
    st->blocks += blocks;
    st->bytes_in += atomic_load(&x->bytes_in);
    st->bytes_out += atomic_load(&x->bytes_out);
    st->block_errors += atomic_load(&x->errors);
    st->sessions++;
    const double idle_s = (double)(s->o->idle_timeout_ms ? s->o->idle_timeout_ms
                                                         : H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS) / 1e3;
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
        snprintf(err, err_size, "the shared region '%s' was shrunk (ftruncate) during producer %llu's session "
                 "(after %llu blocks); session dropped", x->name, (unsigned long long)pid,
                 (unsigned long long)blocks);
        break;
    case SESSION_PRODUCER_SILENT:
        snprintf(err, err_size, "producer %llu sent nothing for %.1f s (the idle timeout; after %llu blocks); "
                 "session dropped", (unsigned long long)pid, idle_s, (unsigned long long)blocks);
        break;
    case SESSION_BROKEN:
        snprintf(err, err_size, "producer %llu broke the protocol: %s; session dropped", (unsigned long long)pid,
                 x->broken_msg);
        break;
    default: /* stopped: not the producer's doing */
        failed = 0;
        break;
    }
    if (failed) {
        st->failed_sessions++;
        note(s, "%s", err);
    }
}

/* Back to serving after a session, or after a peer wrote an idle ring: a
 * fresh ring, or (the region was shrunk: what is mapped now is private
 * zero pages) a new region under the same name. 0, or 1 with err if the
 * first ring's region could not be made again (producers find the server
 * by it); another ring's is tried again at each look, said once. */
static int renew_session(server *s, session *x, char *err, size_t err_size)
{
    if (x->region && !h278_shm_lost(x->region)) {
        h278_ring_reset(&x->ring);
        return 0;
    }
    if (x->region) {
        note(s, "the shared region '%s' was shrunk by another process (ftruncate); making it again", x->name);
        if (x == &s->sessions[0])
            h278_shm_wake_on_interrupt(NULL, 0, NULL); /* its word goes away with it */
        h278_shm_close(x->region);
        x->region = NULL;
    }
    if (!make_region(s, x, err, err_size)) {
        x->unmade = 0;
        return 0;
    }
    if (x == &s->sessions[0])
        return 1;
    if (!x->unmade)
        note(s, "%s; trying again while the other rings serve", err);
    x->unmade = 1;
    err[0] = 0;
    return 0;
}

/*
 * Looks at a session that is not open: writes its header fields again,
 * renews a region someone shrank or a ring someone wrote, and opens the
 * session of a producer that attached. 0, or 1 with err (a region could not
 * be made, or the workers did not start).
 */
static int look_at_idle(server *s, session *x, h278_serve_stats *st, char *err, size_t err_size)
{
    if (!x->region || h278_shm_lost(x->region))
        return renew_session(s, x, err, err_size);
    h278_ring_header *h = x->ring.hdr;
    assert_header(s, x);
    const uint64_t pid = atomic_load_explicit(&h->producer_pid, memory_order_acquire);
    if (pid) {
        if (open_session(s, x, pid, st)) {
            snprintf(err, err_size, "cannot start decode threads");
            return 1;
        }
        return 0;
    }
    if (!h278_ring_is_reset(&x->ring)) {
        /* Positions or sequence numbers a peer wrote while nobody was
         * attached (an attaching producer checks the same, feed.c): reset
         * the ring, holding producer_pid meanwhile as a producer would. */
        uint64_t none = 0;
        if (atomic_compare_exchange_strong(&h->producer_pid, &none, x->ring.creator_pid))
            h278_ring_reset(&x->ring);
    }
    return 0;
}

/* Makes the next session's region when a producer found every ring taken
 * (it raised the first ring's more_wanted to the number of rings it needs).
 * One that cannot be made (no memory left for it, or its name taken by
 * another live server) leaves the server with the sessions it has, and says
 * so. */
static void make_wanted(server *s)
{
    const uint32_t wanted = atomic_load_explicit(&s->sessions[0].ring.hdr->more_wanted, memory_order_relaxed);
    const unsigned made = atomic_load(&s->made);
    if (wanted <= made || made == s->max_sessions)
        return;
    char err[256];
    if (make_region(s, &s->sessions[made], err, sizeof err)) {
        note(s, "%s: serving at most %u producer%s at once", err, made, made == 1 ? "" : "s");
        s->max_sessions = made;
        return;
    }
    atomic_store_explicit(&s->made, made + 1, memory_order_release);
    note(s, "every ring had a producer: made '%s' for one more (%u of at most %u)", s->sessions[made].name, made + 1,
         s->max_sessions);
}

/* Checks the options and works out the geometry: 0, or 1 with err. */
static int plan(server *s, const h278_serve_opts *o, char *err, size_t err_size)
{
    s->threads = o->threads;
    if (s->threads < 1 || s->threads > H278_SERVE_MAX_THREADS) {
        snprintf(err, err_size, "threads must be 1..%u", H278_SERVE_MAX_THREADS);
        return 1;
    }
    s->max_sessions = o->max_producers ? o->max_producers : H278_SERVE_DEFAULT_MAX_PRODUCERS;
    if (s->max_sessions > H278_SERVE_MAX_PRODUCERS) {
        snprintf(err, err_size, "producers at once must be 1..%u", H278_SERVE_MAX_PRODUCERS);
        return 1;
    }
    if (!o->name || strlen(o->name) + (s->max_sessions > 1 ? 4 : 0) > H278_SHM_NAME_MAX) {
        snprintf(err, err_size, "the region name must be 1..%u characters, 1..%u with more than one producer at "
                 "once (the others' regions are NAME.p1, NAME.p2 ...): a shorter name, or one producer at a time",
                 H278_SHM_NAME_MAX, H278_SHM_NAME_MAX - 4);
        return 1;
    }
    /* Default: 16, or 4 per worker if more. The producer refills the ring
     * half a ring at a time, so a bigger ring means fewer wake-up calls on
     * the workers' path, which is what costs most (docs/TRANSPORT.md). */
    s->slots = o->slots;
    if (!s->slots)
        for (s->slots = 16; s->slots < 4 * s->threads; s->slots *= 2)
            ;
    s->max_block = o->max_block ? o->max_block : H278_SERVE_DEFAULT_MAX_BLOCK;
    if (s->max_block < H278_MIN_BLOCK_SIZE || s->max_block > H278_MAX_BLOCK_SIZE) {
        snprintf(err, err_size, "largest block must be %u .. %u bytes", H278_MIN_BLOCK_SIZE, H278_MAX_BLOCK_SIZE);
        return 1;
    }
    h278_enc_params worst = {H278_MAX_CODE_LEN, H278_MAX_STREAMS, s->max_block, 1, 0};
    s->request_capacity = (uint32_t)h278_block_bound(s->max_block, &worst);
    if (o->stage > H278_RING_MAX_STAGE) {
        snprintf(err, err_size, "the stage must be at most %u bytes", H278_RING_MAX_STAGE);
        return 1;
    }
    s->size = h278_ring_region_size(s->slots, s->request_capacity, s->max_block, o->stage);
    if (s->size == 0) {
        snprintf(err, err_size, "slots must be a power of two, 2 .. %u", H278_RING_MAX_SLOTS);
        return 1;
    }
    return 0;
}

int h278_serve(const h278_serve_opts *o, h278_serve_stats *st, char *err, size_t err_size)
{
    memset(st, 0, sizeof *st);
    err[0] = 0;
    server s;
    memset(&s, 0, sizeof s);
    s.o = o;
    if (plan(&s, o, err, err_size))
        return 1;
    uint64_t self_pid;
    h278_shm_self(&self_pid, &s.self_start); /* has this system start times? */

    const char *name = o->decoder ? o->decoder : h278_serve_default_decoder();
    st->threads = s.threads;
    snprintf(st->decoder, sizeof st->decoder, "%s", name);
    s.workers = calloc(s.threads, sizeof *s.workers);
    s.sessions = calloc(s.max_sessions, sizeof *s.sessions);
    int rc = 1;
    if (!s.workers || !s.sessions) {
        snprintf(err, err_size, "out of memory");
        goto out;
    }
    for (unsigned i = 0; i < s.threads; i++) {
        s.workers[i].s = &s;
        h278_error e = h278_decoder_new(name, NULL, &s.workers[i].dec);
        if (e) {
            snprintf(err, err_size, "decoder '%s': %s", name, h278_strerror(e));
            goto out;
        }
    }
    snprintf(st->decoder, sizeof st->decoder, "%s", h278_decoder_name(s.workers[0].dec));
    for (unsigned k = 0; k < s.max_sessions; k++) {
        if (k == 0)
            snprintf(s.sessions[k].name, sizeof s.sessions[k].name, "%s", o->name);
        else
            snprintf(s.sessions[k].name, sizeof s.sessions[k].name, "%s.p%u", o->name, k);
    }
    if (make_region(&s, &s.sessions[0], err, err_size))
        goto out;
    atomic_store(&s.made, 1);
    if (o->ready)
        o->ready(o->ctx);

    rc = 0;
    uint64_t last_progress = h278_shm_now_ns();
    for (;;) {
        /* The first ring's doorbell, as it is before this look: a producer
         * attaching anywhere rings it afterwards (feed.c), as does an
         * interrupt, and the idle wait below then returns at once. */
        h278_ring_header *h0 = s.sessions[0].ring.hdr;
        const unsigned first_made = s.first_made; /* h0 stays valid while this holds */
        h278_shm_wake_on_interrupt(s.sessions[0].region, 0, &h0->request_word);
        const uint32_t seen = atomic_load_explicit(&h0->request_word, memory_order_acquire);
        const uint64_t now = h278_shm_now_ns();
        int first_ended = 0;
        for (unsigned k = 0; k < atomic_load(&s.made) && !rc; k++) {
            session *x = &s.sessions[k];
            if (!atomic_load(&x->open)) {
                if (!stop_requested(&s))
                    rc = look_at_idle(&s, x, st, err, err_size);
                continue;
            }
            enum session_end end = watch_session(&s, x, now);
            if (end == SESSION_RUNNING)
                continue;
            end_session(&s, x, end, st, err, err_size);
            if (o->once && !first_ended) {
                first_ended = 1;
                rc = end == SESSION_DONE || end == SESSION_STOPPED ? 0 : 1;
                break;
            }
            if (end != SESSION_STOPPED)
                rc = renew_session(&s, x, err, err_size);
            if (!rc)
                err[0] = 0;
        }
        if (!rc && !first_ended && !stop_requested(&s))
            make_wanted(&s);
        if (rc || first_ended || stop_requested(&s)) {
            /* Every other session ends too (no reset: a producer attaching
             * now would only find a server on its way out). */
            for (unsigned k = 0; k < atomic_load(&s.made); k++)
                if (atomic_load(&s.sessions[k].open)) {
                    char why[256];
                    end_session(&s, &s.sessions[k], SESSION_STOPPED, st, why, sizeof why);
                }
            break;
        }
        if (s.running && atomic_load(&s.open_count) == 0)
            stop_workers(&s, st);
        if (o->progress && now - last_progress >= PROGRESS_EVERY_MS * 1000000ull) {
            last_progress = now;
            h278_serve_stats live;
            snapshot(&s, st, &live);
            o->progress(o->ctx, &live);
        }
        if (atomic_load(&s.open_count) > 0) {
            h278_shm_sleep_ms(WATCH_MS);
        } else {
            /* Idle: asleep until a producer rings (no timeout unless
             * *o->stop or other rings must be looked at). */
            uint32_t timeout = atomic_load(&s.made) > 1 ? IDLE_LOOK_MS : H278_SHM_FOREVER;
            if (o->stop)
                timeout = STOP_LOOK_MS;
            if (!stop_requested(&s) && s.first_made == first_made)
                h278_shm_wait(s.sessions[0].region, 0, &h0->request_word, seen, timeout);
        }
    }
    h278_shm_wake_on_interrupt(NULL, 0, NULL);
    if (s.running)
        stop_workers(&s, st);
    /* Tell attached producers, then remove the names. */
    for (unsigned k = 0; k < atomic_load(&s.made); k++) {
        session *x = &s.sessions[k];
        if (!x->region)
            continue;
        atomic_store_explicit(&x->ring.hdr->state, H278_RING_SHUTDOWN, memory_order_release);
        h278_ring_wake_all(&x->ring);
        h278_shm_close(x->region);
    }
out:
    for (unsigned i = 0; s.workers && i < s.threads; i++)
        h278_decoder_free(s.workers[i].dec);
    free(s.workers);
    free(s.sessions);
    return rc;
}
