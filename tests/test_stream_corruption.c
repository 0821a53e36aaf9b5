/*
 * test_stream_corruption.c - damaged bit streams are rejected by every
 * decoder variant exactly as the oracle rejects them, and no variant reads
 * outside a stream or writes outside the block while doing so.
 *
 * A block is encoded, parsed, and then its streams are damaged one at a time
 * at the h278_block level (so the parser's checks, which would catch some
 * of these, are out of the way and the decoders see the damage):
 *   - a stream one byte short (ends early)      -> H278_ERR_CORRUPT_STREAM
 *   - a stream with one byte more (left over)   -> H278_ERR_CORRUPT_STREAM
 *   - a padding bit set in the last byte        -> H278_ERR_CORRUPT_STREAM
 *   - a stream cut to half or to nothing, flipped bits, random contents,
 *     two streams swapped                        -> whatever the oracle says
 * and every variant must return the oracle's error, or on success the
 * oracle's bytes. Each stream is followed by bytes AddressSanitizer
 * is told are off limits, so under it a read past a stream fails the
 * test, and guard bytes around the output catch stray writes in every
 * build.
 *
 * Expected outcomes come from the format's rules and the tree oracle, never
 * from the decoders under test: the padding of stream s is found from the
 * code lengths of the symbols it holds, computed from the original input.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"
#include "variant.h"

#define GUARD 16u
#define MAX_VARIANTS 32u

static h278_decoder *oracle;
static h278_decoder *variants[MAX_VARIANTS];
static size_t nvariants;

/* Decodes b (build + decode, no checksum) into a buffer of decoded_size
 * bytes between guard bytes; copies the result to out. */
static h278_error decode_guarded(h278_decoder *d, const h278_block *b, uint8_t *out, int *guard_ok)
{
    uint8_t *buf = malloc(b->decoded_size + 2 * GUARD);
    memset(buf, 0xA5, b->decoded_size + 2 * GUARD);
    h278_error err = h278_decoder_build(d, b);
    if (!err)
        err = h278_decoder_decode(d, b, buf + GUARD, b->decoded_size);
    *guard_ok = 1;
    for (uint32_t i = 0; i < GUARD; i++)
        if (buf[i] != 0xA5 || buf[GUARD + b->decoded_size + i] != 0xA5)
            *guard_ok = 0;
    if (!err)
        memcpy(out, buf + GUARD, b->decoded_size);
    free(buf);
    return err;
}

/* Every variant against the oracle on block b; `must` is the error the
 * format requires (H278_OK when only agreement is required). */
static void compare(const h278_block *b, h278_error must, const char *what)
{
    uint8_t *want = malloc(b->decoded_size + 1), *got = malloc(b->decoded_size + 1);
    int guard_ok;
    h278_error expect = decode_guarded(oracle, b, want, &guard_ok);
    if (must != H278_OK)
        CHECKF(expect == must, "%s: the oracle says %s", what, h278_strerror(expect));
    for (size_t v = 0; v < nvariants; v++) {
        h278_error err = decode_guarded(variants[v], b, got, &guard_ok);
        CHECKF(err == expect, "%s: %s says '%s', the oracle '%s'", what, h278_decoder_name(variants[v]),
               h278_strerror(err), h278_strerror(expect));
        if (err == H278_OK && expect == H278_OK)
            CHECKF(memcmp(got, want, b->decoded_size) == 0, "%s: %s decoded other bytes", what,
                   h278_decoder_name(variants[v]));
        CHECKF(guard_ok, "%s: %s wrote outside the block", what, h278_decoder_name(variants[v]));
    }
    free(want);
    free(got);
}

/*
 * The block with its streams copied into one allocation (they are parts of
 * one buffer in a parsed block too), each stream ending on an 8-byte
 * boundary and followed by GAP bytes that AddressSanitizer is told are off
 * limits: the granule it checks is 8 bytes, so a read even one byte past a
 * stream's end fails the test. Stream s gets `size` bytes of `bytes`
 * instead when s == which.
 */
#define GAP 64u
typedef struct isolated {
    h278_block b;
    uint8_t *mem;
    size_t mem_size;
} isolated;

