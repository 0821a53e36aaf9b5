/*
 * h278_profile.c - h278-profile: the program scripts/profile.py runs under
 * valgrind's cachegrind to count what one decoder variant does per symbol.
 *
 *   h278-profile prepare DIR [--quick] [--data=PATH]...
 *   h278-profile run VARIANT DIR/BASE PASSES
 *   h278-profile list
 *
 * prepare (run natively, once): writes every default dataset (or the
 * user's files) compressed at L = 11 in each layout a variant's own loop
 * may need (K = 4 segmented, K = 32 interleaved, K = 32 segmented, pivot),
 * the sweep dataset (lcet10.txt, or the largest user file) also at L = 8 ..
 * 20, and index.tsv: one line per BASE with the dataset, its group, L, its
 * size and its order-0 entropy.
 *
 * run (under cachegrind): picks the first layout whose every block the
 * variant's own loop takes (its pivot copy for a pivot variant), prints it,
 * parses the blocks and builds one decoder per block (as h278-bench's
 * decode rows do), decodes every block PASSES times, then checks every
 * block's checksum: exit 0, or 1 with a message (3: the variant's own loop
 * takes none of the layouts, and it has no row). Cachegrind 3.19 cannot
 * switch counting on and off, so decode alone is the difference between a
 * run with 1 + R passes and one with 1 pass, divided by R: reading, parsing,
 * building tables, the first (cold) pass and the check cancel out.
 *
 * list: every registered variant in registry order, a tab, and whether this
 * CPU runs it ("runs"), as the process sees the CPU: under valgrind, which
 * reports no AVX-512, the AVX-512 variants do not run and "simd" resolves to
 * an AVX2 variant.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets.h"
#include "h278.h"

#define SWEEP_L_MIN 8u
#define SWEEP_L_MAX 20u
#define DEFAULT_L 11u
/* run's exit status when the variant's own loop takes no layout of the file
 * (the SIMD lanes: codes of up to 12 bits): no row, as in h278-bench. */
#define NOT_TAKEN 3

typedef struct layout {
    const char *suffix;
    unsigned streams;
    int interleaved, pivot;
} layout;

/* In the order run tries them. */
static const layout layouts[] = {
    {"k4", 4, 0, 0}, {"k32i", 32, 1, 0}, {"k32", 32, 0, 0}, {"pivot", 4, 0, 1}};
#define LAYOUT_COUNT (sizeof layouts / sizeof layouts[0])

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: h278-profile prepare DIR [--quick] [--data=PATH]...\n"
               "       h278-profile run VARIANT DIR/BASE PASSES\n"
               "       h278-profile list\n"
               "\n"
               "The program scripts/profile.py (bash scripts/bench.sh --profile) runs under\n"
               "cachegrind; see docs/BENCHMARKS.md, \"Deterministic costs per symbol\".\n"
               "  prepare  writes the datasets, compressed in every layout, and DIR/index.tsv\n"
               "  run      decodes DIR/BASE.<layout>.h278 PASSES times with VARIANT and checks it\n"
               "  list     every variant, and whether this CPU (as this process sees it) runs it\n");
    return rc;
}

static double entropy_bits(const uint8_t *p, size_t n)
{
    uint64_t count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[p[i]]++;
    double h = 0;
    for (unsigned s = 0; s < 256; s++)
        if (count[s]) {
            const double q = (double)count[s] / (double)n;
            h -= q * log2(q);
        }
    return h;
}

