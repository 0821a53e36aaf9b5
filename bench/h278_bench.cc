// h278_bench.cc - h278-bench: google-benchmark over the H278 C API.
//
// A thin shim: it registers one benchmark per (decoder variant or peer
// library) x dataset x parameter set and calls the C API; everything else
// lives in C. google-benchmark brings repetitions, random interleaving,
// filters and JSON output, so this file only has to describe the work.
// Every benchmark checks its output against the original bytes after timing
// and reports an error instead of a number if they differ. A variant that
// hands some blocks to a fallback (the SIMD lanes: K >= 16 in one layout)
// has no rows on such blocks: they would time the fallback.
//
// Names (scripts, charts and filters rely on them):
//   decode/<variant>/<dataset>[/param:value...]   decode alone, tables prebuilt
//   build/<variant>/<dataset>[/K:32i|/K:32]        block parse + table build
//   file/<variant>/<dataset>[/K:32i|/K:32]         h278_decompress: everything
//   peer/<library>/<dataset>                       zstd, libdeflate, zlib, ISA-L, memcpy
//   encode/<segmented|pivot>/<dataset>             h278_compress (sweep dataset only)
// The pivot variants' rows are on the dataset in the pivot layout (same
// names, no suffix); their sweeps are /L:n and /B:nK (block size).
// The default configuration (L=11, K=4 segmented, 128 KiB blocks) has no
// suffix; every dataset is also decoded with the SIMD-friendly layouts
// (/K:32i: 32 interleaved streams; /K:32: 32 segmented ones, spread), where
// the SIMD variants also have their build and file rows;
// sweeps append /L:n, /K:n (n followed by "i" for the interleaved layout),
// /short_bits:n or /table_bits:n, so a filter on a base name also selects
// its sweeps.
//
// Counters, the same on every row (google-benchmark's CSV output needs
// that), in the units their names say, with decimal prefixes (k = 10^3,
// M = 10^6, G = 10^9, like MB in the docs):
//   bytes_per_second, symbols/s  decoded bytes (one symbol = one byte) per
//                                second of the thread's CPU time, as every
//                                google-benchmark rate, so a busy machine
//                                distorts them less
//   ns/symbol                    nanoseconds of that CPU time per symbol
//   tsc_ticks/symbol             time-stamp-counter ticks over the timed loop
//                                (wall clock) per symbol: the TSC ticks at a
//                                constant rate and is NOT a count of core
//                                cycles (hardware counters are not available
//                                everywhere, e.g. in VMs); 0 without a TSC
//   compressed_bytes, ratio      the input's size in the row's format (the
//                                whole .h278 file, or the peer's own frames)
//                                and decoded bytes / compressed bytes
//
// Flags before google's own: --data=PATH (file or folder, repeatable: then
// only those files are benchmarked), --quick (fewer datasets and sweeps,
// shorter minimum time) and --counters[=software] (perf_event counters per
// symbol on every row: perf_counters.h).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <sched.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define H278_HAVE_TSC 1
#else
#define H278_HAVE_TSC 0
#endif

#include "datasets.h"
#include "h278.h"
#include "peers.h"
#include "perf_counters.h"

namespace {

// The time-stamp counter (0 where there is none).
inline uint64_t tsc_now()
{
#if H278_HAVE_TSC
    return __rdtsc();
#else
    return 0;
#endif
}

// A dataset compressed with one parameter set, its blocks parsed once,
// outside any timing. The blocks point into `file`.
struct Encoded {
    std::vector<uint8_t> file;
    h278_file_header header{};
    std::vector<h278_block> blocks;
};

bool encode(const h278_dataset &d, const h278_enc_params &p, Encoded *e)
{
    e->file.resize(h278_compress_bound(d.size, &p));
    size_t n = 0;
    if (h278_compress(d.data, d.size, &p, e->file.data(), e->file.size(), &n) != H278_OK)
        return false;
    e->file.resize(n);
    if (h278_read_file_header(e->file.data(), n, &e->header) != H278_OK)
        return false;
    size_t pos = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < e->header.block_count; i++) {
        h278_block b;
        if (h278_read_block(e->file.data() + pos, n - pos, h278_block_decoded_size(&e->header, i),
                            e->header.max_len, &b) != H278_OK)
            return false;
        pos += b.total_size;
        e->blocks.push_back(b);
    }
    return true;
}

