/*
 * test_shm_end_to_end.c - every Canterbury file (and the artificial ones)
 * through the decode server: compressed here (default layout and the K=32
 * interleaved one the SIMD decoders take), fed block by block through
 * shared memory, decoded by 1, 2 and 4 server threads with the default
 * decoder, and compared byte for byte with the original. The server runs in
 * a thread of this process, so the test runs the same under wine. Also: a
 * corrupted block comes back as a decode error for exactly that block, and
 * the server serves several producers in turn. Some sessions place each
 * file's blocks in the server's stage and send them by reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "shm.h"
#include "testutil.h"
#include "transport.h"

#define MAX_FILES 64
#define BLOCK (64u << 10)
#define STAGE (4u << 20)

typedef struct server_run {
    h278_serve_opts o;
    h278_serve_stats st;
    char err[256];
    int rc;
    _Atomic int stop;
    h278_shm_thread *thread;
} server_run;

static void server_main(void *arg)
{
    server_run *s = arg;
    s->rc = h278_serve(&s->o, &s->st, s->err, sizeof s->err);
}

static void start_server(server_run *s, const char *name, unsigned threads, const char *decoder, int once,
                         uint32_t stage)
{
    memset(s, 0, sizeof *s);
    s->o.name = name;
    s->o.threads = threads;
    s->o.decoder = decoder;
    s->o.once = once;
    s->o.slots = 8;
    s->o.max_block = BLOCK;
    s->o.stage = stage;
    s->o.stop = &s->stop;
    CHECK(h278_shm_thread_start(&s->thread, server_main, s) == 0);
}

typedef struct file {
    uint8_t *data, *packed, *out;
    size_t n, packed_n, out_n;
} file;

typedef struct sink_ctx {
    file *f;
} sink_ctx;

static int sink(void *ctx, uint64_t pos, const uint8_t *data, uint32_t len)
{
    (void)pos;
    file *f = ((sink_ctx *)ctx)->f;
    if (f->out_n + len > f->n)
        return 1;
    memcpy(f->out + f->out_n, data, len);
    f->out_n += len;
    return 0;
}

/* Sends every block of f, copied into slots or (staged) from the stage,
 * where its blocks are placed first (the stage must be free: every earlier
 * result taken); returns the number of blocks, or -1. */
static long send_file(h278_feed *feed, file *f, sink_ctx *ctx, int staged)
{
    h278_file_header fh;
    if (h278_read_file_header(f->packed, f->packed_n, &fh))
        return -1;
    uint32_t capacity;
    uint8_t *stage = h278_feed_stage(feed, &capacity);
    if (staged) {
        CHECKF(stage && f->packed_n - H278_FILE_HEADER_SIZE <= capacity, "stage of %u bytes", capacity);
        if (!stage || f->packed_n - H278_FILE_HEADER_SIZE > capacity)
            return -1;
        memcpy(stage, f->packed + H278_FILE_HEADER_SIZE, f->packed_n - H278_FILE_HEADER_SIZE);
    }
    size_t off = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < fh.block_count; i++) {
        h278_block b;
        uint32_t decoded = h278_block_decoded_size(&fh, i);
        if (h278_read_block(f->packed + off, f->packed_n - off, decoded, fh.max_len, &b))
            return -1;
        if (staged ? h278_feed_send_staged(feed, (uint32_t)(off - H278_FILE_HEADER_SIZE), b.total_size, decoded,
                                           fh.max_len, b.checksum, sink, ctx)
                   : h278_feed_send(feed, f->packed + off, b.total_size, decoded, fh.max_len, b.checksum, sink, ctx))
            return -1;
        off += b.total_size;
    }
    return (long)fh.block_count;
}

static int compress_file(file *f, int interleaved)
{
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.block_size = BLOCK;
    if (interleaved) {
        p.streams = 32;
        p.interleaved = 1;
    }
    size_t cap = (size_t)h278_compress_bound(f->n, &p);
    free(f->packed);
    f->packed = malloc(cap);
    return f->packed && h278_compress(f->data, f->n, &p, f->packed, cap, &f->packed_n) == H278_OK ? 0 : -1;
}

