/*
 * test_shm_shrunk_region.c - a peer that shrinks the shared region
 * (ftruncate, which any process that may map it may do) kills nobody
 * (POSIX; a mapped Windows section cannot shrink):
 *   - a producer shrinks it mid-session: the server drops that session
 *     with a message, makes the region again, and serves the next producer;
 *   - the region shrinks to nothing while the server sleeps with no
 *     producer: the next producer grows it back far enough to ring the
 *     server, which makes the region again and serves it;
 *   - the region shrinks while a producer waits for a result: the producer
 *     fails with a message instead of dying of SIGBUS.
 * Every wait is bounded, and alarm() backs them all up.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "h278.h"
#include "ring.h"
#include "server_thread.h"
#include "testutil.h"

static h278_test_block tb;
static char name[64];

/* Shrinks the region NAME to nothing, as a hostile peer may. */
static int shrink(void)
{
    char shm_name[96];
    snprintf(shm_name, sizeof shm_name, "/h278-%s", name);
    int fd = shm_open(shm_name, O_RDWR, 0);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, 0);
    close(fd);
    return rc;
}

/* The server's notes: whether one said the region was shrunk. */
static _Atomic int heard_shrunk;

static void on_log(void *ctx, const char *msg)
{
    (void)ctx;
    if (strstr(msg, "shrunk"))
        atomic_store(&heard_shrunk, 1);
}

/* A producer that has a block decoded (so its session runs), then shrinks
 * the region and stays attached: the server must notice the shrinking, not
 * the producer's death. */
static void shrinking_producer(void)
{
    alarm(30);
    h278_feed_opts fo = {name, 2000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f)
        _exit(2);
    if (h278_feed_send(f, tb.packed + H278_FILE_HEADER_SIZE, tb.block.total_size, sizeof tb.data,
                       tb.params.max_len, tb.block.checksum, NULL, NULL) != 0 ||
        h278_feed_drain(f, NULL, NULL) != 0)
        _exit(3);
    if (shrink() != 0)
        _exit(4);
    sleep(2);
    _exit(0);
}

int main(void)
{
    alarm(100);
    h278_test_region_name(name, sizeof name, "shrunk");
    CHECK(h278_test_block_make(&tb, 11) == 0);

    /* 1. The server survives a producer that shrinks the region. */
    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 2;
    s.o.stop = &s.stop;
    s.o.log = on_log;
    CHECK(h278_test_server_start(&s) == 0);
    char why[320] = "";
    CHECKF(h278_test_feed_block(name, 0, &tb, why, sizeof why) == 0, "before: %s", why);
    pid_t child = fork();
    if (child == 0)
        shrinking_producer();
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECKF(h278_test_feed_block(name, 3000, &tb, why, sizeof why) == 0, "after a producer shrank the region: %s", why);
    CHECK(atomic_load(&heard_shrunk));

    /* 2. The region shrunk to nothing while the server sleeps. */
    atomic_store(&heard_shrunk, 0);
    h278_shm_sleep_ms(50);
    CHECK(shrink() == 0);
    CHECKF(h278_test_feed_block(name, 0, &tb, why, sizeof why) == 0, "after the idle region shrank: %s", why);
    CHECK(atomic_load(&heard_shrunk));
    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECKF(s.st.failed_sessions == 1 && s.st.sessions == 4, "%llu of %llu sessions failed, expected 1 of 4",
           (unsigned long long)s.st.failed_sessions, (unsigned long long)s.st.sessions);

    /* 3. A producer survives a region shrunk under it while it waits: the
     * "server" here is a ring nobody serves, so the producer waits for its
     * result until the region shrinks. */
    const uint32_t slots = 4, capacity = 65536;
    const size_t size = h278_ring_region_size(slots, capacity, capacity, 0);
    h278_shm_region *region = NULL;
    CHECK(h278_shm_create(name, size, &region, NULL) == H278_SHM_OK);
    if (!region)
        return h278_test_finish();
    h278_ring ring;
    CHECK(h278_ring_init(&ring, h278_shm_addr(region), size, slots, capacity, capacity, 0, 1) == H278_RING_OK);
    atomic_store(&ring.hdr->consumers, 1);
    atomic_store(&ring.hdr->state, H278_RING_SERVING);
    child = fork();
    if (child == 0) {
        alarm(30);
        char err[320];
        int rc = h278_test_feed_block(name, 1000, &tb, err, sizeof err);
        _exit(rc && strstr(err, "shrunk") ? 0 : 4);
    }
    for (int i = 0; i < 5000 && atomic_load(&ring.hdr->head) == 0; i++)
        h278_shm_sleep_ms(1);
    CHECK(atomic_load(&ring.hdr->head) == 1);
    h278_shm_sleep_ms(50);
    CHECK(shrink() == 0);
    CHECK(waitpid(child, &status, 0) == child);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "the producer %s %d (0: failed with a message that names the shrinking)",
           WIFEXITED(status) ? "exited with" : "died of signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    h278_shm_close(region);
    return h278_test_finish();
}
