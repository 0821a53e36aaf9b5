/*
 * decode_multisym_loop.h - the multi-symbol decoder's tables and its decode
 * loop, a template compiled once per instruction set (libdeflate's pattern).
 *
 * decode_multisym.c compiles the loop for any CPU: that is the `multisym`
 * variant. x86/decode_multisym_bmi2.c compiles it again with BMI2, whose
 * shrx shifts by a count in any register in one micro-op (the base
 * instruction set's shr takes its count in cl and costs more on the
 * critical path of every lookup); the AVX2 and AVX-512 variants decode the
 * blocks their lanes do not take with that copy. The code is the same; only
 * the instructions the compiler may choose differ.
 *
 * Before including it, define MS_DECODE (the decode function's name) and
 * MS_TARGET (attributes for the loop's functions; empty for the base ISA);
 * without MS_DECODE it gives only the table layout.
 * decode_multisym.c explains the table and the loop.
 */
#ifndef H278_DECODE_MULTISYM_TABLES
#define H278_DECODE_MULTISYM_TABLES

#include <string.h>

#include "decode_common.h"

typedef struct ms_tables {
    h278_long_codes lc; /* the sorted code; the second tier when has_long */
    uint32_t w;         /* table width chosen by the build */
    uint32_t has_long;  /* some code is longer than w */
    uint32_t multi[];   /* 2^w entries, then the 2^w-entry single table */
} ms_tables;

static const uint16_t *ms_single(const ms_tables *t)
{
    return (const uint16_t *)(t->multi + ((size_t)1 << t->w));
}

#endif /* H278_DECODE_MULTISYM_TABLES */

/* The loop: only when the includer asked for a copy of it. */
#ifdef MS_DECODE

/* A code longer than the table (w bits): the canonical search, as an
 * entry. */
MS_TARGET static inline uint32_t ms_long(const h278_long_codes *lc, uint64_t bits, unsigned w)
{
    uint32_t x = h278_long_decode(lc, (uint32_t)(bits & ((UINT64_C(1) << lc->max_len) - 1)), w);
    return (x >> 8) | (x & 0xFFu) << 6 | 1u << 30;
}

/* One lookup for lane i. has_long and seg are constants in each
 * specialisation of ms_fast. */
#define MS_STEP(i)                                                          \
    do {                                                                    \
        uint32_t e_ = tab[bits##i & mask];                                  \
        if (has_long && unlikely(e_ == 0)) {                                \
            H278_LANE_REFILL(i);                                            \
            e_ = ms_long(&t->lc, bits##i, w);                               \
        }                                                                   \
        bits##i >>= e_ & 63;                                                \
        count##i -= e_;                                                     \
        if (seg) {                                                          \
            uint32_t s_ = e_ >> 6;                                          \
            memcpy(out##i, &s_, 4);                                         \
            out##i += e_ >> 30;                                             \
        } else {                                                            \
            out##i[0] = (uint8_t)(e_ >> 6);                                 \
            out##i[stride] = (uint8_t)(e_ >> 14);                           \
            out##i[2 * stride] = (uint8_t)(e_ >> 22);                       \
            out##i += (e_ >> 30) * stride;                                  \
        }                                                                   \
    } while (0)

/*
 * The hot loop over N (1 or 4) lanes: D lookups per lane per refill, with
 * D * w <= 56. A code longer than w (has_long) refills its lane first and
 * then takes up to max_len bits; D leaves room for that
 * (h278_lookups_with_long), and the safe count is then in bits (an
 * iteration consumes at most D * max_len). An iteration emits at most 3 * D
 * symbols per lane and writes one slot past them (the 4-byte store), hence
 * the 3 * D + 1. Each lookup emits at least one symbol, so lane 0's output
 * pointer bounds the iterations (zstd's trick: no counter).
 */
static H278_ALWAYS_INLINE void ms_fast(h278_lane *lanes, const ms_tables *t, const unsigned N,
                                       const unsigned w, const uint32_t stride, const unsigned D,
                                       const int has_long, const int seg)
{
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    const uint32_t *tab = t->multi;
    const uint32_t max_bits = has_long ? D * t->lc.max_len : 0;
    H278_LANE_FAST_LOOP(lanes, N, stride, D, 3 * D + 1, max_bits, MS_STEP);
}

/* Picks the specialisation of ms_fast for a group of N lanes: the default
 * widths as constants (their masks become immediates), else the width at run
 * time (D is at least 3 for any width of 6..14 and codes of up to 20 bits);
 * the layout (segmented, K = 4 interleaved, other strides); long codes or
 * not. */
#define MS_LAYOUTS(N, w, D, has_long)                                          \
    do {                                                                       \
        if (stride == 1)                                                       \
            ms_fast(lanes, t, N, w, 1, D, has_long, 1);                        \
        else if (stride == 4)                                                  \
            ms_fast(lanes, t, N, w, 4, D, has_long, 0);                        \
        else                                                                   \
            ms_fast(lanes, t, N, w, stride, D, has_long, 0);                   \
    } while (0)

#define MS_WIDTHS(N)                                                           \
    do {                                                                       \
        if (!t->has_long && t->w == 11)                                        \
            MS_LAYOUTS(N, 11, 5, 0);                                           \
        else if (!t->has_long && t->w == 12)                                   \
            MS_LAYOUTS(N, 12, 4, 0);                                           \
        else if (t->has_long && t->w == 12 && D == 4)                          \
            MS_LAYOUTS(N, 12, 4, 1);                                           \
        else if (D >= 5)                                                       \
            MS_LAYOUTS(N, t->w, 5, t->has_long);                               \
        else if (D == 4)                                                       \
            MS_LAYOUTS(N, t->w, 4, t->has_long);                               \
        else                                                                   \
            MS_LAYOUTS(N, t->w, 3, t->has_long);                               \
    } while (0)

MS_TARGET static void ms_group4(h278_lane *lanes, const ms_tables *t, uint32_t stride, unsigned D)
{
    MS_WIDTHS(4);
}

MS_TARGET static void ms_group1(h278_lane *lanes, const ms_tables *t, uint32_t stride, unsigned D)
{
    MS_WIDTHS(1);
}

MS_TARGET static h278_error MS_DECODE(const h278_block *b, const h278_params *p, const void *mem, uint8_t *dst)
{
    (void)p;
    const ms_tables *t = mem;
    unsigned D = t->has_long ? h278_lookups_with_long(t->w, b->code_max_len)
                             : h278_lookups_per_refill(t->w);
    h278_lane lanes[H278_MAX_STREAMS];
    uint32_t stride = h278_lanes_init(b, dst, lanes);
    if (b->streams == 1)
        ms_group1(lanes, t, stride, D);
    for (unsigned g = 0; g + 4 <= b->streams; g += 4)
        ms_group4(lanes + g, t, stride, D);
    for (unsigned s = 0; s < b->streams; s++) {
        h278_error err = h278_lane_finish(&lanes[s], ms_single(t), t->w,
                                          t->has_long ? &t->lc : NULL, stride);
        if (err)
            return err;
    }
    return H278_OK;
}

#endif /* MS_DECODE */
