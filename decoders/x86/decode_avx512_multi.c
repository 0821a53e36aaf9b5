/*
 * decode_avx512_multi.c - AVX-512 lanes with multi-symbol entries: up to
 * four symbols per gather, 8 streams per register, 16 or 32 in lockstep,
 * each stream writing its own segment of the output.
 *
 * Why this shape. The interleaved decoder (decode_avx512.c) emits exactly
 * one symbol per lane per gather, so the K output bytes of a step are
 * adjacent and one plain store writes them; its speed is the rate of
 * gathers. A table entry can hold every symbol whose code fits in the W
 * bits it is indexed by (the idea of decode_multisym.c), but then a lane
 * emits a varying number of bytes per gather, which the interleaved layout
 * cannot place. These lanes therefore decode the segmented layout, where
 * each stream owns a contiguous run of the output: a lane collects its
 * symbols in a 64-bit register, and one scatter writes each lane's 8 bytes
 * to its own output pointer.
 *
 * The table: 2^W entries of 64 bits (what a qword gather loads), W = 12
 * for every block it takes (on text a 12-bit window holds enough more
 * symbols than an 11-bit one to pay for the larger table):
 *     byte 0: bits the entry uses (1 .. W)
 *     byte 1: 8 * the symbols in the entry (8 .. 32)
 *     bytes 2-5: the symbols, first one first; bytes 6-7 and unused
 *     symbol bytes zero
 * An entry holds as many successive codes as fit in W bits, at most four.
 * 32 KiB at W = 12: it fits the 48 KiB L1 of the machines we measure on
 * beside the streams; the 4-byte entries of a two-symbol table measured
 * slower on low-entropy data than these (docs/DECODERS.md).
 *
 * A round, per register of 8 lanes:
 *     refill:  w = 8 bytes at each lane's input pointer    vpgatherqq
 *              buf = w >> pos (pos: the bit offset, 0..7)   vpsrlvq
 *     twice:   two lookups, each
 *                e = table[buf & (2^W - 1)]                 vpandq, vpgatherqq
 *                buf >>= e mod 64 (byte 0)                  vpshrdvq (VBMI2)
 *                acc |= symbols of e << (8 * bytes so far)  vpshufb x2, vpsllvq, vporq
 *                pos += e                                   vpaddq
 *              then scatter acc (8 bytes: at most 2 x 4     vpscatterqq
 *              symbols) to the lane's output pointer, move
 *              the pointer by the symbols, clear the count
 *     then:    in += (pos & 255) / 8; pos &= 7
 * Where entries of three or four symbols would be rare (codes of 6 bits
 * and more: the build counts), the table keeps at most two symbols per
 * entry and a round stores once, after its four lookups (8 bytes: 4 x 2
 * symbols); the scatter costs about as much as the gathers of a round.
 * pos adds whole entries: its byte 0 sums the bits used (at most
 * 7 + 4 * 12 = 55, so no carry leaves it) and its byte 1 the output bytes
 * since the last store (at most 64); the bytes above collect garbage and
 * are cleared with byte 1 at each store.
 *
 * Safety, as in every table decoder (lanes.h): no lookup checks anything;
 * what a round may do is bounded before it runs. A round reads the 8
 * bytes at the input pointer and advances it at most (7 + 4 W) / 8 bytes;
 * it writes at most 8 bytes per store from the output pointer (a second
 * store at most 8 bytes on). The rounds safe for every lane are
 * counted before a pass and run unchecked; after them each lane checks,
 * once every few rounds, that the next few are safe for it, and sits them
 * out (masked) if not. Streams end at different times (their symbols take
 * different numbers of gathers, and the last segment is shorter), so when
 * half the lanes sit out, the rest are packed into fewer registers
 * for the next pass. Whatever the stream bits say, no lane reads outside
 * its stream or writes outside its segment. Each stream then finishes
 * alone: the same entries one lookup at a time while 4 output bytes are
 * left, and the scalar checked tail (lanes.h), which rejects a bad
 * stream.
 *
 * The segments of a 128 KiB block with K = 32 start 4 KiB apart, so 32
 * output pointers would share one L1 cache set; the encoder spreads them
 * (FORMAT.md, version 2, H278_BLOCK_FLAG_SPREAD). The lanes take segmented
 * blocks with K >= 16 and codes of at most 12 bits, spread or not; the API
 * hands every other block to the fallback, `avx512`, which takes the
 * interleaved ones (and hands on the rest).
 */
