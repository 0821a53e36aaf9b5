/*
 * shm.c - the platform-independent part of the region API: its messages.
 */
#include "shm.h"

const char *h278_shm_strerror(h278_shm_error err)
{
    switch (err) {
    case H278_SHM_OK: return "success";
    case H278_SHM_EXISTS: return "a running process already owns a shared-memory region of that name";
    case H278_SHM_NOT_FOUND: return "no shared-memory region of that name (is the server running?)";
    case H278_SHM_NO_SPACE: return "not enough shared memory for the region";
    case H278_SHM_PERMISSION: return "the shared-memory region belongs to another user, is accessible to others, or is not accessible";
    case H278_SHM_BAD_NAME: return "invalid region name (1..64 characters: letters, digits, '-', '_', '.')";
    default: return "system error on the shared-memory region";
    }
}
