/*
 * server_thread.h - a decode server (h278_serve) on a thread of the test
 * process, for the transport's tests: started and waited for until it is
 * ready, then joined once the test has stopped it (its stop flag, an
 * interrupt, or --once).
 */
#ifndef H278_TEST_SERVER_THREAD_H
#define H278_TEST_SERVER_THREAD_H

#include "h278.h"
#include "shm.h"
#include "transport.h"

typedef struct h278_test_server {
    h278_serve_opts o; /* what the test wants; start sets ready and ctx */
    _Atomic int stop;  /* for o.stop, if the test points it here */
    void (*on_ready)(struct h278_test_server *s); /* optional, on the server's thread */
    _Atomic int ready, done;
    h278_serve_stats st;
    char err[256];
    int rc;
    h278_shm_thread *thread;
} h278_test_server;

/* A region name of this test process's own: "test-WHAT-PID". */
void h278_test_region_name(char *name, size_t size, const char *what);

/* Runs h278_serve(&s->o, ...) on a new thread and waits up to 10 s for it
 * to be ready. Returns 0 when it is. */
int h278_test_server_start(h278_test_server *s);

/* Sets the stop flag (which ends the server if o.stop points at it) and
 * waits for the thread. */
void h278_test_server_join(h278_test_server *s);

/* One block of text-like bytes, compressed with the default parameters,
 * for producers to send. */
typedef struct h278_test_block {
    uint8_t data[20000];
    uint8_t packed[65536]; /* the whole file; the block follows its header */
    h278_enc_params params;
    h278_block block;
} h278_test_block;

/* Makes b from a seed: 0, or 1 if it could not. */
int h278_test_block_make(h278_test_block *b, uint64_t seed);

/* A producer: attaches to the server NAME (waiting for it up to wait_ms;
 * a busy one as h278_feed_open waits), sends b's block, checks its result
 * and detaches. 0, or 1 with the reason in why. */
int h278_test_feed_block(const char *name, uint32_t wait_ms, const h278_test_block *b, char *why, size_t why_size);

#endif
