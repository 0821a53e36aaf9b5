/*
 * test_simd_dispatch.c - run-time CPU dispatch: H278_DISABLE_CPU turns
 * features off (scripts/test.sh runs this with "avx512", "avx2" and "bmi2"
 * as well as unset), unavailable variants cannot be created, "simd" always
 * names the first available variant of the one preference list and decodes
 * like the oracle, and the SIMD variants say which variant decodes the
 * blocks their lanes do not take, and decode those blocks through it.
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
    printf("H278_DISABLE_CPU=%s features: avx2=%d avx512=%d bmi2=%d\n", env ? env : "", !!(f & H278_CPU_AVX2),
           !!(f & H278_CPU_AVX512), !!(f & H278_CPU_BMI2));
    CHECK((f & ~h278_cpu_detect()) == 0); /* never more than the hardware */
    if (env && strstr(env, "avx2"))
        CHECK((f & (H278_CPU_AVX2 | H278_CPU_AVX512)) == 0);
    if (env && strstr(env, "avx512"))
        CHECK((f & H278_CPU_AVX512) == 0);
    if (env && strstr(env, "bmi2"))
        CHECK((f & H278_CPU_BMI2) == 0);
    if (!env || !*env)
        CHECK(f == h278_cpu_detect());
    CHECK(!(f & H278_CPU_AVX512) || (f & H278_CPU_AVX2)); /* avx512 implies avx2 here */

    /* Availability follows the features (the SIMD variants also need BMI2);
     * unavailable variants refuse. */
    if (listed("multisym-bmi2"))
        CHECK(available("multisym-bmi2") == !!(f & H278_CPU_BMI2));
    if (listed("avx2"))
        CHECK(available("avx2") == ((f & (H278_CPU_AVX2 | H278_CPU_BMI2)) == (H278_CPU_AVX2 | H278_CPU_BMI2)));
    if (listed("avx2-multi"))
        CHECK(available("avx2-multi") == available("avx2"));
    if (listed("avx512"))
        CHECK(available("avx512") == ((f & (H278_CPU_AVX512 | H278_CPU_BMI2)) == (H278_CPU_AVX512 | H278_CPU_BMI2)));
    for (size_t i = 0; i < h278_variant_count(); i++) {
        h278_decoder *d = NULL;
        h278_error err = h278_decoder_new(h278_variant_name(i), NULL, &d);
        CHECK(h278_variant_available(i) ? err == H278_OK : err == H278_ERR_UNSUPPORTED_CPU);
        h278_decoder_free(d);
    }

    /* "simd" is the first available of the registry's preference list. */
    const char *want = NULL;
    for (const char *const *p = h278_simd_preference; *p && !want; p++)
        if (available(*p))
            want = *p;
    CHECK(want != NULL && strcmp(h278_simd_preference[0], "avx512-multi") == 0);
    CHECK(strcmp(h278_variant_resolve("simd"), want ? want : "") == 0);
    CHECK(strcmp(h278_variant_resolve("table"), "table") == 0);
    h278_decoder *simd = NULL;
    CHECK(h278_decoder_new("simd", NULL, &simd) == H278_OK);
    CHECKF(simd && want && strcmp(h278_decoder_name(simd), want) == 0, "simd is %s, expected %s",
           simd ? h278_decoder_name(simd) : "(none)", want ? want : "(none)");

    /* Fallbacks: only the SIMD variants have one, and their summaries name
     * it: multisym-bmi2 for the interleaved lanes, avx512 and avx2 (which
     * take the interleaved blocks) for the segmented ones. */
    for (size_t i = 0; i < h278_variant_count(); i++) {
        const char *name = h278_variant_name(i), *fb = h278_variant_fallback(i);
        const char *want_fb = strcmp(name, "avx2") == 0 || strcmp(name, "avx512") == 0 ? "multisym-bmi2"
                            : strcmp(name, "avx512-multi") == 0                     ? "avx512"
                            : strcmp(name, "avx2-multi") == 0                       ? "avx2"
                                                                                    : NULL;
        CHECKF(want_fb ? fb && strcmp(fb, want_fb) == 0 && strstr(h278_variant_summary(i), fb) : fb == NULL,
               "%s: fallback %s", name, fb ? fb : "(none)");
    }

    /* And it decodes a SIMD-shaped file like the oracle. */
    size_t n;
    static char paths[64][512];
    size_t files = h278_test_corpus_files(paths, 64);
    uint8_t *data = files ? h278_test_read_file(paths[0], &n) : NULL;
    CHECK(data != NULL);
    /* It decodes a SIMD-shaped file and a segmented one (through the
     * fallback) like the oracle. */
    for (int shape = 0; shape < 3 && data && simd; shape++) { /* K=4, K=32 interleaved, K=32 segmented */
        h278_enc_params p = {11, shape ? 32 : 4, 1 << 17, shape == 1, 0};
        uint64_t bound = h278_compress_bound(n, &p);
        uint8_t *comp = malloc(bound), *out = malloc(n);
        size_t clen, olen;
        CHECK(h278_compress(data, n, &p, comp, bound, &clen) == H278_OK);
        CHECKF(h278_decompress(simd, comp, clen, out, n, &olen, NULL) == H278_OK && olen == n &&
                   memcmp(out, data, n) == 0,
               "simd (%s) on K=%u", h278_decoder_name(simd), p.streams);
        free(comp);
        free(out);
    }
    free(data);
    h278_decoder_free(simd);
    return h278_test_finish();
}
