/*
 * ring.c - the slot ring (see ring.h for the protocol and its hazards).
 *
 * Every field the peer can write is read once, through a volatile access,
 * into a local that is then checked; the compiler may not re-read it after
 * the check.
 */
#include "ring.h"

#include <string.h>

/* Bounded spinning before a blocking wait: 64 CPU pauses, then 16 yields. */
#define SPIN_ROUNDS 80u
/* Longest single block, so that timeouts and peers are re-checked. */
#define WAIT_SLICE_MS 100u
/* A claim that keeps losing races to a tail moved by others gives up after
 * this many tries and reports a timeout (only a peer scribbling on tail can
 * cause that many). */
#define CLAIM_RETRIES 100000u

/*
 * ThreadSanitizer sees synchronisation only through one address, but the
 * two sides of a ring usually map it at different addresses (or live in
 * different processes), so the release/acquire pairs on a slot's seq are
 * invisible to it, and consecutive users of a slot (the worker that wrote
 * result p and the one that writes result p + slot_count, ordered through
 * the producer) look racy. These annotations state the order the protocol
 * guarantees, on one address per slot index shared by every mapping in the
 * process. They compile to nothing outside TSAN builds.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define H278_RING_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define H278_RING_TSAN 1
#endif
#ifdef H278_RING_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char tsan_request[H278_RING_MAX_SLOTS], tsan_result[H278_RING_MAX_SLOTS];
#define TSAN_SLOT(r, pos) ((size_t)((pos) & ((r)->slot_count - 1)))
#define TSAN_RELEASE(array, r, pos) __tsan_release(&array[TSAN_SLOT(r, pos)])
#define TSAN_ACQUIRE(array, r, pos) __tsan_acquire(&array[TSAN_SLOT(r, pos)])
#else
#define TSAN_RELEASE(array, r, pos) ((void)0)
#define TSAN_ACQUIRE(array, r, pos) ((void)0)
#endif

_Static_assert(sizeof(h278_ring_header) <= H278_RING_HEADER_SIZE, "ring header exceeds its page");
_Static_assert(sizeof(h278_ring_slot_header) == H278_RING_SLOT_HEADER, "slot header size");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
               "shared-memory atomics must be lock-free");

const char *h278_ring_strerror(h278_ring_status s)
{
    switch (s) {
    case H278_RING_OK: return "success";
    case H278_RING_TIMEOUT: return "timed out waiting for the peer";
    case H278_RING_CLOSED: return "the producer has finished";
    case H278_RING_FULL: return "every slot is in flight";
    case H278_RING_EMPTY: return "no result is outstanding";
    case H278_RING_BROKEN: return "shared ring is inconsistent (the peer broke the protocol or the memory was damaged)";
    case H278_RING_TOO_LARGE: return "message larger than a ring slot";
    default: return "invalid ring geometry";
    }
}

static inline uint32_t round64(uint32_t n)
{
    return (n + 63u) & ~63u;
}

static inline uint32_t peer_u32(const uint32_t *p)
{
    return *(const volatile uint32_t *)p;
}

static int geometry_ok(uint32_t slot_count, uint32_t request_capacity, uint32_t result_capacity,
                       uint32_t stage_capacity)
{
    return slot_count >= 2 && slot_count <= H278_RING_MAX_SLOTS && (slot_count & (slot_count - 1)) == 0 &&
           request_capacity >= 1 && request_capacity <= H278_RING_MAX_CAPACITY && result_capacity >= 1 &&
           result_capacity <= H278_RING_MAX_CAPACITY && stage_capacity <= H278_RING_MAX_STAGE;
}

size_t h278_ring_region_size(uint32_t slot_count, uint32_t request_capacity, uint32_t result_capacity,
                             uint32_t stage_capacity)
{
    if (!geometry_ok(slot_count, request_capacity, result_capacity, stage_capacity))
        return 0;
    size_t slot = 2u * H278_RING_SLOT_HEADER + round64(request_capacity) + round64(result_capacity);
    return H278_RING_HEADER_SIZE + (size_t)slot_count * slot + round64(stage_capacity);
}

static inline h278_ring_slot_header *request_at(const h278_ring *r, uint64_t pos)
{
    return (h278_ring_slot_header *)(r->slots + (size_t)(pos & (r->slot_count - 1)) * r->slot_size);
}

static inline h278_ring_slot_header *result_at(const h278_ring *r, uint64_t pos)
{
    return (h278_ring_slot_header *)((uint8_t *)request_at(r, pos) + H278_RING_SLOT_HEADER +
                                     r->request_capacity);
}

static void set_view(h278_ring *r, void *mem, uint32_t slot_count, uint32_t request_capacity,
                     uint32_t result_capacity, uint32_t stage_capacity, uint64_t nonce)
{
    memset(r, 0, sizeof *r);
    r->hdr = mem;
    r->slots = (uint8_t *)mem + H278_RING_HEADER_SIZE;
    r->slot_count = slot_count;
    r->request_capacity = request_capacity;
    r->result_capacity = result_capacity;
    r->slot_size = 2u * H278_RING_SLOT_HEADER + request_capacity + result_capacity;
    r->stage = r->slots + (size_t)slot_count * r->slot_size;
    r->stage_capacity = stage_capacity;
    r->nonce = nonce;
}

h278_ring_status h278_ring_init(h278_ring *r, void *mem, size_t size, uint32_t slot_count,
                                uint32_t request_capacity, uint32_t result_capacity, uint32_t stage_capacity,
                                uint64_t nonce)
{
    size_t need = h278_ring_region_size(slot_count, request_capacity, result_capacity, stage_capacity);
    if (need == 0 || size < need)
        return H278_RING_BAD_GEOMETRY;
    set_view(r, mem, slot_count, round64(request_capacity), round64(result_capacity), round64(stage_capacity),
             nonce);
    h278_ring_header *h = r->hdr;
    h278_shm_self(&r->creator_pid, &r->creator_start);
    atomic_store_explicit(&h->state, H278_RING_STARTING, memory_order_relaxed);
    atomic_store_explicit(&h->session, 0, memory_order_relaxed);
    atomic_store_explicit(&h->request_word, 0, memory_order_relaxed);
    atomic_store_explicit(&h->request_waiters, 0, memory_order_relaxed);
    atomic_store_explicit(&h->result_word, 0, memory_order_relaxed);
    atomic_store_explicit(&h->result_waiters, 0, memory_order_relaxed);
    atomic_store_explicit(&h->result_wanted, 0, memory_order_relaxed);
    h278_ring_reset(r); /* which writes the fixed fields, the magic last */
    return H278_RING_OK;
}

