/*
 * shm_win32.c - shared-memory regions and their waiting, liveness, signal
 * and thread services on Windows (see shm.h).
 *
 * A region is a named, pagefile-backed file mapping in the session
 * namespace ("Local\h278-NAME"), created with the creator's default DACL
 * (only the creating user, administrators and the system can open it).
 * CreateFileMappingA on an existing name succeeds with ERROR_ALREADY_EXISTS;
 * that is refused, so a region is never silently shared. SEC_COMMIT charges
 * the whole size at creation, so "not enough memory" is an error now.
 * Attaching checks that the mapping's owner is the current user (or the
 * default owner this user's objects get).
 *
 * Kernel objects vanish with their last handle, so a crashed creator leaves
 * nothing behind and there is nothing to unlink or clean up: a name stays
 * taken only while some process (say, a producer that has not yet noticed
 * the crash) still holds a handle.
 *
 * Waiting uses one named semaphore per channel ("Local\h278-NAME-wN"): a
 * waiter re-checks the word, then waits on the semaphore; a waker releases
 * it. A release that finds no waiter leaves a count behind, which only makes
 * a later wait return early and re-check.
 */
#include "shm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <aclapi.h>

struct h278_shm_region {
    HANDLE mapping;
    HANDLE sem[H278_SHM_CHANNELS];
    void *addr;
    size_t size;
};

static h278_shm_error from_last_error(DWORD e)
{
    switch (e) {
    case ERROR_ALREADY_EXISTS: return H278_SHM_EXISTS;
    case ERROR_FILE_NOT_FOUND: return H278_SHM_NOT_FOUND;
    case ERROR_NOT_ENOUGH_MEMORY: case ERROR_COMMITMENT_LIMIT: case ERROR_DISK_FULL: return H278_SHM_NO_SPACE;
    case ERROR_ACCESS_DENIED: return H278_SHM_PERMISSION;
    default: return H278_SHM_SYSTEM;
    }
}

/* "Local\h278-NAME" plus suffix. */
static h278_shm_error make_name(const char *name, const char *suffix, char out[128])
{
    size_t n = strlen(name);
    if (n == 0 || n > H278_SHM_NAME_MAX || name[0] == '.')
        return H278_SHM_BAD_NAME;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return H278_SHM_BAD_NAME;
    }
    snprintf(out, 128, "Local\\h278-%s%s", name, suffix);
    return H278_SHM_OK;
}

static void free_region(h278_shm_region *r)
{
    if (r->addr)
        UnmapViewOfFile(r->addr);
    for (unsigned c = 0; c < H278_SHM_CHANNELS; c++)
        if (r->sem[c])
            CloseHandle(r->sem[c]);
    if (r->mapping)
        CloseHandle(r->mapping);
    free(r);
}

/* Creates (create != 0) or opens the channel semaphores. */
static h278_shm_error semaphores(h278_shm_region *r, const char *name, int create)
{
    for (unsigned c = 0; c < H278_SHM_CHANNELS; c++) {
        char full[128], suffix[8];
        snprintf(suffix, sizeof suffix, "-w%u", c);
        make_name(name, suffix, full);
        r->sem[c] = create ? CreateSemaphoreA(NULL, 0, 0x7fffffff, full)
                           : OpenSemaphoreA(SEMAPHORE_MODIFY_STATE | SYNCHRONIZE, FALSE, full);
        if (!r->sem[c])
            return from_last_error(GetLastError());
    }
    return H278_SHM_OK;
}

h278_shm_error h278_shm_create(const char *name, size_t size, h278_shm_region **out, int *removed_stale)
{
    char full[128];
    *out = NULL;
    if (removed_stale)
        *removed_stale = 0; /* nothing outlives its last handle here */
    if (size == 0)
        return H278_SHM_SYSTEM;
    h278_shm_error err = make_name(name, "", full);
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
        free_region(r);
        return err;
    }
    err = semaphores(r, name, 1);
    if (!err) {
        r->addr = MapViewOfFile(r->mapping, FILE_MAP_ALL_ACCESS, 0, 0, size);
        if (!r->addr)
            err = from_last_error(GetLastError());
    }
    if (err) {
        free_region(r);
        return err;
    }
    r->size = size;
    *out = r;
    return H278_SHM_OK;
}

/* 1 if the owner of object h is this process's user or the default owner of
 * the objects it creates. Windows gives every named kernel object an owner
 * from its creator's token; wine records none (a NULL owner), which is
 * accepted because there is nothing to compare. */
static int owned_by_us(HANDLE h)
{
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) !=
        ERROR_SUCCESS)
        return 0;
    if (!owner) {
        LocalFree(sd);
        return 1;
    }
    int ok = 0;
    HANDLE token;
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        union {
            TOKEN_USER user;
            TOKEN_OWNER owner;
            uint8_t bytes[512];
        } info;
        DWORD n;
        if (GetTokenInformation(token, TokenUser, &info, sizeof info, &n) && EqualSid(owner, info.user.User.Sid))
            ok = 1;
        if (!ok && GetTokenInformation(token, TokenOwner, &info, sizeof info, &n) &&
            EqualSid(owner, info.owner.Owner))
            ok = 1;
        CloseHandle(token);
    }
    LocalFree(sd);
    return ok;
}

