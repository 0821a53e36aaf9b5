/*
 * fs_posix.c - the file-system primitives of fs.h on POSIX systems.
 *
 * Without -f the temporary file is put in place with link() + unlink(),
 * which fails if the destination appeared meanwhile instead of silently
 * replacing it as rename() would.
 *
 * On Linux the output is first an unnamed file (O_TMPFILE in the
 * destination's folder), named only when it is complete, through
 * /proc/self/fd with linkat(AT_SYMLINK_FOLLOW) (what an unprivileged
 * process may do; AT_EMPTY_PATH needs a capability): a run killed by SIGKILL
 * leaves no temporary file. Complete, it gets its temporary name and is put
 * in place as a named one is.
 */
#define _GNU_SOURCE /* O_TMPFILE, linkat */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t have_tmp;
static char tmp_for_signal[H278_FS_MAX_PATH];

static void on_signal(int sig)
{
    if (have_tmp)
        unlink(tmp_for_signal);
    signal(sig, SIG_DFL);
    raise(sig);
}

void h278_fs_remove_on_interrupt(const char *path)
{
    have_tmp = 0;
    if (!path)
        return;
    snprintf(tmp_for_signal, sizeof tmp_for_signal, "%s", path);
    have_tmp = 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
}

int h278_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int h278_fs_is_device(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

unsigned long h278_fs_pid(void)
{
    return (unsigned long)getpid();
}

const char *h278_fs_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int h278_fs_list_dir(const char *dir, void (*each)(void *ctx, const char *name), void *ctx)
{
    DIR *d = opendir(*dir ? dir : ".");
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        each(ctx, e->d_name);
    closedir(d);
    return 0;
}

FILE *h278_fs_create_new(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
    }
    return f;
}

FILE *h278_fs_create_unnamed(const char *path)
{
#if defined(O_TMPFILE)
    char dir[H278_FS_MAX_PATH];
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (len + 2 > sizeof dir || access("/proc/self/fd", X_OK) != 0) {
        errno = ENOSYS;
        return NULL;
    }
    if (slash)
        memcpy(dir, path, len ? len : 1), dir[len ? len : 1] = '\0'; /* "/x": the root */
    else
        strcpy(dir, ".");
    int fd = open(dir, O_TMPFILE | O_WRONLY, 0666);
    if (fd < 0)
        return NULL; /* e.g. a file system without it: the caller names one */
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
#else
    (void)path;
    errno = ENOSYS;
    return NULL;
#endif
}

int h278_fs_link_unnamed(FILE *f, const char *path)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fileno(f));
    return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 ? 0 : -1;
}

int h278_fs_sync(FILE *f)
{
    return fsync(fileno(f));
}

int h278_fs_move(const char *tmp, const char *path, int replace, char *why, size_t why_size)
{
    int ok = replace ? rename(tmp, path) == 0 : link(tmp, path) == 0;
    if (ok) {
        if (!replace)
            unlink(tmp);
        return 0;
    }
    if (errno == EEXIST)
        return 1;
    snprintf(why, why_size, "%s", strerror(errno));
    return -1;
}

int h278_fs_regular_size(FILE *f, uint64_t *size)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    *size = (uint64_t)st.st_size;
    return 0;
}

int h278_fs_isatty(FILE *f)
{
    return isatty(fileno(f));
}

void h278_fs_binary_stdio(void)
{
}