void h278_ring_reassert(h278_ring *r)
{
    h278_ring_header *h = r->hdr;
    volatile h278_ring_header *v = h; /* stores a peer may race with: each is made once */
    v->version = H278_RING_VERSION;
    v->header_size = H278_RING_HEADER_SIZE;
    v->slot_count = r->slot_count;
    v->slot_size = r->slot_size;
    v->request_capacity = r->request_capacity;
    v->result_capacity = r->result_capacity;
    v->stage_capacity = r->stage_capacity;
    v->creator_pid = r->creator_pid;
    v->creator_start = r->creator_start;
    v->nonce = r->nonce;
    /* The magic goes last: an attacher that sees it sees a complete ring. */
    atomic_thread_fence(memory_order_release);
    v->magic = H278_RING_MAGIC;
}

h278_ring_status h278_ring_attach(h278_ring *r, void *mem, size_t size)
{
    if (size < H278_RING_HEADER_SIZE)
        return H278_RING_BAD_GEOMETRY;
    /* One copy of the untrusted fields, then only the copy is used. */
    const volatile h278_ring_header *src = mem;
    uint64_t magic = src->magic;
    atomic_thread_fence(memory_order_acquire);
    uint32_t version = src->version, header_size = src->header_size, slot_count = src->slot_count,
             slot_size = src->slot_size, request_capacity = src->request_capacity,
             result_capacity = src->result_capacity, stage_capacity = src->stage_capacity;
    uint64_t nonce = src->nonce;
    if (magic != H278_RING_MAGIC || version != H278_RING_VERSION || header_size != H278_RING_HEADER_SIZE ||
        !geometry_ok(slot_count, request_capacity, result_capacity, stage_capacity) ||
        request_capacity % 64 != 0 || result_capacity % 64 != 0 || stage_capacity % 64 != 0 ||
        slot_size != 2u * H278_RING_SLOT_HEADER + request_capacity + result_capacity ||
        (size - H278_RING_HEADER_SIZE) / slot_size < slot_count ||
        size - H278_RING_HEADER_SIZE - (size_t)slot_count * slot_size < stage_capacity)
        return H278_RING_BROKEN;
    set_view(r, mem, slot_count, request_capacity, result_capacity, stage_capacity, nonce);
    return H278_RING_OK;
}

