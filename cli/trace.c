/*
 * trace.c - `h278 explain --trace N`: the first N symbols of a block decoded
 * step by step as one decoder strategy sees them.
 *
 * This is a model of each strategy, built from the block's code as the
 * decoders build their tables (docs/DECODERS.md), not a hook into their
 * loops: what a step peeks, the index it looks up, the entry it finds and
 * the output it writes. The strategies:
 *   tree      one bit per step down the canonical tree
 *   table     the next M bits (M = the longest code) index 2^M entries of
 *             one symbol
 *   hybrid    the next S bits index 2^S entries; a code longer than S
 *             escapes to the canonical search
 *   multisym  the next W bits index entries of up to three whole codes; a
 *             first code longer than W escapes to the search
 *   lanes     (avx2, avx512) one step: every stream of an interleaved block
 *             is a lane, each looks up one symbol, all in the same step
 *   multi     (avx2-multi, avx512-multi) one step: every segment is a lane,
 *             each looks up an entry of up to two (AVX2) or four (AVX-512)
 *             codes in 12 bits
 *   pivot     the pivot layout: each symbol's way from the root through the
 *             MIXED nodes' bitmaps to a LEAF or a FLAT node's packed code,
 *             after the root's merge (which child each position takes)
 * Streams are read least-significant bit first (FORMAT.md); "bits" below
 * lists them in the order read. Every step also records the output
 * positions it writes, so a test can compare the traced symbols with the
 * block's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The widths the decoders pick (lanes.h, multi_lanes.h). */
#define TIER_SHORT_BITS 11u
#define TIER_LONG_BITS 12u
#define MULTISYM_MAX_SYMBOLS 3u
#define MULTI_LANES_BITS 12u
#define MULTI_CAP2_PERCENT 108u

typedef struct code_view {
    const h278_block *b;
    uint32_t codes[256]; /* canonical, most significant bit first */
    uint32_t rev[256];   /* bit-reversed: as a lookup index sees them */
} code_view;

typedef struct trace_out {
    int json, steps;
} trace_out;

static uint32_t reverse_bits(uint32_t v, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((v >> i) & 1u) << (n - 1 - i);
    return r;
}

/* n bits of stream s from bit pos, the first read in bit 0 (past the end:
 * zeros). */
static uint32_t peek(const h278_block *b, unsigned s, uint64_t pos, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint64_t at = pos + i;
        if ((at >> 3) < b->stream_size[s])
            v |= (uint32_t)((b->stream[s][at >> 3] >> (at & 7)) & 1u) << i;
    }
    return v;
}

/* The symbol whose code starts the index's low `avail` bits, or -1 if the
 * code there is longer; *len its length. */
static int match(const code_view *c, uint32_t index, unsigned avail, unsigned *len)
{
    for (unsigned s = 0; s < 256; s++) {
        const unsigned l = c->b->lengths[s];
        if (l && l <= avail && (index & ((1u << l) - 1)) == c->rev[s]) {
            *len = l;
            return (int)s;
        }
    }
    return -1;
}

/* Up to max whole codes in the index's `width` bits, greedily (the
 * multi-symbol entries). Returns how many; bits gets their total length. */
static unsigned entry_of(const code_view *c, uint32_t index, unsigned width, unsigned max, uint8_t *syms,
                         unsigned *bits)
{
    unsigned n = 0, used = 0, len;
    int s;
    while (n < max && (s = match(c, index >> used, width - used, &len)) >= 0) {
        syms[n++] = (uint8_t)s;
        used += len;
    }
    *bits = used;
    return n;
}

static void bit_string(uint32_t v, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = (char)('0' + ((v >> i) & 1u));
    out[n] = '\0';
}

static void print_symbol(unsigned s, int json)
{
    if (json)
        printf("%u", s);
    else if (s > 32 && s < 127 && s != '\'')
        printf(" '%c'", (char)s);
    else
        printf(" 0x%02x", s);
}

