/*
 * cli.h - what the h278 subcommands share.
 *
 * Each subcommand is `int h278_cmd_NAME(int argc, char **argv)` with argv[0]
 * the subcommand's name; it returns the process exit status (0 only on
 * success). Errors go to stderr as "h278: FILE: message" (or "h278: message"
 * when no file is involved), as gzip and zstd do.
 */
#ifndef H278_CLI_H
#define H278_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "h278.h"

#if defined(__GNUC__)
#define H278_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define H278_PRINTF(a, b)
#endif

/* Prints "h278: FILE: message\n" (FILE omitted when NULL); returns 1. */
int h278_cli_error(const char *file, const char *fmt, ...) H278_PRINTF(2, 3);

/* "s" unless n is 1: "1 block", "2 blocks". */
static inline const char *h278_cli_plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* Prints s to stdout as a JSON string: quoted, with quotes, backslashes
 * and control characters escaped. */
void h278_cli_json_string(const char *s);

/* True when argv[i] is -h or --help. */
int h278_cli_is_help(const char *arg);

/* The one of names[0..n) closest to word, for a "did you mean" hint: at
 * most 2 edits away (insertions, deletions, substitutions) and fewer edits
 * than word has letters; NULL when none is that close. */
const char *h278_cli_closest(const char *word, const char *const *names, size_t n);

/* Reports an unknown decoder name, with the closest registered name (or
 * "simd") when there is one and where to find the list; returns 1. */
int h278_cli_unknown_decoder(const char *name);

/*
 * Option parsing: if argv[*i] is the option short (e.g. "-o") or long (e.g.
 * "--output"), returns its value — the next argument, or what follows
 * "--output=" / "-o" in the same argument — and advances *i past it. Returns
 * NULL if argv[*i] is not that option; sets *missing when the value is
 * absent.
 */
const char *h278_cli_opt(int argc, char **argv, int *i, const char *short_name,
                         const char *long_name, int *missing);

/* Parses an unsigned decimal with an optional K/M/G (binary) suffix.
 * Returns 0 on success. */
int h278_cli_parse_size(const char *s, uint64_t *out);

/* The encoder's options, as compress and explain --text take them: if
 * argv[*i] is -L, -K, -B, --layout or --interleaved, applies it to p and
 * returns 1 (advancing *i past a value); 0 if it is none of them (*missing
 * set when one of them lacks its value); -1 after printing a usage error. */
int h278_cli_enc_option(int argc, char **argv, int *i, h278_enc_params *p, int *missing);

/* Reads a whole file ("-" = stdin) into memory; NULL and an error printed on
 * failure. */
uint8_t *h278_cli_read_all(const char *path, size_t *n);

/* explain --trace: the first n symbols of Huffman block b as the variant
 * `decoder` (or the one it hands the block to) decodes them, step by step
 * (trace.c); JSON: a ,"trace":{...} member. 0, or prints and 1. */
int h278_cli_trace(const h278_block *b, const char *decoder, const h278_params *params, uint64_t n, int json);

int h278_cmd_compress(int argc, char **argv);
int h278_cmd_decompress(int argc, char **argv);
int h278_cmd_verify(int argc, char **argv);
int h278_cmd_info(int argc, char **argv);
int h278_cmd_explain(int argc, char **argv);
int h278_cmd_analyze(int argc, char **argv);
int h278_cmd_serve(int argc, char **argv);
int h278_cmd_feed(int argc, char **argv);

#endif /* H278_CLI_H */
