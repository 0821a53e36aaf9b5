/*
 * shm_win32.c - shared-memory regions on Windows (see shm.h).
 *
 * A named, pagefile-backed file mapping in the session namespace
 * ("Local\h278-NAME"), created with the creator's default DACL (only the
 * creating user and the system can open it). CreateFileMappingA on an
 * existing name succeeds with ERROR_ALREADY_EXISTS; that is refused, so a
 * region is never silently shared. Committing the whole size at creation
 * makes "not enough memory" an error now. The name disappears with the last
 * handle, so there is nothing to unlink.
 */
#include "shm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

struct h278_shm_region {
    HANDLE mapping;
    void *addr;
    size_t size;
};

static h278_shm_error make_name(const char *name, char out[256])
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || strchr(name, '/') || strchr(name, '\\'))
        return H278_SHM_BAD_NAME;
    snprintf(out, 256, "Local\\h278-%s", name);
    return H278_SHM_OK;
}

static h278_shm_error from_last_error(DWORD e)
{
    return e == ERROR_ALREADY_EXISTS ? H278_SHM_EXISTS
         : e == ERROR_FILE_NOT_FOUND ? H278_SHM_NOT_FOUND
         : e == ERROR_NOT_ENOUGH_MEMORY || e == ERROR_COMMITMENT_LIMIT ? H278_SHM_NO_SPACE
         : e == ERROR_ACCESS_DENIED ? H278_SHM_PERMISSION
                                    : H278_SHM_SYSTEM;
}

h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out)
{
    char full[256];
    *out = NULL;
    h278_shm_error err = make_name(name, full);
    if (err)
        return err;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    r->mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
                                    (DWORD)((uint64_t)size >> 32), (DWORD)size, full);
    DWORD e = GetLastError();
    if (!r->mapping || e == ERROR_ALREADY_EXISTS) {
        err = r->mapping ? H278_SHM_EXISTS : from_last_error(e);
        if (r->mapping)
            CloseHandle(r->mapping);
        free(r);
        return err;
    }
    r->addr = MapViewOfFile(r->mapping, FILE_MAP_ALL_ACCESS, 0, 0, size);
    if (!r->addr) {
        e = GetLastError();
        CloseHandle(r->mapping);
        free(r);
        return from_last_error(e);
    }
    r->size = size;
    *out = r;
    return H278_SHM_OK;
}

h278_shm_error h278_shm_open(const char *name, h278_shm_region **out)
{
    char full[256];
    *out = NULL;
    h278_shm_error err = make_name(name, full);
    if (err)
        return err;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    r->mapping = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, full);
    if (!r->mapping) {
        DWORD e = GetLastError();
        free(r);
        return from_last_error(e);
    }
    r->addr = MapViewOfFile(r->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    MEMORY_BASIC_INFORMATION info;
    if (!r->addr || VirtualQuery(r->addr, &info, sizeof info) == 0) {
        DWORD e = GetLastError();
        if (r->addr)
            UnmapViewOfFile(r->addr);
        CloseHandle(r->mapping);
        free(r);
        return from_last_error(e);
    }
    r->size = info.RegionSize;
    *out = r;
    return H278_SHM_OK;
}

void *h278_shm_addr(const h278_shm_region *r)
{
    return r->addr;
}

size_t h278_shm_size(const h278_shm_region *r)
{
    return r->size;
}

void h278_shm_pause(unsigned round)
{
    if (round < 64)
        YieldProcessor();
    else if (round < 128)
        SwitchToThread();
    else
        Sleep(1);
}

uint64_t h278_shm_now_ms(void)
{
    return GetTickCount64();
}

void h278_shm_close(h278_shm_region *r)
{
    if (!r)
        return;
    UnmapViewOfFile(r->addr);
    CloseHandle(r->mapping);
    free(r);
}
