/*
 * bench_transport.c - h278-shm-bench: what the shared-memory transport costs
 * (Linux; the numbers in docs/TRANSPORT.md come from here).
 *
 *   h278-shm-bench [--threads N] [--decoder D] [--seconds S] [--reps R]
 *                  [--slots N] [--[feed-]busy-poll] [--block SIZE] [-K K] [--interleaved] FILE...
 *
 * Three measurements, each repeated R times (median and range printed):
 *   1. memcpy bandwidth on slot-sized copies (the floor for moving bytes);
 *   2. the raw ring: a producer process copies payloads of one block's
 *      encoded size into slots, a consumer process claims each and
 *      completes it at once without touching it; bytes moved per second;
 *   3. decoding the FILEs' blocks (compressed here) with N threads: in this
 *      process (one decoder per thread, blocks handed out by an atomic
 *      counter), and end to end through shared memory (this process as the
 *      producer, a forked child running the decode server with N threads):
 *      the producer places the blocks in the region's stage once and sends
 *      them by reference, or copies each into its slot; with and without
 *      checking each result's checksum again.
 *      All count decoded bytes over wall time and loop over the blocks for
 *      about S seconds.
 * One process forks both sides, so this is also the benchmark-only mode of
 * the server.
 *
 *   h278-shm-bench --producers 1,2,4,8 [--threads N] [--csv FILE] ... FILE...
 *
 * measures only this instead:
 *   4. many producers: P producer processes (each as 3.'s staged, checked
 *      producer) stream the blocks to one server process at once, at 1 and
 *      at N decode threads, all from the same start time for S seconds: the
 *      total decoded MB/s (every producer's bytes over the time to the last
 *      result) and each producer's share of it against an equal split.
 *      --csv writes one row per producer and run. --silent-producer adds
 *      one more producer to every run that holds a session and sends
 *      nothing (a stalled producer); the numbers are the others'.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "h278.h"
#include "ring.h"
#include "shm.h"
#include "transport.h"

typedef struct block_ref {
    const uint8_t *bytes;
    uint32_t size, decoded_size, checksum;
    uint32_t stage_offset; /* where a staging producer places it (place_blocks) */
} block_ref;

typedef struct bench {
    unsigned threads, reps;
    uint32_t slots;
    int busy_poll;          /* 1: the producer spins instead of sleeping; 2: both sides */
    int silent_producer;    /* --producers: one more producer that holds a session and sends nothing */
    double seconds;
    const char *decoder;
    h278_enc_params enc;
    block_ref *blocks;
    size_t nblocks;
    uint64_t decoded_total;
    uint32_t stage_bytes;   /* a stage that holds every block, each at its stage_offset */
    unsigned max_len;
} bench;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs whose output was wrong or that failed: they give no number. */
static unsigned failures;

static void report(const char *what, double *v, unsigned n, const char *unit)
{
    for (unsigned i = 0; i < n; i++)
        if (!(v[i] > 0)) {
            printf("%-44s FAILED (wrong output or an error: no number)\n", what);
            fflush(stdout);
            return;
        }
    qsort(v, n, sizeof *v, cmp_double);
    printf("%-44s %9.2f %s  (min %.2f, max %.2f, %u runs)\n", what, v[n / 2], unit, v[0], v[n - 1], n);
    fflush(stdout);
}

static double now_s(void)
{
    return (double)h278_shm_now_ns() / 1e9;
}

/* ---- 1. memcpy ----------------------------------------------------------- */

/* Copies chunk-sized pieces of a total-byte buffer (16 chunks: the ring's
 * working set; 64 MiB: out of cache). */
static double memcpy_gbps(size_t chunk, size_t total, double seconds)
{
    uint8_t *src = malloc(total), *dst = malloc(total);
    memset(src, 1, total);
    memset(dst, 2, total);
    uint64_t bytes = 0;
    double t0 = now_s(), t;
    do {
        for (size_t off = 0; off + chunk <= total; off += chunk)
            memcpy(dst + off, src + off, chunk);
        bytes += total / chunk * chunk;
        t = now_s() - t0;
    } while (t < seconds);
    volatile uint8_t sink = dst[total / 2];
    (void)sink;
    free(src);
    free(dst);
    return (double)bytes / t / 1e9;
}

