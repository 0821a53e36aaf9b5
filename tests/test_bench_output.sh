#!/usr/bin/env bash
# test_bench_output.sh - h278-bench's output formats on a run that mixes
# H278 rows (decode, build, file) and peer rows: the console, JSON and CSV
# (on stdout and through --benchmark_out) all complete, and every row
# carries the same counters, compressed size and ratio included; with
# --counters and --counters=software too.
#
#   bash tests/test_bench_output.sh PATH/TO/h278-bench CORPORA_DIR
set -u
bench=$(realpath "$1")
data=$(realpath "$2")/canterbury/alice29.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failed=0
fail() { echo "FAILED: $*"; failed=1; }

run() { # google-benchmark flags...
  "$bench" --data="$data" --benchmark_min_time=0.001 \
    --benchmark_filter='^(decode|build|file)/table/alice29.txt$|^peer/(zstd-literals|memcpy)/alice29.txt$' "$@"
}

run >console.txt 2>err.txt || fail "console run exited $?: $(tail -3 err.txt)"
grep -q 'compressed_bytes=.*ratio=' console.txt || fail "console rows lack compressed_bytes/ratio"
grep -q 'ns/symbol=[0-9.]*s ' console.txt && fail "console prints ns/symbol with a seconds unit"

run --benchmark_format=csv --benchmark_repetitions=2 >stdout.csv 2>err.txt ||
  fail "CSV on stdout exited $?: $(tail -3 err.txt)"
run --benchmark_out_format=csv --benchmark_out=out.csv >/dev/null 2>err.txt ||
  fail "--benchmark_out_format=csv exited $?: $(tail -3 err.txt)"
run --benchmark_format=json >out.json 2>err.txt || fail "JSON exited $?: $(tail -3 err.txt)"

python3 - stdout.csv out.csv out.json <<'PY' || failed=1
import csv, json, sys
want = ["bytes_per_second", "ns/symbol", "symbols/s", "tsc_ticks/symbol", "compressed_bytes", "ratio"]
kinds = {"decode", "build", "file", "peer"}
ok = True
for path in sys.argv[1:3]:
    lines = open(path).read().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("name,")), None)
    if start is None:
        print(f"FAILED: {path} has no CSV header"); ok = False; continue
    rows = list(csv.DictReader(lines[start:]))
    seen = {r["name"].split("/")[0] for r in rows}
    if seen != kinds:
        print(f"FAILED: {path} has rows of {sorted(seen)}, not of {sorted(kinds)}"); ok = False
    for r in rows:
        if r["name"].endswith(("_stddev", "_cv")):
            continue
        missing = [c for c in want if not r.get(c)]
        if missing or float(r["compressed_bytes"]) <= 0 or not 1.0 <= float(r["ratio"]) < 3.0:
            print(f"FAILED: {path} row {r['name']}: missing {missing} or bad size/ratio"); ok = False
for b in json.load(open(sys.argv[3]))["benchmarks"]:
    if any(c not in b for c in want) or b["ratio"] * b["compressed_bytes"] < 152000:
        print(f"FAILED: JSON row {b['name']} lacks counters or its size and ratio miss the input's 152089 bytes"); ok = False
sys.exit(0 if ok else 1)
PY
# --counters: where the machine has no hardware counters, one line says so
# and every benchmark still runs, without them; where it has them, every
# row carries them. --counters=software: every row carries the software
# events' counts (the same path, with events every kernel has).
run --counters --benchmark_format=csv >hw.csv 2>hw.err || fail "--counters exited $?: $(tail -3 hw.err)"
n=$(grep -c 'counters are unavailable on this machine' hw.err)
rows=$(grep -c '^"\(decode\|build\|file\|peer\)/' hw.csv)
[ "$rows" = 5 ] || fail "--counters ran $rows benchmarks, not 5"
if [ "$n" = 0 ]; then
  grep -q 'cycles/symbol' hw.csv || fail "--counters: neither counters nor a line saying they are unavailable"
else
  [ "$n" = 1 ] || fail "--counters said $n times that counters are unavailable"
  grep -q 'cycles/symbol' hw.csv && fail "--counters put counters it does not have into the rows"
fi
if run --counters=software --benchmark_format=json >sw.json 2>sw.err; then
  if grep -q 'counters are unavailable' sw.err; then
    echo "software counters refused on this machine: that part skipped"
  else
    python3 - sw.json <<'PY' || failed=1
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
bad = [b["name"] for b in rows if not b.get("task_clock_ns/symbol", 0) > 0 or "page_faults/symbol" not in b]
if len(rows) != 5 or bad:
    print(f"FAILED: --counters=software: {len(rows)} rows, without a task clock: {bad}"); sys.exit(1)
PY
  fi
else
  fail "--counters=software exited $?: $(tail -3 sw.err)"
fi

[ "$failed" = 0 ] && echo "test_bench_output: all checks passed"
exit "$failed"
