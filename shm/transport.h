/*
 * transport.h - the real-time decode server and its producer, as library
 * code (the `h278 serve` and `h278 feed` commands are thin wrappers; the
 * tests drive these functions directly).
 *
 * The server creates the region NAME with a slot ring (ring.h) and serves
 * up to max_producers producers at once, each in a session of its own: the
 * first in NAME's ring, the others in the rings of the regions NAME.p1,
 * NAME.p2 ... (made when a producer finds every ring so far busy). N worker
 * threads serve every open session in turn, a block at a time, and decode
 * each block in place, straight from its request slot into its result slot.
 * A session is its producer's alone: one that dies, stalls, breaks the
 * protocol or shrinks its region ends that session, and the others go on.
 * A producer
 * attaches, sends blocks (each slot carries one encoded block plus its
 * decoded size, the file's L and the block's checksum) and takes the decoded
 * bytes back in order, checking each against its checksum. Blocks it sends
 * more than once it can place in the region's stage once and then send by
 * reference, without copying them again.
 *
 * Neither side trusts the other: everything read from the region is copied
 * and checked first, and a violation ends the session with an error. Each
 * side watches the other's process: a producer that dies mid-session is
 * noticed by the server within about 100 ms and its session dropped; a
 * server that dies or shuts down is noticed by a waiting producer just as
 * fast, and the producer fails. See docs/TRANSPORT.md.
 */
#ifndef H278_TRANSPORT_H
#define H278_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* What a request slot's meta words hold. */
enum { H278_META_DECODED_SIZE = 0, H278_META_MAX_LEN = 1, H278_META_CHECKSUM = 2 };

#define H278_SERVE_DEFAULT_MAX_BLOCK (1u << 20)
#define H278_SERVE_DEFAULT_STAGE (16u << 20) /* what `h278 serve` offers */
#define H278_SERVE_MAX_THREADS 64u
#define H278_SERVE_DEFAULT_MAX_PRODUCERS 8u
#define H278_SERVE_MAX_PRODUCERS 32u

typedef struct h278_serve_stats {
    uint64_t blocks, bytes_in, bytes_out;
    uint64_t block_errors;     /* blocks that failed to decode (reported to the producer) */
    uint64_t sessions;         /* producers served */
    uint64_t failed_sessions;  /* producers that died or broke the protocol */
    uint64_t peak_sessions;    /* most sessions open at once */
    double seconds;            /* time with blocks being decoded: first claim to last result, per stretch
                                  of time with a session open */
    unsigned threads;
    char decoder[32];
    h278_hist latency;         /* per block, claim to result published, ns */
} h278_serve_stats;

/* A session whose producer publishes no block for this long is dropped. */
#define H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS 60000u

typedef struct h278_serve_opts {
    const char *name;          /* region name */
    unsigned threads;          /* decode workers, 1 .. H278_SERVE_MAX_THREADS */
    const char *decoder;       /* variant name; NULL: the fastest available */
    unsigned max_producers;    /* sessions at once, 1 .. H278_SERVE_MAX_PRODUCERS; 0: the default */
    int once;                  /* return after the first producer's session (ending any other) */
    int busy_poll;             /* workers spin instead of sleeping (burns a core each) */
    uint32_t slots;            /* ring slots, a power of two; 0: 16, or 4 per thread if more */
    uint32_t max_block;        /* largest decoded block a slot holds; 0: default */
    uint32_t stage;            /* bytes of stage for the producer's blocks (ring.h), 0 .. 1 GiB; 0: none */
    uint32_t idle_timeout_ms;  /* drop a session whose producer publishes nothing this long
                                  (it stays attached but silent); 0: H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS */
    _Atomic int *stop;         /* optional: set nonzero to make the server return (an idle server
                                  looks at it every 100 ms; without it, it sleeps until a producer
                                  attaches or an interrupt comes) */
    void *ctx;                 /* passed to the callbacks below */
    void (*ready)(void *ctx);  /* the region exists: producers may attach */
    void (*log)(void *ctx, const char *msg); /* notes about sessions */
    void (*progress)(void *ctx, const h278_serve_stats *now); /* about twice a second */
} h278_serve_opts;