static void isolate(isolated *iso, const h278_block *b, unsigned which, const uint8_t *bytes,
                    uint32_t size)
{
    iso->b = *b;
    uint32_t n[H278_MAX_STREAMS];
    size_t at[H278_MAX_STREAMS], end = GAP;
    for (unsigned s = 0; s < b->streams && s < H278_MAX_STREAMS; s++) {
        n[s] = s == which ? size : b->stream_size[s];
        at[s] = (end + n[s] + 7) / 8 * 8 - n[s];
        end = at[s] + n[s] + GAP;
    }
    iso->mem_size = end;
    iso->mem = malloc(end);
    H278_TEST_POISON(iso->mem, end);
    for (unsigned s = 0; s < b->streams && s < H278_MAX_STREAMS; s++) {
        uint8_t *stream = iso->mem + at[s];
        H278_TEST_UNPOISON(stream, n[s]);
        if (n[s])
            memcpy(stream, s == which ? bytes : b->stream[s], n[s]);
        iso->b.stream[s] = stream;
        iso->b.stream_size[s] = n[s];
    }
}

static void release(isolated *iso)
{
    H278_TEST_UNPOISON(iso->mem, iso->mem_size);
    free(iso->mem);
}

/* One damaged version of stream `which`, checked against the oracle. */
static void damaged(const h278_block *b, unsigned which, const uint8_t *bytes, uint32_t size,
                    h278_error must, const char *what)
{
    isolated iso;
    isolate(&iso, b, which, bytes, size);
    compare(&iso.b, must, what);
    release(&iso);
}

static void damage_block(const h278_block *b, const uint8_t *data, const char *name, uint64_t *rng)
{
    char what[200];
    /* Undamaged, isolated: everything decodes. */
    isolated iso;
    isolate(&iso, b, H278_MAX_STREAMS, NULL, 0);
    compare(&iso.b, H278_OK, name);
    release(&iso);

    for (unsigned s = 0; s < b->streams; s++) {
        uint32_t size = b->stream_size[s];
        if (!b->stream_symbols[s])
            continue;
        uint8_t *copy = malloc(size + 1);
        memcpy(copy, b->stream[s], size);

        snprintf(what, sizeof what, "%s stream %u: one byte short", name, s);
        damaged(b, s, copy, size - 1, H278_ERR_CORRUPT_STREAM, what);

        copy[size] = (uint8_t)h278_test_rand(rng);
        snprintf(what, sizeof what, "%s stream %u: one byte left over", name, s);
        damaged(b, s, copy, size + 1, H278_ERR_CORRUPT_STREAM, what);
        copy[size] = 0;
        damaged(b, s, copy, size + 1, H278_ERR_CORRUPT_STREAM, what);

        /* The stream's bit count from the original symbols' code lengths. */
        uint64_t bits = 0;
        for (uint32_t j = 0; j < b->stream_symbols[s]; j++)
            bits += b->lengths[data[h278_out_index(b, s, j)]];
        CHECKF((bits + 7) / 8 == size, "%s stream %u: %llu bits in %u bytes", name, s,
               (unsigned long long)bits, size);
        if (bits & 7) {
            uint8_t keep = copy[size - 1];
            copy[size - 1] |= (uint8_t)(0x80u);
            snprintf(what, sizeof what, "%s stream %u: a padding bit set", name, s);
            damaged(b, s, copy, size, H278_ERR_CORRUPT_STREAM, what);
            copy[size - 1] = keep;
        }

        snprintf(what, sizeof what, "%s stream %u: cut in half", name, s);
        damaged(b, s, copy, size / 2, H278_OK, what);
        snprintf(what, sizeof what, "%s stream %u: empty", name, s);
        damaged(b, s, copy, 0, H278_OK, what);

        for (int f = 0; f < 2; f++) {
            uint64_t bit = h278_test_rand(rng) % ((uint64_t)size * 8);
            copy[bit >> 3] ^= (uint8_t)(1u << (bit & 7));
            snprintf(what, sizeof what, "%s stream %u: bit %llu flipped", name, s, (unsigned long long)bit);
            damaged(b, s, copy, size, H278_OK, what);
            copy[bit >> 3] ^= (uint8_t)(1u << (bit & 7));
        }

        for (uint32_t i = 0; i < size; i++)
            copy[i] = (uint8_t)h278_test_rand(rng);
        snprintf(what, sizeof what, "%s stream %u: random contents", name, s);
        damaged(b, s, copy, size, H278_OK, what);
        free(copy);
    }

    if (b->streams > 1) {
        /* Streams 0 and 1 exchanged (their symbol counts stay). */
        h278_block swapped = *b;
        swapped.stream[0] = b->stream[1];
        swapped.stream_size[0] = b->stream_size[1];
        swapped.stream[1] = b->stream[0];
        swapped.stream_size[1] = b->stream_size[0];
        isolate(&iso, &swapped, H278_MAX_STREAMS, NULL, 0);
        snprintf(what, sizeof what, "%s: streams 0 and 1 swapped", name);
        compare(&iso.b, H278_OK, what);
        release(&iso);
    }
}

