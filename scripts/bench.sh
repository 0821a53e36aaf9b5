#!/usr/bin/env bash
# scripts/bench.sh - the main job: build, benchmark every decoder variant and
# every peer library on the default datasets, write a results folder and the
# charts, and print a summary.
#
#   bash scripts/bench.sh [--quick] [--data=PATH]... [--reference]
#
#   --quick       fewer datasets and sweeps, one repetition (under 2 minutes)
#   --data=PATH   benchmark your own file or folder instead of the defaults
#   --reference   write results/reference-<machine>/ (the committed run)
#
# Results: results/<date>-<host>/ with bench.json (google-benchmark),
# hyperfine-decompress.json, results.csv, machine.txt and charts/.
# Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0 reference=0
bench_args=()
for a in "$@"; do
  case "$a" in
    --quick) quick=1; bench_args+=(--quick) ;;
    --data=*) bench_args+=("$a") ;;
    --reference) reference=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done
step() { printf '\n[%s/6] %s\n' "$1" "$2"; }

step 1 "installing missing packages and building (Release)"
bash scripts/deps.sh bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DH278_BENCH=ON >/dev/null
cmake --build build-release -j "$(nproc)" --target h278_bench h278_cli

host=$(hostname | tr -c 'A-Za-z0-9-\n' '-')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/[^A-Za-z0-9]\{1,\}/-/g; s/-$//' | cut -c1-40)
if [ "$reference" = 1 ]; then
  out="results/reference-$cpu"
  rm -rf "$out"
else
  out="results/$(date -u +%Y-%m-%dT%H%M)-$host"
fi
mkdir -p "$out"
bash scripts/machine.sh build-release > "$out/machine.txt"

step 2 "google-benchmark: every variant and peer on every dataset, then the sweeps"
if [ "$quick" = 1 ]; then
  gb=(--benchmark_min_time=0.02 --benchmark_repetitions=1)
else
  gb=(--benchmark_min_time=0.05 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
      --benchmark_enable_random_interleaving=true)
fi
build-release/bench/h278-bench "${bench_args[@]}" "${gb[@]}" \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json --benchmark_counters_tabular=false

step 3 "hyperfine: whole-process h278 decompress per variant"
big=$root/../shared/corpora/canterbury-large/bible.txt
for a in "${bench_args[@]}"; do
  case "$a" in --data=*) p=${a#--data=}; [ -f "$p" ] && big=$p ;; esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "$big")
build-release/cli/h278 compress "$big" -o "$tmp/$name.h278" -f
cmds=()
for v in $(build-release/cli/h278 decompress --list-decoders | awk '{print $1}'); do
  [ "$v" = tree ] && [ "$quick" = 1 ] && continue
  cmds+=(-n "process/$v/$name" "build-release/cli/h278 decompress $tmp/$name.h278 -o $tmp/out.$v -f --decoder $v")
done
hyperfine --warmup 1 --runs $([ "$quick" = 1 ] && echo 3 || echo 10) --export-json "$out/hyperfine-decompress.json" \
  --style basic "${cmds[@]}"
for f in "$tmp"/out.*; do cmp -s "$f" "$big" || { echo "bench.sh: $f differs from $big" >&2; exit 1; }; done
python3 - "$out/hyperfine-decompress.json" "$(stat -c %s "$big")" <<'PY'
import json, sys
p, size = sys.argv[1], int(sys.argv[2])
d = json.load(open(p)); d["h278_decoded_bytes"] = size
json.dump(d, open(p, "w"), indent=1)
PY

step 4 "tidy CSV"
python3 scripts/tidy.py "$out"

step 5 "charts"
bash plots/render.sh "$out"

step 6 "summary ($out)"
python3 scripts/summary.py "$out"