/* One session: every file through a server of `threads` threads. */
static void session(const char *name, file *files, size_t nfiles, unsigned threads, int interleaved, int staged)
{
    server_run s;
    start_server(&s, name, threads, NULL, 1, staged ? STAGE : 0);
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    char err[320];
    h278_feed *feed = h278_feed_open(&fo, err, sizeof err);
    CHECKF(feed != NULL, "%s", err);
    if (!feed)
        atomic_store(&s.stop, 1); /* or the server would wait for ever */
    uint64_t blocks = 0, bytes = 0;
    int ok = feed != NULL;
    /* Results of a file may arrive while the next one is sent: each block
     * carries its own file in the sink context, so send and take per file. */
    for (size_t i = 0; ok && i < nfiles; i++) {
        file *f = &files[i];
        f->out_n = 0;
        CHECK(compress_file(f, interleaved) == 0);
        sink_ctx ctx = {f};
        long n = send_file(feed, f, &ctx, staged);
        ok = n >= 0 && h278_feed_drain(feed, sink, &ctx) == 0;
        CHECKF(ok && f->out_n == f->n && memcmp(f->out, f->data, f->n) == 0,
               "%u threads, %s layout%s, file %zu: %zu of %zu bytes back (%s)", threads,
               interleaved ? "K=32 interleaved" : "default", staged ? ", staged" : "", i, f->out_n, f->n,
               h278_feed_error(feed));
        blocks += (uint64_t)(n > 0 ? n : 0);
        bytes += f->n;
    }
    if (feed) {
        CHECK(h278_feed_finish(feed, NULL, NULL) == 0);
        h278_feed_stats fs;
        h278_feed_get_stats(feed, &fs);
        CHECK(fs.blocks == blocks && fs.bytes_out == bytes && fs.latency.count == blocks);
        h278_feed_free(feed);
    }
    h278_shm_thread_join(s.thread);
    CHECKF(s.rc == 0, "server: %s", s.err);
    CHECK(s.st.blocks == blocks && s.st.bytes_out == bytes && s.st.block_errors == 0);
    CHECK(s.st.sessions == 1 && s.st.failed_sessions == 0 && s.st.threads == threads);
    CHECK(strcmp(s.st.decoder, h278_serve_default_decoder()) == 0 || strlen(s.st.decoder) > 0);
}

/* A block whose stream bytes were damaged comes back as an error for that
 * block; the server stays up for the next producer. */
static void corrupt_block(const char *name, file *f)
{
    server_run s;
    start_server(&s, name, 2, "table", 0, 0);
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    char err[320];
    CHECK(compress_file(f, 0) == 0);
    h278_file_header fh;
    CHECK(h278_read_file_header(f->packed, f->packed_n, &fh) == H278_OK && fh.block_count >= 2);
    /* Damage the last byte of block 1 (in its bit streams). */
    h278_block b0, b1;
    CHECK(h278_read_block(f->packed + H278_FILE_HEADER_SIZE, f->packed_n - H278_FILE_HEADER_SIZE,
                          h278_block_decoded_size(&fh, 0), fh.max_len, &b0) == H278_OK);
    size_t off1 = H278_FILE_HEADER_SIZE + b0.total_size;
    CHECK(h278_read_block(f->packed + off1, f->packed_n - off1, h278_block_decoded_size(&fh, 1), fh.max_len,
                          &b1) == H278_OK);
    f->packed[off1 + b1.total_size - 1] ^= 0x5a;
    h278_feed *feed = h278_feed_open(&fo, err, sizeof err);
    CHECKF(feed != NULL, "%s", err);
    if (feed) {
        f->out_n = 0;
        sink_ctx ctx = {f};
        long n = send_file(feed, f, &ctx, 0);
        int rc = n >= 0 ? h278_feed_finish(feed, sink, &ctx) : 1;
        CHECK(rc != 0 && h278_feed_error_pos(feed) == 1);
        CHECKF(strstr(h278_feed_error(feed), "could not decode") != NULL, "%s", h278_feed_error(feed));
        h278_feed_free(feed);
    }
    /* The next producer is served normally. */
    CHECK(compress_file(f, 0) == 0);
    feed = h278_feed_open(&fo, err, sizeof err);
    CHECKF(feed != NULL, "%s", err);
    if (feed) {
        f->out_n = 0;
        sink_ctx ctx = {f};
        CHECK(send_file(feed, f, &ctx, 0) > 0 && h278_feed_finish(feed, sink, &ctx) == 0);
        CHECK(f->out_n == f->n && memcmp(f->out, f->data, f->n) == 0);
        h278_feed_free(feed);
    }
    atomic_store(&s.stop, 1);
    h278_shm_thread_join(s.thread);
    CHECKF(s.rc == 0, "server: %s", s.err);
    CHECK(s.st.sessions == 2 && s.st.block_errors == 1 && s.st.failed_sessions == 0);
}

int main(void)
{
    static char paths[MAX_FILES][512];
    size_t all = h278_test_corpus_files(paths, MAX_FILES);
    file files[MAX_FILES];
    size_t nfiles = 0;
    for (size_t i = 0; i < all; i++) {
        if (!strstr(paths[i], "/canterbury/") && !strstr(paths[i], "/canterbury-artificial/"))
            continue;
        file *f = &files[nfiles];
        memset(f, 0, sizeof *f);
        f->data = h278_test_read_file(paths[i], &f->n);
        f->out = malloc(f->n + 1);
        if (f->data && f->out)
            nfiles++;
    }
    CHECKF(nfiles >= 11, "%zu Canterbury files found", nfiles);

    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-e2e-%llu", (unsigned long long)pid);
    const unsigned threads[] = {1, 2, 4};
    for (size_t t = 0; t < 3; t++)
        session(name, files, nfiles, threads[t], 0, 0);
    session(name, files, nfiles, 2, 1, 0);
    session(name, files, nfiles, 2, 1, 1);
    session(name, files, nfiles, 4, 0, 1);
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].n > 4 * BLOCK) {
            corrupt_block(name, &files[i]);
            break;
        }

    for (size_t i = 0; i < nfiles; i++) {
        free(files[i].data);
        free(files[i].packed);
        free(files[i].out);
    }
    return h278_test_finish();
}