/* ---- 2. the raw ring ------------------------------------------------------ */

static double ring_gbps(const char *name, uint32_t payload, double seconds, int consumers)
{
    size_t size = h278_ring_region_size(16, payload, 64, 0);
    h278_shm_region *region;
    if (h278_shm_create(name, size, &region, NULL))
        return 0;
    h278_ring p;
    h278_ring_init(&p, h278_shm_addr(region), size, 16, payload, 64, 0, 1);
    p.region = region;
    pid_t child[2];
    for (int k = 0; k < consumers; k++)
        if ((child[k] = fork()) == 0) {
        h278_shm_region *mine;
        h278_ring c;
        if (h278_shm_open(name, &mine) || h278_ring_attach(&c, h278_shm_addr(mine), h278_shm_size(mine)))
            _exit(1);
        c.region = mine;
        h278_ring_msg m;
        h278_ring_status st;
        while ((st = h278_ring_claim(&c, &m, 1000)) == H278_RING_OK || st == H278_RING_TIMEOUT)
            if (st == H278_RING_OK)
                h278_ring_complete(&c, m.pos, 0, 0);
        _exit(st == H278_RING_CLOSED ? 0 : 1);
        }
    uint8_t *src = malloc(payload);
    memset(src, 7, payload);
    uint64_t bytes = 0;
    const uint32_t meta[4] = {0};
    double t0 = now_s(), t = 0;
    do {
        for (int k = 0; k < 64; k++) {
            uint8_t *slot;
            h278_ring_msg m;
            while (h278_ring_reserve(&p, &slot) == H278_RING_FULL) {
                if (h278_ring_wait_result(&p, &m, 1000) != H278_RING_OK)
                    goto out;
                h278_ring_result_done(&p);
            }
            memcpy(slot, src, payload);
            h278_ring_publish(&p, payload, meta);
            bytes += payload;
        }
        t = now_s() - t0;
    } while (t < seconds);
    h278_ring_msg m;
    while (h278_ring_wait_result(&p, &m, 1000) == H278_RING_OK)
        h278_ring_result_done(&p);
out:
    t = now_s() - t0;
    h278_ring_close(&p);
    for (int k = 0; k < consumers; k++)
        waitpid(child[k], NULL, 0);
    free(src);
    h278_shm_close(region);
    return (double)bytes / t / 1e9;
}

/* ---- 3. decoding ---------------------------------------------------------- */

typedef struct in_process {
    const bench *b;
    _Atomic uint64_t next; /* blocks handed out, over all laps */
    uint64_t limit;        /* stop handing out after this many */
    h278_shm_thread *thread;
    int failed;
} in_process;

static void decode_worker(void *arg)
{
    in_process *ip = arg;
    const bench *b = ip->b;
    h278_decoder *d;
    uint8_t *dst = malloc(b->enc.block_size);
    if (h278_decoder_new(b->decoder, NULL, &d) || !dst) {
        ip->failed = 1;
        free(dst);
        return;
    }
    for (;;) {
        uint64_t i = atomic_fetch_add(&ip->next, 1);
        if (i >= ip->limit)
            break;
        const block_ref *r = &b->blocks[i % b->nblocks];
        h278_block blk;
        if (h278_read_block(r->bytes, r->size, r->decoded_size, b->max_len, &blk) ||
            h278_decode_block(d, &blk, dst, b->enc.block_size))
            ip->failed = 1;
    }
    h278_decoder_free(d);
    free(dst);
}

/* Blocks to decode for about `seconds`, from a one-thread estimate. */
static uint64_t blocks_for(const bench *b, double seconds)
{
    in_process ip = {b, 0, b->nblocks, NULL, 0};
    double t0 = now_s();
    decode_worker(&ip);
    double per_block = (now_s() - t0) / (double)b->nblocks;
    uint64_t n = (uint64_t)(seconds / per_block * b->threads);
    return n < b->nblocks ? b->nblocks : n;
}

