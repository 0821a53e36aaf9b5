/*
 * encoder.c - the H278 encoder: histogram, optimal length-limited code,
 * canonical codes, and K streams per block, or the pivot layout's node
 * regions (the same lengths on pivot.h's tree).
 *
 * The encoder exists to make test and benchmark data, so it favours being
 * obviously right over being fast: one pass to count, package-merge for the
 * lengths (code_lengths.c), one pass per stream to write bits (pivot: one
 * pass that sets a bit in every node on each symbol's path). Each block
 * becomes whichever of HUFFMAN, STORED or RUN is smallest, so the output is
 * never more than 16 bytes per block larger than the input.
 */
#include <string.h>

#include "h278.h"
#include "le.h"
#include "canonical_code.h"
#include "pivot.h"

void h278_enc_params_default(h278_enc_params *p)
{
    p->max_len = H278_DEFAULT_MAX_LEN;
    p->streams = H278_DEFAULT_STREAMS;
    p->block_size = H278_DEFAULT_BLOCK_SIZE;
    p->interleaved = 0;
    p->pivot = 0;
}

h278_error h278_enc_params_check(const h278_enc_params *p)
{
    unsigned k = p->streams;
    if (p->max_len < 1 || p->max_len > H278_MAX_CODE_LEN)
        return H278_ERR_BAD_MAX_LEN;
    if (!h278_streams_legal(k))
        return H278_ERR_BAD_STREAM_COUNT;
    if (p->block_size < H278_MIN_BLOCK_SIZE || p->block_size > H278_MAX_BLOCK_SIZE)
        return H278_ERR_BAD_BLOCK_SIZE;
    if (p->pivot && p->interleaved)
        return H278_ERR_BAD_PARAM;
    return H278_OK;
}

size_t h278_block_bound(size_t n, const h278_enc_params *p)
{
    (void)p;
    /* Header, bitmap, 256 5-bit lengths, a full stream table, and every
     * symbol at 20 bits with one padding byte per stream; or, in the pivot
     * layout, a count and a padding byte for each of the 255 MIXED or FLAT
     * nodes there can be. STORED is smaller than this, so it bounds every
     * block type. */
    return H278_BLOCK_HEADER_SIZE + 32 + 160 + 5 * 255 + (n * 20 + 7) / 8 + H278_MAX_STREAMS;
}

uint64_t h278_compress_bound(uint64_t n, const h278_enc_params *p)
{
    uint64_t blocks = n / p->block_size + (n % p->block_size != 0);
    if (blocks == 0)
        return H278_FILE_HEADER_SIZE;
    return H278_FILE_HEADER_SIZE + (blocks - 1) * h278_block_bound(p->block_size, p) +
           h278_block_bound((size_t)(n - (blocks - 1) * p->block_size), p);
}

/* The layout flags of the HUFFMAN blocks p asks for: segments are spread
 * (FORMAT.md, version 2) where K >= 16 lanes decode them side by side; a
 * single stream is written without a layout flag, interleaved or not. */
static uint8_t huffman_flags(const h278_enc_params *p)
{
    if (p->pivot)
        return H278_BLOCK_FLAG_PIVOT;
    if (p->interleaved)
        return p->streams > 1 ? H278_BLOCK_FLAG_INTERLEAVED : 0;
    return p->streams >= 16 ? H278_BLOCK_FLAG_SPREAD : 0;
}

h278_error h278_write_file_header(const h278_enc_params *p, uint64_t original_size,
                                  uint8_t out[H278_FILE_HEADER_SIZE])
{
    h278_error err = h278_enc_params_check(p);
    if (err)
        return err;
    memcpy(out, "H278", 4);
    /* Version 2 only where a block needs it: version 1 readers take the rest. */
    out[4] = (huffman_flags(p) & (H278_BLOCK_FLAG_SPREAD | H278_BLOCK_FLAG_PIVOT)) ? H278_VERSION : H278_VERSION_MIN;
    out[5] = 0;
    out[6] = (uint8_t)p->max_len;
    out[7] = 0;
    h278_store32(out + 8, p->block_size);
    h278_store64(out + 12, original_size);
    h278_store32(out + 20, h278_checksum(out, 20));
    return H278_OK;
}

