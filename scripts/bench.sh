#!/usr/bin/env bash
# scripts/bench.sh - the main job: build, benchmark every decoder variant and
# every peer library on the same bytes, write a results folder and its
# charts, and print a summary. Every number it prints is read back from the
# results folder it wrote, so the summary and the files cannot disagree.
#
#   bash scripts/bench.sh [--quick] [--profile | --producers] [--data=PATH]... [--reference]
#
#   --quick       fewer datasets and sweeps, one repetition, no profile
#                 (under 2 minutes); with --profile: the quick datasets
#   --profile     only the deterministic costs per symbol: every variant
#                 valgrind runs, under cachegrind (profile.csv, its charts);
#                 the full job (without --quick) does this step too
#   --producers   only one server with many producers: 1, 2, 4, 8 producer
#                 processes at 1 thread and at the core count (producers.csv,
#                 its chart); the full job does this step too
#   --data=PATH   benchmark your own file or folder instead of the default
#                 datasets (repeatable); nothing else changes
#   --reference   write results/reference-<machine>/ (the committed run)
#
# Results: results/<date>-<host>-<cpu>/ (see results/README.md). Steps:
# packages + Release build, google-benchmark, decode threads through shared
# memory, hyperfine, cachegrind profile, tidy CSV, charts, summary.
# Installs missing Debian packages first (scripts/deps.sh).
set -euo pipefail
quick=0 reference=0 profile_only=0 producers_only=0
bench_args=() data_paths=()
for a in "$@"; do
  case "$a" in
    --quick) quick=1; bench_args+=(--quick) ;;
    --data=*)
      p=${a#--data=}
      [ -e "$p" ] || { echo "bench.sh: $p does not exist" >&2; exit 2; }
      p=$(realpath -- "$p") # the job runs from the repository root
      bench_args+=("--data=$p"); data_paths+=("$p") ;;
    --reference) reference=1 ;;
    --profile) profile_only=1 ;;
    --producers) producers_only=1 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$profile_only" = 1 ] && [ "$producers_only" = 1 ] &&
  { echo "bench.sh: --profile and --producers each run one step alone: pick one" >&2; exit 2; }
cd "$(dirname "$0")/.."
root=$PWD
. scripts/corpora.sh
start=$SECONDS
# What else ran on the machine: the load before this job's own build.
H278_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
export H278_LOAD_BEFORE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { printf '\n[%s/8] %s  (%ds)\n' "$1" "$2" "$((SECONDS - start))"; }

step 1 "packages and Release build (build-release/)"
bash scripts/deps.sh bench
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DH278_BENCH=ON \
  -DH278_CORPORA="$H278_CORPORA" >/dev/null
cmake --build build-release -j "$(nproc)" --target h278_bench h278_cli h278-shm-bench h278_profile >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; echo "bench.sh: the build failed" >&2; exit 1; }
h278=$root/build-release/cli/h278
bench=$root/build-release/bench/h278-bench
profile_tool=$root/build-release/bench/h278-profile

# The machine's tag: host name and a short CPU name ("intel-xeon", "amd-epyc-9b45").
host=$(hostname | tr -c 'A-Za-z0-9-\n' '-' | cut -c1-24)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- |
  sed -E 's/\((R|TM|tm)\)//g; s/ (CPU|Processor|[0-9]+-Core|@.*)//g' | tr '[:upper:]' '[:lower:]' |
  sed -E 's/[^a-z0-9]+/-/g; s/^-+|-+$//g' | cut -c1-24)
machine="$host-${cpu:-cpu}"
if [ "$reference" = 1 ]; then
  out="results/reference-$machine"
  rm -rf "$out"
else
  out="results/$(date -u +%Y-%m-%dT%H%M)-$machine"
  n=2; base=$out
  while [ -e "$out" ]; do out="$base-$n"; n=$((n + 1)); done
fi
mkdir -p "$out"
{
  bash scripts/machine.sh build-release
  echo "bench_command: bash scripts/bench.sh $*"
} > "$out/machine.txt"
: > "$out/checks.tsv"
echo "results folder: $out"

