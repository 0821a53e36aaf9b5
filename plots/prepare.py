#!/usr/bin/env python3
"""prepare.py - turns RESULTS/results.csv (and profile.csv, the cachegrind
counts) into the small tab-separated data files the gnuplot scripts in
plots/ read (RESULTS/charts/*.dat), and
RESULTS/charts/meta.gp with what the scripts need to know (column counts,
colours, the sweep dataset, core count).

Only rows whose output was checked carry numbers; the others are left out
(a gap in a line, a missing bar). Each series keeps one colour in every
chart, and has three columns: the median MB/s, the slowest and the
fastest repetition (its error bar). The H278 series: every variant except tree (about 100 MB/s, it
would flatten every chart), each in the stream layout it is faster with on
the summary's datasets (K=4 segmented or K=32 interleaved), named so. The peers
beside them, except memcpy (tens of GB/s: the ceiling, not a decoder).

  python3 plots/prepare.py RESULTS_FOLDER
"""
import csv
import json
import math
import os
import re
import statistics
import sys

# Colours (gnuplot linetypes, see common.gp): the peer libraries keep fixed
# warm ones; the H278 variants take cool ones in registry order, from
# linetype VARIANT_LT on, so a new variant gets its own colour with no edit
# here (after VARIANT_COLOURS of them the colours repeat).
PEER_COLOURS = {"zstd-literals": 6, "zstd-3": 7, "libdeflate": 8, "isal": 9, "zlib": 10}
VARIANT_LT, VARIANT_COLOURS = 21, 12
TEXTS = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]  # as scripts/summary.py
GENERATED = re.compile(r"^(iid|zipf|geometric|fibonacci|text)-")


def colour(name, registry):
    """The linetype of a series ("avx512 K=32i" is avx512's), given the
    run's variants in registry order; black for anything else."""
    name = name.split(" ")[0]
    if name in PEER_COLOURS:
        return PEER_COLOURS[name]
    if name in registry:
        return VARIANT_LT + registry.index(name) % VARIANT_COLOURS
    return 11


def dataset_key(name):
    """Real files by name; generated sets by family, then parameter."""
    m = GENERATED.match(name)
    if not m:
        return (0, name.lower(), 0.0)
    family = ["iid", "zipf", "geometric", "fibonacci", "text"].index(m.group(1))
    num = re.search(r"[0-9.]+", name[len(m.group(0)):])
    return (1 + family, "", size_of(name) or (float(num.group(0).rstrip(".")) if num else 0.0))


def size_of(name):
    m = re.fullmatch(r"text-(\d+)(KB|MB)", name)
    return int(m.group(1)) * (1000 if m.group(2) == "KB" else 1000000) if m else 0


class Results:
    """results.csv (none in a --profile run): MB/s and its spread per row."""
    def __init__(self, folder):
        path = os.path.join(folder, "results.csv")
        self.rows = list(csv.DictReader(open(path))) if os.path.exists(path) else []
        self.mbs, self.spread = {}, {}
        for r in self.rows:
            if r["checked"] == "yes" and r["mb_per_s"]:
                key = (r["kind"], r["variant"], r["dataset"], r["params"])
                self.mbs[key] = float(r["mb_per_s"])
                if r.get("mb_per_s_min") and r.get("mb_per_s_max"):
                    self.spread[key] = (float(r["mb_per_s_min"]), float(r["mb_per_s_max"]))

    def get(self, kind, variant, dataset, params=""):
        return self.mbs.get((kind, variant, dataset, params), "NaN")

    def cell(self, kind, variant, dataset, params=""):
        """[median, slowest, fastest] MB/s: the three columns a series has in
        every data file, for its error bars (a single run: all three equal;
        no result: NaN)."""
        key = (kind, variant, dataset, params)
        if key not in self.mbs:
            return ["NaN"] * 3
        return [self.mbs[key], *self.spread.get(key, (self.mbs[key], self.mbs[key]))]


def triples(labels):
    """Column names of series with spread: NAME, NAME min, NAME max."""
    return [x for name in labels for x in (name, f"{name} min", f"{name} max")]


