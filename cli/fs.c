/*
 * fs.c - output files for the CLI (see fs.h): the temporary-file protocol,
 * written once over the few primitives each platform gives (fs_posix.c,
 * fs_win32.c).
 *
 * The temporary file is created next to the destination, so the final move
 * stays on one file system: unnamed where the system has such files (a
 * killed run then leaves nothing), else under a name of its own, created
 * exclusively. It is flushed to disk and only then put in place, refusing
 * an existing destination unless -f. An interrupt (SIGINT/SIGTERM/SIGHUP,
 * console Ctrl-C) removes a named one first; a named one a killed run left
 * is removed by the next run for the same output.
 */
#include "fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shm.h" /* h278_shm_alive: whether a process runs */

/* Gives the output its temporary name, path.tmpPID-i with the first free
 * i: creates that file, or links the unnamed file o->f to it. 0, or -1
 * with errno set. */
static int name_temporary(h278_out *o)
{
    size_t size = strlen(o->final) + 32;
    for (unsigned i = 0; i < 100; i++) {
        snprintf(o->tmp, size, "%s.tmp%lu-%u", o->final, h278_fs_pid(), i);
        if (o->unnamed ? h278_fs_link_unnamed(o->f, o->tmp) == 0 : (o->f = h278_fs_create_new(o->tmp)) != NULL)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* What remove_stale_temps looks for: base.tmpPID-i in dir. */
typedef struct stale_scan {
    const char *dir, *base;
    size_t dir_len, base_len;
} stale_scan;

/* Reads an unsigned decimal at *p (at least one digit); 0 if there is none. */
static int read_number(const char **p, unsigned long *v)
{
    const char *s = *p;
    *v = 0;
    while (*s >= '0' && *s <= '9' && *v < 100000000ul)
        *v = *v * 10 + (unsigned long)(*s++ - '0');
    if (s == *p)
        return 0;
    *p = s;
    return 1;
}

static void remove_if_stale(void *ctx, const char *name)
{
    const stale_scan *sc = ctx;
    unsigned long pid, i;
    const char *p = name + sc->base_len;
    if (strncmp(name, sc->base, sc->base_len) != 0 || strncmp(p, ".tmp", 4) != 0)
        return;
    p += 4;
    if (!read_number(&p, &pid) || *p++ != '-' || !read_number(&p, &i) || *p != '\0')
        return;
    if (pid == h278_fs_pid() || h278_shm_alive(pid, 0))
        return; /* its run may still be writing it */
    char full[H278_FS_MAX_PATH];
    if (sc->dir_len + strlen(name) < sizeof full) {
        memcpy(full, sc->dir, sc->dir_len);
        strcpy(full + sc->dir_len, name);
        remove(full);
    }
}

/* A run killed while its output had a temporary name (where the system
 * has no unnamed files, or while it was being put in place) leaves
 * path.tmpPID-i behind: the next run for the same path removes those whose
 * process is gone. */
static void remove_stale_temps(const char *path)
{
    const char *base = h278_fs_base_name(path);
    stale_scan sc = {path, base, (size_t)(base - path), strlen(base)};
    char dir[H278_FS_MAX_PATH];
    if (sc.dir_len >= sizeof dir)
        return;
    memcpy(dir, path, sc.dir_len);
    dir[sc.dir_len] = '\0';
    h278_fs_list_dir(dir, remove_if_stale, &sc);
}

int h278_out_open(h278_out *o, const char *path, int force)
{
    memset(o, 0, sizeof *o);
    o->force = force;
    if (strcmp(path, "-") == 0) {
        o->name = "(stdout)";
        o->f = stdout;
        return 0;
    }
    o->name = path;
    if (h278_fs_is_device(path)) {
        o->f = fopen(path, "wb");
        return o->f ? 0 : h278_cli_error(path, "cannot open output: %s", strerror(errno));
    }
    if (!force && h278_fs_exists(path))
        return h278_cli_error(path, "already exists; use -f to overwrite");
    size_t len = strlen(path);
    if (len + 32 > H278_FS_MAX_PATH)
        return h278_cli_error(path, "path too long");
    o->final = malloc(len + 1);
    o->tmp = malloc(len + 32);
    if (!o->final || !o->tmp) {
        h278_out_abort(o);
        return h278_cli_error(path, "out of memory");
    }
    memcpy(o->final, path, len + 1);
    remove_stale_temps(path);
    if ((o->f = h278_fs_create_unnamed(path)) != NULL) {
        o->unnamed = 1; /* named in h278_out_commit */
        return 0;
    }
    if (name_temporary(o) != 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        h278_out_abort(o);
        return h278_cli_error(path, "cannot create output: %s", strerror(e));
    }
    h278_fs_remove_on_interrupt(o->tmp);
    return 0;
}

int h278_out_commit(h278_out *o)
{
    if (!o->tmp) { /* stdout or a device */
        int bad = fflush(o->f) != 0 || ferror(o->f);
        int e = errno;
        if (o->f != stdout)
            bad |= fclose(o->f) != 0;
        o->f = NULL;
        return bad ? h278_cli_error(o->name, "write failed: %s", strerror(e)) : 0;
    }
    int bad = ferror(o->f) || fflush(o->f) != 0 || h278_fs_sync(o->f) != 0;
    /* An unnamed file gets its temporary name now, while it is open
     * (closed, it would be gone), and is then moved as a named one. */
    if (!bad && o->unnamed) {
        bad = name_temporary(o) != 0;
        o->unnamed = bad;
        if (!bad)
            h278_fs_remove_on_interrupt(o->tmp);
    }
    int e = errno;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        int code = h278_cli_error(o->name, "write failed: %s", strerror(e));
        h278_out_abort(o);
        return code;
    }
    char why[96];
    int moved = h278_fs_move(o->tmp, o->final, o->force, why, sizeof why);
    if (moved != 0) {
        int code = h278_cli_error(o->final, moved > 0 ? "already exists; use -f to overwrite"
                                                      : "cannot move output into place: %s", why);
        h278_out_abort(o);
        return code;
    }
    h278_fs_remove_on_interrupt(NULL);
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
    if (o->tmp && !o->unnamed) {
        remove(o->tmp);
        h278_fs_remove_on_interrupt(NULL);
    }
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
}
