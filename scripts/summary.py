#!/usr/bin/env python3
"""summary.py - the short table the main job ends with, read back from a
results folder (results.csv, and context.json, google-benchmark's context, for the registry).

One row per registered decoder variant (skipped ones say so) and per peer
library: decode MB/s, one thread, the mean over the summary datasets, on
H278 files with K=4 segmented streams, with K=32 interleaved and segmented
streams (the SIMD layouts) and, for the pivot decoders, in the pivot
layout; the best of them as a ratio to zstd's Huffman
decoder (zstd-literals) on the same input bytes; the compressed size
and ratio (decoded / compressed bytes) over the summary datasets, of the
layout that gave the best speed or of the peer's own frames; the largest
coefficient of variation among the repetitions the row rests on; the whole
`h278 decompress` process on the large file (hyperfine); and whether every
output of that row was checked. Then the decode threads sweep and the
feed -> serve pipeline, the transport cost (transport.txt) and one server
with many producers (producers.csv), when the run has them; the
whole-file times at 1 KB, 1 MB and 10 MB beside the targets H278 set
itself in its first design; the cachegrind counts per
symbol (profile.csv); and warnings where the numbers are not to be trusted
(noisy rows, one repetition, a busy machine). A --profile or --producers
run (no results.csv) prints its own table alone.

Summary datasets: the four Canterbury texts when present, else every
dataset of the run (e.g. the user's files with --data).

  python3 scripts/summary.py RESULTS_FOLDER
"""
import csv
import json
import os
import re
import statistics
import sys

TEXTS = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]
PEERS = ["zstd-literals", "zstd-3", "libdeflate", "isal", "zlib", "memcpy"]  # bench/peers.c's order


def rows_for(rows, kind, variant, params, datasets):
    """The rows of one variant (or peer) and parameter set on the datasets."""
    return [r for r in rows if r["kind"] == kind and r["variant"] == variant and r["params"] == params
            and r["dataset"] in datasets]


def size_ratio(rows, kind, variant, params, datasets):
    """(compressed bytes, decoded / compressed bytes) over the datasets, or
    (None, None) where results.csv has no sizes (runs made before it had
    the columns)."""
    got = [(float(r["compressed_bytes"]), float(r["ratio"])) for r in rows_for(rows, kind, variant, params, datasets)
           if r.get("compressed_bytes") and r.get("ratio")]
    if not got or len(got) != len(datasets):
        return None, None
    size = sum(c for c, _ in got)
    return size, sum(c * q for c, q in got) / size


def mean_mbs(rows, kind, variant, params, datasets):
    vals = [float(r["mb_per_s"]) for r in rows_for(rows, kind, variant, params, datasets) if r["checked"] == "yes"]
    return sum(vals) / len(vals) if vals and len(vals) == len(datasets) else None


def registry(folder):
    """(every registered variant, the skipped ones, {variant: rows not run},
    the pivot-layout variants) from the run's context."""
    try:
        with open(os.path.join(folder, "context.json")) as f:
            ctx = json.load(f)
    except (OSError, ValueError):
        return [], set(), {}, set()
    listed = [v for v in ctx.get("h278_variants", "").split(",") if v]
    not_run = dict(x.split(":", 1) for x in ctx.get("h278_rows_not_run", "").split(",") if ":" in x)
    pivots = {v for v in ctx.get("h278_pivot_variants", "").split(",") if v}
    return listed, {v for v in ctx.get("h278_variants_skipped", "").split(",") if v}, not_run, pivots