/* One traced step: what it read, what it found, where it wrote. */
static void step(trace_out *o, const char *kind, int lane, unsigned stream, uint64_t bit, const char *bits,
                 long index, const uint8_t *syms, const uint64_t *pos, unsigned n, const char *note)
{
    if (o->json) {
        printf("%s{\"kind\":\"%s\",", o->steps++ ? "," : "", kind);
        if (lane >= 0)
            printf("\"lane\":%d,", lane);
        printf("\"stream\":%u,\"bit\":%llu,\"bits\":\"%s\",", stream, (unsigned long long)bit, bits);
        if (index >= 0)
            printf("\"index\":%ld,", index);
        printf("\"symbols\":[");
        for (unsigned i = 0; i < n; i++) {
            printf(i ? "," : "");
            print_symbol(syms[i], 1);
        }
        printf("],\"positions\":[");
        for (unsigned i = 0; i < n; i++)
            printf("%s%llu", i ? "," : "", (unsigned long long)pos[i]);
        printf("]}");
        return;
    }
    o->steps++;
    if (lane >= 0)
        printf("    lane %2d: ", lane);
    else
        printf("    ");
    if (strcmp(kind, "path") == 0)
        printf("%s", bits); /* the pivot layout: a path through the nodes, not a stream's bits */
    else
        printf("stream %u, bit %6llu: %-8s %-22s", stream, (unsigned long long)bit, kind, bits);
    if (index >= 0)
        printf(" index %5ld ->", index);
    else
        printf(" ->");
    for (unsigned i = 0; i < n; i++)
        print_symbol(syms[i], 0);
    printf("  (output %llu%s)%s%s\n", (unsigned long long)pos[0], n > 1 ? "..." : "", note ? "  " : "",
           note ? note : "");
}

/* Where the i-th symbol of stream s goes in the block. */
static uint64_t out_pos(const h278_block *b, unsigned s, uint64_t i)
{
    if (b->flags & H278_BLOCK_FLAG_INTERLEAVED)
        return s + i * b->streams;
    return (uint64_t)s * h278_segment_symbols(b->decoded_size, b->streams, b->flags) + i;
}

enum strategy { TREE, TABLE, HYBRID, MULTISYM, LANES, MULTI, PIVOT };

/* The classic strategies, one lookup at a time, in output order: each
 * round takes the lowest output position not yet traced and does one
 * step on its stream. */
static void trace_scalar(trace_out *o, const code_view *c, enum strategy how, unsigned width, uint64_t n)
{
    const h278_block *b = c->b;
    if (n > b->decoded_size)
        n = b->decoded_size;
    uint64_t bitpos[H278_MAX_STREAMS] = {0}, done[H278_MAX_STREAMS] = {0};
    uint8_t *written = calloc(n ? n : 1, 1);
    if (!written)
        return;
    for (uint64_t next = 0; next < n;) {
        /* The stream that writes `next`: its next symbol goes there. */
        unsigned s = 0;
        while (s < b->streams && !(done[s] < b->stream_symbols[s] && out_pos(b, s, done[s]) == next))
            s++;
        if (s == b->streams)
            break; /* not reached for a block that decodes */
        uint8_t syms[MULTISYM_MAX_SYMBOLS];
        uint64_t pos[MULTISYM_MAX_SYMBOLS];
        char bits[40], note[32] = "";
        unsigned count = 1, used = 0;
        long index = -1;
        const char *kind = "hit";
        if (how == TREE) {
            uint32_t code = 0;
            int sym = -1;
            while (sym < 0 && used < H278_MAX_CODE_LEN) {
                code = code << 1 | peek(b, s, bitpos[s] + used, 1);
                used++;
                for (unsigned x = 0; x < 256 && sym < 0; x++)
                    if (b->lengths[x] == used && c->codes[x] == code)
                        sym = (int)x;
            }
            bit_string(peek(b, s, bitpos[s], used), used, bits);
            syms[0] = (uint8_t)sym;
            kind = "walk";
        } else {
            const uint32_t idx = peek(b, s, bitpos[s], width);
            bit_string(idx, width, bits);
            index = (long)idx;
            count = entry_of(c, idx, width, how == MULTISYM ? MULTISYM_MAX_SYMBOLS : 1, syms, &used);
            if (count == 0) {
                /* Longer than the lookup: the canonical search reads up to
                 * the longest code's bits. */
                count = 1;
                syms[0] = (uint8_t)match(c, peek(b, s, bitpos[s], b->code_max_len), b->code_max_len, &used);
                kind = "long";
            }
            snprintf(note, sizeof note, "%u bits used", used);
        }
        if (count > b->stream_symbols[s] - done[s])
            count = (unsigned)(b->stream_symbols[s] - done[s]); /* the stream ends inside the entry */
        for (unsigned i = 0; i < count; i++) {
            pos[i] = out_pos(b, s, done[s] + i);
            if (pos[i] < n)
                written[pos[i]] = 1;
        }
        step(o, kind, -1, s, bitpos[s], bits, index, syms, pos, count, how == TREE ? NULL : note);
        bitpos[s] += used;
        done[s] += count;
        while (next < n && written[next])
            next++;
    }
    free(written);
}

