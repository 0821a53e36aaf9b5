/*
 * peers.c - zstd, libdeflate, zlib, ISA-L and memcpy behind one signature.
 *
 * What each row measures:
 *   zstd-literals  zstd's Huffman literal decoder (4 streams above 1 KiB of
 *                  literals): a zstd frame whose blocks hold only
 *                  Huffman-coded literals and no sequences, made with the
 *                  experimental block-level sequence-producer API and a
 *                  producer that never finds a match.
 *   zstd-3         ordinary zstd at level 3, for context (LZ + entropy).
 *   libdeflate,    one raw deflate stream written by zlib with
 *   zlib, isal     Z_HUFFMAN_ONLY (no matches, so decoding is Huffman
 *                  decoding only), decoded by each library.
 *   memcpy         the ceiling: copying the bytes.
 *
 * Every decoder context is made once in prepare() and reset in decode(), so
 * no row pays for allocation inside the timed loop. Every prepare() either
 * succeeds or releases what it made, leaving the blob zeroed.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_registerSequenceProducer */
#include "peers.h"

#include <gnu/libc-version.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* The deflate libraries count bytes in 32 bits; one limit for every peer. */
#define H278_PEER_MAX_INPUT ((size_t)UINT32_MAX)

/* ---- zstd -------------------------------------------------------------- */

/* The whole block as literals: one sequence {offset 0, litLength srcSize,
 * matchLength 0}, the block delimiter the API allows as the last sequence. */
static size_t h278_literals_only(void *state, ZSTD_Sequence *out, size_t out_cap, const void *src,
                                 size_t src_size, const void *dict, size_t dict_size, int level,
                                 size_t window)
{
    (void)state, (void)src, (void)dict, (void)dict_size, (void)level, (void)window;
    if (out_cap < 1 || src_size > ZSTD_BLOCKSIZE_MAX)
        return ZSTD_SEQUENCE_PRODUCER_ERROR;
    memset(&out[0], 0, sizeof out[0]);
    out[0].litLength = (unsigned)src_size;
    return 1;
}

static const char *h278_zstd_version(void)
{
    return ZSTD_versionString();
}

static void h278_zstd_release(h278_peer_blob *b)
{
    ZSTD_freeDCtx(b->ctx);
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int h278_zstd_prepare(const uint8_t *src, size_t n, h278_peer_blob *out, int literals_only)
{
    if (n > H278_PEER_MAX_INPUT)
        return -1;
    ZSTD_CCtx *c = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(n);
    out->data = malloc(cap);
    out->ctx = ZSTD_createDCtx();
    int ok = c && out->data && out->ctx &&
             !ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3));
    if (ok && literals_only) {
        /* No fallback: if the producer failed, zstd would find matches
         * itself and the row would silently measure something else. */
        ZSTD_registerSequenceProducer(c, NULL, h278_literals_only);
        ok = !ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_enableSeqProducerFallback, 0));
    }
    size_t got = ok ? ZSTD_compress2(c, out->data, cap, src, n) : 0;
    ZSTD_freeCCtx(c);
    if (!ok || ZSTD_isError(got)) {
        h278_zstd_release(out);
        return -1;
    }
    out->size = got;
    return 0;
}

static int h278_zstd_literals_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    return h278_zstd_prepare(src, n, out, 1);
}

static int h278_zstd3_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    return h278_zstd_prepare(src, n, out, 0);
}

static int h278_zstd_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    size_t got = ZSTD_decompressDCtx(in->ctx, dst, n, in->data, in->size);
    return ZSTD_isError(got) || got != n ? -1 : 0;
}

/* ---- Huffman-only deflate, written by zlib ----------------------------- */

/* Fills out->data/size; out->ctx is the caller's. */
static int h278_deflate_huffman_only(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    if (n > H278_PEER_MAX_INPUT)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_HUFFMAN_ONLY) != Z_OK)
        return -1;
    uLong cap = deflateBound(&z, (uLong)n);
    out->data = malloc(cap);
    int rc = Z_MEM_ERROR;
    if (out->data) {
        z.next_in = (Bytef *)src; /* zlib's API is not const-correct; it only reads */
        z.avail_in = (uInt)n;
        z.next_out = out->data;
        z.avail_out = (uInt)cap;
        rc = deflate(&z, Z_FINISH);
        out->size = z.total_out;
    }
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

static const char *h278_libdeflate_version(void)
{
    return LIBDEFLATE_VERSION_STRING;
}

