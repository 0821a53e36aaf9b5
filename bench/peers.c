/*
 * peers.c - zstd, libdeflate, zlib, ISA-L and memcpy behind one signature.
 *
 * What each row measures:
 *   zstd-literals  zstd's 4-stream Huffman decoder: a zstd frame whose
 *                  blocks hold only Huffman-coded literals, made with the
 *                  experimental sequence-producer API and a producer that
 *                  never finds a match (one sequence: all literals).
 *   zstd-3         ordinary zstd at level 3, for context (LZ + entropy).
 *   libdeflate,    raw deflate written by zlib with Z_HUFFMAN_ONLY (no LZ
 *   zlib, isal     matches: Huffman decoding only), decoded by each.
 *   memcpy         the ceiling: copying the bytes.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include "peers.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* ---- zstd -------------------------------------------------------------- */

static size_t literals_only(void *state, ZSTD_Sequence *out, size_t out_cap, const void *src,
                            size_t src_size, const void *dict, size_t dict_size, int level,
                            size_t window)
{
    (void)state, (void)src, (void)dict, (void)dict_size, (void)level, (void)window;
    if (out_cap < 1)
        return ZSTD_SEQUENCE_PRODUCER_ERROR;
    out[0].offset = 0;
    out[0].litLength = (unsigned)src_size;
    out[0].matchLength = 0;
    out[0].rep = 0;
    return 1;
}

static const char *zstd_version(void)
{
    return ZSTD_versionString();
}

static int zstd_prepare(const uint8_t *src, size_t n, h278_peer_blob *out, int literals)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(n);
    out->data = malloc(cap);
    out->ctx = ZSTD_createDCtx();
    if (!c || !out->data || !out->ctx)
        return -1;
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
    if (literals) {
        ZSTD_registerSequenceProducer(c, NULL, literals_only);
        ZSTD_CCtx_setParameter(c, ZSTD_c_enableSeqProducerFallback, 0);
    }
    size_t got = ZSTD_compress2(c, out->data, cap, src, n);
    ZSTD_freeCCtx(c);
    if (ZSTD_isError(got))
        return -1;
    out->size = got;
    return 0;
}

static int zstd_lit_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    return zstd_prepare(src, n, out, 1);
}

static int zstd3_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    return zstd_prepare(src, n, out, 0);
}

static int zstd_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    size_t got = ZSTD_decompressDCtx(in->ctx, dst, n, in->data, in->size);
    return ZSTD_isError(got) || got != n ? -1 : 0;
}

static void zstd_release(h278_peer_blob *b)
{
    ZSTD_freeDCtx(b->ctx);
    free(b->data);
}

/* ---- Huffman-only deflate, written by zlib ----------------------------- */

static int deflate_huffman_only(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_HUFFMAN_ONLY) != Z_OK)
        return -1;
    uLong cap = deflateBound(&z, (uLong)n);
    out->data = malloc(cap);
    if (!out->data) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = out->data;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    out->size = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

static const char *libdeflate_version(void)
{
    return LIBDEFLATE_VERSION_STRING;
}

static int libdeflate_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    out->ctx = libdeflate_alloc_decompressor();
    return out->ctx ? deflate_huffman_only(src, n, out) : -1;
}

static int libdeflate_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    size_t got;
    return libdeflate_deflate_decompress(in->ctx, in->data, in->size, dst, n, &got) == LIBDEFLATE_SUCCESS &&
                   got == n ? 0 : -1;
}

static void libdeflate_release(h278_peer_blob *b)
{
    libdeflate_free_decompressor(b->ctx);
    free(b->data);
}

static const char *zlib_version_string(void)
{
    return zlibVersion();
}

static int zlib_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    return deflate_huffman_only(src, n, out);
}

static int zlib_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return -1;
    z.next_in = in->data;
    z.avail_in = (uInt)in->size;
    z.next_out = dst;
    z.avail_out = (uInt)n;
    int rc = inflate(&z, Z_FINISH);
    size_t got = z.total_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END && got == n ? 0 : -1;
}

static void plain_release(h278_peer_blob *b)
{
    free(b->data);
}

static const char *isal_version(void)
{
    return "ISA-L (Debian libisal, see the machine file)";
}

static int isal_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    struct inflate_state *s = in->ctx;
    isal_inflate_init(s);
    s->next_in = in->data;
    s->avail_in = (uint32_t)in->size;
    s->next_out = dst;
    s->avail_out = (uint32_t)n;
    s->crc_flag = 0;
    int rc = isal_inflate(s);
    return rc == ISAL_DECOMP_OK && s->block_state == ISAL_BLOCK_FINISH && s->total_out == n ? 0 : -1;
}

static int isal_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    out->ctx = malloc(sizeof(struct inflate_state));
    return out->ctx ? deflate_huffman_only(src, n, out) : -1;
}

static void isal_release(h278_peer_blob *b)
{
    free(b->ctx);
    free(b->data);
}

/* ---- memcpy ----------------------------------------------------------- */

static const char *memcpy_version(void)
{
    return "libc";
}

static int memcpy_prepare(const uint8_t *src, size_t n, h278_peer_blob *out)
{
    out->data = malloc(n ? n : 1);
    if (!out->data)
        return -1;
    memcpy(out->data, src, n);
    out->size = n;
    return 0;
}

static int memcpy_decode(const h278_peer_blob *in, uint8_t *dst, size_t n)
{
    memcpy(dst, in->data, n);
    return 0;
}

const h278_peer h278_peers[] = {
    {"zstd-literals", "zstd 4-stream Huffman decoder (literal-only frames)", zstd_version,
     zstd_lit_prepare, zstd_decode, zstd_release},
    {"zstd-3", "zstd level 3 (LZ + entropy), for context", zstd_version, zstd3_prepare, zstd_decode,
     zstd_release},
    {"libdeflate", "libdeflate on Huffman-only raw deflate", libdeflate_version, libdeflate_prepare,
     libdeflate_decode, libdeflate_release},
    {"zlib", "zlib inflate on Huffman-only raw deflate", zlib_version_string, zlib_prepare, zlib_decode,
     plain_release},
    {"isal", "ISA-L inflate on Huffman-only raw deflate", isal_version, isal_prepare, isal_decode,
     isal_release},
    {"memcpy", "memcpy: the ceiling", memcpy_version, memcpy_prepare, memcpy_decode, plain_release},
};

const size_t h278_peers_count = sizeof h278_peers / sizeof h278_peers[0];
