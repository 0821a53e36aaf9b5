/*
 * format.c - parsing and validation of the H278 container (docs/FORMAT.md).
 *
 * Every field is checked here, once, so that decoder variants only ever see a
 * block whose code is complete, whose lengths are within L, and whose stream
 * table points inside the caller's buffer. Each way a file can be wrong has
 * its own error code; nothing here allocates.
 */
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "h278.h"
#include "le.h"
#include "pivot.h"

#define SAFETY_CHECK(cond, err) \
    do {                        \
        if (!(cond))            \
            return (err);       \
    } while (0)

static const char *const messages[H278_ERR_COUNT] = {
    [H278_OK] = "success",
    [H278_ERR_TRUNCATED] = "file is truncated (shorter than its headers declare)",
    [H278_ERR_BAD_MAGIC] = "not an H278 file (bad magic bytes)",
    [H278_ERR_BAD_VERSION] = "unsupported H278 format version",
    [H278_ERR_BAD_FLAGS] = "unknown flags or non-zero reserved bits",
    [H278_ERR_HEADER_CHECKSUM] = "file header is damaged (header checksum mismatch)",
    [H278_ERR_BAD_BLOCK_SIZE] = "block size outside 256 bytes .. 16 MiB",
    [H278_ERR_SIZE_LIMIT] = "declared size is larger than the format's limits allow",
    [H278_ERR_SIZE_MISMATCH] = "block sizes disagree with the file header",
    [H278_ERR_BAD_BLOCK_TYPE] = "unknown block type",
    [H278_ERR_BAD_MAX_LEN] = "maximum code length outside 1..20 or different from the file's limit",
    [H278_ERR_BAD_STREAM_COUNT] = "stream count is not 1, 4, 8, 16 or 32",
    [H278_ERR_CODE_TOO_FEW] = "Huffman block with fewer than two symbols",
    [H278_ERR_CODE_TOO_LONG] = "code length longer than the block's limit",
    [H278_ERR_CODE_OVERSUBSCRIBED] = "code lengths are over-subscribed (not a prefix code)",
    [H278_ERR_CODE_INCOMPLETE] = "code lengths are incomplete (unused bit patterns)",
    [H278_ERR_STREAM_TABLE] = "stream table points outside the block",
    [H278_ERR_CORRUPT_STREAM] = "corrupt bit stream (ends early, has bytes left over, or non-zero padding)",
    [H278_ERR_CHECKSUM] = "checksum mismatch: decoded data is corrupt",
    [H278_ERR_TRAILING_DATA] = "unexpected data after the last block",
    [H278_ERR_NO_MEMORY] = "out of memory",
    [H278_ERR_BAD_PARAM] = "invalid parameter",
    [H278_ERR_UNKNOWN_DECODER] = "unknown decoder variant",
    [H278_ERR_UNSUPPORTED_CPU] = "decoder variant needs CPU features this machine lacks (or H278_DISABLE_CPU turned them off)",
    [H278_ERR_OUTPUT_TOO_SMALL] = "output buffer too small",
    [H278_ERR_TABLE_MISMATCH] = "the decoder's tables were not built for this block (build before decode)",
    [H278_ERR_PIVOT_COUNT] = "corrupt pivot block: a node's symbol count disagrees with its bitmap or its parent",
    [H278_ERR_PIVOT_REGION] = "corrupt pivot block: node regions run past the payload or leave bytes over",
    [H278_ERR_LAYOUT_MISMATCH] = ("this decoder does not decode the block's layout (pivot decoders take pivot blocks, "
                                  "the others segmented and interleaved ones; tree and simd take all)"),
};

const char *h278_strerror(h278_error err)
{
    if ((unsigned)err >= H278_ERR_COUNT || !messages[err])
        return "unknown error";
    return messages[err];
}

uint32_t h278_checksum(const void *data, size_t n)
{
    return (uint32_t)XXH3_64bits(data, n);
}

int h278_streams_legal(unsigned k)
{
    return k == 1 || k == 4 || k == 8 || k == 16 || k == 32;
}

