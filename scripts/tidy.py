#!/usr/bin/env python3
"""tidy.py - one CSV row per benchmark from a results folder.

Reads what scripts/bench.sh wrote there and writes results.csv:

  bench.json               google-benchmark (each repetition, and their median)
  serve-threads.jsonl      h278 serve --json, one line per repetition
  hyperfine-*.json         whole processes (h278 decompress, feed -> serve)
  checks.tsv               "name<TAB>ok" output checks of the serve and
                           hyperfine runs (google-benchmark checks its own)

Columns:

  kind           decode, build, file, peer (google-benchmark), serve,
                 process, pipeline
  name           the benchmark's full name, e.g. decode/hybrid/alice29.txt/L:15
  variant        decoder variant, or the peer library
  dataset        dataset name (a user file's base name)
  params         what follows the dataset in the name ("" = default settings)
  mb_per_s       decoded bytes per second / 1e6: the median over repetitions
  ns_per_symbol  ns per decoded byte (one symbol = one byte): the benchmark
                 thread's CPU time for google-benchmark rows, wall clock
                 for serve, process and pipeline
  tsc_per_symbol wall-clock time-stamp-counter ticks per byte (NOT core
                 cycles); google-benchmark rows only
  compressed_bytes  the input's size: the whole .h278 file of that layout,
                 or the peer's own frames; google-benchmark rows only
  ratio          decoded bytes / compressed_bytes; google-benchmark rows only
  repetitions    how many measurements the median is over
  mb_per_s_min, mb_per_s_max
                 the slowest and fastest repetition (the spread the charts
                 draw); empty with one repetition
  cv             coefficient of variation of the repetitions' MB/s, in %
                 (standard deviation / mean): above 5 the row is noisy
  samples        every repetition's MB/s, space-separated (what
                 scripts/compare.sh tests for significance)
  checked        yes = the output was compared with the original bytes and
                 matched; no = it differed or the run failed (no number then)

Only Python's standard library is used.

  python3 scripts/tidy.py RESULTS_FOLDER
"""
import csv
import glob
import json
import os
import statistics
import sys

COLUMNS = ["kind", "name", "variant", "dataset", "params", "mb_per_s", "ns_per_symbol",
           "tsc_per_symbol", "compressed_bytes", "ratio", "repetitions", "mb_per_s_min", "mb_per_s_max", "cv",
           "samples", "checked"]


def split_name(name):
    parts = name.split("/")
    kind = parts[0]
    variant = parts[1] if len(parts) > 1 else ""
    dataset = parts[2] if len(parts) > 2 else ""
    return kind, variant, dataset, "/".join(parts[3:])


def row(name, mbs, ns, tsc, reps, ok, size=None, ratio=None, samples=()):
    kind, variant, dataset, params = split_name(name)
    ok = ok and mbs is not None and mbs > 0
    spread = ok and len(samples) > 1
    return {
        "mb_per_s_min": f"{min(samples):.1f}" if spread else "",
        "mb_per_s_max": f"{max(samples):.1f}" if spread else "",
        "cv": f"{100 * statistics.stdev(samples) / statistics.mean(samples):.2f}" if spread else "",
        "samples": " ".join(f"{x:.1f}" for x in samples) if ok else "",
        "kind": kind, "name": name, "variant": variant, "dataset": dataset, "params": params,
        "mb_per_s": f"{mbs:.1f}" if ok else "",
        "ns_per_symbol": f"{ns:.4f}" if ok and ns is not None else "",
        "tsc_per_symbol": f"{tsc:.4f}" if ok and tsc else "",  # 0: no TSC
        "compressed_bytes": f"{size:.0f}" if size else "",
        "ratio": f"{ratio:.4f}" if ratio else "",
        "repetitions": reps, "checked": "yes" if ok else "no",
    }


