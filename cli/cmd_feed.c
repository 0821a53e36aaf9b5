/*
 * cmd_feed.c - `h278 feed`: the producer for `h278 serve` (the work is in
 * shm/feed.c; this file reads the files, parses options and prints).
 *
 * Each file is read block by block with the validating reader (reader.h),
 * so only one block is in memory at a time; when repeating (--repeat-*),
 * the blocks are kept from the first pass and sent again from memory, so
 * the repeat measures the transport and the server, not the disk. Kept
 * blocks go into the server's stage while it has room (ring.h) and are sent
 * by reference, never copied again; the rest are kept here and copied into
 * a slot each time. Results come back in order and are checked (status,
 * size, checksum) by the feed; with -o they are written to a temporary file
 * renamed into place only when everything succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"
#include "reader.h"
#include "shm.h"
#include "transport.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: h278 feed --name NAME FILE.h278... [--repeat-seconds S] [--repeat-bytes N]\n"
            "                 [-o OUT] [-f] [--json] [--wait S] [--busy-poll] [--no-verify]\n\n"
            "Streams the blocks of the files to the decode server NAME (h278 serve),\n"
            "checks every decoded block that comes back, and reports end-to-end\n"
            "throughput and per-block latency percentiles (send to result).\n\n"
            "  --name NAME           the server's region name\n"
            "  --repeat-seconds S    keep sending the files' blocks, cyclically, for S seconds\n"
            "  --repeat-bytes N      ... or until N decoded bytes (K/M/G suffixes) were sent;\n"
            "                        repeated blocks go into the server's stage once while it\n"
            "                        has room (h278 serve --stage), so they are not copied again\n"
            "  -o, --output OUT      write the decoded bytes to OUT ('-' = stdout)\n"
            "  -f, --force           overwrite OUT if it exists\n"
            "  --json                print a JSON summary on stdout\n"
            "  --wait S              wait up to S seconds for the server (default 0); one whose\n"
            "                        every session has a producer (serve --max-producers) is\n"
            "                        waited for up to %u ms, or S if longer: a queue\n"
            "  --busy-poll           spin instead of sleeping while waiting for results\n"
            "  --no-verify           trust the server's checksum check instead of repeating it\n"
            "                        here (sizes and error statuses are still checked)\n\n"
            "Exit status 0 only if every block came back decoded and correct; non-zero if\n"
            "the server fails a block, dies or shuts down (noticed within a second).\n",
            H278_FEED_BUSY_WAIT_MS);
}

/* A block kept for repeating: in this process, or (bytes NULL) in the
 * server's stage at offset. */
typedef struct kept_block {
    uint8_t *bytes;
    uint32_t offset;
    uint32_t size, decoded_size, checksum;
    uint8_t max_len;
    uint32_t file;
    uint64_t index;
} kept_block;

/* Which file and block each position in flight came from (for messages);
 * positions in flight never exceed the ring's slots, at most 4096. */
#define LABELS 4096u

typedef struct feed_run {
    h278_feed *feed;
    h278_out out;
    int have_out;
    kept_block *kept;
    size_t nkept, kept_cap;
    int keep;                 /* repeating: keep blocks of the first pass */
    uint8_t *stage;           /* the server's stage, or NULL */
    uint32_t stage_capacity, stage_used;
    uint64_t decoded_sent;    /* decoded bytes of the blocks sent */
    uint64_t limit_bytes;     /* 0: none */
    uint64_t deadline_ns;     /* 0: none */
    struct { uint32_t file; uint64_t index; } label[LABELS];
    uint64_t pos;             /* blocks sent */
    char **files;
} feed_run;

static int sink(void *ctx, uint64_t pos, const uint8_t *data, uint32_t len)
{
    (void)pos;
    feed_run *r = ctx;
    return r->have_out && fwrite(data, 1, len, r->out.f) != len;
}

static int feed_error(const feed_run *r)
{
    uint64_t pos = h278_feed_error_pos(r->feed);
    if (pos < r->pos && r->pos - pos <= LABELS) {
        const char *file = r->files[r->label[pos % LABELS].file];
        return h278_cli_error(file, "block %llu: %s", (unsigned long long)r->label[pos % LABELS].index,
                              h278_feed_error(r->feed));
    }
    return h278_cli_error(NULL, "feed: %s", h278_feed_error(r->feed));
}

