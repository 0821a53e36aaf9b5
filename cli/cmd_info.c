/*
 * cmd_info.c - `h278 info` and `h278 explain`: what is inside a file.
 *
 * info prints the file header and one line per block. explain teaches: for
 * each block it decodes the data (with the tree oracle) to count symbols,
 * then shows every symbol's count, code length and canonical code, the
 * entropy against the average code length, the streams, and the table memory
 * each decoder variant would build for this code.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "reader.h"

static const char *type_name(uint8_t t)
{
    return t == H278_BLOCK_HUFFMAN ? "huffman" : t == H278_BLOCK_STORED ? "stored" : "run";
}

/* The stream layout (docs/FORMAT.md): spread is segmented with spread
 * segments (format version 2). */
static const char *layout_name(uint8_t flags)
{
    return (flags & H278_BLOCK_FLAG_PIVOT)         ? "pivot"
         : (flags & H278_BLOCK_FLAG_INTERLEAVED) ? "interleaved"
         : (flags & H278_BLOCK_FLAG_SPREAD)      ? "spread"
                                                 : "segmented";
}

static uint64_t coded_bits(const h278_block *b)
{
    uint64_t bytes = 0;
    for (unsigned s = 0; s < b->streams; s++)
        bytes += b->stream_size[s];
    return b->type == H278_BLOCK_HUFFMAN ? bytes * 8 : (uint64_t)b->payload_size * 8;
}

static void print_header(const h278_reader *r, int json)
{
    if (json) {
        printf("{\"file\":");
        h278_cli_json_string(r->name);
        printf(",\"version\":%u,\"max_len\":%u,\"block_size\":%u,\"block_count\":%llu,\"original_size\":%llu,"
               "\"blocks\":[",
               r->fh.version, r->fh.max_len, r->fh.block_size, (unsigned long long)r->fh.block_count,
               (unsigned long long)r->fh.original_size);
        return;
    }
    printf("%s: H278 format version %u, L=%u, block size %u, %llu block%s, original size %llu byte%s\n",
           r->name, r->fh.version, r->fh.max_len, r->fh.block_size, (unsigned long long)r->fh.block_count,
           h278_cli_plural(r->fh.block_count), (unsigned long long)r->fh.original_size,
           h278_cli_plural(r->fh.original_size));
}

/* Parses info's FILE [--json]; returns -1 to go on, else the exit status
 * (after --help or a usage error). */
static int parse_args(int argc, char **argv, const char *help, const char **path, int *json)
{
    for (int i = 1; i < argc; i++) {
        if (h278_cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return h278_cli_error(NULL, "unknown option '%s' (see h278 %s --help)", argv[i], argv[0]);
        } else if (*path) {
            return h278_cli_error(NULL, "more than one input given");
        } else {
            *path = argv[i];
        }
    }
    if (!*path)
        return h278_cli_error(NULL, "no input file (see h278 %s --help)", argv[0]);
    return -1;
}

