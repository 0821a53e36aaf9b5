/*
 * fuzz_header.c - libFuzzer target for the container parser.
 *
 * Arbitrary bytes are parsed as a file: the file header, the declared size
 * against the file size, then every block header and code description in
 * turn, exactly as the CLI and h278_decompress walk a file. The input sits
 * right before a guard page, so any over-read faults. Nothing is decoded
 * (fuzz_decode.c does that) and nothing here may allocate.
 */
#include <string.h>

#include "fuzz_common.h"
#include "h278.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    h278_guarded in;
    if (h278_guarded_alloc(&in, size))
        return 0;
    memcpy(in.data, data, size);
    h278_file_header fh;
    if (h278_read_file_header(in.data, size, &fh) == H278_OK &&
        h278_check_file_size(&fh, size) == H278_OK) {
        size_t pos = H278_FILE_HEADER_SIZE;
        for (uint64_t i = 0; i < fh.block_count; i++) {
            h278_block b;
            if (h278_read_block(in.data + pos, size - pos, h278_block_decoded_size(&fh, i), fh.max_len, &b))
                break;
            /* Everything the parser promises a decoder must hold. */
            if (b.total_size > size - pos)
                __builtin_trap();
            for (unsigned s = 0; b.type == H278_BLOCK_HUFFMAN && s < b.streams; s++)
                if (b.stream[s] < in.data + pos || b.stream[s] + b.stream_size[s] > in.data + pos + b.total_size)
                    __builtin_trap();
            pos += b.total_size;
        }
    }
    h278_guarded_free(&in);
    return 0;
}
