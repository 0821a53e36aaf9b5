/*
 * code_lengths.c - optimal length-limited Huffman code lengths by
 * package-merge, and canonical code assignment.
 *
 * Package-merge (Larmore and Hirschberg, 1990) finds the code lengths that
 * minimise the coded size subject to "no length above L", exactly, in
 * O(n * L) time. With n <= 256 symbols and L <= 40 that is at most a few
 * tens of thousands of list items, small enough to keep every item and
 * recover the lengths by walking the chosen items, which keeps the code short
 * and easy to check against the textbook.
 *
 * The method: each symbol is a "coin" of weight freq[s] at every level
 * 1..L. Starting from the deepest level, adjacent items are paired into
 * packages and merged with the level above's coins; the cheapest 2n - 2
 * items of the final list are taken, and a symbol's code length is the number
 * of chosen items (counting inside packages) that contain its coin.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"

#define MAX_ANALYSIS_LEN 40u

typedef struct pm_item {
    uint64_t weight;
    int32_t left;  /* >= 0: package of items left, right; < 0: symbol -left-1 */
    int32_t right;
} pm_item;

typedef struct sym_weight {
    uint64_t weight;
    uint32_t symbol;
} sym_weight;

static int cmp_sym_weight(const void *a, const void *b)
{
    const sym_weight *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return x->symbol < y->symbol ? -1 : (x->symbol > y->symbol);
}

h278_error h278_code_lengths(const uint64_t freq[256], unsigned max_len, uint8_t lengths[256])
{
    sym_weight sw[256];
    unsigned n = 0;
    memset(lengths, 0, 256);
    for (unsigned s = 0; s < 256; s++)
        if (freq[s])
            sw[n++] = (sym_weight){freq[s], s};
    if (max_len < 1 || max_len > MAX_ANALYSIS_LEN)
        return H278_ERR_BAD_PARAM;
    if (n == 0)
        return H278_OK;
    if (n == 1) {
        lengths[sw[0].symbol] = 1;
        return H278_OK;
    }
    if (max_len < 32 && (1u << max_len) < n)
        return H278_ERR_BAD_PARAM;
    qsort(sw, n, sizeof sw[0], cmp_sym_weight);

    /* Items of all levels live in one array; each list is a range of it. A
     * list holds the n coins plus at most n - 1 packages of the level below. */
    size_t cap = (size_t)max_len * (2 * n);
    pm_item *items = malloc(cap * sizeof *items);
    int32_t *stack = malloc(cap * sizeof *stack);
    if (!items || !stack) {
        free(items);
        free(stack);
        return H278_ERR_NO_MEMORY;
    }
    size_t used = 0;
    size_t prev_start = 0, prev_len = n;
    for (unsigned i = 0; i < n; i++)
        items[used++] = (pm_item){sw[i].weight, -(int32_t)i - 1, 0};

    for (unsigned level = 1; level < max_len; level++) {
        size_t start = used;
        size_t packages = prev_len / 2;
        size_t ci = 0, pi = 0;
        /* Merge coins and packages by weight, coins first on ties. */
        while (ci < n || pi < packages) {
            uint64_t pw = 0;
            if (pi < packages)
                pw = items[prev_start + 2 * pi].weight + items[prev_start + 2 * pi + 1].weight;
            if (ci < n && (pi >= packages || sw[ci].weight <= pw)) {
                items[used++] = (pm_item){sw[ci].weight, -(int32_t)ci - 1, 0};
                ci++;
            } else {
                items[used++] = (pm_item){pw, (int32_t)(prev_start + 2 * pi),
                                          (int32_t)(prev_start + 2 * pi + 1)};
                pi++;
            }
        }
        prev_start = start;
        prev_len = used - start;
    }

    /* Take the cheapest 2n - 2 items of the top list; count coins. */
    unsigned count[256] = {0};
    size_t top = 0;
    for (size_t i = 0; i < 2 * (size_t)n - 2; i++)
        stack[top++] = (int32_t)(prev_start + i);
    while (top) {
        const pm_item *it = &items[stack[--top]];
        if (it->left < 0) {
            count[-it->left - 1]++;
        } else {
            stack[top++] = it->left;
            stack[top++] = it->right;
        }
    }
    for (unsigned i = 0; i < n; i++)
        lengths[sw[i].symbol] = (uint8_t)count[i];
    free(items);
    free(stack);
    return H278_OK;
}

void h278_canonical_codes(const uint8_t lengths[256], uint32_t codes[256])
{
    uint32_t count[MAX_ANALYSIS_LEN + 2] = {0};
    uint32_t next[MAX_ANALYSIS_LEN + 2];
    for (unsigned s = 0; s < 256; s++)
        count[lengths[s]]++;
    count[0] = 0;
    uint64_t code = 0;
    for (unsigned l = 1; l <= MAX_ANALYSIS_LEN; l++) {
        next[l] = (uint32_t)code;
        code = (code + count[l]) << 1;
    }
    for (unsigned s = 0; s < 256; s++)
        codes[s] = lengths[s] ? next[lengths[s]]++ : 0;
}
