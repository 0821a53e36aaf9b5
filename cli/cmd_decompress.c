/*
 * cmd_decompress.c - `h278 decompress` and `h278 verify`.
 *
 * Both stream the file one block at a time through the chosen decoder
 * variant and check every block's checksum; decompress also writes the bytes
 * (to a temporary file renamed into place only if every block was good).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"
#include "reader.h"

/* One line per variant this CPU runs (name first: scripts read it), then
 * what "simd" stands for here. */
static void list_decoders(void)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (h278_variant_available(i))
            printf("%-14s %s\n", h278_variant_name(i), h278_variant_summary(i));
    printf("%-14s = %s here: the fastest variant this CPU runs (pivot blocks: %s)\n", "simd",
           h278_variant_resolve("simd"), h278_variant_resolve_pivot("simd"));
}

typedef struct decode_opts {
    const char *decoder;
    h278_params params;
} decode_opts;

/* Parses the decoder options shared by decompress and verify; returns 1 if
 * argv[*i] was one of them, -1 on a bad value (printed). */
static int decoder_option(int argc, char **argv, int *i, decode_opts *o, int *missing)
{
    const char *v;
    uint64_t num;
    if ((v = h278_cli_opt(argc, argv, i, "-d", "--decoder", missing))) {
        o->decoder = v;
        return 1;
    }
    const char *name = NULL;
    unsigned *bits = NULL;
    if ((v = h278_cli_opt(argc, argv, i, NULL, "--short-bits", missing)))
        name = "--short-bits", bits = &o->params.short_bits;
    else if ((v = h278_cli_opt(argc, argv, i, NULL, "--table-bits", missing)))
        name = "--table-bits", bits = &o->params.table_bits;
    if (!bits)
        return 0;
    if (h278_cli_parse_size(v, &num) || (num != 0 && (num < H278_TABLE_BITS_MIN || num > H278_TABLE_BITS_MAX)))
        return h278_cli_error(NULL, "%s: expected %u..%u (0: the variant's default), got '%s'", name,
                              H278_TABLE_BITS_MIN, H278_TABLE_BITS_MAX, v), -1;
    *bits = (unsigned)num;
    return 1;
}

static int make_decoder(const decode_opts *o, h278_decoder **d)
{
    h278_error err = h278_decoder_new(o->decoder, &o->params, d);
    if (err == H278_ERR_UNKNOWN_DECODER)
        return h278_cli_unknown_decoder(o->decoder);
    if (err)
        return h278_cli_error(NULL, "decoder '%s': %s", o->decoder, h278_strerror(err));
    return 0;
}

/* Decodes every block of r; writes to out (named out_name in messages)
 * unless it is NULL. */
static int decode_all(h278_reader *r, h278_decoder *d, FILE *out, const char *out_name, uint64_t *total)
{
    uint8_t *dst = malloc(r->fh.block_size);
    h278_block b;
    int got;
    *total = 0;
    if (!dst)
        return h278_cli_error(r->name, "out of memory");
    while ((got = h278_reader_next(r, &b)) > 0) {
        h278_error err = h278_decode_block(d, &b, dst, r->fh.block_size);
        if (err) {
            free(dst);
            return h278_reader_block_error(r, err);
        }
        if (out && fwrite(dst, 1, b.decoded_size, out) != b.decoded_size) {
            free(dst);
            return h278_cli_error(out_name, "write failed: %s", strerror(errno));
        }
        *total += b.decoded_size;
    }
    free(dst);
    return got < 0;
}

static void decompress_usage(FILE *to)
{
    fprintf(to,
            "usage: h278 decompress IN [-o OUT] [-f] [--decoder NAME] [--short-bits N] [--table-bits N]\n"
            "       h278 decompress --list-decoders\n"
            "\n"
            "Decompresses IN (\"-\" = stdin), checking every block's checksum.\n"
            "\n"
            "  -o, --output OUT     output file (default: IN without .h278; stdout when IN is \"-\")\n"
            "  -f, --force          overwrite OUT if it exists\n"
            "  -d, --decoder NAME   decoder variant (default simd: the fastest this CPU runs,\n"
            "                       for pivot blocks the fastest pivot decoder; tree is the\n"
            "                       reference and reads every layout; the pivot decoders read\n"
            "                       only the pivot layout, the others only the stream layouts;\n"
            "                       see --list-decoders)\n"
            "      --short-bits N   hybrid: bits of the first-tier table, 6..14 (0 = default)\n"
            "      --table-bits N   multisym: bits of the multi-symbol table, 6..14 (0 = default)\n"
            "      --list-decoders  list the decoder variants this CPU can run\n"
            "  -h, --help           this help\n"
            "\n"
            "A file OUT appears only when every block decodes and checks. Standard\n"
            "output (IN \"-\" or -o -) gets each block as it checks, so on a damaged\n"
            "file it has the blocks before the bad one; the exit status is then 1.\n");
}

