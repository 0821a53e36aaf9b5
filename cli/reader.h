/*
 * reader.h - reads an .h278 file block by block from a FILE* (or from
 * memory: h278 explain --text codes its input in memory first).
 *
 * Only one block is held in memory at a time, and a block's declared payload
 * is checked against the largest block the header allows before anything is
 * allocated, so a hostile header cannot make the CLI allocate much.
 */
#ifndef H278_CLI_READER_H
#define H278_CLI_READER_H

#include <stdio.h>

#include "h278.h"

typedef struct h278_reader {
    FILE *f;              /* NULL when reading from memory */
    const uint8_t *mem;   /* the file in memory, mem_size bytes, read up to mem_pos */
    size_t mem_size, mem_pos;
    const char *name;     /* for messages */
    h278_file_header fh;
    uint64_t index;       /* index of the block last read (for messages) */
    uint64_t done;        /* blocks read so far */
    uint64_t offset;      /* bytes read so far */
    uint8_t *buf;
    size_t cap;
} h278_reader;

/* Opens path ("-" = stdin) and reads the file header. 0, or prints and 1. */
int h278_reader_open(h278_reader *r, const char *path);
/* The same for a whole file in memory (kept by the caller), called name. */
int h278_reader_open_memory(h278_reader *r, const uint8_t *data, size_t n, const char *name);
/* Reads and validates the next block into *b (pointing into r->buf).
 * Returns 1 for a block, 0 at the clean end of the file, -1 after printing
 * an error. */
int h278_reader_next(h278_reader *r, h278_block *b);
void h278_reader_close(h278_reader *r);

/* Prints "h278: NAME: block N: message" and returns 1. */
int h278_reader_block_error(const h278_reader *r, h278_error err);

#endif /* H278_CLI_READER_H */