def transport(folder):
    """The transport cost lines of transport.txt (h278-shm-bench runs), if any."""
    try:
        with open(os.path.join(folder, "transport.txt")) as f:
            text = f.read()
    except OSError:
        return
    rows = []
    for run in text.split("## h278-shm-bench ")[1:]:
        args = run.split("\n", 1)[0].split()
        vals, section = {}, ""
        for line in run.splitlines()[1:]:
            key, _, rest = line.strip().partition("  ")
            num = rest.split()[0] if rest.split() else ""
            if line.startswith("  "):  # ratio / CPU lines belong to the measurement above them
                key = section + " / " + key
            else:
                section = key
            vals[key] = num
            spread = re.search(r"\(min ([0-9.]+), max ([0-9.]+), (\d+) runs?\)", rest)
            if spread:
                vals[key + " spread"] = (float(spread.group(1)), float(spread.group(2)), int(spread.group(3)))
        rows.append((args[args.index("--decoder") + 1], args[args.index("--threads") + 1], vals))
    if not rows:
        return
    print("\nTransport cost (h278-shm-bench: the Canterbury files in 128 KiB blocks, decoded in this process vs"
          "\nend to end through shared memory by a forked `h278 serve` with the same threads; medians). Ratios"
          "\nare end-to-end over in-process MB/s. staged: the producer placed the blocks in the region once and"
          "\nsends them by reference; copied: it copies each into its slot; +re-check: it also checksums every"
          "\nresult again (h278 feed's default), on top of the server's check that in-process decoding also does:")
    print(f"  {'decoder':9} {'threads':>7} {'in process':>11} {'staged':>7} {'ratio':>6} {'+re-check':>10} "
          f"{'copied':>7} {'ratio':>6} {'+re-check':>10}")
    def num(v, key, digits):
        try:
            return f"{float(v[key]):.{digits}f}"
        except (KeyError, ValueError):
            return v.get(key) or "-"
    staged, staged_rc = "end to end, staged, no re-check", "end to end, blocks staged in the region"
    copied, copied_rc = "end to end, copied, no re-check", "end to end, blocks copied into slots"
    ratio = " / ratio to in process"
    noisy = []
    for d, t, v in rows:
        print(f"  {d:9} {t:>7} {num(v, 'decode in process', 0):>11} {num(v, staged, 0):>7} "
              f"{num(v, staged + ratio, 2):>6} {num(v, staged_rc + ratio, 2):>10} {num(v, copied, 0):>7} "
              f"{num(v, copied + ratio, 2):>6} {num(v, copied_rc + ratio, 2):>10}")
        lo, hi, runs = v.get(staged + ratio + " spread", (0, 0, 0))
        if runs < 3 or hi - lo > 0.1:
            noisy.append(f"{d} at {t} thread(s): staged ratio {lo:.2f}..{hi:.2f} over {runs} run(s)")
    if noisy:
        print("  WARNING: ratios not to be trusted (fewer than 3 runs, or a spread over 0.10): " + "; ".join(noisy))


def cell(x, width=7):
    return f"{x:{width}.0f}" if x else f"{'-':>{width}}"


# The targets H278 set itself in its first design (whole-file decode times at
# three sizes of text, stated without a machine or a decoder).
HEADLINE = [("text-1KB", "1 KB", 0.05), ("text-1MB", "1 MB", 2.5), ("text-10MB", "10 MB", 24.0)]
UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def headline(folder):
    """The fastest checked whole-file API time (file/<variant>/text-*) per
    headline size, from bench.json (the median aggregate, or the single run
    of --quick)."""
    try:
        with open(os.path.join(folder, "bench.json")) as f:
            benchmarks = json.load(f)["benchmarks"]
    except (OSError, ValueError, KeyError):
        return
    cells = []
    for dataset, label, ms_then in HEADLINE:
        best = None
        for b in benchmarks:
            parts = b.get("run_name", b["name"]).split("/")
            if (len(parts) != 3 or parts[0] != "file" or parts[2] != dataset or b.get("error_occurred")
                    or b.get("aggregate_name", "median") != "median"):
                continue
            ms = b["real_time"] * UNIT_MS.get(b.get("time_unit", "ns"), 1e-6)
            if best is None or ms < best[0]:
                best = (ms, parts[1])
        if best:
            cells.append(f"  {label:6} {best[0]:9.3g} ms  {'(' + best[1] + ')':16} target: {ms_then:g} ms")
    if cells:
        print("\nWhole-file decode of generated text (h278_decompress, checksums included), fastest")
        print("variant, beside the targets of H278's first design (stated without a machine):")
        print("\n".join(cells))


