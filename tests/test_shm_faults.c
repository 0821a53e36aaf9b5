/*
 * test_shm_faults.c - the decode server and its producer when a process
 * dies (POSIX: fork, SIGKILL, SIGINT, SIGTERM; test_shm_faults_win32.c does
 * the same with CreateProcess and TerminateProcess):
 *   - a producer killed mid-session: a server without --once drops the
 *     session and serves the next producer; one with --once exits non-zero;
 *   - a server killed while a producer waits for results: the producer
 *     fails with a message, exits non-zero;
 *   - the segment a killed server left behind is found and removed by the
 *     next server of that name; a live server's name is refused;
 *   - SIGINT and SIGTERM stop a server cleanly: exit 0, segment and lock
 *     file gone;
 *   - permissions: 0600 whatever the umask, and a region that is not ours
 *     or is open to others is refused.
 * Every wait is bounded, and alarm() backs them all up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "h278.h"
#include "ring.h"
#include "shm.h"
#include "testutil.h"
#include "transport.h"

#define BLOCK (16u << 10)

static uint8_t data[200000], packed[600000];
static size_t packed_n;
static char name[64];

/* A server in a child process; returns its pid. */
static pid_t spawn_server(int once)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        h278_shm_catch_interrupts();
        h278_serve_opts o = {0};
        o.name = name;
        o.threads = 2;
        o.once = once;
        o.max_producers = 1; /* the next producer is served only once the killed one's session is dropped */
        o.slots = 4;
        o.max_block = BLOCK;
        h278_serve_stats st;
        char err[256];
        int rc = h278_serve(&o, &st, err, sizeof err);
        _exit(rc);
    }
    return pid;
}

/* Waits up to ms for pid to exit; returns its exit status, 128+signal, or -1
 * if it is still running. */
static int wait_exit(pid_t pid, unsigned ms)
{
    for (unsigned waited = 0;; waited += 10) {
        int status;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (waited >= ms)
            return -1;
        h278_shm_sleep_ms(10);
    }
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    wait_exit(pid, 10000);
}

/* Waits (at most 10 s) until the server of `name` accepts producers. */
static int wait_ready(void)
{
    for (int i = 0; i < 1000; i++) {
        h278_shm_region *r;
        if (h278_shm_open(name, &r) == H278_SHM_OK) {
            h278_ring ring;
            int ok = h278_ring_attach(&ring, h278_shm_addr(r), h278_shm_size(r)) == H278_RING_OK &&
                     atomic_load(&ring.hdr->state) == H278_RING_SERVING;
            h278_shm_close(r);
            if (ok)
                return 0;
        }
        h278_shm_sleep_ms(10);
    }
    return -1;
}

/* Sends every block of `packed`; with check, verifies the bytes that come
 * back. Returns 0 or 1 (message in err). */
typedef struct sink_ctx {
    size_t off;
    int bad;
} sink_ctx;

static int sink(void *ctx, uint64_t pos, const uint8_t *d, uint32_t len)
{
    (void)pos;
    sink_ctx *c = ctx;
    if (c->off + len > sizeof data || memcmp(data + c->off, d, len) != 0)
        c->bad = 1;
    c->off += len;
    return 0;
}

static int send_all(h278_feed *f, unsigned max_blocks, sink_ctx *c)
{
    h278_file_header fh;
    h278_read_file_header(packed, packed_n, &fh);
    size_t off = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < fh.block_count && i < max_blocks; i++) {
        h278_block b;
        uint32_t n = h278_block_decoded_size(&fh, i);
        if (h278_read_block(packed + off, packed_n - off, n, fh.max_len, &b) ||
            h278_feed_send(f, packed + off, b.total_size, n, fh.max_len, b.checksum, sink, c))
            return 1;
        off += b.total_size;
    }
    return 0;
}

/* A whole file through the server from this process. */
static int good_session(unsigned wait_ms)
{
    h278_feed_opts fo = {name, wait_ms, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f) {
        fprintf(stderr, "good_session: %s\n", err);
        return 1;
    }
    sink_ctx c = {0, 0};
    int rc = send_all(f, ~0u, &c) || h278_feed_finish(f, sink, &c);
    if (rc)
        fprintf(stderr, "good_session: %s\n", h278_feed_error(f));
    h278_feed_free(f);
    if (c.bad || c.off != sizeof data)
        fprintf(stderr, "good_session: %zu bytes back, bad %d\n", c.off, c.bad);
    return rc || c.bad || c.off != sizeof data;
}

/* A producer child that sends two blocks, says so on fd, then hangs until
 * killed (mid-session, blocks in flight). */
