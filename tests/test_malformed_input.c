/*
 * test_malformed_input.c - every kind of broken file gets its own error code
 * from every decoder variant, never a crash, never a wrong success.
 *
 * Covers: a file truncated at every byte offset; every single-bit flip of a
 * small file; hand-made blocks with over-subscribed, incomplete and too-long
 * codes, bad stream tables, streams that end early, have a byte left over or
 * non-zero padding; bad headers (magic, version, flags, checksum, block size,
 * huge declared sizes); trailing data.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

static h278_decoder *decoders[64];
static size_t ndecoders;

/* Decodes with every variant; all must return `want`. */
static void expect(const char *what, const uint8_t *file, size_t n, h278_error want)
{
    uint8_t out[4096];
    for (size_t d = 0; d < ndecoders; d++) {
        size_t olen;
        h278_error got = h278_decompress(decoders[d], file, n, out, sizeof out, &olen, NULL);
        CHECKF(got == want, "%s: %s returned '%s', expected '%s'", what, h278_decoder_name(decoders[d]),
               h278_strerror(got), h278_strerror(want));
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A file header for `size` bytes in blocks of 256, limit L. */
static size_t file_header(uint8_t *p, unsigned L, uint64_t size)
{
    h278_enc_params e = {L, 1, 256, 0, 0};
    h278_write_file_header(&e, size, p);
    return H278_FILE_HEADER_SIZE;
}

typedef struct spec {
    uint8_t type, L, K, flags;
    uint32_t decoded;
    const uint8_t *lengths;     /* code length per symbol 'A'.. (n entries) */
    unsigned n;
    const uint8_t *streams;     /* all streams' bytes */
    const uint32_t *sizes;      /* K stream sizes */
    int bad_checksum;
    const uint8_t *expect_data; /* decoded bytes, for the checksum */
    size_t data_len;            /* bytes at streams, if not the sum of sizes */
} spec;

/* Writes a file with one HUFFMAN block described by s; returns its size. */
static size_t build(uint8_t *f, const spec *s, unsigned file_L)
{
    size_t pos = file_header(f, file_L, s->decoded);
    uint8_t *b = f + pos;
    uint8_t *q = b + H278_BLOCK_HEADER_SIZE;
    memset(q, 0, 32);
    for (unsigned i = 0; i < s->n; i++)
        q[('A' + i) >> 3] |= (uint8_t)(1u << (('A' + i) & 7));
    uint8_t *lp = q + 32;
    size_t lbytes = (5 * s->n + 7) / 8;
    memset(lp, 0, lbytes);
    for (unsigned i = 0; i < s->n; i++)
        for (unsigned bit = 0; bit < 5; bit++)
            if (s->lengths[i] >> bit & 1)
                lp[(5 * i + bit) / 8] |= (uint8_t)(1u << ((5 * i + bit) % 8));
    uint8_t *t = lp + lbytes;
    size_t total = 0;
    for (unsigned k = 0; k + 1 < s->K; k++)
        put32(t + 4 * k, s->sizes[k]);
    for (unsigned k = 0; k < s->K; k++)
        total += s->sizes[k];
    uint8_t *data = t + 4 * (s->K ? s->K - 1 : 0);
    size_t copy = s->data_len ? s->data_len : total;
    memcpy(data, s->streams, copy);
    uint32_t payload = (uint32_t)(data + copy - q);
    b[0] = s->type;
    b[1] = s->L;
    b[2] = s->K;
    b[3] = s->flags;
    put32(b + 4, s->decoded);
    put32(b + 8, payload);
    uint32_t sum = s->expect_data ? h278_checksum(s->expect_data, s->decoded) : 0;
    put32(b + 12, sum ^ (uint32_t)s->bad_checksum);
    return pos + H278_BLOCK_HEADER_SIZE + payload;
}

int main(void)
{
    /* The hand-made blocks use the stream layouts; test_pivot_corruption.c
     * has the pivot layout's. */
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (h278_variant_available(i) && (h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC) &&
            h278_decoder_new(h278_variant_name(i), NULL, &decoders[ndecoders]) == H278_OK)
            ndecoders++;
    CHECK(ndecoders >= 1);

    /* Messages: one per code, all distinct. */
    for (int a = 0; a < H278_ERR_COUNT; a++) {
        CHECK(h278_strerror((h278_error)a)[0] != '\0');
        for (int b = 0; b < a; b++)
            CHECK(strcmp(h278_strerror((h278_error)a), h278_strerror((h278_error)b)) != 0);
    }
    CHECK(strcmp(h278_strerror((h278_error)999), "unknown error") == 0);

    /* A valid hand-made block: A=0, B=10, C=110, D=111; "ABCD" is the bits
     * 0 10 110 111, LSB first: 0xDA 0x01. */
    static const uint8_t lens[] = {1, 2, 3, 3};
    static const uint8_t abcd_bits[] = {0xDA, 0x01, 0x00};
    uint32_t sz2[] = {2}, sz3[] = {3};
    const uint8_t *abcd = (const uint8_t *)"ABCD";
    uint8_t f[16384];
    size_t n;
    spec ok = {H278_BLOCK_HUFFMAN, 20, 1, 0, 4, lens, 4, abcd_bits, sz2, 0, abcd, 0};
    n = build(f, &ok, 20);
    expect("hand-made valid block", f, n, H278_OK);

    spec s = ok;
    s.bad_checksum = 1;
    expect("wrong checksum", f, build(f, &s, 20), H278_ERR_CHECKSUM);

    static const uint8_t over[] = {1, 1, 2, 3};
    s = ok;
    s.lengths = over;
    expect("over-subscribed code", f, build(f, &s, 20), H278_ERR_CODE_OVERSUBSCRIBED);
    static const uint8_t incomplete[] = {1, 2, 3, 4};
    s.lengths = incomplete;
    expect("incomplete code", f, build(f, &s, 20), H278_ERR_CODE_INCOMPLETE);
    static const uint8_t zero_len[] = {1, 2, 0, 3};
    s.lengths = zero_len;
    expect("present symbol with length 0", f, build(f, &s, 20), H278_ERR_CODE_INCOMPLETE);
    static const uint8_t one[] = {1};
    s.lengths = one;
    s.n = 1;
    expect("one-symbol Huffman block", f, build(f, &s, 20), H278_ERR_CODE_TOO_FEW);
    static const uint8_t long_code[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 9};
    s = ok;
    s.lengths = long_code;
    s.n = 10;
    s.L = 8;
    expect("code longer than L", f, build(f, &s, 8), H278_ERR_CODE_TOO_LONG);
    n = build(f, &ok, 20);
    put32(f + H278_FILE_HEADER_SIZE + 4, 3);
    expect("block size differs from the file's", f, n, H278_ERR_SIZE_MISMATCH);

    s = ok;
    s.L = 12;
    expect("block L differs from the file's", f, build(f, &s, 20), H278_ERR_BAD_MAX_LEN);
    s.L = 21;
    expect("L above 20", f, build(f, &s, 20), H278_ERR_BAD_MAX_LEN);
    s.L = 0;
    expect("L of 0", f, build(f, &s, 20), H278_ERR_BAD_MAX_LEN);
    static const uint32_t many[32] = {2};
    s = ok;
    s.sizes = many;
    s.K = 3;
    expect("3 streams", f, build(f, &s, 20), H278_ERR_BAD_STREAM_COUNT);
    s.K = 0;
    expect("0 streams", f, build(f, &s, 20), H278_ERR_BAD_STREAM_COUNT);
    s = ok;
    s.flags = 8;
    expect("unknown block flag", f, build(f, &s, 20), H278_ERR_BAD_FLAGS);
    s.flags = H278_BLOCK_FLAG_PIVOT | H278_BLOCK_FLAG_INTERLEAVED;
    expect("pivot and interleaved", f, build(f, &s, 20), H278_ERR_BAD_FLAGS);
    s.flags = H278_BLOCK_FLAG_SPREAD; /* K = 1: nothing to spread */
    expect("spread one stream", f, build(f, &s, 20), H278_ERR_BAD_FLAGS);
    s.flags = H278_BLOCK_FLAG_SPREAD | H278_BLOCK_FLAG_INTERLEAVED;
    expect("spread and interleaved", f, build(f, &s, 20), H278_ERR_BAD_FLAGS);
    s.flags = H278_BLOCK_FLAG_INTERLEAVED; /* K = 1: one stream is both layouts; one spelling */
    expect("interleaved one stream", f, build(f, &s, 20), H278_ERR_BAD_FLAGS);
    s.flags = 0;
    s.type = 3;
    expect("unknown block type", f, build(f, &s, 20), H278_ERR_BAD_BLOCK_TYPE);

    /* Streams: end early, a byte left over, non-zero padding. */
    uint32_t sz1[] = {1};
    s = ok;
    s.sizes = sz1; /* D's last bit is missing */
    expect("stream ends early", f, build(f, &s, 20), H278_ERR_CORRUPT_STREAM);
    s = ok;
    s.sizes = sz3;
    expect("stream has a byte left over", f, build(f, &s, 20), H278_ERR_CORRUPT_STREAM);
    static const uint8_t bad_pad[] = {0xDA, 0x03};
    s = ok;
    s.streams = bad_pad;
    expect("non-zero padding", f, build(f, &s, 20), H278_ERR_CORRUPT_STREAM);

    /* Stream tables: past the payload, and larger than the symbols allow. */
    static const uint8_t four_streams[] = {0x00, 0x02, 0x06, 0x07};
    uint32_t past[] = {1000, 1, 1, 1}, fat[] = {0, 0, 0, 0};
    s = ok;
    s.K = 4;
    s.streams = four_streams;
    s.sizes = past;
    s.data_len = sizeof four_streams;
    n = build(f, &s, 20);
    expect("stream table past the end", f, n, H278_ERR_STREAM_TABLE);
    s.L = 1;
    s.lengths = lens;
    fat[0] = 4;
    s.sizes = fat;
    s.L = 3;
    expect("stream bigger than its symbols allow", f, build(f, &s, 3), H278_ERR_STREAM_TABLE);

    /* STORED and RUN blocks with wrong payload sizes. */
    n = file_header(f, 11, 4);
    uint8_t *b = f + n;
    memset(b, 0, 16);
    b[0] = H278_BLOCK_STORED;
    put32(b + 4, 4);
    put32(b + 8, 3);
    expect("stored payload too short", f, n + 16 + 3, H278_ERR_SIZE_MISMATCH);
    b[0] = H278_BLOCK_RUN;
    put32(b + 8, 2);
    expect("run payload of 2 bytes", f, n + 16 + 2, H278_ERR_SIZE_MISMATCH);
    put32(b + 8, 1);
    b[2] = 4;
    expect("run block with streams", f, n + 16 + 1, H278_ERR_BAD_FLAGS);
    b[2] = 0;
    put32(b + 8, 100);
    expect("payload past the end", f, n + 16 + 1, H278_ERR_TRUNCATED);

    /* A real file to damage. */
    uint8_t text[3000];
    uint64_t seed = 9;
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (uint8_t)("the quick brown fox jumps over a lazy dog "[h278_test_rand(&seed) % 42]);
    h278_enc_params e = {11, 4, 1024, 0, 0};
    uint8_t good[16384];
    size_t glen;
    CHECK(h278_compress(text, sizeof text, &e, good, sizeof good, &glen) == H278_OK);
    expect("valid file", good, glen, H278_OK);

    /* File header damage. */
    memcpy(f, good, glen);
    f[0] = 'X';
    expect("bad magic", f, glen, H278_ERR_BAD_MAGIC);
    memcpy(f, good, glen);
    f[20] ^= 1;
    expect("header checksum", f, glen, H278_ERR_HEADER_CHECKSUM);
    static const struct { size_t at; uint8_t v; h278_error want; } fields[] = {
        {4, 3, H278_ERR_BAD_VERSION}, {4, 0, H278_ERR_BAD_VERSION}, {5, 1, H278_ERR_BAD_FLAGS}, {7, 1, H278_ERR_BAD_FLAGS},
        {6, 0, H278_ERR_BAD_MAX_LEN}, {6, 21, H278_ERR_BAD_MAX_LEN}, {11, 0x80, H278_ERR_BAD_BLOCK_SIZE},
        {9, 0, H278_ERR_BAD_BLOCK_SIZE}, {19, 0x10, H278_ERR_TRUNCATED}, {13, 0x01, H278_ERR_SIZE_MISMATCH},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        memcpy(f, good, glen);
        f[fields[i].at] = fields[i].v;
        if (fields[i].at == 9)
            f[8] = 0; /* block size 0 */
        put32(f + 20, h278_checksum(f, 20));
        expect("header field", f, glen, fields[i].want);
    }
    /* A huge declared size whose blocks would fit: the caller's buffer is
     * the limit, not an allocation. */
    memcpy(f, good, glen);
    f[12] = 0xFF;
    f[13] = 0x0F; /* 4095 bytes: 4 blocks of 1024, but the file has 3 */
    put32(f + 20, h278_checksum(f, 20));
    expect("more blocks declared than present", f, glen, H278_ERR_SIZE_MISMATCH);
    uint8_t tiny[16];
    size_t olen;
    CHECK(h278_decompress(decoders[0], good, glen, tiny, sizeof tiny, &olen, NULL) == H278_ERR_OUTPUT_TOO_SMALL);

    /* Trailing data. */
    memcpy(f, good, glen);
    f[glen] = 0;
    expect("trailing byte", f, glen + 1, H278_ERR_TRAILING_DATA);

    /* Truncated at every offset: always "truncated". */
    for (size_t cut = 0; cut < glen; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees over-reads */
        memcpy(copy, good, cut);
        char what[64];
        snprintf(what, sizeof what, "truncated to %zu bytes", cut);
        expect(what, copy, cut, H278_ERR_TRUNCATED);
        free(copy);
    }

    /* Every single-bit flip fails (no flip decodes to anything else). */
    size_t silent = 0;
    for (size_t bit = 0; bit < glen * 8; bit++) {
        memcpy(f, good, glen);
        f[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        uint8_t out[4096];
        for (size_t d = 0; d < ndecoders; d++) {
            h278_error got = h278_decompress(decoders[d], f, glen, out, sizeof out, &olen, NULL);
            if (got == H278_OK)
                silent++;
        }
    }
    CHECKF(silent == 0, "%zu bit flips decoded without an error", silent);

    for (size_t d = 0; d < ndecoders; d++)
        h278_decoder_free(decoders[d]);
    return h278_test_finish();
}
