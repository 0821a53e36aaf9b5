/*
 * test_shm_cli.c - the `h278 serve` and `h278 feed` commands, called as the
 * CLI calls them (h278_cmd_serve / h278_cmd_feed with an argv), the server
 * in a thread of this process so that it runs the same under wine:
 *   - every Canterbury file (and the artificial ones) as .h278 files, in
 *     the default and the K=32 interleaved layouts, fed in one `h278 feed`
 *     to a --once server with 1, 2 and 4 threads; -o writes exactly the
 *     originals, one after the other;
 *   - -o refuses to overwrite an existing file without -f, and -f does;
 *   - --repeat-bytes sends the blocks again until the byte count is reached
 *     (with --no-verify, the bytes still come back right), with the blocks
 *     in the server's stage, some of them (a small stage), or none;
 *   - --help succeeds, unknown options and a missing server fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "h278.h"
#include "shm.h"
#include "testutil.h"

typedef struct serve_run {
    char *argv[16];
    int argc;
    int rc;
    h278_shm_thread *thread;
} serve_run;

static void serve_main(void *arg)
{
    serve_run *s = arg;
    s->rc = h278_cmd_serve(s->argc, s->argv);
}

static char name[64];

/* `h278 serve` stops only at the end of a session or on a signal: should a
 * feed never attach, this backstop ends the test instead of a hang. */
static _Atomic int finished;

static void watchdog(void *arg)
{
    (void)arg;
    for (int i = 0; i < 900 && !atomic_load(&finished); i++)
        h278_shm_sleep_ms(100);
    if (!atomic_load(&finished)) {
        fprintf(stderr, "test_shm_cli: no progress for 90 s\n");
        fflush(stderr);
        _Exit(1);
    }
}

/* A --once server; stage: its --stage, or NULL for the default. */
static void start_serve(serve_run *s, const char *threads, const char *stage)
{
    memset(s, 0, sizeof *s);
    char *args[] = {"serve", "--name", name, "--threads", (char *)threads, "--once", "--json",
                    "--slots", "8", "--max-block", "256K", "--stage", (char *)stage};
    s->argc = (int)(sizeof args / sizeof args[0]) - (stage ? 0 : 2);
    memcpy(s->argv, args, sizeof args);
    CHECK(h278_shm_thread_start(&s->thread, serve_main, s) == 0);
}

static int feed(char **args)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return h278_cmd_feed(argc, args);
}

