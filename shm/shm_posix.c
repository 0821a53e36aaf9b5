/*
 * shm_posix.c - shared-memory regions and their waiting, liveness, signal
 * and thread services on POSIX systems (see shm.h).
 *
 * Creation: the creator first takes an exclusive flock() on a lock file next
 * to the segment ("/dev/shm/h278-NAME.lock") and holds it for its lifetime.
 * The kernel drops that lock when the process dies, however it dies, so a
 * creator that gets the lock knows any segment of that name is stale and
 * removes it; one that does not get it knows a live creator owns the name.
 * Then shm_open(O_CREAT | O_EXCL, 0600) refuses an existing name, fchmod
 * makes the mode 0600 whatever the umask, and posix_fallocate reserves the
 * pages now (a full /dev/shm fails here, not with SIGBUS on first touch).
 * Closing unlinks the segment, then the lock file while still holding it.
 *
 * Attaching checks that the segment belongs to the current user and that
 * neither group nor others may access it.
 *
 * Waiting uses a futex on a 32-bit word of the region on Linux (a shared,
 * not a private, futex: the waker is another process); other systems sleep
 * in short steps.
 */
#define _GNU_SOURCE /* flock, syscall */
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

struct h278_shm_region {
    void *addr;
    size_t size;
    int fd;                  /* the segment, kept open to see whether it shrank */
    int lock_fd;             /* creator: the flock'd lock file; else -1 */
    _Atomic int lost;        /* shrunk by someone: now private zero pages (below) */
    char shm_name[96];       /* "/h278-NAME" */
    char lock_path[160];
};

/* ---- A peer that shrinks the region ----------------------------------------
 *
 * Any process that maps a region may also ftruncate it, and an access to a
 * page past the new end is then a SIGBUS, which would kill the other side.
 * The handler below makes that survivable: when the faulting address lies
 * in a mapped region, the region's whole mapping is replaced by private
 * zero pages (so the faulting access, and every later one, completes: reads
 * see zeros, writes go nowhere) and the region is marked lost; the server
 * and the feed look at h278_shm_lost() where they wait, and end the session
 * with a message. A fault anywhere else goes to the handler that was there
 * before, or kills the process as it would have. The handler only reads
 * atomics and calls mmap, a plain system call.
 */
/* Regions one process maps at once: a server holds up to
 * H278_SERVE_MAX_PRODUCERS (transport.h); a test process adds a producer
 * per session. */
#define MAPPED_MAX 128
static struct {
    _Atomic(h278_shm_region *) region;
    _Atomic uintptr_t start;
    _Atomic size_t size;
} mapped[MAPPED_MAX];
static struct sigaction sigbus_before;
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    const uintptr_t at = (uintptr_t)info->si_addr;
    for (unsigned i = 0; i < MAPPED_MAX; i++) {
        h278_shm_region *r = atomic_load(&mapped[i].region);
        const uintptr_t start = atomic_load(&mapped[i].start);
        const size_t size = atomic_load(&mapped[i].size);
        if (r && at >= start && at - start < size) {
            if (mmap((void *)start, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
                MAP_FAILED) {
                atomic_store(&r->lost, 1);
                return;
            }
            break;
        }
    }
    if (sigbus_before.sa_flags & SA_SIGINFO) {
        sigbus_before.sa_sigaction(sig, info, context);
    } else if (sigbus_before.sa_handler != SIG_IGN && sigbus_before.sa_handler != SIG_DFL) {
        sigbus_before.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL); /* returning re-runs the access: it faults again, and that kills */
    }
}

static void install_sigbus(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &sigbus_before);
}

/* Writers of the table take this lock; the handler only reads, and sees
 * an entry once its region is set, which is written last. */
static pthread_mutex_t mapped_lock = PTHREAD_MUTEX_INITIALIZER;

/* Puts r's mapping where the handler finds it (a full table: it is just
 * not covered). */
static void watch_mapping(h278_shm_region *r)
{
    pthread_once(&sigbus_once, install_sigbus);
    pthread_mutex_lock(&mapped_lock);
    for (unsigned i = 0; i < MAPPED_MAX; i++) {
        if (atomic_load(&mapped[i].region) == NULL) {
            atomic_store(&mapped[i].start, (uintptr_t)r->addr);
            atomic_store(&mapped[i].size, r->size);
            atomic_store(&mapped[i].region, r);
            break;
        }
    }
    pthread_mutex_unlock(&mapped_lock);
}

static void unwatch_mapping(h278_shm_region *r)
{
    pthread_mutex_lock(&mapped_lock);
    for (unsigned i = 0; i < MAPPED_MAX; i++)
        if (atomic_load(&mapped[i].region) == r)
            atomic_store(&mapped[i].region, NULL);
    pthread_mutex_unlock(&mapped_lock);
}

