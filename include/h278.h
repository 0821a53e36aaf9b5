/*
 * h278.h - the public C API of H278: the container format, the encoder and
 * the registry of decoder variants.
 *
 * Everything a program needs to compress, parse and decode H278 files is
 * here; the format itself is described in docs/FORMAT.md. Decoder variants
 * (tree, table, hybrid, ...) are picked by name at run time and all produce
 * the same bytes. A decoder object owns its table memory and is not shared
 * between threads: make one per thread.
 *
 * Every function that can fail returns an h278_error; h278_strerror() turns
 * it into a sentence for users. Nothing here aborts or asserts on bad input.
 */
#ifndef H278_H
#define H278_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define H278_VERSION 2        /* written when a block needs it (SPREAD); else 1 */
#define H278_VERSION_MIN 1    /* the oldest version a reader accepts */
#define H278_FILE_HEADER_SIZE 24u
#define H278_BLOCK_HEADER_SIZE 16u
#define H278_MAX_CODE_LEN 20u
#define H278_MAX_STREAMS 32u
#define H278_MIN_BLOCK_SIZE 256u
#define H278_MAX_BLOCK_SIZE (16u << 20)
#define H278_DEFAULT_BLOCK_SIZE (128u << 10)
#define H278_DEFAULT_MAX_LEN 11u
#define H278_DEFAULT_STREAMS 4u

enum h278_block_type { H278_BLOCK_HUFFMAN = 0, H278_BLOCK_STORED = 1, H278_BLOCK_RUN = 2 };

/* Block flag bit: stream i holds symbols i, i+K, i+2K, ... (see FORMAT.md). */
#define H278_BLOCK_FLAG_INTERLEAVED 0x01u
/* Block flag bit (version 2, segmented layout only): the segments are S
 * symbols long with S an odd multiple of 64, so that K lanes writing their
 * segments side by side use K different cache sets (see FORMAT.md). */
#define H278_BLOCK_FLAG_SPREAD 0x02u
/* Block flag bit (version 2, alone, K = 1): the pivot layout: per-node
 * bitmaps and packed flat-subtree codes instead of streams (see FORMAT.md).
 * The block's one "stream" is then the node regions, in node order. */
#define H278_BLOCK_FLAG_PIVOT 0x04u

typedef enum h278_error {
    H278_OK = 0,
    H278_ERR_TRUNCATED,          /* the input ends in the middle of something */
    H278_ERR_BAD_MAGIC,          /* not an H278 file */
    H278_ERR_BAD_VERSION,        /* a version this build does not know */
    H278_ERR_BAD_FLAGS,          /* reserved flag bits set */
    H278_ERR_HEADER_CHECKSUM,    /* file header damaged */
    H278_ERR_BAD_BLOCK_SIZE,     /* block_size outside 256 .. 16 MiB */
    H278_ERR_SIZE_LIMIT,         /* a declared size needs more memory than allowed */
    H278_ERR_SIZE_MISMATCH,      /* sizes disagree with each other or the file */
    H278_ERR_BAD_BLOCK_TYPE,     /* unknown block type */
    H278_ERR_BAD_MAX_LEN,        /* L outside 1..20 or a block's L not the file's */
    H278_ERR_BAD_STREAM_COUNT,   /* K not one of 1, 4, 8, 16, 32 */
    H278_ERR_CODE_TOO_FEW,       /* fewer than two symbols in a Huffman block */
    H278_ERR_CODE_TOO_LONG,      /* a code length above L */
    H278_ERR_CODE_OVERSUBSCRIBED,/* code lengths with Kraft sum above 1 */
    H278_ERR_CODE_INCOMPLETE,    /* code lengths with Kraft sum below 1 */
    H278_ERR_STREAM_TABLE,       /* stream sizes point outside the block */
    H278_ERR_CORRUPT_STREAM,     /* a bit stream ends early, has bytes left over or bad padding */
    H278_ERR_CHECKSUM,           /* decoded bytes do not match the block checksum */
    H278_ERR_TRAILING_DATA,      /* bytes after the last block */
    H278_ERR_NO_MEMORY,          /* an allocation failed */
    H278_ERR_BAD_PARAM,          /* an invalid argument from the caller */
    H278_ERR_UNKNOWN_DECODER,    /* no decoder variant of that name */
    H278_ERR_UNSUPPORTED_CPU,    /* the variant needs CPU features this machine lacks */
    H278_ERR_OUTPUT_TOO_SMALL,   /* the caller's output buffer is too small */
    H278_ERR_TABLE_MISMATCH,     /* decode without a build, or tables built for another block's code */
    H278_ERR_PIVOT_COUNT,        /* a pivot node's count exceeds its symbols or disagrees with its bitmap */
    H278_ERR_PIVOT_REGION,       /* pivot node regions run past the payload or leave bytes over */
    H278_ERR_LAYOUT_MISMATCH,    /* the decoder variant does not decode this block's layout */
    H278_ERR_COUNT
} h278_error;

