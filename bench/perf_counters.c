/*
 * perf_counters.c - see perf_counters.h. One group per thread: the first
 * event leads it, so all of them start, stop and are read together
 * (PERF_FORMAT_GROUP), and the numbers describe the same stretch of time.
 */
#define _GNU_SOURCE
#include "perf_counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct event {
    uint32_t type;
    uint64_t config;
    const char *name;
} event;

static const event hardware[] = {
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles/symbol"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions/symbol"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, "branch_misses/symbol"},
    {PERF_TYPE_HW_CACHE,
     PERF_COUNT_HW_CACHE_L1D | (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
     "l1d_read_misses/symbol"},
};

static const event software[] = {
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task_clock_ns/symbol"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page_faults/symbol"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, "context_switches/symbol"},
};

_Static_assert(sizeof hardware / sizeof hardware[0] <= H278_PERF_MAX, "H278_PERF_MAX holds the hardware group");
_Static_assert(sizeof software / sizeof software[0] <= H278_PERF_MAX, "H278_PERF_MAX holds the software group");

static int open_event(const event *e, int group)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = e->type;
    a.config = e->config;
    a.disabled = group < 0; /* the leader starts the group */
    a.exclude_hv = 1;
    a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0 /* this thread */, -1 /* any CPU */, group, 0);
    if (fd < 0 && errno == EACCES) {
        /* perf_event_paranoid 2 and up: user space only. */
        a.exclude_kernel = 1;
        fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, group, 0);
    }
    return fd;
}

int h278_perf_open(h278_perf *p, h278_perf_kind kind, char *why, size_t why_size)
{
    memset(p, 0, sizeof *p);
    const event *events = kind == H278_PERF_HARDWARE ? hardware : software;
    const unsigned n = kind == H278_PERF_HARDWARE ? sizeof hardware / sizeof hardware[0]
                                                  : sizeof software / sizeof software[0];
    for (unsigned i = 0; i < n; i++) {
        int fd = open_event(&events[i], i == 0 ? -1 : p->fd[0]);
        if (fd < 0) {
            const int e = errno;
            snprintf(why, why_size, "perf_event_open(%.*s): %s%s", (int)strcspn(events[i].name, "/"), events[i].name,
                     strerror(e),
                     e == ENOENT || e == EOPNOTSUPP ? " (no such counter here: a virtual machine or an old CPU)"
                     : e == EACCES || e == EPERM     ? " (see /proc/sys/kernel/perf_event_paranoid)"
                                                     : "");
            h278_perf_close(p);
            return -1;
        }
        p->fd[i] = fd;
        p->names[i] = events[i].name;
        p->count = i + 1;
    }
    return 0;
}

void h278_perf_start(h278_perf *p)
{
    if (!p->count)
        return;
    ioctl(p->fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
    ioctl(p->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

int h278_perf_stop(h278_perf *p, double values[H278_PERF_MAX])
{
    if (!p->count)
        return -1;
    ioctl(p->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    /* nr, time_enabled, time_running, then one value per event. */
    uint64_t buf[3 + H278_PERF_MAX];
    const ssize_t want = (ssize_t)((3 + p->count) * sizeof buf[0]);
    if (read(p->fd[0], buf, sizeof buf) < want || buf[0] != p->count || buf[2] == 0)
        return -1;
    const double scale = (double)buf[1] / (double)buf[2];
    for (unsigned i = 0; i < p->count; i++)
        values[i] = (double)buf[3 + i] * scale;
    return 0;
}

void h278_perf_close(h278_perf *p)
{
    for (unsigned i = p->count; i-- > 0;)
        close(p->fd[i]);
    p->count = 0;
}
