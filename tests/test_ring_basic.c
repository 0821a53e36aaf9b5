/*
 * test_ring_basic.c - the slot ring's protocol, one step at a time in a
 * single thread: geometry checks, attach validation of a damaged header,
 * results in order whatever the completion order, flow control, closing,
 * reset, requests staged outside their slot, and every way a peer can break the protocol (each must give
 * H278_RING_BROKEN, not a crash or a hang). Plain memory, no region: runs
 * the same on every platform.
 */
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "testutil.h"

#define SLOTS 4u
#define REQ 200u /* rounded up to 256 by the ring */
#define RES 100u /* rounded up to 128 */
#define STAGE 200u /* rounded up to 256 */

static h278_ring_slot_header *request_hdr(const h278_ring *r, uint64_t pos)
{
    return (h278_ring_slot_header *)(r->slots + (pos % r->slot_count) * r->slot_size);
}

static h278_ring_slot_header *result_hdr(const h278_ring *r, uint64_t pos)
{
    return (h278_ring_slot_header *)((uint8_t *)request_hdr(r, pos) + H278_RING_SLOT_HEADER + r->request_capacity);
}

/* Publishes one request whose bytes are "pos" repeated, meta {pos, 7, 0, 0}. */
static h278_ring_status send(h278_ring *r, uint64_t pos, uint32_t len)
{
    uint8_t *p;
    h278_ring_status st = h278_ring_reserve(r, &p);
    if (st)
        return st;
    memset(p, (int)(pos & 0xff), len);
    const uint32_t meta[4] = {(uint32_t)pos, 7, 0, 0};
    return h278_ring_publish(r, len, meta);
}

/* A fresh ring with `stage` bytes of stage in zeroed memory (freed by the
 * caller): the producer's view p and a consumer's view c. */
static uint8_t *new_ring(h278_ring *p, h278_ring *c, uint32_t stage)
{
    size_t size = h278_ring_region_size(SLOTS, REQ, RES, stage);
    uint8_t *mem = calloc(1, size);
    CHECK(h278_ring_init(p, mem, size, SLOTS, REQ, RES, stage, 5) == H278_RING_OK);
    CHECK(h278_ring_attach(c, mem, size) == H278_RING_OK);
    return mem;
}

static void geometry(void)
{
    CHECK(h278_ring_region_size(SLOTS, REQ, RES, STAGE) == H278_RING_HEADER_SIZE + SLOTS * (128u + 256u + 128u) + 256u);
    CHECK(h278_ring_region_size(SLOTS, REQ, RES, 0) == H278_RING_HEADER_SIZE + SLOTS * (128u + 256u + 128u));
    CHECK(h278_ring_region_size(SLOTS, REQ, RES, H278_RING_MAX_STAGE + 1) == 0);
    CHECK(h278_ring_region_size(3, REQ, RES, STAGE) == 0);
    CHECK(h278_ring_region_size(1, REQ, RES, STAGE) == 0);
    CHECK(h278_ring_region_size(H278_RING_MAX_SLOTS * 2, REQ, RES, STAGE) == 0);
    CHECK(h278_ring_region_size(SLOTS, 0, RES, STAGE) == 0);
    CHECK(h278_ring_region_size(SLOTS, REQ, H278_RING_MAX_CAPACITY + 1, STAGE) == 0);
    size_t size = h278_ring_region_size(SLOTS, REQ, RES, STAGE);
    uint8_t *mem = calloc(1, size);
    h278_ring r;
    CHECK(h278_ring_init(&r, mem, size - 1, SLOTS, REQ, RES, STAGE, 1) == H278_RING_BAD_GEOMETRY);
    CHECK(h278_ring_init(&r, mem, size, 6, REQ, RES, STAGE, 1) == H278_RING_BAD_GEOMETRY);
    CHECK(h278_ring_attach(&r, mem, size) == H278_RING_BROKEN); /* no magic yet */
    CHECK(h278_ring_init(&r, mem, size, SLOTS, REQ, RES, STAGE, 1) == H278_RING_OK);
    CHECK(r.request_capacity == 256 && r.result_capacity == 128 && r.slot_count == SLOTS && r.stage_capacity == 256);
    CHECK(r.stage == mem + size - 256);

    /* Each damaged field of the header is refused on attach. */
    h278_ring a;
    h278_ring_header *h = (h278_ring_header *)mem;
    CHECK(h278_ring_attach(&a, mem, size) == H278_RING_OK);
    CHECK(h278_ring_attach(&a, mem, size - 1) == H278_RING_BROKEN);
    CHECK(h278_ring_attach(&a, mem, 100) == H278_RING_BAD_GEOMETRY);
    uint32_t *fields[] = {&h->version, &h->header_size,      &h->slot_count,     &h->slot_size,
                          &h->request_capacity, &h->result_capacity, &h->stage_capacity, &h->stage_capacity};
    const uint32_t bad[] = {1, 8192, 8, 64, 320, 129, 100, 320}; /* the last: more stage than the region holds */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint32_t keep = *fields[i];
        *fields[i] = bad[i];
        CHECKF(h278_ring_attach(&a, mem, size) == H278_RING_BROKEN, "field %zu", i);
        *fields[i] = keep;
    }
    h->magic ^= 1;
    CHECK(h278_ring_attach(&a, mem, size) == H278_RING_BROKEN);
    h->magic ^= 1;
    CHECK(h278_ring_attach(&a, mem, size) == H278_RING_OK && a.slot_size == r.slot_size);
    free(mem);
}