int h278_cmd_decompress(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL;
    int force = 0, missing = 0;
    decode_opts o = {"simd", {0, 0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (h278_cli_is_help(a)) {
            decompress_usage(stdout);
            return 0;
        } else if (strcmp(a, "--list-decoders") == 0) {
            list_decoders();
            return 0;
        } else if (strcmp(a, "-f") == 0 || strcmp(a, "--force") == 0) {
            force = 1;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-o", "--output", &missing))) {
            out_path = v;
        } else if ((r = decoder_option(argc, argv, &i, &o, &missing)) != 0) {
            if (r < 0)
                return 1;
        } else if (missing) {
            return h278_cli_error(NULL, "%s needs a value (see h278 decompress --help)", a);
        } else if (a[0] == '-' && a[1] != '\0') {
            return h278_cli_error(NULL, "unknown option '%s' (see h278 decompress --help)", a);
        } else if (!in_path) {
            in_path = a;
        } else {
            return h278_cli_error(NULL, "more than one input given ('%s' and '%s')", in_path, a);
        }
    }
    if (!in_path) {
        decompress_usage(stderr);
        return 1;
    }
    char *default_out = NULL;
    if (!out_path) {
        size_t len = strlen(in_path);
        if (strcmp(in_path, "-") == 0) {
            out_path = "-";
        } else if (len > 5 && strcmp(in_path + len - 5, ".h278") == 0) {
            default_out = malloc(len - 4);
            if (!default_out)
                return h278_cli_error(in_path, "out of memory");
            memcpy(default_out, in_path, len - 5);
            default_out[len - 5] = '\0';
            out_path = default_out;
        } else {
            return h278_cli_error(in_path, "unknown suffix (expected .h278); use -o OUT");
        }
    }

    h278_decoder *d;
    h278_reader r;
    h278_out out;
    uint64_t total;
    int rc = 1;
    if (make_decoder(&o, &d))
        goto done;
    if (h278_reader_open(&r, in_path))
        goto done_decoder;
    if (h278_out_open(&out, out_path, force))
        goto done_reader;
    if (decode_all(&r, d, out.f, out.name, &total) || h278_out_commit(&out))
        h278_out_abort(&out);
    else
        rc = 0;
done_reader:
    h278_reader_close(&r);
done_decoder:
    h278_decoder_free(d);
done:
    free(default_out);
    return rc;
}

int h278_cmd_verify(int argc, char **argv)
{
    decode_opts o = {"simd", {0, 0}};
    int nfiles = 0, failed = 0, quiet = 0, missing = 0;
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files)
        return h278_cli_error(NULL, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (h278_cli_is_help(a)) {
            printf("usage: h278 verify FILE... [--decoder NAME] [--short-bits N] [--table-bits N] [-q]\n"
                   "\n"
                   "Decodes every block of each FILE (\"-\" = stdin) and checks its checksum.\n"
                   "Prints \"FILE: OK\" per good file (unless -q); exits non-zero if any\n"
                   "file is damaged, naming the first bad block. The decoder is the fastest\n"
                   "this CPU runs (simd) unless --decoder names one (tree: the reference).\n");
            free(files);
            return 0;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            quiet = 1;
        else if ((r = decoder_option(argc, argv, &i, &o, &missing)) != 0 || missing) {
            if (r < 0 || missing) {
                if (missing)
                    h278_cli_error(NULL, "%s needs a value (see h278 verify --help)", a);
                free(files);
                return 1;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            free(files);
            return h278_cli_error(NULL, "unknown option '%s' (see h278 verify --help)", a);
        } else {
            files[nfiles++] = a;
        }
    }
    h278_decoder *d = NULL;
    if (!nfiles || make_decoder(&o, &d)) {
        free(files);
        return nfiles ? 1 : h278_cli_error(NULL, "no input files (see h278 verify --help)");
    }
    for (int f = 0; f < nfiles; f++) {
        h278_reader r;
        uint64_t total;
        if (h278_reader_open(&r, files[f])) {
            failed++;
            continue;
        }
        if (decode_all(&r, d, NULL, NULL, &total))
            failed++;
        else if (!quiet)
            printf("%s: OK (%llu block%s, %llu byte%s)\n", r.name, (unsigned long long)r.fh.block_count,
                   h278_cli_plural(r.fh.block_count), (unsigned long long)total, h278_cli_plural(total));
        h278_reader_close(&r);
    }
    h278_decoder_free(d);
    free(files);
    return failed ? 1 : 0;
}
