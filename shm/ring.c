/*
 * ring.c - the slot ring (see ring.h for the protocol and its hazards).
 */
#include "ring.h"

#include <string.h>

#include "shm.h"

const char *h278_ring_strerror(h278_ring_status s)
{
    switch (s) {
    case H278_RING_OK: return "success";
    case H278_RING_TIMEOUT: return "timed out waiting for the peer";
    case H278_RING_CLOSED: return "the producer has finished";
    case H278_RING_BROKEN: return "shared ring is inconsistent (peer misbehaved or memory was damaged)";
    case H278_RING_TOO_LARGE: return "message larger than a ring slot";
    default: return "invalid ring geometry";
    }
}

static uint32_t slot_size_for(uint32_t payload_size)
{
    return (H278_RING_SLOT_HEADER + payload_size + 63u) & ~63u;
}

size_t h278_ring_region_size(uint32_t slot_count, uint32_t payload_size)
{
    return H278_RING_HEADER_SIZE + (size_t)slot_count * slot_size_for(payload_size);
}

static int geometry_ok(uint32_t slot_count, uint32_t payload_size)
{
    return slot_count >= 2 && slot_count <= H278_RING_MAX_SLOTS && (slot_count & (slot_count - 1)) == 0 &&
           payload_size >= 1 && payload_size <= H278_RING_MAX_PAYLOAD;
}

static h278_ring_slot *slot_at(const h278_ring *r, uint64_t pos)
{
    return (h278_ring_slot *)(r->slots + (size_t)(pos & (r->slot_count - 1)) * r->slot_size);
}

h278_ring_status h278_ring_init(h278_ring *r, void *region, size_t size, uint32_t slot_count,
                                uint32_t payload_size, uint64_t creator_pid, uint64_t nonce)
{
    if (!geometry_ok(slot_count, payload_size) || size < h278_ring_region_size(slot_count, payload_size))
        return H278_RING_BAD_GEOMETRY;
    h278_ring_header *h = region;
    h->version = H278_RING_VERSION;
    h->header_size = H278_RING_HEADER_SIZE;
    h->slot_size = slot_size_for(payload_size);
    h->slot_count = slot_count;
    h->creator_pid = creator_pid;
    h->nonce = nonce;
    atomic_init(&h->head, 0);
    atomic_init(&h->tail, 0);
    atomic_init(&h->closed, 0);
    r->hdr = h;
    r->slots = (uint8_t *)region + H278_RING_HEADER_SIZE;
    r->slot_size = h->slot_size;
    r->slot_count = slot_count;
    r->payload_size = h->slot_size - H278_RING_SLOT_HEADER;
    r->nonce = nonce;
    for (uint32_t i = 0; i < slot_count; i++)
        atomic_store_explicit(&slot_at(r, i)->seq, i, memory_order_relaxed);
    /* The magic goes last: an attacher that sees it sees a complete ring. */
    atomic_thread_fence(memory_order_release);
    h->magic = H278_RING_MAGIC;
    return H278_RING_OK;
}

h278_ring_status h278_ring_attach(h278_ring *r, void *region, size_t size)
{
    if (size < H278_RING_HEADER_SIZE)
        return H278_RING_BAD_GEOMETRY;
    h278_ring_header copy;
    memcpy(&copy, region, sizeof copy);
    atomic_thread_fence(memory_order_acquire);
    if (copy.magic != H278_RING_MAGIC || copy.version != H278_RING_VERSION ||
        copy.header_size != H278_RING_HEADER_SIZE || copy.slot_size < H278_RING_SLOT_HEADER + 1 ||
        copy.slot_size % 64 != 0 || !geometry_ok(copy.slot_count, copy.slot_size - H278_RING_SLOT_HEADER) ||
        (size - H278_RING_HEADER_SIZE) / copy.slot_size < copy.slot_count)
        return H278_RING_BROKEN;
    r->hdr = region;
    r->slots = (uint8_t *)region + H278_RING_HEADER_SIZE;
    r->slot_size = copy.slot_size;
    r->slot_count = copy.slot_count;
    r->payload_size = copy.slot_size - H278_RING_SLOT_HEADER;
    r->nonce = copy.nonce;
    return H278_RING_OK;
}

h278_ring_status h278_ring_reserve(h278_ring *r, uint64_t pos, uint8_t **payload, uint32_t timeout_ms)
{
    h278_ring_slot *s = slot_at(r, pos);
    uint64_t start = h278_shm_now_ms();
    for (unsigned round = 0;; round++) {
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (seq == pos) {
            *payload = (uint8_t *)s + H278_RING_SLOT_HEADER;
            return H278_RING_OK;
        }
        /* A free slot can only be at pos (our turn) or behind (a consumer
         * still holds it); anything ahead means someone else wrote it. */
        if (seq > pos)
            return H278_RING_BROKEN;
        if (round > 16 && h278_shm_now_ms() - start >= timeout_ms)
            return H278_RING_TIMEOUT;
        h278_shm_pause(round);
    }
}

h278_ring_status h278_ring_publish(h278_ring *r, uint64_t pos, uint32_t len)
{
    if (len > r->payload_size)
        return H278_RING_TOO_LARGE;
    h278_ring_slot *s = slot_at(r, pos);
    s->len = len;
    atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
    atomic_store_explicit(&r->hdr->head, pos + 1, memory_order_release);
    return H278_RING_OK;
}

void h278_ring_close(h278_ring *r)
{
    atomic_store_explicit(&r->hdr->closed, 1, memory_order_release);
}

h278_ring_status h278_ring_claim(h278_ring *r, uint64_t *pos, const uint8_t **payload, uint32_t *len,
                                 uint32_t timeout_ms)
{
    uint64_t start = h278_shm_now_ms();
    for (unsigned round = 0;; round++) {
        uint64_t p = atomic_load_explicit(&r->hdr->tail, memory_order_relaxed);
        h278_ring_slot *s = slot_at(r, p);
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (seq == p + 1) {
            if (atomic_compare_exchange_weak_explicit(&r->hdr->tail, &p, p + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                uint32_t n = s->len; /* read once: the producer is not trusted */
                if (n > r->payload_size)
                    return H278_RING_BROKEN;
                *pos = p;
                *payload = (const uint8_t *)s + H278_RING_SLOT_HEADER;
                *len = n;
                return H278_RING_OK;
            }
            continue; /* another consumer took it */
        }
        if (seq > p + 1) {
            /* Either our view of tail is stale (other consumers moved on:
             * happens-before through the slot's seq guarantees we now see
             * a newer tail), or the producer wrote a seq it had no right to. */
            if (atomic_load_explicit(&r->hdr->tail, memory_order_relaxed) == p)
                return H278_RING_BROKEN;
            continue;
        }
        /* Not filled yet. The producer publishes head after each slot, so
         * once it has closed and head has not passed p, nothing will come. */
        if (atomic_load_explicit(&r->hdr->closed, memory_order_acquire) &&
            atomic_load_explicit(&r->hdr->head, memory_order_acquire) <= p)
            return H278_RING_CLOSED;
        if (round > 16 && h278_shm_now_ms() - start >= timeout_ms)
            return H278_RING_TIMEOUT;
        h278_shm_pause(round);
    }
}

void h278_ring_release(h278_ring *r, uint64_t pos)
{
    atomic_store_explicit(&slot_at(r, pos)->seq, pos + r->slot_count, memory_order_release);
}