# A row whose repetitions spread more than this (coefficient of variation,
# %) is flagged; so is a run that started on a machine busier than
# LOAD_PER_CORE per core (machine.txt's 1-minute load average).
NOISY_CV = 5.0
LOAD_PER_CORE = 0.5


def cv_max(rows, kind, variant, params, datasets):
    """The largest coefficient of variation among the rows a summary cell
    averages, or None without repetitions."""
    cvs = [float(r["cv"]) for r in rows_for(rows, kind, variant, params, datasets) if r.get("cv")]
    return max(cvs) if cvs else None


def machine(folder):
    try:
        with open(os.path.join(folder, "machine.txt")) as f:
            return dict(line.rstrip("\n").split(": ", 1) for line in f if ": " in line)
    except OSError:
        return {}


def reliability(folder, rows):
    """Warnings about how far the run's numbers can be trusted."""
    m = machine(folder)
    try:
        load, cores = float(m["load_average"].split()[0]), int(m["cores"].split()[0])
        if load > LOAD_PER_CORE * cores:
            print(f"\nWARNING: the machine was busy when the run started (load average {load:.2f} on {cores} cores, "
                  f"machine.txt): its numbers may be low and noisy; rerun on a quiet machine before trusting them")
    except (KeyError, ValueError, IndexError):
        pass
    timed = [r for r in rows if r["checked"] == "yes" and r["kind"] in ("decode", "build", "file", "peer")]
    noisy = [r for r in timed if r.get("cv") and float(r["cv"]) > NOISY_CV]
    if timed and not any(r.get("cv") for r in timed):
        if max(int(r["repetitions"] or 1) for r in timed) <= 1:
            print("\nWARNING: one repetition per benchmark: no spread measured; single numbers move 20-40% between "
                  "runs here, so do not read small differences (the full run has 5 repetitions)")
        else:
            print("\nNote: this results.csv does not record the spread of its repetitions (made before it had the "
                  "cv column): rerun tidy.py on a bench.json with every repetition to see it")
    elif noisy:
        worst = sorted(noisy, key=lambda r: -float(r["cv"]))[:5]
        print(f"\nWARNING: {len(noisy)} of {len(timed)} benchmarks vary by more than {NOISY_CV:.0f}% between their "
              f"repetitions (coefficient of variation), e.g. " + ", ".join(f"{r['name']} {float(r['cv']):.1f}%"
                                                                        for r in worst)
              + "; treat their differences below that as noise (scripts/compare.sh tests significance)")


def profile(folder):
    """The cachegrind counts (profile.csv) on the summary datasets."""
    path = os.path.join(folder, "profile.csv")
    if not os.path.exists(path):
        return
    with open(path) as f:
        prof = list(csv.DictReader(f))
    at11 = [r for r in prof if r["group"] != "L-sweep"]
    names = sorted({r["dataset"] for r in at11})
    datasets = [d for d in TEXTS if d in names] or names
    variants = list(dict.fromkeys(r["variant"] for r in prof))
    print(f"\nCosts per decoded symbol, decode alone (cachegrind; deterministic: the same on every run), mean over "
          f"{', '.join(datasets)}, L=11:")
    print(f"  {'variant':14} {'layout':6} {'instructions':>12} {'D1 misses':>10} {'LL misses':>10} {'branches':>9} "
          f"{'mispredicts':>11}")
    for v in variants:
        mine = [r for r in at11 if r["variant"] == v and r["dataset"] in datasets]
        if len(mine) != len(datasets):
            continue
        mean = lambda c: sum(float(r[c]) for r in mine) / len(mine)
        print(f"  {v:14} {mine[0]['layout']:6} {mean('instructions'):12.2f} {mean('d1_misses'):10.4f} "
              f"{mean('ll_misses'):10.5f} {mean('branches'):9.3f} {mean('mispredicts'):11.4f}")
    sweep = next((r for r in prof if r["group"] == "L-sweep"), None)
    if sweep:
        print(f"  along L on {sweep['dataset']}: profile.csv (group L-sweep) and charts/profile_*.png")


