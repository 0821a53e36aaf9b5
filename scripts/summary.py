#!/usr/bin/env python3
"""summary.py - the short table the main job ends with: every decoder
variant and peer, its decode MB/s (mean over the summary datasets, default
configuration) and its ratio to the zstd Huffman decoder (zstd-literals) on
the same bytes. Summary datasets: the four Canterbury texts when present,
else every dataset of the run.

  python3 scripts/summary.py RESULTS_FOLDER
"""
import csv
import os
import sys

TEXTS = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]


def main(folder):
    with open(os.path.join(folder, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    decode = [r for r in rows if r["kind"] in ("decode", "peer") and not r["params"]]
    names = sorted({r["dataset"] for r in decode})
    datasets = [d for d in TEXTS if d in names] or names
    out = []
    order = []
    for r in decode:
        key = (r["kind"], r["variant"])
        if key not in order:
            order.append(key)
    base = None
    for kind, v in order:
        vals = [float(r["mb_per_s"]) for r in decode
                if r["kind"] == kind and r["variant"] == v and r["dataset"] in datasets and r["checked"] == "yes"]
        failed = any(r["checked"] != "yes" for r in decode if r["kind"] == kind and r["variant"] == v)
        mean = sum(vals) / len(vals) if len(vals) == len(datasets) else None
        out.append((kind, v, mean, failed))
        if v == "zstd-literals":
            base = mean
    print(f"Decode throughput, single thread, mean over: {', '.join(datasets)}")
    print(f"{'':8} {'variant / library':16} {'MB/s':>9} {'vs zstd-literals':>17}  output")
    for kind, v, mean, failed in out:
        label = "H278" if kind == "decode" else "peer"
        mb = f"{mean:9.0f}" if mean else "        -"
        ratio = f"{mean / base:16.2f}x" if mean and base else "                -"
        print(f"{label:8} {v:16} {mb} {ratio}  {'WRONG OUTPUT' if failed else 'checked'}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