static void protocol(void)
{
    h278_ring p, c;
    uint8_t *mem = new_ring(&p, &c, STAGE);
    h278_ring_msg m;
    CHECK(h278_ring_claim(&c, &m, 0) == H278_RING_TIMEOUT);
    CHECK(h278_ring_claim(&c, &m, 20) == H278_RING_TIMEOUT);
    CHECK(h278_ring_wait_result(&p, &m, 20) == H278_RING_EMPTY);

    /* Fill every slot; the next reserve reports FULL. */
    for (uint64_t pos = 0; pos < SLOTS; pos++)
        CHECK(send(&p, pos, 10 + (uint32_t)pos) == H278_RING_OK);
    uint8_t *q;
    CHECK(h278_ring_reserve(&p, &q) == H278_RING_FULL);
    CHECK(send(&p, 99, 1) == H278_RING_FULL);
    CHECK(h278_ring_wait_result(&p, &m, 0) == H278_RING_TIMEOUT);

    /* Claims come in position order with the producer's length and meta. */
    h278_ring_msg got[SLOTS];
    for (uint64_t pos = 0; pos < SLOTS; pos++) {
        CHECK(h278_ring_claim(&c, &got[pos], 100) == H278_RING_OK);
        CHECK(got[pos].pos == pos && got[pos].len == 10 + pos && got[pos].meta[0] == pos && got[pos].meta[1] == 7);
        CHECK(got[pos].data[0] == (uint8_t)pos && got[pos].data[got[pos].len - 1] == (uint8_t)pos);
    }
    CHECK(h278_ring_claim(&c, &m, 0) == H278_RING_TIMEOUT);

    /* Completed out of order, results are still taken in order. */
    const unsigned order[SLOTS] = {3, 1, 0, 2};
    for (unsigned i = 0; i < SLOTS; i++) {
        uint64_t pos = order[i];
        memset(h278_ring_result_area(&c, pos), 'a' + (int)pos, 5);
        CHECK(h278_ring_complete(&c, pos, 5, 40 + (uint32_t)pos) == H278_RING_OK);
    }
    CHECK(h278_ring_complete(&c, 0, 129, 0) == H278_RING_TOO_LARGE);
    for (uint64_t pos = 0; pos < SLOTS; pos++) {
        CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_OK);
        CHECK(m.pos == pos && m.len == 5 && m.status == 40 + pos && m.data[4] == 'a' + pos);
        h278_ring_result_done(&p);
    }
    CHECK(h278_ring_wait_result(&p, &m, 0) == H278_RING_EMPTY);

    /* The slots are free again: a second lap. */
    CHECK(send(&p, SLOTS, REQ + 60) == H278_RING_TOO_LARGE);
    CHECK(send(&p, SLOTS, 256) == H278_RING_OK);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.pos == SLOTS && m.len == 256);
    CHECK(h278_ring_complete(&c, m.pos, 0, 0) == H278_RING_OK);
    CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_OK && m.pos == SLOTS && m.len == 0);
    h278_ring_result_done(&p);

    /* Closing: consumers see CLOSED once everything published is claimed. */
    CHECK(send(&p, SLOTS + 1, 3) == H278_RING_OK);
    h278_ring_close(&p);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.pos == SLOTS + 1);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_CLOSED);

    /* Reset: a new session from position 0. */
    h278_ring_header *h = p.hdr;
    uint32_t session = atomic_load(&h->session);
    atomic_store(&h->producer_pid, 1234);
    h278_ring_reset(&p);
    CHECK(atomic_load(&h->session) == session + 1 && atomic_load(&h->producer_pid) == 0);
    CHECK(atomic_load(&h->head) == 0 && atomic_load(&h->tail) == 0 && atomic_load(&h->closed) == 0);
    CHECK(p.next == 0 && p.done == 0);
    CHECK(h278_ring_claim(&c, &m, 0) == H278_RING_TIMEOUT);
    CHECK(send(&p, 0, 8) == H278_RING_OK);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.pos == 0 && m.len == 8);
    free(mem);
}

