/*
 * shm_posix.c - shared-memory regions on POSIX systems (see shm.h).
 *
 * shm_open(O_CREAT | O_EXCL, 0600) refuses an existing name; fchmod makes the
 * mode 0600 whatever the umask; posix_fallocate reserves the pages now (a
 * full /dev/shm fails here, not with SIGBUS on first touch); the creator
 * unlinks the name when it closes. Attaching checks that the segment belongs
 * to the current user.
 */
#define _POSIX_C_SOURCE 200809L
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct h278_shm_region {
    void *addr;
    size_t size;
    int owner;
    char name[256];
};

static h278_shm_error from_errno(int e)
{
    return e == EEXIST ? H278_SHM_EXISTS
         : e == ENOENT ? H278_SHM_NOT_FOUND
         : e == ENOSPC || e == ENOMEM || e == EFBIG ? H278_SHM_NO_SPACE
         : e == EACCES || e == EPERM ? H278_SHM_PERMISSION
                                     : H278_SHM_SYSTEM;
}

static h278_shm_error make_name(const char *name, char out[256])
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || strchr(name, '/'))
        return H278_SHM_BAD_NAME;
    snprintf(out, 256, "/%s", name);
    return H278_SHM_OK;
}

h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out)
{
    *out = NULL;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    h278_shm_error err = make_name(name, r->name);
    if (err) {
        free(r);
        return err;
    }
    int fd = shm_open(r->name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        err = from_errno(errno);
        free(r);
        return err;
    }
    int rc = fchmod(fd, 0600);
    if (rc == 0)
        rc = ftruncate(fd, (off_t)size);
    if (rc == 0 && (rc = posix_fallocate(fd, 0, (off_t)size)) != 0)
        errno = rc;
    if (rc == 0) {
        r->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rc = r->addr == MAP_FAILED ? -1 : 0;
    }
    int e = errno;
    close(fd);
    if (rc != 0) {
        shm_unlink(r->name);
        free(r);
        return from_errno(e);
    }
    r->size = size;
    r->owner = 1;
    *out = r;
    return H278_SHM_OK;
}

h278_shm_error h278_shm_open(const char *name, h278_shm_region **out)
{
    *out = NULL;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    h278_shm_error err = make_name(name, r->name);
    if (err) {
        free(r);
        return err;
    }
    int fd = shm_open(r->name, O_RDWR, 0);
    if (fd < 0) {
        err = from_errno(errno);
        free(r);
        return err;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0 || st.st_size <= 0) {
        close(fd);
        free(r);
        return H278_SHM_PERMISSION;
    }
    r->size = (size_t)st.st_size;
    r->addr = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd);
    if (r->addr == MAP_FAILED) {
        free(r);
        return from_errno(e);
    }
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
    if (round < 128) {
        sched_yield();
    } else {
        struct timespec ts = {0, 200000}; /* 0.2 ms */
        nanosleep(&ts, NULL);
    }
}

uint64_t h278_shm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void h278_shm_close(h278_shm_region *r)
{
    if (!r)
        return;
    munmap(r->addr, r->size);
    if (r->owner)
        shm_unlink(r->name);
    free(r);
}