static void h278_libdeflate_release(h278_peer_blob *b)
{
    libdeflate_free_decompressor(b->ctx);
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int h278_libdeflate_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    out->ctx = libdeflate_alloc_decompressor();
    if (!out->ctx || h278_deflate_huffman_only(src, n, out) != 0) {
        h278_libdeflate_release(out);
        return -1;
    }
    return 0;
}

static int h278_libdeflate_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    size_t got = 0;
    enum libdeflate_result r = libdeflate_deflate_decompress(in->ctx, in->data, in->size, dst, n, &got);
    return r == LIBDEFLATE_SUCCESS && got == n ? 0 : -1;
}

static const char *h278_zlib_version(void)
{
    return zlibVersion();
}

static void h278_zlib_release(h278_peer_blob *b)
{
    if (b->ctx) {
        inflateEnd(b->ctx);
        free(b->ctx);
    }
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int h278_zlib_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    z_stream *z = calloc(1, sizeof *z);
    if (!z)
        return -1;
    if (inflateInit2(z, -15) != Z_OK) {
        free(z);
        return -1;
    }
    out->ctx = z;
    if (h278_deflate_huffman_only(src, n, out) != 0) {
        h278_zlib_release(out);
        return -1;
    }
    return 0;
}

static int h278_zlib_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    z_stream *z = in->ctx;
    if (n > H278_PEER_MAX_INPUT || inflateReset(z) != Z_OK)
        return -1;
    z->next_in = in->data;
    z->avail_in = (uInt)in->size;
    z->next_out = dst;
    z->avail_out = (uInt)n;
    int rc = inflate(z, Z_FINISH);
    return rc == Z_STREAM_END && z->total_out == n ? 0 : -1;
}

static const char *h278_isal_version(void)
{
    return H278_ISAL_VERSION; /* ISA-L has no run-time version call; pkg-config's */
}

static void h278_isal_release(h278_peer_blob *b)
{
    free(b->ctx);
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int h278_isal_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    out->ctx = malloc(sizeof(struct inflate_state));
    if (!out->ctx || h278_deflate_huffman_only(src, n, out) != 0) {
        h278_isal_release(out);
        return -1;
    }
    return 0;
}

static int h278_isal_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    struct inflate_state *s = in->ctx;
    if (n > H278_PEER_MAX_INPUT)
        return -1;
    isal_inflate_init(s);
    s->crc_flag = ISAL_DEFLATE; /* raw deflate, no checksum */
    s->next_in = in->data;
    s->avail_in = (uint32_t)in->size;
    s->next_out = dst;
    s->avail_out = (uint32_t)n;
    int rc = isal_inflate(s);
    return rc == ISAL_DECOMP_OK && s->block_state == ISAL_BLOCK_FINISH && s->total_out == n ? 0 : -1;
}

/* ---- memcpy ----------------------------------------------------------- */

static const char *h278_memcpy_version(void)
{
    return gnu_get_libc_version(); /* glibc's, whose memcpy this is */
}

static void h278_plain_release(h278_peer_blob *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int h278_memcpy_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    if (n > H278_PEER_MAX_INPUT || !(out->data = malloc(n ? n : 1)))
        return -1;
    memcpy(out->data, src, n);
    out->size = n;
    return 0;
}

static int h278_memcpy_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    if (n != in->size)
        return -1;
    memcpy(dst, in->data, n);
    return 0;
}

const h278_peer h278_peers[] = {
    {"zstd-literals", "zstd's 4-stream Huffman decoder on literal-only zstd frames", h278_zstd_version,
     h278_zstd_literals_prepare, h278_zstd_decode, h278_zstd_release},
    {"zstd-3", "zstd level 3 (LZ + entropy), for context", h278_zstd_version, h278_zstd3_prepare,
     h278_zstd_decode, h278_zstd_release},
    {"libdeflate", "libdeflate on Huffman-only raw deflate", h278_libdeflate_version,
     h278_libdeflate_prepare, h278_libdeflate_decode, h278_libdeflate_release},
    {"zlib", "zlib inflate on Huffman-only raw deflate", h278_zlib_version, h278_zlib_prepare,
     h278_zlib_decode, h278_zlib_release},
    {"isal", "ISA-L inflate on Huffman-only raw deflate", h278_isal_version, h278_isal_prepare,
     h278_isal_decode, h278_isal_release},
    {"memcpy", "memcpy of the input: the ceiling", h278_memcpy_version, h278_memcpy_prepare,
     h278_memcpy_decode, h278_plain_release},
};

const size_t h278_peers_count = sizeof h278_peers / sizeof h278_peers[0];