#include <immintrin.h>

#include "../lanes.h"

#define MULTI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2")))

#define MULTI_MAX_BITS 12u   /* W, the table's width */
#define MULTI_MAX_SYMBOLS 4u /* per entry */
#define MULTI_LOOKUPS 4u     /* D: lookups per refill */
#define MULTI_STORE_BYTES 8u /* one store: 8 bytes per lane (a 64-bit accumulator) */
#define MULTI_CAP2_PERCENT 108u /* cap at 2 symbols when 4 would give fewer than 8% more */
#define MULTI_MIN_STREAMS 16u
#define MULTI_ROUND_IN ((7u + MULTI_LOOKUPS * MULTI_MAX_BITS) / 8u) /* input bytes a round may advance */
#define MULTI_CHECKED 4u    /* rounds per check once the sure ones are done */
_Static_assert(7u + MULTI_LOOKUPS * MULTI_MAX_BITS <= 64u, "a refill at bit offset 7 still holds D lookups");
_Static_assert(7u + MULTI_LOOKUPS * MULTI_MAX_BITS < 256u && 8u * MULTI_MAX_SYMBOLS * MULTI_LOOKUPS < 256u,
               "the sums in pos's bytes 0 and 1 never carry");
_Static_assert(MULTI_MAX_SYMBOLS * (MULTI_LOOKUPS / 2u) <= MULTI_STORE_BYTES && 2u * MULTI_LOOKUPS <= MULTI_STORE_BYTES,
               "a store's symbols fit the accumulator: 2 lookups of 4 symbols, or 4 of 2");
_Static_assert(MULTI_MAX_BITS < 64u, "the shift takes the entry mod 64: byte 0 is the length");
_Static_assert(2u + MULTI_MAX_SYMBOLS <= 8u, "the symbols fit their 64-bit entry");

extern const h278_variant h278_variant_avx512;

typedef struct multi_tables {
    h278_table_desc desc; /* width = W */
    uint8_t stores;       /* per round: 2 (up to 4 symbols per entry) or 1 (up to 2) */
    uint8_t pad[64 - sizeof(h278_table_desc) - 1];
    uint64_t multi[1u << MULTI_MAX_BITS];
    uint16_t single[1u << MULTI_MAX_BITS]; /* the tail's table (canonical_code.h) */
} multi_tables;
_Static_assert(offsetof(multi_tables, multi) == 64, "the gather table starts on a cache line");

static int multi_takes(const h278_block *b)
{
    return !(b->flags & H278_BLOCK_FLAG_INTERLEAVED) && b->streams >= MULTI_MIN_STREAMS &&
           b->code_max_len <= MULTI_MAX_BITS;
}

static size_t multi_table_bytes(unsigned code_max_len, const h278_params *p)
{
    (void)code_max_len, (void)p;
    return sizeof(multi_tables);
}