// Keeps the first error of a loop (later ones are usually its echo).
inline void keep_first(h278_error *err, h278_error e)
{
    if (e != H278_OK && *err == H278_OK)
        *err = e;
}

// --counters: a perf_event group on this thread (perf_counters.h), opened
// once in main; count = 0 when the flag is off or the machine has none.
h278_perf counters;

// Where a timed loop starts and ends: the TSC and the thread's CPU time
// (the clock google-benchmark's rates use); the end also holds what the
// counter group counted over the loop.
struct LoopClock {
    uint64_t tsc;
    double cpu_ns;
    double perf[H278_PERF_MAX];
    bool perf_ok;
};

LoopClock loop_clock()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return {tsc_now(), double(ts.tv_sec) * 1e9 + double(ts.tv_nsec), {}, false};
}

LoopClock loop_start()
{
    h278_perf_start(&counters);
    return loop_clock();
}

LoopClock loop_end()
{
    LoopClock c = loop_clock();
    c.perf_ok = h278_perf_stop(&counters, c.perf) == 0;
    return c;
}

// Every row's counters (see the top of this file): bytes = decoded bytes
// per iteration, compressed = the input's size, start/end = the timed loop.
void set_counters(benchmark::State &state, uint64_t bytes, uint64_t compressed, LoopClock start, LoopClock end)
{
    using benchmark::Counter;
    const double symbols = double(state.iterations()) * double(bytes);
    state.counters["bytes_per_second"] = Counter(double(bytes), Counter::kIsIterationInvariantRate, Counter::kIs1000);
    state.counters["symbols/s"] = Counter(double(bytes), Counter::kIsIterationInvariantRate, Counter::kIs1000);
    state.counters["ns/symbol"] = symbols > 0 ? (end.cpu_ns - start.cpu_ns) / symbols : 0.0;
    state.counters["tsc_ticks/symbol"] = symbols > 0 ? double(end.tsc - start.tsc) / symbols : 0.0;
    state.counters["compressed_bytes"] = Counter(double(compressed), Counter::kDefaults, Counter::kIs1000);
    state.counters["ratio"] = compressed > 0 ? double(bytes) / double(compressed) : 0.0;
    // --counters: every row gets the group's counts per symbol (0 where
    // the group could not be read for this row).
    for (unsigned i = 0; i < counters.count; i++)
        state.counters[counters.names[i]] = end.perf_ok && symbols > 0 ? end.perf[i] / symbols : 0.0;
}

// The output check: out[0..size) must equal the dataset's bytes.
bool same_bytes(const std::vector<uint8_t> &out, const h278_dataset &d)
{
    return out.size() >= d.size && std::memcmp(out.data(), d.data, d.size) == 0;
}

