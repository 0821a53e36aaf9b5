/*
 * ring.h - a ring of fixed-size slots inside a shared-memory region,
 * carrying requests from one producer to any number of consumer threads (in
 * another process) and their results back to the producer, in order.
 *
 * Layout: a 4 KiB header page, then slot_count slots, then the stage. Each
 * slot is a request (a 64-byte header and request_capacity bytes) followed
 * by its result (a 64-byte header and result_capacity bytes). The result of
 * position p goes into the same slot as its request, so results come back in
 * order, and a consumer can decode straight from the request bytes into the
 * result bytes without copying either.
 *
 * The stage (stage_capacity bytes, possibly none) belongs to the producer: it
 * may place payloads there once and publish requests that point at them (an
 * offset and a length) instead of copying each one into a slot, so sending
 * the same bytes again costs nothing. Consumers only read it.
 *
 * Protocol (positions are free-running 64-bit counters; position p lives in
 * slot p mod slot_count; both seq fields start at 0):
 *   producer: writes request p, then request.seq = p + 1 (release), head++.
 *   consumer: claims p by CAS on tail once request.seq == p + 1 (acquire),
 *             reads the request, writes the result, then result.seq = p + 1
 *             (release).
 *   producer: takes results in order: result p is ready once result.seq ==
 *             p + 1; reading it frees the slot for position p + slot_count.
 * So the producer never has more than slot_count positions in flight, and it
 * knows by itself which slots are free: no consumer write is needed to hand a
 * slot back.
 *
 * What will bite you:
 *   - The region is shared with a process we do not trust. Nothing in it is
 *     a pointer; each side copies what it reads from a slot header into
 *     locals once and checks it (lengths against capacities, sequence
 *     numbers against the position expected) before use. A violation is
 *     H278_RING_BROKEN, never a crash. Payload bytes are read in place and
 *     may change under the reader: readers must be safe on any bytes.
 *   - A staged payload is read by every request that points at it. The
 *     producer must leave it alone until those results are taken; if it
 *     does not, only its own results come out wrong (consumers check the
 *     offset and length against the stage, and decoders are safe on any
 *     bytes).
 *   - head, tail, the doorbells and the session fields each own a 64-byte
 *     cache line, so the two sides do not false-share. No mutex lives in
 *     shared memory, so a process dying at any instant cannot block the
 *     other.
 *   - Waiting: a bounded spin, then a real block on a doorbell word (futex /
 *     named semaphore) with a timeout. The doorbell is an event count:
 *     waiters register in *_waiters, then re-check, then sleep on the word's
 *     value; the waker bumps the word, then wakes only if someone waits. The
 *     seq_cst order of those four operations is what rules out a lost
 *     wake-up; do not weaken them. The result doorbell also carries the
 *     seq the producer waits for (result_wanted, stored before it registers),
 *     and a consumer completing an earlier position skips the system call. Every wait returns H278_RING_TIMEOUT after
 *     its timeout so that callers can check the peer's liveness.
 *   - Busy-poll mode (busy_poll = 1) never sleeps: lowest latency, but each
 *     waiting thread burns a whole core.
 */
#ifndef H278_RING_H
#define H278_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "shm.h"

#define H278_RING_MAGIC UINT64_C(0x474E495238373248) /* "H278RING" little-endian */
#define H278_RING_VERSION 3u
#define H278_RING_HEADER_SIZE 4096u
#define H278_RING_SLOT_HEADER 64u
#define H278_RING_MAX_SLOTS 4096u
#define H278_RING_MAX_CAPACITY (64u << 20) /* per request or result */
#define H278_RING_MAX_STAGE (1u << 30)

typedef enum h278_ring_status {
    H278_RING_OK = 0,
    H278_RING_TIMEOUT,   /* nothing happened within the timeout */
    H278_RING_CLOSED,    /* the producer said it is done and everything was claimed */
    H278_RING_FULL,      /* every slot is in flight: take a result first */
    H278_RING_EMPTY,     /* no result is outstanding */
    H278_RING_BROKEN,    /* the shared header or a slot is inconsistent */
    H278_RING_TOO_LARGE, /* a message larger than its slot */
    H278_RING_BAD_GEOMETRY,
} h278_ring_status;

