/*
 * cmd_analyze.c - `h278 analyze`: how close H278's length-limited codes come
 * to the optimum, per file.
 *
 * For each block of each file it computes the order-0 entropy, the size of
 * an unlimited optimal Huffman code (package-merge with a limit no real code
 * reaches), and the size of the H278 code at each requested limit L. Blocks
 * with one distinct byte are RUN blocks and cost nothing in any column.
 * Sizes are payload bits (codes only), rounded up to bytes per file; the
 * output is a Markdown table, as used in docs/FORMAT.md's companion notes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_LIMITS 8

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int h278_cmd_analyze(int argc, char **argv)
{
    unsigned limits[MAX_LIMITS] = {11, 15};
    unsigned nlimits = 0;
    uint64_t block_size = H278_DEFAULT_BLOCK_SIZE;
    int missing = 0, nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        uint64_t num;
        if (h278_cli_is_help(argv[i])) {
            printf("usage: h278 analyze FILE... [-L MAXLEN]... [-B BLOCKSIZE]\n\n"
                   "Prints a Markdown table: per file, its order-0 entropy, an unlimited\n"
                   "optimal Huffman code's payload, and H278's payload at each -L (default\n"
                   "11 and 15; repeat -L for more), all per block of -B bytes (default 128K)\n"
                   "and in bytes. Every input is checked before the table starts: a missing\n"
                   "one prints nothing on stdout.\n");
            return 0;
        }
        if ((v = h278_cli_opt(argc, argv, &i, "-L", "--max-len", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < 1 || num > H278_MAX_CODE_LEN || nlimits == MAX_LIMITS)
                return h278_cli_error(NULL, "-L: expected 1..20 (at most %d times), got '%s'", MAX_LIMITS, v);
            limits[nlimits++] = (unsigned)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-B", "--block-size", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < H278_MIN_BLOCK_SIZE || num > H278_MAX_BLOCK_SIZE)
                return h278_cli_error(NULL, "-B: expected 256 .. 16M, got '%s'", v);
            block_size = num;
        } else if (missing) {
            return h278_cli_error(NULL, "%s needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return h278_cli_error(NULL, "unknown option '%s' (see h278 analyze --help)", argv[i]);
        } else {
            argv[nfiles++] = argv[i]; /* inputs gather at the front: slots before i are parsed */
        }
    }
    if (!nfiles)
        return h278_cli_error(NULL, "no input files (see h278 analyze --help)");
    if (!nlimits)
        nlimits = 2;
    /* Every input must open before the table starts (standard input is
     * read when its row comes). */
    int unreadable = 0;
    for (int i = 0; i < nfiles; i++) {
        if (strcmp(argv[i], "-") == 0)
            continue;
        FILE *f = fopen(argv[i], "rb");
        if (f)
            fclose(f);
        else
            unreadable = h278_cli_error(argv[i], "%s", strerror(errno));
    }
    if (unreadable)
        return 1;

    printf("| file | bytes | entropy, bytes | optimal Huffman, bytes |");
    for (unsigned l = 0; l < nlimits; l++)
        printf(" H278 L=%u, bytes | vs optimal |", limits[l]);
    printf("\n|---|---:|---:|---:|");
    for (unsigned l = 0; l < nlimits; l++)
        printf("---:|---:|");
    printf("\n");

    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        const char *a = argv[i];
        size_t n;
        uint8_t *data = h278_cli_read_all(a, &n);
        if (!data) {
            rc = 1;
            continue;
        }
        double entropy = 0;
        uint64_t optimal = 0, limited[MAX_LIMITS] = {0};
        for (size_t off = 0; off < n; off += block_size) {
            size_t end = n - off < block_size ? n : off + block_size;
            uint64_t freq[256] = {0};
            uint8_t len[256];
            unsigned distinct = 0;
            for (size_t j = off; j < end; j++)
                freq[data[j]]++;
            for (unsigned s = 0; s < 256; s++)
                distinct += freq[s] != 0;
            if (distinct < 2)
                continue;
            for (unsigned s = 0; s < 256; s++)
                if (freq[s])
                    entropy -= (double)freq[s] * log2((double)freq[s] / (double)(end - off));
            h278_code_lengths(freq, 40, len);
            for (unsigned s = 0; s < 256; s++)
                optimal += freq[s] * len[s];
            for (unsigned l = 0; l < nlimits; l++) {
                if (distinct > (1u << limits[l]) || h278_code_lengths(freq, limits[l], len)) {
                    limited[l] += 8 * (uint64_t)(end - off); /* STORED */
                    continue;
                }
                for (unsigned s = 0; s < 256; s++)
                    limited[l] += freq[s] * len[s];
            }
        }
        printf("| %s | %zu | %.0f | %llu |", base_name(a), n, ceil(entropy / 8),
               (unsigned long long)((optimal + 7) / 8));
        for (unsigned l = 0; l < nlimits; l++)
            printf(" %llu | %+.3f%% |", (unsigned long long)((limited[l] + 7) / 8),
                   optimal ? 100.0 * ((double)limited[l] - (double)optimal) / (double)optimal : 0.0);
        printf("\n");
        free(data);
    }
    return rc;
}
