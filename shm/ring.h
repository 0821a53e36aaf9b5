/*
 * ring.h - a ring of fixed-size slots inside a shared-memory region: one
 * producer, any number of consumer threads (in another process).
 *
 * What will bite you:
 *   - The region is shared with a process we do not trust. Nothing in it is
 *     a pointer; every field read from it is copied to a local once and
 *     checked (lengths against the slot size, sequence numbers against the
 *     expected ones) before use. A violation is H278_RING_BROKEN, never a
 *     crash.
 *   - Sequence numbers are free-running 64-bit counters: slot i of the ring
 *     serves positions i, i + N, i + 2N, ... and its `seq` field says whose
 *     turn it is (Vyukov's bounded queue): seq == pos means free for the
 *     producer at pos, seq == pos + 1 means filled for the consumer at pos,
 *     and the consumer hands it back with seq = pos + N. They never wrap in
 *     practice (2^64 slots).
 *   - Producer and consumer indices live on their own 64-byte cache lines so
 *     the two sides do not false-share; C11 acquire/release orders the
 *     payload against the seq that publishes it. No mutex lives in shared
 *     memory, so a process dying while holding one cannot block the other.
 *   - Waits are bounded: every wait takes a timeout and returns
 *     H278_RING_TIMEOUT; callers check the peer's liveness between waits.
 */
#ifndef H278_RING_H
#define H278_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define H278_RING_MAGIC UINT64_C(0x474E495238373248) /* "H278RING" little-endian */
#define H278_RING_VERSION 1u
#define H278_RING_HEADER_SIZE 4096u
#define H278_RING_SLOT_HEADER 64u
#define H278_RING_MAX_SLOTS 65536u
#define H278_RING_MAX_PAYLOAD (64u << 20)

typedef enum h278_ring_status {
    H278_RING_OK = 0,
    H278_RING_TIMEOUT,   /* nothing happened within the timeout */
    H278_RING_CLOSED,    /* the producer said it is done and the ring is empty */
    H278_RING_BROKEN,    /* the shared header or a slot is inconsistent */
    H278_RING_TOO_LARGE, /* a payload larger than a slot */
    H278_RING_BAD_GEOMETRY,
} h278_ring_status;

/* The region's first page. Only fixed-width integers and atomics. */
typedef struct h278_ring_header {
    uint64_t magic;
    uint32_t version;
    uint32_t header_size;
    uint32_t slot_size;      /* bytes per slot, header included, multiple of 64 */
    uint32_t slot_count;     /* a power of two */
    uint64_t creator_pid;
    uint64_t nonce;          /* random per region: tells a new region from a stale one */
    uint8_t pad0[64 - 40];
    _Alignas(64) _Atomic uint64_t head; /* producer: positions published so far */
    uint8_t pad1[56];
    _Alignas(64) _Atomic uint64_t tail; /* consumers: positions claimed so far */
    uint8_t pad2[56];
    _Alignas(64) _Atomic uint32_t closed; /* producer finished */
} h278_ring_header;

typedef struct h278_ring_slot {
    _Atomic uint64_t seq;
    uint32_t len;
    uint32_t reserved;
    uint8_t pad[H278_RING_SLOT_HEADER - 16];
} h278_ring_slot;

/* A process's view of a ring: geometry copied out of the region, once. */
typedef struct h278_ring {
    h278_ring_header *hdr;
    uint8_t *slots;
    uint32_t slot_size, slot_count, payload_size;
    uint64_t nonce;
} h278_ring;

const char *h278_ring_strerror(h278_ring_status s);

/* Bytes a region needs for slot_count slots of payload_size bytes. */
size_t h278_ring_region_size(uint32_t slot_count, uint32_t payload_size);

/* Lays out a fresh ring in region (zero-filled, at least
 * h278_ring_region_size bytes). */
h278_ring_status h278_ring_init(h278_ring *r, void *region, size_t size, uint32_t slot_count,
                                uint32_t payload_size, uint64_t creator_pid, uint64_t nonce);
/* Attaches to a ring someone else laid out: validates the untrusted header
 * against the region size. */
h278_ring_status h278_ring_attach(h278_ring *r, void *region, size_t size);

/* Producer: waits (up to timeout_ms) for the slot of position *pos to be
 * free and returns its payload area; fill it, then publish. */
h278_ring_status h278_ring_reserve(h278_ring *r, uint64_t pos, uint8_t **payload, uint32_t timeout_ms);
h278_ring_status h278_ring_publish(h278_ring *r, uint64_t pos, uint32_t len);
/* Producer: no more positions will be published. */
void h278_ring_close(h278_ring *r);

/* Consumer (any thread): claims the next filled slot. *payload points into
 * shared memory; *len is checked against the slot size. */
h278_ring_status h278_ring_claim(h278_ring *r, uint64_t *pos, const uint8_t **payload, uint32_t *len,
                                 uint32_t timeout_ms);
/* Consumer: hands the slot of pos back to the producer. */
void h278_ring_release(h278_ring *r, uint64_t pos);

#endif /* H278_RING_H */