/* Encodes data as one block at (L, K, layout) and damages it. */
static void one_setting(const uint8_t *data, size_t n, const char *name, unsigned L, unsigned K,
                        int il, uint64_t *rng)
{
    h278_enc_params p = {L, K, H278_MAX_BLOCK_SIZE, il, 0};
    size_t cap = h278_block_bound(n, &p), len;
    uint8_t *enc = malloc(cap);
    h278_error err = h278_encode_block(data, n, &p, enc, cap, &len);
    CHECKF(err == H278_OK, "%s: encode: %s", name, h278_strerror(err));
    h278_block b;
    if (!err)
        err = h278_read_block(enc, len, (uint32_t)n, L, &b);
    CHECKF(err == H278_OK, "%s: parse: %s", name, h278_strerror(err));
    if (!err && b.type == H278_BLOCK_HUFFMAN) {
        char what[120];
        snprintf(what, sizeof what, "%s L=%u K=%u%s", name, L, K, il ? " interleaved" : "");
        damage_block(&b, data, what, rng);
    } else if (!err) {
        CHECKF(0, "%s L=%u: not a HUFFMAN block", name, L); /* the inputs below all compress */
    }
    free(enc);
}

static uint8_t *sample(const char *file, size_t want, size_t *n)
{
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    for (size_t f = 0; f < files; f++) {
        const char *slash = strrchr(paths[f], '/');
        if (slash && strcmp(slash + 1, file) == 0) {
            uint8_t *data = h278_test_read_file(paths[f], n);
            if (data && *n > want)
                *n = want;
            return data;
        }
    }
    CHECKF(0, "corpus file %s not found", file);
    return NULL;
}

int main(void)
{
    CHECK(h278_decoder_new("tree", NULL, &oracle) == H278_OK);
    for (size_t i = 0; i < h278_variant_count() && nvariants < MAX_VARIANTS; i++) {
        /* Pivot blocks have no streams: test_pivot_corruption.c damages them. */
        if (!h278_variant_available(i) || strcmp(h278_variant_name(i), "tree") == 0 ||
            !(h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC))
            continue;
        CHECK(h278_decoder_new(h278_variant_name(i), NULL, &variants[nvariants]) == H278_OK);
        nvariants++;
    }

    uint64_t rng = 0x278;
    struct {
        const char *name;
        uint8_t *data;
        size_t n;
    } inputs[4];
    inputs[0].name = "alice29.txt";
    inputs[0].data = sample("alice29.txt", 5000, &inputs[0].n);
    inputs[1].name = "kennedy.xls";
    inputs[1].data = sample("kennedy.xls", 5000, &inputs[1].n);
    /* Fibonacci-like frequencies: codes up to the limit, so the long-code
     * paths of the two-tier decoders run. */
    inputs[2].name = "long codes";
    inputs[2].n = 30000;
    inputs[2].data = malloc(inputs[2].n);
    for (size_t i = 0, s = 0, run = 1, prev = 1, left = 1; i < inputs[2].n; i++) {
        inputs[2].data[i] = (uint8_t)s;
        if (--left == 0 && s < 22) {
            size_t next = run + prev;
            prev = run;
            run = next;
            left = run;
            s++;
        }
    }
    /* A short input: every stream is decoded by the checked tail alone. */
    inputs[3].name = "short";
    inputs[3].n = 300;
    inputs[3].data = malloc(inputs[3].n);
    for (size_t i = 0; i < inputs[3].n; i++)
        inputs[3].data[i] = (uint8_t)('a' + (h278_test_rand(&rng) % 7) * (i % 3));

    static const unsigned Ls[] = {8, 11, 15, 20};
    static const unsigned Ks[] = {1, 4, 8, 16, 32};
    for (size_t in = 0; in < 4; in++) {
        if (!inputs[in].data)
            continue;
        for (size_t li = 0; li < 4; li++)
            for (size_t ki = 0; ki < 5; ki++)
                for (int il = 0; il < 2; il++) {
                    if (il && Ks[ki] == 1)
                        continue;
                    /* Long codes need the long-code input; the others skip
                     * the rarer settings to keep the test quick. */
                    if (in != 2 && Ls[li] == 20 && Ks[ki] > 4)
                        continue;
                    one_setting(inputs[in].data, inputs[in].n, inputs[in].name, Ls[li], Ks[ki], il,
                                &rng);
                }
        free(inputs[in].data);
    }

    for (size_t v = 0; v < nvariants; v++)
        h278_decoder_free(variants[v]);
    h278_decoder_free(oracle);
    return h278_test_finish();
}
