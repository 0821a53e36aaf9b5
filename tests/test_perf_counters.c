/*
 * test_perf_counters.c - the counter group h278-bench --counters uses
 * (bench/perf_counters.c), through the software events every Linux kernel
 * has: it opens, counts a busy loop's task clock (within reason of the
 * thread's CPU time), counts again from zero after a restart, and closes.
 * Hardware counters, which many machines lack, must either open or fail
 * with a reason. Skipped (77) where the kernel refuses perf_event_open
 * altogether (a seccomp filter, perf_event_paranoid 3).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "perf_counters.h"
#include "testutil.h"

static double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* About 20 ms of work the compiler cannot drop. */
static volatile unsigned sink;
static void busy(void)
{
    const double end = thread_cpu_ns() + 20e6;
    unsigned x = 1;
    while (thread_cpu_ns() < end)
        for (int i = 0; i < 10000; i++)
            x = x * 1664525u + 1013904223u;
    sink = x;
}

int main(void)
{
    h278_perf p;
    char why[256] = "";
    if (h278_perf_open(&p, H278_PERF_SOFTWARE, why, sizeof why) != 0) {
        printf("software counters refused here (%s): skipped\n", why);
        return 77;
    }
    CHECK(p.count == 3 && strcmp(p.names[0], "task_clock_ns/symbol") == 0);
    for (int round = 0; round < 2; round++) {
        double v[H278_PERF_MAX] = {0};
        const double t0 = thread_cpu_ns();
        h278_perf_start(&p);
        busy();
        const int rc = h278_perf_stop(&p, v);
        const double cpu = thread_cpu_ns() - t0;
        CHECK(rc == 0);
        /* The task clock counts this thread's time on a CPU: the loop's. */
        CHECKF(v[0] > 0.5 * cpu && v[0] < 1.5 * cpu, "round %d: task clock %.0f ns, thread CPU time %.0f ns", round,
               v[0], cpu);
        CHECKF(v[1] >= 0 && v[2] >= 0 && v[2] < 1000, "round %d: page faults %.0f, context switches %.0f", round,
               v[1], v[2]);
    }
    h278_perf_close(&p);
    CHECK(p.count == 0);
    /* Stopped or read without a group: no numbers. */
    double v[H278_PERF_MAX];
    CHECK(h278_perf_stop(&p, v) == -1);

    h278_perf hw;
    if (h278_perf_open(&hw, H278_PERF_HARDWARE, why, sizeof why) == 0) {
        CHECK(hw.count == 4);
        h278_perf_start(&hw);
        busy();
        CHECK(h278_perf_stop(&hw, v) == 0 && v[0] > 0 && v[1] > 0);
        h278_perf_close(&hw);
        printf("hardware counters: present\n");
    } else {
        CHECKF(strstr(why, "perf_event_open(cycles)") != NULL, "no reason given: '%s'", why);
        printf("hardware counters: %s\n", why);
    }
    return h278_test_finish();
}