int h278_shm_lost(const h278_shm_region *r)
{
    if (!r)
        return 0;
    h278_shm_region *w = (h278_shm_region *)r;
    if (atomic_load(&w->lost))
        return 1;
    /* Shrunk, but nothing here has touched the missing pages yet. */
    struct stat st;
    if (fstat(r->fd, &st) == 0 && (size_t)st.st_size < r->size)
        atomic_store(&w->lost, 1);
    return atomic_load(&w->lost);
}

static h278_shm_error from_errno(int e)
{
    switch (e) {
    case EEXIST: return H278_SHM_EXISTS;
    case ENOENT: return H278_SHM_NOT_FOUND;
    case ENOSPC: case ENOMEM: case EFBIG: return H278_SHM_NO_SPACE;
    case EACCES: case EPERM: return H278_SHM_PERMISSION;
    default: return H278_SHM_SYSTEM;
    }
}

/* Fills the segment name and lock path of r from NAME. */
static h278_shm_error make_names(const char *name, h278_shm_region *r)
{
    size_t n = strlen(name);
    if (n == 0 || n > H278_SHM_NAME_MAX || name[0] == '.')
        return H278_SHM_BAD_NAME;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return H278_SHM_BAD_NAME;
    }
    /* The lock sits beside the segments where they are visible as files
     * (Linux); elsewhere in the temporary folder. */
    struct stat st;
    const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(r->shm_name, sizeof r->shm_name, "/h278-%s", name);
    snprintf(r->lock_path, sizeof r->lock_path, "%s/h278-%s.lock", dir, name);
    return H278_SHM_OK;
}

/*
 * Takes the creator's lock: opens (or creates) the lock file, checks it is
 * ours, locks it without waiting, and makes sure the locked file is still
 * the one at lock_path (a closing creator unlinks it while holding the lock,
 * and whoever opened it just before must then try again).
 */
static h278_shm_error take_lock(h278_shm_region *r)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(r->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return from_errno(errno);
        struct stat st, now;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
            close(fd);
            return H278_SHM_PERMISSION;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            return e == EWOULDBLOCK ? H278_SHM_EXISTS : from_errno(e);
        }
        if (stat(r->lock_path, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
            r->lock_fd = fd;
            return H278_SHM_OK;
        }
        close(fd); /* unlinked under us: try the new file */
    }
    return H278_SHM_EXISTS;
}

h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out, int *removed_stale)
{
    *out = NULL;
    if (removed_stale)
        *removed_stale = 0;
    if (size == 0)
        return H278_SHM_SYSTEM;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    r->lock_fd = -1;
    h278_shm_error err = make_names(name, r);
    if (!err)
        err = take_lock(r);
    if (err) {
        free(r);
        return err;
    }
    /* We hold the lock, so a segment of this name has no live creator. */
    if (shm_unlink(r->shm_name) == 0 && removed_stale)
        *removed_stale = 1;
    int fd = shm_open(r->shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = from_errno(errno);
        goto fail_lock;
    }
    int rc = fchmod(fd, 0600);
    if (rc == 0)
        rc = ftruncate(fd, (off_t)size);
    if (rc == 0 && (rc = posix_fallocate(fd, 0, (off_t)size)) != 0) {
        errno = rc;
        rc = -1;
    }
    if (rc == 0) {
        r->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rc = r->addr == MAP_FAILED ? -1 : 0;
    }
    int e = errno;
    if (rc != 0) {
        close(fd);
        err = from_errno(e);
        shm_unlink(r->shm_name);
        goto fail_lock;
    }
    r->fd = fd;
    r->size = size;
    watch_mapping(r);
    *out = r;
    return H278_SHM_OK;

fail_lock:
    unlink(r->lock_path);
    close(r->lock_fd);
    free(r);
    return err;
}

h278_shm_error h278_shm_open(const char *name, h278_shm_region **out)
{
    *out = NULL;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    r->lock_fd = -1;
    h278_shm_error err = make_names(name, r);
    if (err) {
        free(r);
        return err;
    }
    int fd = shm_open(r->shm_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) {
        err = from_errno(errno);
        free(r);
        return err;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        close(fd);
        free(r);
        return H278_SHM_PERMISSION;
    }
    if (st.st_size <= 0) {
        /* Its creator is between shm_open and ftruncate: not there yet, and
         * a caller that waits for the region should keep waiting. */
        close(fd);
        free(r);
        return H278_SHM_NOT_FOUND;
    }
    r->size = (size_t)st.st_size;
    r->addr = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int e = errno;
    if (r->addr == MAP_FAILED) {
        close(fd);
        free(r);
        return from_errno(e);
    }
    r->fd = fd;
    watch_mapping(r);
    *out = r;
    return H278_SHM_OK;
}

int h278_shm_regrow(const char *name, size_t min_size)
{
    h278_shm_region names;
    if (make_names(name, &names))
        return 0;
    int fd = shm_open(names.shm_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct stat st;
    int grew = 0;
    /* posix_fallocate only ever extends: a creator that sets the full size
     * at the same moment keeps it. */
    if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
        (size_t)st.st_size < min_size)
        grew = posix_fallocate(fd, 0, (off_t)min_size) == 0;
    close(fd);
    return grew;
}