/* 1 once a --repeat limit is reached. */
static int limit_reached(const feed_run *r)
{
    return (r->limit_bytes && r->decoded_sent >= r->limit_bytes) ||
           (r->deadline_ns && h278_shm_now_ns() >= r->deadline_ns);
}

/* Sends bytes, or with bytes NULL the staged block at offset. */
static int send_block(feed_run *r, const uint8_t *bytes, uint32_t offset, uint32_t size, uint32_t decoded_size,
                      unsigned max_len, uint32_t checksum, uint32_t file, uint64_t index)
{
    r->label[r->pos % LABELS].file = file;
    r->label[r->pos % LABELS].index = index;
    if (bytes ? h278_feed_send(r->feed, bytes, size, decoded_size, max_len, checksum, sink, r)
              : h278_feed_send_staged(r->feed, offset, size, decoded_size, max_len, checksum, sink, r))
        return feed_error(r);
    r->pos++;
    r->decoded_sent += decoded_size;
    return 0;
}

static int keep_block(feed_run *r, const uint8_t *bytes, const h278_block *b, unsigned max_len, uint32_t file,
                      uint64_t index)
{
    if (r->nkept == r->kept_cap) {
        size_t cap = r->kept_cap ? 2 * r->kept_cap : 64;
        kept_block *k = realloc(r->kept, cap * sizeof *k);
        if (!k)
            return h278_cli_error(NULL, "out of memory");
        r->kept = k;
        r->kept_cap = cap;
    }
    kept_block *k = &r->kept[r->nkept];
    if (r->stage && b->total_size <= r->stage_capacity - r->stage_used) {
        k->bytes = NULL;
        k->offset = r->stage_used;
        memcpy(r->stage + k->offset, bytes, b->total_size);
        r->stage_used = (k->offset + b->total_size + 63u) & ~63u; /* the stage's size is a multiple of 64 */
    } else {
        k->bytes = malloc(b->total_size);
        if (!k->bytes)
            return h278_cli_error(NULL, "out of memory");
        memcpy(k->bytes, bytes, b->total_size);
    }
    k->size = b->total_size;
    k->decoded_size = b->decoded_size;
    k->checksum = b->checksum;
    k->max_len = (uint8_t)max_len;
    k->file = file;
    k->index = index;
    r->nkept++;
    return 0;
}

static int send_kept(feed_run *r, const kept_block *k)
{
    return send_block(r, k->bytes, k->offset, k->size, k->decoded_size, k->max_len, k->checksum, k->file,
                      k->index);
}

/* The first pass: every file through the reader. */
static int first_pass(feed_run *r, int nfiles)
{
    for (int fi = 0; fi < nfiles; fi++) {
        h278_reader rd;
        if (h278_reader_open(&rd, r->files[fi]))
            return 1;
        h278_block b;
        int got;
        while ((got = h278_reader_next(&rd, &b)) > 0) {
            if (r->keep ? keep_block(r, rd.buf, &b, rd.fh.max_len, (uint32_t)fi, rd.index) ||
                              send_kept(r, &r->kept[r->nkept - 1])
                        : send_block(r, rd.buf, 0, b.total_size, b.decoded_size, rd.fh.max_len, b.checksum,
                                     (uint32_t)fi, rd.index)) {
                h278_reader_close(&rd);
                return 1;
            }
            if (r->keep && limit_reached(r)) {
                h278_reader_close(&rd);
                return 0;
            }
        }
        h278_reader_close(&rd);
        if (got < 0)
            return 1;
    }
    return 0;
}

static double mb_per_s(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / 1e6 / seconds : 0.0;
}

