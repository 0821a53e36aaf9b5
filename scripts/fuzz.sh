#!/usr/bin/env bash
# scripts/fuzz.sh - runs every libFuzzer target for a bounded time.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
#
# Builds the targets with clang into build-fuzz/ (-DH278_FUZZ=ON: libFuzzer,
# ASan, UBSan). Each target starts from its committed corpus in
# fuzz/corpus/NAME/ and the kept crashes in fuzz/crashes/NAME/ (both read
# only here); new interesting inputs go to a scratch folder. A crash, leak,
# timeout or out-of-memory input is copied into fuzz/crashes/NAME/, where
# ctest replays it from then on, and the script fails. One target runs at a
# time, in one process (the build machines are small and shared).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number" >&2; exit 2 ;; esac
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH278_FUZZ=ON -DH278_BENCH=OFF >/dev/null
targets=$(sed -n 's/^h278_add_fuzz_target(\([a-z_0-9]*\).*/\1/p' fuzz/CMakeLists.txt)
jobs=$(nproc); [ "$jobs" -gt 2 ] && jobs=2
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$jobs" --target $targets
failed=0
for t in $targets; do
  scratch=$(mktemp -d)
  kept=()
  [ -d "fuzz/crashes/$t" ] && kept=("fuzz/crashes/$t")
  echo "-- $t: ${seconds}s"
  if ! build-fuzz/fuzz/"$t" -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 \
       -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/" "$scratch" "fuzz/corpus/$t" "${kept[@]}" \
       2> "$scratch.log"; then
    failed=1
    tail -40 "$scratch.log"
    for c in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
      if [ -e "$c" ]; then
        mkdir -p "fuzz/crashes/$t"
        cp "$c" "fuzz/crashes/$t/"
        echo "kept $(basename "$c") in fuzz/crashes/$t/"
      fi
    done
  fi
  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$scratch.log" || true
  rm -rf "$scratch" "$scratch.log"
done
exit "$failed"
