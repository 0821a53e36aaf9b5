/*
 * fuzz_common.c - guard-page buffers for the fuzz targets (see
 * fuzz_common.h). mmap rounds the buffer up to whole pages, places it so it
 * ends exactly at the start of a PROT_NONE page, and unmaps it afterwards.
 */
#define _DEFAULT_SOURCE
#include "fuzz_common.h"

#include "h278.h"

#include <sys/mman.h>
#include <unistd.h>

int h278_guarded_alloc(h278_guarded *g, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t body = (n + page - 1) / page * page;
    g->map_size = body + page;
    g->map = mmap(NULL, g->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED)
        return -1;
    if (mprotect((uint8_t *)g->map + body, page, PROT_NONE) != 0) {
        munmap(g->map, g->map_size);
        return -1;
    }
    g->data = (uint8_t *)g->map + body - n;
    g->size = n;
    return 0;
}

void h278_guarded_free(h278_guarded *g)
{
    munmap(g->map, g->map_size);
}

void h278_fuzz_reseal(uint8_t *file, size_t n)
{
    if (n < H278_FILE_HEADER_SIZE)
        return;
    uint32_t c = h278_checksum(file, 20);
    for (unsigned i = 0; i < 4; i++)
        file[20 + i] = (uint8_t)(c >> (8 * i));
}
