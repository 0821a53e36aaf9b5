/*
 * fs_win32.c - the file-system primitives of fs.h on Windows.
 *
 * MoveFileExA without MOVEFILE_REPLACE_EXISTING refuses an existing
 * destination; console Ctrl-C removes the temporary file.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

static char tmp_for_signal[H278_FS_MAX_PATH];
static volatile LONG have_tmp;

static BOOL WINAPI on_ctrl(DWORD type)
{
    (void)type;
    if (have_tmp)
        DeleteFileA(tmp_for_signal);
    return FALSE;
}

void h278_fs_remove_on_interrupt(const char *path)
{
    InterlockedExchange(&have_tmp, 0);
    if (!path)
        return;
    snprintf(tmp_for_signal, sizeof tmp_for_signal, "%s", path);
    InterlockedExchange(&have_tmp, 1);
    SetConsoleCtrlHandler(on_ctrl, TRUE);
}

int h278_fs_exists(const char *path)
{
    return GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES;
}

int h278_fs_is_device(const char *path)
{
    HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    DWORD type = GetFileType(h);
    CloseHandle(h);
    return type == FILE_TYPE_CHAR || type == FILE_TYPE_PIPE;
}

unsigned long h278_fs_pid(void)
{
    return (unsigned long)GetCurrentProcessId();
}

const char *h278_fs_base_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    if (back && (!slash || back > slash))
        slash = back;
    return slash ? slash + 1 : path;
}

int h278_fs_list_dir(const char *dir, void (*each)(void *ctx, const char *name), void *ctx)
{
    char pattern[H278_FS_MAX_PATH + 8];
    snprintf(pattern, sizeof pattern, "%s%s*", dir, *dir ? "\\" : "");
    WIN32_FIND_DATAA fd;
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    do
        each(ctx, fd.cFileName);
    while (FindNextFileA(h, &fd));
    FindClose(h);
    return 0;
}

FILE *h278_fs_create_new(const char *path)
{
    int fd = _open(path, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
    if (fd < 0)
        return NULL;
    FILE *f = _fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        _close(fd);
        DeleteFileA(path);
        errno = e;
    }
    return f;
}

FILE *h278_fs_create_unnamed(const char *path)
{
    (void)path;
    errno = ENOSYS; /* the named temporary file is used instead */
    return NULL;
}

int h278_fs_link_unnamed(FILE *f, const char *path)
{
    (void)f, (void)path;
    errno = ENOSYS;
    return -1;
}

int h278_fs_sync(FILE *f)
{
    return _commit(_fileno(f));
}

int h278_fs_move(const char *tmp, const char *path, int replace, char *why, size_t why_size)
{
    if (MoveFileExA(tmp, path, replace ? MOVEFILE_REPLACE_EXISTING : 0))
        return 0;
    DWORD w = GetLastError();
    if (w == ERROR_ALREADY_EXISTS || w == ERROR_FILE_EXISTS)
        return 1;
    snprintf(why, why_size, "error %lu", (unsigned long)w);
    return -1;
}

int h278_fs_regular_size(FILE *f, uint64_t *size)
{
    struct _stat64 st;
    if (_fstat64(_fileno(f), &st) != 0 || !(st.st_mode & _S_IFREG))
        return -1;
    *size = (uint64_t)st.st_size;
    return 0;
}

int h278_fs_isatty(FILE *f)
{
    return _isatty(_fileno(f));
}

void h278_fs_binary_stdio(void)
{
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
}
