/*
 * consumer.c - a program outside the H278 tree, built against an installed
 * H278 (tests/test_install.sh builds it with pkg-config and with
 * find_package): decodes FILE.h278 through the public API with the fastest
 * variant and compares the result with ORIGINAL.
 *
 *   consumer FILE.h278 ORIGINAL   (exit status 0: same bytes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h278.h>

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL)
            *n = fread(buf, 1, (size_t)size, f);
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: consumer FILE.h278 ORIGINAL\n");
        return 2;
    }
    size_t n = 0, orig_n = 0, got = 0;
    unsigned char *src = read_file(argv[1], &n), *orig = read_file(argv[2], &orig_n);
    uint64_t size = 0;
    h278_decoder *d = NULL;
    if (!src || !orig || h278_decompressed_size(src, n, &size) != H278_OK || size != orig_n ||
        h278_decoder_new("simd", NULL, &d) != H278_OK) {
        fprintf(stderr, "consumer: cannot read the inputs or set up a decoder\n");
        return 1;
    }
    unsigned char *dst = malloc(size + 1);
    h278_error err = dst ? h278_decompress(d, src, n, dst, size, &got, NULL) : H278_ERR_NO_MEMORY;
    int same = err == H278_OK && got == orig_n && memcmp(dst, orig, orig_n) == 0;
    printf("consumer: %s, %zu bytes: %s\n", argv[1], got, same ? "same bytes" : h278_strerror(err));
    h278_decoder_free(d);
    free(dst);
    free(src);
    free(orig);
    return same ? 0 : 1;
}
