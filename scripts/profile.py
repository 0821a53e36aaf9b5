#!/usr/bin/env python3
"""profile.py - deterministic costs per decoded symbol, from valgrind's
cachegrind: instructions, D1 and LL misses, branches and mispredicted
branches of every decoder variant valgrind can run, on every default
dataset and along the L sweep. Writes profile.csv into a results folder.

  python3 scripts/profile.py RESULTS_FOLDER --tool build-release/bench/h278-profile
                             [--quick] [--data=PATH]... [--variants a,b] [--jobs N]

How (docs/BENCHMARKS.md, "Deterministic costs per symbol"):
  - `h278-profile prepare` (natively) writes every dataset compressed in
    each layout; `h278-profile list` under valgrind names the variants
    valgrind runs (it has no AVX-512, so those variants are left out and
    "simd" resolves to an AVX2 one).
  - Each (variant, dataset) is run twice under cachegrind with branch
    simulation: `h278-profile run` with 1 decode pass and with 1 + PASSES.
    Cachegrind 3.19 cannot switch counting on and off around a region, so
    decode alone is the difference of the two runs divided by PASSES and by
    the symbols (decoded bytes): reading the file, parsing, building the
    tables, the first (cold) pass and the output check cancel out.
  - The caches are fixed, not the host's: I1 32 KiB 8-way, D1 48 KiB
    12-way, LL 2 MiB 16-way, 64-byte lines (one core of the measured
    machine, its private L2 as the last level: a virtual machine's shared
    L3 of hundreds of MiB would hide every miss). So the counts depend only
    on the build and the data: two runs agree exactly, and any machine gets
    the same counts from the same build.

Columns of profile.csv: variant, dataset, group (the dataset's group, or
L-sweep), L, layout (the file the variant decoded: k4, k32i, k32, pivot),
symbols, entropy (order-0, bits per byte), then per decoded symbol:
instructions, d1_misses, ll_misses (data reads and writes), branches,
mispredicts (conditional and indirect).
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

PASSES = 2
NOT_TAKEN = 3  # h278-profile run: the variant's own loop takes none of the file's layouts
CACHES = ["--I1=32768,8,64", "--D1=49152,12,64", "--LL=2097152,16,64"]
CACHE_NOTE = "I1 32 KiB 8-way, D1 48 KiB 12-way, LL 2 MiB 16-way, 64 B lines"
COLUMNS = ["variant", "dataset", "group", "L", "layout", "symbols", "entropy", "instructions", "d1_misses",
           "ll_misses", "branches", "mispredicts"]


def cachegrind(tool, variant, base, passes, tmp):
    """Runs one decode under cachegrind: (layout, {event: count})."""
    out = os.path.join(tmp, f"cg.{variant}.{os.path.basename(base)}.{passes}")
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes", *CACHES,
           f"--cachegrind-out-file={out}", "-q", tool, "run", variant, base, str(passes)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == NOT_TAKEN:
        return None, None
    if r.returncode != 0:
        raise RuntimeError(f"{variant} on {os.path.basename(base)}: {r.stderr.strip().splitlines()[-1:]}")
    events = summary = None
    with open(out) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("summary:"):
                summary = [int(x) for x in line.split()[1:]]
    os.remove(out)
    if not events or not summary:
        raise RuntimeError(f"{variant} on {os.path.basename(base)}: cachegrind wrote no summary")
    return r.stdout.strip(), dict(zip(events, summary))


def profile_one(tool, variant, entry, tmp):
    base = os.path.join(tmp, entry["base"])
    layout, one = cachegrind(tool, variant, base, 1, tmp)
    if layout is None:
        return None
    layout2, more = cachegrind(tool, variant, base, 1 + PASSES, tmp)
    if layout2 != layout:
        raise RuntimeError(f"{variant} on {entry['base']}: the two runs chose different layouts")
    n = PASSES * int(entry["bytes"])

    def per(*events):
        return sum(more.get(e, 0) - one.get(e, 0) for e in events) / n

    return {
        "variant": variant, "dataset": entry["dataset"], "group": entry["group"], "L": entry["L"],
        "layout": layout, "symbols": entry["bytes"], "entropy": entry["entropy"],
        "instructions": f"{per('Ir'):.4f}", "d1_misses": f"{per('D1mr', 'D1mw'):.5f}",
        "ll_misses": f"{per('DLmr', 'DLmw'):.5f}", "branches": f"{per('Bc', 'Bi'):.4f}",
        "mispredicts": f"{per('Bcm', 'Bim'):.5f}",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", help="results folder: profile.csv goes there")
    ap.add_argument("--tool", required=True, help="the h278-profile executable")
    ap.add_argument("--quick", action="store_true", help="the quick datasets, L in steps of 4")
    ap.add_argument("--data", action="append", default=[], metavar="PATH", help="your own files instead")
    ap.add_argument("--variants", help="comma-separated; default: every variant valgrind runs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    try:
        subprocess.run(["valgrind", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        sys.exit("profile.py: valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        prep = [a.tool, "prepare", tmp] + (["--quick"] if a.quick else []) + [f"--data={p}" for p in a.data]
        subprocess.run(prep, check=True)
        with open(os.path.join(tmp, "index.tsv")) as f:
            entries = list(csv.DictReader(f, delimiter="\t"))
        def listing(*prefix):  # [(variant, runs)] in registry order
            out = subprocess.run([*prefix, a.tool, "list"], capture_output=True, text=True, check=True).stdout
            return [(line.split("\t")[0], line.endswith("\truns")) for line in out.splitlines()]

        registry = [v for v, _ in listing()]
        native = [v for v, runs in listing() if runs]
        runnable = [v for v, runs in listing("valgrind", "-q", "--tool=none") if runs]
        variants = a.variants.split(",") if a.variants else runnable
        missing = [v for v in variants if v not in runnable]
        if missing:
            sys.exit(f"profile.py: valgrind cannot run {', '.join(missing)} (it runs: {', '.join(runnable)})")
        left_out = [v for v in native if v not in runnable]
        if left_out:
            print(f"  left out: {', '.join(left_out)} (valgrind has no AVX-512: under it the CPU reports none, "
                  "and the dispatch takes the AVX2 or scalar variants)")
        jobs = [(v, e) for v in variants for e in entries]
        print(f"  {len(jobs)} profiles ({len(variants)} variants x {len(entries)} datasets), 2 cachegrind runs "
              f"each, {a.jobs} at a time; caches: {CACHE_NOTE}")
        rows, failed, not_run, t0 = [], [], {}, time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            futures = {pool.submit(profile_one, a.tool, v, e, tmp): (v, e) for v, e in jobs}
            for done, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                try:
                    row = fut.result()
                    if row:
                        rows.append(row)
                    else:
                        not_run[futures[fut][0]] = not_run.get(futures[fut][0], 0) + 1
                except RuntimeError as err:
                    failed.append(str(err))
                if done % 25 == 0 or done == len(jobs):
                    spent = time.time() - t0
                    print(f"  {done}/{len(jobs)} done, {spent:.0f} s, about {spent / done * (len(jobs) - done):.0f} s left",
                          flush=True)
    order = {v: i for i, v in enumerate(variants)}
    rows.sort(key=lambda r: (order[r["variant"]], r["group"] == "L-sweep", r["dataset"], int(r["L"])))
    with open(os.path.join(a.folder, "profile.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    # A --profile run has no benchmark context: the registry's order is
    # what the charts take each variant's colour from.
    context = os.path.join(a.folder, "context.json")
    if not os.path.exists(context):
        with open(context, "w") as f:
            json.dump({"h278_variants": ",".join(registry)}, f)
            f.write("\n")
    version = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(a.folder, "machine.txt"), "a") as f:
        f.write(f"profile: {version} cachegrind, {CACHE_NOTE}; decode alone = (1 + {PASSES} passes) - (1 pass)\n")
    for v, n in not_run.items():
        print(f"  {n} profile(s) of {v} not run: its own loop takes none of those files' blocks "
              "(codes longer than its lanes take); its fallback's rows count that")
    for msg in failed:
        print(f"  FAILED: {msg}", file=sys.stderr)
    print(f"  profile.csv: {len(rows)} rows{f', {len(failed)} failed' if failed else ''}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