void *h278_shm_addr(const h278_shm_region *r)
{
    return r->addr;
}

size_t h278_shm_size(const h278_shm_region *r)
{
    return r->size;
}

void h278_shm_close(h278_shm_region *r)
{
    if (!r)
        return;
    unwatch_mapping(r);
    munmap(r->addr, r->size);
    close(r->fd);
    if (r->lock_fd >= 0) {
        shm_unlink(r->shm_name);
        unlink(r->lock_path); /* still locked: see take_lock */
        close(r->lock_fd);
    }
    free(r);
}

/* ---- Waiting ------------------------------------------------------------- */

void h278_shm_wait(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t expected,
                   uint32_t timeout_ms)
{
    (void)channel;
    if (atomic_load_explicit(word, memory_order_acquire) != expected)
        return;
#if defined(__linux__)
    if (r) {
        struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
        /* EAGAIN (the word changed), EINTR and ETIMEDOUT all just return. */
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, &ts, NULL, 0);
        return;
    }
#endif
    (void)r;
    h278_shm_sleep_ms(timeout_ms < 1 ? timeout_ms : 1);
}

void h278_shm_wake(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t count)
{
    (void)channel;
#if defined(__linux__)
    if (r && count)
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, count > INT32_MAX ? INT32_MAX : (int)count, NULL,
                NULL, 0);
#else
    (void)word;
    (void)count;
#endif
    (void)r;
}

void h278_shm_relax(unsigned round)
{
    if (round < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        sched_yield();
    }
}

void h278_shm_sleep_ms(uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !h278_shm_interrupted())
        ;
}

int h278_shm_nap_us(uint32_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
    return 0;
}

uint32_t h278_shm_cpu_count(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (uint32_t)CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

uint64_t h278_shm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Liveness ------------------------------------------------------------ */

/* From /proc/PID/stat: the process state (field 3, after the
 * parenthesised command name) and its start time in clock ticks since boot
 * (field 22). Returns 0, -1 if the file cannot be read (no such process),
 * or 1 where there is no /proc to read (not Linux). */
static int proc_stat(uint64_t pid, char *state, uint64_t *start)
{
#if defined(__linux__)
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%llu/stat", (unsigned long long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p || !p[1] || !p[2])
        return -1;
    *state = p[2];
    for (int field = 2; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    *start = p ? strtoull(p + 1, NULL, 10) : 0;
    return 0;
#else
    (void)pid, (void)state, (void)start;
    return 1;
#endif
}

void h278_shm_self(uint64_t *pid, uint64_t *start)
{
    char state;
    *pid = (uint64_t)getpid();
    if (proc_stat(*pid, &state, start) != 0)
        *start = 0;
}

int h278_shm_alive(uint64_t pid, uint64_t start)
{
    if (pid == 0 || pid > (uint64_t)INT32_MAX)
        return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 0;
    /* A zombie still answers kill(); its stat file says state Z. A start
     * time that differs means the pid was reused. */
    char state;
    uint64_t now;
    int r = proc_stat(pid, &state, &now);
    if (r != 0)
        return r > 0; /* gone since kill(), or no /proc: kill() is all we know */
    if (start != 0 && now != 0 && now != start)
        return 0;
    if (state == 'Z' || state == 'X')
        return 0;
    return 1;
}

/* ---- Signals ------------------------------------------------------------- */

static _Atomic int interrupted; /* lock-free: safe in a handler, and other threads read it */

/* The word an interrupt bumps (h278_shm_wake_on_interrupt), or NULL. The
 * handler only does lock-free atomics and a system call. */
static _Atomic(_Atomic uint32_t *) interrupt_word;

static void on_interrupt(int sig)
{
    (void)sig;
    atomic_store(&interrupted, 1);
    _Atomic uint32_t *word = atomic_load(&interrupt_word);
    if (word) {
        atomic_fetch_add(word, 1);
#if defined(__linux__)
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
#endif
    }
}

void h278_shm_wake_on_interrupt(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word)
{
    (void)r; /* the futex is the word itself */
    (void)channel;
    atomic_store(&interrupt_word, word);
}

void h278_shm_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int h278_shm_interrupted(void)
{
    return atomic_load(&interrupted) != 0;
}

/* ---- Threads ------------------------------------------------------------- */

struct h278_shm_thread {
    pthread_t id;
    void (*fn)(void *);
    void *arg;
};

static void *thread_main(void *p)
{
    h278_shm_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

int h278_shm_thread_start(h278_shm_thread **out, void (*fn)(void *), void *arg)
{
    h278_shm_thread *t = malloc(sizeof *t);
    if (!t)
        return -1;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
        free(t);
        return -1;
    }
    *out = t;
    return 0;
}

void h278_shm_thread_join(h278_shm_thread *t)
{
    if (t) {
        pthread_join(t->id, NULL);
        free(t);
    }
}