def google_rows(folder):
    """One row per benchmark of bench.json: its median aggregate if it has
    one, else its single run; an error in any repetition makes it checked=no."""
    path = os.path.join(folder, "bench.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        bench = json.load(f)
    runs = {}
    for b in bench["benchmarks"]:
        name = b.get("run_name", b["name"])
        e = runs.setdefault(name, {"runs": [], "median": None, "error": False, "reps": 0})
        e["reps"] = max(e["reps"], int(b.get("repetitions", 1)))
        if b.get("error_occurred"):
            e["error"] = True
        elif b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                e["median"] = b
        else:
            e["runs"].append(b)
    rows = []
    for name, e in runs.items():
        b = e["median"]
        if b is None and e["runs"]:
            # Repetitions reported one by one: take the median run by speed.
            b = sorted(e["runs"], key=lambda r: r.get("bytes_per_second", 0))[len(e["runs"]) // 2]
        ok = b is not None and not e["error"]
        samples = [r["bytes_per_second"] / 1e6 for r in e["runs"]]
        rows.append(row(name, b["bytes_per_second"] / 1e6 if ok else None, b.get("ns/symbol") if ok else None,
                        b.get("tsc_ticks/symbol") if ok else None, e["reps"], ok,
                        b.get("compressed_bytes") if b else None, b.get("ratio") if b else None, samples))
    return rows


def load_checks(folder):
    checks = {}
    path = os.path.join(folder, "checks.tsv")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "\t" in line:
                    name, status = line.rstrip("\n").split("\t", 1)
                    checks[name] = status == "ok"
    return checks


def serve_errors(s):
    """Blocks or sessions the server reported as failed."""
    return s.get("block_errors", s.get("bad_blocks", 0)) + s.get("failed_sessions", 0)


def serve_rows(folder, checks):
    """The decode threads sweep: the server's own bytes_out / seconds."""
    path = os.path.join(folder, "serve-threads.jsonl")
    if not os.path.exists(path):
        return []
    sessions = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                sessions.setdefault(r["name"], []).append(r)
    rows = []
    for name, reps in sessions.items():
        good = [r["serve"] for r in reps if r["exit_status"] == 0 and r["serve"]
                and serve_errors(r["serve"]) == 0 and r["serve"].get("seconds", 0) > 0]
        ok = checks.get(name, False) and len(good) == len(reps)
        samples = [s["bytes_out"] / s["seconds"] / 1e6 for s in good]
        mbs = statistics.median(samples) if ok else None
        rows.append(row(name, mbs, 1e3 / mbs if mbs else None, None, len(reps), ok, samples=samples))
    return rows


def hyperfine_rows(folder, checks):
    """Whole processes: decoded bytes / median wall time. Commands are named
    kind/variant/dataset[/params]."""
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "hyperfine-*.json"))):
        with open(path) as f:
            hf = json.load(f)
        size = hf.get("h278_decoded_bytes")
        for r in hf["results"]:
            name = r["command"]
            ok = bool(size) and checks.get(name, False) and r.get("median", 0) > 0
            mbs = size / r["median"] / 1e6 if ok else None
            samples = [size / t / 1e6 for t in r.get("times", []) if t > 0] if ok else []
            rows.append(row(name, mbs, r["median"] * 1e9 / size if ok else None, None,
                            len(r.get("times", [])), ok, samples=samples))
    return rows


def main(folder):
    checks = load_checks(folder)
    rows = google_rows(folder) + serve_rows(folder, checks) + hyperfine_rows(folder, checks)
    kinds = ["decode", "build", "file", "peer", "serve", "process", "pipeline"]
    rows.sort(key=lambda r: (kinds.index(r["kind"]) if r["kind"] in kinds else len(kinds), r["name"]))
    if not rows:
        sys.exit(f"tidy.py: no benchmark results in {folder}")
    out = os.path.join(folder, "results.csv")
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    bad = sum(r["checked"] != "yes" for r in rows)
    print(f"tidy.py: {len(rows)} rows -> {out}" + (f" ({bad} NOT checked: see the checked column)" if bad else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