def producers(folder):
    """One server, many producers (producers.csv, h278-shm-bench --producers),
    if the run has it: total MB/s per producer count and thread count, its
    ratio to one producer at the same threads, and the slowest and fastest
    producer's share of an equal split."""
    path = os.path.join(folder, "producers.csv")
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows = list(csv.DictReader(f))
    try:
        with open(os.path.join(folder, "checks.tsv")) as f:
            failed = any(line.split("\t")[0] == "producers" and "failed" in line for line in f)
    except OSError:
        failed = False
    if failed:
        print("\nOne server, many producers: WARNING: a run failed (wrong bytes or an error; producers.txt says "
              "which): its points have no number")
    if not rows:
        return
    m = machine(folder)
    print("\nOne server, many producers (h278-shm-bench --producers: producer processes stream the Canterbury files'"
          "\n128 KiB blocks, staged, each result checked, to one server process; medians over runs; "
          f"{m.get('cpu', 'unknown CPU')},"
          f"\n{m.get('cores', '?').split(' ')[0]} cores). share = a producer's MB/s over an equal split of the total "
          "(1.00: fair):")
    print(f"  {'threads':>7} {'producers':>9} {'total MB/s':>10} {'vs 1 producer':>13} {'runs':>4} "
          f"{'slowest share':>13} {'fastest share':>13}")
    total = {}
    for r in rows:
        total.setdefault((int(r["threads"]), int(r["producers"])), {})[r["run"]] = float(r["total_mb_per_s"])
    for (t, p) in sorted(total):
        runs = sorted(total[(t, p)].values())
        med = statistics.median(runs)
        one = total.get((t, 1))
        vs = f"{med / statistics.median(one.values()):12.2f}x" if one else f"{'-':>13}"
        shares = [float(r["share"]) for r in rows if int(r["threads"]) == t and int(r["producers"]) == p]
        print(f"  {t:7} {p:9} {med:10.0f} {vs} {len(runs):4} {min(shares):13.3f} {max(shares):13.3f}")


