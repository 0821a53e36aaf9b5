/*
 * canonical_code.h - a block's canonical code in the forms the table
 * decoders build from: the code sorted by length, the search that resolves
 * codes longer than a table is wide, and the single-symbol table.
 *
 * Canonical codes (docs/FORMAT.md) are numbered in order of (length,
 * symbol): the codes of length l are the consecutive values
 * [first[l], first[l] + count[l]), and first[l + 1] = (first[l] + count[l])
 * << 1. So the whole code is described by the symbols in that order and
 * the count of each length; every table below is built from that sorted
 * form in a few passes instead of from 256 lengths.
 *
 * Bit order: streams are read LSB-first, but a code is written most
 * significant bit first, so the w bits a decoder peeks hold a code
 * reversed. Tables are indexed by the peeked bits as they are, and the
 * search reverses them once (h278_reverse_bits).
 */
#ifndef H278_CANONICAL_CODE_H
#define H278_CANONICAL_CODE_H

#include <string.h>

#include "variant.h"

/* Reverses the low n (1..32) bits of x: five swap steps, no loop. */
static inline uint32_t h278_reverse_bits(uint32_t x, unsigned n)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    x = (x >> 16) | (x << 16);
    return x >> (32 - n);
}

/* ---- The sorted code ------------------------------------------------------ */

/*
 * The block's whole code in canonical order: codes of length l are the
 * values [first[l], limit[l]) and belong to the symbols sorted[base[l] ..],
 * in symbol order. Index H278_MAX_CODE_LEN + 1 is a sentinel for the build.
 */
typedef struct h278_sorted_code {
    uint32_t limit[H278_MAX_CODE_LEN + 2];
    uint32_t first[H278_MAX_CODE_LEN + 2];
    uint16_t base[H278_MAX_CODE_LEN + 2];  /* index in sorted[] of the first code of length l */
    uint16_t count[H278_MAX_CODE_LEN + 2]; /* codes of length l */
    uint8_t sorted[256];                   /* symbols in canonical order */
    uint8_t max_len;                       /* the longest code */
} h278_sorted_code;

/* Small enough to live beside every table that needs it (the decoders'
 * headers say "about half a kilobyte"). */
_Static_assert(sizeof(h278_sorted_code) <= 528, "h278_sorted_code is about half a kilobyte");

/* A counting sort of the present symbols by length: two passes over 256
 * lengths, no matter how many lengths there are. */
static inline void h278_sorted_code_build(h278_sorted_code *c, const h278_block *b)
{
    uint16_t next[H278_MAX_CODE_LEN + 2];
    memset(c->count, 0, sizeof c->count);
    for (unsigned s = 0; s < 256; s++)
        c->count[b->lengths[s]]++;
    uint32_t code = 0, index = 0;
    for (unsigned l = 1; l <= H278_MAX_CODE_LEN + 1; l++) {
        c->first[l] = code;
        c->base[l] = (uint16_t)index;
        c->limit[l] = code + c->count[l];
        next[l] = (uint16_t)index;
        index += c->count[l];
        code = (code + c->count[l]) << 1;
    }
    for (unsigned s = 0; s < 256; s++)
        if (b->lengths[s])
            c->sorted[next[b->lengths[s]]++] = (uint8_t)s;
    c->max_len = b->code_max_len;
}

/*
 * The long-code search: decodes one code longer than from_len bits from
 * the stream bits as peeked (LSB-first, at least max_len of them valid).
 * Returns the entry (length | symbol << 8, as the single table's).
 *
 * Reading the code most significant bit first, the first length l whose
 * l-bit prefix is below limit[l] is the code's length. Long codes are rare
 * (a code of length l stands for a symbol of probability about 2^-l), so
 * this short loop costs little on average and needs no memory beyond the
 * sorted code, which every table build computes anyway. For a complete
 * code some length always matches.
 */
static inline uint32_t h278_sorted_code_search(const h278_sorted_code *c, uint64_t bits, unsigned from_len)
{
    unsigned m = c->max_len;
    uint32_t v = h278_reverse_bits((uint32_t)(bits & ((UINT64_C(1) << m) - 1)), m);
    unsigned l = from_len + 1;
    while (l < m && (v >> (m - l)) >= c->limit[l])
        l++;
    uint32_t sym = c->sorted[c->base[l] + (v >> (m - l)) - c->first[l]];
    return l | sym << 8;
}

/* ---- The single-symbol table ---------------------------------------------- */

/*
 * A table of 2^w entries, one per w-bit pattern i as peeked: the length and
 * the symbol of the code that i starts with, `length | symbol << 8`, or 0
 * when that code is longer than w bits. With w equal to the longest code no
 * entry is 0: that is the `table` decoder's table.
 *
 * The length sits in the low byte because the hot loops use the entry as a
 * shift count as it is (one instruction less on the chain from one lookup
 * to the next), and subtract the whole entry from the bit count (only the
 * low 6 bits of that count matter between refills).
 *
 * Built by doubling: once t[0 .. 2^l) is right for every code of at most l
 * bits, t[2^l .. 2^(l+1)) is a copy of it (a code of at most l bits does
 * not look at bit l), and each code of length l + 1 then writes its one
 * entry. The cost is one memcpy of 2^w entries in all plus one store per
 * code, instead of a strided loop per symbol.
 */
_Static_assert(H278_MAX_CODE_LEN < 64, "an entry's low 6 bits are its length: a shift count as it is");

static inline uint32_t h278_entry_len(uint32_t e)
{
    return e & 0xFF;
}

static inline uint32_t h278_entry_sym(uint32_t e)
{
    return e >> 8;
}

static inline void h278_single_table_build(const h278_sorted_code *c, unsigned w, uint16_t *t)
{
    t[0] = 0;
    for (unsigned l = 1; l <= w; l++) {
        uint32_t half = 1u << (l - 1);
        memcpy(t + half, t, half * sizeof *t);
        for (uint32_t j = 0; j < c->count[l]; j++) {
            uint32_t r = h278_reverse_bits(c->first[l] + j, l);
            t[r] = (uint16_t)(l | (uint32_t)c->sorted[c->base[l] + j] << 8);
        }
    }
}

#endif /* H278_CANONICAL_CODE_H */
