/*
 * server_thread.h - a decode server (h278_serve) on a thread of the test
 * process, for the transport's tests: started and waited for until it is
 * ready, then joined once the test has stopped it (its stop flag, an
 * interrupt, or --once).
 */
#ifndef H278_TEST_SERVER_THREAD_H
#define H278_TEST_SERVER_THREAD_H

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

/* Runs h278_serve(&s->o, ...) on a new thread and waits up to 10 s for it
 * to be ready. Returns 0 when it is. */
int h278_test_server_start(h278_test_server *s);

/* Sets the stop flag (which ends the server if o.stop points at it) and
 * waits for the thread. */
void h278_test_server_join(h278_test_server *s);

#endif