int h278_cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    int rc = parse_args(argc, argv,
                        "usage: h278 info FILE [--json]\n\n"
                        "Prints the file header and one line per block: type, sizes, L, K,\n"
                        "layout, number of symbols, longest code and coded bits per byte.\n"
                        "  --json  the same as one JSON object on stdout\n",
                        &path, &json);
    if (rc >= 0)
        return rc;
    h278_reader r;
    if (h278_reader_open(&r, path))
        return 1;
    print_header(&r, json);
    if (!json)
        printf("%6s %-8s %9s %9s %3s %3s %-11s %4s %6s %9s\n", "block", "type", "decoded", "stored", "L",
               "K", "layout", "syms", "maxlen", "bits/byte");
    h278_block b;
    int got;
    while ((got = h278_reader_next(&r, &b)) > 0) {
        const char *layout = b.type == H278_BLOCK_HUFFMAN ? layout_name(b.flags) : "-";
        double bits_per_byte = (double)coded_bits(&b) / b.decoded_size;
        if (json)
            printf("%s{\"index\":%llu,\"type\":\"%s\",\"decoded\":%u,\"stored\":%u,\"max_len\":%u,"
                   "\"streams\":%u,\"layout\":\"%s\",\"symbols\":%u,\"code_max_len\":%u,\"bits_per_byte\":%.4f}",
                   r.index ? "," : "", (unsigned long long)r.index, type_name(b.type), b.decoded_size,
                   b.total_size, b.max_len, b.streams, layout, b.symbol_count, b.code_max_len, bits_per_byte);
        else
            printf("%6llu %-8s %9u %9u %3u %3u %-11s %4u %6u %9.3f\n", (unsigned long long)r.index,
                   type_name(b.type), b.decoded_size, b.total_size, b.max_len, b.streams, layout,
                   b.symbol_count, b.code_max_len, bits_per_byte);
    }
    double bits_per_byte = r.fh.original_size ? 8.0 * (double)r.offset / (double)r.fh.original_size : 0.0;
    if (got == 0 && json)
        printf("],\"stored_size\":%llu,\"bits_per_byte\":%.4f}\n", (unsigned long long)r.offset, bits_per_byte);
    else if (got == 0)
        printf("total: %llu bytes -> %llu bytes (%.3f bits/byte)\n", (unsigned long long)r.fh.original_size,
               (unsigned long long)r.offset, bits_per_byte);
    h278_reader_close(&r);
    return got < 0;
}

/* A pivot block's code tree (docs/FORMAT.md), one node per line, indented
 * by depth: what passes through each node and what its region holds. In
 * JSON a "pivot_tree" array, then the "tables" go on. */
static void print_pivot_tree(const h278_block *b, int json)
{
    static h278_pivot_node_info nodes[H278_PIVOT_MAX_NODES];
    size_t count = h278_pivot_describe(b, nodes, H278_PIVOT_MAX_NODES);
    if (!count)
        return;
    if (json)
        printf("\"pivot_tree\":[");
    else
        printf("  pivot tree, %zu nodes in region order (symbols through each node, region bytes):\n", count);
    for (size_t i = 0; i < count; i++) {
        const h278_pivot_node_info *n = &nodes[i];
        static const char *const kinds[] = {"leaf", "flat", "mixed"};
        if (json) {
            printf("%s{\"kind\":\"%s\",\"depth\":%u,\"symbols\":%u,\"region_bytes\":%u", i ? "," : "",
                   kinds[n->kind], n->depth, n->symbols, n->region_bytes);
            if (n->kind == 0)
                printf(",\"symbol\":%u", n->symbol);
            if (n->kind == 1)
                printf(",\"flat_bits\":%u", n->flat_bits);
            printf("}");
            continue;
        }
        printf("    %*s%-5s %8u symbols", 2 * n->depth, "", kinds[n->kind], n->symbols);
        if (n->kind == 0)
            printf("  symbol 0x%02x%s%c%s\n", n->symbol, isprint(n->symbol) ? " '" : "",
                   isprint(n->symbol) ? (char)n->symbol : ' ', isprint(n->symbol) ? "'" : "");
        else if (n->kind == 1)
            printf("  %u leaves of %u-bit codes, %u bytes\n", 1u << n->flat_bits, n->flat_bits, n->region_bytes);
        else
            printf("  count + bitmap, %u bytes\n", n->region_bytes);
    }
    if (json)
        printf("],");
}

/* How a symbol reads in a table: 'c', space, \n, or nothing. */
static void symbol_shown(unsigned s, char shown[8])
{
    if (isprint((int)s) && s != ' ')
        snprintf(shown, 8, "'%c'", (char)s);
    else
        snprintf(shown, 8, "%s", s == ' ' ? "space" : s == '\n' ? "\\n" : s == '\r' ? "\\r" : s == '\t' ? "\\t" : "");
}

