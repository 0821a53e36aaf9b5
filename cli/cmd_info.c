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

/* Parses FILE [--json] (and, for explain, --block N); returns -1 to go on,
 * else the exit status (after --help or a usage error). */
static int parse_args(int argc, char **argv, const char *help, const char **path, int *json, int64_t *only)
{
    int missing = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        uint64_t num;
        if (h278_cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (only && (v = h278_cli_opt(argc, argv, &i, "-b", "--block", &missing))) {
            if (h278_cli_parse_size(v, &num) || num > INT64_MAX)
                return h278_cli_error(NULL, "--block: expected a block number, got '%s'", v);
            *only = (int64_t)num;
        } else if (missing) {
            return h278_cli_error(NULL, "%s needs a value", argv[i]);
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
                        &path, &json, NULL);
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

/* What explain shows of one block, text or JSON. */
static void explain_block(const h278_reader *r, const h278_block *b, const uint8_t *data, int json)
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
            printf("}");
        else if (b->type == H278_BLOCK_RUN)
            printf("  one symbol (0x%02x) repeated: coded as a RUN block\n", b->payload[0]);
        else
            printf("  stored: a Huffman code would not be smaller (entropy %.3f bits/byte)\n", entropy);
        return;
    }
    uint32_t codes[256];
    h278_canonical_codes(b->lengths, codes);
    if (json)
        printf(",\"codes\":[");
    else
        printf("  %-6s %-5s %10s %4s  %s\n", "symbol", "char", "count", "len", "canonical code");
    int first = 1;
    for (unsigned s = 0; s < 256; s++) {
        if (!b->lengths[s])
            continue;
        avg += count[s] * (double)b->lengths[s] / n;
        char code[24];
        for (unsigned i = 0; i < b->lengths[s]; i++)
            code[i] = (char)('0' + ((codes[s] >> (b->lengths[s] - 1 - i)) & 1u));
        code[b->lengths[s]] = '\0';
        if (json) {
            printf("%s{\"symbol\":%u,\"count\":%llu,\"length\":%u,\"code\":\"%s\"}", first ? "" : ",", s,
                   (unsigned long long)count[s], b->lengths[s], code);
            first = 0;
            continue;
        }
        char shown[8];
        if (isprint((int)s) && s != ' ')
            snprintf(shown, sizeof shown, "'%c'", (char)s);
        else
            snprintf(shown, sizeof shown, "%s", s == ' ' ? "space" : s == '\n' ? "\\n"
                                                  : s == '\r' ? "\\r" : s == '\t' ? "\\t" : "");
        printf("  0x%02x   %-5s %10llu %4u  %s\n", s, shown, (unsigned long long)count[s], b->lengths[s], code);
    }
    if (json) {
        printf("],\"code_min_len\":%u,\"code_max_len\":%u,\"max_len\":%u,\"average_code_length\":%.4f,"
               "\"streams\":%u,\"layout\":\"%s\",\"stream_sizes\":[",
               b->code_min_len, b->code_max_len, b->max_len, avg, b->streams, layout_name(b->flags));
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
        printf("]}");
}

int h278_cmd_explain(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    int64_t only = -1;
    int rc = parse_args(argc, argv,
                        "usage: h278 explain FILE [--block N] [--json]\n\n"
                        "For each block (or only block N): every symbol's count, code length and\n"
                        "canonical code; entropy against average code length; the streams; and\n"
                        "the table memory each decoder variant needs for that code.\n"
                        "  --json  the same as one JSON object on stdout\n",
                        &path, &json, &only);
    if (rc >= 0)
        return rc;
    h278_reader r;
    h278_decoder *d;
    if (h278_reader_open(&r, path))
        return 1;
    if (only >= 0 && (uint64_t)only >= r.fh.block_count) {
        h278_cli_error(r.name, "there is no block %lld (the file has %llu)", (long long)only,
                       (unsigned long long)r.fh.block_count);
        h278_reader_close(&r);
        return 1;
    }
    uint8_t *data = malloc(r.fh.block_size);
    if (!data || h278_decoder_new("tree", NULL, &d)) {
        free(data);
        h278_reader_close(&r);
        return h278_cli_error(NULL, "out of memory");
    }
    print_header(&r, json);
    h278_block b;
    int got, shown = 0;
    rc = 0;
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
        explain_block(&r, &b, data, json);
        if (only >= 0)
            break;
    }
    if (got < 0)
        rc = 1;
    if (json && !rc)
        printf("]}\n");
    h278_decoder_free(d);
    free(data);
    h278_reader_close(&r);
    return rc;
}