def write(path, header, rows):
    with open(path, "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(f"{x:.5g}" if isinstance(x, float) else str(x) for x in r) + "\n")


def main(folder):
    res = Results(folder)
    rows = res.rows
    out = os.path.join(folder, "charts")
    os.makedirs(out, exist_ok=True)
    meta = {}

    # Registry order (the run's context), whatever order the runs had.
    registry, pivots, context = [], set(), {}
    try:
        with open(os.path.join(folder, "context.json")) as f:
            context = json.load(f)
        registry = context.get("h278_variants", "").split(",")
        pivots = set(context.get("h278_pivot_variants", "").split(","))  # their plain rows: pivot layout
    except (OSError, ValueError, AttributeError):
        pass
    found = {r["variant"] for r in rows if r["kind"] == "decode" and r["variant"] != "tree"}
    registry = [v for v in registry if v] or ["tree"] + sorted(found)  # a run without context.json
    variants = [v for v in registry if v in found] + sorted(found - set(registry))
    peers = [p for p in PEER_COLOURS if any(r["kind"] == "peer" and r["variant"] == p for r in rows)]
    for v in ("hybrid", "multisym"):  # bits.gp's two series
        meta[f"lt_{v}"] = colour(v, registry)
    datasets = sorted({r["dataset"] for r in rows if r["kind"] == "decode" and not r["params"]}, key=dataset_key)

    # Each variant's layout: the faster one on the datasets the summary
    # uses (the Canterbury texts, else the real files, else all).
    basis = ([d for d in TEXTS if d in datasets] or [d for d in datasets if not GENERATED.match(d)]
             or datasets)
    series = []
    for v in variants:
        def mean(p):
            vals = [res.mbs.get(("decode", v, d, p), 0) for d in basis]
            return statistics.mean(vals) if vals else 0
        p = max(("", "K:32i", "K:32"), key=mean)
        layout = "(pivot layout)" if v in pivots else f"K={p[2:] if p else '4'}"
        series.append(("decode", v, p, f"{v} {layout}"))
    series += [("peer", p, "", p) for p in peers]
    labels = [s[3] for s in series]
    meta["nseries"] = len(series)
    meta["series_lt"] = " ".join(str(colour(s[3], registry)) for s in series)

    def bars(name, names):
        """Writes a bar chart's data; returns its y limit (0 = automatic).
        A dataset far faster than the rest (aaa.txt: one symbol, RUN
        blocks) would flatten every other bar: the axis then stops above
        the others and that dataset's label gives its top speed."""
        table = [[d] + [x for k, v, p, _ in series for x in res.cell(k, v, d, p)] for d in names]
        tops = [max([x for x in r[1::3] if x != "NaN"], default=0) for r in table]
        limit = 0.0
        if tops and max(tops) > 3 * statistics.median(tops):
            limit = 1.15 * max(t for t in tops if t <= 3 * statistics.median(tops))
            for r, top in zip(table, tops):
                if top > limit:
                    r[0] = f"{r[0]}: {top / 1000:.0f} GB/s"
        write(os.path.join(out, name), ["dataset"] + triples(labels), table)
        return limit

    # Per-dataset bars: real files (Canterbury or the user's), generated data.
    meta["datasets_ymax"] = bars("datasets.dat", [d for d in datasets if not GENERATED.match(d)])
    meta["generated_ymax"] = bars("generated.dat",
                                  [d for d in datasets if GENERATED.match(d) and not d.startswith("text-")])

    # Throughput against input size (text-*), and against entropy (iid-*).
    sizes = sorted((d for d in datasets if size_of(d)), key=size_of)
    write(os.path.join(out, "size.dat"), ["bytes"] + triples(labels),
          [[size_of(d)] + [x for k, v, p, _ in series for x in res.cell(k, v, d, p)] for d in sizes])
    iid = sorted((d for d in datasets if re.fullmatch(r"iid-[0-9.]+", d)), key=lambda d: float(d[4:]))
    write(os.path.join(out, "entropy.dat"), ["bits_per_byte"] + triples(labels),
          [[d[4:]] + [x for k, v, p, _ in series for x in res.cell(k, v, d, p)] for d in iid])

    # Parameter sweeps, on the sweep dataset (the one with /L: rows).
    sweep = next((r["dataset"] for r in rows if r["kind"] == "decode" and r["params"].startswith("L:")), "")
    meta["sweep"] = sweep
    meta["nvariants"] = len(variants)
    meta["variants_lt"] = " ".join(str(colour(v, registry)) for v in variants)
    if sweep:
        Ls = sorted({int(r["params"][2:]) for r in rows if re.fullmatch(r"L:\d+", r["params"])} | {11})
        # K=4 segmented (the default) and K=32 interleaved (the SIMD layout).
        lmax = 1.0
        for name, prefix in (("L.dat", ""), ("L_interleaved.dat", "K:32i")):
            pts = [[L] + [x for v in variants
                          for x in res.cell("decode", v, sweep,
                                            "/".join(x for x in (prefix, "" if L == 11 else f"L:{L}") if x))]
                   for L in Ls]
            lmax = max([lmax] + [x for r in pts for x in r[1:] if x != "NaN"])
            write(os.path.join(out, name), ["L"] + triples(variants), pts)
        meta["L_ymax"] = float(lmax)  # both panels share one scale
        # Segmented and interleaved layouts; K=1 is the same stream in both.
        kmax = 1.0
        for layout, suffix in (("segmented", ""), ("interleaved", "i")):
            pts = []
            for K in (1, 4, 8, 16, 32):
                p = "" if (K == 4 and not suffix) else f"K:{K}" + ("" if K == 1 else suffix)
                pts.append([K] + [x for v in variants for x in res.cell("decode", v, sweep, p)])
                kmax = max([kmax] + [x for x in pts[-1][1:] if x != "NaN"])
            write(os.path.join(out, f"K_{layout}.dat"), ["K"] + triples(variants), pts)
        meta["K_ymax"] = float(kmax)  # both panels share one scale
        bits = sorted({int(r["params"].split(":")[-1]) for r in rows
                       if re.search(r"(short|table)_bits:\d+$", r["params"])})
        write(os.path.join(out, "bits.dat"),
              ["bits"] + triples(["hybrid short_bits, L=11", "hybrid short_bits, L=15",
                                  "multisym table_bits, L=11", "multisym table_bits, L=15"]),
              [[b, *res.cell("decode", "hybrid", sweep, f"short_bits:{b}"),
                *res.cell("decode", "hybrid", sweep, f"L:15/short_bits:{b}"),
                *res.cell("decode", "multisym", sweep, f"table_bits:{b}"),
                *res.cell("decode", "multisym", sweep, f"L:15/table_bits:{b}")] for b in bits])

    # Table build against decode, per file, for the text sizes: microseconds
    # (bytes / MB/s; with the spread: the slowest and fastest repetitions)
    # and the share of the time spent building tables.
    split = []
    for d in sizes:
        row = [size_of(d)]
        for v in variants:
            b, dec = res.cell("build", v, d), res.cell("decode", v, d)
            ok = "NaN" not in b + dec
            us = lambda c: [size_of(d) / c[0], size_of(d) / c[2], size_of(d) / c[1]] if ok else ["NaN"] * 3
            bu, du = us(b), us(dec)
            row += bu + du + [100 * bu[0] / (bu[0] + du[0]) if ok else "NaN"]
        split.append(row)
    write(os.path.join(out, "split.dat"),
          ["bytes"] + [f"{v} {x}" for v in variants for x in ("build_us", "build_us_min", "build_us_max", "decode_us",
                                                              "decode_us_min", "decode_us_max", "build_share")],
          split)

    # The strategy map: each variant's decode MB/s (its series above: mean
    # over the summary datasets, its faster layout) against the memory its
    # tables take at L=11 and the time it takes to build them per 128 KiB
    # block (its build rows on the same datasets and layout).
    table_bytes = {}
    try:
        table_bytes = dict((x.split(":")[0], int(x.split(":")[1]))
                           for x in context.get("h278_table_bytes_L11", "").split(",") if ":" in x)
    except (ValueError, AttributeError):
        pass
    strategy = []
    for kind, v, p, label in series:
        if kind != "decode" or v not in table_bytes:
            continue
        dec = [res.mbs.get(("decode", v, d, p)) for d in basis]
        build = [res.mbs.get(("build", v, d, p)) for d in basis]
        if all(dec) and all(build):
            strategy.append([v, table_bytes[v], 131072 / statistics.mean(build), statistics.mean(dec),
                             colour(v, registry)])
    # Where each point's name goes (log axes): above it, or below where a
    # point already named above sits close by (multisym and multisym-bmi2
    # share their tables, table and hybrid nearly).
    for xcol in (1, 2):
        placed = []
        for row in strategy:
            near = any(abs(math.log10(row[xcol] / x)) < 0.12 and abs(math.log10(row[3] / y)) < 0.12
                       for x, y in placed)
            row.append(row[3] / 1.22 if near else row[3] * 1.22)
            if not near:
                placed.append((row[xcol], row[3]))
    write(os.path.join(out, "strategy.dat"), ["variant", "table_bytes", "build_us_per_block", "decode_mb_per_s",
                                              "colour", "label_y_memory", "label_y_build"], strategy)
    meta["strategy_datasets"] = ", ".join(basis)

    # Decode threads through the shared-memory server.
    serve = [r for r in rows if r["kind"] == "serve"]
    found = {r["variant"] for r in serve}
    decoders = [v for v in registry if v in found] + sorted(found - set(registry))
    threads = sorted({int(r["params"].split(":")[1]) for r in serve})
    meta["nthreads_series"] = len(decoders)
    meta["threads_lt"] = " ".join(str(colour(v, registry)) for v in decoders)
    meta["serve_dataset"] = serve[0]["dataset"] if serve else ""
    write(os.path.join(out, "threads.dat"), ["threads"] + triples(decoders),
          [[t] + [x for v in decoders for x in res.cell("serve", v, meta["serve_dataset"], f"threads:{t}")]
           for t in threads])

    # Whole processes (hyperfine): h278 decompress per variant, the pipeline.
    order = {v: i for i, v in enumerate(registry)}
    procs = sorted((r for r in rows if r["kind"] in ("process", "pipeline")),
                   key=lambda r: (r["kind"] != "process", order.get(r["variant"], len(order)), r["params"]))
    write(os.path.join(out, "process.dat"), ["what", "MB/s", "MB/s min", "MB/s max", "colour"],
          [[f"decompress {r['variant']}" if r["kind"] == "process" else
            f"feed->serve {r['variant']}, {r['params'].split(':')[-1]} thread(s)",
            *res.cell(r["kind"], r["variant"], r["dataset"], r["params"]), colour(r["variant"], registry)]
           for r in procs])
    meta["process_dataset"] = procs[0]["dataset"] if procs else ""

    try:
        with open(os.path.join(folder, "machine.txt")) as f:
            m = dict(line.rstrip("\n").split(": ", 1) for line in f if ": " in line)
    except OSError:
        m = {}
    meta["cores"] = m.get("cores", "?").split(" ")[0]
    meta["cpu"] = m.get("cpu", "unknown CPU")
    # The line every chart carries: what measured it, when, from which
    # commit, and how much the spread bars rest on.
    reps = sorted({int(r["repetitions"] or 1) for r in rows}) or [0]
    quick = "--quick" in m.get("bench_command", "")
    how = ("quick run: 1 repetition, no spread" if quick or reps[-1] <= 1 else
           f"{reps[0]}{'' if len(reps) == 1 else '-' + str(reps[-1])} repetitions per point; bars: slowest to fastest")
    meta["run_note"] = (f"{meta['cpu']}, {meta['cores']} cores | {m.get('date', 'no date')[:10]} | "
                        f"commit {m.get('git_commit', 'unknown')[:10]} | {how}")
    meta["profile_note"] = (f"{meta['cpu']} | {m.get('date', 'no date')[:10]} | commit "
                            f"{m.get('git_commit', 'unknown')[:10]} | cachegrind counts: the same on every run")
    profile(folder, out, meta, registry)
    producers(folder, out, meta, m)
    with open(os.path.join(out, "meta.gp"), "w") as f:
        f.write("# Written by plots/prepare.py: what the chart scripts need to know.\n")
        for k, v in meta.items():
            if isinstance(v, (int, float)):
                f.write(f"{k} = {v}\n")
            else:  # a gnuplot string: backslashes and double quotes escaped
                f.write(f'{k} = "{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"\n')


def profile(folder, out, meta, registry):
    """profile.csv (scripts/profile.py), if the run has one: instructions
    and D1 misses per symbol against L on the sweep dataset, mispredicts
    per symbol against entropy (the iid-* sets, else every dataset)."""
    path = os.path.join(folder, "profile.csv")
    rows = list(csv.DictReader(open(path))) if os.path.exists(path) else []
    found = list(dict.fromkeys(r["variant"] for r in rows))  # profile.py writes them in registry order
    variants = [v for v in registry if v in found] + [v for v in found if v not in registry]
    meta["nprofile"] = len(variants)
    meta["profile_lt"] = " ".join(str(colour(v, registry)) for v in variants)
    sweep = next((r["dataset"] for r in rows if r["group"] == "L-sweep"), "")
    meta["profile_sweep"] = sweep
    cell = {(r["variant"], r["dataset"], int(r["L"])): r for r in rows}
    Ls = sorted({int(r["L"]) for r in rows if r["dataset"] == sweep})
    for name, column in (("profile_L.dat", "instructions"), ("profile_d1.dat", "d1_misses")):
        write(os.path.join(out, name), ["L"] + variants,
              [[L] + [float(cell[(v, sweep, L)][column]) if (v, sweep, L) in cell else "NaN" for v in variants]
               for L in Ls] if sweep else [])
    at11 = [r for r in rows if r["group"] != "L-sweep"]
    iid = {r["dataset"] for r in at11 if re.fullmatch(r"iid-[0-9.]+", r["dataset"])}
    chosen = sorted(iid or {r["dataset"] for r in at11},
                    key=lambda d: float(next(r["entropy"] for r in at11 if r["dataset"] == d)))
    meta["profile_entropy_sets"] = "i.i.d. bytes (iid-*)" if iid else "every dataset"
    entropy = {r["dataset"]: float(r["entropy"]) for r in at11}
    write(os.path.join(out, "profile_entropy.dat"), ["bits_per_byte", "dataset"] + variants,
          [[entropy[d], d] + [float(cell[(v, d, 11)]["mispredicts"]) if (v, d, 11) in cell else "NaN"
                              for v in variants] for d in chosen])


def producers(folder, out, meta, machine):
    """producers.csv (h278-shm-bench --producers), if the run has one: the
    total MB/s against the number of producers, one series per thread
    count, and the slowest producer's share of an equal split."""
    path = os.path.join(folder, "producers.csv")
    rows = list(csv.DictReader(open(path))) if os.path.exists(path) else []
    threads = sorted({int(r["threads"]) for r in rows})
    counts = sorted({int(r["producers"]) for r in rows})
    table = []
    for p in counts:
        line = [p]
        for t in threads:
            # Each run's total is on every one of its producers' rows.
            totals = sorted({r["run"]: float(r["total_mb_per_s"]) for r in rows
                             if int(r["producers"]) == p and int(r["threads"]) == t}.values())
            line += [statistics.median(totals), totals[0], totals[-1]] if totals else ["NaN"] * 3
        for t in threads:
            shares = [float(r["share"]) for r in rows if int(r["producers"]) == p and int(r["threads"]) == t]
            line.append(min(shares) if shares else "NaN")
        table.append(line)
    write(os.path.join(out, "producers.dat"),
          ["producers"] + triples([f"{t} thread{'s' if t > 1 else ''}" for t in threads])
          + [f"slowest producer, {t} thread{'s' if t > 1 else ''}" for t in threads], table)
    meta["nproducer_threads"] = len(threads)
    runs = len({r["run"] for r in rows})
    meta["producers_note"] = (f"{meta['cpu']}, {meta['cores']} cores | {machine.get('date', 'no date')[:10]} | "
                              f"commit {machine.get('git_commit', 'unknown')[:10]} | {runs} run{'s' if runs != 1 else ''}"
                              f" per point; bars: slowest to fastest run")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
