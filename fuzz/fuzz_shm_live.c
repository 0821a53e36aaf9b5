/*
 * fuzz_shm_live.c - libFuzzer target for a running decode server against a
 * producer that breaks the rules while the server's workers run.
 *
 * The server (h278_serve, two decode threads) runs on a thread of this
 * process for the whole fuzzing run; each input is a script of what a
 * producer in another process could do once attached: honest steps (send a
 * good block, send the input's bytes as a block, stage a block and send it
 * by reference, drain, finish, pause) mixed with writes of the input's bytes
 * anywhere in the shared region (the header page, slot headers, payloads,
 * the stage) while its blocks are in flight. The feed may fail; that is its
 * business. What is checked:
 *   - nothing in this process reads or writes outside its memory (ASan; the
 *     server's parse and decode run on bytes that change under them);
 *   - after the script the producer detaches, and an honest producer is
 *     then served a block's exact bytes within its wait: the server may
 *     drop the hostile session, never crash, hang or stay unusable.
 * A step blocks for at most the feed's stall time (STALL_MS) and the
 * server drops a silent session after IDLE_MS, so an input takes well
 * under a second. Writes are plain stores, as another process's would be:
 * this target is not meant for TSAN.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h278.h"
#include "ring.h"
#include "server_thread.h"

#define SLOTS 4u
#define MAX_BLOCK 32768u
#define STAGE 65536u
#define IDLE_MS 200u
#define STALL_MS 300u
#define HONEST_WAIT_MS 5000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static h278_test_server server;
static h278_test_block good;
static char name[64];

static void stop_server(void)
{
    h278_test_server_join(&server);
}

static void start_server(void)
{
    h278_test_region_name(name, sizeof name, "fuzz-live");
    if (h278_test_block_make(&good, 5) != 0) {
        fprintf(stderr, "fuzz_shm_live: cannot make the test block\n");
        abort();
    }
    server.o.name = name;
    server.o.threads = 2;
    server.o.slots = SLOTS;
    server.o.max_block = MAX_BLOCK;
    server.o.stage = STAGE;
    server.o.idle_timeout_ms = IDLE_MS;
    server.o.stop = &server.stop;
    if (h278_test_server_start(&server) != 0) {
        fprintf(stderr, "fuzz_shm_live: the server did not start: %s\n", server.err);
        abort();
    }
    atexit(stop_server);
}

/* The script's bytes, read front to back; past the end every read is 0. */
typedef struct script {
    const uint8_t *p, *end;
} script;

static uint32_t next_u8(script *s)
{
    return s->p < s->end ? *s->p++ : 0;
}

static uint32_t next_u16(script *s)
{
    uint32_t lo = next_u8(s);
    return lo | next_u8(s) << 8;
}

static uint32_t next_u32(script *s)
{
    uint32_t lo = next_u16(s);
    return lo | next_u16(s) << 16;
}

/* Up to max bytes of the script, as they are. */
static size_t next_bytes(script *s, const uint8_t **bytes, size_t max)
{
    size_t n = (size_t)(s->end - s->p);
    if (n > max)
        n = max;
    *bytes = s->p;
    s->p += n;
    return n;
}

/* Writes 1..16 of the script's bytes somewhere in the region: the header's
 * fields, a request or result slot header, or anywhere. Script: where, len - 1,
 * then a 16-bit offset (header, anywhere) or a slot and an offset in its
 * header, then the bytes. */
static void scribble(script *s, uint8_t *region, size_t region_size, uint32_t request_capacity)
{
    const uint32_t where = next_u8(s) % 4, len = 1 + next_u8(s) % 16;
    const size_t slot_size = (region_size - H278_RING_HEADER_SIZE - STAGE) / SLOTS;
    size_t at;
    if (where == 0) {
        at = next_u16(s) % sizeof(h278_ring_header);
    } else if (where == 3) {
        at = (size_t)next_u16(s) * (region_size - len) / 65535;
    } else {
        at = H278_RING_HEADER_SIZE + (next_u8(s) % SLOTS) * slot_size + next_u8(s) % H278_RING_SLOT_HEADER;
        if (where == 2)
            at += H278_RING_SLOT_HEADER + request_capacity;
    }
    if (at + len > region_size)
        at = region_size - len;
    for (uint32_t i = 0; i < len; i++)
        region[at + i] = (uint8_t)next_u8(s);
}

static int send_good(h278_feed *f)
{
    return h278_feed_send(f, good.packed + H278_FILE_HEADER_SIZE, good.block.total_size, sizeof good.data,
                          good.params.max_len, good.block.checksum, NULL, NULL);
}

/* The script's bytes as a block, with the sizes, length limit and checksum
 * it says. */
static int send_raw(h278_feed *f, script *s)
{
    const uint32_t decoded = next_u16(s), max_len = next_u8(s) % (H278_MAX_CODE_LEN + 2), sum = next_u32(s);
    const uint8_t *bytes;
    const size_t n = next_bytes(s, &bytes, next_u16(s) % 4096);
    return h278_feed_send(f, bytes, (uint32_t)n, decoded, max_len, sum, NULL, NULL);
}

/* The good block placed in the stage at an offset the script says, and
 * sent by reference. */
static int send_staged(h278_feed *f, script *s)
{
    uint32_t capacity;
    uint8_t *stage = h278_feed_stage(f, &capacity);
    const uint32_t n = good.block.total_size, at = next_u16(s) % (capacity - n + 1);
    memcpy(stage + at, good.packed + H278_FILE_HEADER_SIZE, n);
    return h278_feed_send_staged(f, at, n, sizeof good.data, good.params.max_len, good.block.checksum, NULL, NULL);
}

static void run_script(script *s)
{
    char err[320];
    h278_feed_opts fo = {name, HONEST_WAIT_MS, STALL_MS, 0, 0};
    h278_feed *f = h278_feed_open(&fo, err, sizeof err);
    if (!f) {
        fprintf(stderr, "fuzz_shm_live: the scripted producer cannot attach: %s\n", err);
        __builtin_trap();
    }
    /* The producer's own view of the whole region, as another process
     * mapping it would have. */
    h278_shm_region *region = NULL;
    if (h278_shm_open(name, &region) != H278_SHM_OK)
        __builtin_trap();
    uint8_t *mem = h278_shm_addr(region);
    const size_t mem_size = h278_shm_size(region);
    const uint32_t request_capacity = h278_feed_max_request(f);
    int ended = 0; /* the feed failed, or the script finished it */
    for (unsigned steps = 0; s->p < s->end && steps < 64 && !ended; steps++) {
        switch (next_u8(s) % 8) {
        case 0:
        case 1: scribble(s, mem, mem_size, request_capacity); break;
        case 2: ended = send_good(f); break;
        case 3: ended = send_raw(f, s); break;
        case 4: ended = send_staged(f, s); break;
        case 5: h278_shm_nap_us(50 + next_u8(s) * 4); break;
        case 6: ended = h278_feed_drain(f, NULL, NULL); break;
        default:
            h278_feed_finish(f, NULL, NULL);
            ended = 1;
            break;
        }
    }
    h278_shm_close(region);
    h278_feed_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!atomic_load(&server.ready))
        start_server();
    script s = {data, data + size};
    run_script(&s);
    char why[320];
    if (h278_test_feed_block(name, HONEST_WAIT_MS, &good, why, sizeof why) != 0) {
        fprintf(stderr, "fuzz_shm_live: after the script, an honest producer was not served: %s\n", why);
        __builtin_trap();
    }
    return 0;
}
