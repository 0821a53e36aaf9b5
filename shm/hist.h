/*
 * hist.h - a latency histogram of fixed size: log2 buckets split in 8, so a
 * percentile is known to within 1/8 of its power of two (about 6 %) however
 * many samples there are, and recording one is a few instructions with no
 * allocation. Each thread keeps its own and they are merged at the end.
 */
#ifndef H278_HIST_H
#define H278_HIST_H

#include <stdint.h>
#include <string.h>

#define H278_HIST_SUB 8u
#define H278_HIST_BUCKETS (16u + 60u * H278_HIST_SUB)

typedef struct h278_hist {
    uint64_t count;
    uint64_t max;
    uint64_t bucket[H278_HIST_BUCKETS];
} h278_hist;

static inline unsigned h278_hist_index(uint64_t v)
{
    if (v < 16)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* 4 .. 63 */
    unsigned sub = (unsigned)(v >> (e - 3)) & (H278_HIST_SUB - 1);
    return 16u + (e - 4u) * H278_HIST_SUB + sub;
}

/* The largest value of bucket i (what a percentile reports: an upper bound). */
static inline uint64_t h278_hist_upper(unsigned i)
{
    if (i < 16)
        return i;
    unsigned e = (i - 16u) / H278_HIST_SUB + 4u, sub = (i - 16u) % H278_HIST_SUB;
    uint64_t low = (UINT64_C(1) << e) + ((uint64_t)sub << (e - 3));
    return low + (UINT64_C(1) << (e - 3)) - 1;
}

static inline void h278_hist_add(h278_hist *h, uint64_t v)
{
    h->bucket[h278_hist_index(v)]++;
    h->count++;
    if (v > h->max)
        h->max = v;
}

static inline void h278_hist_merge(h278_hist *into, const h278_hist *from)
{
    for (unsigned i = 0; i < H278_HIST_BUCKETS; i++)
        into->bucket[i] += from->bucket[i];
    into->count += from->count;
    if (from->max > into->max)
        into->max = from->max;
}

/* The value below which a fraction q (0..1) of the samples lie; 0 if none. */
static inline uint64_t h278_hist_quantile(const h278_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->count + 0.5);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < H278_HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            uint64_t up = h278_hist_upper(i);
            return up < h->max ? up : h->max;
        }
    }
    return h->max;
}

#endif /* H278_HIST_H */