# Deterministic costs per symbol (scripts/profile.py): the full job and
# --profile.
run_profile() {
  local q=(); [ "$quick" = 1 ] && q=(--quick)
  python3 scripts/profile.py "$out" --tool "$profile_tool" "${q[@]}" "${data_paths[@]/#/--data=}" ||
    { echo "bench.sh: the profile failed" >&2; exit 1; }
}
# Steps 7 and 8, the end of every run.
charts_and_summary() {
  step 7 "charts"
  bash plots/render.sh "$out"
  step 8 "summary"
  python3 scripts/summary.py "$out" | tee "$out/summary.txt"
  echo
  echo "results: $out  (charts: $out/charts/, $((SECONDS - start)) s)"
}
# One server, many producers (h278-shm-bench --producers): the full job
# (step 3) and --producers.
run_producers() {
  local cores reps=5 secs=1
  cores=$(nproc)
  [ "$quick" = 1 ] && reps=1 secs=0.3
  echo "  one server, many producers (h278-shm-bench --producers 1,2,4,8: the Canterbury files, 128 KiB blocks,"
  echo "  simd on K=32, $reps run(s) of ${secs} s per point, at 1 and $cores threads):"
  local run=(--producers 1,2,4,8 --threads "$cores" --decoder simd -K 32 --seconds "$secs" --reps "$reps"
             --csv "$out/producers.csv")
  # Each line shows as its point is done.
  if "$root/build-release/shm/h278-shm-bench" "${run[@]}" "$H278_CORPORA"/canterbury/* 2>&1 |
       tee "$tmp/producers.txt" | sed -u 's/^/    /'; then
    printf 'producers\tok\n' >> "$out/checks.tsv"
  else
    printf 'producers\tfailed\n' >> "$out/checks.tsv"
  fi
  { echo "## h278-shm-bench ${run[*]} \$H278_CORPORA/canterbury/*"; cat "$tmp/producers.txt"; } > "$out/producers.txt"
}
if [ "$producers_only" = 1 ]; then
  step 2 "one server, many producers (--producers: steps 3-6 skipped)"
  run_producers
  charts_and_summary
  exit 0
fi
if [ "$profile_only" = 1 ]; then
  step 2 "cachegrind: instructions, cache misses and mispredicts per symbol (--profile: steps 3-6 skipped)"
  run_profile
  charts_and_summary
  exit 0
fi

step 2 "google-benchmark: every variant and peer on every dataset, then the sweeps"
if [ "$quick" = 1 ]; then
  gb=(--benchmark_min_time=0.02 --benchmark_repetitions=1)
else
  # Every repetition goes to the JSON (the spread, compare.sh's test); the
  # console shows only the aggregates.
  gb=(--benchmark_min_time=0.04 --benchmark_repetitions=5 --benchmark_display_aggregates_only=true
      --benchmark_enable_random_interleaving=true)
fi
# Three parts, so progress shows (with random interleaving google-benchmark
# reports a benchmark only after its last repetition); merged afterwards.
# The decoders and the peer libraries share the first part, so their
# repetitions interleave and a ratio between them compares runs made side
# by side, not minutes apart.
parts=("decode, every variant and every peer library on every dataset (K=4, K=32i, K=32)|^decode/[^/]+/[^/]+(/K:32i?)?\$|^peer/"
       "table build and the whole-file API|^(build|file)/"
       "decode sweeps: L, K and layout, table widths|-^decode/[^/]+/[^/]+(/K:32i?)?\$|^(build|file|peer)/")
: > "$out/bench-console.txt"
for i in "${!parts[@]}"; do
  what=${parts[$i]%%|*} filter=${parts[$i]#*|}
  n=$("$bench" "${bench_args[@]}" --benchmark_filter="$filter" --benchmark_list_tests 2>/dev/null | wc -l)
  printf '  %d/%d %s: %d benchmarks ...' "$((i + 1))" "${#parts[@]}" "$what" "$n"
  t0=$SECONDS
  # Errors (wrong output) are shown at once; the console table goes to a file.
  "$bench" "${bench_args[@]}" "${gb[@]}" --benchmark_filter="$filter" --benchmark_out="$tmp/bench-$i.json" \
    --benchmark_out_format=json --benchmark_counters_tabular=false 2>&1 | tee -a "$out/bench-console.txt" |
    awk '/ERROR OCCURRED/ { printf "\n    %s", $0; fflush() }'
  [ "${PIPESTATUS[0]}" = 0 ] || { echo; echo "bench.sh: h278-bench failed (see $out/bench-console.txt)" >&2; exit 1; }
  echo " $((SECONDS - t0)) s"
done
# One bench.json: the first part's context, every part's benchmarks, one
# benchmark per line. The "cv" aggregates are left out: each is stddev /
# mean of the same benchmark, and they would add a third to the file. The
# context alone also goes to context.json: the committed reference folder
# keeps it and results.csv, not the multi-megabyte bench.json.
python3 - "$out/bench.json" "$tmp"/bench-*.json <<'PY'
import json, os, sys
merged = None
for path in sys.argv[2:]:  # a part that matched no benchmark wrote no file
    if not os.path.exists(path):
        continue
    with open(path) as f:
        part = json.load(f)
    if merged is None:
        merged = part
    else:
        merged["benchmarks"] += part["benchmarks"]
if merged is None:
    sys.exit("bench.sh: google-benchmark wrote no results")
rows = [json.dumps(b, separators=(",", ":")) for b in merged["benchmarks"] if b.get("aggregate_name") != "cv"]
with open(sys.argv[1], "w") as f:
    f.write('{"context": ' + json.dumps(merged["context"], indent=1) + ',\n"benchmarks": [\n')
    f.write(",\n".join(rows) + "\n]}\n")
with open(os.path.join(os.path.dirname(sys.argv[1]), "context.json"), "w") as f:
    json.dump(merged["context"], f, indent=1)
    f.write("\n")
PY

# The large file for the whole-process runs: bible.txt, or the largest of
# the user's files.
big=$H278_CORPORA/canterbury-large/bible.txt
if [ ${#data_paths[@]} -gt 0 ]; then
  big=$(find "${data_paths[@]}" -maxdepth 1 -type f ! -name '.*' -size +0 -printf '%s\t%p\n' |
        sort -n | tail -n 1 | cut -f2-)
fi
name=$(basename "$big")
size=$(stat -c %s "$big")
"$h278" compress "$big" -o "$tmp/$name.h278" -f
# The SIMD variants' lanes take only blocks of 16 or more streams, in the
# layout their --list-decoders line names (with the variant that decodes
# their other blocks): they are timed on a K=32 copy in that layout, so
# that their rows time their own loop.
"$h278" compress "$big" -K 32 --interleaved -o "$tmp/$name.k32i.h278" -f
"$h278" compress "$big" -K 32 -o "$tmp/$name.k32.h278" -f
# The pivot decoders read only the pivot layout: a copy in it.
"$h278" compress "$big" --layout pivot -o "$tmp/$name.pivot.h278" -f
decoders=$("$h278" decompress --list-decoders)
mapfile -t variants < <(awk '$1 != "simd" {print $1}' <<<"$decoders")
best=$(awk '$1 == "simd" {print $3}' <<<"$decoders")
input_for() { # the compressed big file a variant is timed on: for lanes, the copy in their layout
  echo "$tmp/$name.$(awk -v v="$1" '$1 == v {print (/\(interleaved K>=16/ ? "k32i." : /\(segmented K>=16/ ? "k32." : /pivot blocks only/ ? "pivot." : "")}' \
    <<<"$decoders")h278"
}
# Adds the decoded size to a hyperfine JSON file (tidy.py needs it for MB/s).
add_size() {
  python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
d["h278_decoded_bytes"] = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(d, f, indent=1)
PY
}

step 3 "decode threads through shared memory (h278 serve --threads N + h278 feed)"
# Thread counts: powers of two up to twice the cores (at most 16), and the core count.
cores=$(nproc) serve_ok=1
mapfile -t threads < <({ for ((t = 1; t <= 2 * cores && t <= 16; t *= 2)); do echo $t; done; echo "$cores"; } | sort -nu)
if [ "$quick" = 1 ]; then
  serve_decoders=("$best") reps=1 amount=128M threads=(1 2)
else
  serve_decoders=() reps=3 amount=512M
  for v in "${variants[@]}"; do [ "$v" = tree ] || serve_decoders+=("$v"); done
fi
if ! "$h278" serve --help >/dev/null 2>&1; then
  serve_ok=0
  echo "  skipped: \`h278 serve --help\` failed, this build has no shared-memory server"
else
  : > "$out/serve-threads.jsonl"
  for d in "${serve_decoders[@]}"; do
    for t in "${threads[@]}"; do
      label="serve/$d/$name/threads:$t"
      # The check: one pass written out and compared with the original.
      ok=failed
      if bash scripts/serve_feed.sh "$h278" "$d" "$t" /dev/null -- "$(input_for "$d")" -o "$tmp/serve.out" -f \
           2>>"$out/serve-errors.txt"; then
        ok=$(cmp -s "$tmp/serve.out" "$big" && echo ok || echo differs)
      fi
      printf '%s\t%s\n' "$label" "$ok" >> "$out/checks.tsv"
      line="  $label:"
      for r in $(seq "$reps"); do
        rc=0
        rm -f "$tmp/serve.json"
        bash scripts/serve_feed.sh "$h278" "$d" "$t" "$tmp/serve.json" -- "$(input_for "$d")" \
          --repeat-bytes "$amount" 2>>"$out/serve-errors.txt" || rc=$?
        # One JSON line per repetition: the exit status and the server's summary.
        line+=" $(python3 - "$out/serve-threads.jsonl" "$tmp/serve.json" "$label" "$d" "$t" "$r" "$rc" <<'PY'
import json, sys
out, path, label, decoder, threads, rep, rc = sys.argv[1:]
try:
    with open(path) as f:
        serve = json.loads(f.readline())
except (OSError, ValueError):
    serve = None
with open(out, "a") as f:
    f.write(json.dumps({"name": label, "decoder": decoder, "threads": int(threads), "repetition": int(rep),
                        "exit_status": int(rc), "serve": serve}) + "\n")
ok = rc == "0" and serve and serve.get("seconds", 0) > 0
print(f"{serve['bytes_out'] / serve['seconds'] / 1e6:.0f}" if ok else "failed")
PY
)"
      done
      echo "$line MB/s$([ "$ok" = ok ] || echo "  OUTPUT $ok")"
    done
  done
  [ -s "$out/serve-errors.txt" ] || rm -f "$out/serve-errors.txt"
  # What the transport costs: the same blocks decoded in this process and
  # end to end through shared memory, at 1 thread and at the core count.
  echo "  transport cost (h278-shm-bench, the Canterbury files, 128 KiB blocks):"
  : > "$out/transport.txt"
  for t in $(printf '%s\n' 1 "$cores" | sort -nu); do
    for d in simd multisym; do
      layout=(); [ "$d" = simd ] && layout=(-K 32)
      run=(--threads "$t" --decoder "$d" "${layout[@]}" --reps $((quick ? 1 : 5)))
      rc=0
      "$root/build-release/shm/h278-shm-bench" "${run[@]}" "$H278_CORPORA"/canterbury/* >"$tmp/transport.txt" 2>&1 || rc=$?
      { echo "## h278-shm-bench ${run[*]} \$H278_CORPORA/canterbury/*"; cat "$tmp/transport.txt"; } >> "$out/transport.txt"
      [ "$rc" = 0 ] || printf 'transport/%s/threads:%s\tfailed\n' "$d" "$t" >> "$out/checks.tsv"
      echo "    $d, $t thread(s): $(awk '/^end to end, staged, no re-check/ { getline; print $5 $6 }' "$tmp/transport.txt") of in-process speed (staged blocks)"
    done
  done
  run_producers
fi

step 4 "hyperfine: whole-process h278 decompress per variant, and the feed -> serve pipeline"
runs=$([ "$quick" = 1 ] && echo 3 || echo 10)
# hyperfine JSON_OUT NAME COMMAND...: failures are kept (-i); the outputs are
# compared afterwards, so a failed command just has no checked result.
run_hyperfine() {
  local json=$1; shift
  hyperfine -i --warmup 1 --runs "$runs" --style basic --export-json "$json" "$@" >"$tmp/hyperfine.log" 2>&1 ||
    { cat "$tmp/hyperfine.log" >&2; echo "bench.sh: hyperfine failed" >&2; exit 1; }
  grep -E '^(Benchmark|  Time)' "$tmp/hyperfine.log" | sed 's/^Benchmark [0-9]*: /  /' || true
}
q() { printf '%q' "$1"; } # paths may hold spaces: hyperfine runs commands through a shell
cmds=()
for v in "${variants[@]}"; do
  cmds+=(-n "process/$v/$name" "$(q "$h278") decompress $(q "$(input_for "$v")") -o $(q "$tmp/out.$v") -f --decoder $v")
done
run_hyperfine "$out/hyperfine-decompress.json" "${cmds[@]}"
add_size "$out/hyperfine-decompress.json" "$size"
for v in "${variants[@]}"; do
  printf 'process/%s/%s\t%s\n' "$v" "$name" "$(cmp -s "$tmp/out.$v" "$big" && echo ok || echo differs)" >> "$out/checks.tsv"
done
if [ "$serve_ok" = 1 ] && grep -q "^serve/$best/.*"$'\t'"ok$" "$out/checks.tsv"; then
  cmds=()
  pipe_threads=$(printf '%s\n' 1 "$cores" | sort -nu)
  for t in $pipe_threads; do
    cmds+=(-n "pipeline/$best/$name/threads:$t"
           "bash scripts/serve_feed.sh $(q "$h278") $best $t /dev/null -- $(q "$(input_for "$best")") -o $(q "$tmp/pipe.$t") -f")
  done
  run_hyperfine "$out/hyperfine-pipeline.json" "${cmds[@]}"
  add_size "$out/hyperfine-pipeline.json" "$size"
  for t in $pipe_threads; do
    printf 'pipeline/%s/%s/threads:%s\t%s\n' "$best" "$name" "$t" \
      "$(cmp -s "$tmp/pipe.$t" "$big" && echo ok || echo differs)" >> "$out/checks.tsv"
  done
else
  echo "  pipeline skipped: no working h278 serve (see step 3)"
fi

step 5 "cachegrind: instructions, cache misses and mispredicts per symbol"
if [ "$quick" = 1 ]; then
  echo "  skipped with --quick (bash scripts/bench.sh --profile runs it alone)"
else
  run_profile
fi

step 6 "tidy CSV"
python3 scripts/tidy.py "$out"

charts_and_summary