/* Writes d compressed at L in every layout to DIR/BASE.<layout>.h278. */
static int write_layouts(const char *dir, const char *base, const h278_dataset *d, unsigned L)
{
    for (size_t i = 0; i < LAYOUT_COUNT; i++) {
        h278_enc_params p;
        h278_enc_params_default(&p);
        p.max_len = L;
        p.streams = layouts[i].streams;
        p.interleaved = layouts[i].interleaved;
        p.pivot = layouts[i].pivot;
        const uint64_t bound = h278_compress_bound(d->size, &p);
        uint8_t *buf = malloc(bound);
        size_t n = 0;
        h278_error e = buf ? h278_compress(d->data, d->size, &p, buf, bound, &n) : H278_ERR_NO_MEMORY;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s.h278", dir, base, layouts[i].suffix);
        FILE *f = e ? NULL : fopen(path, "wb");
        const int ok = f && fwrite(buf, 1, n, f) == n;
        if (f && fclose(f) != 0 && ok) {
            fprintf(stderr, "h278-profile: cannot write %s\n", path);
            free(buf);
            return 1;
        }
        free(buf);
        if (!ok) {
            fprintf(stderr, "h278-profile: %s: %s\n", path, e ? h278_strerror(e) : "cannot write it");
            return 1;
        }
    }
    return 0;
}

static int prepare(int argc, char **argv)
{
    if (argc < 1)
        return usage(stderr, 2);
    const char *dir = argv[0];
    int quick = 0, have_data = 0;
    h278_dataset_list list = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            if (h278_dataset_add_path(&list, argv[i] + 7) != 0)
                return 1;
            have_data = 1;
        } else {
            fprintf(stderr, "h278-profile: unknown option '%s'\n", argv[i]);
            return usage(stderr, 2);
        }
    }
    if (!have_data && (h278_dataset_add_canterbury(&list, h278_default_corpora_dir()) != 0 ||
                       h278_dataset_add_generated(&list, quick, 278) != 0))
        return 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/index.tsv", dir);
    FILE *index = fopen(path, "w");
    if (!index) {
        fprintf(stderr, "h278-profile: cannot write %s\n", path);
        return 1;
    }
    fprintf(index, "base\tdataset\tgroup\tL\tbytes\tentropy\n");
    const h278_dataset *sweep = NULL;
    int rc = 0;
    for (size_t i = 0; i < list.count && !rc; i++) {
        const h278_dataset *d = &list.items[i];
        if (d->size == 0)
            continue;
        if (have_data ? !sweep || d->size > sweep->size : strcmp(d->name, "lcet10.txt") == 0)
            sweep = d;
        char base[160];
        snprintf(base, sizeof base, "%s.L%u", d->name, DEFAULT_L);
        rc = write_layouts(dir, base, d, DEFAULT_L);
        fprintf(index, "%s\t%s\t%s\t%u\t%zu\t%.4f\n", base, d->name, d->group, DEFAULT_L, d->size,
                entropy_bits(d->data, d->size));
    }
    for (unsigned L = SWEEP_L_MIN; sweep && L <= SWEEP_L_MAX && !rc; L += quick ? 4 : 1) {
        if (L == DEFAULT_L)
            continue;
        char base[160];
        snprintf(base, sizeof base, "%s.L%u", sweep->name, L);
        rc = write_layouts(dir, base, sweep, L);
        fprintf(index, "%s\t%s\tL-sweep\t%u\t%zu\t%.4f\n", base, sweep->name, L, sweep->size,
                entropy_bits(sweep->data, sweep->size));
    }
    if (fclose(index) != 0 && !rc) {
        fprintf(stderr, "h278-profile: cannot write %s\n", path);
        rc = 1;
    }
    h278_dataset_list_free(&list);
    return rc;
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size)) != NULL &&
            fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
        *n = size > 0 ? (size_t)size : 0;
    }
    fclose(f);
    return buf;
}

/* The parsed file of one layout. */
typedef struct parsed {
    uint8_t *file;
    h278_file_header header;
    h278_block *blocks;
    size_t count;
} parsed;

static void parsed_free(parsed *p)
{
    free(p->file);
    free(p->blocks);
    memset(p, 0, sizeof *p);
}

static int parse(const char *path, parsed *p)
{
    memset(p, 0, sizeof *p);
    size_t n = 0;
    p->file = read_file(path, &n);
    if (!p->file || h278_read_file_header(p->file, n, &p->header) != H278_OK ||
        !(p->blocks = calloc(p->header.block_count ? p->header.block_count : 1, sizeof *p->blocks)))
        return 1;
    size_t pos = H278_FILE_HEADER_SIZE;
    for (; p->count < p->header.block_count; p->count++) {
        h278_block *b = &p->blocks[p->count];
        if (h278_read_block(p->file + pos, n - pos, h278_block_decoded_size(&p->header, p->count),
                            p->header.max_len, b) != H278_OK)
            return 1;
        pos += b->total_size;
    }
    return 0;
}