static void code_string(uint32_t code, unsigned len, char out[24])
{
    for (unsigned i = 0; i < len; i++)
        out[i] = (char)('0' + ((code >> (len - 1 - i)) & 1u));
    out[len] = '\0';
}

/* The symbols in canonical order: by code length, then by symbol (the
 * order their codes count up in, docs/FORMAT.md). Returns how many. */
static unsigned canonical_order(const uint8_t lengths[256], uint8_t order[256])
{
    unsigned n = 0;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++)
        for (unsigned s = 0; s < 256; s++)
            if (lengths[s] == l)
                order[n++] = (uint8_t)s;
    return n;
}

/* The code tree in text, for small codes: one line per node, 0 to the
 * left (above), 1 to the right (below). */
#define TREE_MAX_SYMBOLS 16u
static void print_tree(const uint8_t lengths[256], const uint32_t codes[256], const char *prefix, uint32_t path,
                       unsigned depth)
{
    for (unsigned bit = 0; bit < 2; bit++) {
        const uint32_t p = path << 1 | bit;
        const int last = bit == 1;
        int leaf = -1, below = 0;
        for (unsigned s = 0; s < 256; s++) {
            if (lengths[s] == depth + 1 && codes[s] == p)
                leaf = (int)s;
            if (lengths[s] > depth + 1 && codes[s] >> (lengths[s] - depth - 1) == p)
                below = 1;
        }
        if (leaf < 0 && !below)
            continue;
        printf("  %s%s%u-", prefix, last ? "`-" : "+-", bit);
        if (leaf >= 0) {
            char shown[8];
            symbol_shown((unsigned)leaf, shown);
            printf(" 0x%02x %s\n", (unsigned)leaf, shown);
            continue;
        }
        printf("+\n");
        /* The children start under this node's +; a | carries on to the
         * 1 branch below them. A code of TREE_MAX_SYMBOLS symbols is at
         * most TREE_MAX_SYMBOLS - 1 deep. */
        char next[4 * TREE_MAX_SYMBOLS + 1];
        const size_t len = strlen(prefix);
        if (len + 5 > sizeof next)
            continue;
        memcpy(next, prefix, len);
        memcpy(next + len, last ? "    " : "|   ", 5);
        print_tree(lengths, codes, next, p, depth + 1);
    }
}

/* explain's canonical view: the per-length table, the Kraft sum, and for
 * codes of up to TREE_MAX_SYMBOLS symbols the tree (text only). */
static void print_lengths(const h278_block *b, const uint32_t codes[256], int json)
{
    unsigned count[H278_MAX_CODE_LEN + 1] = {0};
    uint32_t first[H278_MAX_CODE_LEN + 1] = {0};
    for (unsigned s = 256; s-- > 0;)
        if (b->lengths[s]) {
            count[b->lengths[s]]++;
            first[b->lengths[s]] = codes[s]; /* the smallest symbol of a length has its first code */
        }
    double kraft = 0;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++)
        kraft += ldexp(count[l], -(int)l);
    if (json) {
        printf("\"lengths\":[");
        int any = 0;
        for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++) {
            if (!count[l])
                continue;
            char code[24];
            code_string(first[l], l, code);
            printf("%s{\"length\":%u,\"symbols\":%u,\"first_code\":\"%s\",\"kraft_share\":%.6f}", any++ ? "," : "",
                   l, count[l], code, ldexp(count[l], -(int)l));
        }
        printf("],\"kraft_sum\":%.6f,", kraft);
        return;
    }
    printf("  per code length (canonical codes of one length count up from the first):\n");
    printf("  %6s %8s %-20s %s\n", "length", "symbols", "first code", "share of the Kraft sum (symbols x 2^-length)");
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN; l++) {
        if (!count[l])
            continue;
        char code[24];
        code_string(first[l], l, code);
        printf("  %6u %8u %-20s %.6f\n", l, count[l], code, ldexp(count[l], -(int)l));
    }
    printf("  Kraft sum %.6f%s\n", kraft,
           kraft == 1.0 ? " (= 1: a complete code, every bit string starts a code)" : "");
    if (b->symbol_count <= TREE_MAX_SYMBOLS) {
        printf("  the code tree (0 above, 1 below; + is a node):\n  +\n");
        print_tree(b->lengths, codes, "", 0, 0);
    }
}

