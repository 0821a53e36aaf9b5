/*
 * perf_counters.h - a group of performance counters around a timed loop,
 * through Linux's perf_event_open, for h278-bench --counters.
 *
 * What will bite you:
 *   - Virtual machines often offer no hardware counters at all (this
 *     project's CI machines: perf_event_open answers ENOENT or EOPNOTSUPP
 *     for cycles). Opening then fails with a reason, and the caller goes
 *     on without counters; it must not pretend zeros are counts.
 *   - Software events (task clock, page faults, context switches) exist on
 *     every Linux kernel that allows perf_event_open at all; they exercise
 *     the same code path, which is how it is tested (test_perf_counters).
 *   - The group counts only this thread, user and kernel space as
 *     /proc/sys/kernel/perf_event_paranoid allows (user space only at its
 *     default, 2). A group the kernel had to multiplex is scaled by
 *     time enabled / time running.
 */
#ifndef H278_PERF_COUNTERS_H
#define H278_PERF_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define H278_PERF_MAX 4

typedef enum h278_perf_kind {
    H278_PERF_HARDWARE, /* cycles, instructions, branch misses, L1D read misses */
    H278_PERF_SOFTWARE, /* task clock (ns), page faults, context switches */
} h278_perf_kind;

typedef struct h278_perf {
    int fd[H278_PERF_MAX];
    unsigned count;
    const char *names[H278_PERF_MAX]; /* counter names as benchmarks report them, per symbol */
} h278_perf;

/* Opens every event of the kind as one group on the calling thread,
 * disabled. 0, or -1 with the reason in why (nothing stays open). */
int h278_perf_open(h278_perf *p, h278_perf_kind kind, char *why, size_t why_size);
/* Resets and starts the group. */
void h278_perf_start(h278_perf *p);
/* Stops the group and reads it: values[i] for names[i]. 0, or -1 if the
 * read failed or the group never ran. */
int h278_perf_stop(h278_perf *p, double values[H278_PERF_MAX]);
void h278_perf_close(h278_perf *p);

#ifdef __cplusplus
}
#endif
#endif /* H278_PERF_COUNTERS_H */