static void write_block_header(uint8_t *dst, uint8_t type, uint8_t max_len, uint8_t streams,
                               uint8_t flags, uint32_t decoded, uint32_t payload, uint32_t sum)
{
    dst[0] = type;
    dst[1] = max_len;
    dst[2] = streams;
    dst[3] = flags;
    h278_store32(dst + 4, decoded);
    h278_store32(dst + 8, payload);
    h278_store32(dst + 12, sum);
}

/* LSB-first bit writer: bits accumulate at the top of `acc`'s used part and
 * whole bytes are flushed. */
typedef struct bit_writer {
    uint8_t *p;
    uint64_t acc;
    unsigned count;
} bit_writer;

static inline void bw_put(bit_writer *w, uint32_t bits, unsigned n)
{
    w->acc |= (uint64_t)bits << w->count;
    w->count += n;
    while (w->count >= 8) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->count -= 8;
    }
}

static inline void bw_flush(bit_writer *w)
{
    if (w->count)
        *w->p++ = (uint8_t)w->acc;
    w->acc = 0;
    w->count = 0;
}

static h278_error encode_stored(const uint8_t *src, size_t n, uint32_t sum, uint8_t *dst,
                                size_t *out_size)
{
    write_block_header(dst, H278_BLOCK_STORED, 0, 0, 0, (uint32_t)n, (uint32_t)n, sum);
    memcpy(dst + H278_BLOCK_HEADER_SIZE, src, n);
    *out_size = H278_BLOCK_HEADER_SIZE + n;
    return H278_OK;
}

/*
 * The pivot layout's regions (FORMAT.md): the shape of the code, the
 * symbols through each node counted from the histogram, the regions laid
 * out in node order, then every input byte appends one bit to each MIXED
 * node on its path and its packed code to the FLAT node it ends in.
 */
