/*
 * le.h - little-endian loads and stores that assume no alignment.
 *
 * The format puts fields at any offset. A memcpy into a fixed-width integer
 * is the portable way to read them, and on a little-endian CPU gcc and
 * clang turn it into one plain load (x86-64: one mov); a big-endian CPU
 * swaps the bytes after it.
 */
#ifndef H278_LE_H
#define H278_LE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define H278_LE_SWAP32(v) __builtin_bswap32(v)
#define H278_LE_SWAP64(v) __builtin_bswap64(v)
#else
#define H278_LE_SWAP32(v) (v)
#define H278_LE_SWAP64(v) (v)
#endif

static inline uint32_t h278_load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return H278_LE_SWAP32(v);
}

static inline uint64_t h278_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return H278_LE_SWAP64(v);
}

static inline void h278_store32(uint8_t *p, uint32_t v)
{
    v = H278_LE_SWAP32(v);
    memcpy(p, &v, 4);
}

static inline void h278_store64(uint8_t *p, uint64_t v)
{
    v = H278_LE_SWAP64(v);
    memcpy(p, &v, 8);
}

#undef H278_LE_SWAP32
#undef H278_LE_SWAP64
#endif /* H278_LE_H */
