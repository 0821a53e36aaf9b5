/*
 * common.c - error printing and input reading shared by the subcommands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int h278_cli_error(const char *file, const char *fmt, ...)
{
    va_list ap;
    fputs("h278: ", stderr);
    if (file)
        fprintf(stderr, "%s: ", file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

void h278_cli_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int h278_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Levenshtein distance of a and b, stopping at 3 (all a hint needs). */
static unsigned edit_distance(const char *a, const char *b)
{
    enum { MAX_LEN = 32 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAX_LEN || lb > MAX_LEN || (la > lb ? la - lb : lb - la) > 2)
        return 3;
    unsigned row[MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diagonal = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned above = row[j];
            unsigned best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb] < 3 ? row[lb] : 3;
}

const char *h278_cli_closest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    unsigned best_distance = 3;
    for (size_t i = 0; i < n; i++) {
        unsigned d = edit_distance(word, names[i]);
        if (d < best_distance && d < strlen(word)) {
            best = names[i];
            best_distance = d;
        }
    }
    return best;
}

int h278_cli_unknown_decoder(const char *name)
{
    const char *names[64];
    size_t n = 0;
    names[n++] = "simd";
    for (size_t i = 0; i < h278_variant_count() && n < sizeof names / sizeof names[0]; i++)
        names[n++] = h278_variant_name(i);
    const char *hint = h278_cli_closest(name, names, n);
    if (hint)
        return h278_cli_error(NULL, "unknown decoder '%s': did you mean '%s'? (h278 decompress --list-decoders "
                              "lists them)", name, hint);
    return h278_cli_error(NULL, "unknown decoder '%s' (h278 decompress --list-decoders lists them)", name);
}

uint8_t *h278_cli_read_all(const char *path, size_t *n)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        h278_cli_error(path, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = !buf || ferror(f);
    int e = errno;
    if (!is_stdin)
        fclose(f);
    if (failed) {
        free(buf);
        h278_cli_error(is_stdin ? "(stdin)" : path, "%s", buf ? strerror(e) : "out of memory");
        return NULL;
    }
    *n = len;
    return buf;
}

const char *h278_cli_opt(int argc, char **argv, int *i, const char *short_name,
                         const char *long_name, int *missing)
{
    const char *a = argv[*i];
    size_t sl = short_name ? strlen(short_name) : 0, ll = long_name ? strlen(long_name) : 0;
    if ((short_name && strcmp(a, short_name) == 0) || (long_name && strcmp(a, long_name) == 0)) {
        if (*i + 1 >= argc) {
            *missing = 1;
            return NULL;
        }
        *i += 1;
        return argv[*i];
    }
    if (long_name && strncmp(a, long_name, ll) == 0 && a[ll] == '=')
        return a + ll + 1;
    if (short_name && sl == 2 && strncmp(a, short_name, 2) == 0 && a[2] != '\0')
        return a + 2;
    return NULL;
}

int h278_cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) {
        end++;
        if (*end == 'i')
            end++;
        if (*end == 'B')
            end++;
    }
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int h278_cli_enc_option(int argc, char **argv, int *i, h278_enc_params *p, int *missing)
{
    const char *v;
    uint64_t num;
    if (strcmp(argv[*i], "--interleaved") == 0) {
        p->interleaved = 1;
        p->pivot = 0;
    } else if ((v = h278_cli_opt(argc, argv, i, NULL, "--layout", missing))) {
        if (strcmp(v, "segmented") != 0 && strcmp(v, "interleaved") != 0 && strcmp(v, "pivot") != 0)
            return -h278_cli_error(NULL, "--layout: expected segmented, interleaved or pivot, got '%s'", v);
        p->interleaved = strcmp(v, "interleaved") == 0;
        p->pivot = strcmp(v, "pivot") == 0;
    } else if ((v = h278_cli_opt(argc, argv, i, "-L", "--max-len", missing))) {
        if (h278_cli_parse_size(v, &num) || num < 1 || num > H278_MAX_CODE_LEN)
            return -h278_cli_error(NULL, "-L: expected a code length from 1 to 20, got '%s'", v);
        p->max_len = (unsigned)num;
    } else if ((v = h278_cli_opt(argc, argv, i, "-K", "--streams", missing))) {
        if (h278_cli_parse_size(v, &num) || num > 32 || !h278_streams_legal((unsigned)num))
            return -h278_cli_error(NULL, "-K: expected 1, 4, 8, 16 or 32, got '%s'", v);
        p->streams = (unsigned)num;
    } else if ((v = h278_cli_opt(argc, argv, i, "-B", "--block-size", missing))) {
        if (h278_cli_parse_size(v, &num) || num < H278_MIN_BLOCK_SIZE || num > H278_MAX_BLOCK_SIZE)
            return -h278_cli_error(NULL, "-B: expected a block size from 256 to 16M, got '%s'", v);
        p->block_size = (uint32_t)num;
    } else {
        return 0;
    }
    return 1;
}