uint32_t h278_segment_symbols(uint32_t decoded_size, unsigned k, unsigned flags)
{
    uint32_t s = (uint32_t)(((uint64_t)decoded_size + k - 1) / k);
    if (flags & H278_BLOCK_FLAG_SPREAD) {
        s = (s + 63) & ~63u;
        s += (s / 64) % 2 ? 0 : 64;
    }
    return s;
}

h278_error h278_read_file_header(const uint8_t *src, size_t n, h278_file_header *fh)
{
    SAFETY_CHECK(n >= 4, H278_ERR_TRUNCATED);
    SAFETY_CHECK(memcmp(src, "H278", 4) == 0, H278_ERR_BAD_MAGIC);
    SAFETY_CHECK(n >= H278_FILE_HEADER_SIZE, H278_ERR_TRUNCATED);
    SAFETY_CHECK(h278_checksum(src, 20) == h278_load32(src + 20), H278_ERR_HEADER_CHECKSUM);
    SAFETY_CHECK(src[4] >= H278_VERSION_MIN && src[4] <= H278_VERSION, H278_ERR_BAD_VERSION);
    SAFETY_CHECK(src[5] == 0 && src[7] == 0, H278_ERR_BAD_FLAGS);
    SAFETY_CHECK(src[6] >= 1 && src[6] <= H278_MAX_CODE_LEN, H278_ERR_BAD_MAX_LEN);
    uint32_t bs = h278_load32(src + 8);
    SAFETY_CHECK(bs >= H278_MIN_BLOCK_SIZE && bs <= H278_MAX_BLOCK_SIZE, H278_ERR_BAD_BLOCK_SIZE);
    fh->version = src[4];
    fh->flags = src[5];
    fh->max_len = src[6];
    fh->block_size = bs;
    fh->original_size = h278_load64(src + 12);
    fh->block_count = fh->original_size / bs + (fh->original_size % bs != 0);
    return H278_OK;
}

h278_error h278_check_file_size(const h278_file_header *fh, uint64_t file_size)
{
    /* block_count <= 2^64 / 256, so the product cannot overflow once the
     * count is below the bound; check the count first. */
    uint64_t room = file_size < H278_FILE_HEADER_SIZE ? 0 : file_size - H278_FILE_HEADER_SIZE;
    uint64_t min_block = H278_BLOCK_HEADER_SIZE + 1;
    SAFETY_CHECK(fh->block_count <= room / min_block, H278_ERR_TRUNCATED);
    return H278_OK;
}

uint32_t h278_block_decoded_size(const h278_file_header *fh, uint64_t index)
{
    if (index + 1 < fh->block_count)
        return fh->block_size;
    if (index + 1 == fh->block_count)
        return (uint32_t)(fh->original_size - index * (uint64_t)fh->block_size);
    return 0;
}