/* A sentence describing err; never NULL. */
const char *h278_strerror(h278_error err);

/* ---- Parsing ------------------------------------------------------------ */

typedef struct h278_file_header {
    uint8_t version;
    uint8_t flags;
    uint8_t max_len;        /* L the file was written with */
    uint32_t block_size;
    uint64_t original_size;
    uint64_t block_count;   /* derived: ceil(original_size / block_size) */
} h278_file_header;

/* Whether k is a legal stream count K: 1, 4, 8, 16 or 32. */
int h278_streams_legal(unsigned k);

/* Parses and validates the 24-byte file header. */
h278_error h278_read_file_header(const uint8_t *src, size_t n, h278_file_header *fh);

/* Rejects (as H278_ERR_TRUNCATED) an original_size that a file of file_size
 * bytes cannot hold: every block costs at least 17 bytes. */
h278_error h278_check_file_size(const h278_file_header *fh, uint64_t file_size);

/* S, the symbols of every segment but the last in the segmented layout:
 * ceil(n / K), or with H278_BLOCK_FLAG_SPREAD in flags the smallest odd
 * multiple of 64 not below it. */
uint32_t h278_segment_symbols(uint32_t decoded_size, unsigned k, unsigned flags);

/* Decoded size of block `index` (0-based) of the file. */
uint32_t h278_block_decoded_size(const h278_file_header *fh, uint64_t index);

/*
 * One parsed, validated block. Pointers point into the caller's buffer, which
 * must stay alive while the block is used. For HUFFMAN blocks the code
 * lengths, the stream bounds and the per-stream symbol counts are all checked
 * and filled in; a decoder may rely on every invariant in FORMAT.md.
 */
typedef struct h278_block {
    uint8_t type;           /* enum h278_block_type */
    uint8_t max_len;        /* L in force (HUFFMAN) */
    uint8_t code_max_len;   /* longest code actually present (HUFFMAN) */
    uint8_t code_min_len;   /* shortest code present (HUFFMAN) */
    uint8_t streams;        /* K (HUFFMAN), else 1 */
    uint8_t flags;          /* H278_BLOCK_FLAG_* */
    uint16_t symbol_count;  /* present symbols (HUFFMAN) */
    uint32_t decoded_size;
    uint32_t checksum;
    uint32_t total_size;    /* header + payload bytes */
    const uint8_t *payload; /* STORED: the bytes; RUN: the symbol */
    uint32_t payload_size;
    uint8_t lengths[256];   /* code length of each byte value, 0 = absent */
    const uint8_t *stream[H278_MAX_STREAMS];
    uint32_t stream_size[H278_MAX_STREAMS];
    uint32_t stream_symbols[H278_MAX_STREAMS];
} h278_block;

/*
 * Parses the block at src[0..n). decoded_size is the size the file header
 * implies for this block; file_max_len the file's L. On success b->total_size
 * says how many bytes the block occupies.
 */
h278_error h278_read_block(const uint8_t *src, size_t n, uint32_t decoded_size,
                           unsigned file_max_len, h278_block *b);

/* Checksum of decoded bytes as stored in blocks (low 32 bits of XXH3-64). */
uint32_t h278_checksum(const void *data, size_t n);

/* ---- Decoder variants ----------------------------------------------------- */