static double decode_in_process(const bench *b, uint64_t nblocks)
{
    in_process ip = {b, 0, nblocks, NULL, 0};
    h278_shm_thread *th[H278_SERVE_MAX_THREADS];
    double t0 = now_s();
    for (unsigned i = 0; i < b->threads; i++)
        h278_shm_thread_start(&th[i], decode_worker, &ip);
    for (unsigned i = 0; i < b->threads; i++)
        h278_shm_thread_join(th[i]);
    double t = now_s() - t0;
    if (ip.failed) {
        fprintf(stderr, "h278-shm-bench: in-process decode failed\n");
        failures++;
        return 0;
    }
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < nblocks; i++)
        bytes += b->blocks[i % b->nblocks].decoded_size;
    return (double)bytes / t / 1e6;
}

static double cpu_s(int who)
{
    struct rusage u;
    getrusage(who, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* Places every block in a stage of at least b->stage_bytes. */
static void place_blocks(const bench *b, uint8_t *stage)
{
    for (size_t i = 0; i < b->nblocks; i++)
        memcpy(stage + b->blocks[i].stage_offset, b->blocks[i].bytes, b->blocks[i].size);
}

/* Decoded MB/s end to end; cpu[0] and cpu[1] receive the CPUs the producer
 * and the server kept busy on average (CPU seconds over wall seconds). The
 * producer copies each block into its slot, or (staged) places every block
 * in the server's stage once, before the clock starts, and then sends them
 * by reference. */
static double decode_through_shm(const bench *b, const char *name, uint64_t nblocks, int verify, int staged,
                                 double cpu[2])
{
    cpu[0] = cpu[1] = 0;
    const uint32_t stage = staged ? b->stage_bytes : 0;
    double t0 = now_s(), self0 = cpu_s(RUSAGE_SELF), children0 = cpu_s(RUSAGE_CHILDREN);
    pid_t child = fork();
    if (child == 0) {
        h278_serve_opts o = {0};
        o.name = name;
        o.threads = b->threads;
        o.decoder = b->decoder;
        o.once = 1;
        o.slots = b->slots;
        o.busy_poll = b->busy_poll == 2;
        o.max_block = b->enc.block_size;
        o.stage = stage;
        h278_serve_stats st;
        char err[256];
        int rc = h278_serve(&o, &st, err, sizeof err);
        if (rc)
            fprintf(stderr, "h278-shm-bench: server: %s\n", err);
        _exit(rc);
    }
    h278_feed_opts fo = {name, 10000, 0, b->busy_poll != 0, !verify};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    double mbps = 0;
    if (f) {
        int failed = 0;
        uint32_t capacity;
        uint8_t *area = h278_feed_stage(f, &capacity);
        if (staged && (!area || capacity < stage)) {
            fprintf(stderr, "h278-shm-bench: the server's stage holds %lu bytes, not %lu\n", (unsigned long)capacity,
                    (unsigned long)stage);
            failed = 1;
        }
        if (staged && !failed)
            place_blocks(b, area);
        for (uint64_t i = 0; i < nblocks && !failed; i++) {
            const block_ref *r = &b->blocks[i % b->nblocks];
            failed = staged ? h278_feed_send_staged(f, r->stage_offset, r->size, r->decoded_size, b->max_len,
                                                    r->checksum, NULL, NULL)
                            : h278_feed_send(f, r->bytes, r->size, r->decoded_size, b->max_len, r->checksum,
                                             NULL, NULL);
        }
        h278_feed_stats st;
        h278_feed_get_stats(f, &st);
        if (failed || h278_feed_finish(f, NULL, NULL)) {
            fprintf(stderr, "h278-shm-bench: feed: %s\n", h278_feed_error(f));
            failures++;
        } else if (st.seconds > 0) {
            mbps = (double)st.bytes_out / st.seconds / 1e6;
        }
        h278_feed_free(f);
    } else {
        fprintf(stderr, "h278-shm-bench: %s\n", err);
        failures++;
        kill(child, SIGTERM);
    }
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        failures++;
        mbps = 0;
    }
    double wall = now_s() - t0;
    cpu[0] = (cpu_s(RUSAGE_SELF) - self0) / wall;
    cpu[1] = (cpu_s(RUSAGE_CHILDREN) - children0) / wall;
    return mbps;
}

/* ---- 4. many producers ---------------------------------------------------- */

/* What a producer process tells the parent at the end. */
typedef struct producer_report {
    uint64_t bytes;    /* decoded bytes checked, from the start time on */
    uint64_t last_ns;  /* when its last result was taken */
    uint32_t ok, silent;
} producer_report;

/* One producer process: attaches, stages every block, has one decoded (its
 * session is then open at the server), says so on ready_fd, reads the start
 * and stop times from go_fd, sends staged blocks (each result checked) from
 * the start until the stop (a silent one sends nothing: it holds its
 * session, as a stalled producer would), finishes, and reports on
 * report_fd. */
static void producer_child(const bench *b, const char *name, int ready_fd, int go_fd, int report_fd, int silent)
{
    producer_report rep = {0, 0, 0, (uint32_t)silent};
    h278_feed_opts fo = {name, 10000, 0, 0, 0};
    char err[320];
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    uint32_t capacity = 0;
    uint8_t *area = f ? h278_feed_stage(f, &capacity) : NULL;
    int ok = area && capacity >= b->stage_bytes;
    if (!ok)
        fprintf(stderr, "h278-shm-bench: producer: %s\n", f ? "the server's stage is too small" : err);
    if (ok)
        place_blocks(b, area);
    const block_ref *r0 = &b->blocks[0];
    ok = ok && !h278_feed_send_staged(f, r0->stage_offset, r0->size, r0->decoded_size, b->max_len, r0->checksum, NULL, NULL) &&
         !h278_feed_drain(f, NULL, NULL);
    const char ready = (char)ok;
    uint64_t window[2] = {0, 0};
    if (write(ready_fd, &ready, 1) != 1 || read(go_fd, window, sizeof window) != (ssize_t)sizeof window)
        ok = 0;
    h278_feed_stats before, after;
    if (f)
        h278_feed_get_stats(f, &before);
    while (ok && h278_shm_now_ns() < window[0])
        if (h278_shm_nap_us(50))
            h278_shm_sleep_ms(1);
    while (ok && silent && h278_shm_now_ns() < window[1])
        h278_shm_sleep_ms(1);
    for (uint64_t i = 0; ok && !silent && h278_shm_now_ns() < window[1]; i++) {
        const block_ref *r = &b->blocks[i % b->nblocks];
        ok = !h278_feed_send_staged(f, r->stage_offset, r->size, r->decoded_size, b->max_len, r->checksum,
                                    NULL, NULL);
    }
    ok = ok && !h278_feed_finish(f, NULL, NULL);
    if (f && !ok)
        fprintf(stderr, "h278-shm-bench: producer: %s\n", h278_feed_error(f));
    if (ok) {
        h278_feed_get_stats(f, &after);
        rep.bytes = after.bytes_out - before.bytes_out;
        rep.last_ns = h278_shm_now_ns();
        rep.ok = 1;
    }
    h278_feed_free(f);
    _exit(write(report_fd, &rep, sizeof rep) == (ssize_t)sizeof rep && ok ? 0 : 1);
}

/*
 * One run of P producers against a server of `threads` threads. Fills
 * mbps[0..P-1] (each producer's decoded MB/s from the start time to its
 * last result) and returns the total decoded MB/s (all bytes over the time
 * to the last result of all), or 0 if anything failed.
 */
static double producers_run(const bench *b, const char *name, unsigned producers, unsigned threads, double *mbps)
{
    fflush(stdout);
    pid_t server = fork();
    if (server == 0) {
        h278_shm_catch_interrupts(); /* SIGTERM ends it cleanly */
        h278_serve_opts o = {0};
        o.name = name;
        o.threads = threads;
        o.decoder = b->decoder;
        o.max_producers = producers + (b->silent_producer != 0);
        o.slots = b->slots;
        o.max_block = b->enc.block_size;
        o.stage = b->stage_bytes;
        h278_serve_stats st;
        char err[256];
        int rc = h278_serve(&o, &st, err, sizeof err);
        if (rc || st.failed_sessions)
            fprintf(stderr, "h278-shm-bench: server: %s (%llu sessions failed)\n", rc ? err : "ok",
                    (unsigned long long)st.failed_sessions);
        _exit(rc || st.failed_sessions ? 1 : 0);
    }
    /* The producers' pipes: ready (child to parent), go (parent to
     * children), report (child to parent). The parent keeps only its own
     * ends, so a producer that dies shows as the end of a pipe, not a hang. */
    int ready[2], go[2], report[2];
    int ok = server > 0 && !pipe(ready) && !pipe(go) && !pipe(report);
    pid_t child[H278_SERVE_MAX_PRODUCERS];
    unsigned started = 0;
    const unsigned children = producers + (b->silent_producer != 0); /* the silent one last */
    for (; ok && started < children; started++)
        if ((child[started] = fork()) == 0) {
            close(ready[0]);
            close(go[1]);
            close(report[0]);
            producer_child(b, name, ready[1], go[0], report[1], started == producers);
        } else if (child[started] < 0) {
            break;
        }
    const int piped = ok;
    ok = ok && started == children;
    if (piped) {
        close(ready[1]);
        close(go[0]);
        close(report[1]);
    }
    for (unsigned i = 0; ok && i < started; i++) {
        struct pollfd pfd = {ready[0], POLLIN, 0};
        char c = 0;
        ok = poll(&pfd, 1, 30000) == 1 && read(ready[0], &c, 1) == 1 && c;
    }
    /* Everyone starts 20 ms from now and stops S seconds later. */
    const uint64_t start = h278_shm_now_ns() + 20000000u;
    const uint64_t window[2] = {start, start + (uint64_t)(b->seconds * 1e9)};
    for (unsigned i = 0; ok && i < started; i++)
        ok = write(go[1], window, sizeof window) == (ssize_t)sizeof window;
    if (piped)
        close(go[1]); /* a producer still waiting for the start reads the end and gives up */
    uint64_t bytes = 0, last = 0;
    for (unsigned i = 0, sending = 0; ok && i < started; i++) {
        producer_report rep;
        if (read(report[0], &rep, sizeof rep) != (ssize_t)sizeof rep || !rep.ok || rep.last_ns <= start) {
            ok = 0;
            continue;
        }
        if (rep.silent)
            continue;
        mbps[sending++] = (double)rep.bytes / ((double)(rep.last_ns - start) / 1e9) / 1e6;
        bytes += rep.bytes;
        last = rep.last_ns > last ? rep.last_ns : last;
    }
    for (unsigned i = 0; i < started; i++) {
        int status;
        if (!ok)
            kill(child[i], SIGKILL);
        waitpid(child[i], &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (piped) {
        close(ready[0]);
        close(report[0]);
    }
    if (server > 0) {
        kill(server, SIGTERM);
        int status;
        waitpid(server, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (!ok) {
        failures++;
        return 0;
    }
    return (double)bytes / ((double)(last - start) / 1e9) / 1e6;
}

/* Every producer count at 1 and at b->threads decode threads, b->reps
 * times each; the table on stdout, one row per producer and run in csv. */
static void many_producers(const bench *b, const char *name, const unsigned *counts, unsigned ncounts, FILE *csv)
{
    if (csv)
        fprintf(csv, "producers,threads,run,producer,mb_per_s,share,total_mb_per_s\n");
    const unsigned thread_counts[2] = {1, b->threads};
    for (unsigned t = 0; t < (b->threads > 1 ? 2u : 1u); t++) {
        for (unsigned c = 0; c < ncounts; c++) {
            const unsigned p = counts[c], threads = thread_counts[t];
            double total[100], share_min = 1e9, share_max = 0;
            for (unsigned r = 0; r < b->reps; r++) {
                double mbps[H278_SERVE_MAX_PRODUCERS] = {0};
                total[r] = producers_run(b, name, p, threads, mbps);
                double sum = 0;
                for (unsigned i = 0; i < p; i++)
                    sum += mbps[i];
                for (unsigned i = 0; i < p && total[r] > 0; i++) {
                    const double share = mbps[i] / (sum / p);
                    share_min = share < share_min ? share : share_min;
                    share_max = share > share_max ? share : share_max;
                    if (csv)
                        fprintf(csv, "%u,%u,%u,%u,%.2f,%.4f,%.2f\n", p, threads, r, i, mbps[i], share, total[r]);
                }
            }
            char what[96];
            snprintf(what, sizeof what, "%u producer%s%s, %u thread%s: total", p, p == 1 ? "" : "s",
                     b->silent_producer ? " + 1 silent" : "", threads, threads == 1 ? "" : "s");
            report(what, total, b->reps, "MB/s");
            if (share_max > 0)
                printf("  %-42s min %.3f, max %.3f of an equal share\n", "each producer's MB/s", share_min,
                       share_max);
        }
    }
}

/* ---- Setup ---------------------------------------------------------------- */

static int load(bench *b, char **files, int nfiles, uint8_t **keep, size_t *nkeep)
{
    size_t cap = 0;
    for (int i = 0; i < nfiles; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, "h278-shm-bench: cannot open %s\n", files[i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *src = malloc((size_t)n + 1);
        size_t got = fread(src, 1, (size_t)n, f);
        fclose(f);
        size_t bound = (size_t)h278_compress_bound(got, &b->enc), packed_n;
        uint8_t *packed = malloc(bound);
        if (h278_compress(src, got, &b->enc, packed, bound, &packed_n)) {
            fprintf(stderr, "h278-shm-bench: cannot compress %s\n", files[i]);
            return 1;
        }
        free(src);
        keep[(*nkeep)++] = packed;
        h278_file_header fh;
        h278_read_file_header(packed, packed_n, &fh);
        size_t off = H278_FILE_HEADER_SIZE;
        for (uint64_t k = 0; k < fh.block_count; k++) {
            h278_block blk;
            uint32_t d = h278_block_decoded_size(&fh, k);
            h278_read_block(packed + off, packed_n - off, d, fh.max_len, &blk);
            if (b->nblocks == cap) {
                cap = cap ? 2 * cap : 256;
                b->blocks = realloc(b->blocks, cap * sizeof *b->blocks);
            }
            b->blocks[b->nblocks++] = (block_ref){packed + off, blk.total_size, d, blk.checksum, b->stage_bytes};
            b->stage_bytes += (blk.total_size + 63u) & ~63u;
            b->decoded_total += d;
            off += blk.total_size;
        }
        b->max_len = fh.max_len;
    }
    return b->nblocks == 0;
}

int main(int argc, char **argv)
{
    bench b = {.threads = 1, .reps = 5, .seconds = 1.0};
    h278_enc_params_default(&b.enc);
    char **files = calloc((size_t)argc, sizeof *files);
    int nfiles = 0;
    unsigned counts[H278_SERVE_MAX_PRODUCERS], ncounts = 0;
    const char *csv_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--producers") && i + 1 < argc) {
            for (char *p = argv[++i], *end; *p && ncounts < H278_SERVE_MAX_PRODUCERS; p = *end ? end + 1 : end) {
                unsigned long n = strtoul(p, &end, 10);
                if (end == p || n < 1 || n > H278_SERVE_MAX_PRODUCERS || (*end && *end != ',')) {
                    fprintf(stderr, "h278-shm-bench: --producers: expected a list of 1..%u, got '%s'\n",
                            H278_SERVE_MAX_PRODUCERS, argv[i]);
                    return 2;
                }
                counts[ncounts++] = (unsigned)n;
            }
        } else if (!strcmp(argv[i], "--silent-producer"))
            b.silent_producer = 1;
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csv_path = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            b.threads = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--decoder") && i + 1 < argc)
            b.decoder = argv[++i];
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            b.seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--slots") && i + 1 < argc)
            b.slots = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            b.reps = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--block") && i + 1 < argc)
            b.enc.block_size = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-K") && i + 1 < argc)
            b.enc.streams = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--busy-poll"))
            b.busy_poll = 2;
        else if (!strcmp(argv[i], "--feed-busy-poll"))
            b.busy_poll = 1;
        else if (!strcmp(argv[i], "--interleaved"))
            b.enc.interleaved = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: h278-shm-bench [--threads N] [--decoder D] [--seconds S] [--reps R] "
                            "[--slots N] [--[feed-]busy-poll] [--block SIZE] [-K K] [--interleaved]\n"
                            "                      [--producers LIST [--silent-producer] [--csv FILE]] FILE...\n");
            return argv[i][1] == 'h' ? 0 : 2;
        } else
            files[nfiles++] = argv[i];
    }
    if (b.threads < 1 || b.threads > H278_SERVE_MAX_THREADS || b.reps < 1 || b.reps > 100 || !nfiles ||
        h278_enc_params_check(&b.enc)) {
        fprintf(stderr, "h278-shm-bench: bad arguments (see --help)\n");
        return 2;
    }
    if (!b.decoder)
        b.decoder = h278_serve_default_decoder();
    uint8_t *keep[256];
    size_t nkeep = 0;
    if (nfiles > 256 || load(&b, files, nfiles, keep, &nkeep))
        return 1;
    uint64_t encoded = 0;
    for (size_t i = 0; i < b.nblocks; i++)
        encoded += b.blocks[i].size;
    char name[64];
    snprintf(name, sizeof name, "shm-bench-%ld", (long)getpid());
    printf("%zu blocks, %.1f MB decoded, %.1f MB encoded (block %u, L=%u, K=%u%s); decoder %s, %u thread%s\n",
           b.nblocks, (double)b.decoded_total / 1e6, (double)encoded / 1e6, b.enc.block_size, b.enc.max_len,
           b.enc.streams, b.enc.interleaved ? " interleaved" : "", b.decoder, b.threads, b.threads == 1 ? "" : "s");

    if (ncounts) {
        FILE *csv = csv_path ? fopen(csv_path, "w") : NULL;
        if (csv_path && !csv) {
            fprintf(stderr, "h278-shm-bench: cannot write %s\n", csv_path);
            return 1;
        }
        many_producers(&b, name, counts, ncounts, csv);
        if (csv && fclose(csv)) {
            fprintf(stderr, "h278-shm-bench: cannot write %s\n", csv_path);
            failures++;
        }
        return failures ? 1 : 0;
    }
    double v[100];
    uint32_t avg_block = (uint32_t)(encoded / b.nblocks);
    char what[96];
    const size_t totals[2] = {16 * (size_t)avg_block, (size_t)64 << 20};
    for (int k = 0; k < 2; k++) {
        for (unsigned r = 0; r < b.reps; r++)
            v[r] = memcpy_gbps(avg_block, totals[k], b.seconds / 2);
        snprintf(what, sizeof what, "memcpy, %u-byte copies, %s", avg_block, k ? "64 MiB" : "16 slots' worth");
        report(what, v, b.reps, "GB/s");
    }
    /* 64-byte messages: the per-message cost; block-sized: bytes moved. */
    for (int consumers = 1; consumers <= 2; consumers++) {
        for (unsigned r = 0; r < b.reps; r++)
            v[r] = ring_gbps(name, 64, b.seconds / 2, consumers) * 1e9 / 64 / 1e6;
        snprintf(what, sizeof what, "raw ring, 64-byte messages, %d consumer%s", consumers,
                 consumers == 1 ? "" : "s");
        report(what, v, b.reps, "M msg/s");
    }
    for (unsigned r = 0; r < b.reps; r++)
        v[r] = ring_gbps(name, avg_block, b.seconds / 2, 1);
    snprintf(what, sizeof what, "raw ring, %u-byte payloads", avg_block);
    report(what, v, b.reps, "GB/s");
    uint64_t n = blocks_for(&b, b.seconds);
    /* End to end: blocks copied into slots or staged once, with and without
     * the producer checking each result again. */
    static const struct {
        int staged, verify;
        const char *what;
    } modes[4] = {{1, 1, "end to end, blocks staged in the region"},
                  {1, 0, "end to end, staged, no re-check"},
                  {0, 1, "end to end, blocks copied into slots"},
                  {0, 0, "end to end, copied, no re-check"}};
    double in[100], shm[4][100], ratio[4][100], cpu[4][2][100];
    for (unsigned r = 0; r < b.reps; r++) {
        in[r] = decode_in_process(&b, n);
        for (int m = 0; m < 4; m++) {
            double c[2];
            shm[m][r] = decode_through_shm(&b, name, n, modes[m].verify, modes[m].staged, c);
            ratio[m][r] = in[r] > 0 ? shm[m][r] / in[r] : 0;
            cpu[m][0][r] = c[0], cpu[m][1][r] = c[1];
        }
    }
    report("decode in process", in, b.reps, "MB/s");
    for (int m = 0; m < 4; m++) {
        report(modes[m].what, shm[m], b.reps, "MB/s");
        report("  ratio to in process", ratio[m], b.reps, "x");
        report("  producer CPU use", cpu[m][0], b.reps, "CPUs");
        report("  server CPU use", cpu[m][1], b.reps, "CPUs");
    }
    for (size_t i = 0; i < nkeep; i++)
        free(keep[i]);
    free(b.blocks);
    free(files);
    return failures ? 1 : 0;
}