static pid_t spawn_stuck_producer(int fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        h278_feed_opts fo = {name, 10000, 0, 0, 0};
        char err[320];
        h278_feed *f = h278_feed_open(&fo, err, sizeof err);
        sink_ctx c = {0, 0};
        char ok = f && send_all(f, 2, &c) == 0 ? 'y' : 'n';
        if (write(fd, &ok, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    return pid;
}

static int lock_exists(void)
{
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/h278-%s.lock", name);
    struct stat st;
    return stat(path, &st) == 0;
}

static int region_exists(void)
{
    h278_shm_region *r;
    if (h278_shm_open(name, &r) != H278_SHM_OK)
        return 0;
    h278_shm_close(r);
    return 1;
}

static void producer_killed(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);

    /* Without --once: the server drops the session, serves the next one. */
    pid_t server = spawn_server(0);
    CHECK(wait_ready() == 0);
    h278_shm_region *dup = NULL;
    CHECK(h278_shm_create(name, 8192, &dup, NULL) == H278_SHM_EXISTS && !dup); /* a live owner */
    pid_t producer = spawn_stuck_producer(fds[1]);
    char c = 0;
    CHECK(read(fds[0], &c, 1) == 1 && c == 'y');
    kill_and_reap(producer);
    /* The server must notice within a second for this attach to succeed. */
    CHECK(good_session(2000) == 0);
    CHECK(good_session(2000) == 0);
    kill(server, SIGINT);
    CHECK(wait_exit(server, 5000) == 0);
    CHECK(!region_exists() && !lock_exists());

    /* With --once: the server reports the dead producer and fails. */
    server = spawn_server(1);
    CHECK(wait_ready() == 0);
    producer = spawn_stuck_producer(fds[1]);
    CHECK(read(fds[0], &c, 1) == 1 && c == 'y');
    kill_and_reap(producer);
    CHECK(wait_exit(server, 3000) == 1);
    CHECK(!region_exists() && !lock_exists());
    close(fds[0]);
    close(fds[1]);
}

static void server_killed(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t server = spawn_server(0);
    CHECK(wait_ready() == 0);
    kill(server, SIGSTOP); /* alive, but it will never answer */
    pid_t producer = fork();
    if (producer == 0) {
        alarm(60);
        close(fds[0]);
        h278_feed_opts fo = {name, 10000, 0, 0, 0};
        char err[320];
        h278_feed *f = h278_feed_open(&fo, err, sizeof err);
        sink_ctx sc = {0, 0};
        int rc = !f || send_all(f, 2, &sc) != 0;
        if (write(fds[1], "s", 1) != 1)
            _exit(2);
        rc = rc || h278_feed_finish(f, sink, &sc) != 0;
        const char *msg = f ? h278_feed_error(f) : err;
        if (write(fds[1], msg, strlen(msg)) < 0)
            _exit(2);
        _exit(rc ? 1 : 0);
    }
    close(fds[1]);
    char buf[400] = {0};
    CHECK(read(fds[0], buf, 1) == 1 && buf[0] == 's');
    h278_shm_sleep_ms(200); /* the producer now waits for results */
    kill_and_reap(server);
    CHECK(wait_exit(producer, 3000) == 1);
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    CHECKF(strstr(buf, "server died") != NULL, "producer said '%s'", buf);
    close(fds[0]);

    /* The killed server's segment is still there, and refuses producers. */
    CHECK(region_exists());
    h278_feed_opts fo = {name, 0, 0, 0, 0};
    char err[320];
    CHECK(h278_feed_open(&fo, err, sizeof err) == NULL);
    CHECKF(strstr(err, "not running") != NULL, "%s", err);
    /* The next server of that name removes it. */
    h278_shm_region *r = NULL;
    int stale = 0;
    CHECK(h278_shm_create(name, 8192, &r, &stale) == H278_SHM_OK && stale == 1);
    h278_shm_close(r);
    CHECK(!region_exists() && !lock_exists());

    /* SIGTERM stops a server cleanly too. */
    server = spawn_server(0);
    CHECK(wait_ready() == 0);
    CHECK(good_session(2000) == 0);
    kill(server, SIGTERM);
    CHECK(wait_exit(server, 5000) == 0);
    CHECK(!region_exists() && !lock_exists());
}

static void permissions(void)
{
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/h278-%s", name);
    mode_t old = umask(0);
    h278_shm_region *r = NULL, *other = NULL;
    CHECK(h278_shm_create(name, 8192, &r, NULL) == H278_SHM_OK);
    umask(old);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(lock_exists());
    CHECK(chmod(path, 0640) == 0);
    CHECK(h278_shm_open(name, &other) == H278_SHM_PERMISSION && !other);
    CHECK(chmod(path, 0600) == 0);
    CHECK(h278_shm_open(name, &other) == H278_SHM_OK);
    h278_shm_close(other);
    h278_shm_close(r);

    /* A region whose creator has not sized it yet is not there yet (a
     * producer waiting for its server keeps waiting), not refused. */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK(h278_shm_open(name, &other) == H278_SHM_NOT_FOUND && !other);
    close(fd);
    unlink(path);

    /* A region that belongs to another user is refused (needs root to make
     * one as another user). */
    if (geteuid() == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(30);
            h278_shm_region *theirs;
            if (setgid(65534) != 0 || setuid(65534) != 0 ||
                h278_shm_create(name, 8192, &theirs, NULL) != H278_SHM_OK)
                _exit(2);
            pause(); /* keeps the region until killed */
            _exit(0);
        }
        int found = 0;
        for (int i = 0; i < 500 && !found; i++) {
            found = stat(path, &st) == 0;
            h278_shm_sleep_ms(10);
        }
        CHECK(found && st.st_uid == 65534);
        CHECK(h278_shm_open(name, &other) == H278_SHM_PERMISSION);
        kill_and_reap(pid);
        /* Its segment and lock are left behind, owned by that user. */
        unlink(path);
        snprintf(path, sizeof path, "/dev/shm/h278-%s.lock", name);
        unlink(path);
    }
}

int main(void)
{
    alarm(100); /* the backstop behind every bounded wait */
    snprintf(name, sizeof name, "test-faults-%ld", (long)getpid());
    uint64_t seed = 278;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)("etaoin shrdlu"[h278_test_rand(&seed) % 13]);
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.block_size = BLOCK;
    CHECK(h278_compress(data, sizeof data, &p, packed, sizeof packed, &packed_n) == H278_OK);

    producer_killed();
    server_killed();
    struct stat st;
    if (stat("/dev/shm", &st) == 0)
        permissions();
    return h278_test_finish();
}
