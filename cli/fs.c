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
 * console Ctrl-C) removes a named one first.
 */
#include "fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int h278_out_open(h278_out *o, const char *path, int force)
{
    memset(o, 0, sizeof *o);
    o->force = force;
    o->name = strcmp(path, "-") == 0 ? "(stdout)" : path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
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
    if ((o->f = h278_fs_create_unnamed(path)) != NULL) {
        o->unnamed = 1;
        free(o->tmp);
        o->tmp = NULL;
        return 0;
    }
    for (unsigned i = 0; i < 100 && !o->f; i++) {
        snprintf(o->tmp, len + 32, "%s.tmp%lu-%u", path, h278_fs_pid(), i);
        o->f = h278_fs_create_new(o->tmp);
        if (!o->f && errno != EEXIST)
            break;
    }
    if (!o->f) {
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
    if (!o->tmp && !o->unnamed) { /* stdout or a device */
        int bad = fflush(o->f) != 0 || ferror(o->f);
        int e = errno;
        if (o->f != stdout)
            bad |= fclose(o->f) != 0;
        o->f = NULL;
        return bad ? h278_cli_error(o->name, "write failed: %s", strerror(e)) : 0;
    }
    int bad = ferror(o->f) || fflush(o->f) != 0 || h278_fs_sync(o->f) != 0;
    int e = errno;
    char why[96];
    int moved = 0;
    if (!bad && o->unnamed) /* named while it is open: closing an unnamed file discards it */
        moved = h278_fs_name_unnamed(o->f, o->final, o->force, why, sizeof why);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        int code = h278_cli_error(o->name, "write failed: %s", strerror(e));
        h278_out_abort(o);
        return code;
    }
    if (!o->unnamed)
        moved = h278_fs_move(o->tmp, o->final, o->force, why, sizeof why);
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
    if (o->tmp) {
        remove(o->tmp);
        h278_fs_remove_on_interrupt(NULL);
    }
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
}