static h278_error encode_pivot_regions(const uint8_t *src, size_t n, const uint64_t freq[256],
                                       const uint8_t lengths[256], uint8_t *out, size_t *out_size)
{
    h278_pivot_shape shape;
    h278_error err = h278_pivot_shape_build(lengths, &shape);
    if (err)
        return err;
    /* Each symbol's path: the MIXED nodes and bits to its leaf or FLAT node
     * (the code value there), found by walking the shape once. */
    typedef struct path {
        uint8_t steps;
        uint16_t node[H278_MAX_CODE_LEN];
        uint8_t bit[H278_MAX_CODE_LEN];
        uint16_t end;  /* the LEAF or FLAT node */
        uint8_t code;  /* FLAT: the packed code */
    } path;
    path paths[256];
    uint64_t through[H278_PIVOT_MAX_NODES] = {0};
    uint16_t parent[H278_PIVOT_MAX_NODES];
    uint8_t parent_bit[H278_PIVOT_MAX_NODES];
    parent[0] = UINT16_MAX;
    for (unsigned i = 0; i < shape.count; i++) {
        const h278_pivot_node *node = &shape.node[i];
        if (node->kind == H278_PIVOT_MIXED) {
            for (unsigned c = 0; c < 2; c++) {
                parent[node->child[c]] = (uint16_t)i;
                parent_bit[node->child[c]] = (uint8_t)c;
            }
            continue;
        }
        unsigned leaves = node->kind == H278_PIVOT_FLAT ? 1u << node->flat_bits : 1;
        for (unsigned v = 0; v < leaves; v++) {
            unsigned s = node->kind == H278_PIVOT_FLAT ? shape.flat_symbols[node->first + v] : node->symbol;
            path *ps = &paths[s];
            ps->end = (uint16_t)i;
            ps->code = (uint8_t)v;
            ps->steps = node->depth;
            for (unsigned at = i, d = node->depth; d-- > 0; at = parent[at]) {
                ps->node[d] = parent[at];
                ps->bit[d] = parent_bit[at];
            }
            for (unsigned d = 0; d < ps->steps; d++)
                through[ps->node[d]] += freq[s];
            through[i] += freq[s];
        }
    }
    /* Regions in node order; each MIXED one starts with its 1-child's count,
     * in as many bytes as hold the node's own symbol count. */
    uint64_t offset[H278_PIVOT_MAX_NODES], pos = 0;
    for (unsigned i = 0; i < shape.count; i++) {
        offset[i] = pos;
        uint64_t bytes = h278_pivot_region_bytes(&shape.node[i], through[i]);
        memset(out + pos, 0, bytes);
        if (shape.node[i].kind == H278_PIVOT_MIXED) {
            h278_pivot_store_count(out + pos, through[i], (uint32_t)through[shape.node[i].child[1]]);
            offset[i] += h278_pivot_count_bytes(through[i]);
        }
        pos += bytes;
    }
    uint64_t cursor[H278_PIVOT_MAX_NODES] = {0}; /* bits written per node */
    for (size_t j = 0; j < n; j++) {
        const path *ps = &paths[src[j]];
        for (unsigned d = 0; d < ps->steps; d++) {
            unsigned node = ps->node[d];
            uint64_t bit = cursor[node]++;
            out[offset[node] + bit / 8] |= (uint8_t)(ps->bit[d] << (bit & 7));
        }
        const h278_pivot_node *end = &shape.node[ps->end];
        if (end->kind == H278_PIVOT_FLAT) {
            uint64_t bit = cursor[ps->end];
            cursor[ps->end] += end->flat_bits;
            uint32_t v = (uint32_t)ps->code << (bit & 7);
            out[offset[ps->end] + bit / 8] |= (uint8_t)v;
            if ((bit & 7) + end->flat_bits > 8)
                out[offset[ps->end] + bit / 8 + 1] |= (uint8_t)(v >> 8);
        }
    }
    *out_size = (size_t)pos;
    return H278_OK;
}

/* h278_encode_block; huffman_only: a HUFFMAN block even where STORED would
 * be smaller (h278_encode_block_huffman). */