void h278_ring_reset(h278_ring *r)
{
    h278_ring_header *h = r->hdr;
    h278_ring_reassert(r);
    for (uint32_t i = 0; i < r->slot_count; i++) {
        atomic_store_explicit(&request_at(r, i)->seq, 0, memory_order_relaxed);
        atomic_store_explicit(&result_at(r, i)->seq, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&h->head, 0, memory_order_relaxed);
    atomic_store_explicit(&h->tail, 0, memory_order_relaxed);
    atomic_store_explicit(&h->closed, 0, memory_order_relaxed);
    atomic_store_explicit(&h->producer_start, 0, memory_order_relaxed);
    /* From the creator's own count: a peer may have written the header's. */
    atomic_store_explicit(&h->session, ++r->session, memory_order_release);
    /* Last: a producer whose CAS on producer_pid succeeds sees all of the
     * above. */
    atomic_store_explicit(&h->producer_pid, 0, memory_order_release);
    r->next = r->done = 0;
}

int h278_ring_is_reset(const h278_ring *r)
{
    h278_ring_header *h = r->hdr;
    if (atomic_load(&h->head) != 0 || atomic_load(&h->tail) != 0 || atomic_load(&h->closed) != 0)
        return 0;
    for (uint32_t i = 0; i < r->slot_count; i++)
        if (atomic_load_explicit(&request_at(r, i)->seq, memory_order_relaxed) != 0 ||
            atomic_load_explicit(&result_at(r, i)->seq, memory_order_relaxed) != 0)
            return 0;
    return 1;
}

/* ---- Doorbells ----------------------------------------------------------- */

static void doorbell_ring(h278_ring *r, unsigned channel, _Atomic uint32_t *word, _Atomic uint32_t *waiters,
                          int all)
{
    atomic_fetch_add(word, 1);
    uint32_t n = atomic_load(waiters);
    if (n)
        h278_shm_wake(r->region, channel, word, all ? n : 1);
}

/* The result doorbell after publishing the result seq `seq`: the producer
 * only needs waking for the result it waits for (or a later one). */
static void result_doorbell(h278_ring *r, uint64_t seq)
{
    h278_ring_header *h = r->hdr;
    atomic_fetch_add(&h->result_word, 1);
    if (atomic_load(&h->result_waiters) && seq >= atomic_load(&h->result_wanted))
        h278_shm_wake(r->region, 1, &h->result_word, 1);
}

void h278_ring_wake_all(h278_ring *r)
{
    doorbell_ring(r, 0, &r->hdr->request_word, &r->hdr->request_waiters, 1);
    doorbell_ring(r, 1, &r->hdr->result_word, &r->hdr->result_waiters, 1);
}

/*
 * The waiting loop shared by claim and wait_result: try(), spin a little,
 * then register as a waiter, try() again and sleep on the doorbell word.
 * try() returns H278_RING_TIMEOUT for "not yet". With once, the first sleep
 * that ends (woken or not) ends the wait.
 */
typedef h278_ring_status (*try_fn)(h278_ring *r, h278_ring_msg *m);

static h278_ring_status wait_for(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms, try_fn attempt,
                                 unsigned channel, _Atomic uint32_t *word, _Atomic uint32_t *waiters,
                                 uint64_t wanted, int once)
{
    h278_ring_status st = attempt(r, m);
    if (st != H278_RING_TIMEOUT || timeout_ms == 0)
        return st;
    uint64_t deadline = h278_shm_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (unsigned round = 0;; round++) {
        if (r->busy_poll || round < SPIN_ROUNDS) {
            /* Busy-polling still yields now and then, so that a poller
             * sharing a CPU with its peer cannot starve it for a whole
             * time slice. */
            h278_shm_relax(!r->busy_poll ? round : round % 1024 == 1023 ? 64 : 0);
            if ((st = attempt(r, m)) != H278_RING_TIMEOUT)
                return st;
            if (round % 64 == 63 && h278_shm_now_ns() >= deadline)
                return H278_RING_TIMEOUT;
            continue;
        }
        if (wanted)
            atomic_store(&r->hdr->result_wanted, wanted);
        atomic_fetch_add(waiters, 1);
        uint32_t seen = atomic_load(word);
        st = attempt(r, m);
        if (st == H278_RING_TIMEOUT) {
            uint64_t now = h278_shm_now_ns();
            uint64_t left_ms = now >= deadline ? 0 : (deadline - now + 999999u) / 1000000u;
            if (left_ms)
                h278_shm_wait(r->region, channel, word, seen,
                              left_ms < WAIT_SLICE_MS ? (uint32_t)left_ms : WAIT_SLICE_MS);
        }
        atomic_fetch_sub(waiters, 1);
        if (st != H278_RING_TIMEOUT)
            return st;
        if (once || h278_shm_now_ns() >= deadline)
            return attempt(r, m);
    }
}

/* ---- Producer ------------------------------------------------------------ */

h278_ring_status h278_ring_reserve(h278_ring *r, uint8_t **payload)
{
    if (r->next - r->done >= r->slot_count)
        return H278_RING_FULL;
    *payload = (uint8_t *)request_at(r, r->next) + H278_RING_SLOT_HEADER;
    return H278_RING_OK;
}

static h278_ring_status publish(h278_ring *r, uint32_t in_stage, uint32_t offset, uint32_t len,
                                const uint32_t meta[4])
{
    if (r->next - r->done >= r->slot_count)
        return H278_RING_FULL;
    if (len > r->request_capacity || (in_stage && !h278_ring_stage_holds(r, offset, len)))
        return H278_RING_TOO_LARGE;
    h278_ring_slot_header *s = request_at(r, r->next);
    s->len = len;
    s->status = 0;
    memcpy(s->meta, meta, sizeof s->meta);
    s->in_stage = in_stage;
    s->stage_offset = offset;
    TSAN_RELEASE(tsan_request, r, r->next);
    atomic_store_explicit(&s->seq, r->next + 1, memory_order_release);
    r->next++;
    atomic_store_explicit(&r->hdr->head, r->next, memory_order_release);
    doorbell_ring(r, 0, &r->hdr->request_word, &r->hdr->request_waiters, 0);
    return H278_RING_OK;
}

h278_ring_status h278_ring_publish(h278_ring *r, uint32_t len, const uint32_t meta[4])
{
    return publish(r, 0, 0, len, meta);
}

h278_ring_status h278_ring_publish_staged(h278_ring *r, uint32_t offset, uint32_t len, const uint32_t meta[4])
{
    return publish(r, 1, offset, len, meta);
}

static h278_ring_status try_result(h278_ring *r, h278_ring_msg *m)
{
    h278_ring_slot_header *s = result_at(r, r->done);
    uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
    if (seq < r->done + 1)
        return H278_RING_TIMEOUT;
    if (seq != r->done + 1)
        return H278_RING_BROKEN; /* a result for a position not yet sent */
    TSAN_ACQUIRE(tsan_result, r, r->done);
    uint32_t len = peer_u32(&s->len);
    if (len > r->result_capacity)
        return H278_RING_BROKEN;
    m->pos = r->done;
    m->data = (const uint8_t *)s + H278_RING_SLOT_HEADER;
    m->len = len;
    m->status = peer_u32(&s->status);
    for (int i = 0; i < 4; i++)
        m->meta[i] = peer_u32(&s->meta[i]);
    return H278_RING_OK;
}

h278_ring_status h278_ring_wait_result(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms)
{
    if (r->done == r->next)
        return H278_RING_EMPTY;
    return wait_for(r, m, timeout_ms, try_result, 1, &r->hdr->result_word, &r->hdr->result_waiters,
                    r->done + 1, 0);
}

static h278_ring_status try_results(h278_ring *r, h278_ring_msg *m)
{
    (void)m;
    uint64_t pos = r->done + r->ahead - 1;
    uint64_t seq = atomic_load_explicit(&result_at(r, pos)->seq, memory_order_acquire);
    return seq < pos + 1 ? H278_RING_TIMEOUT : seq == pos + 1 ? H278_RING_OK : H278_RING_BROKEN;
}

h278_ring_status h278_ring_wait_results(h278_ring *r, uint32_t n, uint32_t timeout_ms)
{
    if (r->done == r->next)
        return H278_RING_EMPTY;
    uint64_t in_flight = r->next - r->done;
    r->ahead = n < 1 ? 1 : n > in_flight ? (uint32_t)in_flight : n;
    return wait_for(r, NULL, timeout_ms, try_results, 1, &r->hdr->result_word, &r->hdr->result_waiters,
                    r->done + r->ahead, 0);
}

void h278_ring_result_done(h278_ring *r)
{
    if (r->done < r->next)
        r->done++;
}

void h278_ring_close(h278_ring *r)
{
    atomic_store_explicit(&r->hdr->closed, 1, memory_order_release);
    doorbell_ring(r, 0, &r->hdr->request_word, &r->hdr->request_waiters, 1);
}

/* ---- Consumers ----------------------------------------------------------- */

static h278_ring_status try_claim(h278_ring *r, h278_ring_msg *m)
{
    h278_ring_header *h = r->hdr;
    uint64_t p = atomic_load_explicit(&h->tail, memory_order_relaxed);
    for (unsigned tries = 0; tries < CLAIM_RETRIES; tries++) {
        h278_ring_slot_header *s = request_at(r, p);
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (seq == p + 1) {
            if (!atomic_compare_exchange_weak_explicit(&h->tail, &p, p + 1, memory_order_relaxed,
                                                       memory_order_relaxed))
                continue; /* another consumer took it; p is the new tail */
            /* After the producer's writes of p, and after the previous
             * result in this slot was written (the producer took it before
             * reusing the slot). */
            TSAN_ACQUIRE(tsan_request, r, p);
            TSAN_ACQUIRE(tsan_result, r, p);
            uint32_t len = peer_u32(&s->len), in_stage = peer_u32(&s->in_stage),
                     offset = peer_u32(&s->stage_offset);
            if (len > r->request_capacity || in_stage > 1 || (in_stage && !h278_ring_stage_holds(r, offset, len)))
                return H278_RING_BROKEN;
            m->pos = p;
            m->data = in_stage ? r->stage + offset : (const uint8_t *)s + H278_RING_SLOT_HEADER;
            m->len = len;
            m->status = 0;
            for (int i = 0; i < 4; i++)
                m->meta[i] = peer_u32(&s->meta[i]);
            return H278_RING_OK;
        }
        if (seq > p + 1) {
            /* Our tail is stale (the slot went round again, which needs p
             * claimed: the acquire on seq makes that claim visible), or the
             * producer wrote a seq it had no right to. */
            uint64_t t = atomic_load_explicit(&h->tail, memory_order_relaxed);
            if (t == p)
                return H278_RING_BROKEN;
            p = t;
            continue;
        }
        /* Not published yet. Once the producer has closed, everything below
         * head is published, so head <= p means the end. */
        if (!atomic_load_explicit(&h->closed, memory_order_acquire))
            return H278_RING_TIMEOUT;
        uint64_t head = atomic_load_explicit(&h->head, memory_order_acquire);
        uint64_t t = atomic_load_explicit(&h->tail, memory_order_relaxed);
        if (t != p) {
            p = t;
            continue;
        }
        if (head <= p)
            return H278_RING_CLOSED;
        if (atomic_load_explicit(&s->seq, memory_order_acquire) != p + 1)
            return H278_RING_BROKEN; /* closed, claims p was sent, yet it was not */
    }
    return H278_RING_TIMEOUT;
}

h278_ring_status h278_ring_claim(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms)
{
    return wait_for(r, m, timeout_ms, try_claim, 0, &r->hdr->request_word, &r->hdr->request_waiters, 0, 0);
}

h278_ring_status h278_ring_claim_wait(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms)
{
    return wait_for(r, m, timeout_ms, try_claim, 0, &r->hdr->request_word, &r->hdr->request_waiters, 0, 1);
}

uint8_t *h278_ring_result_area(const h278_ring *r, uint64_t pos)
{
    return (uint8_t *)result_at(r, pos) + H278_RING_SLOT_HEADER;
}

h278_ring_status h278_ring_complete(h278_ring *r, uint64_t pos, uint32_t len, uint32_t status)
{
    if (len > r->result_capacity)
        return H278_RING_TOO_LARGE;
    h278_ring_slot_header *s = result_at(r, pos);
    s->len = len;
    s->status = status;
    TSAN_RELEASE(tsan_result, r, pos);
    atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
    result_doorbell(r, pos + 1);
    return H278_RING_OK;
}