h278_shm_error h278_shm_open(const char *name, h278_shm_region **out)
{
    char full[128];
    *out = NULL;
    h278_shm_error err = make_name(name, "", full);
    if (err)
        return err;
    h278_shm_region *r = calloc(1, sizeof *r);
    if (!r)
        return H278_SHM_SYSTEM;
    r->mapping = OpenFileMappingA(FILE_MAP_ALL_ACCESS | READ_CONTROL, FALSE, full);
    if (!r->mapping) {
        DWORD e = GetLastError();
        free_region(r);
        return from_last_error(e);
    }
    if (!owned_by_us(r->mapping)) {
        free_region(r);
        return H278_SHM_PERMISSION;
    }
    err = semaphores(r, name, 0);
    MEMORY_BASIC_INFORMATION info;
    if (!err) {
        r->addr = MapViewOfFile(r->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
        if (!r->addr || VirtualQuery(r->addr, &info, sizeof info) == 0)
            err = from_last_error(GetLastError());
    }
    if (err) {
        free_region(r);
        return err;
    }
    /* The view's size, rounded up to pages; the ring checks its own
     * geometry against it. */
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

int h278_shm_lost(const h278_shm_region *r)
{
    (void)r; /* a section cannot be shrunk while it is mapped */
    return 0;
}

int h278_shm_regrow(const char *name, size_t min_size)
{
    (void)name; /* nor by anyone else, so there is nothing to grow back */
    (void)min_size;
    return 0;
}

void h278_shm_close(h278_shm_region *r)
{
    if (r)
        free_region(r);
}

/* ---- Waiting ------------------------------------------------------------- */

void h278_shm_wait(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t expected,
                   uint32_t timeout_ms)
{
    if (atomic_load_explicit(word, memory_order_acquire) != expected)
        return;
    if (r && channel < H278_SHM_CHANNELS)
        WaitForSingleObject(r->sem[channel], timeout_ms);
    else
        Sleep(timeout_ms < 1 ? timeout_ms : 1);
}

void h278_shm_wake(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word, uint32_t count)
{
    (void)word;
    if (r && channel < H278_SHM_CHANNELS && count)
        ReleaseSemaphore(r->sem[channel], count > 0x10000 ? 0x10000 : (LONG)count, NULL);
}

void h278_shm_relax(unsigned round)
{
    if (round < 64)
        YieldProcessor();
    else
        SwitchToThread();
}

void h278_shm_sleep_ms(uint32_t ms)
{
    Sleep(ms);
}

int h278_shm_nap_us(uint32_t us)
{
    (void)us;
    return -1;
}

uint32_t h278_shm_cpu_count(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors ? si.dwNumberOfProcessors : 1;
}

uint64_t h278_shm_now_ns(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    return (uint64_t)((double)now.QuadPart * 1e9 / (double)freq.QuadPart);
}

/* ---- Liveness ------------------------------------------------------------ */

static uint64_t creation_time(HANDLE h)
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(h, &created, &exited, &kernel, &user))
        return 0;
    return (uint64_t)created.dwHighDateTime << 32 | created.dwLowDateTime;
}

void h278_shm_self(uint64_t *pid, uint64_t *start)
{
    *pid = GetCurrentProcessId();
    *start = creation_time(GetCurrentProcess());
}

int h278_shm_alive(uint64_t pid, uint64_t start)
{
    if (pid == 0 || pid > 0xffffffffu)
        return 0;
    HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    if (!h)
        return GetLastError() == ERROR_ACCESS_DENIED; /* exists, not ours to inspect */
    int alive = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
    uint64_t now = creation_time(h);
    if (start != 0 && now != 0 && now != start)
        alive = 0; /* the pid was reused */
    CloseHandle(h);
    return alive;
}

/* ---- Signals ------------------------------------------------------------- */

static volatile LONG interrupted;
/* What an interrupt wakes (h278_shm_wake_on_interrupt): the handler runs on
 * a thread of its own, so a lock keeps the region from closing under it. */
static SRWLOCK interrupt_lock = SRWLOCK_INIT;
static h278_shm_region *interrupt_region;
static unsigned interrupt_channel;
static _Atomic uint32_t *interrupt_word;

static BOOL WINAPI on_console_event(DWORD type)
{
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT || type == CTRL_CLOSE_EVENT) {
        InterlockedExchange(&interrupted, 1);
        AcquireSRWLockExclusive(&interrupt_lock);
        if (interrupt_word) {
            atomic_fetch_add(interrupt_word, 1);
            h278_shm_wake(interrupt_region, interrupt_channel, interrupt_word, 1);
        }
        ReleaseSRWLockExclusive(&interrupt_lock);
        return TRUE;
    }
    return FALSE;
}

void h278_shm_wake_on_interrupt(h278_shm_region *r, unsigned channel, _Atomic uint32_t *word)
{
    AcquireSRWLockExclusive(&interrupt_lock);
    interrupt_region = r;
    interrupt_channel = channel;
    interrupt_word = word;
    ReleaseSRWLockExclusive(&interrupt_lock);
}

void h278_shm_catch_interrupts(void)
{
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

int h278_shm_interrupted(void)
{
    return InterlockedCompareExchange(&interrupted, 0, 0) != 0;
}

/* ---- Threads ------------------------------------------------------------- */

struct h278_shm_thread {
    HANDLE handle;
    void (*fn)(void *);
    void *arg;
};

static DWORD WINAPI thread_main(LPVOID p)
{
    h278_shm_thread *t = p;
    t->fn(t->arg);
    return 0;
}

int h278_shm_thread_start(h278_shm_thread **out, void (*fn)(void *), void *arg)
{
    h278_shm_thread *t = malloc(sizeof *t);
    if (!t)
        return -1;
    t->fn = fn;
    t->arg = arg;
    t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (!t->handle) {
        free(t);
        return -1;
    }
    *out = t;
    return 0;
}

void h278_shm_thread_join(h278_shm_thread *t)
{
    if (t) {
        WaitForSingleObject(t->handle, INFINITE);
        CloseHandle(t->handle);
        free(t);
    }
}
