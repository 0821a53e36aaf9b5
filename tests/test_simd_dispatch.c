/*
 * test_simd_dispatch.c - run-time CPU dispatch: H278_DISABLE_CPU turns
 * features off (scripts/test.sh runs this with "avx512" and "avx2" as well as
 * unset), unavailable variants cannot be created, and "simd" always names the
 * best variant that is available and decodes like the oracle.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "h278.h"
#include "testutil.h"
#include "variant.h"

static int available(const char *name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (strcmp(h278_variant_name(i), name) == 0)
            return h278_variant_available(i);
    return 0;
}

static int listed(const char *name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (strcmp(h278_variant_name(i), name) == 0)
            return 1;
    return 0;
}

int main(void)
{
    const char *env = getenv("H278_DISABLE_CPU");
    uint32_t f = h278_cpu_features();
    printf("H278_DISABLE_CPU=%s features: avx2=%d avx512=%d\n", env ? env : "", !!(f & H278_CPU_AVX2),
           !!(f & H278_CPU_AVX512));
    CHECK((f & ~h278_cpu_detect()) == 0); /* never more than the hardware */
    if (env && strstr(env, "avx2"))
        CHECK((f & (H278_CPU_AVX2 | H278_CPU_AVX512)) == 0);
    if (env && strstr(env, "avx512"))
        CHECK((f & H278_CPU_AVX512) == 0);
    if (!env || !*env)
        CHECK(f == h278_cpu_detect());
    CHECK(!(f & H278_CPU_AVX512) || (f & H278_CPU_AVX2)); /* avx512 implies avx2 here */

    /* Availability follows the features; unavailable variants refuse. */
    if (listed("avx2"))
        CHECK(available("avx2") == !!(f & H278_CPU_AVX2));
    if (listed("avx512"))
        CHECK(available("avx512") == !!(f & H278_CPU_AVX512));
    for (size_t i = 0; i < h278_variant_count(); i++) {
        h278_decoder *d = NULL;
        h278_error err = h278_decoder_new(h278_variant_name(i), NULL, &d);
        CHECK(h278_variant_available(i) ? err == H278_OK : err == H278_ERR_UNSUPPORTED_CPU);
        h278_decoder_free(d);
    }

    /* "simd" is the best available: avx512, else avx2, else multisym. */
    h278_decoder *simd = NULL;
    CHECK(h278_decoder_new("simd", NULL, &simd) == H278_OK);
    const char *want = available("avx512") ? "avx512" : available("avx2") ? "avx2" : "multisym";
    CHECKF(simd && strcmp(h278_decoder_name(simd), want) == 0, "simd is %s, expected %s",
           simd ? h278_decoder_name(simd) : "(none)", want);

    /* And it decodes a SIMD-shaped file like the oracle. */
    size_t n;
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    uint8_t *data = files ? h278_test_read_file(paths[0], &n) : NULL;
    CHECK(data != NULL);
    if (data && simd) {
        h278_enc_params p = {11, 32, 1 << 17, 1};
        uint64_t bound = h278_compress_bound(n, &p);
        uint8_t *comp = malloc(bound), *out = malloc(n);
        size_t clen, olen;
        CHECK(h278_compress(data, n, &p, comp, bound, &clen) == H278_OK);
        CHECK(h278_decompress(simd, comp, clen, out, n, &olen, NULL) == H278_OK && olen == n &&
              memcmp(out, data, n) == 0);
        free(comp);
        free(out);
    }
    free(data);
    h278_decoder_free(simd);
    return h278_test_finish();
}