static size_t variant_index(const char *name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (strcmp(name, h278_variant_name(i)) == 0)
            return i;
    return SIZE_MAX;
}

static int takes_all(size_t v, const parsed *p)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->blocks[i].type == H278_BLOCK_HUFFMAN && !h278_variant_takes(v, &p->blocks[i]))
            return 0;
    return 1;
}

static int run(int argc, char **argv)
{
    if (argc != 3)
        return usage(stderr, 2);
    const char *variant = argv[0], *base = argv[1];
    char *end;
    const unsigned long passes = strtoul(argv[2], &end, 10);
    const size_t v = variant_index(variant);
    if (*end || passes < 1 || passes > 1000000) {
        fprintf(stderr, "h278-profile: PASSES must be 1 .. 1000000\n");
        return 2;
    }
    if (v == SIZE_MAX || !h278_variant_available(v)) {
        fprintf(stderr, "h278-profile: no variant '%s' on this CPU (h278-profile list)\n", variant);
        return 2;
    }
    const int pivot_only = !(h278_variant_layouts(v) & H278_LAYOUTS_CLASSIC);
    parsed p;
    const layout *chosen = NULL;
    for (size_t i = 0; i < LAYOUT_COUNT && !chosen; i++) {
        if (layouts[i].pivot != pivot_only)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s.%s.h278", base, layouts[i].suffix);
        if (parse(path, &p) != 0) {
            fprintf(stderr, "h278-profile: cannot read or parse %s\n", path);
            parsed_free(&p);
            return 1;
        }
        if (takes_all(v, &p))
            chosen = &layouts[i];
        else
            parsed_free(&p);
    }
    if (!chosen) {
        fprintf(stderr, "h278-profile: %s's own loop takes no layout of %s (its fallback would decode it)\n",
                variant, base);
        return NOT_TAKEN;
    }
    printf("%s\n", chosen->suffix);

    const uint64_t total = p.header.original_size;
    h278_decoder **decs = calloc(p.count ? p.count : 1, sizeof *decs);
    uint8_t *out = malloc(total + 64);
    h278_error err = decs && out ? H278_OK : H278_ERR_NO_MEMORY;
    for (size_t i = 0; i < p.count && !err; i++) {
        err = h278_decoder_new(variant, NULL, &decs[i]);
        if (!err)
            err = h278_decoder_build(decs[i], &p.blocks[i]);
    }
    for (unsigned long pass = 0; pass < passes && !err; pass++) {
        size_t off = 0;
        for (size_t i = 0; i < p.count && !err; i++) {
            err = h278_decoder_decode(decs[i], &p.blocks[i], out + off, total + 64 - off);
            off += p.blocks[i].decoded_size;
        }
    }
    size_t off = 0;
    for (size_t i = 0; i < p.count && !err; i++) {
        if (h278_checksum(out + off, p.blocks[i].decoded_size) != p.blocks[i].checksum)
            err = H278_ERR_CHECKSUM;
        off += p.blocks[i].decoded_size;
    }
    for (size_t i = 0; decs && i < p.count; i++)
        h278_decoder_free(decs[i]);
    free(decs);
    free(out);
    parsed_free(&p);
    if (err) {
        fprintf(stderr, "h278-profile: %s on %s.%s.h278: %s\n", variant, base, chosen->suffix, h278_strerror(err));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "prepare") == 0)
        return prepare(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return run(argc - 2, argv + 2);
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < h278_variant_count(); i++)
            printf("%s\t%s\n", h278_variant_name(i), h278_variant_available(i) ? "runs" : "not on this CPU");
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return usage(stdout, 0);
    return usage(stderr, 2);
}