/* What explain shows of one block, text or JSON; stored_note: the block is
 * Huffman-coded only because --input/--text asked (its stored size). */
static void explain_block(const h278_reader *r, const h278_block *b, const uint8_t *data, int json,
                          uint32_t stored_note)
{
    uint64_t count[256] = {0};
    for (uint32_t i = 0; i < b->decoded_size; i++)
        count[data[i]]++;
    double n = b->decoded_size, entropy = 0, avg = 0;
    for (unsigned s = 0; s < 256; s++)
        if (count[s])
            entropy -= (count[s] / n) * log2(count[s] / n);
    if (json)
        printf("{\"index\":%llu,\"type\":\"%s\",\"decoded\":%u,\"stored\":%u,\"entropy\":%.4f",
               (unsigned long long)r->index, type_name(b->type), b->decoded_size, b->total_size, entropy);
    else
        printf("\nblock %llu: %s, %u byte%s decoded, %u byte%s stored\n", (unsigned long long)r->index,
               type_name(b->type), b->decoded_size, h278_cli_plural(b->decoded_size), b->total_size,
               h278_cli_plural(b->total_size));
    if (b->type != H278_BLOCK_HUFFMAN) {
        if (json)
            ;
        else if (b->type == H278_BLOCK_RUN)
            printf("  one symbol (0x%02x) repeated: coded as a RUN block (a Huffman code needs two or more symbols)\n",
                   b->payload[0]);
        else
            printf("  stored: a Huffman code would not be smaller (entropy %.3f bits/byte)\n", entropy);
        return;
    }
    uint32_t codes[256];
    h278_canonical_codes(b->lengths, codes);
    uint8_t order[256];
    const unsigned ncodes = canonical_order(b->lengths, order);
    if (stored_note && !json)
        printf("  Huffman-coded to be explained: H278 would store this block (%u bytes coded against %u stored)\n",
               b->total_size, stored_note);
    if (json)
        printf(",\"huffman_coded_for_explain\":%s,\"codes\":[", stored_note ? "true" : "false");
    else
        printf("  %-6s %-5s %10s %8s %4s  %-20s | canonical order: %-6s %-5s %4s  %s\n", "symbol", "char", "count",
               "-log2 p", "len", "canonical code", "symbol", "char", "len", "code");
    /* Byte order on the left, canonical order on the right, row by row. */
    unsigned row = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (!b->lengths[s])
            continue;
        avg += count[s] * (double)b->lengths[s] / n;
        char code[24], shown[8];
        code_string(codes[s], b->lengths[s], code);
        const double info = count[s] ? -log2(count[s] / n) : 0.0;
        if (json) {
            printf("%s{\"symbol\":%u,\"count\":%llu,\"neg_log2_p\":%.4f,\"length\":%u,\"code\":\"%s\"}",
                   row++ ? "," : "", s, (unsigned long long)count[s], info, b->lengths[s], code);
            continue;
        }
        symbol_shown(s, shown);
        const unsigned c = order[row++];
        char ccode[24], cshown[8];
        code_string(codes[c], b->lengths[c], ccode);
        symbol_shown(c, cshown);
        printf("  0x%02x   %-5s %10llu %8.3f %4u  %-20s |                  0x%02x   %-5s %4u  %s\n", s, shown,
               (unsigned long long)count[s], info, b->lengths[s], code, c, cshown, b->lengths[c], ccode);
    }
    if (json) {
        printf("],\"canonical_order\":[");
        for (unsigned i = 0; i < ncodes; i++)
            printf("%s%u", i ? "," : "", order[i]);
        printf("],");
        print_lengths(b, codes, json);
        printf("\"code_min_len\":%u", b->code_min_len);
    }
    if (json) {
        printf(",\"code_max_len\":%u,\"max_len\":%u,\"average_code_length\":%.4f,"
               "\"streams\":%u,\"layout\":\"%s\",\"stream_sizes\":[",
               b->code_max_len, b->max_len, avg, b->streams, layout_name(b->flags));
        for (unsigned s = 0; s < b->streams; s++)
            printf("%s%u", s ? "," : "", b->stream_size[s]);
        printf("],");
        print_pivot_tree(b, json);
        printf("\"tables\":[");
    } else {
        printf("  %u symbols, code lengths %u..%u (limit L=%u)\n", b->symbol_count, b->code_min_len,
               b->code_max_len, b->max_len);
        printf("  entropy %.4f bits/symbol, average code length %.4f bits/symbol (+%.2f%%)\n", entropy, avg,
               entropy > 0 ? 100.0 * (avg - entropy) / entropy : 0.0);
        print_lengths(b, codes, json);
        printf("  %u stream%s, %s layout; stream sizes:", b->streams, h278_cli_plural(b->streams),
               layout_name(b->flags));
        for (unsigned s = 0; s < b->streams; s++)
            printf(" %u", b->stream_size[s]);
        printf(" bytes\n");
        print_pivot_tree(b, json);
        printf("  tables each decoder variant builds for this code:\n");
    }
    const unsigned layout = (b->flags & H278_BLOCK_FLAG_PIVOT) ? H278_LAYOUTS_PIVOT : H278_LAYOUTS_CLASSIC;
    for (size_t i = 0; i < h278_variant_count(); i++) {
        int takes = h278_variant_takes(i, b);
        if (!(h278_variant_layouts(i) & layout)) {
            if (json)
                printf("%s{\"variant\":\"%s\",\"decodes_layout\":false}", i ? "," : "", h278_variant_name(i));
            else
                printf("    %-14s    (does not decode the %s layout)\n", h278_variant_name(i), layout_name(b->flags));
            continue;
        }
        if (json) {
            printf("%s{\"variant\":\"%s\",", i ? "," : "", h278_variant_name(i));
            if (takes)
                printf("\"bytes\":%zu,\"available\":%s}", h278_variant_table_bytes(i, b->code_max_len, NULL),
                       h278_variant_available(i) ? "true" : "false");
            else
                printf("\"hands_to\":\"%s\"}", h278_variant_fallback(i));
        } else if (!takes) {
            printf("    %-14s    (hands this block to %s)\n", h278_variant_name(i), h278_variant_fallback(i));
        } else {
            printf("    %-14s %9zu bytes%s\n", h278_variant_name(i),
                   h278_variant_table_bytes(i, b->code_max_len, NULL),
                   h278_variant_available(i) ? "" : "  (not available on this CPU)");
        }
    }
    if (json)
        printf("]");
}

