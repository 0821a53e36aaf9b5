/*
 * reader.c - block-by-block reading of .h278 files (see reader.h).
 */
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"

int h278_reader_block_error(const h278_reader *r, h278_error err)
{
    return h278_cli_error(r->name, "block %llu: %s", (unsigned long long)r->index, h278_strerror(err));
}

/* Up to n bytes from the file or the memory. */
static size_t read_bytes(h278_reader *r, void *dst, size_t n)
{
    if (r->f)
        return fread(dst, 1, n, r->f);
    size_t left = r->mem_size - r->mem_pos;
    n = n < left ? n : left;
    memcpy(dst, r->mem + r->mem_pos, n);
    r->mem_pos += n;
    return n;
}

/* Reads and checks the file header, from r's file or memory. */
static int read_header(h278_reader *r)
{
    uint8_t h[H278_FILE_HEADER_SIZE];
    size_t got = read_bytes(r, h, sizeof h);
    if (got < sizeof h && r->f && ferror(r->f)) { /* not a short file: a directory, an I/O error */
        h278_cli_error(r->name, "%s", strerror(errno));
        h278_reader_close(r);
        return 1;
    }
    h278_error err = h278_read_file_header(h, got, &r->fh);
    uint64_t size = r->mem_size;
    if (!err && (!r->f || h278_fs_regular_size(r->f, &size) == 0))
        err = h278_check_file_size(&r->fh, size);
    if (err) {
        h278_cli_error(r->name, "%s", h278_strerror(err));
        h278_reader_close(r);
        return 1;
    }
    r->offset = sizeof h;
    return 0;
}

int h278_reader_open(h278_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    int is_stdin = strcmp(path, "-") == 0;
    r->name = is_stdin ? "(stdin)" : path;
    r->f = is_stdin ? stdin : fopen(path, "rb");
    if (!r->f)
        return h278_cli_error(path, "%s", strerror(errno));
    return read_header(r);
}

int h278_reader_open_memory(h278_reader *r, const uint8_t *data, size_t n, const char *name)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->mem = data;
    r->mem_size = n;
    return read_header(r);
}

int h278_reader_next(h278_reader *r, h278_block *b)
{
    r->index = r->done;
    if (r->done == r->fh.block_count) {
        uint8_t extra;
        if (read_bytes(r, &extra, 1) != 0) {
            h278_cli_error(r->name, "%s", h278_strerror(H278_ERR_TRAILING_DATA));
            return -1;
        }
        return 0;
    }
    uint8_t h[H278_BLOCK_HEADER_SIZE];
    if (read_bytes(r, h, sizeof h) != sizeof h)
        return h278_reader_block_error(r, H278_ERR_TRUNCATED), -1;
    uint32_t payload = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
    h278_enc_params limits = {1, 1, r->fh.block_size, 0, 0};
    size_t max_block = h278_block_bound(r->fh.block_size, &limits);
    if ((size_t)payload + H278_BLOCK_HEADER_SIZE > max_block)
        return h278_reader_block_error(r, H278_ERR_SIZE_LIMIT), -1;
    size_t need = H278_BLOCK_HEADER_SIZE + (size_t)payload;
    if (need > r->cap) {
        uint8_t *bigger = realloc(r->buf, need);
        if (!bigger)
            return h278_reader_block_error(r, H278_ERR_NO_MEMORY), -1;
        r->buf = bigger;
        r->cap = need;
    }
    memcpy(r->buf, h, sizeof h);
    if (read_bytes(r, r->buf + sizeof h, payload) != payload)
        return h278_reader_block_error(r, H278_ERR_TRUNCATED), -1;
    h278_error err = h278_read_block(r->buf, need, h278_block_decoded_size(&r->fh, r->index),
                                     r->fh.max_len, b);
    if (err)
        return h278_reader_block_error(r, err), -1;
    r->offset += need;
    r->done++;
    return 1;
}

void h278_reader_close(h278_reader *r)
{
    if (r->f && r->f != stdin)
        fclose(r->f);
    r->f = NULL;
    free(r->buf);
    r->buf = NULL;
}
