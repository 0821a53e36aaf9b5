/*
 * fuzz_shm_header.c - libFuzzer target for the shared-memory ring as a peer
 * process could leave it: arbitrary bytes are the region (header page and
 * slots). Attaching must refuse every header whose geometry does not fit the
 * region; on one it accepts, the server's consumer steps (claim, result
 * area, complete) and the producer's result steps (wait_result) must stay
 * inside the region whatever the slot headers say. Nothing waits: every
 * call has a zero timeout. The region sits right before a guard page and is
 * 64-byte aligned, as a real mapping is page aligned.
 */
#include <string.h>

#include "fuzz_common.h"
#include "ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const void *p, size_t n, const uint8_t *lo, const uint8_t *hi)
{
    const uint8_t *b = p;
    if (b < lo || b > hi || n > (size_t)(hi - b))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = (size + 63) & ~(size_t)63;
    h278_guarded g;
    if (n == 0 || h278_guarded_alloc(&g, n))
        return 0;
    memset(g.data, 0, n);
    memcpy(g.data, data, size);
    const uint8_t *lo = g.data, *hi = g.data + n;
    h278_ring r;
    if (h278_ring_attach(&r, g.data, n) == H278_RING_OK) {
        check_inside(r.slots, (size_t)r.slot_count * r.slot_size, lo, hi);
        /* The server's side: claim what the producer published. */
        for (int i = 0; i < 8; i++) {
            h278_ring_msg m;
            if (h278_ring_claim(&r, &m, 0) != H278_RING_OK)
                break;
            check_inside(m.data, m.len, lo, hi);
            uint8_t *res = h278_ring_result_area(&r, m.pos);
            check_inside(res, r.result_capacity, lo, hi);
            uint32_t len = m.len < r.result_capacity ? m.len : r.result_capacity;
            memcpy(res, m.data, len);
            if (h278_ring_complete(&r, m.pos, len, 0) != H278_RING_OK)
                __builtin_trap();
        }
        /* The producer's side: as if every slot were in flight. */
        r.next = r.slot_count;
        r.done = 0;
        for (uint32_t i = 0; i < r.slot_count && i < 8; i++) {
            h278_ring_msg m;
            if (h278_ring_wait_result(&r, &m, 0) != H278_RING_OK)
                break;
            check_inside(m.data, m.len, lo, hi);
            h278_ring_result_done(&r);
        }
    }
    h278_guarded_free(&g);
    return 0;
}