/* Reads the bitmap and the packed 5-bit lengths; checks the code. */
static h278_error read_code(const uint8_t *p, size_t avail, h278_block *b, size_t *used)
{
    /* The bitmap and the lengths are copied before they are looked at: the
     * block may lie in memory another process writes (the shared-memory
     * server), and a bitmap read twice could hold more symbols the second
     * time than the first read paid for. Every check below is on the copy. */
    uint8_t bitmap[32], lp[(5u * 256u + 7u) / 8u];
    SAFETY_CHECK(avail >= sizeof bitmap, H278_ERR_TRUNCATED);
    memcpy(bitmap, p, sizeof bitmap);
    unsigned n = 0;
    for (unsigned i = 0; i < 32; i++)
        n += (unsigned)__builtin_popcount(bitmap[i]);
    size_t len_bytes = (5u * n + 7) / 8;
    SAFETY_CHECK(avail - 32 >= len_bytes, H278_ERR_TRUNCATED);
    SAFETY_CHECK(n >= 2, H278_ERR_CODE_TOO_FEW);
    memcpy(lp, p + 32, len_bytes);

    uint32_t kraft = 0; /* sum of 2^(20 - len) */
    unsigned k = 0, minl = 32, maxl = 0;
    memset(b->lengths, 0, sizeof b->lengths);
    for (unsigned s = 0; s < 256; s++) {
        if (!(bitmap[s >> 3] & (1u << (s & 7))))
            continue;
        unsigned bit = 5 * k++;
        unsigned v = (unsigned)(lp[bit >> 3] | (bit / 8 + 1 < len_bytes ? lp[bit / 8 + 1] << 8 : 0));
        unsigned len = (v >> (bit & 7)) & 31u;
        SAFETY_CHECK(len >= 1, H278_ERR_CODE_INCOMPLETE);
        SAFETY_CHECK(len <= b->max_len, H278_ERR_CODE_TOO_LONG);
        b->lengths[s] = (uint8_t)len;
        kraft += 1u << (H278_MAX_CODE_LEN - len);
        minl = len < minl ? len : minl;
        maxl = len > maxl ? len : maxl;
    }
    /* Unused high bits of the last length byte must be zero. */
    if ((5 * n) & 7)
        SAFETY_CHECK((lp[len_bytes - 1] >> ((5 * n) & 7)) == 0, H278_ERR_BAD_FLAGS);
    SAFETY_CHECK(kraft <= (1u << H278_MAX_CODE_LEN), H278_ERR_CODE_OVERSUBSCRIBED);
    SAFETY_CHECK(kraft == (1u << H278_MAX_CODE_LEN), H278_ERR_CODE_INCOMPLETE);
    b->symbol_count = (uint16_t)n;
    b->code_min_len = (uint8_t)minl;
    b->code_max_len = (uint8_t)maxl;
    *used = 32 + len_bytes;
    return H278_OK;
}

/* Streams k.. of b are empty, at `end` (the end of the data). */
static void clear_streams_from(h278_block *b, unsigned k, const uint8_t *end)
{
    for (unsigned i = k; i < H278_MAX_STREAMS; i++) {
        b->stream[i] = end;
        b->stream_size[i] = 0;
        b->stream_symbols[i] = 0;
    }
}

/* A pivot block's node regions follow the code: every count is checked
 * against its bitmap, every region against the payload (pivot.c). */
static h278_error read_pivot(h278_block *b, size_t used)
{
    h278_pivot_shape shape;
    h278_pivot_region region[H278_PIVOT_MAX_NODES];
    h278_error err = h278_pivot_shape_build(b->lengths, &shape);
    if (err)
        return err;
    b->stream[0] = b->payload + used;
    b->stream_size[0] = (uint32_t)(b->payload_size - used);
    b->stream_symbols[0] = b->decoded_size;
    clear_streams_from(b, 1, b->stream[0] + b->stream_size[0]);
    return h278_pivot_regions(&shape, b->stream[0], b->stream_size[0], b->decoded_size, 1, region);
}