def main(folder):
    path = os.path.join(folder, "results.csv")
    if not os.path.exists(path):  # a --profile or --producers run
        profile(folder)
        producers(folder)
        return
    with open(path) as f:
        rows = list(csv.DictReader(f))
    names = sorted({r["dataset"] for r in rows if r["kind"] == "decode" and not r["params"]})
    datasets = [d for d in TEXTS if d in names] or names
    listed, skipped, not_run, pivots = registry(folder)
    order = [("decode", v) for v in listed]
    for r in rows:
        if r["kind"] in ("decode", "build", "file") and ("decode", r["variant"]) not in order:
            order.append(("decode", r["variant"]))
    found = {r["variant"] for r in rows if r["kind"] == "peer"}
    order += [("peer", p) for p in PEERS if p in found] + [("peer", p) for p in sorted(found - set(PEERS))]
    base = mean_mbs(rows, "peer", "zstd-literals", "", datasets)
    process = {r["variant"]: r for r in rows if r["kind"] == "process"}
    big = next(iter(process.values()))["dataset"] if process else ""

    print(f"Decode throughput, one thread, MB/s of decoded bytes, mean over {', '.join(datasets)}")
    print("H278 files with L=11: K=4 segmented streams (default), K=32 interleaved and K=32 segmented (SIMD layouts),")
    print("and the pivot layout (the pivot decoders' rows)")
    print(f"{'':5} {'variant / library':17} {'K=4':>7} {'K=32i':>7} {'K=32':>7} {'pivot':>7} {'best vs zstd-literals':>22} "
          f"{'comp.bytes':>10} {'ratio':>5} {'cv%':>5} {'process':>8}  output")
    for kind, v in order:
        label = "H278" if kind == "decode" else "peer"
        if v in skipped:
            print(f"{label:5} {v:17} {'skipped: this CPU lacks the instructions it needs':>55}")
            continue
        # The results this row stands for (serve and pipeline have their own lines).
        mine = [r for r in rows if r["variant"] == v and
                r["kind"] in (("peer",) if kind == "peer" else ("decode", "build", "file", "process"))]
        k4 = mean_mbs(rows, kind, v, "", datasets)
        k32 = mean_mbs(rows, kind, v, "K:32i", datasets) if kind == "decode" else None
        k32s = mean_mbs(rows, kind, v, "K:32", datasets) if kind == "decode" else None
        # A pivot decoder's rows without parameters are the pivot layout.
        pv, k4 = (k4, None) if v in pivots else (None, k4)
        best, best_params = max(((x, p) for x, p in ((k4, ""), (k32, "K:32i"), (k32s, "K:32"), (pv, "")) if x),
                                default=(None, ""))
        ratio = f"{best / base:21.2f}x" if best and base else f"{'-':>22}"
        size, comp = size_ratio(rows, kind, v, best_params, datasets)
        size = f"{size:10.0f} {comp:5.2f}" if size else f"{'-':>10} {'-':>5}"
        cv = cv_max(rows, kind, v, best_params, datasets)
        cv = f"{cv:5.1f}" if cv is not None else f"{'-':>5}"
        proc = process.get(v)
        pm = float(proc["mb_per_s"]) if proc and proc["checked"] == "yes" else None
        bad = sum(r["checked"] != "yes" for r in mine)
        status = "checked" if mine and not bad else (f"{bad} NOT CHECKED (wrong output or failed)" if bad
                                                     else "no results")
        print(f"{label:5} {v:17} {cell(k4)} {cell(k32)} {cell(k32s)} {cell(pv)} {ratio} {size} {cv} {cell(pm, 8)}  {status}")
    print(f"cv% = the largest coefficient of variation of the repetitions among the rows of the best column "
          f"(above {NOISY_CV:.0f}: noisy)")
    if process:
        print(f"process = the whole `h278 decompress` process on {big} (hyperfine median)")
    if not_run:
        print(f"{', '.join(sorted(not_run))}: no rows on blocks their lanes do not take (K=4 among them: "
              "their fallback decodes those, and its row times it); their process column is on a copy in the layout their "
              "lanes take")

    serve = [r for r in rows if r["kind"] == "serve"]
    if serve:
        print(f"\nDecode threads through shared memory (h278 serve --threads N, fed {serve[0]['dataset']}), MB/s:")
        found = {r["variant"] for r in serve}
        for v in [v for v in listed if v in found] + sorted(found - set(listed)):
            cells = [f"{r['params'].split(':')[1]}: " + (f"{float(r['mb_per_s']):5.0f}" if r["mb_per_s"] else "FAILED")
                     for r in serve if r["variant"] == v]
            print(f"  {v:14} threads " + "   ".join(cells))
    pipe = [r for r in rows if r["kind"] == "pipeline"]
    if pipe:
        print(f"\nWhole feed -> serve pipeline (processes started, {pipe[0]['dataset']} once, hyperfine median), MB/s:")
        print("  " + "   ".join(f"{r['variant']} {r['params'].replace(':', ' ')}: "
                                + (f"{float(r['mb_per_s']):.0f}" if r["mb_per_s"] else "FAILED") for r in pipe))
    transport(folder)
    producers(folder)
    headline(folder)
    profile(folder)
    reliability(folder, rows)
    bad = [r["name"] for r in rows if r["checked"] != "yes"]
    if bad:
        print(f"\n{len(bad)} results NOT checked (no number reported): " + ", ".join(bad[:8])
              + (" ..." if len(bad) > 8 else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