/* The multi-lane entries' cap: up to four codes, or two where four would
 * add less than 8% more symbols per lookup (multi_lanes.h). */
static unsigned multi_cap(const code_view *c, unsigned max)
{
    if (max <= 2)
        return max;
    uint64_t up_to_4 = 0, up_to_2 = 0;
    uint8_t syms[4];
    unsigned bits;
    for (uint32_t i = 0; i < (1u << MULTI_LANES_BITS); i++) {
        const unsigned n = entry_of(c, i, MULTI_LANES_BITS, 4, syms, &bits);
        up_to_4 += n;
        up_to_2 += n < 2 ? n : 2;
    }
    return up_to_4 * 100 >= up_to_2 * MULTI_CAP2_PERCENT ? 4 : 2;
}

/* The SIMD lanes: steps in which every lane looks up once, until the
 * first n symbols of the block are written. */
static void trace_lanes(trace_out *o, const code_view *c, enum strategy how, unsigned max_syms, uint64_t n)
{
    const h278_block *b = c->b;
    const unsigned width = how == LANES ? b->code_max_len : MULTI_LANES_BITS;
    const unsigned cap = how == LANES ? 1 : multi_cap(c, max_syms);
    uint64_t bitpos[H278_MAX_STREAMS] = {0}, done[H278_MAX_STREAMS] = {0};
    if (!o->json)
        printf("    (%u lanes, one per stream; entries of up to %u symbol%s in %u bits)\n", b->streams, cap,
               cap > 1 ? "s" : "", width);
    for (unsigned round = 0;; round++) {
        int wrote_first = 0;
        if (!o->json)
            printf("    step %u:\n", round + 1);
        for (unsigned s = 0; s < b->streams; s++) {
            /* After the first step only the lanes that still write below
             * n are shown (the others step alike). */
            if (done[s] >= b->stream_symbols[s] || (round > 0 && out_pos(b, s, done[s]) >= n))
                continue;
            uint8_t syms[4];
            uint64_t pos[4];
            unsigned used;
            const uint32_t idx = peek(b, s, bitpos[s], width);
            unsigned count = entry_of(c, idx, width, cap, syms, &used);
            if (count > b->stream_symbols[s] - done[s])
                count = (unsigned)(b->stream_symbols[s] - done[s]);
            for (unsigned i = 0; i < count; i++) {
                pos[i] = out_pos(b, s, done[s] + i);
                wrote_first |= pos[i] < n;
            }
            char bits[40], note[32];
            bit_string(idx, width, bits);
            snprintf(note, sizeof note, "%u bits used", used);
            step(o, "lane", (int)s, s, bitpos[s], bits, (long)idx, syms, pos, count, note);
            bitpos[s] += used;
            done[s] += count;
        }
        /* Interleaved: steps go on until the first n are out; segmented
         * (every lane writes its own segment): one step shows them all,
         * and steps go on while lane 0 writes below n. */
        if (!wrote_first)
            break;
        uint64_t below = 0;
        for (unsigned s = 0; s < b->streams; s++)
            for (uint64_t i = 0; i < done[s]; i++)
                below += out_pos(b, s, i) < n;
        if (below >= n || below >= b->decoded_size)
            break;
    }
}

