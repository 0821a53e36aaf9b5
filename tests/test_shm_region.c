/*
 * test_shm_region.c - the shared-memory region API behaves the same on
 * POSIX and on Windows (this test also runs under wine): exclusive
 * creation, zero-filled memory, a second mapping that sees the same bytes at
 * another address, a single-threaded ring round trip through the two
 * mappings, and the name gone once the creator closes.
 */
#include <stdio.h>
#include <string.h>

#include "ring.h"
#include "shm.h"
#include "testutil.h"

int main(void)
{
    char name[64];
    uint64_t seed = (uint64_t)(size_t)&name;
    snprintf(name, sizeof name, "h278-test-region-%llx", (unsigned long long)h278_test_rand(&seed));
    h278_shm_region *a = NULL, *b = NULL, *c = NULL;
    size_t size = h278_ring_region_size(4, 1000);
    CHECK(h278_shm_open(name, &b) == H278_SHM_NOT_FOUND);
    CHECK(h278_shm_create(name, size, &a) == H278_SHM_OK);
    if (!a)
        return h278_test_finish();
    CHECK(h278_shm_create(name, size, &c) == H278_SHM_EXISTS && c == NULL);
    CHECK(h278_shm_size(a) == size);
    const uint8_t *z = h278_shm_addr(a);
    int zero = 1;
    for (size_t i = 0; i < size; i++)
        zero &= z[i] == 0;
    CHECK(zero);
    CHECK(h278_shm_open(name, &b) == H278_SHM_OK);
    CHECK(b && h278_shm_size(b) >= size && h278_shm_addr(b) != h278_shm_addr(a));

    h278_ring prod, cons;
    CHECK(h278_ring_init(&prod, h278_shm_addr(a), size, 4, 1000, 1, 2) == H278_RING_OK);
    CHECK(b && h278_ring_attach(&cons, h278_shm_addr(b), h278_shm_size(b)) == H278_RING_OK);
    for (uint64_t pos = 0; b && pos < 10; pos++) {
        uint8_t *p;
        CHECK(h278_ring_reserve(&prod, pos, &p, 1000) == H278_RING_OK);
        snprintf((char *)p, 1000, "message %llu", (unsigned long long)pos);
        CHECK(h278_ring_publish(&prod, pos, (uint32_t)strlen((char *)p) + 1) == H278_RING_OK);
        uint64_t got;
        const uint8_t *q;
        uint32_t len;
        CHECK(h278_ring_claim(&cons, &got, &q, &len, 1000) == H278_RING_OK);
        char want[32];
        snprintf(want, sizeof want, "message %llu", (unsigned long long)pos);
        CHECK(got == pos && len == strlen(want) + 1 && memcmp(q, want, len) == 0);
        h278_ring_release(&cons, got);
    }
    h278_ring_close(&prod);
    uint64_t pos;
    const uint8_t *q;
    uint32_t len;
    CHECK(b && h278_ring_claim(&cons, &pos, &q, &len, 1000) == H278_RING_CLOSED);

    h278_shm_close(b);
    h278_shm_close(a);
    CHECK(h278_shm_open(name, &b) == H278_SHM_NOT_FOUND);
    CHECK(h278_shm_create("", 4096, &a) == H278_SHM_BAD_NAME);
    return h278_test_finish();
}