/* Run-time parameters of the table decoders: 0 = the variant's default,
 * else H278_TABLE_BITS_MIN .. H278_TABLE_BITS_MAX (h278_decoder_new refuses
 * other values with H278_ERR_BAD_PARAM). */
typedef struct h278_params {
    unsigned short_bits;    /* hybrid: bits of the first-tier table */
    unsigned table_bits;    /* multisym: bits of the multi-symbol table */
} h278_params;
#define H278_TABLE_BITS_MIN 6u
#define H278_TABLE_BITS_MAX 14u

/* The registry, in a fixed order; variants this CPU cannot run are listed
 * but report unavailable. */
size_t h278_variant_count(void);
const char *h278_variant_name(size_t i);
const char *h278_variant_summary(size_t i);
int h278_variant_available(size_t i);
/* Bytes of tables variant i builds for a code whose longest length is
 * code_max_len (used by `h278 explain`), for a block the variant takes. */
size_t h278_variant_table_bytes(size_t i, unsigned code_max_len, const h278_params *p);

/*
 * Some variants decode only some blocks with their own loop: `avx2` and
 * `avx512` take interleaved blocks of at least 16 streams whose codes fit
 * 12 bits, and hand every other block to `multisym-bmi2`, which a decoder
 * object of theirs then uses for it (build and decode alike), so they
 * decode any file. h278_variant_takes() says whether variant i decodes b
 * itself; h278_variant_fallback() names the variant that decodes the
 * others (NULL for variants that take every block).
 */
int h278_variant_takes(size_t i, const h278_block *b);
/* The block layouts variant i decodes, as bits: a block of another layout
 * is refused with H278_ERR_LAYOUT_MISMATCH. */
#define H278_LAYOUTS_CLASSIC 0x1u /* segmented and interleaved streams */
#define H278_LAYOUTS_PIVOT 0x2u   /* the pivot layout */
unsigned h278_variant_layouts(size_t i);
const char *h278_variant_fallback(size_t i);

/*
 * The variant a name stands for. "simd" is the fastest variant this CPU
 * runs: the first available of avx512-multi, avx512, avx2-multi, avx2, multisym-bmi2,
 * multisym (one list, decoders/registry.c; multisym runs everywhere, so it
 * always resolves). Any other name is returned as it is. A "simd" decoder
 * decodes pivot blocks with h278_variant_resolve_pivot("simd"): the first
 * available of pivot-avx512, pivot-avx2, pivot.
 */
const char *h278_variant_resolve(const char *name);
const char *h278_variant_resolve_pivot(const char *name);

typedef struct h278_decoder h278_decoder;

/* Makes a decoder of the named variant ("simd": see h278_variant_resolve);
 * params may be NULL. */
h278_error h278_decoder_new(const char *name, const h278_params *params, h278_decoder **out);
void h278_decoder_free(h278_decoder *d);
const char *h278_decoder_name(const h278_decoder *d);

/* Table build for a HUFFMAN block (does nothing for other types). */
h278_error h278_decoder_build(h278_decoder *d, const h278_block *b);
/* Decodes b into dst using the tables of the last build; no checksum check.
 * dst_cap must be at least b->decoded_size. Tables built for a block with
 * another longest code or (SIMD variants) another stream count, or no
 * build at all, give H278_ERR_TABLE_MISMATCH. */
h278_error h278_decoder_decode(h278_decoder *d, const h278_block *b, uint8_t *dst, size_t dst_cap);
/* Build + decode + checksum check. */
h278_error h278_decode_block(h278_decoder *d, const h278_block *b, uint8_t *dst, size_t dst_cap);

/* Parses and decodes a whole file held in memory. *out_size gets the decoded
 * size; dst_cap must be at least the file's original_size (see
 * h278_decompressed_size). On error, *bad_block (if not NULL) gets the index
 * of the block that failed. */
h278_error h278_decompressed_size(const uint8_t *src, size_t n, uint64_t *size);
h278_error h278_decompress(h278_decoder *d, const uint8_t *src, size_t n, uint8_t *dst,
                           size_t dst_cap, size_t *out_size, uint64_t *bad_block);

/* ---- The pivot layout's tree (for tools that show it) ---------------------- */

