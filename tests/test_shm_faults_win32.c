/*
 * test_shm_faults_win32.c - the decode server and its producer when a
 * process dies, on Windows (test_shm_faults.c is the POSIX twin). The test
 * starts copies of itself with CreateProcess as the other side and kills
 * them with TerminateProcess:
 *   - a producer killed mid-session: a server without once drops the
 *     session and serves the next producer; one with once returns 1;
 *   - a server killed under an attached producer: the producer fails with
 *     "server died" instead of waiting;
 *   - a live server's name is refused, and once every handle is closed the
 *     name is free again (Windows keeps nothing behind).
 * Every wait is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "h278.h"
#include "shm.h"
#include "testutil.h"
#include "transport.h"

#define BLOCK (16u << 10)

static uint8_t data[200000], packed[600000];
static size_t packed_n;

static void make_data(void)
{
    uint64_t seed = 278;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)("etaoin shrdlu"[h278_test_rand(&seed) % 13]);
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.block_size = BLOCK;
    CHECK(h278_compress(data, sizeof data, &p, packed, sizeof packed, &packed_n) == H278_OK);
}

static int send_blocks(h278_feed *f, uint64_t max_blocks)
{
    h278_file_header fh;
    if (h278_read_file_header(packed, packed_n, &fh))
        return 1;
    size_t off = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < fh.block_count && i < max_blocks; i++) {
        h278_block b;
        uint32_t n = h278_block_decoded_size(&fh, i);
        if (h278_read_block(packed + off, packed_n - off, n, fh.max_len, &b) ||
            h278_feed_send(f, packed + off, b.total_size, n, fh.max_len, b.checksum, NULL, NULL))
            return 1;
        off += b.total_size;
    }
    return 0;
}

static int good_session(const char *name, uint32_t wait_ms)
{
    h278_feed_opts fo = {name, wait_ms, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f) {
        fprintf(stderr, "good_session: %s\n", err);
        return 1;
    }
    int rc = send_blocks(f, UINT64_MAX) || h278_feed_finish(f, NULL, NULL);
    if (rc)
        fprintf(stderr, "good_session: %s\n", h278_feed_error(f));
    h278_feed_free(f);
    return rc;
}

/* ---- Child roles ---------------------------------------------------------- */

static int child_producer(const char *name, const char *event)
{
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f || send_blocks(f, 2))
        return 2;
    HANDLE ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, event);
    if (!ev || !SetEvent(ev))
        return 2;
    Sleep(60000); /* until killed */
    return 3;
}

static int child_server(const char *name)
{
    h278_serve_opts o = {0};
    o.name = name;
    o.threads = 2;
    o.slots = 4;
    o.max_block = BLOCK;
    h278_serve_stats st;
    char err[256];
    return h278_serve(&o, &st, err, sizeof err);
}

static HANDLE spawn(const char *args)
{
    char exe[MAX_PATH], cmd[MAX_PATH + 256];
    if (!GetModuleFileNameA(NULL, exe, sizeof exe))
        return NULL;
    snprintf(cmd, sizeof cmd, "\"%s\" %s", exe, args);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return NULL;
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

static void kill_child(HANDLE h)
{
    TerminateProcess(h, 9);
    WaitForSingleObject(h, 10000);
    CloseHandle(h);
}

/* ---- The server in a thread of this process ------------------------------ */

typedef struct server_run {
    h278_serve_opts o;
    h278_serve_stats st;
    char err[256];
    int rc;
    _Atomic int done, stop;
    h278_shm_thread *thread;
} server_run;

static void server_main(void *arg)
{
    server_run *s = arg;
    s->rc = h278_serve(&s->o, &s->st, s->err, sizeof s->err);
    atomic_store(&s->done, 1);
}

static void start_server(server_run *s, const char *name, int once)
{
    memset(s, 0, sizeof *s);
    s->o.name = name;
    s->o.threads = 2;
    s->o.once = once;
    s->o.max_producers = 1; /* the next producer is served only once the killed one's session is dropped */
    s->o.slots = 4;
    s->o.max_block = BLOCK;
    s->o.stop = &s->stop;
    CHECK(h278_shm_thread_start(&s->thread, server_main, s) == 0);
}

/* Starts a producer child, waits until it has blocks in flight, kills it. */
static void kill_producer_mid_session(const char *name, const char *event_name)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, event_name);
    char args[200];
    snprintf(args, sizeof args, "producer %s %s", name, event_name);
    HANDLE child = spawn(args);
    CHECK(ev && child);
    CHECK(WaitForSingleObject(ev, 20000) == WAIT_OBJECT_0);
    if (child)
        kill_child(child);
    CloseHandle(ev);
}

static void producer_killed(const char *name, const char *event_name)
{
    server_run s;
    start_server(&s, name, 0);
    h278_shm_region *dup = NULL;
    CHECK(good_session(name, 10000) == 0);
    CHECK(h278_shm_create(name, 8192, &dup, NULL) == H278_SHM_EXISTS && !dup);
    kill_producer_mid_session(name, event_name);
    CHECK(good_session(name, 2000) == 0); /* the server noticed and moved on */
    atomic_store(&s.stop, 1);
    h278_shm_thread_join(s.thread);
    CHECKF(s.rc == 0, "%s", s.err);
    CHECK(s.st.sessions == 3 && s.st.failed_sessions == 1);

    start_server(&s, name, 1);
    kill_producer_mid_session(name, event_name);
    for (int i = 0; i < 300 && !atomic_load(&s.done); i++)
        Sleep(10);
    CHECK(atomic_load(&s.done));
    if (!atomic_load(&s.done))
        atomic_store(&s.stop, 1);
    h278_shm_thread_join(s.thread);
    CHECK(s.rc == 1 && strstr(s.err, "died") != NULL);
}

static void server_killed(const char *name)
{
    char args[200];
    snprintf(args, sizeof args, "server %s", name);
    HANDLE server = spawn(args);
    CHECK(server != NULL);
    if (!server)
        return;
    h278_feed_opts fo = {name, 20000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    CHECKF(f != NULL, "%s", err);
    kill_child(server);
    if (f) {
        int rc = send_blocks(f, UINT64_MAX) || h278_feed_finish(f, NULL, NULL);
        CHECK(rc != 0);
        CHECKF(strstr(h278_feed_error(f), "server died") != NULL, "'%s'", h278_feed_error(f));
        h278_feed_free(f);
    }
    /* Nothing is left behind once the last handle is gone. */
    h278_shm_region *r = NULL;
    CHECK(h278_shm_create(name, 8192, &r, NULL) == H278_SHM_OK);
    h278_shm_close(r);
}

int main(int argc, char **argv)
{
    make_data();
    if (argc == 4 && strcmp(argv[1], "producer") == 0)
        return child_producer(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "server") == 0)
        return child_server(argv[2]);
    char name[64], event_name[96];
    snprintf(name, sizeof name, "test-faults-%lu", (unsigned long)GetCurrentProcessId());
    snprintf(event_name, sizeof event_name, "Local\\h278-test-ready-%lu", (unsigned long)GetCurrentProcessId());
    producer_killed(name, event_name);
    server_killed(name);
    return h278_test_finish();
}