/* Server states (header.state). */
enum { H278_RING_STARTING = 0, H278_RING_SERVING = 1, H278_RING_SHUTDOWN = 2 };

/* The region's first page. Only fixed-width integers and atomics. */
typedef struct h278_ring_header {
    /* Written by the creator before the magic, read-only for everyone else;
     * the creator writes them again now and then (h278_ring_reassert). */
    uint64_t magic;
    uint32_t version;
    uint32_t header_size;
    uint32_t slot_count;        /* a power of two, 2 .. H278_RING_MAX_SLOTS */
    uint32_t slot_size;         /* bytes per slot, multiple of 64 */
    uint32_t request_capacity;  /* payload bytes of a request, multiple of 64 */
    uint32_t result_capacity;   /* payload bytes of a result, multiple of 64 */
    uint64_t creator_pid;
    uint64_t creator_start;     /* with the pid: tells a live creator from a reused pid */
    uint64_t nonce;             /* random per region */
    uint32_t stage_capacity;    /* bytes of the stage after the slots, multiple of 64 */
    /* The session: the server's state and which producer is attached. A
     * producer attaches by CAS of producer_pid from 0; the server resets the
     * ring and bumps session after each producer, then clears producer_pid. */
    _Alignas(64) _Atomic uint32_t state;
    _Atomic uint32_t session;
    _Atomic uint64_t producer_pid;
    _Atomic uint64_t producer_start;
    /* Decode threads the server runs: only advice for how the producer
     * waits (feed.c), so any value is harmless. */
    _Atomic uint32_t consumers;
    /* First ring only: a producer that finds every ring the server made so
     * far taken (NAME, NAME.p1, NAME.p2 ..., transport.h) raises it to the
     * number of rings it needs, and the server makes the next, up to its
     * --max-producers. */
    _Atomic uint32_t more_wanted;
    /* Producer side. */
    _Alignas(64) _Atomic uint64_t head;   /* positions published */
    _Atomic uint32_t closed;              /* the producer has published its last position */
    /* Consumer side. */
    _Alignas(64) _Atomic uint64_t tail;   /* positions claimed */
    /* Doorbells (channel 0: requests, channel 1: results). */
    _Alignas(64) _Atomic uint32_t request_word;
    _Atomic uint32_t request_waiters;
    _Alignas(64) _Atomic uint32_t result_word;
    _Atomic uint32_t result_waiters;
    _Atomic uint64_t result_wanted;      /* the result seq the producer sleeps for */
} h278_ring_header;

/* Request and result headers share this shape: meta is the request's
 * application data (see transport.h); status is the result's. A request
 * whose in_stage is 1 has its len bytes in the stage at stage_offset
 * instead of in its slot. */
typedef struct h278_ring_slot_header {
    _Atomic uint64_t seq;
    uint32_t len;
    uint32_t status;
    uint32_t meta[4];
    uint32_t in_stage;
    uint32_t stage_offset;
    uint8_t pad[H278_RING_SLOT_HEADER - 40];
} h278_ring_slot_header;

/* A message as the reader copied it out of the slot header: checked, local. */
typedef struct h278_ring_msg {
    uint64_t pos;
    const uint8_t *data;   /* in shared memory (a slot or the stage): may change under the reader */
    uint32_t len;          /* <= the capacity */
    uint32_t status;
    uint32_t meta[4];
} h278_ring_msg;

/* A process's view of a ring: geometry copied out of the region once. */
typedef struct h278_ring {
    h278_ring_header *hdr;
    uint8_t *slots;
    uint8_t *stage;          /* stage_capacity bytes after the slots (producer: write; consumers: read) */
    h278_shm_region *region; /* for blocking waits; NULL: short sleeps */
    uint32_t slot_count, slot_size, request_capacity, result_capacity, stage_capacity;
    uint64_t nonce;
    int busy_poll;
    uint64_t next, done;     /* producer only: next position, results taken */
    uint32_t session;        /* creator only: the session number it last wrote (the header's may be overwritten) */
    uint64_t creator_pid, creator_start; /* creator only: what it wrote there, likewise */
    uint32_t ahead;          /* producer only: the result h278_ring_wait_results waits for */
} h278_ring;