/* One node of a pivot block's code tree, in region order (preorder). */
typedef struct h278_pivot_node_info {
    uint8_t kind;        /* 0 leaf, 1 flat, 2 mixed (FORMAT.md) */
    uint8_t depth;       /* in the code tree; the root is 0 */
    uint8_t flat_bits;   /* flat: D, the bits of each packed code */
    uint8_t symbol;      /* leaf: its symbol */
    uint16_t child[2];   /* mixed: indices of its 0- and 1-child */
    uint32_t symbols;    /* symbols of the block passing through it */
    uint32_t region_bytes; /* its region: count + bitmap, or packed codes */
} h278_pivot_node_info;

/* The most nodes a pivot block's tree has (255 internal, 256 leaves). */
#define H278_PIVOT_MAX_NODES 511u

/* Fills up to cap nodes of pivot block b (parsed by h278_read_block) and
 * returns how many it has (at most H278_PIVOT_MAX_NODES); 0 if b is not a
 * pivot block. */
size_t h278_pivot_describe(const h278_block *b, h278_pivot_node_info *nodes, size_t cap);
/* The symbols of FLAT node `node` (h278_pivot_describe's numbering) of
 * pivot block b, by packed code: out[c] is the symbol code c names. Returns
 * how many (2^D), or 0 if that node is not a FLAT one. */
size_t h278_pivot_flat_symbols(const h278_block *b, size_t node, uint8_t out[256]);

/* ---- Encoder --------------------------------------------------------------- */

typedef struct h278_enc_params {
    unsigned max_len;       /* L, 1..20 (default 11) */
    unsigned streams;       /* K: 1, 4, 8, 16 or 32 (default 4) */
    uint32_t block_size;    /* default 128 KiB */
    int interleaved;        /* nonzero: interleaved stream layout */
    int pivot;              /* nonzero: the pivot layout (one "stream": K
                             * is ignored; not with interleaved) */
} h278_enc_params;

void h278_enc_params_default(h278_enc_params *p);
h278_error h278_enc_params_check(const h278_enc_params *p);

/* Largest possible encoded size of n input bytes. */
uint64_t h278_compress_bound(uint64_t n, const h278_enc_params *p);
/* Largest possible encoded size of one block of n bytes. */
size_t h278_block_bound(size_t n, const h278_enc_params *p);

h278_error h278_write_file_header(const h278_enc_params *p, uint64_t original_size,
                                  uint8_t out[H278_FILE_HEADER_SIZE]);
/* Encodes one block (n <= block_size) as HUFFMAN, STORED or RUN, whichever
 * is smallest. */
h278_error h278_encode_block(const uint8_t *src, size_t n, const h278_enc_params *p,
                             uint8_t *dst, size_t dst_cap, size_t *out_size);
/* h278_encode_block, but a block of two or more distinct symbols is always
 * HUFFMAN, even where STORED would be smaller (what h278 explain --text
 * shows a class: the code of a short word). H278_ERR_CODE_TOO_LONG if the
 * alphabet has more than 2^L symbols. */
h278_error h278_encode_block_huffman(const uint8_t *src, size_t n, const h278_enc_params *p,
                                     uint8_t *dst, size_t dst_cap, size_t *out_size);
/* Compresses a whole buffer: header + blocks. */
h278_error h278_compress(const uint8_t *src, size_t n, const h278_enc_params *p,
                         uint8_t *dst, size_t dst_cap, size_t *out_size);

/*
 * Optimal length-limited Huffman code lengths (package-merge) for the symbol
 * frequencies freq[0..255]. max_len may be up to 40 here, so callers can
 * compute the unlimited optimum for comparison; the format allows 20.
 * Symbols with frequency 0 get length 0. With fewer than two used symbols the
 * used one (if any) gets length 1. Fails if 2^max_len < used symbols.
 */
h278_error h278_code_lengths(const uint64_t freq[256], unsigned max_len, uint8_t lengths[256]);

/* Canonical codes (FORMAT.md) for lengths; codes[s] holds the code MSB-aligned
 * to its length (not reversed). */
void h278_canonical_codes(const uint8_t lengths[256], uint32_t codes[256]);

#ifdef __cplusplus
}
#endif
#endif /* H278_H */