static h278_error multi_build(const h278_block *b, const h278_params *p, void *mem)
{
    (void)p;
    multi_tables *t = mem;
    const unsigned w = MULTI_MAX_BITS;
    t->desc = h278_table_desc_of(b, w);
    h278_sorted_code code;
    h278_sorted_code_build(&code, b);
    h278_single_table_build(&code, w, t->single);
    /*
     * Entry i holds the codes at the start of i's bits, one after another,
     * while they fit in W bits. Row by row, as decode_multisym.c builds its
     * table: the entries whose first code is symbol s of length l are
     * i = reversed(code of s) + k << l for the 2^(W-l) values of k, and
     * what follows s depends only on k and l. So each length's tail row
     * (up to three more codes in the W - l bits of k, as a partial entry
     * with its symbols from byte 3 on) is computed once, and each symbol
     * of that length adds its head to the row: one addition per entry.
     * The single table is looked up with the bits that are left, zeros
     * shifted in at the top: a code that fits in what is left does not
     * depend on them.
     */
    uint64_t tail[1u << (MULTI_MAX_BITS - 1)];
    for (unsigned l = 1; l <= w; l++) {
        if (!code.count[l])
            continue;
        uint32_t rest = w - l, size = 1u << rest;
        for (uint32_t k = 0; k < size; k++) {
            uint64_t e = 0;
            uint32_t used = 0;
            for (unsigned c = 0; c + 1 < MULTI_MAX_SYMBOLS; c++) {
                uint32_t f = t->single[k >> used], fl = h278_entry_len(f);
                if (used + fl > rest)
                    break;
                used += fl;
                e = (e & ~(uint64_t)0xFFFF) | (uint64_t)h278_entry_sym(f) << (24 + 8 * c) | used |
                    (8u * (c + 1)) << 8;
            }
            tail[k] = e;
        }
        for (unsigned j = 0; j < code.count[l]; j++) {
            uint32_t sym = code.sorted[code.base[l] + j];
            uint32_t r = h278_reverse_bits(code.first[l] + j, l);
            uint64_t head = l | 8u << 8 | (uint64_t)sym << 16;
            for (uint32_t k = 0; k < size; k++)
                t->multi[r | k << l] = head + tail[k];
        }
    }
    /*
     * Where entries of three or four symbols are rare (codes of 6 bits and
     * more), they do not pay for the second store of every round: cap the
     * table at two symbols and store once per round. Every index is about
     * equally likely (stream bits are close to random), so the symbols per
     * lookup are the entries' mean.
     */
    uint64_t up_to_4 = 0, up_to_2 = 0;
    for (uint32_t i = 0; i < (1u << w); i++) {
        uint32_t n = (uint32_t)(t->multi[i] >> 11) & 7;
        up_to_4 += n;
        up_to_2 += n < 2 ? n : 2;
    }
    t->stores = 2;
    if (up_to_4 * 100 < up_to_2 * MULTI_CAP2_PERCENT) {
        t->stores = 1;
        for (uint32_t i = 0; i < (1u << w); i++) {
            uint64_t e = t->multi[i];
            if (((e >> 11) & 7) <= 2)
                continue;
            uint32_t l1 = h278_entry_len(t->single[i]), l2 = h278_entry_len(t->single[i >> l1]);
            t->multi[i] = (l1 + l2) | 16u << 8 | (e & UINT64_C(0xFFFF0000));
        }
    }
    return H278_OK;
}

/*
 * The lanes of a pass, packed into slots 0 .. 8 G - 1 (slot i is stream
 * stream[i]): the next input byte and the bit offset in it, the next output
 * byte, and the last input and output addresses at which a round may
 * start (0 in a padding slot, which never runs). Addresses are 64-bit
 * integers: what the gathers, the scatter and the compares take.
 */
typedef struct multi_state {
    uint64_t in[H278_MAX_STREAMS];
    uint64_t pos[H278_MAX_STREAMS];
    uint64_t out[H278_MAX_STREAMS];
    uint64_t in_last[H278_MAX_STREAMS];
    uint64_t out_last[H278_MAX_STREAMS];
    uint8_t stream[H278_MAX_STREAMS];
} multi_state;

/* The constants of a round. */
typedef struct multi_consts {
    __m512i index_mask, symbols_of, written_of, low_byte, seven;
} multi_consts;

/* One round of the lanes of G registers, with S stores (S = t->stores);
 * lane i of register j takes part when bit i of on[j] is set. pos stays
 * in registers across rounds; the input and output pointers are loaded
 * and stored once per store. */
