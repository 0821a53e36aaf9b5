/*
 * test_parse_shared_block.c - h278_read_block on a block that another
 * process keeps rewriting (as a hostile producer writes the shared region
 * the server parses) never reads outside the block.
 *
 * A small HUFFMAN block (two symbols, so its lengths take 2 bytes) sits in a
 * shared mapping so that it ends exactly at a page the test makes
 * inaccessible. A child process switches the block between its real bytes
 * and a hostile version (keep_rewriting) as fast as it can, while this
 * process parses the block in a loop. A parser that
 * counted the bitmap once to bound the lengths and read it again while
 * walking them would read up to 160 bytes of lengths past the block's end,
 * into the guard page (SIGSEGV: the test dies). Every parse must instead
 * either fail with an error or give streams inside the block.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, clock_gettime, kill */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "h278.h"
#include "testutil.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The child: switches the block between its real bytes and a hostile
 * version until killed. The hostile one has all 256 symbols in its bitmap
 * and, after the bitmap, every 5-bit field 1: lengths that all pass the
 * range check, so a parser that trusts its first count of the bitmap walks
 * 256 of them, 160 bytes, far past the block's end. */
static void keep_rewriting(uint8_t *block, const uint8_t *original, size_t size)
{
    uint8_t hostile[256];
    memcpy(hostile, original, size);
    memset(hostile + 16, 0xFF, 32); /* the payload starts with the symbol bitmap */
    memset(hostile + 48, 0, size - 48);
    for (size_t bit = 0; bit < 8 * (size - 48); bit += 5)
        hostile[48 + bit / 8] |= (uint8_t)(1u << (bit % 8));
    uint64_t rng = 7;
    const pid_t parent = getppid();
    for (unsigned long i = 1;; i++) {
        memcpy(block, h278_test_rand(&rng) & 1 ? hostile : original, size);
        if (i % 65536 == 0 && getppid() != parent)
            _exit(0); /* the test has ended, or died */
    }
}

int main(void)
{
    uint8_t input[64];
    for (size_t i = 0; i < sizeof input; i++)
        input[i] = (uint8_t)("ab"[i % 2]);
    h278_enc_params p;
    h278_enc_params_default(&p);
    p.streams = 1;
    uint8_t file[4096];
    size_t file_size = 0;
    CHECK(h278_compress_bound(sizeof input, &p) <= sizeof file);
    CHECK(h278_compress(input, sizeof input, &p, file, sizeof file, &file_size) == H278_OK);
    h278_block b;
    CHECK(h278_read_block(file + H278_FILE_HEADER_SIZE, file_size - H278_FILE_HEADER_SIZE, sizeof input,
                          p.max_len, &b) == H278_OK);
    CHECKF(b.type == H278_BLOCK_HUFFMAN && b.symbol_count == 2, "type %u, %u symbols", b.type, b.symbol_count);
    if (h278_test_failed)
        return h278_test_finish();
    const size_t block_size = b.total_size;
    uint8_t original[256];
    memcpy(original, file + H278_FILE_HEADER_SIZE, block_size);

    /* Two pages: the block ends where the second, inaccessible one starts. */
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return h278_test_finish();
    CHECK(mprotect(map + page, page, PROT_NONE) == 0);
    uint8_t *block = map + page - block_size;
    memcpy(block, original, block_size);

    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        keep_rewriting(block, original, block_size);
        _exit(0);
    }
    unsigned long parses = 0, accepted = 0, outside = 0;
    for (double end = now_seconds() + 0.5; now_seconds() < end;) {
        for (int i = 0; i < 1000; i++, parses++) {
            h278_block got;
            if (h278_read_block(block, block_size, sizeof input, p.max_len, &got) != H278_OK)
                continue;
            accepted++;
            for (unsigned s = 0; s < got.streams; s++)
                outside += got.stream[s] < block || got.stream[s] + got.stream_size[s] > block + block_size;
        }
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    printf("%lu parses, %lu accepted while the block was being rewritten\n", parses, accepted);
    CHECK(parses > 0);
    CHECKF(outside == 0, "%lu accepted parses had a stream outside the block", outside);
    munmap(map, 2 * page);
    return h278_test_finish();
}
