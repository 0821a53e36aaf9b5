// h278_bench.cc - h278-bench: google-benchmark over the H278 C API.
//
// A thin shim: it registers one benchmark per (decoder variant or peer
// library) x dataset x parameter set and calls the C API; everything else
// lives in C. Every benchmark checks its output against the original bytes
// after timing, and reports an error instead of a number if they differ.
//
// Names (scripts and filters rely on them):
//   decode/<variant>/<dataset>[/param:value...]   decode alone, tables prebuilt
//   build/<variant>/<dataset>                      block parse + table build
//   file/<variant>/<dataset>                       h278_decompress: everything
//   peer/<library>/<dataset>                       zstd, libdeflate, zlib, ISA-L, memcpy
// The default configuration (L=11, K=4 segmented, 128 KiB blocks) has no
// suffix; every dataset is also decoded with the SIMD-friendly layout
// (/K:32i: 32 interleaved streams); sweeps append /L:n, /K:n (n followed by
// "i" for the interleaved layout), /short_bits:n or /table_bits:n.
//
// Flags before google's own: --data=PATH (file or folder, repeatable: then
// only those files are benchmarked) and --quick (fewer datasets and sweeps).

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sched.h>
#include <unistd.h>

#include "datasets.h"
#include "h278.h"
#include "peers.h"