MULTI_TARGET static H278_ALWAYS_INLINE void multi_round(multi_state *s, const multi_tables *t, const multi_consts *c,
                                                        __m512i *pos, const __mmask8 *on, const unsigned G,
                                                        const unsigned S)
{
    __m512i buf[4], acc[4];
    for (unsigned j = 0; j < G; j++) {
        __m512i in = _mm512_loadu_si512(s->in + 8 * j);
        __m512i w = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), on[j], in, (const void *)0, 1);
        buf[j] = _mm512_srlv_epi64(w, pos[j]);
    }
    for (unsigned store = 0; store < S; store++) {
        for (unsigned j = 0; j < G; j++)
            acc[j] = _mm512_setzero_si512();
        for (unsigned step = 0; step < MULTI_LOOKUPS / S; step++) {
            for (unsigned j = 0; j < G; j++) {
                __m512i e = _mm512_i64gather_epi64(_mm512_and_si512(buf[j], c->index_mask), (const void *)t->multi, 8);
                buf[j] = _mm512_shrdv_epi64(buf[j], _mm512_setzero_si512(), e);
                __m512i written = _mm512_shuffle_epi8(pos[j], c->written_of);
                pos[j] = _mm512_mask_add_epi64(pos[j], on[j], pos[j], e);
                __m512i symbols = _mm512_shuffle_epi8(e, c->symbols_of);
                acc[j] = _mm512_or_si512(acc[j], _mm512_sllv_epi64(symbols, written));
            }
        }
        for (unsigned j = 0; j < G; j++) {
            __m512i out = _mm512_loadu_si512(s->out + 8 * j);
            _mm512_mask_i64scatter_epi64((void *)0, on[j], out, acc[j], 1);
            __m512i written = _mm512_srli_epi64(_mm512_shuffle_epi8(pos[j], c->written_of), 3);
            _mm512_storeu_si512(s->out + 8 * j, _mm512_add_epi64(out, written));
            pos[j] = _mm512_and_si512(pos[j], c->low_byte);
        }
    }
    for (unsigned j = 0; j < G; j++) {
        __m512i in = _mm512_loadu_si512(s->in + 8 * j);
        _mm512_storeu_si512(s->in + 8 * j, _mm512_add_epi64(in, _mm512_srli_epi64(pos[j], 3)));
        pos[j] = _mm512_and_si512(pos[j], c->seven);
    }
}

/*
 * Rounds of the lanes of G registers (packed of them in use) until fewer
 * than `keep` take part. The first `sure` rounds are safe for every packed
 * lane (multi_sure_rounds) and run unchecked; after them the lanes check,
 * once every MULTI_CHECKED rounds, that so many rounds are safe for them,
 * and sit out (masked) if not.
 */
