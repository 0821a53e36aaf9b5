#!/usr/bin/env python3
"""prepare.py - turns RESULTS/results.csv into the small data files the
gnuplot scripts in plots/ read (RESULTS/charts/*.dat). Only rows whose
output was checked carry numbers; the others are left out.

  python3 plots/prepare.py RESULTS_FOLDER
"""
import csv
import os
import re
import sys

TEXTS = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]


def load(folder):
    with open(os.path.join(folder, "results.csv")) as f:
        return [r for r in csv.DictReader(f) if r["checked"] == "yes" and r["mb_per_s"]]


def table(path, header, rows):
    with open(path, "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")


def main(folder):
    rows = load(folder)
    out = os.path.join(folder, "charts")
    os.makedirs(out, exist_ok=True)
    mbs = {(r["kind"], r["variant"], r["dataset"], r["params"]): float(r["mb_per_s"]) for r in rows}
    variants = sorted({r["variant"] for r in rows if r["kind"] == "decode"},
                      key=lambda v: ["tree", "table", "hybrid", "multisym"].index(v)
                      if v in ["tree", "table", "hybrid", "multisym"] else 99)
    peers = [p for p in ["zstd-literals", "zstd-3", "libdeflate", "isal", "zlib"]
             if any(r["variant"] == p for r in rows)]
    columns = [("decode", v) for v in variants if v != "tree"] + [("peer", p) for p in peers]

    # 1. Per-dataset bars: every default-configuration dataset.
    datasets = []
    for r in rows:
        if r["kind"] == "decode" and not r["params"] and r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    table(os.path.join(out, "datasets.dat"), ["dataset"] + [c[1] for c in columns],
          [[d] + [mbs.get((k, v, d, ""), "NaN") for k, v in columns] for d in datasets])

    # 2. Size sweep (text-*), 3. entropy sweep (iid-*).
    def sweep(prefix, key):
        pts = sorted({r["dataset"] for r in rows if r["dataset"].startswith(prefix)}, key=key)
        return [[key(d)] + [mbs.get((k, v, d, ""), "NaN") for k, v in columns] for d in pts]

    def size_of(name):
        m = re.match(r"text-(\d+)(KB|MB)", name)
        return int(m.group(1)) * (1000 if m.group(2) == "KB" else 1000000) if m else 0

    table(os.path.join(out, "size.dat"), ["bytes"] + [c[1] for c in columns], sweep("text-", size_of))
    table(os.path.join(out, "entropy.dat"), ["bits_per_byte"] + [c[1] for c in columns],
          sweep("iid-", lambda d: float(d.split("-")[1])))

    # 4. L sweep, 5. K sweep, 6. table-width sweeps, on the sweep dataset.
    sweep_ds = next((r["dataset"] for r in rows if r["params"].startswith("L:")), None)
    scalar = [v for v in variants if v != "tree"]
    if sweep_ds:
        Ls = sorted({int(r["params"][2:]) for r in rows if re.fullmatch(r"L:\d+", r["params"])} | {11})
        table(os.path.join(out, "L.dat"), ["L"] + scalar,
              [[L] + [mbs.get(("decode", v, sweep_ds, "" if L == 11 else f"L:{L}"), "NaN") for v in scalar]
               for L in Ls])
        Ks = ["1", "4", "4i", "8", "8i", "16", "16i", "32", "32i"]
        table(os.path.join(out, "K.dat"), ["K"] + scalar,
              [[k] + [mbs.get(("decode", v, sweep_ds, "" if k == "4" else f"K:{k}"), "NaN") for v in scalar]
               for k in Ks])
        bits = sorted({int(r["params"].split(":")[-1]) for r in rows if "short_bits:" in r["params"]})
        table(os.path.join(out, "bits.dat"),
              ["bits", "hybrid_L11", "hybrid_L15", "multisym_L11", "multisym_L15"],
              [[b, mbs.get(("decode", "hybrid", sweep_ds, f"short_bits:{b}"), "NaN"),
                mbs.get(("decode", "hybrid", sweep_ds, f"L:15/short_bits:{b}"), "NaN"),
                mbs.get(("decode", "multisym", sweep_ds, f"table_bits:{b}"), "NaN"),
                mbs.get(("decode", "multisym", sweep_ds, f"L:15/table_bits:{b}"), "NaN")] for b in bits])
        with open(os.path.join(out, "sweep_dataset.txt"), "w") as f:
            f.write(sweep_ds + "\n")

    # 7. Build versus decode time for small inputs (microseconds per file).
    small = [d for d in ["text-1KB", "text-4KB", "text-16KB", "text-64KB"] if ("decode", "multisym", d, "") in mbs]
    split = []
    for d in small:
        size = size_of(d)
        row = [d]
        for v in scalar:
            b, dec = mbs.get(("build", v, d, "")), mbs.get(("decode", v, d, ""))
            row += [size / b if b else "NaN", size / dec if dec else "NaN"]
        split.append(row)
    table(os.path.join(out, "split.dat"), ["dataset"] + [f"{v}_{p}" for v in scalar for p in ("build_us", "decode_us")],
          split)
    with open(os.path.join(out, "columns.txt"), "w") as f:
        f.write(" ".join(c[1] for c in columns) + "\n")
    with open(os.path.join(out, "scalar.txt"), "w") as f:
        f.write(" ".join(scalar) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