/* The decoder the server uses by default: what "simd" stands for on this
 * CPU (h278_variant_resolve: the fastest variant it runs). */
const char *h278_serve_default_decoder(void);

/*
 * Runs the server until SIGINT/SIGTERM (if h278_shm_catch_interrupts() was
 * called), *o->stop, or with once the end of the first session. Returns 0,
 * or 1 with a message in err: the region could not be made, or (with once)
 * the producer died or broke the protocol. st gets the totals.
 */
int h278_serve(const h278_serve_opts *o, h278_serve_stats *st, char *err, size_t err_size);

/* ---- Producer ------------------------------------------------------------ */

typedef struct h278_feed h278_feed;

/* A server whose every session is taken (most often by a producer
 * finishing its session the moment the next one attaches) is waited for
 * this long, or wait_ms if that is longer. */
#define H278_FEED_BUSY_WAIT_MS 2000u

typedef struct h278_feed_opts {
    const char *name;
    uint32_t wait_ms;     /* how long to wait for the server to appear / be free */
    uint32_t stall_ms;    /* fail if a live server returns nothing this long; 0: 30 s */
    int busy_poll;
    int no_verify;        /* trust the server's checksum check (status and size are still checked) */
} h278_feed_opts;

typedef struct h278_feed_stats {
    uint64_t blocks, bytes_in, bytes_out;
    double seconds;       /* first block sent to last result taken */
    h278_hist latency;    /* per block, sent to result taken, ns */
} h278_feed_stats;

/* Receives the decoded bytes of each block, in the order sent; pos counts
 * blocks from 0. data points into shared memory. Nonzero stops the feed. */
typedef int (*h278_feed_sink)(void *ctx, uint64_t pos, const uint8_t *data, uint32_t len);

/* Attaches to the server NAME. NULL with a message in err on failure. */
h278_feed *h278_feed_open(const h278_feed_opts *o, char *err, size_t err_size);
/* Largest encoded block and largest decoded block a slot holds. */
uint32_t h278_feed_max_request(const h278_feed *f);
uint32_t h278_feed_max_result(const h278_feed *f);
/*
 * Sends one encoded block; when every slot is in flight, first takes the
 * oldest result (to sink). Each result is checked: decoded without error,
 * decoded_size bytes, matching checksum. Returns 0, or 1 with
 * h278_feed_error() telling why (the feed is then unusable).
 */
int h278_feed_send(h278_feed *f, const uint8_t *block, uint32_t n, uint32_t decoded_size, unsigned max_len,
                   uint32_t checksum, h278_feed_sink sink, void *ctx);
/*
 * The server's stage: capacity bytes in the region this producer may fill
 * with encoded blocks, to send them (again and again) by offset with
 * h278_feed_send_staged instead of copying each into a slot. NULL and 0 if
 * the server offers none. Bytes must not change while a block that uses
 * them is in flight.
 */
uint8_t *h278_feed_stage(h278_feed *f, uint32_t *capacity);
/* h278_feed_send for the n bytes at offset in the stage. */
int h278_feed_send_staged(h278_feed *f, uint32_t offset, uint32_t n, uint32_t decoded_size, unsigned max_len,
                          uint32_t checksum, h278_feed_sink sink, void *ctx);
/* Takes every outstanding result; the session stays open. */
int h278_feed_drain(h278_feed *f, h278_feed_sink sink, void *ctx);
/* Takes every outstanding result, then tells the server we are done. */
int h278_feed_finish(h278_feed *f, h278_feed_sink sink, void *ctx);
const char *h278_feed_error(const h278_feed *f);
/* Position of the block an error is about, or UINT64_MAX. */
uint64_t h278_feed_error_pos(const h278_feed *f);
void h278_feed_get_stats(const h278_feed *f, h278_feed_stats *st);
/* Detaches (an unfinished session is abandoned: the server drops it). */
void h278_feed_free(h278_feed *f);

#endif /* H278_TRANSPORT_H */