MULTI_TARGET static H278_ALWAYS_INLINE void multi_lanes(multi_state *s, const multi_tables *t, unsigned packed,
                                                        size_t sure, unsigned keep, const unsigned G,
                                                        const unsigned S)
{
    /* vpshufb works within 128-bit lanes, so the patterns repeat per pair
     * of qwords: bytes 2-5 of an entry to bytes 0-3, byte 1 of pos to byte
     * 0, every other byte zero (index 0xff). */
    const multi_consts c = {
        .index_mask = _mm512_set1_epi64((long long)((1u << t->desc.width) - 1)),
        .symbols_of = _mm512_set4_epi64((long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL,
                                        (long long)0xffffffff0d0c0b0aULL, (long long)0xffffffff05040302ULL),
        .written_of = _mm512_set4_epi64((long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL,
                                        (long long)0xffffffffffffff09ULL, (long long)0xffffffffffffff01ULL),
        .low_byte = _mm512_set1_epi64(0xFF),
        .seven = _mm512_set1_epi64(7),
    };
    /* MULTI_CHECKED rounds may start where the last of them may, less
     * MULTI_CHECKED - 1 rounds' advance. */
    const __m512i in_back = _mm512_set1_epi64((MULTI_CHECKED - 1) * MULTI_ROUND_IN);
    const __m512i out_back = _mm512_set1_epi64((MULTI_CHECKED - 1) * S * MULTI_STORE_BYTES);
    __m512i pos[4];
    __mmask8 on[4];
    for (unsigned j = 0; j < G; j++) {
        pos[j] = _mm512_loadu_si512(s->pos + 8 * j);
        on[j] = (__mmask8)(packed >= 8 * j + 8 ? 0xFF : (1u << (packed - 8 * j)) - 1);
    }
    for (size_t rounds = sure;; rounds = MULTI_CHECKED) {
        for (size_t r = 0; r < rounds; r++)
            multi_round(s, t, &c, pos, on, G, S);
        unsigned running = 0;
        for (unsigned j = 0; j < G; j++) {
            __m512i in = _mm512_loadu_si512(s->in + 8 * j), out = _mm512_loadu_si512(s->out + 8 * j);
            __m512i in_limit = _mm512_sub_epi64(_mm512_loadu_si512(s->in_last + 8 * j), in_back);
            __m512i out_limit = _mm512_sub_epi64(_mm512_loadu_si512(s->out_last + 8 * j), out_back);
            on[j] = _mm512_cmple_epu64_mask(in, in_limit) & _mm512_cmple_epu64_mask(out, out_limit);
            running += (unsigned)__builtin_popcount(on[j]);
        }
        if (running < keep)
            break;
    }
    for (unsigned j = 0; j < G; j++)
        _mm512_storeu_si512(s->pos + 8 * j, pos[j]);
}

MULTI_TARGET static void multi_pass(multi_state *s, const multi_tables *t, unsigned packed, size_t sure,
                                    unsigned keep)
{
    switch ((packed + 7) / 8 * 2 + (t->stores == 1)) {
    case 2: multi_lanes(s, t, packed, sure, keep, 1, 2); break;
    case 3: multi_lanes(s, t, packed, sure, keep, 1, 1); break;
    case 4: multi_lanes(s, t, packed, sure, keep, 2, 2); break;
    case 5: multi_lanes(s, t, packed, sure, keep, 2, 1); break;
    case 6: multi_lanes(s, t, packed, sure, keep, 3, 2); break;
    case 7: multi_lanes(s, t, packed, sure, keep, 3, 1); break;
    case 8: multi_lanes(s, t, packed, sure, keep, 4, 2); break;
    default: multi_lanes(s, t, packed, sure, keep, 4, 1); break;
    }
}

/* Rounds that are safe for all n packed lanes whatever their bits say. */
static size_t multi_sure_rounds(const multi_state *s, unsigned n, unsigned round_out)
{
    size_t sure = SIZE_MAX;
    for (unsigned j = 0; j < n; j++) {
        size_t by_in = (s->in_last[j] - s->in[j]) / MULTI_ROUND_IN + 1;
        size_t by_out = (s->out_last[j] - s->out[j]) / round_out + 1;
        sure = by_in < sure ? by_in : sure;
        sure = by_out < sure ? by_out : sure;
    }
    return sure;
}

/* Packs the lanes that can still run a round (from the positions by
 * stream: in, pos, out) into the first slots of s, pads the last register
 * with slots that never run, and returns how many lanes it packed. */
static unsigned multi_pack(multi_state *s, const uint64_t *in, const uint64_t *pos, const uint64_t *out,
                           const h278_lane *lanes, unsigned k, unsigned round_out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < k; i++) {
        uint64_t in_last = (uintptr_t)lanes[i].br.end - 8;
        uint64_t out_last = (uintptr_t)lanes[i].out_end - round_out;
        if (in[i] > in_last || out[i] > out_last)
            continue;
        s->in[n] = in[i], s->pos[n] = pos[i], s->out[n] = out[i];
        s->in_last[n] = in_last, s->out_last[n] = out_last;
        s->stream[n++] = (uint8_t)i;
    }
    for (unsigned j = n; j < (n + 7) / 8 * 8; j++) {
        s->in[j] = s->out[j] = UINT64_MAX; /* above every limit */
        s->pos[j] = s->in_last[j] = s->out_last[j] = 0;
    }
    return n;
}

/*
 * A lane's last symbols, after the lanes: the same multi-symbol entries
 * one lookup at a time while 4 output bytes are left, then the checked
 * single-symbol tail (lanes.h), which also checks the end of the stream.
 * An entry is taken only when every bit it uses was read from the stream
 * (the bits above `count` are zeros standing in for missing input): its
 * symbols are then the stream's, whatever the zeros made it decide about
 * the code after them.
 */
static h278_error multi_finish(h278_lane *l, const multi_tables *t)
{
    const uint64_t mask = (UINT64_C(1) << t->desc.width) - 1;
    while (l->out_end - l->out >= 4) {
        h278_br_refill(&l->br);
        uint64_t e = t->multi[l->br.buf & mask];
        if ((e & 0xFF) > l->br.count)
            break;
        h278_store32(l->out, (uint32_t)(e >> 16));
        l->out += (e >> 11) & 7; /* byte 1 / 8: the symbols */
        h278_br_consume(&l->br, (unsigned)(e & 0xFF));
    }
    return h278_lane_finish(l, t->single, t->desc.width, NULL, 1);
}

MULTI_TARGET static h278_error multi_decode(const h278_block *b, const h278_params *p, const void *mem,
                                            uint8_t *dst)
{
    (void)p;
    const multi_tables *t = mem;
    if (!multi_takes(b) || !h278_table_desc_fits(&t->desc, b))
        return H278_ERR_TABLE_MISMATCH;
    h278_lane lanes[H278_MAX_STREAMS];
    h278_lanes_init(b, dst, lanes);
    const unsigned k = b->streams;
    /* Where each stream is, by stream: input byte, bit offset, output. */
    uint64_t in[H278_MAX_STREAMS], pos[H278_MAX_STREAMS], out[H278_MAX_STREAMS];
    for (unsigned i = 0; i < k; i++) {
        in[i] = (uintptr_t)lanes[i].br.p;
        pos[i] = 0;
        out[i] = (uintptr_t)lanes[i].out;
    }
    multi_state s;
    unsigned n;
    /* A round writes S stores of 8 bytes, each at most 8 bytes after the
     * previous one. */
    const unsigned round_out = t->stores * MULTI_STORE_BYTES;
    while ((n = multi_pack(&s, in, pos, out, lanes, k, round_out)) > 0) {
        /* Run while at least half the lanes do; then pack the rest. */
        multi_pass(&s, t, n, multi_sure_rounds(&s, n, round_out), n - n / 2);
        for (unsigned j = 0; j < n; j++) {
            unsigned i = s.stream[j];
            in[i] = s.in[j], pos[i] = s.pos[j], out[i] = s.out[j];
        }
    }
    /* Back to bit readers: the next bit is bit pos of byte in, which lies
     * inside the stream (a round starts 8 bytes before its end at the
     * latest and advances at most MULTI_ROUND_IN < 8 bytes). */
    for (unsigned i = 0; i < k; i++) {
        h278_lane *l = &lanes[i];
        const uint8_t *q = (const uint8_t *)(uintptr_t)in[i];
        l->out = (uint8_t *)(uintptr_t)out[i];
        l->br.p = q;
        if (pos[i]) {
            l->br.buf = (uint64_t)(*q >> pos[i]);
            l->br.count = 8 - (uint32_t)pos[i];
            l->br.p = q + 1;
        }
        h278_error err = multi_finish(l, t);
        if (err)
            return err;
    }
    return H278_OK;
}

const h278_variant h278_variant_avx512_multi = {
    .name = "avx512-multi",
    .summary = "AVX-512: up to four symbols per gather, 8 streams per register, 16 or 32 in lockstep, "
               "scatter stores (segmented K>=16, codes <= 12 bits; other blocks: avx512)",
    .cpu_needs = H278_CPU_AVX512 | H278_CPU_BMI2,
    .table_bytes = multi_table_bytes,
    .build = multi_build,
    .decode = multi_decode,
    .takes = multi_takes,
    .fallback = &h278_variant_avx512,
};
