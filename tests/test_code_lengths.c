/*
 * test_code_lengths.c - package-merge gives optimal length-limited codes.
 *
 * Checked three independent ways: against an exhaustive search over all
 * length vectors for small alphabets; against a textbook (unlimited)
 * Huffman construction when the limit does not bind; and structurally
 * (every length within the limit, a complete code, canonical codes that
 * are prefix-free and ordered). It also checks the property the docs quote:
 * at L=15 each Canterbury block costs within 0.5% of the unlimited optimum.
 */
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "testutil.h"

static uint64_t cost(const uint64_t *freq, const uint8_t *len)
{
    uint64_t c = 0;
    for (unsigned s = 0; s < 256; s++)
        c += freq[s] * len[s];
    return c;
}

/* Textbook Huffman: repeatedly merge the two lightest nodes; the cost is the
 * sum of all merged weights. */
static uint64_t huffman_cost(const uint64_t *freq)
{
    uint64_t w[256];
    unsigned n = 0;
    for (unsigned s = 0; s < 256; s++)
        if (freq[s])
            w[n++] = freq[s];
    uint64_t total = 0;
    while (n > 1) {
        unsigned a = 0, b = 1;
        if (w[b] < w[a])
            a = 1, b = 0;
        for (unsigned i = 2; i < n; i++) {
            if (w[i] < w[a])
                b = a, a = i;
            else if (w[i] < w[b])
                b = i;
        }
        uint64_t m = w[a] + w[b];
        total += m;
        w[a] = m;
        w[b] = w[--n];
    }
    return total;
}

/* Exhaustive minimum over lengths 1..L with Kraft sum <= 1 (n <= 6). */
static uint64_t best;
static void search(const uint64_t *w, unsigned n, unsigned L, unsigned i, uint64_t kraft, uint64_t c)
{
    if (kraft > (1ull << L))
        return;
    if (i == n) {
        if (c < best)
            best = c;
        return;
    }
    for (unsigned l = 1; l <= L; l++)
        search(w, n, L, i + 1, kraft + (1ull << (L - l)), c + w[i] * l);
}

static int complete_and_limited(const uint8_t *len, unsigned L)
{
    uint64_t kraft = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (len[s] > L)
            return 0;
        if (len[s])
            kraft += 1ull << (40 - len[s]);
    }
    return kraft == (1ull << 40);
}

int main(void)
{
    uint64_t seed = 1;
    uint64_t freq[256];
    uint8_t len[256];

    /* Small alphabets against exhaustive search. */
    for (unsigned trial = 0; trial < 300; trial++) {
        unsigned n = 2 + trial % 5, L = 3 + trial % 3;
        uint64_t w[6];
        memset(freq, 0, sizeof freq);
        for (unsigned i = 0; i < n; i++) {
            w[i] = 1 + h278_test_rand(&seed) % (trial % 2 ? 1000 : 7);
            freq[i * 37] = w[i];
        }
        best = UINT64_MAX;
        search(w, n, L, 0, 0, 0);
        CHECK(h278_code_lengths(freq, L, len) == H278_OK);
        CHECKF(cost(freq, len) == best, "trial %u: cost %llu, optimum %llu", trial,
               (unsigned long long)cost(freq, len), (unsigned long long)best);
        CHECK(complete_and_limited(len, L));
    }

    /* Random alphabets: limit 40 equals textbook Huffman; any limit stays
     * within it, complete, and no cheaper limit gives a cheaper code. */
    for (unsigned trial = 0; trial < 200; trial++) {
        unsigned n = 2 + (unsigned)(h278_test_rand(&seed) % 255);
        memset(freq, 0, sizeof freq);
        for (unsigned i = 0; i < n; i++)
            freq[(i * 97 + trial) % 256] = 1 + h278_test_rand(&seed) % (trial % 3 == 0 ? 3 : 1u << (trial % 24));
        CHECK(h278_code_lengths(freq, 40, len) == H278_OK);
        CHECK(cost(freq, len) == huffman_cost(freq));
        uint64_t prev = 0;
        unsigned lo = 1;
        while ((1u << lo) < n)
            lo++;
        for (unsigned L = 20; L >= lo; L--) {
            CHECK(h278_code_lengths(freq, L, len) == H278_OK);
            CHECK(complete_and_limited(len, L));
            uint64_t c = cost(freq, len);
            CHECK(c >= prev); /* a tighter limit never costs less */
            prev = c;
        }
        if (lo > 1)
            CHECK(h278_code_lengths(freq, lo - 1, len) == H278_ERR_BAD_PARAM);
    }

    /* Fibonacci weights force a deep unlimited code; the limit binds. */
    memset(freq, 0, sizeof freq);
    freq[0] = freq[1] = 1;
    for (unsigned i = 2; i < 30; i++)
        freq[i] = freq[i - 1] + freq[i - 2];
    CHECK(h278_code_lengths(freq, 40, len) == H278_OK);
    CHECK(len[0] == 29);
    for (unsigned L = 5; L <= 20; L++) {
        CHECK(h278_code_lengths(freq, L, len) == H278_OK);
        unsigned maxl = 0;
        for (unsigned s = 0; s < 256; s++)
            maxl = len[s] > maxl ? len[s] : maxl;
        CHECKF(maxl == L && complete_and_limited(len, L), "L=%u: longest %u", L, maxl);
    }

    /* One and zero used symbols. */
    memset(freq, 0, sizeof freq);
    CHECK(h278_code_lengths(freq, 11, len) == H278_OK && len[5] == 0);
    freq[5] = 10;
    CHECK(h278_code_lengths(freq, 11, len) == H278_OK && len[5] == 1);

    /* Canonical codes: prefix-free; shorter first; equal lengths ascend. */
    for (unsigned s = 0; s < 256; s++)
        freq[s] = 1 + (h278_test_rand(&seed) % 5000);
    CHECK(h278_code_lengths(freq, 12, len) == H278_OK);
    uint32_t codes[256];
    h278_canonical_codes(len, codes);
    int prefix_free = 1, ordered = 1;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            if (a == b)
                continue;
            if (len[a] <= len[b] && (codes[b] >> (len[b] - len[a])) == codes[a])
                prefix_free = 0;
            if (len[a] == len[b] && a < b && codes[a] >= codes[b])
                ordered = 0;
        }
    CHECK(prefix_free);
    CHECK(ordered);

    /* L=15 costs within 0.5% of the unlimited optimum on real blocks. */
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    for (size_t f = 0; f < files; f++) {
        size_t n;
        uint8_t *data = h278_test_read_file(paths[f], &n);
        if (!data)
            continue;
        uint64_t limited = 0, unlimited = 0;
        for (size_t off = 0; off < n; off += H278_DEFAULT_BLOCK_SIZE) {
            size_t end = n - off < H278_DEFAULT_BLOCK_SIZE ? n : off + H278_DEFAULT_BLOCK_SIZE;
            memset(freq, 0, sizeof freq);
            for (size_t i = off; i < end; i++)
                freq[data[i]]++;
            unsigned distinct = 0;
            for (unsigned s = 0; s < 256; s++)
                distinct += freq[s] != 0;
            if (distinct < 2)
                continue; /* a RUN block: no code at all */
            CHECK(h278_code_lengths(freq, 15, len) == H278_OK);
            limited += cost(freq, len);
            unlimited += huffman_cost(freq);
        }
        CHECKF(limited * 1000 <= unlimited * 1005, "%s: L=15 %llu bits, optimum %llu bits", paths[f],
               (unsigned long long)limited, (unsigned long long)unlimited);
        free(data);
    }
    return h278_test_finish();
}
