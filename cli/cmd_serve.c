/*
 * cmd_serve.c - `h278 serve`: the real-time decode server over shared
 * memory (the work is in shm/server.c; this file parses options and prints).
 *
 * Output contract (scripts rely on it): the first line on stderr contains
 * "ready" once producers may attach; notes about producers follow on stderr;
 * a live progress line is drawn only when stderr is a terminal; the final
 * summary goes to stderr, and with --json one JSON object goes to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"
#include "ring.h"
#include "shm.h"
#include "transport.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: h278 serve --name NAME [--threads N] [--decoder D] [--once] [--json]\n"
            "                  [--busy-poll] [--slots N] [--max-block SIZE] [--stage SIZE]\n"
            "                  [--idle-timeout S] [--max-producers N]\n\n"
            "Creates the shared-memory region NAME and decodes the blocks producers\n"
            "send (h278 feed), up to N producers at once, in place with the same\n"
            "threads for all of them, a block from each in turn.\n\n"
            "  --name NAME       region name: letters, digits, '-', '_', '.'\n"
            "  --threads N       decode threads (default 1, at most %u)\n"
            "  --decoder D       decoder variant (default: the fastest available, now '%s';\n"
            "                    see h278 decompress --list-decoders)\n"
            "  --once            exit after the first producer's session (status 1 if\n"
            "                    that producer died or broke the protocol; the sessions\n"
            "                    of any others attached then end with it)\n"
            "  --json            print a JSON summary on stdout at exit\n"
            "  --busy-poll       workers spin instead of sleeping while idle: lowest\n"
            "                    latency, but each worker keeps a core busy\n"
            "  --slots N         ring slots, a power of two (default 16, or 4 per thread)\n"
            "  --max-block SIZE  largest decoded block a slot holds (default 1M; a slot\n"
            "                    takes about 3.5 times this in shared memory)\n"
            "  --stage SIZE      shared memory where a producer places blocks it sends\n"
            "                    repeatedly (h278 feed --repeat-*), so it need not copy\n"
            "                    them each time (default 16M; 0: none)\n"
            "  --idle-timeout S  drop the session of a producer that stays attached but\n"
            "                    sends nothing for S seconds (default %u)\n"
            "  --max-producers N producers served at once (default %u, at most %u): the\n"
            "                    first in region NAME, the others in NAME.p1, NAME.p2 ...,\n"
            "                    each made the first time a producer needs it and as\n"
            "                    large as NAME; one more finds the server busy (h278 feed\n"
            "                    --wait queues it)\n\n"
            "Without --once the server runs until SIGINT or SIGTERM, asleep while no\n"
            "producer is attached; a producer that dies is noticed within a second, one\n"
            "that goes silent after the idle timeout, and the next one is served; the\n"
            "other producers' sessions go on. Exit status 0 on a clean stop.\n",
            H278_SERVE_MAX_THREADS, h278_serve_default_decoder(), H278_SERVE_DEFAULT_IDLE_TIMEOUT_MS / 1000u,
            H278_SERVE_DEFAULT_MAX_PRODUCERS, H278_SERVE_MAX_PRODUCERS);
}

typedef struct serve_ui {
    int tty;          /* stderr is a terminal: draw the progress line */
    int line_drawn;
} serve_ui;

static double mb_per_s(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / 1e6 / seconds : 0.0;
}

static void clear_line(serve_ui *ui)
{
    if (ui->line_drawn) {
        fputs("\r\033[K", stderr);
        ui->line_drawn = 0;
    }
}

static void on_ready(void *ctx)
{
    (void)ctx;
    fprintf(stderr, "h278 serve: ready\n");
    fflush(stderr);
}

static void on_log(void *ctx, const char *msg)
{
    clear_line(ctx);
    fprintf(stderr, "h278 serve: %s\n", msg);
    fflush(stderr);
}

static void on_progress(void *ctx, const h278_serve_stats *st)
{
    serve_ui *ui = ctx;
    if (!ui->tty)
        return;
    fprintf(stderr, "\r\033[Kh278 serve: %llu block%s, %.1f MB out, %.0f MB/s", (unsigned long long)st->blocks,
            h278_cli_plural(st->blocks), (double)st->bytes_out / 1e6, mb_per_s(st->bytes_out, st->seconds));
    fflush(stderr);
    ui->line_drawn = 1;
}