static h278_error encode_block(const uint8_t *src, size_t n, const h278_enc_params *p, uint8_t *dst,
                               size_t dst_cap, size_t *out_size, int huffman_only)
{
    h278_error err = h278_enc_params_check(p);
    if (err)
        return err;
    if (n == 0 || n > p->block_size)
        return H278_ERR_BAD_PARAM;
    if (dst_cap < h278_block_bound(n, p))
        return H278_ERR_OUTPUT_TOO_SMALL;

    uint32_t sum = h278_checksum(src, n);
    uint64_t freq[256] = {0};
    for (size_t i = 0; i < n; i++)
        freq[src[i]]++;
    unsigned distinct = 0, last = 0;
    for (unsigned s = 0; s < 256; s++)
        if (freq[s]) {
            distinct++;
            last = s;
        }
    if (distinct == 1) {
        write_block_header(dst, H278_BLOCK_RUN, 0, 0, 0, (uint32_t)n, 1, sum);
        dst[H278_BLOCK_HEADER_SIZE] = (uint8_t)last;
        *out_size = H278_BLOCK_HEADER_SIZE + 1;
        return H278_OK;
    }

    /* An alphabet larger than 2^L cannot be coded within the limit. */
    if (p->max_len < 9 && distinct > (1u << p->max_len))
        return huffman_only ? H278_ERR_CODE_TOO_LONG : encode_stored(src, n, sum, dst, out_size);

    uint8_t lengths[256];
    uint32_t codes[256], rev[256];
    err = h278_code_lengths(freq, p->max_len, lengths);
    if (err)
        return err;
    h278_canonical_codes(lengths, codes);
    for (unsigned s = 0; s < 256; s++)
        rev[s] = lengths[s] ? h278_reverse_bits(codes[s], lengths[s]) : 0;

    /* Code description: bitmap, then 5-bit lengths packed LSB first. */
    uint8_t *q = dst + H278_BLOCK_HEADER_SIZE;
    memset(q, 0, 32);
    for (unsigned s = 0; s < 256; s++)
        if (lengths[s])
            q[s >> 3] |= (uint8_t)(1u << (s & 7));
    bit_writer w = {q + 32, 0, 0};
    for (unsigned s = 0; s < 256; s++)
        if (lengths[s])
            bw_put(&w, lengths[s], 5);
    bw_flush(&w);

    if (p->pivot) {
        size_t regions;
        err = encode_pivot_regions(src, n, freq, lengths, w.p, &regions);
        if (err)
            return err;
        size_t payload = (size_t)(w.p + regions - (dst + H278_BLOCK_HEADER_SIZE));
        if (payload >= n && !huffman_only)
            return encode_stored(src, n, sum, dst, out_size);
        write_block_header(dst, H278_BLOCK_HUFFMAN, (uint8_t)p->max_len, 1, H278_BLOCK_FLAG_PIVOT, (uint32_t)n,
                           (uint32_t)payload, sum);
        *out_size = H278_BLOCK_HEADER_SIZE + payload;
        return H278_OK;
    }

    unsigned k = p->streams;
    uint8_t *table = w.p;
    uint8_t *data = table + 4 * (k - 1);
    w.p = data;
    uint8_t flags = huffman_flags(p);
    size_t seg = h278_segment_symbols((uint32_t)n, k, flags);
    for (unsigned i = 0; i < k; i++) {
        uint8_t *start = w.p;
        if (p->interleaved) {
            for (size_t j = i; j < n; j += k)
                bw_put(&w, rev[src[j]], lengths[src[j]]);
        } else {
            size_t lo = i * seg < n ? i * seg : n, hi = lo + seg < n ? lo + seg : n;
            for (size_t j = lo; j < hi; j++)
                bw_put(&w, rev[src[j]], lengths[src[j]]);
        }
        bw_flush(&w);
        if (i + 1 < k)
            h278_store32(table + 4 * i, (uint32_t)(w.p - start));
    }
    size_t payload = (size_t)(w.p - (dst + H278_BLOCK_HEADER_SIZE));
    if (payload >= n && !huffman_only)
        return encode_stored(src, n, sum, dst, out_size);
    write_block_header(dst, H278_BLOCK_HUFFMAN, (uint8_t)p->max_len, (uint8_t)k,
                       flags, (uint32_t)n,
                       (uint32_t)payload, sum);
    *out_size = H278_BLOCK_HEADER_SIZE + payload;
    return H278_OK;
}

h278_error h278_encode_block(const uint8_t *src, size_t n, const h278_enc_params *p,
                             uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    return encode_block(src, n, p, dst, dst_cap, out_size, 0);
}

h278_error h278_encode_block_huffman(const uint8_t *src, size_t n, const h278_enc_params *p,
                                     uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    return encode_block(src, n, p, dst, dst_cap, out_size, 1);
}

h278_error h278_compress(const uint8_t *src, size_t n, const h278_enc_params *p,
                         uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    h278_error err = h278_enc_params_check(p);
    if (err)
        return err;
    if (dst_cap < h278_compress_bound(n, p))
        return H278_ERR_OUTPUT_TOO_SMALL;
    err = h278_write_file_header(p, n, dst);
    if (err)
        return err;
    size_t pos = H278_FILE_HEADER_SIZE;
    for (size_t off = 0; off < n; off += p->block_size) {
        size_t len = n - off < p->block_size ? n - off : p->block_size;
        size_t got;
        err = h278_encode_block(src + off, len, p, dst + pos, dst_cap - pos, &got);
        if (err)
            return err;
        pos += got;
    }
    *out_size = pos;
    return H278_OK;
}
