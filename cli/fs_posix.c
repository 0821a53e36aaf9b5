/*
 * fs_posix.c - output files for the CLI on POSIX systems (see fs.h).
 *
 * The temporary file is created with O_EXCL next to the destination, so the
 * final rename stays on one file system. Without -f the rename is done with
 * link() + unlink(), which fails if the destination appeared meanwhile
 * instead of silently replacing it. SIGINT/SIGTERM/SIGHUP remove the
 * temporary file before the process dies.
 */
#define _POSIX_C_SOURCE 200809L
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t have_tmp;
static char tmp_for_signal[4096];

static void on_signal(int sig)
{
    if (have_tmp)
        unlink(tmp_for_signal);
    signal(sig, SIG_DFL);
    raise(sig);
}

int h278_out_open(h278_out *o, const char *path, int force)
{
    memset(o, 0, sizeof *o);
    o->force = force;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    struct stat st;
    if (!force && lstat(path, &st) == 0)
        return h278_cli_error(path, "already exists; use -f to overwrite");
    size_t len = strlen(path);
    if (len + 32 > sizeof tmp_for_signal)
        return h278_cli_error(path, "path too long");
    o->final = strdup(path);
    o->tmp = malloc(len + 32);
    if (!o->final || !o->tmp) {
        h278_out_abort(o);
        return h278_cli_error(path, "out of memory");
    }
    int fd = -1;
    for (unsigned i = 0; i < 100 && fd < 0; i++) {
        snprintf(o->tmp, len + 32, "%s.tmp%ld-%u", path, (long)getpid(), i);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
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
    have_tmp = 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        close(fd);
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
    int bad = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
    int e = errno;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        int code = h278_cli_error(o->final, "write failed: %s", strerror(e));
        h278_out_abort(o);
        return code;
    }
    if (o->force) {
        bad = rename(o->tmp, o->final) != 0;
    } else {
        bad = link(o->tmp, o->final) != 0;
        if (!bad)
            unlink(o->tmp);
    }
    if (bad) {
        e = errno;
        int code = h278_cli_error(o->final, e == EEXIST ? "already exists; use -f to overwrite"
                                                        : "cannot rename output into place: %s",
                                  strerror(e));
        h278_out_abort(o);
        return code;
    }
    have_tmp = 0;
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
        unlink(o->tmp);
        have_tmp = 0;
    }
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
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