static int write_file(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Compresses src into path; returns 0. */
static int make_h278(const char *path, const uint8_t *src, size_t n, int interleaved)
{
    h278_enc_params p;
    h278_enc_params_default(&p);
    if (interleaved) {
        p.streams = 32;
        p.interleaved = 1;
    }
    size_t cap = (size_t)h278_compress_bound(n, &p), got;
    uint8_t *dst = malloc(cap);
    int rc = dst && h278_compress(src, n, &p, dst, cap, &got) == H278_OK ? write_file(path, dst, got) : -1;
    free(dst);
    return rc;
}

#define MAX_FILES 64

int main(void)
{
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-cli-%llu", (unsigned long long)pid);
    h278_shm_thread *dog;
    CHECK(h278_shm_thread_start(&dog, watchdog, NULL) == 0);
    char out[128];
    snprintf(out, sizeof out, "shm-cli-%llu.out", (unsigned long long)pid);
    remove(out);

    /* Every Canterbury file, compressed here, alternating the layouts. */
    static char paths[MAX_FILES][512], inputs[MAX_FILES][128];
    size_t all = h278_test_corpus_files(paths, MAX_FILES), nfiles = 0, total = 0;
    uint8_t *orig[MAX_FILES];
    const char *src[MAX_FILES];
    size_t n[MAX_FILES];
    for (size_t i = 0; i < all; i++) {
        if (!strstr(paths[i], "/canterbury/") && !strstr(paths[i], "/canterbury-artificial/"))
            continue;
        src[nfiles] = paths[i];
        orig[nfiles] = h278_test_read_file(paths[i], &n[nfiles]);
        snprintf(inputs[nfiles], sizeof inputs[nfiles], "shm-cli-%llu-%zu.h278", (unsigned long long)pid, nfiles);
        if (orig[nfiles] && make_h278(inputs[nfiles], orig[nfiles], n[nfiles], (int)(nfiles % 2)) == 0)
            total += n[nfiles++];
    }
    CHECKF(nfiles >= 15, "%zu Canterbury files compressed", nfiles);
    if (nfiles < 2)
        return h278_test_finish();
    /* alice29.txt and kennedy.xls (or the first two) for the option checks
     * below. */
    size_t i0 = 0, i1 = 1;
    for (size_t i = 0; i < nfiles; i++) {
        if (strstr(src[i], "/alice29.txt"))
            i0 = i;
        if (strstr(src[i], "/kennedy.xls"))
            i1 = i;
    }
    char *in0 = inputs[i0], *in1 = inputs[i1];

    /* All of them in one feed to a --once server with 1, 2 and 4 threads;
     * the output is the originals, one after the other. */
    serve_run s;
    const char *threads[] = {"1", "2", "4"};
    for (int t = 0; t < 3; t++) {
        char *args[MAX_FILES + 10] = {"feed", "--name", name, "--wait", "10", "-o", out, "-f"};
        int argc = 8;
        for (size_t i = 0; i < nfiles; i++)
            args[argc++] = inputs[i];
        args[argc] = NULL;
        start_serve(&s, threads[t], NULL);
        CHECKF(feed(args) == 0, "%s threads", threads[t]);
        h278_shm_thread_join(s.thread);
        CHECKF(s.rc == 0, "%s threads", threads[t]);
        size_t got_n = 0, off = 0, same = 0;
        uint8_t *got = h278_test_read_file(out, &got_n);
        for (size_t i = 0; got && got_n == total && i < nfiles; off += n[i++])
            same += memcmp(got + off, orig[i], n[i]) == 0;
        CHECKF(got && got_n == total && same == nfiles, "%s threads: %zu of %zu bytes back, %zu of %zu files equal",
               threads[t], got_n, total, same, nfiles);
        free(got);
    }
    remove(out);

    /* -o does not overwrite without -f (the session still ends cleanly);
     * with -f it does. */
    start_serve(&s, "1", NULL);
    char *args1[] = {"feed", "--name", name, "--wait", "10", in0, "-o", out, NULL};
    char *args2[] = {"feed", "--name", name, "--wait", "10", in1, "-o", out, NULL};
    CHECK(feed(args1) == 0);
    h278_shm_thread_join(s.thread);
    CHECK(s.rc == 0);
    start_serve(&s, "1", NULL);
    CHECK(feed(args2) != 0);
    h278_shm_thread_join(s.thread);
    CHECK(s.rc == 0);
    size_t got_n = 0;
    uint8_t *got = h278_test_read_file(out, &got_n);
    CHECK(got && got_n == n[i0]);
    free(got);
    start_serve(&s, "1", NULL);
    char *args3[] = {"feed", "--name", name, "--wait", "10", in1, "-o", out, "-f", NULL};
    CHECK(feed(args3) == 0);
    h278_shm_thread_join(s.thread);
    got = h278_test_read_file(out, &got_n);
    CHECK(s.rc == 0 && got && got_n == n[i1] && memcmp(got, orig[i1], n[i1]) == 0);
    free(got);

    /* --repeat-bytes: the first file again and again, until 1 MB was sent;
     * its blocks all in the stage (default), only those that fit a 16 KiB
     * one, or copied each time (no stage). */
    const char *stages[] = {NULL, "16K", "0"};
    for (int k = 0; k < 3; k++) {
        start_serve(&s, "2", stages[k]);
        char *args4[] = {"feed", "--name", name, "--wait", "10", in0, "--repeat-bytes", "1M", "-o", out, "-f",
                         "--no-verify", NULL};
        CHECK(feed(args4) == 0);
        h278_shm_thread_join(s.thread);
        got = h278_test_read_file(out, &got_n);
        CHECKF(s.rc == 0 && got && got_n >= (1u << 20) && got_n < (1u << 20) + n[i0], "stage %s",
               stages[k] ? stages[k] : "default");
        int same = got != NULL;
        for (size_t off = 0; same && off < got_n; off += n[i0])
            same = memcmp(got + off, orig[i0], got_n - off < n[i0] ? got_n - off : n[i0]) == 0;
        CHECKF(same, "stage %s", stages[k] ? stages[k] : "default");
        free(got);
    }
    char *bad_stage[] = {"serve", "--name", name, "--stage", "2G"};
    CHECK(h278_cmd_serve(5, bad_stage) != 0);

    /* Help, bad options, no server. */
    char *help_s[] = {"serve", "--help"}, *help_f[] = {"feed", "--help", NULL};
    CHECK(h278_cmd_serve(2, help_s) == 0);
    CHECK(feed(help_f) == 0);
    char *bad_s[] = {"serve", "--name", name, "--threads", "0"};
    CHECK(h278_cmd_serve(5, bad_s) != 0);
    char *bad_p0[] = {"serve", "--name", name, "--max-producers", "0"};
    char *bad_p33[] = {"serve", "--name", name, "--max-producers", "33"};
    CHECK(h278_cmd_serve(5, bad_p0) != 0 && h278_cmd_serve(5, bad_p33) != 0);
    /* 62 characters: no room for the other producers' NAME.p1 ... */
    char *long_name[] = {"serve", "--name", "n1234567890123456789012345678901234567890123456789012345678901", "--once"};
    CHECK(h278_cmd_serve(4, long_name) != 0);
    char *bad_f[] = {"feed", "--name", name, "--bogus", in0, NULL};
    CHECK(feed(bad_f) != 0);
    char *no_server[] = {"feed", "--name", name, in0, NULL};
    CHECK(feed(no_server) != 0);

    remove(out);
    for (size_t i = 0; i < nfiles; i++) {
        remove(inputs[i]);
        free(orig[i]);
    }
    atomic_store(&finished, 1);
    h278_shm_thread_join(dog);
    return h278_test_finish();
}