/* The pivot layout: each of the first n symbols from the root down. */
static int trace_pivot(trace_out *o, const code_view *c, uint64_t n)
{
    const h278_block *b = c->b;
    static h278_pivot_node_info nodes[H278_PIVOT_MAX_NODES];
    const size_t count = h278_pivot_describe(b, nodes, H278_PIVOT_MAX_NODES);
    if (!count)
        return 1;
    /* Where each node's region starts, and for a MIXED node where its
     * bitmap starts: after its count, which takes what the bitmap leaves
     * of the region. FLAT nodes' symbols come from the library, which
     * holds the shape rule (the format's only copy of it). */
    uint64_t offset[H278_PIVOT_MAX_NODES], bitmap[H278_PIVOT_MAX_NODES], cursor[H278_PIVOT_MAX_NODES] = {0}, at = 0;
    static uint8_t flat[H278_PIVOT_MAX_NODES][256];
    for (size_t i = 0; i < count; i++) {
        offset[i] = at;
        bitmap[i] = at + nodes[i].region_bytes - (nodes[i].symbols + 7) / 8;
        at += nodes[i].region_bytes;
        if (nodes[i].kind == 1)
            h278_pivot_flat_symbols(b, i, flat[i]);
    }
    const uint8_t *regions = b->stream[0];
    if (!o->json && nodes[0].kind == 2) {
        printf("    the root's merge: position k takes the next symbol of the child its bitmap's bit k names:\n     ");
        for (uint64_t k = 0; k < n && k < b->decoded_size; k++)
            printf("%s%u", k % 8 ? "" : " ", (regions[bitmap[0] + (k >> 3)] >> (k & 7)) & 1u);
        printf("\n");
    }
    for (uint64_t k = 0; k < n && k < b->decoded_size; k++) {
        size_t node = 0;
        char path[512] = ""; /* "node N bit B > " per level, up to 20 levels */
        size_t plen = 0;
        int sym = -1;
        while (sym < 0) {
            const h278_pivot_node_info *x = &nodes[node];
            const uint64_t i = cursor[node]++;
            if (x->kind == 0) {
                sym = x->symbol;
            } else if (x->kind == 1) {
                uint32_t code = 0;
                for (unsigned d = 0; d < x->flat_bits; d++) {
                    const uint64_t bit = i * x->flat_bits + d;
                    code |= (uint32_t)((regions[offset[node] + (bit >> 3)] >> (bit & 7)) & 1u) << d;
                }
                sym = flat[node][code];
                if (plen < sizeof path - 32)
                    plen += (size_t)snprintf(path + plen, sizeof path - plen, "%sflat %zu code %u", plen ? " > " : "",
                                             node, code);
            } else {
                const unsigned bit = (regions[bitmap[node] + (i >> 3)] >> (i & 7)) & 1u;
                if (plen < sizeof path - 32)
                    plen += (size_t)snprintf(path + plen, sizeof path - plen, "%snode %zu bit %u", plen ? " > " : "",
                                             node, bit);
                node = x->child[bit];
            }
        }
        uint8_t s8 = (uint8_t)sym;
        step(o, "path", -1, 0, 0, path, -1, &s8, &k, 1, NULL);
    }
    return 0;
}

