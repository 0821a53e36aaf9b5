/*
 * test_idle_server_sleeps.c - a server with no producer blocks until one
 * attaches: its thread is not woken on a timer (counted as the voluntary
 * context switches Linux records per thread over one idle second), a
 * producer that attaches is served at once, the server sleeps again after
 * it, and an interrupt ends it. Linux only (/proc); elsewhere it skips.
 */
#define _GNU_SOURCE /* syscall */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "h278.h"
#include "server_thread.h"
#include "testutil.h"

/* An idle second may see a few wake-ups (the feed's session); a server
 * that polls every few milliseconds makes hundreds. */
#define MAX_IDLE_WAKEUPS 5

/* The server thread's id, for /proc (set on that thread). */
static _Atomic long server_tid;

static void note_tid(h278_test_server *s)
{
    (void)s;
    atomic_store(&server_tid, (long)syscall(SYS_gettid));
}

/* The thread's voluntary context switches so far, or -1. */
static long wakeups(long tid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
    FILE *f = fopen(path, "r");
    long n = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
            break;
    fclose(f);
    return n;
}

static long idle_second(void)
{
    const long before = wakeups(atomic_load(&server_tid));
    h278_shm_sleep_ms(1000);
    const long after = wakeups(atomic_load(&server_tid));
    return before < 0 || after < 0 ? -1 : after - before;
}

int main(void)
{
    if (access("/proc/self/task", R_OK) != 0) {
        printf("skipped: no /proc/self/task to count a thread's wake-ups\n");
        return 77;
    }
    char name[64];
    h278_test_region_name(name, sizeof name, "idle");
    h278_shm_catch_interrupts();

    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 1; /* no stop flag: the server runs until an interrupt */
    s.on_ready = note_tid;
    CHECK(h278_test_server_start(&s) == 0);
    h278_shm_sleep_ms(50); /* into its wait */

    long n = idle_second();
    CHECKF(n >= 0 && n <= MAX_IDLE_WAKEUPS, "an idle server woke %ld times in one second", n);

    /* A producer is served at once, and the server then sleeps again. */
    h278_feed_opts fo = {name, 1000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    CHECKF(f != NULL, "%s", err);
    if (f) {
        CHECKF(h278_feed_finish(f, NULL, NULL) == 0, "%s", h278_feed_error(f));
        h278_feed_free(f);
    }
    h278_shm_sleep_ms(200);
    n = idle_second();
    CHECKF(n >= 0 && n <= MAX_IDLE_WAKEUPS, "after a session, an idle server woke %ld times in one second", n);

    /* An interrupt wakes it, and it returns. */
    raise(SIGINT);
    for (int i = 0; i < 2000 && !atomic_load(&s.done); i++)
        h278_shm_sleep_ms(1);
    CHECKF(atomic_load(&s.done), "an interrupt did not end an idle server within 2 s");
    if (!atomic_load(&s.done)) {
        fprintf(stderr, "test_idle_server_sleeps: server still running; giving up\n");
        _exit(1);
    }
    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECK(s.st.sessions == 1);
    return h278_test_finish();
}