const char *h278_ring_strerror(h278_ring_status s);

/* 1 if the len bytes at offset lie inside the ring's stage. */
static inline int h278_ring_stage_holds(const h278_ring *r, uint32_t offset, uint32_t len)
{
    return offset <= r->stage_capacity && len <= r->stage_capacity - offset;
}

/* Bytes a region needs for this geometry (capacities are rounded up to 64;
 * stage_capacity may be 0), or 0 if the geometry is not allowed. */
size_t h278_ring_region_size(uint32_t slot_count, uint32_t request_capacity, uint32_t result_capacity,
                             uint32_t stage_capacity);

/* Lays out a fresh ring in mem (zero-filled, at least
 * h278_ring_region_size bytes). The state stays STARTING. */
h278_ring_status h278_ring_init(h278_ring *r, void *mem, size_t size, uint32_t slot_count,
                                uint32_t request_capacity, uint32_t result_capacity, uint32_t stage_capacity,
                                uint64_t nonce);
/* Attaches to a ring someone else laid out: validates the untrusted header
 * against the size of the memory. */
h278_ring_status h278_ring_attach(h278_ring *r, void *mem, size_t size);
/* Creator, with no producer attached and no consumer running: back to
 * position 0, next session (and h278_ring_reassert). */
void h278_ring_reset(h278_ring *r);
/* Whether the ring is as h278_ring_reset leaves it: no position published,
 * claimed or closed, and every slot's sequence numbers 0 (a peer may have
 * written any of them while nobody was attached). */
int h278_ring_is_reset(const h278_ring *r);
/* Creator: writes again, from its private copy, every header field an
 * attacher validates (version, geometry, creator, nonce, magic last), in
 * case a peer overwrote them. */
void h278_ring_reassert(h278_ring *r);

/* Producer: the payload area of the next position, or H278_RING_FULL. */
h278_ring_status h278_ring_reserve(h278_ring *r, uint8_t **payload);
/* Producer: publishes the reserved position with len bytes and meta. */
h278_ring_status h278_ring_publish(h278_ring *r, uint32_t len, const uint32_t meta[4]);
/* Producer: publishes the next position with the len bytes at offset in the
 * stage as its payload (no reserve needed; the slot's payload area is not
 * used). The bytes must stay put until its result is taken. */
h278_ring_status h278_ring_publish_staged(h278_ring *r, uint32_t offset, uint32_t len, const uint32_t meta[4]);
/* Producer: waits for the result of the oldest position in flight
 * (H278_RING_EMPTY if none); h278_ring_result_done then frees its slot. */
h278_ring_status h278_ring_wait_result(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms);
/* Producer: waits until the result of the n-th oldest position in flight is
 * in (n is clamped to those in flight), so that a producer refilling a full
 * ring sleeps once per n blocks instead of once per block: consumers only
 * make the wake-up system call for the result it waits for. Take the results
 * with h278_ring_wait_result afterwards. */
h278_ring_status h278_ring_wait_results(h278_ring *r, uint32_t n, uint32_t timeout_ms);
void h278_ring_result_done(h278_ring *r);
/* Producer: no more positions will be published. */
void h278_ring_close(h278_ring *r);

/* Consumer (any thread): claims the next published position. */
h278_ring_status h278_ring_claim(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms);
/* Consumer: h278_ring_claim, except that it sleeps at most once: it
 * returns H278_RING_TIMEOUT as soon as the request doorbell rings (or
 * h278_ring_wake_all is called) with nothing to claim, so that a consumer
 * serving several rings looks at the others, or at its stop flag, at once. */
h278_ring_status h278_ring_claim_wait(h278_ring *r, h278_ring_msg *m, uint32_t timeout_ms);
/* Consumer: where the result of a claimed position goes
 * (result_capacity bytes). */
uint8_t *h278_ring_result_area(const h278_ring *r, uint64_t pos);
/* Consumer: publishes the result of pos (len <= result_capacity). */
h278_ring_status h278_ring_complete(h278_ring *r, uint64_t pos, uint32_t len, uint32_t status);

/* Wakes every waiter of both channels (shutdown, end of a session). */
void h278_ring_wake_all(h278_ring *r);

#endif /* H278_RING_H */