int h278_cli_trace(const h278_block *b, const char *decoder, const h278_params *params, uint64_t n, int json)
{
    if (b->type != H278_BLOCK_HUFFMAN) {
        if (json)
            printf(",\"trace\":null");
        else
            printf("  (no trace: a %s block has no code to decode)\n", b->type == H278_BLOCK_RUN ? "RUN" : "STORED");
        return 0;
    }
    /* The variant, and the one that decodes this block for it. */
    const unsigned layout = (b->flags & H278_BLOCK_FLAG_PIVOT) ? H278_LAYOUTS_PIVOT : H278_LAYOUTS_CLASSIC;
    const char *name = layout == H278_LAYOUTS_PIVOT ? h278_variant_resolve_pivot(decoder) : h278_variant_resolve(decoder);
    size_t v = h278_variant_count();
    for (size_t i = 0; name && i < h278_variant_count(); i++)
        if (strcmp(h278_variant_name(i), name) == 0)
            v = i;
    if (v == h278_variant_count())
        return h278_cli_unknown_decoder(decoder);
    if (!(h278_variant_layouts(v) & layout))
        return h278_cli_error(NULL, "%s does not decode the %s layout (h278 decompress --list-decoders)", name,
                              layout == H278_LAYOUTS_PIVOT ? "pivot" : "classic");
    char handed[160] = "";
    while (!h278_variant_takes(v, b)) {
        const char *to = h278_variant_fallback(v);
        snprintf(handed + strlen(handed), sizeof handed - strlen(handed), "%s hands this block to %s; ",
                 h278_variant_name(v), to);
        for (size_t i = 0; i < h278_variant_count(); i++)
            if (strcmp(h278_variant_name(i), to) == 0)
                v = i;
    }
    const char *as = h278_variant_name(v);
    enum strategy how = layout == H278_LAYOUTS_PIVOT      ? PIVOT
                      : strcmp(as, "tree") == 0          ? TREE
                      : strcmp(as, "table") == 0         ? TABLE
                      : strcmp(as, "hybrid") == 0        ? HYBRID
                      : strncmp(as, "multisym", 8) == 0  ? MULTISYM
                      : strstr(as, "-multi")             ? MULTI
                                                         : LANES;
    const unsigned param = how == HYBRID ? params->short_bits : how == MULTISYM ? params->table_bits : 0;
    unsigned width = how == TABLE ? b->code_max_len
                   : param        ? param
                   : b->code_max_len <= TIER_SHORT_BITS ? TIER_SHORT_BITS : TIER_LONG_BITS;
    static const char *const names[] = {"tree", "table", "hybrid", "multisym", "lanes", "multi", "pivot"};
    code_view c;
    c.b = b;
    h278_canonical_codes(b->lengths, c.codes);
    for (unsigned s = 0; s < 256; s++)
        c.rev[s] = b->lengths[s] ? reverse_bits(c.codes[s], b->lengths[s]) : 0;
    trace_out o = {json, 0};
    if (json) {
        printf(",\"trace\":{\"decoder\":");
        h278_cli_json_string(decoder);
        printf(",\"traced_as\":\"%s\",\"strategy\":\"%s\",\"steps\":[", as, names[how]);
    } else {
        printf("  trace: the first %llu symbol%s as %s decodes them (%s%s strategy", (unsigned long long)n,
               h278_cli_plural(n), as, handed, names[how]);
        if (how == TABLE || how == HYBRID || how == MULTISYM)
            printf(", %u-bit lookups", width);
        printf("; bits in the order read):\n");
    }
    int rc = 0;
    if (how == PIVOT)
        rc = trace_pivot(&o, &c, n);
    else if (how == LANES || how == MULTI)
        trace_lanes(&o, &c, how, strstr(as, "avx512") ? 4 : 2, n);
    else
        trace_scalar(&o, &c, how, width, n);
    if (json)
        printf("]}");
    return rc;
}