// decode/<variant>/<dataset>: one decoder per block, tables built before
// timing, so only decoding is measured.
void bench_decode(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e,
                  std::string variant, h278_params params)
{
    std::vector<h278_decoder *> decs(e->blocks.size(), nullptr);
    std::vector<uint8_t> out(d->size + 64);
    h278_error err = H278_OK;
    for (size_t i = 0; i < decs.size() && !err; i++) {
        keep_first(&err, h278_decoder_new(variant.c_str(), &params, &decs[i]));
        if (!err)
            keep_first(&err, h278_decoder_build(decs[i], &e->blocks[i]));
    }
    const LoopClock t0 = loop_start();
    if (!err)
        for (auto _ : state) {
            size_t off = 0;
            for (size_t i = 0; i < decs.size(); i++) {
                keep_first(&err, h278_decoder_decode(decs[i], &e->blocks[i], out.data() + off, out.size() - off));
                off += e->blocks[i].decoded_size;
            }
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
    const LoopClock t1 = loop_end();
    if (err)
        state.SkipWithError(h278_strerror(err));
    else if (!same_bytes(out, *d))
        state.SkipWithError("output differs from the original bytes");
    set_counters(state, d->size, e->file.size(), t0, t1);
    for (auto *x : decs)
        h278_decoder_free(x);
}

// build/<variant>/<dataset>: parse every block header and build its tables,
// as a decoder does before decoding each block.
void bench_build(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e, std::string variant)
{
    h278_decoder *dec = nullptr;
    h278_error err = h278_decoder_new(variant.c_str(), nullptr, &dec);
    const uint8_t *file = e->file.data();
    const size_t n = e->file.size();
    const LoopClock t0 = loop_start();
    if (!err)
        for (auto _ : state) {
            size_t pos = H278_FILE_HEADER_SIZE;
            for (uint64_t i = 0; i < e->header.block_count; i++) {
                h278_block b;
                keep_first(&err, h278_read_block(file + pos, n - pos, h278_block_decoded_size(&e->header, i),
                                                 e->header.max_len, &b));
                if (err)
                    break;
                keep_first(&err, h278_decoder_build(dec, &b));
                pos += b.total_size;
            }
            benchmark::ClobberMemory();
        }
    const LoopClock t1 = loop_end();
    // The check: the tables built last decode the last block correctly.
    if (!err && !e->blocks.empty()) {
        const h278_block &last = e->blocks.back();
        const size_t off = d->size - last.decoded_size;
        std::vector<uint8_t> out(last.decoded_size + 64);
        keep_first(&err, h278_decoder_decode(dec, &last, out.data(), out.size()));
        if (!err && std::memcmp(out.data(), d->data + off, last.decoded_size) != 0)
            state.SkipWithError("the built tables decode wrong bytes");
    }
    if (err)
        state.SkipWithError(h278_strerror(err));
    set_counters(state, d->size, e->file.size(), t0, t1);
    h278_decoder_free(dec);
}

// file/<variant>/<dataset>: the whole-file API, checksums included.
void bench_file(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e, std::string variant)
{
    h278_decoder *dec = nullptr;
    std::vector<uint8_t> out(d->size + 64);
    h278_error err = h278_decoder_new(variant.c_str(), nullptr, &dec);
    size_t got = 0;
    const LoopClock t0 = loop_start();
    if (!err)
        for (auto _ : state) {
            keep_first(&err, h278_decompress(dec, e->file.data(), e->file.size(), out.data(), out.size(), &got,
                                             nullptr));
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
    const LoopClock t1 = loop_end();
    if (err)
        state.SkipWithError(h278_strerror(err));
    else if (got != d->size || !same_bytes(out, *d))
        state.SkipWithError("output differs from the original bytes");
    set_counters(state, d->size, e->file.size(), t0, t1);
    h278_decoder_free(dec);
}

// encode/<layout>/<dataset>: h278_compress in one layout; the check decodes
// the last output with "simd" (which takes every layout).
void bench_encode(benchmark::State &state, const h278_dataset *d, h278_enc_params p)
{
    std::vector<uint8_t> file(h278_compress_bound(d->size, &p));
    std::vector<uint8_t> out(d->size + 64);
    size_t n = 0, got = 0;
    h278_error err = H278_OK;
    const LoopClock t0 = loop_start();
    for (auto _ : state) {
        keep_first(&err, h278_compress(d->data, d->size, &p, file.data(), file.size(), &n));
        benchmark::ClobberMemory();
    }
    const LoopClock t1 = loop_end();
    h278_decoder *dec = nullptr;
    keep_first(&err, h278_decoder_new("simd", nullptr, &dec));
    if (!err)
        keep_first(&err, h278_decompress(dec, file.data(), n, out.data(), out.size(), &got, nullptr));
    h278_decoder_free(dec);
    if (err)
        state.SkipWithError(h278_strerror(err));
    else if (got != d->size || !same_bytes(out, *d))
        state.SkipWithError("the encoded file does not decode to the original bytes");
    set_counters(state, d->size, n, t0, t1);
}

// peer/<library>/<dataset>: the same bytes through another library.
void bench_peer(benchmark::State &state, const h278_dataset *d, const h278_peer *peer)
{
    h278_peer_blob blob = {};
    std::vector<uint8_t> out(d->size + 64);
    int err = peer->prepare(d->data, d->size, &blob);
    if (err)
        state.SkipWithError("the peer could not compress this input");
    const LoopClock t0 = loop_start();
    if (!err)
        for (auto _ : state) {
            err |= peer->decode(&blob, out.data(), d->size);
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
    const LoopClock t1 = loop_end();
    if (!state.error_occurred()) {
        if (err)
            state.SkipWithError("the peer's decoder failed");
        else if (!same_bytes(out, *d))
            state.SkipWithError("output differs from the original bytes");
    }
    set_counters(state, d->size, blob.size, t0, t1);
    peer->release(&blob);
}

// The registry's variants this CPU runs; the others are named on stderr
// and in the JSON context (the summary lists them as skipped).
std::vector<std::string> available_variants(std::string *skipped)
{
    std::vector<std::string> v;
    for (size_t i = 0; i < h278_variant_count(); i++) {
        if (h278_variant_available(i)) {
            v.push_back(h278_variant_name(i));
        } else {
            std::fprintf(stderr, "h278-bench: skipping %s (needs CPU features this machine lacks)\n",
                         h278_variant_name(i));
            *skipped += (skipped->empty() ? "" : ",") + std::string(h278_variant_name(i));
        }
    }
    return v;
}

// Variants whose own loop takes only some blocks (h278_variant_takes: the
// SIMD lanes want interleaved blocks of 16 or more streams) hand the others
// to their fallback. A row of such a variant on a block it hands on would
// time the fallback under the variant's name, so it is not registered:
// rows_not_run counts them per variant, and main says so once.
std::map<std::string, size_t> rows_not_run;

size_t variant_index(const std::string &name)
{
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (name == h278_variant_name(i))
            return i;
    return SIZE_MAX;
}

// Whether the variant decodes every Huffman block of e itself; counts a
// row it does not run otherwise.
bool takes_all(const std::string &variant, const Encoded &e)
{
    const size_t i = variant_index(variant);
    for (const h278_block &b : e.blocks)
        if (b.type == H278_BLOCK_HUFFMAN && !h278_variant_takes(i, &b)) {
            rows_not_run[variant]++;
            return false;
        }
    return true;
}

// Registers decode/<variant>/<dataset><suffix> on the dataset encoded with p.
void register_decode(const h278_dataset *d, const h278_enc_params &p, const std::string &variant,
                     h278_params params, const std::string &suffix)
{
    auto e = std::make_shared<Encoded>();
    if (!encode(*d, p, e.get())) {
        std::fprintf(stderr, "h278-bench: cannot encode %s with L=%u K=%u\n", d->name, p.max_len, p.streams);
        return;
    }
    if (!takes_all(variant, *e))
        return;
    benchmark::RegisterBenchmark(("decode/" + variant + "/" + d->name + suffix).c_str(), bench_decode, d, e,
                                 variant, params);
}

// Whether the variant decodes only the pivot layout: its rows are on the
// dataset encoded in that layout, under the same names (no suffix).
bool pivot_only(const std::string &variant)
{
    return !(h278_variant_layouts(variant_index(variant)) & H278_LAYOUTS_CLASSIC);
}

// Every variant and peer on one dataset, in the default configuration (the
// pivot variants: the pivot layout, otherwise the same) and (for decode)
// the two SIMD layouts: K=32 interleaved and K=32 segmented.
void register_dataset(const h278_dataset *d, const std::vector<std::string> &variants)
{
    h278_enc_params def;
    h278_enc_params_default(&def);
    auto e = std::make_shared<Encoded>();
    if (!encode(*d, def, e.get())) {
        std::fprintf(stderr, "h278-bench: cannot encode %s, skipped\n", d->name);
        return;
    }
    h278_enc_params pivot = def;
    pivot.pivot = 1;
    auto ep = std::make_shared<Encoded>();
    if (!encode(*d, pivot, ep.get()))
        ep.reset();
    h278_enc_params simd = def;
    simd.streams = 32;
    simd.interleaved = 1;
    auto e32 = std::make_shared<Encoded>();
    if (!encode(*d, simd, e32.get()))
        e32.reset();
    simd.interleaved = 0;
    auto e32s = std::make_shared<Encoded>();
    if (!encode(*d, simd, e32s.get()))
        e32s.reset();
    const h278_params no_params = {0, 0};
    for (auto &v : variants) {
        if (pivot_only(v)) {
            if (ep) {
                benchmark::RegisterBenchmark(("decode/" + v + "/" + d->name).c_str(), bench_decode, d, ep, v,
                                             no_params);
                benchmark::RegisterBenchmark(("build/" + v + "/" + d->name).c_str(), bench_build, d, ep, v);
                benchmark::RegisterBenchmark(("file/" + v + "/" + d->name).c_str(), bench_file, d, ep, v);
            }
            continue;
        }
        if (takes_all(v, *e)) {
            benchmark::RegisterBenchmark(("decode/" + v + "/" + d->name).c_str(), bench_decode, d, e, v, no_params);
            benchmark::RegisterBenchmark(("build/" + v + "/" + d->name).c_str(), bench_build, d, e, v);
            benchmark::RegisterBenchmark(("file/" + v + "/" + d->name).c_str(), bench_file, d, e, v);
        }
        // tree reads one bit at a time: the layout changes nothing for it.
        // Variants whose lanes take only a SIMD layout also get their table
        // build and whole-file rows there.
        const struct {
            const std::shared_ptr<Encoded> &e;
            const char *suffix;
        } layouts[] = {{e32, "/K:32i"}, {e32s, "/K:32"}};
        for (auto &l : layouts) {
            if (!l.e || v == "tree" || !takes_all(v, *l.e))
                continue;
            const std::string tail = "/" + std::string(d->name) + l.suffix;
            benchmark::RegisterBenchmark(("decode/" + v + tail).c_str(), bench_decode, d, l.e, v, no_params);
            if (!takes_all(v, *e)) {
                benchmark::RegisterBenchmark(("build/" + v + tail).c_str(), bench_build, d, l.e, v);
                benchmark::RegisterBenchmark(("file/" + v + tail).c_str(), bench_file, d, l.e, v);
            }
        }
    }
    for (size_t k = 0; k < h278_peers_count; k++)
        benchmark::RegisterBenchmark((std::string("peer/") + h278_peers[k].name + "/" + d->name).c_str(),
                                     bench_peer, d, &h278_peers[k]);
}

// The parameter sweeps, all on one dataset. tree is left out: at about
// 100 MB/s it would dominate the run and it has no parameters.
void register_sweeps(const h278_dataset *d, const std::vector<std::string> &variants, bool quick)
{
    h278_enc_params def;
    h278_enc_params_default(&def);
    const h278_params no_params = {0, 0};
    const bool have_hybrid = std::count(variants.begin(), variants.end(), "hybrid") > 0;
    const bool have_multisym = std::count(variants.begin(), variants.end(), "multisym") > 0;
    // The encoder, canonical (segmented, the default) beside pivot.
    for (int pivot = 0; pivot < 2; pivot++) {
        h278_enc_params p = def;
        p.pivot = pivot;
        benchmark::RegisterBenchmark((std::string("encode/") + (pivot ? "pivot/" : "segmented/") + d->name).c_str(),
                                     bench_encode, d, p);
    }
    // Max code length L (L=11 is the default benchmark), in the default
    // layout and in the SIMD one (K=32 interleaved).
    for (unsigned L = 8; L <= 20; L += quick ? 4 : 1) {
        if (L == def.max_len)
            continue;
        h278_enc_params p = def, p32 = def;
        p.max_len = p32.max_len = L;
        p32.streams = 32;
        p32.interleaved = 1;
        h278_enc_params pp = p;
        pp.pivot = 1;
        for (auto &v : variants)
            if (pivot_only(v)) {
                register_decode(d, pp, v, no_params, "/L:" + std::to_string(L));
            } else if (v != "tree") {
                register_decode(d, p, v, no_params, "/L:" + std::to_string(L));
                register_decode(d, p32, v, no_params, "/K:32i/L:" + std::to_string(L));
            }
    }
    // Block size: the pivot layout decodes a whole block per node, so its
    // speed depends on the block's size (and cache); the classic SIMD
    // layouts beside it. 128 KiB is the default.
    for (uint32_t kib : {4u, 8u, 16u, 32u, 64u, 256u, 1024u}) {
        if (quick && kib != 8u && kib != 32u)
            continue;
        h278_enc_params p = def, p32 = def;
        p.block_size = p32.block_size = kib << 10;
        p.pivot = 1;
        p32.streams = 32;
        const std::string sfx = "/B:" + std::to_string(kib) + "K";
        for (auto &v : variants)
            if (pivot_only(v))
                register_decode(d, p, v, no_params, sfx);
            else if (v == "avx512-multi" || v == "avx2-multi")
                register_decode(d, p32, v, no_params, "/K:32" + sfx);
    }
    // Stream count K and layout (K=4 segmented, K=32i and K=32 are the defaults).
    for (unsigned K : {1u, 4u, 8u, 16u, 32u})
        for (int il = 0; il < 2; il++) {
            if ((K == 1 && il) || (K == def.streams && !il) || K == 32)
                continue;
            h278_enc_params p = def;
            p.streams = K;
            p.interleaved = il;
            for (auto &v : variants)
                if (v != "tree" && !pivot_only(v))
                    register_decode(d, p, v, no_params, "/K:" + std::to_string(K) + (il ? "i" : ""));
        }
    // Table widths: hybrid short_bits and multisym table_bits, at L=11 and 15.
    for (unsigned L : {11u, 15u})
        for (unsigned bits = 6; bits <= 14; bits += quick ? 2 : 1) {
            h278_enc_params p = def;
            p.max_len = L;
            const std::string sfx = L == def.max_len ? "" : "/L:" + std::to_string(L);
            if (have_hybrid)
                register_decode(d, p, "hybrid", h278_params{bits, 0}, sfx + "/short_bits:" + std::to_string(bits));
            if (have_multisym)
                register_decode(d, p, "multisym", h278_params{0, bits}, sfx + "/table_bits:" + std::to_string(bits));
        }
}

// Pins the process to the last online CPU, so the scheduler does not move
// the benchmark between cores; says what it did.
void pin_to_one_cpu()
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int cpu = int(cpus > 0 ? cpus - 1 : 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0) {
        std::fprintf(stderr, "h278-bench: pinned to CPU %d of %ld\n", cpu, cpus);
        benchmark::AddCustomContext("pinned_cpu", std::to_string(cpu));
    } else {
        std::fprintf(stderr, "h278-bench: not pinned (sched_setaffinity failed)\n");
        benchmark::AddCustomContext("pinned_cpu", "none");
    }
}

void print_help()
{
    std::printf("usage: h278-bench [--data=PATH]... [--quick] [--counters[=software]] [google-benchmark flags]\n"
                "\n"
                "  --data=PATH   benchmark this file, or every file of this folder, instead of\n"
                "                the default datasets (repeatable); names use each file's base name\n"
                "  --quick       fewer datasets and sweeps, and --benchmark_min_time=0.02\n"
                "                unless given\n"
                "\n"
                "Benchmark names (filter with --benchmark_filter=REGEX):\n"
                "  decode/<variant>/<dataset>[/K:32i|/K:32]   decode alone, tables built before timing\n"
                "  decode/<variant>/<dataset>/L:n | /K:n[i] | /short_bits:n | /table_bits:n   sweeps\n"
                "  build/<variant>/<dataset>[/K:32i|/K:32]   block parse + table build\n"
                "  file/<variant>/<dataset>[/K:32i|/K:32]    h278_decompress, checksums included\n"
                "  peer/<library>/<dataset>             the same bytes through another library\n"
                "  encode/<segmented|pivot>/<dataset>   h278_compress in that layout (sweep dataset)\n"
                "  decode/<pivot variant>/<dataset>[/L:n|/B:nK]   the same file in the pivot layout;\n"
                "                                       /B:nK: blocks of n KiB (also avx*-multi /K:32/B:nK)\n"
                "Every benchmark compares its output with the original bytes after timing and\n"
                "reports an error instead of a number if they differ. The SIMD variants (avx2,\n"
                "avx2-multi, avx512, avx512-multi) have rows only on blocks their lanes take (K >= 16,\n"
                "interleaved or segmented: see --list-decoders); their other blocks go to their\n"
                "fallback, whose rows time that.\n"
                "Counters on every row: bytes_per_second and symbols/s (decimal: M/s = 10^6),\n"
                "ns/symbol, tsc_ticks/symbol (time-stamp-counter ticks, a constant rate, not\n"
                "core cycles), compressed_bytes and ratio (decoded / compressed).\n"
                "  --counters    also cycles, instructions, branch misses and L1D read misses\n"
                "                per symbol over each timed loop (Linux perf_event_open); where the\n"
                "                machine has no hardware counters (most VMs) it says so once and\n"
                "                the rows carry none\n"
                "  --counters=software   task clock (ns), page faults and context switches\n"
                "                per symbol instead: software events every Linux kernel has\n"
                "\ngoogle-benchmark's flags:\n");
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> data_paths;
    bool quick = false, min_time_given = false;
    int counters_kind = 0; // 1: --counters (hardware), 2: --counters=software
    static std::string quick_min_time = "--benchmark_min_time=0.02";
    std::vector<char *> rest = {argv[0]};
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--data=", 7) == 0) {
            data_paths.push_back(argv[i] + 7);
        } else if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (std::strcmp(argv[i], "--counters") == 0 || std::strcmp(argv[i], "--counters=hardware") == 0) {
            counters_kind = 1;
        } else if (std::strcmp(argv[i], "--counters=software") == 0) {
            counters_kind = 2;
        } else {
            if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0)
                print_help(); // google's Initialize prints its own and exits
            if (std::strncmp(argv[i], "--benchmark_min_time", 20) == 0)
                min_time_given = true;
            rest.push_back(argv[i]);
        }
    }
    if (quick && !min_time_given)
        rest.insert(rest.begin() + 1, quick_min_time.data());
    int rargc = int(rest.size());
    benchmark::Initialize(&rargc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rargc, rest.data()))
        return 2;

    pin_to_one_cpu();
    if (counters_kind) {
        // Opened after pinning, on the thread that runs the benchmarks.
        char why[256];
        const bool hw = counters_kind == 1;
        if (h278_perf_open(&counters, hw ? H278_PERF_HARDWARE : H278_PERF_SOFTWARE, why, sizeof why) == 0) {
            benchmark::AddCustomContext("h278_counters", hw ? "hardware" : "software");
        } else {
            std::fprintf(stderr, "h278-bench: %s counters are unavailable on this machine (%s); every benchmark "
                         "still runs, without them\n", hw ? "hardware" : "software", why);
            benchmark::AddCustomContext("h278_counters", std::string("unavailable: ") + why);
        }
    }

    // The datasets live until the end of main: benchmarks point into them.
    static h278_dataset_list list;
    if (!data_paths.empty()) {
        for (auto &p : data_paths)
            if (h278_dataset_add_path(&list, p.c_str()) != 0)
                return 1;
    } else if (h278_dataset_add_canterbury(&list, h278_default_corpora_dir()) != 0 ||
               h278_dataset_add_generated(&list, quick, 278) != 0) {
        return 1;
    }

    std::string skipped;
    const auto variants = available_variants(&skipped);
    std::string names;
    for (size_t i = 0; i < h278_variant_count(); i++)
        names += (i ? "," : "") + std::string(h278_variant_name(i));
    benchmark::AddCustomContext("h278_variants", names);
    std::string pivots;
    for (size_t i = 0; i < h278_variant_count(); i++)
        if (!(h278_variant_layouts(i) & H278_LAYOUTS_CLASSIC))
            pivots += (pivots.empty() ? "" : ",") + std::string(h278_variant_name(i));
    benchmark::AddCustomContext("h278_pivot_variants", pivots); // their rows: the pivot layout
    // The memory each variant's tables take for a code of the default L
    // (the strategy map chart: MB/s against table memory).
    std::string table_bytes;
    for (size_t i = 0; i < h278_variant_count(); i++)
        table_bytes += (i ? "," : "") + std::string(h278_variant_name(i)) + ":" +
                       std::to_string(h278_variant_table_bytes(i, H278_DEFAULT_MAX_LEN, nullptr));
    benchmark::AddCustomContext("h278_table_bytes_L11", table_bytes);
    benchmark::AddCustomContext("h278_variants_skipped", skipped);
    benchmark::AddCustomContext("h278_datasets", std::to_string(list.count));
    benchmark::AddCustomContext("tsc_note", "tsc_ticks/symbol counts time-stamp-counter ticks, not core cycles");
    for (size_t i = 0; i < h278_peers_count; i++)
        benchmark::AddCustomContext(std::string("peer_") + h278_peers[i].name, h278_peers[i].version());

    // Quick runs keep a few Canterbury files and the generated sets.
    static const char *const quick_canterbury[] = {"alice29.txt", "kennedy.xls", "lcet10.txt", "ptt5"};
    std::set<std::string> seen;
    const h278_dataset *sweep = nullptr; // lcet10.txt, or the largest of the user's files
    for (size_t i = 0; i < list.count; i++) {
        const h278_dataset *d = &list.items[i];
        if (d->size == 0)
            continue;
        if (!seen.insert(d->name).second) {
            std::fprintf(stderr, "h278-bench: a second file named %s, skipped (names must be unique)\n", d->name);
            continue;
        }
        if (quick && std::strncmp(d->group, "canterbury", 10) == 0 &&
            std::none_of(std::begin(quick_canterbury), std::end(quick_canterbury),
                         [d](const char *q) { return std::strcmp(q, d->name) == 0; }))
            continue;
        if (data_paths.empty() ? std::strcmp(d->name, "lcet10.txt") == 0 : (!sweep || d->size > sweep->size))
            sweep = d;
        register_dataset(d, variants);
    }
    if (sweep) {
        benchmark::AddCustomContext("h278_sweep_dataset", sweep->name);
        register_sweeps(sweep, variants, quick);
    }
    std::string not_run;
    for (const auto &[v, n] : rows_not_run) {
        const char *fallback = h278_variant_fallback(variant_index(v));
        std::fprintf(stderr,
                     "h278-bench: %zu row(s) of %s not run: their blocks are not ones its own loop takes, "
                     "%s would decode them (its own rows time that)\n",
                     n, v.c_str(), fallback ? fallback : "another variant");
        not_run += (not_run.empty() ? "" : ",") + v + ":" + std::to_string(n);
    }
    benchmark::AddCustomContext("h278_rows_not_run", not_run);

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    h278_perf_close(&counters);
    h278_dataset_list_free(&list);
    return 0;
}
