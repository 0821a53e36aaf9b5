#!/usr/bin/env bash
# test_results_columns.sh - what scripts/bench.sh derives from a run keeps
# the compressed size and ratio of every row and the spread of its
# repetitions, and gives every variant its own chart colour from the
# registry: h278-bench's JSON -> scripts/tidy.py (results.csv) ->
# scripts/summary.py and plots/prepare.py, on a small run with three
# repetitions; scripts/compare.sh on two such runs prints per-benchmark
# deltas with a U test and both summaries.
#
#   bash tests/test_results_columns.sh PATH/TO/h278-bench SOURCE_DIR CORPORA_DIR
set -u
bench=$(realpath "$1")
src=$(realpath "$2")
corpora=$(realpath "$3")/canterbury
run=$(mktemp -d)
trap 'rm -rf "$run" "$run-b"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

"$bench" --data="$corpora/alice29.txt" --data="$corpora/asyoulik.txt" --benchmark_min_time=0.001 \
  --benchmark_filter='^decode/(table|multisym)/[^/]+$|^peer/(zstd-literals|zstd-3)/' \
  --benchmark_repetitions=3 --benchmark_display_aggregates_only=true \
  --benchmark_format=json --benchmark_out="$run/bench.json" >/dev/null 2>"$run/err.txt" ||
  { cat "$run/err.txt"; exit 1; }
python3 -c "import json, sys; json.dump(json.load(open(sys.argv[1]))['context'], open(sys.argv[2], 'w'))" \
  "$run/bench.json" "$run/context.json"
python3 "$src/scripts/tidy.py" "$run" >/dev/null || fail "tidy.py"
python3 "$src/scripts/summary.py" "$run" >"$run/summary.txt" || fail "summary.py"
python3 "$src/plots/prepare.py" "$run" || fail "prepare.py"

python3 - "$run" <<'PY' || failed=1
import csv, json, os, re, sys
run = sys.argv[1]
ok = True
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
for r in rows:
    if r["kind"] in ("decode", "peer") and not (float(r["compressed_bytes"] or 0) > 0 and float(r["ratio"] or 0) > 1):
        print(f"FAILED: results.csv row {r['name']} has no size or ratio"); ok = False
summary = open(os.path.join(run, "summary.txt")).read()
if "comp.bytes" not in summary or not re.search(r"H278  table .* \d+  1\.\d\d ", summary):
    print("FAILED: the summary has no compressed bytes and ratio for table:\n" + summary); ok = False
if not re.search(r"peer  zstd-3 .* \d+  2\.\d\d ", summary):
    print("FAILED: the summary has no size and ratio for zstd-3"); ok = False
# Colours: linetype 21 + the registry index, distinct per variant.
registry = json.load(open(os.path.join(run, "context.json")))["h278_variants"].split(",")
meta = open(os.path.join(run, "charts", "meta.gp")).read()
lts = re.search(r'variants_lt = "([^"]*)"', meta).group(1).split()
want = [str(21 + registry.index(v)) for v in ("table", "multisym")]
if lts != want:
    print(f"FAILED: variant colours {lts}, expected {want} from the registry order {registry}"); ok = False
# The spread: three samples, min <= median <= max, a CV; the charts' data
# carry it as two more columns per series; the summary shows the CV.
for r in rows:
    samples = [float(x) for x in r["samples"].split()]
    if len(samples) != 3 or not (float(r["mb_per_s_min"]) <= float(r["mb_per_s"]) <= float(r["mb_per_s_max"])) \
            or r["cv"] == "":
        print(f"FAILED: results.csv row {r['name']} lacks its spread: {r}"); ok = False
head = open(os.path.join(run, "charts", "datasets.dat")).readline().rstrip("\n").split("\t")
if head[1:4] != [head[1], head[1] + " min", head[1] + " max"]:
    print(f"FAILED: datasets.dat has no spread columns: {head}"); ok = False
if "cv%" not in summary or "run_note" not in meta or "repetitions per point" not in meta:
    print("FAILED: the summary has no cv% column or the charts no run note"); ok = False
sys.exit(0 if ok else 1)
PY

# Two runs (the same numbers twice, and one 10% slower) through compare.sh.
cp -r "$run" "$run-b"
python3 - "$run-b/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    if r["variant"] == "multisym":
        r["samples"] = " ".join(f"{float(x) * 0.9:.1f}" for x in r["samples"].split())
        r["mb_per_s"] = f"{float(r['mb_per_s']) * 0.9:.1f}"
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
PY
bash "$src/scripts/compare.sh" "$run" "$run-b" -o "$run/cmp" >"$run/compare.txt" 2>&1 || fail "compare.sh: $(tail -3 "$run/compare.txt")"
grep -Eq '^decode/multisym/alice29.txt_median +\+0\.1' "$run/compare.txt" ||
  fail "compare.sh has no +11% delta for multisym: $(head -20 "$run/compare.txt")"
grep -q 'U Test' "$run/compare.txt" || fail "compare.sh ran no U test"
grep -Eq '^  multisym +[0-9]+ +[0-9]+ +0\.90' "$run/compare.txt" || fail "compare.sh's side-by-side summary lacks B / A"
[ -s "$run/cmp/compare.png" ] || fail "compare.sh drew no chart"
[ "$failed" = 0 ] && echo "test_results_columns: all checks passed"
exit "$failed"