/* --input / --text: the raw bytes coded in memory with p, every block of
 * two or more distinct symbols as HUFFMAN even where STORED is smaller (a
 * lesson wants a code to look at). *file gets the whole .h278 file;
 * stored[i] is block i's stored size where H278 itself would have stored
 * it, else 0. 0, or prints and 1. */
static int code_input(const char *name, const uint8_t *in, size_t n, const h278_enc_params *p, uint8_t **file,
                      size_t *file_size, uint32_t **stored)
{
    if (n == 0)
        return h278_cli_error(name, "nothing to explain: the input is empty");
    const uint64_t bound = h278_compress_bound(n, p);
    const size_t blocks = (n + p->block_size - 1) / p->block_size;
    uint8_t *out = malloc(bound);
    *stored = calloc(blocks, sizeof **stored);
    h278_error err = out && *stored ? h278_write_file_header(p, n, out) : H278_ERR_NO_MEMORY;
    size_t pos = H278_FILE_HEADER_SIZE;
    for (size_t i = 0; i < blocks && !err; i++) {
        const size_t off = i * p->block_size, len = n - off < p->block_size ? n - off : p->block_size;
        size_t got;
        err = h278_encode_block_huffman(in + off, len, p, out + pos, bound - pos, &got);
        /* H278 itself stores a block whose code is no smaller (FORMAT.md). */
        if (!err && out[pos] == H278_BLOCK_HUFFMAN && got - H278_BLOCK_HEADER_SIZE >= len)
            (*stored)[i] = (uint32_t)(H278_BLOCK_HEADER_SIZE + len);
        pos += got;
    }
    if (err) {
        free(out);
        free(*stored);
        *stored = NULL;
        return h278_cli_error(name, "cannot code it: %s%s", h278_strerror(err),
                              err == H278_ERR_CODE_TOO_LONG ? " (more distinct bytes than 2^L codes: raise -L)" : "");
    }
    *file = out;
    *file_size = pos;
    return 0;
}

