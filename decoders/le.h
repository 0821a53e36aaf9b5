/*
 * le.h - little-endian loads and stores that assume no alignment.
 *
 * The format puts fields at any offset; memcpy into a fixed-width integer is
 * the portable way to read them and compiles to one mov on x86-64.
 */
#ifndef H278_LE_H
#define H278_LE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t h278_load16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t h278_load32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t h278_load64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    return (uint64_t)h278_load32(p) | ((uint64_t)h278_load32(p + 4) << 32);
#endif
}

static inline void h278_store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void h278_store64(uint8_t *p, uint64_t v)
{
    h278_store32(p, (uint32_t)v);
    h278_store32(p + 4, (uint32_t)(v >> 32));
}

#endif /* H278_LE_H */
