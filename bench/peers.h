/*
 * peers.h - the libraries people use today, measured in the same run on the
 * same bytes as H278's decoders (lzbench's idea: one table, one signature).
 *
 * prepare() compresses once, outside any timing, and creates the decoder
 * context that decode() reuses, so the timed call is decoding alone, as a
 * server decoding many messages would run it. decode() must reproduce
 * exactly n bytes (the harness then compares them).
 */
#ifndef H278_PEERS_H
#define H278_PEERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h278_peer_blob {
    uint8_t *data;  /* the compressed form */
    size_t size;
    void *ctx;      /* a reusable decoder context (ZSTD_DCtx, libdeflate_decompressor, ...) */
} h278_peer_blob;

typedef struct h278_peer {
    const char *name;   /* "zstd-literals", "zstd-3", "libdeflate", "zlib", "isal", "memcpy" */
    const char *what;   /* one line: what is measured */
    const char *(*version)(void);  /* the library's version string */
    /* Compresses src[0 .. n) into *out, which must start zeroed; 0 = ok.
     * On failure *out is left zeroed. Inputs above 4 GiB - 1 are refused. */
    int (*prepare)(const uint8_t *src, size_t n, h278_peer_blob *out);
    /* Decodes in into dst[0 .. n); 0 only if that gave exactly n bytes. */
    int (*decode)(const h278_peer_blob *in, uint8_t *dst, size_t n);
    /* Frees what prepare() made; safe on a zeroed blob. Leaves it zeroed. */
    void (*release)(h278_peer_blob *b);
} h278_peer;

extern const h278_peer h278_peers[];
extern const size_t h278_peers_count;

#ifdef __cplusplus
}
#endif
#endif /* H278_PEERS_H */