int h278_cmd_explain(int argc, char **argv)
{
    static const char help[] =
        "usage: h278 explain FILE.h278 [--block N] [--json]\n"
        "       h278 explain --input FILE | --text STRING [-L N] [-K N] [-B SIZE] [--layout LAYOUT]\n"
        "                    [--block N] [--json]\n"
        "       (either) [--trace N [--decoder NAME] [--short-bits N] [--table-bits N]]\n\n"
        "For each block (or only block N): every symbol's count, -log2 of its\n"
        "probability, code length and canonical code, beside the same symbols in\n"
        "canonical order (by length, then symbol); how many codes each length has,\n"
        "its first code and share of the Kraft sum; the tree, for codes of up to 16\n"
        "symbols; entropy against average code length; the streams; and the table\n"
        "memory each decoder variant needs for that code.\n"
        "  --input FILE    explain FILE's raw bytes, coded in memory (nothing is written)\n"
        "  --text STRING   the same for STRING (say, a word on the blackboard)\n"
        "                  With either, a block is Huffman-coded even where H278 would\n"
        "                  store it (as it does below about 88 bytes), and says so;\n"
        "                  -L, -K, -B and --layout are as for h278 compress\n"
        "  --trace N       then the first N symbols of the block (block 0, or --block N)\n"
        "                  decoded step by step as --decoder NAME (default tree) decodes\n"
        "                  them: the tree's bit path, the table's peeked bits, index and\n"
        "                  entry, the hybrid's hit or escape to the long-code search, the\n"
        "                  multi-symbol entries, the SIMD lanes' steps, or, in the pivot\n"
        "                  layout, each symbol's way through the nodes' bitmaps\n"
        "  --short-bits N, --table-bits N   the hybrid's and multisym's widths (6..14)\n"
        "  --json          the same as one JSON object on stdout\n";
    const char *path = NULL, *input = NULL, *text = NULL, *decoder = "tree";
    int json = 0, missing = 0, enc_given = 0;
    uint64_t trace = 0;
    h278_params params = {0, 0};
    int64_t only = -1;
    h278_enc_params p;
    h278_enc_params_default(&p);
    for (int i = 1; i < argc; i++) {
        const char *v;
        uint64_t num;
        int got;
        if (h278_cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-b", "--block", &missing))) {
            if (h278_cli_parse_size(v, &num) || num > INT64_MAX)
                return h278_cli_error(NULL, "--block: expected a block number, got '%s'", v);
            only = (int64_t)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--input", &missing))) {
            input = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--text", &missing))) {
            text = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--trace", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < 1 || num > 1000000)
                return h278_cli_error(NULL, "--trace: expected a number of symbols from 1 to 1000000, got '%s'", v);
            trace = num;
        } else if ((v = h278_cli_opt(argc, argv, &i, "-d", "--decoder", &missing))) {
            decoder = v;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--short-bits", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < H278_TABLE_BITS_MIN || num > H278_TABLE_BITS_MAX)
                return h278_cli_error(NULL, "--short-bits: expected 6..14, got '%s'", v);
            params.short_bits = (unsigned)num;
        } else if ((v = h278_cli_opt(argc, argv, &i, NULL, "--table-bits", &missing))) {
            if (h278_cli_parse_size(v, &num) || num < H278_TABLE_BITS_MIN || num > H278_TABLE_BITS_MAX)
                return h278_cli_error(NULL, "--table-bits: expected 6..14, got '%s'", v);
            params.table_bits = (unsigned)num;
        } else if ((got = h278_cli_enc_option(argc, argv, &i, &p, &missing)) != 0) {
            if (got < 0)
                return 1;
            enc_given = 1;
        } else if (missing) {
            return h278_cli_error(NULL, "%s needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return h278_cli_error(NULL, "unknown option '%s' (see h278 explain --help)", argv[i]);
        } else if (path) {
            return h278_cli_error(NULL, "more than one input given");
        } else {
            path = argv[i];
        }
    }
    if (!!path + !!input + !!text != 1)
        return h278_cli_error(NULL, "give one of FILE.h278, --input FILE or --text STRING (see h278 explain --help)");
    if (path && enc_given)
        return h278_cli_error(path, "-L, -K, -B and --layout code --input or --text; an .h278 file's code is "
                                    "already chosen (h278 compress it again to change it)");
    if (h278_enc_params_check(&p) != H278_OK)
        return h278_cli_error(NULL, "--layout pivot and --interleaved do not go together");

    h278_reader r;
    uint8_t *raw = NULL, *file = NULL;
    uint32_t *stored = NULL;
    if (path) {
        if (h278_reader_open(&r, path))
            return 1;
    } else {
        size_t n = text ? strlen(text) : 0, size = 0;
        const char *name = text ? "(text)" : input;
        if (input && !(raw = h278_cli_read_all(input, &n)))
            return 1;
        int bad = code_input(name, text ? (const uint8_t *)text : raw, n, &p, &file, &size, &stored);
        free(raw);
        if (bad || h278_reader_open_memory(&r, file, size, name)) {
            free(file);
            free(stored);
            return 1;
        }
    }
    h278_decoder *d;
    if (only >= 0 && (uint64_t)only >= r.fh.block_count) {
        h278_cli_error(r.name, "there is no block %lld (the file has %llu)", (long long)only,
                       (unsigned long long)r.fh.block_count);
        h278_reader_close(&r);
        free(file);
        free(stored);
        return 1;
    }
    uint8_t *data = malloc(r.fh.block_size);
    if (!data || h278_decoder_new("tree", NULL, &d)) {
        free(data);
        free(file);
        free(stored);
        h278_reader_close(&r);
        return h278_cli_error(NULL, "out of memory");
    }
    print_header(&r, json);
    h278_block b;
    int got, shown = 0, rc = 0;
    while ((got = h278_reader_next(&r, &b)) > 0) {
        if (only >= 0 && r.index != (uint64_t)only)
            continue;
        h278_error err = h278_decode_block(d, &b, data, r.fh.block_size);
        if (err) {
            rc = h278_reader_block_error(&r, err);
            break;
        }
        if (json && shown++)
            putchar(',');
        explain_block(&r, &b, data, json, stored ? stored[r.index] : 0);
        if (trace && h278_cli_trace(&b, decoder, &params, trace, json)) {
            rc = 1;
            break;
        }
        if (json)
            putchar('}');
        if (only >= 0 || trace)
            break;
    }
    if (got < 0)
        rc = 1;
    if (json && !rc)
        printf("]}\n");
    h278_decoder_free(d);
    free(data);
    h278_reader_close(&r);
    free(file);
    free(stored);
    return rc;
}
