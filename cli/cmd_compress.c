/*
 * cmd_compress.c - `h278 compress`: file in, .h278 out, one block at a time.
 *
 * A regular input file is read block by block, so memory stays at two
 * blocks whatever the file size; stdin and other unsized inputs are read
 * whole first, because the header records the original size up front.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: h278 compress IN [-o OUT] [-f] [-L MAXLEN] [-K STREAMS] [-B BLOCKSIZE]\n"
            "                        [--layout LAYOUT] [-v]\n"
            "\n"
            "Compresses IN (\"-\" = stdin) into the H278 format.\n"
            "\n"
            "  -o, --output OUT     output file (default IN.h278; stdout when IN is \"-\")\n"
            "  -f, --force          overwrite OUT if it exists\n"
            "  -L, --max-len N      longest code length, 1..20 (default %u)\n"
            "  -K, --streams N      bit streams per block: 1, 4, 8, 16 or 32 (default %u); with 16\n"
            "                       or 32 segmented streams (the layout avx2-multi and avx512-multi\n"
            "                       decode) the segments are spread and the file is format version 2\n"
            "  -B, --block-size N   input bytes per block, 256 .. 16M, K/M suffixes (default 128K)\n"
            "      --layout LAYOUT  how a block stores its codes (docs/FORMAT.md):\n"
            "                         segmented    K streams of consecutive symbols (default)\n"
            "                         interleaved  stream i holds symbols i, i+K, ...: the layout\n"
            "                                      avx2 and avx512 decode; use with -K 32\n"
            "                         pivot        a bitmap per code-tree node and packed codes for\n"
            "                                      flat subtrees, no streams (-K is ignored): the\n"
            "                                      layout only the pivot decoders (and tree, simd)\n"
            "                                      decode; every L up to 20; format version 2\n"
            "      --interleaved    the same as --layout interleaved\n"
            "  -v, --verbose        print sizes and ratio when done\n"
            "  -h, --help           this help\n",
            H278_DEFAULT_MAX_LEN, H278_DEFAULT_STREAMS);
}

int h278_cmd_compress(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL;
    int force = 0, verbose = 0, missing = 0;
    h278_enc_params p;
    h278_enc_params_default(&p);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int got;
        if (h278_cli_is_help(a)) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-f") == 0 || strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if ((got = h278_cli_enc_option(argc, argv, &i, &p, &missing)) != 0) {
            if (got < 0)
                return 1;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-o", "--output", &missing))) {
            out_path = v;
        } else if (missing) {
            return h278_cli_error(NULL, "%s needs a value (see h278 compress --help)", a);
        } else if (a[0] == '-' && a[1] != '\0') {
            return h278_cli_error(NULL, "unknown option '%s' (see h278 compress --help)", a);
        } else if (!in_path) {
            in_path = a;
        } else {
            return h278_cli_error(NULL, "more than one input given ('%s' and '%s')", in_path, a);
        }
    }
    if (missing)
        return h278_cli_error(NULL, "an option needs a value (see h278 compress --help)");
    if (!in_path) {
        usage(stderr);
        return 1;
    }

    int from_stdin = strcmp(in_path, "-") == 0;
    char *default_out = NULL;
    if (!out_path) {
        if (from_stdin) {
            out_path = "-";
        } else {
            size_t len = strlen(in_path);
            default_out = malloc(len + 6);
            if (!default_out)
                return h278_cli_error(in_path, "out of memory");
            memcpy(default_out, in_path, len);
            memcpy(default_out + len, ".h278", 6);
            out_path = default_out;
        }
    }
    if (strcmp(out_path, "-") == 0 && h278_fs_isatty(stdout)) {
        free(default_out);
        return h278_cli_error(NULL, "refusing to write compressed data to a terminal; use -o or redirect");
    }

    /* Input: a regular file is streamed; anything else is read whole. */
    FILE *in = NULL;
    uint8_t *whole = NULL;
    uint64_t size = 0;
    if (!from_stdin) {
        in = fopen(in_path, "rb");
        if (!in) {
            free(default_out);
            return h278_cli_error(in_path, "%s", strerror(errno));
        }
    }
    if (from_stdin || h278_fs_regular_size(in, &size) != 0) {
        size_t n;
        if (in)
            fclose(in);
        in = NULL;
        whole = h278_cli_read_all(in_path, &n);
        if (!whole) {
            free(default_out);
            return 1;
        }
        size = n;
    }

    int rc = 1;
    h278_out out;
    uint8_t header[H278_FILE_HEADER_SIZE];
    size_t bound = h278_block_bound(p.block_size, &p);
    uint8_t *src = whole ? NULL : malloc(p.block_size);
    uint8_t *dst = malloc(bound);
    uint64_t written = H278_FILE_HEADER_SIZE;
    if ((!whole && !src) || !dst) {
        h278_cli_error(in_path, "out of memory");
        goto done_no_out;
    }
    if (h278_out_open(&out, out_path, force))
        goto done_no_out;
    h278_write_file_header(&p, size, header);
    if (fwrite(header, 1, sizeof header, out.f) != sizeof header)
        goto write_failed;
    for (uint64_t off = 0; off < size; off += p.block_size) {
        size_t len = (size_t)(size - off < p.block_size ? size - off : p.block_size);
        const uint8_t *block = whole ? whole + off : src;
        if (!whole && fread(src, 1, len, in) != len) {
            h278_cli_error(in_path, ferror(in) ? "read error" : "file shrank while being read");
            goto failed;
        }
        size_t got;
        h278_error err = h278_encode_block(block, len, &p, dst, bound, &got);
        if (err) {
            h278_cli_error(in_path, "%s", h278_strerror(err));
            goto failed;
        }
        if (fwrite(dst, 1, got, out.f) != got)
            goto write_failed;
        written += got;
    }
    if (in && fgetc(in) != EOF) {
        h278_cli_error(in_path, "file grew while being read");
        goto failed;
    }
    if (h278_out_commit(&out))
        goto done_no_out;
    if (verbose)
        fprintf(stderr, "%s: %llu -> %llu bytes (%.2f%%, %.3f bits/byte)\n", in_path,
                (unsigned long long)size, (unsigned long long)written,
                size ? 100.0 * (double)written / (double)size : 0.0,
                size ? 8.0 * (double)written / (double)size : 0.0);
    rc = 0;
    goto done_no_out;
write_failed:
    h278_cli_error(strcmp(out_path, "-") == 0 ? "(stdout)" : out_path, "write failed: %s", strerror(errno));
failed:
    h278_out_abort(&out);
done_no_out:
    if (in)
        fclose(in);
    free(whole);
    free(src);
    free(dst);
    free(default_out);
    return rc;
}