/* Requests whose payload the producer placed in the stage. */
static void staged(void)
{
    h278_ring p, c;
    h278_ring_msg m;
    uint8_t *mem = new_ring(&p, &c, STAGE);
    CHECK(c.stage == p.stage && c.stage_capacity == 256);
    for (unsigned i = 0; i < 256; i++)
        p.stage[i] = (uint8_t)i;
    const uint32_t meta[4] = {1, 2, 3, 4};
    CHECK(h278_ring_publish_staged(&p, 64, 100, meta) == H278_RING_OK);
    CHECK(h278_ring_publish_staged(&p, 0, 256, meta) == H278_RING_OK);
    CHECK(send(&p, 2, 7) == H278_RING_OK); /* mixed with one in its slot */
    CHECK(h278_ring_publish_staged(&p, 64, 100, meta) == H278_RING_OK); /* the same bytes again */
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK);
    CHECK(m.pos == 0 && m.data == c.stage + 64 && m.len == 100 && m.data[99] == 163 && m.meta[3] == 4);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.data == c.stage && m.len == 256);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.len == 7 && m.data[0] == 2);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.pos == 3 && m.data == c.stage + 64);
    for (uint64_t pos = 0; pos < SLOTS; pos++) {
        CHECK(h278_ring_complete(&c, pos, 1, 0) == H278_RING_OK);
        CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_OK && m.pos == pos);
        h278_ring_result_done(&p);
    }
    /* The producer cannot point outside the stage or past a slot's size. */
    CHECK(h278_ring_publish_staged(&p, 200, 57, meta) == H278_RING_TOO_LARGE);
    CHECK(h278_ring_publish_staged(&p, 257, 0, meta) == H278_RING_TOO_LARGE);
    CHECK(h278_ring_publish_staged(&p, 0, 256, meta) == H278_RING_OK);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK);
    free(mem);

    /* A ring without a stage takes no staged request, but still works. */
    mem = new_ring(&p, &c, 0);
    CHECK(c.stage_capacity == 0);
    CHECK(h278_ring_publish_staged(&p, 0, 1, meta) == H278_RING_TOO_LARGE);
    CHECK(send(&p, 0, 9) == H278_RING_OK);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK && m.len == 9);
    free(mem);
}

/* A hostile peer: every inconsistency it can write is caught. */
static void broken_peers(void)
{
    h278_ring p, c;
    h278_ring_msg m;
    uint8_t *mem = new_ring(&p, &c, STAGE);

    /* A request length beyond the slot. */
    CHECK(send(&p, 0, 10) == H278_RING_OK);
    request_hdr(&p, 0)->len = 1u << 30;
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_BROKEN);

    /* Staged requests pointing outside the stage, or with a bad flag. */
    const uint32_t bad_stage[][3] = {{1, 257, 0}, {1, 200, 57}, {1, 0, 257}, {2, 0, 1}};
    for (size_t i = 0; i < sizeof bad_stage / sizeof bad_stage[0]; i++) {
        h278_ring_reset(&p);
        CHECK(send(&p, 0, 10) == H278_RING_OK);
        request_hdr(&p, 0)->in_stage = bad_stage[i][0];
        request_hdr(&p, 0)->stage_offset = bad_stage[i][1];
        request_hdr(&p, 0)->len = bad_stage[i][2];
        CHECKF(h278_ring_claim(&c, &m, 100) == H278_RING_BROKEN, "staged case %zu", i);
    }

    /* A sequence number from the future while tail has not moved. */
    h278_ring_reset(&p);
    atomic_store(&request_hdr(&p, 0)->seq, 1 + SLOTS);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_BROKEN);

    /* Closed, head says one position was sent, but its slot was never
     * published. */
    h278_ring_reset(&p);
    atomic_store(&p.hdr->head, 1);
    atomic_store(&p.hdr->closed, 1);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_BROKEN);

    /* Results: a length beyond the slot, and a result for a position not yet
     * sent. */
    h278_ring_reset(&p);
    CHECK(send(&p, 0, 10) == H278_RING_OK);
    CHECK(h278_ring_claim(&c, &m, 100) == H278_RING_OK);
    CHECK(h278_ring_complete(&c, 0, 10, 0) == H278_RING_OK);
    result_hdr(&p, 0)->len = RES + 1000;
    CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_BROKEN);
    result_hdr(&p, 0)->len = 10;
    atomic_store(&result_hdr(&p, 0)->seq, 7);
    CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_BROKEN);
    atomic_store(&result_hdr(&p, 0)->seq, 1);
    CHECK(h278_ring_wait_result(&p, &m, 100) == H278_RING_OK && m.len == 10);
    free(mem);
}

int main(void)
{
    geometry();
    protocol();
    staged();
    broken_peers();
    return h278_test_finish();
}