int h278_cmd_feed(int argc, char **argv)
{
    h278_feed_opts fo = {0};
    const char *out_path = NULL;
    int force = 0, json = 0;
    double repeat_seconds = 0;
    uint64_t repeat_bytes = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    if (!files)
        return h278_cli_error(NULL, "out of memory");
    int rc = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int missing = 0;
        uint64_t num;
        char *end;
        if (h278_cli_is_help(argv[i])) {
            usage(stdout);
            free(files);
            return 0;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--name", &missing))) {
            fo.name = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-o", "--output", &missing))) {
            out_path = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--repeat-seconds", &missing))) {
            repeat_seconds = strtod(v, &end);
            if (*end || !(repeat_seconds > 0 && repeat_seconds < 1e6)) {
                h278_cli_error(NULL, "--repeat-seconds: expected a positive number, got '%s'", v);
                goto out;
            }
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--repeat-bytes", &missing))) {
            if (h278_cli_parse_size(v, &num) || num == 0) {
                h278_cli_error(NULL, "--repeat-bytes: expected a positive size, got '%s'", v);
                goto out;
            }
            repeat_bytes = num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--wait", &missing))) {
            double s = strtod(v, &end);
            if (*end || !(s >= 0 && s <= 3600)) {
                h278_cli_error(NULL, "--wait: expected 0..3600 seconds, got '%s'", v);
                goto out;
            }
            fo.wait_ms = (uint32_t)(s * 1000);
        } else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--busy-poll") == 0) {
            fo.busy_poll = 1;
        } else if (strcmp(argv[i], "--no-verify") == 0) {
            fo.no_verify = 1;
        } else if (missing) {
            h278_cli_error(NULL, "option '%s' needs a value", argv[i]);
            goto out;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            h278_cli_error(NULL, "unknown option '%s' (see h278 feed --help)", argv[i]);
            goto out;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!fo.name || nfiles == 0) {
        h278_cli_error(NULL, "%s (see h278 feed --help)", !fo.name ? "no --name given" : "no input file");
        goto out;
    }
    if (json && out_path && strcmp(out_path, "-") == 0) {
        h278_cli_error(NULL, "--json and -o - both want stdout");
        goto out;
    }

    static feed_run run; /* large (labels); one per process */
    feed_run *r = &run;
    memset(r, 0, sizeof *r);
    r->files = files;
    r->keep = repeat_seconds > 0 || repeat_bytes > 0;
    r->limit_bytes = repeat_bytes;
    char err[512];
    r->feed = h278_feed_open(&fo, err, sizeof err);
    if (!r->feed) {
        h278_cli_error(NULL, "%s", err);
        goto out;
    }
    if (r->keep)
        r->stage = h278_feed_stage(r->feed, &r->stage_capacity);
    if (out_path) {
        if (h278_out_open(&r->out, out_path, force))
            goto done;
        r->have_out = 1;
    }
    if (repeat_seconds > 0)
        r->deadline_ns = h278_shm_now_ns() + (uint64_t)(repeat_seconds * 1e9);
    if (first_pass(r, nfiles))
        goto done;
    while (r->keep && r->nkept && !limit_reached(r))
        for (size_t k = 0; k < r->nkept && !limit_reached(r); k++)
            if (send_kept(r, &r->kept[k]))
                goto done;
    if (h278_feed_finish(r->feed, sink, r)) {
        feed_error(r);
        goto done;
    }
    if (r->have_out) {
        r->have_out = 0;
        if (h278_out_commit(&r->out))
            goto done;
    }
    h278_feed_stats st;
    h278_feed_get_stats(r->feed, &st);
    double p50 = (double)h278_hist_quantile(&st.latency, 0.50) / 1e3,
           p90 = (double)h278_hist_quantile(&st.latency, 0.90) / 1e3,
           p99 = (double)h278_hist_quantile(&st.latency, 0.99) / 1e3, max = (double)st.latency.max / 1e3;
    fprintf(stderr,
            "h278 feed: %llu block%s, %.1f MB in, %.1f MB out in %.3f s: %.1f MB/s end to end; "
            "latency per block p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
            (unsigned long long)st.blocks, h278_cli_plural(st.blocks), (double)st.bytes_in / 1e6,
            (double)st.bytes_out / 1e6, st.seconds,
            mb_per_s(st.bytes_out, st.seconds), p50, p90, p99, max);
    if (json)
        printf("{\"blocks\":%llu,\"bytes_in\":%llu,\"bytes_out\":%llu,\"seconds\":%.6f,\"mb_per_s\":%.2f,"
               "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}}\n",
               (unsigned long long)st.blocks, (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
               st.seconds, mb_per_s(st.bytes_out, st.seconds), p50, p90, p99, max);
    rc = 0;
done:
    if (r->have_out)
        h278_out_abort(&r->out);
    h278_feed_free(r->feed);
    for (size_t k = 0; k < r->nkept; k++)
        free(r->kept[k].bytes);
    free(r->kept);
out:
    free(files);
    return rc;
}