h278_error h278_read_block(const uint8_t *src, size_t n, uint32_t decoded_size,
                           unsigned file_max_len, h278_block *b)
{
    SAFETY_CHECK(n >= H278_BLOCK_HEADER_SIZE, H278_ERR_TRUNCATED);
    b->type = src[0];
    b->max_len = src[1];
    b->streams = src[2];
    b->flags = src[3];
    b->decoded_size = h278_load32(src + 4);
    b->payload_size = h278_load32(src + 8);
    b->checksum = h278_load32(src + 12);
    b->payload = src + H278_BLOCK_HEADER_SIZE;
    b->symbol_count = 0;
    b->code_min_len = b->code_max_len = 0;

    SAFETY_CHECK(b->type <= H278_BLOCK_RUN, H278_ERR_BAD_BLOCK_TYPE);
    SAFETY_CHECK(b->decoded_size == decoded_size && decoded_size > 0, H278_ERR_SIZE_MISMATCH);
    SAFETY_CHECK(b->payload_size <= n - H278_BLOCK_HEADER_SIZE, H278_ERR_TRUNCATED);
    b->total_size = H278_BLOCK_HEADER_SIZE + b->payload_size;

    if (b->type != H278_BLOCK_HUFFMAN) {
        SAFETY_CHECK(b->max_len == 0 && b->streams == 0 && b->flags == 0, H278_ERR_BAD_FLAGS);
        b->streams = 1;
        if (b->type == H278_BLOCK_STORED)
            SAFETY_CHECK(b->payload_size == decoded_size, H278_ERR_SIZE_MISMATCH);
        else
            SAFETY_CHECK(b->payload_size == 1, H278_ERR_SIZE_MISMATCH);
        return H278_OK;
    }

    SAFETY_CHECK(b->max_len >= 1 && b->max_len == file_max_len && b->max_len <= H278_MAX_CODE_LEN,
                 H278_ERR_BAD_MAX_LEN);
    unsigned k = b->streams;
    SAFETY_CHECK(h278_streams_legal(k), H278_ERR_BAD_STREAM_COUNT);
    SAFETY_CHECK((b->flags & ~(H278_BLOCK_FLAG_INTERLEAVED | H278_BLOCK_FLAG_SPREAD | H278_BLOCK_FLAG_PIVOT)) == 0,
                 H278_ERR_BAD_FLAGS);
    /* The pivot layout has no streams: K = 1 and no other layout flag. */
    SAFETY_CHECK(!(b->flags & H278_BLOCK_FLAG_PIVOT) || b->flags == H278_BLOCK_FLAG_PIVOT, H278_ERR_BAD_FLAGS);
    SAFETY_CHECK(!(b->flags & H278_BLOCK_FLAG_PIVOT) || k == 1, H278_ERR_BAD_STREAM_COUNT);
    /* Spread segments: only where there are segments side by side. */
    SAFETY_CHECK(!(b->flags & H278_BLOCK_FLAG_SPREAD) || (k > 1 && !(b->flags & H278_BLOCK_FLAG_INTERLEAVED)),
                 H278_ERR_BAD_FLAGS);
    /* One stream is segmented and interleaved at once: it has one spelling
     * (no flag), so that no bit of the header can change without notice. */
    SAFETY_CHECK(!(b->flags & H278_BLOCK_FLAG_INTERLEAVED) || k > 1, H278_ERR_BAD_FLAGS);

    size_t used;
    h278_error err = read_code(b->payload, b->payload_size, b, &used);
    if (err)
        return err;

    if (b->flags & H278_BLOCK_FLAG_PIVOT)
        return read_pivot(b, used);

    const uint8_t *table = b->payload + used;
    size_t rest = b->payload_size - used;
    SAFETY_CHECK(rest >= 4u * (k - 1), H278_ERR_STREAM_TABLE);
    const uint8_t *data = table + 4u * (k - 1);
    rest -= 4u * (k - 1);

    uint64_t seg = h278_segment_symbols(decoded_size, k, b->flags);
    for (unsigned i = 0; i < k; i++) {
        uint32_t syms;
        if (b->flags & H278_BLOCK_FLAG_INTERLEAVED)
            syms = i < decoded_size ? (decoded_size - i + k - 1) / k : 0;
        else
            syms = i * seg >= decoded_size ? 0
                 : (uint32_t)(decoded_size - i * seg < seg ? decoded_size - i * seg : seg);
        uint64_t size = i + 1 < k ? h278_load32(table + 4u * i) : rest;
        SAFETY_CHECK(size <= rest, H278_ERR_STREAM_TABLE);
        SAFETY_CHECK(size <= ((uint64_t)syms * b->max_len + 7) / 8, H278_ERR_STREAM_TABLE);
        /* Every symbol costs at least one bit. */
        SAFETY_CHECK((uint64_t)syms <= size * 8, H278_ERR_CORRUPT_STREAM);
        b->stream[i] = data;
        b->stream_size[i] = (uint32_t)size;
        b->stream_symbols[i] = syms;
        data += size;
        rest -= size;
    }
    clear_streams_from(b, k, data);
    return H278_OK;
}