static void print_json(const h278_serve_stats *st)
{
    printf("{\"blocks\":%llu,\"bytes_in\":%llu,\"bytes_out\":%llu,\"seconds\":%.6f,\"mb_per_s\":%.2f,"
           "\"threads\":%u,\"decoder\":\"%s\",\"sessions\":%llu,\"failed_sessions\":%llu,\"peak_sessions\":%llu,"
           "\"block_errors\":%llu,"
           "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}}\n",
           (unsigned long long)st->blocks, (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
           st->seconds, mb_per_s(st->bytes_out, st->seconds), st->threads, st->decoder,
           (unsigned long long)st->sessions, (unsigned long long)st->failed_sessions,
           (unsigned long long)st->peak_sessions, (unsigned long long)st->block_errors,
           (double)h278_hist_quantile(&st->latency, 0.50) / 1e3,
           (double)h278_hist_quantile(&st->latency, 0.90) / 1e3,
           (double)h278_hist_quantile(&st->latency, 0.99) / 1e3, (double)st->latency.max / 1e3);
}

int h278_cmd_serve(int argc, char **argv)
{
    h278_serve_opts o = {0};
    o.threads = 1;
    o.stage = H278_SERVE_DEFAULT_STAGE;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int missing = 0;
        uint64_t num;
        if (h278_cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--name", &missing))) {
            o.name = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-T", "--threads", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < 1 || num > H278_SERVE_MAX_THREADS)
                return h278_cli_error(NULL, "--threads: expected 1..%u, got '%s'", H278_SERVE_MAX_THREADS, v);
            o.threads = (unsigned)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-d", "--decoder", &missing))) {
            o.decoder = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--slots", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < 2 || num > 4096 || (num & (num - 1)))
                return h278_cli_error(NULL, "--slots: expected a power of two 2..4096, got '%s'", v);
            o.slots = (uint32_t)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--max-block", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < H278_MIN_BLOCK_SIZE || num > H278_MAX_BLOCK_SIZE)
                return h278_cli_error(NULL, "--max-block: expected 256..16M, got '%s'", v);
            o.max_block = (uint32_t)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--stage", &missing))) {
            if (h278_cli_parse_size(v, &num) || num > H278_RING_MAX_STAGE)
                return h278_cli_error(NULL, "--stage: expected 0..1G, got '%s'", v);
            o.stage = (uint32_t)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--idle-timeout", &missing))) {
            char *end;
            double sec = strtod(v, &end);
            if (*end || !(sec >= 0.001 && sec <= 86400))
                return h278_cli_error(NULL, "--idle-timeout: expected 0.001..86400 seconds, got '%s'", v);
            o.idle_timeout_ms = (uint32_t)(sec * 1000 + 0.5);
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--max-producers", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < 1 || num > H278_SERVE_MAX_PRODUCERS)
                return h278_cli_error(NULL, "--max-producers: expected 1..%u, got '%s'", H278_SERVE_MAX_PRODUCERS, v);
            o.max_producers = (unsigned)num;
        } else if (strcmp(argv[i], "--once") == 0) {
            o.once = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--busy-poll") == 0) {
            o.busy_poll = 1;
        } else if (missing) {
            return h278_cli_error(NULL, "option '%s' needs a value", argv[i]);
        } else {
            return h278_cli_error(NULL, "unknown argument '%s' (see h278 serve --help)", argv[i]);
        }
    }
    if (!o.name)
        return h278_cli_error(NULL, "no --name given (see h278 serve --help)");
    if (o.decoder) {
        h278_decoder *probe = NULL;
        h278_error err = h278_decoder_new(o.decoder, NULL, &probe);
        h278_decoder_free(probe);
        if (err == H278_ERR_UNKNOWN_DECODER)
            return h278_cli_unknown_decoder(o.decoder);
    }
    serve_ui ui = {h278_fs_isatty(stderr), 0};
    o.ctx = &ui;
    o.ready = on_ready;
    o.log = on_log;
    o.progress = on_progress;
    h278_shm_catch_interrupts();

    h278_serve_stats st;
    char err[512];
    int rc = h278_serve(&o, &st, err, sizeof err);
    clear_line(&ui);
    if (rc && err[0])
        h278_cli_error(NULL, "serve: %s", err);
    if (st.sessions || !rc)
        fprintf(stderr,
                "h278 serve: %llu block%s from %llu producer%s (%llu failed; at most %llu at once), %llu block "
                "error%s, %.1f MB in, "
                "%.1f MB out in %.3f s of decoding: %.1f MB/s (%s, %u thread%s); per block p50 %.1f us, "
                "p99 %.1f us\n",
                (unsigned long long)st.blocks, h278_cli_plural(st.blocks), (unsigned long long)st.sessions,
                h278_cli_plural(st.sessions), (unsigned long long)st.failed_sessions,
                (unsigned long long)st.peak_sessions, (unsigned long long)st.block_errors,
                h278_cli_plural(st.block_errors),
                (double)st.bytes_in / 1e6, (double)st.bytes_out / 1e6, st.seconds,
                mb_per_s(st.bytes_out, st.seconds), st.decoder, st.threads, h278_cli_plural(st.threads),
                (double)h278_hist_quantile(&st.latency, 0.50) / 1e3,
                (double)h278_hist_quantile(&st.latency, 0.99) / 1e3);
    if (json && (st.sessions || !rc))
        print_json(&st);
    return rc;
}