namespace {

struct Encoded {
    std::vector<uint8_t> file;
    std::vector<h278_block> blocks;
    uint64_t symbols = 0;
};

// Compresses a dataset and parses its blocks once, outside any timing.
bool encode(const h278_dataset &d, const h278_enc_params &p, Encoded *e)
{
    e->file.resize(h278_compress_bound(d.size, &p));
    size_t n = 0;
    if (h278_compress(d.data, d.size, &p, e->file.data(), e->file.size(), &n) != H278_OK)
        return false;
    e->file.resize(n);
    h278_file_header fh;
    if (h278_read_file_header(e->file.data(), n, &fh) != H278_OK)
        return false;
    size_t pos = H278_FILE_HEADER_SIZE;
    for (uint64_t i = 0; i < fh.block_count; i++) {
        h278_block b;
        if (h278_read_block(e->file.data() + pos, n - pos, h278_block_decoded_size(&fh, i), fh.max_len, &b))
            return false;
        pos += b.total_size;
        e->blocks.push_back(b);
    }
    e->symbols = d.size;
    return true;
}

void set_counters(benchmark::State &state, uint64_t bytes)
{
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
    state.counters["symbols/s"] = benchmark::Counter(double(bytes), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["ns/symbol"] = benchmark::Counter(double(bytes) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}

void check(benchmark::State &state, const std::vector<uint8_t> &out, const h278_dataset &d)
{
    if (out.size() < d.size || std::memcmp(out.data(), d.data, d.size) != 0)
        state.SkipWithError("output differs from the original bytes");
}

// decode/<variant>/<dataset>: one decoder per block, tables built before
// timing, so only decoding is measured.
void bench_decode(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e,
                  std::string variant, h278_params params)
{
    std::vector<h278_decoder *> decs(e->blocks.size(), nullptr);
    std::vector<uint8_t> out(d->size + 64);
    for (size_t i = 0; i < decs.size(); i++)
        if (h278_decoder_new(variant.c_str(), &params, &decs[i]) || h278_decoder_build(decs[i], &e->blocks[i])) {
            state.SkipWithError("decoder setup failed");
            break;
        }
    h278_error err = H278_OK;
    for (auto _ : state) {
        size_t off = 0;
        for (size_t i = 0; i < decs.size() && decs[i]; i++) {
            err = h278_error(err | h278_decoder_decode(decs[i], &e->blocks[i], out.data() + off, out.size() - off));
            off += e->blocks[i].decoded_size;
        }
        benchmark::DoNotOptimize(out.data());
    }
    if (err)
        state.SkipWithError(h278_strerror(err));
    check(state, out, *d);
    set_counters(state, d->size);
    for (auto *x : decs)
        h278_decoder_free(x);
}

// build/<variant>/<dataset>: parse every block header and build its tables.
void bench_build(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e, std::string variant)
{
    h278_decoder *dec = nullptr;
    if (h278_decoder_new(variant.c_str(), nullptr, &dec)) {
        state.SkipWithError("decoder setup failed");
        return;
    }
    h278_file_header fh;
    h278_read_file_header(e->file.data(), e->file.size(), &fh);
    h278_error err = H278_OK;
    for (auto _ : state) {
        size_t pos = H278_FILE_HEADER_SIZE;
        for (uint64_t i = 0; i < fh.block_count; i++) {
            h278_block b;
            err = h278_error(err | h278_read_block(e->file.data() + pos, e->file.size() - pos,
                                                   h278_block_decoded_size(&fh, i), fh.max_len, &b));
            err = h278_error(err | h278_decoder_build(dec, &b));
            pos += b.total_size;
        }
    }
    // The check: the last tables built decode the last block correctly.
    std::vector<uint8_t> out(d->size + 64);
    size_t off = d->size - (e->blocks.empty() ? 0 : e->blocks.back().decoded_size);
    if (!e->blocks.empty())
        err = h278_error(err | h278_decoder_decode(dec, &e->blocks.back(), out.data() + off, out.size() - off));
    if (err || std::memcmp(out.data() + off, d->data + off, d->size - off) != 0)
        state.SkipWithError("build or check failed");
    set_counters(state, d->size);
    h278_decoder_free(dec);
}

// file/<variant>/<dataset>: the whole-file API, checksums included.
void bench_file(benchmark::State &state, const h278_dataset *d, std::shared_ptr<Encoded> e, std::string variant)
{
    h278_decoder *dec = nullptr;
    std::vector<uint8_t> out(d->size + 64);
    if (h278_decoder_new(variant.c_str(), nullptr, &dec)) {
        state.SkipWithError("decoder setup failed");
        return;
    }
    h278_error err = H278_OK;
    for (auto _ : state) {
        size_t got = 0;
        err = h278_error(err | h278_decompress(dec, e->file.data(), e->file.size(), out.data(), out.size(), &got, nullptr));
        benchmark::DoNotOptimize(out.data());
    }
    if (err)
        state.SkipWithError(h278_strerror(err));
    check(state, out, *d);
    set_counters(state, d->size);
    h278_decoder_free(dec);
}

void bench_peer(benchmark::State &state, const h278_dataset *d, const h278_peer *peer)
{
    h278_peer_blob blob = {};
    std::vector<uint8_t> out(d->size + 64);
    if (peer->prepare(d->data, d->size, &blob)) {
        state.SkipWithError("peer could not compress this input");
        peer->release(&blob);
        return;
    }
    int err = 0;
    for (auto _ : state) {
        err |= peer->decode(&blob, out.data(), d->size);
        benchmark::DoNotOptimize(out.data());
    }
    if (err)
        state.SkipWithError("peer decode failed");
    check(state, out, *d);
    set_counters(state, d->size);
    state.counters["compressed_bytes"] = double(blob.size);
    peer->release(&blob);
}

std::vector<std::string> available_variants()
{
    std::vector<std::string> v;
    for (size_t i = 0; i < h278_variant_count(); i++) {
        if (h278_variant_available(i))
            v.push_back(h278_variant_name(i));
        else
            std::fprintf(stderr, "h278-bench: skipping %s (needs CPU features this machine lacks)\n",
                         h278_variant_name(i));
    }
    return v;
}

void register_decode(const h278_dataset *d, const h278_enc_params &p, const std::string &variant,
                     h278_params params, const std::string &suffix)
{
    auto e = std::make_shared<Encoded>();
    if (!encode(*d, p, e.get())) {
        std::fprintf(stderr, "h278-bench: cannot encode %s\n", d->name);
        return;
    }
    benchmark::RegisterBenchmark(("decode/" + variant + "/" + d->name + suffix).c_str(), bench_decode, d, e,
                                 variant, params);
}

void print_help()
{
    std::printf("usage: h278-bench [--data=PATH]... [--quick] [google-benchmark flags]\n"
                "\n"
                "  --data=PATH   benchmark this file or every file of this folder instead of the\n"
                "                default datasets (repeatable)\n"
                "  --quick       fewer datasets and sweeps\n"
                "\n"
                "Benchmark names: decode/<variant>/<dataset>[/param:value], build/<variant>/<dataset>,\n"
                "file/<variant>/<dataset>, peer/<library>/<dataset>. Every benchmark compares its\n"
                "output with the original bytes and reports an error instead of a number if wrong.\n"
                "\ngoogle-benchmark's flags:\n");
}

}  // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> data_paths;
    bool quick = false;
    std::vector<char *> rest = {argv[0]};
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--data=", 7) == 0)
            data_paths.push_back(argv[i] + 7);
        else if (std::strcmp(argv[i], "--quick") == 0)
            quick = true;
        else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            print_help();
            rest.push_back(argv[i]);
        } else
            rest.push_back(argv[i]);
    }
    int rargc = int(rest.size());
    benchmark::Initialize(&rargc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rargc, rest.data()))
        return 1;

    // Pin to the last CPU so the scheduler does not move the benchmark.
    cpu_set_t set;
    CPU_ZERO(&set);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_SET(int(cpus > 0 ? cpus - 1 : 0), &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0)
        benchmark::AddCustomContext("pinned_cpu", std::to_string(cpus > 0 ? cpus - 1 : 0));

    static h278_dataset_list list;
    if (!data_paths.empty()) {
        for (auto &p : data_paths)
            if (h278_dataset_add_path(&list, p.c_str()))
                return 1;
    } else {
        if (h278_dataset_add_canterbury(&list, h278_default_corpora_dir()) ||
            h278_dataset_add_generated(&list, quick, 278))
            return 1;
    }
    benchmark::AddCustomContext("h278_datasets", std::to_string(list.count));
    for (size_t i = 0; i < h278_peers_count; i++)
        benchmark::AddCustomContext(std::string("peer_") + h278_peers[i].name, h278_peers[i].version());

    const auto variants = available_variants();
    h278_enc_params def;
    h278_enc_params_default(&def);
    const h278_params no_params = {0, 0};
    const h278_dataset *sweep = nullptr;  // the dataset the parameter sweeps run on
    for (size_t i = 0; i < list.count; i++) {
        const h278_dataset *d = &list.items[i];
        if (d->size == 0)
            continue;
        bool small_set = quick && std::strcmp(d->group, "canterbury") == 0 &&
                         std::strcmp(d->name, "alice29.txt") && std::strcmp(d->name, "kennedy.xls") &&
                         std::strcmp(d->name, "lcet10.txt") && std::strcmp(d->name, "ptt5");
        if (small_set || (quick && std::strcmp(d->group, "canterbury-artificial") == 0))
            continue;
        if (!sweep && (std::strcmp(d->name, "lcet10.txt") == 0 || !data_paths.empty()))
            sweep = d;
        auto e = std::make_shared<Encoded>();
        if (!encode(*d, def, e.get())) {
            std::fprintf(stderr, "h278-bench: cannot encode %s\n", d->name);
            continue;
        }
        // The SIMD-friendly layout, for every variant on the same bytes.
        h278_enc_params simd = def;
        simd.streams = 32;
        simd.interleaved = 1;
        auto e32 = std::make_shared<Encoded>();
        if (!encode(*d, simd, e32.get()))
            e32.reset();
        for (auto &v : variants) {
            benchmark::RegisterBenchmark(("decode/" + v + "/" + d->name).c_str(), bench_decode, d, e, v, no_params);
            if (e32 && v != "tree")
                benchmark::RegisterBenchmark(("decode/" + v + "/" + d->name + "/K:32i").c_str(), bench_decode, d,
                                             e32, v, no_params);
            benchmark::RegisterBenchmark(("build/" + v + "/" + d->name).c_str(), bench_build, d, e, v);
            benchmark::RegisterBenchmark(("file/" + v + "/" + d->name).c_str(), bench_file, d, e, v);
        }
        for (size_t k = 0; k < h278_peers_count; k++)
            benchmark::RegisterBenchmark((std::string("peer/") + h278_peers[k].name + "/" + d->name).c_str(),
                                         bench_peer, d, &h278_peers[k]);
    }

    if (sweep) {
        // Max code length L.
        for (unsigned L = 8; L <= 20; L += quick ? 4 : 1)
            for (auto &v : variants) {
                if (v == "tree" || L == def.max_len)
                    continue;
                h278_enc_params p = def;
                p.max_len = L;
                register_decode(sweep, p, v, no_params, "/L:" + std::to_string(L));
            }
        // Stream count K and layout (K:32i is registered for every dataset).
        for (unsigned K : {1u, 4u, 8u, 16u, 32u})
            for (int il = 0; il < 2; il++) {
                if ((K == 1 && il) || (K == def.streams && !il) || (K == 32 && il))
                    continue;
                for (auto &v : variants) {
                    if (v == "tree")
                        continue;
                    h278_enc_params p = def;
                    p.streams = K;
                    p.interleaved = il;
                    register_decode(sweep, p, v, no_params, "/K:" + std::to_string(K) + (il ? "i" : ""));
                }
            }
        // Hybrid short_bits and multisym table_bits, at L=11 and L=15.
        for (unsigned L : {11u, 15u})
            for (unsigned bits = 6; bits <= 14; bits += quick ? 2 : 1) {
                h278_enc_params p = def;
                p.max_len = L;
                std::string sfx = (L == def.max_len ? "" : "/L:" + std::to_string(L));
                register_decode(sweep, p, "hybrid", h278_params{bits, 0}, sfx + "/short_bits:" + std::to_string(bits));
                register_decode(sweep, p, "multisym", h278_params{0, bits}, sfx + "/table_bits:" + std::to_string(bits));
            }
    }

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    h278_dataset_list_free(&list);
    return 0;
}
