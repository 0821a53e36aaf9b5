/*
 * fs_win32.c - output files for the CLI on Windows (see fs.h).
 *
 * The temporary file is created exclusively next to the destination and moved
 * into place with MoveFileExA; without -f the move refuses an existing
 * destination. Console Ctrl-C removes the temporary file.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

#include "cli.h"

static char tmp_for_signal[4096];
static volatile LONG have_tmp;

static BOOL WINAPI on_ctrl(DWORD type)
{
    (void)type;
    if (have_tmp)
        DeleteFileA(tmp_for_signal);
    return FALSE;
}

int h278_out_open(h278_out *o, const char *path, int force)
{
    memset(o, 0, sizeof *o);
    o->force = force;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (!force && GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES)
        return h278_cli_error(path, "already exists; use -f to overwrite");
    size_t len = strlen(path);
    if (len + 32 > sizeof tmp_for_signal)
        return h278_cli_error(path, "path too long");
    o->final = _strdup(path);
    o->tmp = malloc(len + 32);
    if (!o->final || !o->tmp) {
        h278_out_abort(o);
        return h278_cli_error(path, "out of memory");
    }
    int fd = -1;
    for (unsigned i = 0; i < 100 && fd < 0; i++) {
        snprintf(o->tmp, len + 32, "%s.tmp%lu-%u", path, (unsigned long)GetCurrentProcessId(), i);
        fd = _open(o->tmp, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        h278_out_abort(o);
        return h278_cli_error(path, "cannot create output: %s", strerror(e));
    }
    memcpy(tmp_for_signal, o->tmp, strlen(o->tmp) + 1);
    InterlockedExchange(&have_tmp, 1);
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    o->f = _fdopen(fd, "wb");
    if (!o->f) {
        _close(fd);
        h278_out_abort(o);
        return h278_cli_error(path, "cannot open output: %s", strerror(errno));
    }
    return 0;
}

int h278_out_commit(h278_out *o)
{
    if (!o->tmp) {
        if (fflush(o->f) != 0 || ferror(o->f))
            return h278_cli_error("(stdout)", "write failed: %s", strerror(errno));
        return 0;
    }
    int bad = ferror(o->f) || fflush(o->f) != 0;
    int e = errno;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        int code = h278_cli_error(o->final, "write failed: %s", strerror(e));
        h278_out_abort(o);
        return code;
    }
    if (!MoveFileExA(o->tmp, o->final, o->force ? MOVEFILE_REPLACE_EXISTING : 0)) {
        DWORD w = GetLastError();
        int code = h278_cli_error(o->final, w == ERROR_ALREADY_EXISTS || w == ERROR_FILE_EXISTS
                                                ? "already exists; use -f to overwrite"
                                                : "cannot move output into place (error %lu)",
                                  (unsigned long)w);
        h278_out_abort(o);
        return code;
    }
    InterlockedExchange(&have_tmp, 0);
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
    return 0;
}

void h278_out_abort(h278_out *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        DeleteFileA(o->tmp);
        InterlockedExchange(&have_tmp, 0);
    }
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
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
