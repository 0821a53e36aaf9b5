/*
 * fs.h - the file-system operations the CLI needs: output files (fs.c),
 * over primitives with one implementation per platform (fs_posix.c,
 * fs_win32.c).
 *
 * Output files are written under a temporary name in the destination's
 * folder and renamed into place only when everything succeeded, so a failed
 * or interrupted run never leaves a partial file, and an existing file is
 * never clobbered without -f.
 */
#ifndef H278_CLI_FS_H
#define H278_CLI_FS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct h278_out {
    FILE *f;
    char *tmp;      /* temporary path; NULL when written straight to f */
    char *final;    /* destination path */
    int unnamed;    /* f is an unnamed file (h278_fs_create_unnamed), tmp not yet its name */
    const char *name; /* for messages: the path given, or "(stdout)" */
    int force;      /* replace an existing destination */
} h278_out;

/* Opens an output; "-" is stdout. A device or a pipe (/dev/null, a FIFO,
 * NUL on Windows) is written straight to, with or without force: it holds
 * no file to clobber, and renaming over it would replace the device.
 * Returns 0, or prints an error and returns 1 (e.g. the destination exists
 * and force is off). */
int h278_out_open(h278_out *o, const char *path, int force);
/* Flushes, closes and renames into place. Returns 0 or prints and returns 1. */
int h278_out_commit(h278_out *o);
/* Closes and removes the temporary file. Safe to call after commit. */
void h278_out_abort(h278_out *o);

/* ---- Platform primitives ---- */

#define H278_FS_MAX_PATH 4096
/* 1 if something has that name (a dangling link too). */
int h278_fs_exists(const char *path);
/* 1 if path names a device or a pipe (following links), not a file. */
int h278_fs_is_device(const char *path);
unsigned long h278_fs_pid(void);
/* The part of path after its last folder separator ('/'; on Windows '\\'
 * too), or path itself. */
const char *h278_fs_base_name(const char *path);
/* Calls each(ctx, name) for every entry of the folder dir ("" for the
 * current one). 0, or -1 if it cannot be read. */
int h278_fs_list_dir(const char *dir, void (*each)(void *ctx, const char *name), void *ctx);
/* Creates path, which must not exist, for binary writing; NULL with errno
 * set (EEXIST if it exists) on failure. */
FILE *h278_fs_create_new(const char *path);
/* An unnamed file in the folder of path, for binary writing, where the
 * system has them (Linux O_TMPFILE): a process killed while writing it
 * leaves nothing behind. NULL with errno set where there is none. */
FILE *h278_fs_create_unnamed(const char *path);
/* Gives the unnamed file f the name path, which must not exist: 0, or -1
 * with errno set (EEXIST if it exists). */
int h278_fs_link_unnamed(FILE *f, const char *path);
/* Forces f's written data to the disk: 0 or -1. */
int h278_fs_sync(FILE *f);
/* Moves tmp to path: 0; 1 if path exists and replace is off; -1 on another
 * error, with why filled in. */
int h278_fs_move(const char *tmp, const char *path, int replace, char *why, size_t why_size);
/* The file an interrupt (SIGINT, SIGTERM, SIGHUP, console Ctrl-C) removes
 * before the process dies; NULL for none. path is shorter than
 * H278_FS_MAX_PATH. */
void h278_fs_remove_on_interrupt(const char *path);

/* Size of f if it is a regular file (0 = yes), else -1. */
int h278_fs_regular_size(FILE *f, uint64_t *size);
int h278_fs_isatty(FILE *f);
/* Puts stdin and stdout in binary mode where that means anything. */
void h278_fs_binary_stdio(void);

#endif /* H278_CLI_FS_H */
