#!/usr/bin/env python3
"""tidy.py - one CSV row per benchmark from a results folder.

Reads bench.json (google-benchmark, with repetitions: the median aggregate
is used) and hyperfine-*.json, writes results.csv with the columns

  kind, name, variant, dataset, params, mb_per_s, ns_per_symbol,
  repetitions, checked

kind is decode / build / file / peer / process; MB/s is decoded bytes per
second / 1e6. Benchmarks that reported an error (wrong output) are listed
with checked=no and no number.

  python3 scripts/tidy.py RESULTS_FOLDER
"""
import csv
import glob
import json
import os
import sys


def main(folder):
    rows = []
    with open(os.path.join(folder, "bench.json")) as f:
        bench = json.load(f)
    runs = {}
    for b in bench["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        entry = runs.setdefault(name, {"reps": 0})
        if b.get("error_occurred"):
            entry["error"] = b.get("error_message", "error")
        if b.get("run_type") == "aggregate":
            entry["median"] = b
        else:
            entry["reps"] += 1
            entry.setdefault("single", b)
    for name, e in runs.items():
        b = e.get("median") or e.get("single")
        parts = name.split("/")
        kind, variant, dataset = parts[0], parts[1], parts[2]
        params = "/".join(parts[3:])
        ok = "error" not in e and b is not None
        rows.append({
            "kind": kind, "name": name, "variant": variant, "dataset": dataset, "params": params,
            "mb_per_s": f"{b['bytes_per_second'] / 1e6:.1f}" if ok else "",
            "ns_per_symbol": f"{b['ns/symbol']:.4f}" if ok else "",
            "repetitions": e["reps"], "checked": "yes" if ok else "no",
        })
    for path in sorted(glob.glob(os.path.join(folder, "hyperfine-*.json"))):
        with open(path) as f:
            hf = json.load(f)
        size = hf.get("h278_decoded_bytes")
        for r in hf["results"]:
            # Commands are labelled "process/<variant>/<dataset>".
            parts = r["command"].split("/")
            rows.append({
                "kind": "process", "name": r["command"], "variant": parts[1] if len(parts) > 2 else r["command"],
                "dataset": parts[2] if len(parts) > 2 else "", "params": "",
                "mb_per_s": f"{size / r['median'] / 1e6:.1f}" if size else "",
                "ns_per_symbol": f"{r['median'] * 1e9 / size:.4f}" if size else "",
                "repetitions": len(r.get("times", [])), "checked": "yes",
            })
    with open(os.path.join(folder, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"tidy.py: {len(rows)} rows -> {os.path.join(folder, 'results.csv')}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
