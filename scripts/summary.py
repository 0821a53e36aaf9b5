#!/usr/bin/env python3
"""summary.py - the short table the main job ends with: every decoder
variant and peer, its decode MB/s (mean over the summary datasets) on H278
files with K=4 segmented streams and with K=32 interleaved streams (the SIMD
layout), and its best ratio to the zstd Huffman decoder (zstd-literals) on
the same input bytes. Summary datasets: the four Canterbury texts when
present, else every dataset of the run.

  python3 scripts/summary.py RESULTS_FOLDER
"""
import csv
import os
import sys

TEXTS = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]


def mean_mbs(rows, kind, variant, params, datasets):
    vals = [float(r["mb_per_s"]) for r in rows
            if r["kind"] == kind and r["variant"] == variant and r["params"] == params
            and r["dataset"] in datasets and r["checked"] == "yes"]
    return sum(vals) / len(vals) if vals and len(vals) == len(datasets) else None


def main(folder):
    with open(os.path.join(folder, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    names = sorted({r["dataset"] for r in rows if r["kind"] == "decode" and not r["params"]})
    datasets = [d for d in TEXTS if d in names] or names
    order = []
    for r in rows:
        if r["kind"] in ("decode", "peer") and not r["params"] and (r["kind"], r["variant"]) not in order:
            order.append((r["kind"], r["variant"]))
    base = mean_mbs(rows, "peer", "zstd-literals", "", datasets)
    failed = {(r["kind"], r["variant"]) for r in rows if r["checked"] != "yes"}
    print(f"Decode throughput, single thread, MB/s, mean over: {', '.join(datasets)}")
    print("H278 files at L=11 with K=4 segmented streams, and with K=32 interleaved (SIMD layout)")
    print(f"{'':5} {'variant / library':17} {'K=4':>7} {'K=32i':>7} {'best vs zstd-literals':>22}  output")
    for kind, v in order:
        k4 = mean_mbs(rows, kind, v, "", datasets)
        k32 = mean_mbs(rows, kind, v, "K:32i", datasets) if kind == "decode" else None
        best = max(x for x in (k4, k32, 0) if x is not None)
        cell = lambda x: f"{x:7.0f}" if x else "      -"
        ratio = f"{best / base:21.2f}x" if best and base else f"{'-':>22}"
        print(f"{'H278' if kind == 'decode' else 'peer':5} {v:17} {cell(k4)} {cell(k32)} {ratio}  "
              f"{'WRONG OUTPUT' if (kind, v) in failed else 'checked'}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
