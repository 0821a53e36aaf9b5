#!/usr/bin/env bash
# scripts/compare.sh - compares two results folders: did a change make
# things faster, slower, or nothing you can tell from noise?
#
#   bash scripts/compare.sh RUN_A RUN_B [--filter=REGEX] [-o OUT_DIR]
#
#   RUN_A, RUN_B   results folders (RUN_A is the baseline), each with results.csv
#   --filter=REGEX only the benchmarks whose names match (e.g. '^decode/multisym/')
#   -o OUT_DIR     where the ratio chart goes (default results/compare-A-vs-B/)
#
# Prints, in this order:
#   1. per-benchmark deltas from google-benchmark's own compare.py (Debian's
#      libbenchmark-tools): the time per 1000 decoded bytes of each repetition of
#      RUN_B against RUN_A, (B - A) / A (negative: B is faster), and, where
#      both runs recorded their repetitions (the samples column of
#      results.csv), a Mann-Whitney U test per benchmark: a p-value under
#      0.05 says the difference is unlikely to be noise;
#   2. both runs' summary tables side by side (mean MB/s over the summary
#      datasets, each variant's best layout, and B / A);
#   3. a chart of those ratios (OUT_DIR/compare.png and .svg).
# Compare runs made on the same machine: absolute numbers move 20-40%
# between machines and runs here. Installs its packages if missing
# (scripts/deps.sh bench).
set -euo pipefail
a="" b="" filter="" outdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --filter=*) filter=${1#--filter=} ;;
    -o) [ $# -ge 2 ] || { echo "compare.sh: -o needs a folder" >&2; exit 2; }; outdir=$2; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) if [ -z "$a" ]; then a=$1; elif [ -z "$b" ]; then b=$1; else
         echo "compare.sh: more than two folders (see --help)" >&2; exit 2; fi ;;
  esac
  shift
done
[ -n "$b" ] || { echo "usage: bash scripts/compare.sh RUN_A RUN_B [--filter=REGEX] [-o OUT_DIR]" >&2; exit 2; }
for r in "$a" "$b"; do
  [ -f "$r/results.csv" ] || { echo "compare.sh: no results.csv in '$r' (a folder scripts/bench.sh wrote)" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/deps.sh" bench
# compare.py needs Debian's Python, whose scipy runs the U test.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
name() { basename "$(cd "$1" && pwd)"; }
outdir=${outdir:-$root/results/compare-$(name "$a")-vs-$(name "$b")}
mkdir -p "$outdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# results.csv -> google-benchmark JSON: one run per repetition, its time
# being nanoseconds per 1000 decoded bytes (10^6 / MB/s), so that compare.py
# reads every kind of row (serve and whole-process ones too) the same way.
to_json() {
  "$py" - "$1" "$2" "$filter" <<'PY'
import csv, json, re, sys
src, dst, pattern = sys.argv[1], sys.argv[2], sys.argv[3]
benchmarks = []
for r in csv.DictReader(open(f"{src}/results.csv")):
    if r["checked"] != "yes" or not r["mb_per_s"] or (pattern and not re.search(pattern, r["name"])):
        continue
    samples = [float(x) for x in r.get("samples", "").split()] or [float(r["mb_per_s"])]
    one = {"run_name": r["name"], "repetitions": len(samples), "threads": 1, "iterations": 1, "time_unit": "ns"}
    for i, mbs in enumerate(samples):
        benchmarks.append({**one, "name": r["name"], "run_type": "iteration", "repetition_index": i,
                           "real_time": 1e6 / mbs, "cpu_time": 1e6 / mbs})
    # The median, which compare.py -a shows (the U test uses the runs).
    median = float(r["mb_per_s"])
    benchmarks.append({**one, "name": r["name"] + "_median", "run_type": "aggregate", "aggregate_name": "median",
                       "real_time": 1e6 / median, "cpu_time": 1e6 / median})
if not benchmarks:
    sys.exit(f"compare.sh: no checked results in {src}" + (f" match '{pattern}'" if pattern else ""))
json.dump({"context": {"source": src}, "benchmarks": benchmarks}, open(dst, "w"))
PY
}
to_json "$a" "$tmp/a.json"
to_json "$b" "$tmp/b.json"

echo "== Per benchmark: ns per 1000 decoded bytes, B = $b against A = $a (negative: B is faster)"
"$py" /usr/share/benchmark/compare.py -a --no-color benchmarks "$tmp/a.json" "$tmp/b.json"

echo
echo "== Summary tables side by side"
"$py" - "$a" "$b" "$outdir" "$root/scripts" <<'PY'
import csv, os, sys
a, b, out, scripts = sys.argv[1:]
sys.path.insert(0, scripts)
import summary  # its datasets and its mean over them, so both tables mean what summary.txt means


def table(folder):
    rows = list(csv.DictReader(open(os.path.join(folder, "results.csv"))))
    names = sorted({r["dataset"] for r in rows if r["kind"] == "decode" and not r["params"]})
    datasets = [d for d in summary.TEXTS if d in names] or names
    cells = {}
    for r in rows:
        if r["kind"] in ("decode", "peer") and (r["kind"], r["variant"]) not in cells:
            best = [summary.mean_mbs(rows, r["kind"], r["variant"], p, datasets) for p in ("", "K:32i", "K:32")]
            cells[(r["kind"], r["variant"])] = max((x for x in best if x), default=None)
    return cells, datasets


ta, da = table(a)
tb, db = table(b)
listed = summary.registry(a)[0] or summary.registry(b)[0]
known = [("decode", v) for v in listed] + [("peer", p) for p in summary.PEERS]
order = [k for k in known if k in ta or k in tb] + sorted(k for k in {**ta, **tb} if k not in known)
za, zb = ta.get(("peer", "zstd-literals")), tb.get(("peer", "zstd-literals"))
print(f"mean MB/s over {', '.join(da)}" + ("" if da == db else f" (B: {', '.join(db)})")
      + ", each row's best layout")
print(f"A = {a}\nB = {b}")
print(f"  {'variant / library':18} {'A':>22} {'B':>22} {'B / A':>6}  {'vs zstd-literals (A, B)':>24}")
chart = []
for kind, v in order:
    x, y = ta.get((kind, v)), tb.get((kind, v))
    ratio = f"{y / x:6.2f}" if x and y else f"{'-':>6}"
    vs = (f"{x / za:.2f}x" if x and za else "-") + ", " + (f"{y / zb:.2f}x" if y and zb else "-")
    print(f"  {v:18} {x or 0:22.0f} {y or 0:22.0f} {ratio}  {vs:>24}")
    if x and y:
        chart.append((v, y / x))
with open(os.path.join(out, "compare.dat"), "w") as f:
    f.write("what\tratio\n" + "".join(f"{v}\t{q:.4f}\n" for v, q in chart))
PY

if command -v gnuplot >/dev/null; then
  for fmt in png svg; do
    gnuplot -e "data='$outdir/compare.dat'; out='$outdir/compare.$fmt'; fmt='$fmt'; \
                what='$(name "$b") / $(name "$a")'" "$root/plots/compare.gp"
  done
  echo
  echo "chart of the ratios: $outdir/compare.png"
fi
